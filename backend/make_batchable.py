#!/usr/bin/env python3
"""Prepares a U2-Net ONNX export for Triton's dynamic batching.

rembg's exports fix the batch dimension to 1 and list seven outputs (d0..d6). This keeps only
the fused mask (the first output), makes dimension 0 of the input and that output symbolic
("batch"), and with --fp16-input takes the input as FP16 (a Cast to FP32 in front of the
graph: half the bytes on the wire, the same FP32 compute). It checks the tensor names the
front worker uses (input.1, 1959) and prints what it wrote.

    python3 make_batchable.py u2net.onnx model_repository/u2net/1/model.onnx [--fp16-input]
"""
import argparse

import onnx
from onnx import TensorProto, helper

EXPECTED_INPUT, EXPECTED_OUTPUT = "input.1", "1959"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--fp16-input", action="store_true")
    args = ap.parse_args()

    model = onnx.load(args.source)
    graph = model.graph
    if [i.name for i in graph.input][:1] != [EXPECTED_INPUT] or graph.output[0].name != EXPECTED_OUTPUT:
        raise SystemExit(
            f"unexpected tensor names: inputs {[i.name for i in graph.input]}, first output {graph.output[0].name}; "
            "set GPU_INPUT_NAME / GPU_OUTPUT_NAME and the config.pbtxt names to match"
        )
    # Only the fused mask leaves the graph; d1..d6 are still computed (d0 is made from them).
    del graph.output[1:]
    for value in (graph.input[0], graph.output[0]):
        value.type.tensor_type.shape.dim[0].ClearField("dim_value")
        value.type.tensor_type.shape.dim[0].dim_param = "batch"

    if args.fp16_input:
        internal = EXPECTED_INPUT + ".fp32"
        for node in graph.node:
            node.input[:] = [internal if name == EXPECTED_INPUT else name for name in node.input]
        graph.node.insert(0, helper.make_node("Cast", [EXPECTED_INPUT], [internal], to=TensorProto.FLOAT, name="input_fp16_to_fp32"))
        graph.input[0].type.tensor_type.elem_type = TensorProto.FLOAT16

    onnx.checker.check_model(model)
    onnx.save(model, args.target)
    shape = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    i, o = graph.input[0], graph.output[0]
    print(f"{args.target}: input {i.name} {TensorProto.DataType.Name(i.type.tensor_type.elem_type)} {shape(i)}, "
          f"output {o.name} {TensorProto.DataType.Name(o.type.tensor_type.elem_type)} {shape(o)}")


if __name__ == "__main__":
    main()
