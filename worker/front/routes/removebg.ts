/**
 * `POST /v1.0/removebg`: remove.bg's API, so its users move by changing one host. The call's
 * fields are mapped onto the product's own endpoints (removebg-fields.ts) and answered by an
 * internal request through the same app: the same pipeline, so the same pixels as `/remove`
 * (or `/crop`, `/mask`) with the same options. The answer is then given remove.bg's shape:
 * `X-Width`/`X-Height`, and errors as `{"errors":[{"title","code"}]}`.
 */
import type { Context, Handler } from "hono";
import { sniffImage } from "../../../core/codecs/sniff";
import { ApiError, ERRORS, type ErrorCode } from "../../../core/errors";
import { limitsFrom, policyFrom, type Limits } from "../config";
import { internalRequest } from "../guard";
import { readCapped } from "../source/read-body";
import { vetUrl } from "../source/fetch-source";
import { loadSource } from "../source/source-cache";
import { contentDisposition, sourceName } from "./content-disposition";
import { readCall, readFields, type ImageField } from "./removebg-fields";

type Ctx = Context<{ Bindings: Env }>;

/** Room in the body for the other fields, beside the image (base64 makes it 4/3 larger). */
const FIELDS_SLACK = 64 * 1024;

/** Headers of the product's answer that a remove.bg answer carries on. */
const PASSED = ["content-type", "x-width", "x-height", "x-model", "x-backend", "x-fallback", "x-crop-box", "server-timing"];

/** remove.bg's error envelope, with the product's stable code and message. */
export function removeBgError(error: ApiError, headers?: HeadersInit): Response {
  return Response.json({ errors: [{ title: error.message, code: error.code }] }, { status: error.status, headers });
}

function decodeBase64(text: string, maxBytes: number): Uint8Array {
  const data = text.replace(/^data:[^,]*,/, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(data)) throw new ApiError("invalid_parameter", "image_file_b64 is not base64");
  if ((data.length * 3) / 4 > maxBytes + 3) throw new ApiError("payload_too_large", `The image file is larger than ${maxBytes} bytes`);
  const binary = atob(data.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** The image's bytes and a name for the answer's file. */
async function imageBytes(image: ImageField, limits: Limits, sourceTtl: number): Promise<{ bytes: Uint8Array; name: string }> {
  if (image.kind === "url") return { bytes: await loadSource(image.url, limits, sourceTtl), name: sourceName(image.url) };
  const bytes = image.kind === "file" ? image.bytes : decodeBase64(image.text, limits.maxBytes);
  if (bytes.length > limits.maxBytes) throw new ApiError("payload_too_large", `The image file is larger than ${limits.maxBytes} bytes`);
  return { bytes, name: sourceName(image.kind === "file" ? image.name : undefined) };
}

/** `max_side` that brings the photo to at most `maxArea` pixels; undefined when it is already there (or unreadable: the pipeline says why). */
function maxSideFor(bytes: Uint8Array, maxArea: number | null): number | undefined {
  if (maxArea === null) return undefined;
  let info;
  try {
    info = sniffImage(bytes);
  } catch {
    return undefined;
  }
  const area = info.width * info.height;
  if (area <= maxArea) return undefined;
  return Math.max(16, Math.floor(Math.max(info.width, info.height) * Math.sqrt(maxArea / area)));
}

/**
 * Reads and checks the whole call, then the image; only the image's bytes outlive this (the
 * body and the form are free to be collected before the pipeline runs).
 */
async function readRequest(c: Ctx, limits: Limits): Promise<{ request: Request; name: string }> {
  const declared = Number(c.req.header("content-length"));
  const cap = Math.ceil((limits.maxBytes * 4) / 3) + FIELDS_SLACK;
  if (declared > cap) throw new ApiError("payload_too_large", `The body is ${declared} bytes; the limit is ${cap}`);
  const call = await readCall(await readFields(await readCapped(c.req.raw.body, cap), c.req.header("content-type") ?? ""));
  // Every field is checked before the photo is fetched, bg_image_url's host included.
  const background = call.query.get("bg_url");
  if (background !== null) vetUrl(background, limits.sourceHosts);
  const { bytes, name } = await imageBytes(call.image, limits, policyFrom(c.env as unknown as Record<string, unknown>).sourceCacheTtl);
  const maxSide = maxSideFor(bytes, call.maxArea);
  if (maxSide !== undefined) call.query.set("max_side", String(maxSide));
  const url = new URL(`/${call.endpoint}?${call.query}`, c.req.url);
  return { request: internalRequest(new Request(url, { method: "POST", body: bytes })), name };
}

/**
 * @param dispatch runs a request through the app (with the guard already passed)
 */
export function removeBg(dispatch: (request: Request, c: Ctx) => Promise<Response>): Handler<{ Bindings: Env }> {
  return async (c) => {
    const { request, name } = await readRequest(c, limitsFrom(c.env as unknown as Record<string, unknown>));
    const answer = await dispatch(request, c);
    if (!answer.ok) throw await asError(answer);
    const headers = new Headers({ "cache-control": "no-store" });
    for (const header of PASSED) {
      const value = answer.headers.get(header);
      if (value !== null) headers.set(header, value);
    }
    const disposition = contentDisposition(name, "removebg", headers.get("content-type") ?? "");
    if (disposition) headers.set("content-disposition", disposition);
    return new Response(answer.body, { status: 200, headers });
  };
}

/** The product's JSON error as an ApiError again, so the envelope carries its code. */
async function asError(answer: Response): Promise<ApiError> {
  const body = (await answer.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = body?.error?.code;
  if (!code || !(code in ERRORS)) return new ApiError("internal_error");
  const error = new ApiError(code as ErrorCode, body.error?.message);
  return error.status === answer.status ? error : new ApiError("internal_error");
}
