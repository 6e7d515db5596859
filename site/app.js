// The placeholder page: sends the chosen image to the worker's public endpoints.
const status = document.querySelector("#status");
const before = document.querySelector("#before");
const after = document.querySelector("#after");
let current = null;

const mode = () => document.querySelector("input[name=mode]:checked").value;

async function run() {
  if (!current) return;
  status.textContent = "Removing the background…";
  const started = performance.now();
  const response = await fetch(`/${mode()}`, { method: "POST", body: current });
  if (!response.ok) {
    const { error } = await response.json();
    status.textContent = `Error ${response.status} (${error.code}): ${error.message}`;
    return;
  }
  URL.revokeObjectURL(after.src);
  after.src = URL.createObjectURL(await response.blob());
  status.textContent = `Done in ${Math.round(performance.now() - started)} ms by ${response.headers.get("x-model")}.`;
}

async function choose(blob) {
  current = blob;
  URL.revokeObjectURL(before.src);
  before.src = URL.createObjectURL(blob);
  await run();
}

document.querySelectorAll("[data-sample]").forEach((button) =>
  button.addEventListener("click", async () => choose(await (await fetch(button.dataset.sample)).blob())),
);
document.querySelector("#file").addEventListener("change", (e) => e.target.files[0] && choose(e.target.files[0]));
document.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", run));
