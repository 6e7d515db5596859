/**
 * Writes processed frames to a WebM file with MediaRecorder. The frames are replayed onto a
 * canvas at their real rate once all are processed: MediaRecorder timestamps frames by the
 * wall clock, so recording while the model runs would slow the video down. The source's
 * sound, when given, is replayed beside them into the same recording.
 */
import type { AudioReplay } from "./audio-track";

function recorderType(withAudio: boolean): string {
  const types = withAudio
    ? ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm"]
    : ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"];
  return types.find((t) => MediaRecorder.isTypeSupported(t)) ?? "video/webm";
}

/**
 * Records `frames` at `fps` (and `audio` if given) into a WebM blob.
 * @example const webm = await exportWebm(bitmaps, 15, canvas);
 */
export async function exportWebm(frames: readonly ImageBitmap[], fps: number, canvas: HTMLCanvasElement, audio?: AudioReplay): Promise<Blob> {
  if (frames.length === 0) throw new Error("No frames to export");
  canvas.width = frames[0].width;
  canvas.height = frames[0].height;
  const context = canvas.getContext("2d")!;
  context.drawImage(frames[0], 0, 0);
  const stream = canvas.captureStream(fps);
  if (audio) stream.addTrack(audio.track);
  const recorder = new MediaRecorder(stream, { mimeType: recorderType(Boolean(audio)), videoBitsPerSecond: 4_000_000 });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => event.data.size && chunks.push(event.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start();
  audio?.start();
  const started = performance.now();
  for (let i = 0; i < frames.length; i++) {
    // Hold each frame until its time comes.
    const due = started + (i * 1000) / fps;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(frames[i], 0, 0);
  }
  await new Promise((r) => setTimeout(r, 1000 / fps));
  recorder.stop();
  audio?.stop();
  await stopped;
  for (const track of stream.getTracks()) track.stop();
  return new Blob(chunks, { type: "video/webm" });
}
