/** Running the `edge-u2net` CLI from the end-to-end tests, and asking the running API the same. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";

export const CLI = resolve(import.meta.dirname, "../../bin/edge-u2net.mjs");
export const FIXTURES = resolve(import.meta.dirname, "../fixtures/images");

export interface CliRun {
  code: number | null;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs the CLI to the end, `stdin` piped in when given. */
export function cli(args: string[], stdin?: Uint8Array): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn("node", [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout: new Uint8Array(Buffer.concat(out)), stderr }));
    child.stdin.on("error", () => undefined); // a CLI that exits early closes its stdin
    child.stdin.end(stdin);
  });
}

/** The API's answer to POSTing `body` to `/<effect>?<query>`, as bytes (failing on an error status). */
export async function api(baseUrl: string, effect: string, body: Uint8Array, query = ""): Promise<Uint8Array> {
  const response = await fetch(`${baseUrl}/${effect}${query ? `?${query}` : ""}`, { method: "POST", body: body as Uint8Array<ArrayBuffer> });
  if (!response.ok) throw new Error(`POST /${effect}?${query}: ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** True when the two byte arrays are the same bytes. */
export const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** The model the running API uses (its EDGE_MODEL), which the CLI must default to. */
export async function apiModel(baseUrl: string): Promise<string> {
  return ((await (await fetch(`${baseUrl}/health`)).json()) as { edgeModel: string }).edgeModel;
}
