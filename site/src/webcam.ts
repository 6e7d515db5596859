/**
 * Webcam: live background removal in the browser, with the edge model in onnxruntime-web
 * (WebGPU when present, WASM otherwise). Frames are taken at the model's scale (its input is
 * 320×320, so larger frames only cost pre-processing) and shown with the chosen background.
 */
import { applyBackground } from "./model/backgrounds";
import { browserSegmenter } from "./model/browser-segmenter";
import { backgroundPicker } from "./live/background-picker";
import { modelPicker } from "./live/model-picker";
import { FpsMeter } from "./live/fps-meter";
import { byId, messageOf, say } from "./ui/dom";
import { fitWithin, grabFrame, paintFrame } from "./ui/frames";

/** Longest side of the processed frame. */
const FRAME_SIDE = 480;

const video = byId<HTMLVideoElement>("camera");
const output = byId<HTMLCanvasElement>("output");
const status = byId("status");
const fps = byId<HTMLOutputElement>("fps");
const startButton = byId<HTMLButtonElement>("start");
const stopButton = byId<HTMLButtonElement>("stop");
const background = backgroundPicker({
  kind: byId<HTMLSelectElement>("bg-kind"),
  color: byId<HTMLInputElement>("bg-color"),
  image: byId<HTMLInputElement>("bg-image"),
});
const model = modelPicker(byId<HTMLSelectElement>("model"));
const prefer = new URLSearchParams(location.search).get("backend") === "wasm" ? "wasm" : undefined;
const scratch = document.createElement("canvas");
let stream: MediaStream | undefined;

async function loop(): Promise<void> {
  let meter = new FpsMeter();
  let running = "";
  while (stream?.active) {
    // The model can change while the camera runs; each is loaded once.
    const segmenter = await browserSegmenter(model(), prefer);
    if (segmenter.spec.id !== running) {
      running = segmenter.spec.id;
      meter = new FpsMeter();
      byId("backend").textContent = `${segmenter.backend === "webgpu" ? "WebGPU" : "WASM"}, ${running}`;
      say(status, "Running.", "done");
    }
    const size = fitWithin(video.videoWidth, video.videoHeight, FRAME_SIDE);
    const frame = grabFrame(video, scratch, size.width, size.height);
    const mask = await segmenter.segment(frame);
    applyBackground(frame, mask, background.current());
    paintFrame(frame, output);
    const rate = meter.tick();
    fps.value = rate.toFixed(1);
    fps.dataset.frames = String(meter.frames);
    fps.dataset.model = running;
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
