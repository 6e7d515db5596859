/**
 * `quality=`: 1..100 sets the lossy encoders' quality (AVIF, WebP, JPEG; 100 = lossless WebP;
 * PNG is always lossless). The words `normal` and `high` are the older meaning
 * of the same parameter, the model choice (worker/front/pipeline/routing.ts), and stay valid.
 */
import { ApiError } from "../errors";
import type { QueryParams } from "../params";

export const QUALITY_WORDS = ["normal", "high"] as const;
export type QualityWord = (typeof QUALITY_WORDS)[number];

export interface Quality {
  /** The encoders' quality, 1..100; undefined = each format's default. */
  level?: number;
  /** The model choice, when a word was given. */
  word?: QualityWord;
}

/** Reads `quality=`; anything but an integer 1..100, `normal` or `high` is a 400. */
export function readQuality(params: QueryParams): Quality {
  const value = params.raw("quality")?.trim().toLowerCase();
  if (value === undefined) return {};
  if ((QUALITY_WORDS as readonly string[]).includes(value)) return { word: value as QualityWord };
  const level = Number(value);
  if (/^\d+$/.test(value) && level >= 1 && level <= 100) return { level };
  throw new ApiError("invalid_parameter", `quality=${JSON.stringify(value).slice(0, 40)}: expected an integer from 1 to 100 (100 = lossless WebP), or normal or high (the model)`);
}
