/**
 * Calls to the worker's public endpoints, with its JSON errors turned into plain sentences.
 */

/** The worker's error body (README "Errors"). */
interface ApiErrorBody {
  error?: { code?: string; message?: string };
}

/** What a person should read for each stable error code; the worker's message follows. */
const PLAIN: Record<string, string> = {
  missing_image: "No image was sent.",
  invalid_url: "That is not an http(s) address.",
  invalid_parameter: "One of the settings is not accepted.",
  forbidden_host: "That address is on a private or local network, which the service does not fetch.",
  payload_too_large: "The file is too big.",
  image_too_large: "The image has too many pixels.",
  unsupported_media_type: "Only JPEG, PNG and WebP images are supported.",
  undecodable_image: "The image file is damaged or could not be read.",
  upstream_error: "The image address could not be fetched.",
  upstream_timeout: "The image address took too long to answer.",
  busy: "The service is busy; try again in a few seconds.",
  segmenter_unavailable: "The model is not available right now.",
  rate_limited: "Too many requests; wait a moment.",
};

export class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(`${PLAIN[code] ?? "The request failed."} ${detail} (HTTP ${status}, ${code})`.trim());
  }
}

/** Throws a `RequestFailed` for a non-2xx answer, reading the worker's JSON error. */
export async function ensureOk(response: Response): Promise<Response> {
  if (response.ok) return response;
  let body: ApiErrorBody = {};
  try {
    body = (await response.json()) as ApiErrorBody;
  } catch {
    // Not JSON (a proxy's page, say): the status alone tells the story.
  }
  throw new RequestFailed(response.status, body.error?.code ?? "http_error", body.error?.message ?? response.statusText);
}

/** A model as `/health` lists it. */
export interface HealthModel {
  id: string;
  version?: string;
  backend?: string;
  /** GPU models: false when no GPU server is set up. */
  configured?: boolean;
}

/** The models the worker reports; empty if /health is unreachable (the page still works). */
export async function listModels(): Promise<HealthModel[]> {
  try {
    const response = await fetch("/health");
    const body = (await response.json()) as { models?: HealthModel[] };
    return body.models ?? [];
  } catch {
    return [];
  }
}
