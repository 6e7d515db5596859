/**
 * Where a request's image comes from: `GET ?url=`, a raw `POST` body, or the `image` field of a
 * multipart form. The bytes are capped the same way in each case.
 */
import type { Context } from "hono";
import { ApiError } from "../../../core/errors";
import type { Limits } from "../config";
import { readCapped } from "./read-body";
import { loadSource } from "./source-cache";

/**
 * @param sourceTtl seconds a fetched url= file is kept (see source-cache.ts)
 * @param file given the uploaded file's name, when it has one (Content-Disposition)
 */
export async function readImage(c: Context, limits: Limits, sourceTtl: number, file: { name?: string } = {}): Promise<Uint8Array> {
  if (c.req.method === "GET" || c.req.method === "HEAD") {
    const url = c.req.query("url");
    if (!url) throw new ApiError("missing_image");
    return loadSource(url, limits, sourceTtl);
  }
  const declared = Number(c.req.header("content-length"));
  if (declared > limits.maxBytes) {
    throw new ApiError("payload_too_large", `The body is ${declared} bytes; the limit is ${limits.maxBytes}`);
  }
  const body = await readCapped(c.req.raw.body, limits.maxBytes);
  if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) return body;
  return imageField(body, c.req.header("content-type")!, file);
}

/** The `image` field of an already-capped multipart body. */
async function imageField(body: Uint8Array, contentType: string, file: { name?: string }): Promise<Uint8Array> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch (cause) {
    throw new ApiError("invalid_parameter", "The multipart body does not parse", { cause });
  }
  const field: unknown = form.get("image");
  if (field === null) throw new ApiError("missing_image", "The form has no `image` field");
  if (!(field instanceof Blob)) throw new ApiError("missing_image", "The `image` field must be a file");
  if (field instanceof File) file.name = field.name;
  return new Uint8Array(await field.arrayBuffer());
}
