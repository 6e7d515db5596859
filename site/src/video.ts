/**
 * Video: a video file's background removed frame by frame in the browser (u2netp in
 * onnxruntime-web: WebGPU, or WASM on every core the page may use), previewed, with progress
 * and time left, and exported as WebM with the source's sound where the browser can decode it.
 */
import { resizeMask } from "../../core/mask";
import { applyBackground } from "./model/backgrounds";
import { browserSegmenter, onWebGpuFallback } from "./model/browser-segmenter";
import { backgroundPicker } from "./live/background-picker";
import { backendLabel } from "./live/backend-label";
import { modePicker } from "./live/mode-picker";
import { byId, download, messageOf, say } from "./ui/dom";
import { fitWithin, grabFrame, paintFrame } from "./ui/frames";
import { audioReplay } from "./video/audio-track";
import { etaText } from "./video/eta";
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
const mode = modePicker(byId<HTMLSelectElement>("model"), "quality");
const prefer = new URLSearchParams(location.search).get("backend") === "wasm" ? "wasm" : undefined;
const notice = byId("notice");
onWebGpuFallback((reason) => {
  notice.hidden = false;
  notice.textContent = `WebGPU could not run the model (${reason}); running on WebAssembly for the rest of this page.`;
});
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
    const segmenter = await browserSegmenter(mode(), prefer);
    const side = segmenter.mode.side;
    const fps = Math.min(30, Math.max(1, Number(fpsInput.value) || 12));
    const size = fitWithin(source.videoWidth, source.videoHeight, FRAME_SIDE);
    const scratch = document.createElement("canvas");
    const frames: ImageBitmap[] = [];
    const started = performance.now();
    for await (const { index, count } of frameTimes(source, fps, controller.signal)) {
      const frame = grabFrame(source, scratch, size.width, size.height);
      const mask = resizeMask(await segmenter.segment(frame), side, side, frame.width, frame.height);
      applyBackground(frame, mask, background.current());
      paintFrame(frame, preview);
      frames.push(await createImageBitmap(preview));
      progress.value = (index + 1) / count;
      const eta = etaText(index + 1, count, performance.now() - started);
      say(status, `Frame ${index + 1} of ${count} (${backendLabel(segmenter)})${eta ? `, ${eta}` : ""}…`);
    }
    say(status, "Encoding WebM…");
    const audio = fileInput.files?.[0] && (await audioReplay(fileInput.files[0]));
    exported = await exportWebm(frames, fps, preview, audio);
    for (const frame of frames) frame.close();
    URL.revokeObjectURL(result.src);
    result.src = URL.createObjectURL(exported);
    result.hidden = false;
    downloadButton.disabled = false;
    say(status, `Done: ${frames.length} frames, ${(exported.size / 1024).toFixed(0)} KiB WebM${audio ? " with sound" : ""} (${backendLabel(segmenter)}).`, "done");
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
