/**
 * The source file's sound, for the export: decoded with Web Audio (any codec the browser
 * plays) and replayed into a MediaStream track in step with the re-recorded frames, since
 * MediaRecorder records live tracks only. No sound (or an undecodable one) gives no track.
 */
export interface AudioReplay {
  track: MediaStreamTrack;
  /** Starts the sound from its beginning, now. */
  start(): void;
  stop(): void;
}

export async function audioReplay(file: Blob): Promise<AudioReplay | undefined> {
  const context = new AudioContext();
  let buffer: AudioBuffer;
  try {
    buffer = await context.decodeAudioData(await file.arrayBuffer());
  } catch {
    await context.close(); // a video without a sound track (decodeAudioData rejects it)
    return undefined;
  }
  await context.resume();
  const destination = context.createMediaStreamDestination();
  const source = context.createBufferSource();
  source.buffer = buffer;
  source.connect(destination);
  return {
    track: destination.stream.getAudioTracks()[0],
    start: () => source.start(),
    stop: () => {
      source.stop();
      void context.close();
    },
  };
}
