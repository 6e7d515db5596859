/**
 * Where the image comes from: a dropped, picked or pasted file, a sample (all sent as bytes),
 * or an address the worker fetches itself (`url=`, the embeddable form).
 */
export type ImageSource =
  /** `publicUrl`: where the same image can be fetched by the worker (samples: the site's own). */
  | { kind: "bytes"; blob: Blob; name: string; publicUrl?: string }
  | { kind: "url"; url: string };

export interface SourceInputs {
  dropZone: HTMLElement;
  fileInput: HTMLInputElement;
  urlForm: HTMLFormElement;
  urlInput: HTMLInputElement;
  samples: HTMLElement;
}

/** Calls `onSource` whenever a new image is chosen, by any of the ways above. */
export function watchSources(inputs: SourceInputs, onSource: (source: ImageSource) => void): void {
  const fromFile = (file: File | null | undefined) => {
    if (file) onSource({ kind: "bytes", blob: file, name: file.name });
  };
  inputs.fileInput.addEventListener("change", () => fromFile(inputs.fileInput.files?.[0]));
  inputs.dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    inputs.dropZone.classList.add("dragging");
  });
  inputs.dropZone.addEventListener("dragleave", () => inputs.dropZone.classList.remove("dragging"));
  inputs.dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    inputs.dropZone.classList.remove("dragging");
    fromFile(event.dataTransfer?.files[0]);
  });
  document.addEventListener("paste", (event) => {
    const item = [...(event.clipboardData?.items ?? [])].find((i) => i.type.startsWith("image/"));
    if (item) return fromFile(item.getAsFile());
    const text = event.clipboardData?.getData("text/plain").trim() ?? "";
    // Pasting an address anywhere but a text field uses it as the image.
    if (/^https?:\/\//.test(text) && !(event.target instanceof HTMLInputElement)) onSource({ kind: "url", url: text });
  });
  inputs.urlForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (inputs.urlInput.value.trim()) onSource({ kind: "url", url: inputs.urlInput.value.trim() });
  });
  inputs.samples.addEventListener("click", async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-sample]");
    if (!button) return;
    const path = button.dataset.sample!;
    const response = await fetch(path);
    onSource({ kind: "bytes", blob: await response.blob(), name: path.split("/").pop()!, publicUrl: new URL(path, location.href).href });
  });
}
