import type { Effect } from "./effect";
import { mask } from "./mask";
import { remove } from "./remove";

/** Every effect, each served at `/<name>` for GET ?url= and POST. */
export const EFFECTS: readonly Effect[] = [mask, remove];
export type { Effect, Rendered } from "./effect";
