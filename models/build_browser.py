#!/usr/bin/python3
"""Build the browser's graphs of u2netp (a tab has no 128 MB isolate limit, so no tiling).

    /usr/bin/python3 models/build_browser.py [--out DIR] [--sizes 128,160,192,224,256,320]

Only Debian's python3 with onnx 1.12 and numpy; deterministic. Writes:
  * u2netp-browser.onnx: the stock graph with standard operators only (Conv, Relu, MaxPool,
    Resize, Concat, Add, Sigmoid: what ORT's WebGPU EP runs), its input made symbolic
    [1,3,H,W] (every Resize already takes its size from a Shape of the tensor it matches, so
    any side works), only the fused output `1959`, value_info cleared. The weights are the
    stock's, unchanged: its masks equal the stock model's.
  * u2netp-int8-<S>.onnx for each S in SIZES: the int8 graph of build_int8.py (same
    calibration, same config) emitted for an S×S input, without the row bands the edge needs
    for memory (im2col limit lifted): the WASM backend's fastest graphs, for the real-time mode
    (S < 320) and the quality mode (S = 320).
"""
import argparse
import json
import os
import sys

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from build import INPUT, OUTPUT, SRC, SRC_SHA256, sha256_file  # noqa: E402
import build_int8  # noqa: E402

# The real-time side (site/src/model/browser-models.ts REALTIME_SIDE) and the quality side.
SIZES = [160, 320]
# The browser has memory to spare: one QLinearConv unfolds its whole input (no row bands).
NO_BANDS = 1 << 30


def browser_fp32(out):
    model = onnx.load(SRC)
    g = model.graph
    dims = g.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = "H", "W"
    keep = [o for o in g.output if o.name == OUTPUT]
    del g.output[:]
    g.output.extend(keep)
    g.output[0].type.tensor_type.shape.dim[2].dim_param = "H"
    g.output[0].type.tensor_type.shape.dim[3].dim_param = "W"
    del g.value_info[:]
    # Drop what only fed the side outputs (d2..d6 and their sigmoids).
    needed, kept = {OUTPUT}, []
    for n in reversed(list(g.node)):
        if any(o in needed for o in n.output):
            needed.update(i for i in n.input if i)
            kept.append(n)
    del g.node[:]
    g.node.extend(kept[::-1])
    inits = [t for t in g.initializer if t.name in needed]
    del g.initializer[:]
    g.initializer.extend(inits)
    onnx.checker.check_model(model)
    onnx.save(model, out)
    print("%s: %d nodes, %d B" % (out, len(g.node), os.path.getsize(out)))


def browser_int8(size, out):
    """build_int8.build() as it is (calibration, config, corrections), its emitter given an
    S×S input and the config's band limits lifted."""
    cfg = json.load(open(build_int8.CONFIG))
    cfg["im2colMaxBytes"] = NO_BANDS
    cfg["floatMaxBytes"] = NO_BANDS
    edge_emitter = build_int8.Int8Emitter

    class SizedEmitter(edge_emitter):
        def __init__(self, stock, shapes, ranges, cfg):
            super().__init__(stock, {INPUT: [1, 3, size, size]}, ranges, cfg)

    build_int8.Int8Emitter = SizedEmitter
    try:
        build_int8.build(cfg, out)
    finally:
        build_int8.Int8Emitter = edge_emitter
    # build() writes the edge's 320×320 shapes on the graph's input and output.
    model = onnx.load(out)
    model.graph.input[0].CopyFrom(helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [1, 3, size, size]))
    model.graph.output[0].CopyFrom(helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [1, 1, size, size]))
    model.producer_name = "u2netp-browser-build"
    onnx.save(model, out)
    print("%s: %d nodes, %d B" % (out, len(model.graph.node), os.path.getsize(out)))


def build_shipped(out=HERE, sizes=SIZES):
    """The browser graphs the site serves (called by build.py before SHA256SUMS is written)."""
    if sha256_file(SRC) != SRC_SHA256:
        sys.exit("FATAL: %s is not the stock u2netp" % SRC)
    browser_fp32(os.path.join(out, "u2netp-browser.onnx"))
    for size in sizes:
        browser_int8(size, os.path.join(out, "u2netp-int8-%d.onnx" % size))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="int8 input sides (others: for bench/browser-accuracy.ts)")
    args = ap.parse_args()
    build_shipped(args.out, [int(size) for size in args.sizes.split(",")])


if __name__ == "__main__":
    main()
