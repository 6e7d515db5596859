/**
 * A small fault-injecting HTTP proxy on 127.0.0.1 in front of the stand-in server. The first
 * path segment picks the behaviour, so each test points the front worker at its own base URL
 * (`https://gpu.test/<mode>`) and the circuit breakers, keyed by URL, stay apart:
 *
 * - `ok…`: forwards as is; `jitter…`: forwards after a random 0–400 ms (answers come back out of
 *   order); `flaky…`: the first request of each mode gets 503, later ones are forwarded;
 * - `down…`: drops the connection without an answer (a stopped server);
 * - `slow…`: answers after 30 s; `error…`: 500; `garbage…`: 200 with bytes that are no v2 body;
 * - `shape…`: forwards, then returns the mask cut to 1×1×160×160 (a well-formed wrong answer).
 *
 * `GET /__hits` counts requests per mode; `GET /__last/<mode>` returns the last request's body
 * with its headers, as the server received it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HEADER_LENGTH, decodeInferResponse, encodeInferResponse, parseHeaderLength } from "../../core/oip.ts";

const hits = new Map<string, number>();
const lastRequest = new Map<string, { headers: Record<string, string>; body: Buffer }>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function forward(target: URL, path: string, request: IncomingMessage, body: Buffer): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string" && !["host", "connection", "content-length"].includes(name)) headers.set(name, value);
  }
  return fetch(new URL(path, target), { method: request.method, headers, body: request.method === "GET" ? undefined : body });
}

/** The same answer with the mask tensor cut to a quarter: valid protocol, wrong shape. */
async function reshaped(answer: Response): Promise<Response> {
  const bytes = new Uint8Array(await answer.arrayBuffer());
  const decoded = decodeInferResponse(bytes, parseHeaderLength(answer.headers.get(HEADER_LENGTH)));
  const outputs = decoded.outputs.map((t) => ({ ...t, shape: [1, 1, 160, 160], data: t.data.slice(0, 160 * 160 * 4) }));
  const encoded = encodeInferResponse({ ...decoded, outputs }, new Set(outputs.map((t) => t.name)));
  return new Response(encoded.body, { headers: { [HEADER_LENGTH]: String(encoded.headerLength) } });
}

async function send(response: ServerResponse, answer: Response): Promise<void> {
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!["content-length", "transfer-encoding", "connection", "content-encoding"].includes(name)) headers[name] = value;
  });
  const body = Buffer.from(await answer.arrayBuffer());
  response.writeHead(answer.status, { ...headers, "content-length": String(body.byteLength) }).end(body);
}

async function handle(target: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://proxy");
  if (url.pathname === "/__hits") return void response.end(JSON.stringify(Object.fromEntries(hits)));
  const [, mode = "", ...rest] = url.pathname.split("/");
  if (mode === "__last") {
    const last = lastRequest.get(rest[0] ?? "");
    if (!last) return void response.writeHead(404).end();
    return void response.writeHead(200, { "x-request-headers": JSON.stringify(last.headers) }).end(last.body);
  }
  const path = "/" + rest.join("/") + url.search;
  const body = await readBody(request);
  const seen = (hits.get(mode) ?? 0) + 1;
  hits.set(mode, seen);
  lastRequest.set(mode, { headers: request.headers as Record<string, string>, body });
  if (mode.startsWith("down")) return void request.socket.destroy();
  if (mode.startsWith("slow")) await sleep(30_000);
  if (mode.startsWith("error")) return void response.writeHead(500).end("internal server error");
  if (mode.startsWith("garbage")) {
    return void response.writeHead(200, { [HEADER_LENGTH]: "12" }).end(Buffer.from("{not json at all, just bytes"));
  }
  if (mode.startsWith("flaky") && seen === 1) return void response.writeHead(503).end("warming up");
  if (mode.startsWith("jitter")) await sleep(Math.random() * 400);
  const answer = await forward(target, path, request, body);
  await send(response, mode.startsWith("shape") && answer.ok ? await reshaped(answer) : answer);
}

export async function startFaultProxy(target: URL): Promise<{ url: URL; server: Server }> {
  const server = createServer((request, response) => {
    handle(target, request, response).catch((error) => {
      if (!response.headersSent) response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  // Do not keep the test process alive for it.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}`), server };
}
