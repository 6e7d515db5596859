import { ApiError } from "../errors";
import { blurBackground, dropShadow, fillBackground, imageBackground, parseColor, type Rgba } from "../compose";
import { vetUrl } from "../source/fetch-source";
import { applyMaskAsAlpha, rgbaResult, type Effect } from "./effect";

type Background = { kind: "none" } | { kind: "color"; color: Rgba } | { kind: "blur" } | { kind: "image"; url: string };

interface RemoveOptions {
  background: Background;
  shadow: boolean;
}

/**
 * `/remove`: the cutout. Without a background the object is kept on transparency (a photo
 * with its own alpha keeps it: the alphas multiply); `bg=<hex>` fills a colour, `bg=blur`
 * blurs the original background (portrait look), `bg_url=` puts the object on another image
 * (cover-fit); `shadow=1` adds a soft drop shadow under the object.
 */
export const remove: Effect<RemoveOptions> = {
  name: "remove",
  summary: "cutout on transparency, a colour, a blurred background or another image",
  parse(params) {
    const bg = params.raw("bg");
    const url = params.raw("bg_url");
    if (bg !== undefined && url !== undefined) throw new ApiError("invalid_parameter", "Use bg= or bg_url=, not both");
    let background: Background = { kind: "none" };
    // The SSRF policy is checked now, before the photo is fetched; the allow-list when it loads.
    if (url !== undefined) background = { kind: "image", url: vetUrl(url, null).href };
    else if (bg?.toLowerCase() === "blur") background = { kind: "blur" };
    else if (bg !== undefined) {
      const color = parseColor(bg);
      if (!color) throw new ApiError("invalid_parameter", `bg=${JSON.stringify(bg).slice(0, 40)}: expected a hex colour (fff, ffffff, ffffff80) or blur`);
      background = { kind: "color", color };
    }
    return { background, shadow: params.flag("shadow") };
  },
  async render({ image, mask }, { background, shadow }, { loadImage }) {
    switch (background.kind) {
      case "none":
        applyMaskAsAlpha(image, mask);
        break;
      case "color":
        fillBackground(image, mask, background.color);
        break;
      case "blur":
        blurBackground(image, mask, Math.max(2, Math.min(image.width, image.height) / 40));
        break;
      case "image":
        imageBackground(image, mask, await loadImage(background.url));
        break;
    }
    if (shadow) dropShadow(image, mask);
    return rgbaResult(image);
  },
};
