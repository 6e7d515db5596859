/**
 * The onnxruntime-web fp32 peer inside workerd, for `npm run bench`: the segmenter's own app
 * serving the stock u2netp.onnx with ORT's default session options (what a user of the library
 * would write), so the product and the peer are compared in one runtime. Local measurement
 * only: its 217 MiB of WASM memory would not fit a deployed isolate (128 MB).
 */
import stockModel from "../../models/u2netp.onnx";
import { MODELS } from "../../core/models";
import { segmenterApp } from "../../worker/segmenter/app";

const spec = { ...MODELS.u2netp, session: {}, memoryReserveBytes: undefined };

export default segmenterApp({ [spec.id]: { spec, files: { graph: stockModel } } });
