/**
 * Steps through a video by seeking, so every sampled frame is processed however long the
 * model takes (playback would drop frames).
 */

function seek(video: HTMLVideoElement, time: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      video.removeEventListener("seeked", done);
      video.removeEventListener("error", failed);
      resolve();
    };
    const failed = () => reject(new Error("The video could not be read at " + time.toFixed(2) + " s"));
    video.addEventListener("seeked", done, { once: true });
    video.addEventListener("error", failed, { once: true });
    video.currentTime = time;
  });
}

/** Resolves once the video's duration is known (WebM from MediaRecorder reports Infinity at first). */
export async function videoDuration(video: HTMLVideoElement): Promise<number> {
  if (video.readyState < 1) await new Promise((r) => video.addEventListener("loadedmetadata", r, { once: true }));
  if (Number.isFinite(video.duration)) return video.duration;
  // Seeking far past the end makes the browser scan the file and learn the real duration.
  await seek(video, 1e9);
  const duration = video.duration;
  await seek(video, 0);
  return Number.isFinite(duration) ? duration : video.currentTime;
}

/**
 * Calls `onFrame` for each frame time at `fps`, in order, awaiting each.
 * @example for await (const t of frameTimes(video, 15)) draw(video);
 */
export async function* frameTimes(video: HTMLVideoElement, fps: number, signal?: AbortSignal): AsyncGenerator<{ time: number; index: number; count: number }> {
  const duration = await videoDuration(video);
  const count = Math.max(1, Math.floor(duration * fps));
  for (let index = 0; index < count; index++) {
    signal?.throwIfAborted();
    const time = Math.min(index / fps, Math.max(0, duration - 0.001));
    await seek(video, time);
    yield { time, index, count };
  }
}
