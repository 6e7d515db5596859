/**
 * Webcam: live background removal in the browser (onnxruntime-web: WebGPU when present, else
 * WASM on every core the page may use). Two modes (model/browser-models.ts): real-time (a
 * smaller input, the mask smoothed over frames) and quality (320², the edge's input).
 */
import { resizeMask } from "../../core/mask";
import { applyBackground } from "./model/backgrounds";
import { browserSegmenter, onWebGpuFallback, type Segmenter } from "./model/browser-segmenter";
import { backgroundPicker } from "./live/background-picker";
import { modePicker } from "./live/mode-picker";
import { FpsMeter } from "./live/fps-meter";
import { MaskSmoother } from "./live/mask-smoother";
import { backendLabel } from "./live/backend-label";
import { byId, messageOf, say } from "./ui/dom";
import { fitWithin, grabFrame, paintFrame } from "./ui/frames";

/** Longest side of the processed frame. */
const FRAME_SIDE = 480;

const video = byId<HTMLVideoElement>("camera");
const output = byId<HTMLCanvasElement>("output");
const status = byId("status");
const notice = byId("notice");
const fps = byId<HTMLOutputElement>("fps");
const backend = byId<HTMLOutputElement>("backend");
const startButton = byId<HTMLButtonElement>("start");
const stopButton = byId<HTMLButtonElement>("stop");
const background = backgroundPicker({
  kind: byId<HTMLSelectElement>("bg-kind"),
  color: byId<HTMLInputElement>("bg-color"),
  image: byId<HTMLInputElement>("bg-image"),
});
const mode = modePicker(byId<HTMLSelectElement>("model"), "realtime");
const prefer = new URLSearchParams(location.search).get("backend") === "wasm" ? "wasm" : undefined;
const scratch = document.createElement("canvas");
let stream: MediaStream | undefined;

onWebGpuFallback((reason) => {
  notice.hidden = false;
  notice.textContent = `WebGPU could not run the model (${reason}); running on WebAssembly for the rest of this page.`;
});

/** Shows which backend and mode run; returns a key that changes when either does. */
function showRunning(segmenter: Segmenter): string {
  backend.textContent = backendLabel(segmenter);
  backend.dataset.backend = segmenter.backend;
  backend.dataset.threads = String(segmenter.threads);
  return `${segmenter.mode.id}/${segmenter.backend}`;
}

async function loop(): Promise<void> {
  let meter = new FpsMeter();
  let running = "";
  let smoother = new MaskSmoother(1);
  while (stream?.active) {
    // The mode can change while the camera runs; each session is created once.
    const segmenter = await browserSegmenter(mode(), prefer);
    const size = fitWithin(video.videoWidth, video.videoHeight, FRAME_SIDE);
    const frame = grabFrame(video, scratch, size.width, size.height);
    const side = segmenter.mode.side;
    const mask = smoother.next(await segmenter.segment(frame));
    applyBackground(frame, resizeMask(mask, side, side, frame.width, frame.height), background.current());
    paintFrame(frame, output);
    const key = showRunning(segmenter);
    if (key !== running) {
      // A new mode or backend: its own rate and its own smoothing.
      running = key;
      meter = new FpsMeter();
      smoother = new MaskSmoother(segmenter.mode.smoothing);
      say(status, "Running.", "done");
    }
    fps.value = meter.tick().toFixed(1);
    fps.dataset.frames = String(meter.frames);
    fps.dataset.model = segmenter.mode.id;
    // Yield to the event loop: inference resolves in microtasks, which would starve painting and input.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

async function start(): Promise<void> {
  startButton.disabled = true;
  try {
    say(status, "Starting the camera and loading the model…");
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    video.srcObject = stream;
    await video.play();
    stopButton.disabled = false;
    await loop();
  } catch (error) {
    say(status, `The webcam could not start: ${messageOf(error)}`, "error");
    stop();
  }
}

function stop(): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = undefined;
  startButton.disabled = false;
  stopButton.disabled = true;
  if (status.dataset.kind !== "error") say(status, "Stopped.");
}

startButton.addEventListener("click", () => void start());
stopButton.addEventListener("click", stop);
