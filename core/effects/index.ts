import type { Effect } from "./effect";
import { bbox } from "./bbox";
import { crop } from "./crop";
import { highlight } from "./highlight";
import { mask } from "./mask";
import { remove } from "./remove";

/** Every effect, each served at `/<name>` for GET ?url= and POST. */
export const EFFECTS: readonly Effect<any>[] = [mask, remove, crop, bbox, highlight];
export type { Effect, EffectContext, EffectOutput } from "./effect";
