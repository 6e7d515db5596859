/**
 * The "try everything" page: an image (file, drop, paste, address or sample), a mode and its
 * settings, sent to the worker's public endpoints; the result beside the original with a
 * before/after slider, a download, and the embed URL for the same settings.
 */
import { DEFAULT_MODEL } from "../../core/models";
import { ensureOk, listModels } from "./ui/api";
import { byId, download, messageOf, say } from "./ui/dom";
import { compareSlider } from "./try/compare";
import { embedHtml, readRequest } from "./try/settings";
import { watchSources, type ImageSource } from "./try/source";

const form = byId<HTMLFormElement>("settings");
const status = byId("status");
const progress = byId<HTMLProgressElement>("progress");
const before = byId<HTMLImageElement>("before");
const after = byId<HTMLImageElement>("after");
const downloadButton = byId<HTMLButtonElement>("download");
const embedInput = byId<HTMLInputElement>("embed");
const embedNote = byId("embed-note");

let source: ImageSource | undefined;
let result: Blob | undefined;
let inFlight: AbortController | undefined;

function showEmbed(): void {
  const request = readRequest(form);
  const address = source?.kind === "url" ? source.url : source?.publicUrl;
  embedInput.value = embedHtml(location.origin, request, address ?? "https://example.com/your-photo.jpg");
  const notes = [
    address ? "" : "Uploaded files have no address: put yours in place of the example.",
    embedInput.value.includes("srcset") ? "" : "Set a longest side (or a thumbnail size) to get a 2× srcset.",
  ];
  embedNote.textContent = notes.filter(Boolean).join(" ");
}

function send(request: ReturnType<typeof readRequest>, signal: AbortSignal): Promise<Response> {
  if (source!.kind === "url") return fetch(`/${request.endpoint}?${new URLSearchParams([["url", source!.url], ...request.params])}`, { signal });
  return fetch(`/${request.endpoint}?${request.params}`, { method: "POST", body: source!.blob, signal });
}

async function run(): Promise<void> {
  showEmbed();
  if (!source) return;
  inFlight?.abort();
  const controller = (inFlight = new AbortController());
  const request = readRequest(form);
  const started = performance.now();
  progress.hidden = false;
  form.setAttribute("aria-busy", "true");
  say(status, "Removing the background…");
  try {
    const response = await ensureOk(await send(request, controller.signal));
    result = await response.blob();
    URL.revokeObjectURL(after.src);
    after.src = URL.createObjectURL(result);
    await after.decode();
    downloadButton.disabled = false;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const kind = (response.headers.get("content-type") ?? "").replace("image/", "").toUpperCase();
    say(status, `Done in ${seconds} s (${request.endpoint}, ${response.headers.get("x-model") ?? "model"}, ${kind} ${(result.size / 1024).toFixed(0)} KiB).`, "done");
  } catch (error) {
    if (controller.signal.aborted) return; // superseded by a newer request
    say(status, messageOf(error), "error");
  } finally {
    if (inFlight === controller) {
      progress.hidden = true;
      form.removeAttribute("aria-busy");
    }
  }
}

function choose(next: ImageSource): void {
  source = next;
  URL.revokeObjectURL(before.src);
  before.src = next.kind === "url" ? next.url : URL.createObjectURL(next.blob);
  void run();
}

/**
 * Offers the model choice only when the worker reports a GPU model that is configured: then
 * the edge's default model, the GPU model, or automatic (the worker decides).
 */
async function offerModels(): Promise<void> {
  const models = await listModels();
  const gpu = models.filter((m) => m.backend === "gpu" && m.configured !== false);
  if (gpu.length === 0) return;
  const select = byId<HTMLSelectElement>("model");
  for (const model of [...models.filter((m) => m.id === DEFAULT_MODEL), ...gpu]) {
    select.add(new Option(`${model.id} (${model.backend === "gpu" ? "GPU" : "edge"})`, model.id));
  }
  byId("model-field").hidden = false;
}

/** Shows only the settings of the chosen mode. */
function showModeSettings(): void {
  const mode = (form.querySelector("input[name=mode]:checked") as HTMLInputElement).value;
  for (const group of form.querySelectorAll<HTMLElement>("[data-modes]")) group.hidden = !group.dataset.modes!.split(" ").includes(mode);
}

let debounce: ReturnType<typeof setTimeout> | undefined;
form.addEventListener("input", () => {
  showModeSettings();
  showEmbed();
  clearTimeout(debounce);
  debounce = setTimeout(run, 350);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  void run();
});
downloadButton.addEventListener("click", () => {
  if (!result) return;
  const extension = result.type.split("/")[1] ?? "png";
  download(result, `${readRequest(form).endpoint}.${extension}`);
});
byId("copy-embed").addEventListener("click", async () => {
  embedInput.select();
  try {
    await navigator.clipboard.writeText(embedInput.value);
    say(status, "Embed code copied.", "done");
  } catch {
    say(status, "Press Ctrl+C (⌘C) to copy the selected embed code.");
  }
});

watchSources(
  {
    dropZone: byId("drop"),
    fileInput: byId<HTMLInputElement>("file"),
    urlForm: byId<HTMLFormElement>("url-form"),
    urlInput: byId<HTMLInputElement>("url"),
    samples: byId("samples"),
  },
  choose,
);
compareSlider(byId("compare"), byId<HTMLInputElement>("split"));
showModeSettings();
showEmbed();
void offerModels();
