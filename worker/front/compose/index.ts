/**
 * Composition on a decoded photo and its salient mask: new backgrounds, shadows, highlights,
 * boxes and framing. Everything works on plain typed arrays and writes into the photo's own
 * pixels where it can; each module's JSDoc says what scratch memory it takes.
 */
export type { Box, Rgba, RgbaImage } from "./types";
export { parseColor } from "./color";
export { blurBackground, fillBackground, imageBackground } from "./background";
export { dropShadow, type ShadowOptions } from "./shadow";
export { highlight, type HighlightStyle } from "./highlight";
export { drawBoxes, type BoxOptions } from "./boxes";
export { cropImage, fitBox, marginBox, objectBox, type Margin } from "./frame";
export { resizeImage } from "./resize";
export { boxBlur } from "./blur";
