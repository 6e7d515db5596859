/**
 * The "try" form as a request: which endpoint, which query parameters. The same parameters
 * make the embed URL, so what the page shows is what the embed URL returns.
 */

export interface Request {
  endpoint: string;
  params: URLSearchParams;
}

type Form = HTMLFormElement;

const value = (form: Form, name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? "";
const checked = (form: Form, name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.checked ?? false;

/** Each mode's endpoint and its own parameters. */
const MODES: Record<string, (form: Form, params: URLSearchParams) => string> = {
  cutout(form, params) {
    if (checked(form, "shadow")) params.set("shadow", "1");
    return "remove";
  },
  mask: () => "mask",
  background(form, params) {
    const kind = value(form, "bg_kind");
    if (kind === "color") params.set("bg", value(form, "bg_color").replace("#", ""));
    else if (kind === "blur") params.set("bg", "blur");
    else if (value(form, "bg_url")) params.set("bg_url", value(form, "bg_url"));
    if (checked(form, "shadow")) params.set("shadow", "1");
    return "remove";
  },
  highlight(form, params) {
    params.set("style", value(form, "style"));
    params.set("strength", value(form, "strength"));
    return "highlight";
  },
  boxes(form, params) {
    params.set("format", "png");
    params.set("min_area", value(form, "min_area"));
    return "bbox";
  },
  crop(form, params) {
    if (value(form, "margin")) params.set("margin", value(form, "margin"));
    if (checked(form, "transparent")) params.set("transparent", "1");
    return "crop";
  },
  thumbnail(form, params) {
    params.set("w", value(form, "w"));
    params.set("h", value(form, "h"));
    return "crop";
  },
};

/** Post-processing and output settings, shared by every mode; defaults are left out. */
function common(form: Form, params: URLSearchParams): void {
  for (const name of ["threshold", "feather", "max_side", "quality"]) {
    const v = value(form, name);
    if (v && v !== "0") params.set(name, v);
  }
  for (const name of ["cleanup", "refine"]) if (checked(form, name)) params.set(name, "1");
  if (value(form, "format") && !params.has("format")) params.set("format", value(form, "format"));
  if (value(form, "model")) params.set("model", value(form, "model"));
}

/** Reads the form. @example readRequest(form) // { endpoint: "remove", params: "bg=blur" } */
export function readRequest(form: Form): Request {
  const params = new URLSearchParams();
  const mode = value(form, "mode") || (form.querySelector("input[name=mode]:checked") as HTMLInputElement | null)?.value || "cutout";
  const endpoint = (MODES[mode] ?? MODES.cutout)(form, params);
  common(form, params);
  return { endpoint, params };
}

/** The GET URL a page can embed: the same request with the image given by `url=`. */
export function embedUrl(origin: string, request: Request, imageUrl: string): string {
  const params = new URLSearchParams({ url: imageUrl });
  for (const [k, v] of request.params) params.append(k, v);
  return `${origin}/${request.endpoint}?${params}`;
}

/** The request at twice the pixels, for a 2× `srcset` entry; null when it has no size to double. */
function doubled(request: Request): Request | null {
  const params = new URLSearchParams(request.params);
  if (params.has("w") && params.has("h")) params.set("dpr", "2");
  else if (params.has("max_side")) params.set("max_side", String(Math.min(12000, 2 * Number(params.get("max_side")))));
  else return null;
  return { endpoint: request.endpoint, params };
}

/**
 * The `<img>` a page can paste: `src` for 1×, and a `srcset` with the 2× request when the result
 * has a size (thumbnail `w`×`h`: `dpr=2`; else `max_side` doubled). Without `format=` the
 * browser's own Accept picks AVIF or WebP.
 */
export function embedHtml(origin: string, request: Request, imageUrl: string): string {
  const one = embedUrl(origin, request, imageUrl);
  const two = doubled(request);
  // URLSearchParams percent-encodes quotes, so the URLs go into the attributes as they are.
  const srcset = two ? ` srcset="${one} 1x, ${embedUrl(origin, two, imageUrl)} 2x"` : "";
  return `<img src="${one}"${srcset}>`;
}
