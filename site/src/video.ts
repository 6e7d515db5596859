/**
 * Video: a video file's background removed frame by frame in the browser (the edge model in
 * onnxruntime-web), previewed, and exported as WebM.
 */
import { applyBackground } from "./model/backgrounds";
import { browserSegmenter } from "./model/browser-segmenter";
import { backgroundPicker } from "./live/background-picker";
import { modelPicker } from "./live/model-picker";
import { byId, download, messageOf, say } from "./ui/dom";
import { fitWithin, grabFrame, paintFrame } from "./ui/frames";
import { frameTimes } from "./video/frames";
import { exportWebm } from "./video/webm-export";

/** Longest side of the output: keeps memory (every frame is held until export) and time sane. */
const FRAME_SIDE = 480;

const fileInput = byId<HTMLInputElement>("video-file");
const source = byId<HTMLVideoElement>("source");
const preview = byId<HTMLCanvasElement>("preview");
const result = byId<HTMLVideoElement>("result");
const status = byId("status");
const progress = byId<HTMLProgressElement>("progress");
const processButton = byId<HTMLButtonElement>("process");
const cancelButton = byId<HTMLButtonElement>("cancel");
const downloadButton = byId<HTMLButtonElement>("download");
const fpsInput = byId<HTMLInputElement>("fps");
const background = backgroundPicker({
  kind: byId<HTMLSelectElement>("bg-kind"),
  color: byId<HTMLInputElement>("bg-color"),
  image: byId<HTMLInputElement>("bg-image"),
});
const model = modelPicker(byId<HTMLSelectElement>("model"));
let exported: Blob | undefined;
let running: AbortController | undefined;

async function processVideo(): Promise<void> {
  const controller = (running = new AbortController());
  processButton.disabled = true;
  cancelButton.disabled = false;
  downloadButton.disabled = true;
  progress.value = 0;
  progress.hidden = false;
  try {
    say(status, "Loading the model…");
    const segmenter = await browserSegmenter(model());
    const fps = Math.min(30, Math.max(1, Number(fpsInput.value) || 12));
    const size = fitWithin(source.videoWidth, source.videoHeight, FRAME_SIDE);
    const scratch = document.createElement("canvas");
    const frames: ImageBitmap[] = [];
    for await (const { index, count } of frameTimes(source, fps, controller.signal)) {
      const frame = grabFrame(source, scratch, size.width, size.height);
      applyBackground(frame, await segmenter.segment(frame), background.current());
      paintFrame(frame, preview);
      frames.push(await createImageBitmap(preview));
      progress.value = (index + 1) / count;
      say(status, `Frame ${index + 1} of ${count} (${segmenter.backend === "webgpu" ? "WebGPU" : "WASM"})…`);
    }
    say(status, "Encoding WebM…");
    exported = await exportWebm(frames, fps, preview);
    for (const frame of frames) frame.close();
    URL.revokeObjectURL(result.src);
    result.src = URL.createObjectURL(exported);
    result.hidden = false;
    downloadButton.disabled = false;
    say(status, `Done: ${frames.length} frames, ${(exported.size / 1024).toFixed(0)} KiB WebM.`, "done");
  } catch (error) {
    say(status, controller.signal.aborted ? "Cancelled." : `The video could not be processed: ${messageOf(error)}`, controller.signal.aborted ? "info" : "error");
  } finally {
    processButton.disabled = false;
    cancelButton.disabled = true;
    progress.hidden = true;
  }
}

fileInput.addEventListener("change", () => {
  const file = fileInput.files?.[0];
  if (!file) return;
  URL.revokeObjectURL(source.src);
  source.src = URL.createObjectURL(file);
  source.addEventListener("loadeddata", () => (processButton.disabled = false), { once: true });
  source.addEventListener("error", () => say(status, "This browser cannot play that video file.", "error"), { once: true });
  say(status, `${file.name} loaded. Choose a background, then process.`);
});
processButton.addEventListener("click", () => void processVideo());
cancelButton.addEventListener("click", () => running?.abort());
downloadButton.addEventListener("click", () => exported && download(exported, "cutout.webm"));
