"""Dead-channel pruning for the int8 build: ReLU channels that stayed at zero on every
calibration input are removed from the convolution that makes them and from every
convolution that reads them.

u2netp has 234 such channels out of 2848. 229 of them have filters with weights under 5 % of
their layer's typical maximum and a bias at or below zero (trained away, not merely quiet on
these photos), so they are zero on any photo; the other 5 stayed 0.1–0.3 below firing. In the
int8 graph each is a u8 zero multiplied into every consumer, so removing it leaves the
calibration inputs' outputs as they were and saves the multiply-adds.

ONNX Runtime's WASM int8 GEMM works on 8 output channels at a time and 2 input values at a
time, so removed inputs pay off one by one and removed outputs in whole groups of 8.

Tensors that pass through MaxPool, Resize or Concat keep their channels. An RSU block's
residual `Add(a, b)` may see different channels on each side. Its output keeps the union,
ordered [only in b | in both | only in a]. `a` is ordered [both | only a] and `b`
[only b | both], so each side is zero-padded at one end (`Pad`, a copy of one tensor) to
match. Convolutions are free to order their output channels and read any order, so every
other tensor keeps the original order of the channels it has.
"""
import json

import numpy as np

CHANNEL_PRESERVING = {"Relu", "MaxPool", "Resize", "Sigmoid"}


def channel_counts(stock, inp, inp_channels):
    """Channels of every float activation of the stock graph (weights give each conv's)."""
    count = {inp: inp_channels}
    for n in stock.nodes:
        op = n.op_type
        if op == "Conv":
            count[n.output[0]] = stock.init[n.input[1]].shape[0]
        elif op in CHANNEL_PRESERVING or op == "Add":
            count[n.output[0]] = count[n.input[0]]
        elif op == "Concat" and stock.attrs(n)["axis"] == 1:
            count[n.output[0]] = sum(count[i] for i in n.input)
    return count


def channel_orders(stock, dead, inp, inp_channels):
    """Per tensor, the original channels it keeps, in the order it holds them; and per residual
    Add, the zero padding (front, back) each input needs."""
    count = channel_counts(stock, inp, inp_channels)
    consumers = {}
    for n in stock.nodes:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    relu_after = {}
    for n in stock.nodes:
        cons = consumers.get(n.output[0], [])
        if n.op_type == "Conv" and len(cons) == 1 and cons[0].op_type == "Relu":
            relu_after[n.output[0]] = cons[0].output[0]

    def live(conv_out):
        """The channels a conv's ReLU ever lets through (all of them without a ReLU)."""
        return set(range(count[conv_out])) - {int(k) for k in dead.get(relu_after.get(conv_out), {})}

    order, pads = {}, {}
    for n in stock.nodes:   # residual Adds fix the order of both sides
        if n.op_type != "Add":
            continue
        a, b = n.input
        for side in (a, b):
            assert stock.producer[side].op_type == "Relu", "residual side is not a conv's ReLU: " + side
        kept_a, kept_b = (live(stock.producer[side].input[0]) for side in (a, b))
        both, only_a, only_b = kept_a & kept_b, kept_a - kept_b, kept_b - kept_a
        order[a] = sorted(both) + sorted(only_a)
        order[b] = sorted(only_b) + sorted(both)
        order[n.output[0]] = sorted(only_b) + sorted(both) + sorted(only_a)
        pads[n.name] = {a: (len(only_b), 0), b: (0, len(only_a))}
    for conv_out, relu_out in relu_after.items():
        if relu_out in order:
            order[conv_out] = order[relu_out]
    order[inp] = list(range(inp_channels))
    for n in stock.nodes:   # everything else: the original order, or its input's
        op, out = n.op_type, n.output[0] if n.output else None
        if out in order or op not in ("Conv", "Concat", *CHANNEL_PRESERVING):
            continue
        if op in CHANNEL_PRESERVING:
            order[out] = order[n.input[0]]
        elif op == "Conv":
            order[out] = sorted(live(out))
        elif stock.attrs(n)["axis"] == 1:
            offsets = np.cumsum([0] + [count[i] for i in n.input])
            order[out] = [int(o) + c for i, o in zip(n.input, offsets) for c in order[i]]
    return order, pads, count


def prune_dead_channels(stock, dead_file, inp, inp_channels=3):
    """Rewrites the stock graph's conv weights in place (rows and columns in each tensor's new
    channel order); returns the residual Adds' padding and what was removed."""
    dead = json.load(open(dead_file))["tensors"]
    order, pads, count = channel_orders(stock, dead, inp, inp_channels)
    seen, removed = set(), 0
    for n in stock.nodes:
        if n.op_type != "Conv":
            continue
        wn, bn = n.input[1], n.input[2]
        assert wn not in seen and bn not in seen, "weights shared between convs: " + n.name
        seen.update((wn, bn))
        w, b = stock.init[wn], stock.init[bn]
        rows, cols = order[n.output[0]], order[n.input[0]]
        stock.init[wn] = np.ascontiguousarray(w[rows][:, cols])
        stock.init[bn] = np.ascontiguousarray(b[rows])
        removed += w.size - stock.init[wn].size
    gone = sum(count[t] - len(order[t]) for t in order if t in count)
    return pads, {"channelsRemoved": gone, "weightsRemoved": removed}
