/**
 * One error type for the whole front worker. Every failure a client can cause or meet has a
 * stable `code` and an HTTP status; `app.onError` turns it into `{"error":{"code","message"}}`.
 * The README's error table is this table.
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ERRORS = {
  missing_image: { status: 400, message: "Send an image: POST it, or GET with ?url=" },
  invalid_parameter: { status: 400, message: "A query parameter has a bad value" },
  invalid_url: { status: 400, message: "url= must be an absolute http(s) URL" },
  forbidden_host: { status: 403, message: "That host may not be fetched" },
  invalid_signature: { status: 403, message: "This URL needs a valid sig= signature" },
  forbidden_referer: { status: 403, message: "Embedding is not allowed from this site" },
  invalid_api_key: { status: 401, message: "X-Api-Key is not a valid key for this service" },
  not_found: { status: 404, message: "No such endpoint" },
  method_not_allowed: { status: 405, message: "Method not allowed" },
  payload_too_large: { status: 413, message: "The image file is too large" },
  image_too_large: { status: 413, message: "The image has too many pixels for the edge" },
  unsupported_media_type: { status: 415, message: "Not a JPEG, PNG or WebP image" },
  undecodable_image: { status: 422, message: "The image could not be decoded" },
  rate_limited: { status: 429, message: "Too many requests from this client; slow down" },
  busy: { status: 503, message: "Too many images in flight; retry shortly" },
  segmenter_unavailable: { status: 503, message: "The segmentation model is unavailable" },
  backend_unavailable: { status: 503, message: "The GPU inference server is unavailable (strict=1 refuses the edge fallback)" },
  upstream_error: { status: 502, message: "Fetching url= failed" },
  upstream_timeout: { status: 504, message: "Fetching url= timed out" },
  internal_error: { status: 500, message: "Internal error" },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class ApiError extends HTTPException {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    const entry = ERRORS[code];
    super(entry.status, { message: message ?? entry.message, cause: options?.cause });
    this.code = code;
  }
}

export function errorResponse(error: ApiError, headers?: HeadersInit): Response {
  return Response.json({ error: { code: error.code, message: error.message } }, { status: error.status, headers });
}
