/**
 * The fields of a remove.bg API call (`POST /v1.0/removebg`), read from a multipart form, an
 * urlencoded form or JSON, and turned into the product's own request: which endpoint, which
 * query. Field names and values follow remove.bg's API; what it offers and this service does
 * not is refused by name rather than silently ignored, except `type` (and `type_level`,
 * `semitransparency`), which only tune remove.bg's own models.
 */
import { ApiError } from "../../../core/errors";
import { parseColor } from "../../../core/compose";
import { QueryParams } from "../../../core/params";

/** Where the image comes from. */
export type ImageField = { kind: "file"; bytes: Uint8Array; name?: string } | { kind: "base64"; text: string } | { kind: "url"; url: string };

export interface RemoveBgCall {
  image: ImageField;
  /** Largest output area in pixels, or null for the photo's own size. */
  maxArea: number | null;
  /** The product endpoint that answers, and its query (without max_side). */
  endpoint: "remove" | "crop" | "mask";
  query: URLSearchParams;
}

/** remove.bg's `size` names; areas as its documentation gives them (preview ≈ 0.25 MP). */
const SIZES: Record<string, number | null> = {
  preview: 250_000,
  small: 250_000,
  regular: 250_000,
  medium: 1_500_000,
  hd: 4_000_000,
  "4k": 10_000_000,
  full: null,
  auto: null,
};
const FORMATS = ["png", "jpg", "webp", "auto"] as const;
const IGNORED = new Set(["type", "type_level", "semitransparency"]);
const UNSUPPORTED = ["bg_image_file", "scale", "position", "roi", "shadow_type", "shadow_opacity"];

type Fields = Map<string, string | Blob>;

const bad = (message: string) => new ApiError("invalid_parameter", message);

function text(fields: Fields, name: string): string | undefined {
  const value = fields.get(name);
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw bad(`${name} must be a text field, not a file`);
  return value;
}

function oneOf<T extends string>(fields: Fields, name: string, values: readonly T[], fallback: T): T {
  const value = text(fields, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (!(values as readonly string[]).includes(value)) throw bad(`${name}=${JSON.stringify(value).slice(0, 40)}: expected one of ${values.join(", ")}`);
  return value as T;
}

function flag(fields: Fields, name: string): boolean {
  const value = text(fields, name);
  return value === undefined ? false : new QueryParams(new URLSearchParams({ [name]: value })).flag(name);
}

/** The one image field; two or none is a client error. */
async function imageField(fields: Fields): Promise<ImageField> {
  const given = ["image_file", "image_file_b64", "image_url"].filter((name) => fields.has(name) && fields.get(name) !== "");
  if (given.length === 0) throw new ApiError("missing_image", "Send one of image_file, image_file_b64 or image_url");
  if (given.length > 1) throw bad(`Send one image, not ${given.join(" and ")}`);
  const value = fields.get(given[0])!;
  if (given[0] === "image_file") {
    if (typeof value === "string") throw new ApiError("missing_image", "image_file must be a file (multipart/form-data); send text as image_file_b64");
    return { kind: "file", bytes: new Uint8Array(await value.arrayBuffer()), name: value instanceof File ? value.name : undefined };
  }
  if (typeof value !== "string") throw bad(`${given[0]} must be a text field`);
  return given[0] === "image_url" ? { kind: "url", url: value } : { kind: "base64", text: value };
}

/** Checks the fields and maps them onto `/remove`, `/crop` (crop=true) or `/mask` (channels=alpha). */
export async function readCall(fields: Fields): Promise<RemoveBgCall> {
  for (const name of UNSUPPORTED) if (fields.has(name)) throw bad(`${name} is not supported by this service`);
  for (const name of IGNORED) text(fields, name); // accepted (and must be text), then ignored
  const image = await imageField(fields);
  const size = oneOf(fields, "size", Object.keys(SIZES), "auto");
  const format = oneOf(fields, "format", FORMATS, "auto");
  const channels = oneOf(fields, "channels", ["rgba", "alpha"] as const, "rgba");
  const bgColor = text(fields, "bg_color");
  const bgUrl = text(fields, "bg_image_url");
  const crop = flag(fields, "crop");
  const marginText = text(fields, "crop_margin");
  const shadow = flag(fields, "add_shadow");
  if (bgColor !== undefined && !parseColor(bgColor)) throw bad(`bg_color=${JSON.stringify(bgColor).slice(0, 40)}: expected a hex colour (81d4fa, 81d4fa77)`);
  if (bgColor !== undefined && bgUrl !== undefined) throw bad("Use bg_color or bg_image_url, not both");
  const margin = marginText === undefined ? undefined : new QueryParams(new URLSearchParams({ crop_margin: marginText })).length("crop_margin", 500);
  if (margin && !crop) throw bad("crop_margin needs crop=true");

  const query = new URLSearchParams();
  const opaque = (bgColor !== undefined && parseColor(bgColor)![3] === 255) || bgUrl !== undefined;
  // remove.bg's auto: JPEG when nothing is transparent, else PNG.
  query.set("format", format === "auto" ? (opaque && channels === "rgba" ? "jpeg" : "png") : format === "jpg" ? "jpeg" : format);
  let endpoint: RemoveBgCall["endpoint"];
  if (channels === "alpha") {
    if (crop) throw bad("channels=alpha with crop=true is not supported");
    endpoint = "mask";
  } else if (crop) {
    if (bgUrl !== undefined || shadow) throw bad("crop=true does not combine with bg_image_url or add_shadow");
    endpoint = "crop";
    query.set("transparent", "1");
    if (marginText !== undefined) query.set("margin", marginText);
    if (bgColor !== undefined) query.set("bg", bgColor);
  } else {
    endpoint = "remove";
    if (bgColor !== undefined) query.set("bg", bgColor);
    if (bgUrl !== undefined) query.set("bg_url", bgUrl);
    if (shadow) query.set("shadow", "1");
  }
  return { image, maxArea: SIZES[size], endpoint, query };
}

/** A request body as fields, whichever of the three encodings it came in. */
export async function readFields(body: Uint8Array, contentType: string): Promise<Fields> {
  const type = contentType.toLowerCase();
  const fields: Fields = new Map();
  if (type.startsWith("application/json")) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch (cause) {
      throw new ApiError("invalid_parameter", "The JSON body does not parse", { cause });
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw bad("The JSON body must be an object");
    for (const [name, value] of Object.entries(json)) {
      if (value === null || value === undefined) continue;
      if (typeof value === "object") throw bad(`${name} must be a string, number or boolean`);
      fields.set(name, String(value));
    }
    return fields;
  }
  if (type.startsWith("multipart/form-data") || type.startsWith("application/x-www-form-urlencoded")) {
    let form: FormData;
    try {
      form = await new Response(body, { headers: { "content-type": contentType } }).formData();
    } catch (cause) {
      throw new ApiError("invalid_parameter", "The form body does not parse", { cause });
    }
    for (const [name, value] of form) fields.set(name, value);
    return fields;
  }
  throw new ApiError("unsupported_media_type", "Send multipart/form-data, application/x-www-form-urlencoded or application/json");
}
