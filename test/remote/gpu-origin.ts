/**
 * `https://gpu.test/…` as the workers under test see it: the image origin hands these requests
 * to the fault proxy, which stands in front of the segmenter served over HTTP. Both start on the
 * first such request, so test files that never use a GPU pay nothing.
 */
import { startFaultProxy } from "./fault-proxy.ts";
import { startStandIn } from "./stand-in.ts";

export const GPU_HOST = "gpu.test";

let proxy: Promise<URL> | null = null;

function proxyUrl(): Promise<URL> {
  proxy ??= (async () => {
    const standIn = await startStandIn();
    return (await startFaultProxy(standIn.url)).url;
  })().catch((error) => {
    proxy = null;
    throw error;
  });
  return proxy;
}

/** Forwards a request for gpu.test to the proxy over real HTTP on 127.0.0.1. */
export async function gpuOrigin(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const target = new URL(url.pathname + url.search, await proxyUrl());
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  const headers = new Headers(request.headers);
  // Hop-by-hop headers are the connection's business, and Node's fetch refuses them.
  for (const name of ["connection", "keep-alive", "transfer-encoding", "content-length", "host"]) headers.delete(name);
  try {
    return await fetch(target, { method: request.method, headers, body });
  } catch (error) {
    // A dead server, as a Worker meets it behind Cloudflare's edge: a 502 with no v2 body.
    return new Response(`origin unreachable: ${String((error as Error).cause ?? error)}`, { status: 502 });
  }
}
