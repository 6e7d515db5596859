/**
 * The segmenter worker: onnxruntime-web and nothing else, so ORT's WASM memory has the isolate
 * to itself. It serves every edge model whose files it bundles (worker/segmenter/app.ts).
 */
import { MODELS } from "../../core/models";
import { segmenterApp } from "./app";
import { MODEL_FILES } from "./model-files";

export default segmenterApp(Object.fromEntries(Object.entries(MODEL_FILES).map(([id, files]) => [id, { spec: MODELS[id], files }])));
