// Module types for the files wrangler bundles by its [[rules]].
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
declare module "*.onnx" {
  const bytes: ArrayBuffer;
  export default bytes;
}
declare module "*.bin" {
  const bytes: ArrayBuffer;
  export default bytes;
}
