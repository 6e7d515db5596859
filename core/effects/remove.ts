import { ApiError } from "../errors";
import { coverBackgroundRows, coverFit, fillBackground, overBackdrop, parseColor, shadeRows, type Rgba } from "../compose";
import { photoBands } from "../pipeline/job";
import { BAND_ROWS } from "../pipeline/mask-bands";
import { backdropRows, shadowRows } from "../pipeline/preview";
import type { ImageSource } from "../pipeline/sources";
import { TwoRows } from "../pipeline/two-rows";
import { maskToAlpha, type Effect } from "./effect";

type Background = { kind: "none" } | { kind: "color"; color: Rgba } | { kind: "blur" } | { kind: "image"; url: string };

interface RemoveOptions {
  background: Background;
  shadow: boolean;
}

/** The portrait-mode blur: a 40th of the shorter side. */
const blurSigma = (width: number, height: number) => Math.max(2, Math.min(width, height) / 40);

/**
 * `/remove`: the cutout. Without a background the object is kept on transparency (a photo
 * with its own alpha keeps it: the alphas multiply); `bg=<hex>` fills a colour, `bg=blur`
 * blurs the original background (portrait look), `bg_url=` puts the object on another image
 * (cover-fit, streamed like the photo); `shadow=1` adds a soft drop shadow under the object.
 */
export const remove: Effect<RemoveOptions> = {
  name: "remove",
  summary: "cutout on transparency, a colour, a blurred background or another image",
  parse(params, { vetUrl }) {
    const bg = params.raw("bg");
    const url = params.raw("bg_url");
    if (bg !== undefined && url !== undefined) throw new ApiError("invalid_parameter", "Use bg= or bg_url=, not both");
    let background: Background = { kind: "none" };
    // The fetch policy is checked now, before the photo is fetched.
    if (url !== undefined) background = { kind: "image", url: vetUrl(url) };
    else if (bg?.toLowerCase() === "blur") background = { kind: "blur" };
    else if (bg !== undefined) {
      const color = parseColor(bg);
      if (!color) throw new ApiError("invalid_parameter", `bg=${JSON.stringify(bg).slice(0, 40)}: expected a hex colour (fff, ffffff, ffffff80) or blur`);
      background = { kind: "color", color };
    }
    return { background, shadow: params.flag("shadow") };
  },
  needs: ({ background, shadow }) => ({ preview: background.kind === "blur" || shadow }),
  async render(job, { background, shadow }, { loadImage }) {
    const { width, height, ledger } = job;
    const backdrop = background.kind === "blur" ? backdropRows(job.preview(), blurSigma(width, height), width, height, ledger) : null;
    const cover = background.kind === "image" ? await coverSource(await loadImage(background.url), width, height) : null;
    const shadows = shadow ? shadowRows(job.preview(), width, height, ledger) : null;
    const behind = backdrop ? ledger.bytes(width * 4 * BAND_ROWS) : null;
    const shade = shadows ? ledger.bytes(width * BAND_ROWS) : null;
    const opaque = background.kind === "color" ? background.color[3] === 255 : background.kind !== "none";
    return {
      picture: {
        width,
        height,
        channels: 4,
        opaque,
        *bands() {
          try {
            for (const { y0, rows, pixels, mask } of photoBands(job)) {
              if (background.kind === "none") maskToAlpha(pixels, mask);
              else if (background.kind === "color") fillBackground({ width, height: rows, pixels }, mask, background.color);
              else if (backdrop && behind) {
                backdrop.read(behind, rows);
                overBackdrop(pixels, mask, behind);
              } else if (cover) coverBackgroundRows(pixels, mask, y0, rows, cover.fit, cover.rows);
              if (shadows && shade) {
                shadows.read(shade, rows);
                shadeRows(pixels, mask, shade, shadows.opacity);
              }
              yield pixels;
            }
          } finally {
            cover?.close();
          }
        },
      },
    };
  },
};

/** A background image opened for a cover fit behind a `width` × `height` photo. */
async function coverSource(source: ImageSource, width: number, height: number) {
  const reader = source.open();
  const rows = new TwoRows(reader);
  return { fit: coverFit(width, height, reader.width, reader.height), rows, close: () => reader.close() };
}
