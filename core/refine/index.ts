/**
 * Mask refinement: small in-place steps on an 8-bit mask the size of the photo, each with
 * bounded scratch memory (no label or float image at full resolution).
 *
 * A typical chain: `cleanup` (drop specks, fill pinholes) → `guidedRefine` (snap the soft
 * edge to the photo's edges) — or `threshold` → `feather` for a hard cut with a chosen softness.
 */
export { componentsOfRows, findComponents, paintRuns, type Component, type ComponentOptions, type Runs } from "./components";
export { cleanup, cleanupRows, type CleanupOptions } from "./cleanup";
export type { MaskRow } from "./labels";
export { threshold } from "./threshold";
export { feather } from "./feather";
export { GuidedFilter, guidedRefine, type GuidedOptions } from "./guided";
