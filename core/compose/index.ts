/**
 * Composition on a decoded photo and its salient mask: new backgrounds, shadows, highlights,
 * boxes and framing. Everything works on plain typed arrays and writes into the photo's own
 * pixels where it can; each module's JSDoc says what scratch memory it takes.
 */
export type { Box, Rgba, RgbaImage } from "../image";
export { blurredBackdrop } from "./backdrop";
export { parseColor } from "./color";
export { blurBackground, coverBackgroundRows, coverFit, fillBackground, imageBackground, overBackdrop, type BackgroundRows, type CoverFit } from "./background";
export { dropShadow, shadeRows, shadowMask, shadowShape, type ShadowOptions } from "./shadow";
export { highlight, highlightBlur, highlightRows, type HighlightStyle } from "./highlight";
export { drawBoxes, type BoxOptions } from "./boxes";
export { cropImage, fitBox, marginBox, objectBox, type Margin } from "./frame";
export { RowResizer, resizeImage, resizedReader } from "./resize";
export { boxBlur } from "./blur";
