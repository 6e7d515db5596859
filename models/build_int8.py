#!/usr/bin/python3
"""Build the int8-compute edge model (u8 activations, s8 per-channel weights) from the stock u2netp.

    /usr/bin/python3 models/build_int8.py --calib-graph OUT.onnx   # stock graph + every float tensor as output
    /usr/bin/python3 models/build_int8.py                          # models/u2netp-int8.onnx + manifest
    /usr/bin/python3 models/build_int8.py --out X.onnx [--float-convs ..] [--stop-at T] ...   # experiments

Only Debian's python3 with onnx 1.12 and numpy; deterministic. Activation ranges come from
`int8-calibration.json` (made by `npx tsx bench/quant.ts stats`: onnxruntime-node runs the stock
model on the calibration split, each photo also flipped and cropped, and records each tensor's
min and max per input and its histogram); `rangeStatistic` picks the range from them.

Graph (static 1x3x320x320, opset 13 + com.microsoft):
  * Conv+Relu -> QLinearConv (u8 in/out, zero point 0 after ReLU: the clamp is the ReLU);
  * convs whose im2col buffer would be large (QLinearConv unfolds its whole input: 118 MB for
    the 128->64 3x3 decoder head at 320x320) run in row bands: Slice (with the halo) ->
    QLinearConv -> Concat of the u8 bands;
  * Concat -> com.microsoft QLinearConcat, Add -> com.microsoft QLinearAdd, MaxPool and Resize
    on u8 (the scale passes through);
  * float where int8 loses accuracy: the 1-channel side-output convs, the fusion conv, the
    sigmoid, and FLOAT_CONVS (stock Conv_787: folded biases up to ~1361 against an output range
    of 0..26), each behind DequantizeLinear and, where the next op is int8, QuantizeLinear.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from build import INPUT, OUTPUT, SRC, SRC_SHA256, Stock, ort_order, sha256_file  # noqa: E402
from prune import prune_dead_channels  # noqa: E402

CALIBRATION = os.path.join(HERE, "int8-calibration.json")
CONFIG = os.path.join(HERE, "build-int8-config.json")
GRAPH = os.path.join(HERE, "u2netp-int8.onnx")
MANIFEST = os.path.join(HERE, "u2netp-int8.manifest.json")
NATIVE_GRAPH = os.path.join(HERE, "u2netp-int8-native.onnx")
SHAPE_OPS = {"Shape", "Gather", "Unsqueeze", "Cast", "Slice", "Constant"}




def float_tensors(stock):
    """Names of the stock graph's float activations (the ones calibration records)."""
    out = [INPUT]
    for n in stock.nodes:
        if n.op_type in SHAPE_OPS or (n.op_type == "Concat" and stock.attrs(n)["axis"] == 0):
            continue
        out.extend(n.output)
    return out


def write_calib_graph(path):
    model = onnx.load(SRC)
    stock = Stock(model)
    names = float_tensors(stock)
    del model.graph.output[:]
    for name in names:
        if name != INPUT:
            model.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    onnx.save(model, path)
    print("calibration graph: %d outputs -> %s" % (len(names) - 1, path))


class Int8Emitter:
    def __init__(self, stock, shapes, ranges, cfg):
        self.s, self.shapes, self.ranges, self.cfg = stock, shapes, ranges, cfg
        self.nodes, self.init, self.init_order = [], {}, []
        self.q = {}        # stock tensor -> (u8 tensor, scale name, zero-point name)
        # u8 tensors channels-last (NHWC) when the config says so: no layout copies inside
        # every QLinearConv; float tensors stay NCHW.
        self.nhwc = cfg.get("layout") == "nhwc"
        self.f = {}        # stock tensor -> float tensor
        self.counter = 0
        self.conv_outputs = []   # stock tensors QLinearConv writes (bias correction measures them)
        self.bias_shift = {}     # stock tensor -> per-channel mean error of the int8 graph
        self.input_means = None  # stock tensor -> per-channel float means (weight bias correction)
        self.pads = {}           # residual Add -> its inputs' zero padding after pruning

    def uniq(self, base):
        self.counter += 1
        return "%s__%d" % (base, self.counter)

    def const(self, name, arr):
        if name in self.init:
            assert self.init[name].dtype == arr.dtype and np.array_equal(self.init[name], arr), name
            return name
        # np.ascontiguousarray would turn a 0-d scalar into shape [1]
        self.init[name] = arr.copy(order="C")
        self.init_order.append(name)
        return name

    def node(self, op, inputs, outputs, domain="", **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, name="n%d_%s" % (len(self.nodes), op),
                                           domain=domain or None, **attrs))

    # -- quantization parameters --------------------------------------------------------
    def qparams(self, t):
        """u8 scale and zero point of a stock tensor from its calibrated range (always holding 0)."""
        lo, hi = self.ranges[t]
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = np.float32((hi - lo) / 255.0 if hi > lo else 1.0)
        zp = np.uint8(np.clip(np.rint(-lo / scale), 0, 255))
        return scale, zp

    def quant_names(self, t, scale, zp):
        return (self.const("s_" + t, np.array(scale, np.float32)), self.const("z_" + t, np.array(zp, np.uint8)))

    def as_q(self, t):
        if t not in self.q:
            scale, zp = self.qparams(t)
            sn, zn = self.quant_names(t, scale, zp)
            out = self.uniq(t + "_u8")
            self.node("QuantizeLinear", [self.f[t], sn, zn], [out])
            if self.nhwc:
                out = self.transpose(out, [0, 2, 3, 1])
            self.q[t] = (out, sn, zn)
        return self.q[t]

    def as_f(self, t):
        if t not in self.f:
            u8, sn, zn = self.q[t]
            if self.nhwc:
                u8 = self.transpose(u8, [0, 3, 1, 2])
            out = self.uniq(t + "_f")
            self.node("DequantizeLinear", [u8, sn, zn], [out])
            self.f[t] = out
        return self.f[t]

    def transpose(self, x, perm):
        y = self.uniq(x.split("__")[0] + "_t")
        self.node("Transpose", [x], [y], perm=perm)
        return y

    def rows_slice(self, x, lo, hi, out, u8):
        """Rows lo..hi of x (axis H: 1 for channels-last u8, else 2)."""
        axis = 1 if (u8 and self.nhwc) else 2
        self.node("Slice", [x, self.const("i64_%d" % lo, np.array([lo], np.int64)),
                            self.const("i64_%d" % hi, np.array([hi], np.int64)),
                            self.const("i64_%d" % axis, np.array([axis], np.int64))], [out])
        return out

    def scale_of(self, t):
        u8, sn, zn = self.q[t]
        return float(self.init[sn]), int(self.init[zn])

    # -- ops ----------------------------------------------------------------------------
    def qconv(self, conv, x, out, relu):
        """QLinearConv (banded when its im2col is large) from stock tensor x to stock tensor out."""
        s = self.s
        w = s.init[conv.input[1]].astype(np.float32)
        b = s.init[conv.input[2]].astype(np.float32)
        a = {k: v for k, v in s.attrs(conv).items() if k in ("dilations", "group", "kernel_shape", "pads", "strides")}
        u8, xsn, xzn = self.as_q(x)
        xs, _ = self.scale_of(x)
        flat = w.reshape(w.shape[0], -1)
        amax = np.abs(flat).max(axis=1)
        qmax = float(self.cfg["weightMax"])
        ws = np.where(amax > 0, amax / qmax, 1.0).astype(np.float32)
        wq = np.clip(np.rint(flat / ws[:, None]), -qmax, qmax).astype(np.int8).reshape(w.shape)
        shift = np.asarray(self.bias_shift.get(out, np.zeros(w.shape[0])), np.float64)
        if self.input_means is not None and x in self.input_means:
            # Weight rounding moves each output's mean by (Wq - W) . E[x]: taken out of the bias.
            err = (wq.reshape(flat.shape).astype(np.float64) * ws[:, None] - flat).reshape(w.shape)
            shift = shift + (err.sum(axis=(2, 3)) @ np.asarray(self.input_means[x], np.float64))
        bq = np.rint((b - shift) / (np.float64(xs) * ws.astype(np.float64))).astype(np.int32)
        self.conv_outputs.append(out)
        wn = conv.input[1]
        wqn = self.const(wn + "_q", wq)
        wsn = self.const(wn + "_s", ws)
        wzn = self.const("wz_%d" % w.shape[0], np.zeros(w.shape[0], np.int8))
        bqn = self.const(conv.input[2] + "_q", bq)
        if relu:
            lo, hi = 0.0, max(self.ranges[out][1], 1e-6)
            scale, zp = np.float32(hi / 255.0), np.uint8(0)
        else:
            scale, zp = self.qparams(out)
        ysn, yzn = self.quant_names(out, scale, zp)
        _, cin, h, wd = self.shapes[x]
        cout, oh, ow = w.shape[0], h, wd   # every u2netp conv is stride 1, 'same' padded
        self.shapes[out] = [1, cout, oh, ow]
        k = a["kernel_shape"][0]
        # QLinearConv's working buffers grow with the band: the u8 im2col (cin*k*k per output
        # pixel) and the int32 accumulators (4*cout per output pixel).
        work = max(cin * k * k, 4 * cout) * oh * ow
        bands = 1
        while work // bands > self.cfg["im2colMaxBytes"] or oh % bands:
            bands += 1
            if bands > oh:
                bands = 1
                break
        inputs = lambda xin: [xin, xsn, xzn, wqn, wsn, wzn, ysn, yzn, bqn]
        y = self.uniq(out + "_u8")
        if self.nhwc:
            a = dict(a, channels_last=1)
        qlinearconv = lambda xin, yout, attrs: self.node("QLinearConv", inputs(xin), [yout],
                                                         domain="com.microsoft" if self.nhwc else "", **attrs)
        if bands == 1:
            qlinearconv(u8, y, a)
        else:
            assert a.get("strides", [1, 1]) == [1, 1], conv.name
            p = a["pads"][0]
            rows = oh // bands
            parts = []
            for i in range(bands):
                r0, r1 = i * rows, (i + 1) * rows
                lo_r, hi_r = max(r0 - p, 0), min(r1 + p, h)
                sl = self.rows_slice(u8, lo_r, hi_r, self.uniq(out + "_in%d" % i), True)
                pads = [p - (r0 - lo_r), p, p - (hi_r - r1), p]
                band = dict(a)
                band["pads"] = pads
                part = self.uniq(out + "_b%d" % i)
                qlinearconv(sl, part, band)
                parts.append(part)
            self.node("Concat", parts, [y], axis=1 if self.nhwc else 2)
        self.q[out] = (y, ysn, yzn)

    def fconv(self, conv, x, out, relu):
        """Float conv (behind a DequantizeLinear when its input is u8)."""
        s = self.s
        a = {k: v for k, v in s.attrs(conv).items() if k in ("dilations", "group", "kernel_shape", "pads", "strides")}
        _, cin, h, wd = self.shapes[x]
        self.shapes[out] = [1, s.init[conv.input[1]].shape[0], h, wd]
        wn = self.const(conv.input[1], s.init[conv.input[1]].astype(np.float32))
        bn = self.const(conv.input[2], s.init[conv.input[2]].astype(np.float32))
        y = out if out == OUTPUT else self.uniq(out + "_f")

        def emit(xin, yout, attrs):
            if relu:
                self.node("FusedConv", [xin, wn, bn], [yout], domain="com.microsoft", activation="Relu", **attrs)
            else:
                self.node("Conv", [xin, wn, bn], [yout], **attrs)

        # MLAS's float conv unfolds its whole input (4*cin*k*k bytes per output pixel: 236 MB for
        # the 64->1 side conv at 320x320), and a u8 input is dequantized first: both in row bands.
        k = a["kernel_shape"][0]
        work = max(4 * cin * k * k if k > 1 else 0, 0 if x in self.f else 4 * cin) * h * wd
        bands = 1
        while work // bands > self.cfg["floatMaxBytes"] and bands < h:
            bands += 1
            while h % bands:
                bands += 1
        if bands == 1:
            emit(self.f[x] if x in self.f else self.as_f(x), y, a)
        else:
            # Row bands with the halo; a u8 input is dequantized per band.
            src = self.f[x] if x in self.f else self.q[x][0]
            p = a["pads"][0]
            rows = h // bands
            parts = []
            for i in range(bands):
                r0, r1 = i * rows, (i + 1) * rows
                lo_r, hi_r = max(r0 - p, 0), min(r1 + p, h)
                sl = self.rows_slice(src, lo_r, hi_r, self.uniq(out + "_in%d" % i), x not in self.f)
                fl = sl
                if x not in self.f:
                    if self.nhwc:
                        sl = self.transpose(sl, [0, 3, 1, 2])
                    fl = self.uniq(out + "_inf%d" % i)
                    self.node("DequantizeLinear", [sl, *self.q[x][1:]], [fl])
                band = dict(a)
                band["pads"] = [p - (r0 - lo_r), p, p - (hi_r - r1), p]
                part = self.uniq(out + "_b%d" % i)
                emit(fl, part, band)
                parts.append(part)
            self.node("Concat", parts, [y], axis=2)
        self.f[out] = y

    def resize(self, x, shape, y):
        sizes = self.const("sizes_%s" % "x".join(map(str, shape)), np.array(shape, np.int64))
        self.node("Resize", [x, "", "", sizes], [y], coordinate_transformation_mode="pytorch_half_pixel",
                  mode="linear", nearest_mode="floor", cubic_coeff_a=-0.75)
        return y

    def rounded_resize(self, x, out, shape):
        """Bilinear upsampling of a u8 tensor with rounding: ORT's u8 Resize truncates (a bias of
        half a step per resize, and there are 38 in a row of decoders). Channel groups go
        through float and back to u8 at the same scale, so no large float tensor exists."""
        u8, sn, zn = self.q[x]
        c = shape[1]
        per_channel = 4 * shape[2] * shape[3]
        most = max(1, min(c, self.cfg["floatMaxBytes"] // per_channel))
        parts = []
        for c0 in range(0, c, most):
            group = min(most, c - c0)
            src = u8
            caxis = 3 if self.nhwc else 1
            if group < c:
                src = self.uniq(out + "_c%d" % c0)
                self.node("Slice", [u8, self.const("i64_%d" % c0, np.array([c0], np.int64)),
                                    self.const("i64_%d" % (c0 + group), np.array([c0 + group], np.int64)),
                                    self.const("i64_%d" % caxis, np.array([caxis], np.int64))], [src])
            f = self.uniq(out + "_cf%d" % c0)
            self.node("DequantizeLinear", [src, sn, zn], [f])
            gshape = [1] + shape[2:] + [group] if self.nhwc else [1, group] + shape[2:]
            r = self.resize(f, gshape, self.uniq(out + "_rf%d" % c0))
            q = self.uniq(out + "_q%d" % c0)
            self.node("QuantizeLinear", [r, sn, zn], [q])
            parts.append(q)
        y = parts[0]
        if len(parts) > 1:
            y = self.uniq(out + "_u8")
            self.node("Concat", parts, [y], axis=3 if self.nhwc else 1)
        self.q[out] = (y, sn, zn)

    def zero_padded(self, t, front, back):
        """u8 tensor t with `front` and `back` zero channels added (a pruned residual's side)."""
        u8, sn, zn = self.as_q(t)
        if not front and not back:
            return u8, sn, zn
        assert int(self.init[zn]) == 0, "padding needs zero point 0: " + t
        axis = 3 if self.nhwc else 1
        widths = np.zeros((2, 4), np.int64)
        widths[:, axis] = [front, back]
        y = self.uniq(t + "_pad")
        self.node("Pad", [u8, self.const("pads_%d_%d_%d" % (axis, front, back), widths.reshape(-1))], [y], mode="constant")
        return y, sn, zn

    def build(self):
        s = self.s
        consumers = {}
        for n in s.nodes:
            for i in n.input:
                consumers.setdefault(i, []).append(n)
        float_convs = set(self.cfg["floatConvs"])
        float_ops = set(self.cfg.get("floatOps", []))
        self.f[INPUT] = INPUT
        for n in s.nodes:
            op = n.op_type
            if op in SHAPE_OPS or (op == "Concat" and s.attrs(n)["axis"] == 0) or op == "Relu":
                continue
            if op == "Conv":
                cons = consumers.get(n.output[0], [])
                relu = len(cons) == 1 and cons[0].op_type == "Relu"
                out = cons[0].output[0] if relu else n.output[0]
                if relu and n.name not in float_convs:
                    self.qconv(n, n.input[0], out, relu)
                else:
                    self.fconv(n, n.input[0], out, relu)
            elif op == "MaxPool":
                x, out = n.input[0], n.output[0]
                _, c, h, wd = self.shapes[x]
                self.shapes[out] = [1, c, -(-h // 2), -(-wd // 2)]
                if x in self.q:   # exact on u8: max commutes with the (monotonic) quantization
                    u8, sn, zn = self.q[x]
                    y = self.uniq(out + "_u8")
                    if self.nhwc:
                        self.node("NhwcMaxPool", [u8], [y], domain="com.microsoft", **s.attrs(n))
                    else:
                        self.node("MaxPool", [u8], [y], **s.attrs(n))
                    self.q[out] = (y, sn, zn)
                else:
                    y = self.uniq(out + "_f")
                    self.node("MaxPool", [self.f[x]], [y], **s.attrs(n))
                    self.f[out] = y
            elif op == "Resize":
                x, out = n.input[0], n.output[0]
                shape = [1, self.shapes[x][1]] + self.shapes[s.resize_target(n)][2:]
                self.shapes[out] = shape
                if x not in self.q:
                    self.f[out] = self.resize(self.f[x], shape, self.uniq(out + "_f"))
                elif self.cfg["resize"] == "u8":
                    u8, sn, zn = self.q[x]
                    self.q[out] = (self.resize(u8, shape, self.uniq(out + "_u8")), sn, zn)
                else:
                    self.rounded_resize(x, out, shape)
            elif op == "Concat":
                out = n.output[0]
                self.shapes[out] = [1, sum(self.shapes[i][1] for i in n.input)] + self.shapes[n.input[0]][2:]
                # float when any input is float-only: one shared u8 scale would flatten the
                # narrower inputs (Conv_787's concat joins a 0..228 and a 0..26 branch)
                if 'Concat' in float_ops or any(i in self.f and i not in self.q for i in n.input):
                    y = self.uniq(out + "_f")
                    self.node("Concat", [self.as_f(i) for i in n.input], [y], axis=1)
                    self.f[out] = y
                    continue
                scale, zp = self.qparams(out)
                ysn, yzn = self.quant_names(out, scale, zp)
                ins = [ysn, yzn]
                for i in n.input:
                    ins.extend(self.as_q(i))
                y = self.uniq(out + "_u8")
                self.node("QLinearConcat", ins, [y], domain="com.microsoft", axis=3 if self.nhwc else 1)
                self.q[out] = (y, ysn, yzn)
            elif op == "Add":
                out = n.output[0]
                pad = self.pads.get(n.name, {})
                widths = {self.shapes[i][1] + sum(pad.get(i, (0, 0))) for i in n.input}
                assert len(widths) == 1, n.name
                self.shapes[out] = [1, widths.pop()] + self.shapes[n.input[0]][2:]
                if 'Add' in float_ops or all(i in self.f and i not in self.q for i in n.input):
                    assert not pad, "pruned residual Adds are u8 only: " + n.name
                    y = self.uniq(out + "_f")
                    self.node("Add", [self.as_f(i) for i in n.input], [y])
                    self.f[out] = y
                    continue
                scale, zp = self.qparams(out)
                ysn, yzn = self.quant_names(out, scale, zp)
                a, b = (self.zero_padded(i, *pad.get(i, (0, 0))) for i in n.input)
                y = self.uniq(out + "_u8")
                self.node("QLinearAdd", [*a, *b, ysn, yzn], [y], domain="com.microsoft")
                self.q[out] = (y, ysn, yzn)
            elif op == "Sigmoid":
                if n.output[0] == OUTPUT:
                    self.node("Sigmoid", [self.as_f(n.input[0])], [OUTPUT])
            else:
                raise AssertionError("unhandled node " + n.name)

    def model(self, stop_at=None, expose=False):
        if expose:   # bias correction: every int8 conv output as a float graph output
            self.exposed = []
            for t in self.conv_outputs:
                u8, sn, zn = self.q[t]
                if self.nhwc:
                    u8 = self.transpose(u8, [0, 3, 1, 2])
                self.node("DequantizeLinear", [u8, sn, zn], ["x_" + t])
                self.exposed.append("x_" + t)
        if stop_at:   # experiments: end the graph at a stock tensor (memory by phase)
            self.node("Identity", [self.q[stop_at][0] if stop_at in self.q else self.f[stop_at]], [OUTPUT])
            self.nodes = [n for n in self.nodes if not (n.op_type == "Sigmoid" and n.output[0] == OUTPUT)]
            needed, kept = {OUTPUT}, []
            for n in reversed(self.nodes):   # only what the new output needs
                if any(o in needed for o in n.output):
                    needed.update(i for i in n.input if i)
                    kept.append(n)
            self.nodes = kept[::-1]
            self.init_order = [k for k in self.init_order if k in needed]
        # ORT's sequential executor walks backwards depth-first from the output; written in
        # reverse, the nodes run in the order emitted (checked against build.ort_order).
        file_nodes = self.nodes[::-1]
        order = ort_order([(n.op_type, n.domain, list(n.input), list(n.output), {}) for n in file_nodes])
        self.order_matches = [file_nodes[i].output[0] for i in order] == [n.output[0] for n in self.nodes]
        self.nodes = file_nodes
        inits = [numpy_helper.from_array(self.init[k], k) for k in self.init_order]
        inp = helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [1, 3, 320, 320])
        out = helper.make_tensor_value_info(OUTPUT, TensorProto.UINT8 if stop_at in self.q else TensorProto.FLOAT,
                                            self.shapes[stop_at] if stop_at else [1, 1, 320, 320])
        extra = [helper.make_tensor_value_info(t, TensorProto.FLOAT, None) for t in getattr(self, "exposed", [])]
        g = helper.make_graph(self.nodes, "u2netp_int8", [inp], [out] + extra, inits)
        m = helper.make_model(g, producer_name="u2netp-int8-build", producer_version="1",
                              opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)])
        m.ir_version = 7
        return m


def mse_range(bounds, counts, search=None):
    """The clipping range [lo, hi] (a fraction of the histogram's bounds) that minimises the
    expected squared error of u8 quantization over the histogram: rounding (step^2/12) inside,
    the distance to the edge outside."""
    lo, hi = bounds
    n = np.zeros(search or 2048, np.float64)
    n[:len(counts)] = counts
    width = (hi - lo) / len(n)
    centres = lo + (np.arange(len(n)) + 0.5) * width
    best, best_err = 1.0, None
    for a in np.linspace(1.0, 1.0 / 64, 512):
        a_lo, a_hi = a * lo, a * hi
        step = (a_hi - a_lo) / 255.0
        err = np.where(centres > a_hi, (centres - a_hi) ** 2, np.where(centres < a_lo, (centres - a_lo) ** 2, step * step / 12.0))
        e = float((n * err).sum())
        if best_err is None or e < best_err:
            best, best_err = a, e
    return [float(best * lo), float(best * hi)]


def calibrated_ranges(calib, statistic):
    """[lo, hi] per tensor: 'mse' (the histogram's least-squares clipping range), 'minmax' (the
    extremes over every calibration input) or 'mean' (the mean of each input's extremes)."""
    out = {}
    for name, t in calib["tensors"].items():
        arr = np.array(t["ranges"], np.float64)
        if statistic == "minmax":
            out[name] = [float(arr[:, 0].min()), float(arr[:, 1].max())]
        elif statistic == "mean":
            out[name] = [float(arr[:, 0].mean()), float(arr[:, 1].mean())]
        elif statistic == "mse":
            out[name] = mse_range(t["bounds"], t["counts"], calib["bins"])
        else:
            raise SystemExit("unknown rangeStatistic " + statistic)
    return out


def fileinfo(p):
    return {"path": os.path.basename(p), "bytes": os.path.getsize(p), "sha256": sha256_file(p)}


def write_manifest(cfg, measured):
    """The int8 model's manifest, in the shape worker/shared/models.ts reads (weights are inline:
    the graph is also the weights file, so the version changes with either)."""
    base = json.load(open(os.path.join(HERE, "manifest.json")))
    manifest = {
        "id": "u2netp-int8",
        "name": "U2-Net\u2020 (u2netp), int8 compute (u8 activations, s8 weights) for onnxruntime-web WASM",
        "files": {"graph": fileinfo(GRAPH), "weights": fileinfo(GRAPH), "calibration": fileinfo(CALIBRATION),
                  "source": fileinfo(SRC)},
        "input": dict(base["input"], graphShape=[1, 3, 320, 320]),
        "output": base["output"],
        "preprocessing": base["preprocessing"],
        "postprocessing": base["postprocessing"],
        "sessionOptions": {"executionProviders": ["wasm"], "graphOptimizationLevel": "disabled",
                           "enableMemPattern": False, "enableCpuMemArena": False, "executionMode": "sequential",
                           "env": {"wasm.numThreads": 1, "wasm.proxy": False},
                           "why": "the emitted node order is the execution order (banded convs free their "
                                  "working buffers one band at a time)"},
        "memoryReserveBytes": cfg["memoryReserveBytes"],
        "quantization": {k: v for k, v in cfg.items()},
        # Photos the activation ranges were fitted on (each also flipped and cropped); every other
        # development photo is held out (the accuracy tests judge the model there).
        "calibrationPhotos": sorted({i.split(":")[0] for i in json.load(open(CALIBRATION))["inputs"]}),
        "measured": measured,
        "licence": base["licence"],
        "build": "/usr/bin/python3 models/build.py (calls models/build_int8.py)",
    }
    with open(MANIFEST, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


def build(cfg, out=GRAPH, stop_at=None, expose=False):
    """Writes the int8 graph; returns the emitter (for its summary)."""
    model = onnx.load(SRC)
    stock = Stock(model)
    pads = {}
    if cfg.get("pruneDeadChannels"):
        pads, removed = prune_dead_channels(stock, os.path.join(HERE, cfg["pruneDeadChannels"]), INPUT)
        print("dead channels pruned: %s" % json.dumps(removed))
    ranges = calibrated_ranges(json.load(open(CALIBRATION)), cfg["rangeStatistic"])
    e = Int8Emitter(stock, {INPUT: [1, 3, 320, 320]}, ranges, cfg)
    e.pads = pads
    if cfg.get("biasCorrection"):
        means = json.load(open(os.path.join(HERE, cfg["biasCorrection"])))
        e.bias_shift = {t: np.array(means["int8"][t]) - np.array(means["float"][t]) for t in means["int8"]}
    if cfg.get("weightBiasCorrection"):
        e.input_means = json.load(open(os.path.join(HERE, cfg["weightBiasCorrection"])))
    e.build()
    data = e.model(stop_at, expose).SerializeToString()
    with open(out, "wb") as f:
        f.write(data)
    ops = {}
    for n in e.nodes:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    print("int8 graph %d B, %d nodes %s; ORT's order %s the emitted order"
          % (len(data), len(e.nodes), json.dumps(ops, sort_keys=True), "equals" if e.order_matches else "DIFFERS from"))
    return e


def build_shipped():
    """The committed int8 models and the edge one's manifest (called by build.py before SHA256SUMS):
    the edge graph, and the same graph unpruned for onnxruntime-node (the CLI's native runtime),
    whose x86 int8 kernels run the pruned channel counts slower (188 vs 155 ms a run)."""
    cfg = json.load(open(CONFIG))
    build(cfg)
    build(dict(cfg, pruneDeadChannels=None), NATIVE_GRAPH)
    measured_path = os.path.join(HERE, "measured-int8.json")
    write_manifest(cfg, json.load(open(measured_path)) if os.path.exists(measured_path) else None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calib-graph", default=None)
    ap.add_argument("--out", default=GRAPH)
    ap.add_argument("--float-convs", default=None, help="experiments: comma list replacing the config's floatConvs")
    ap.add_argument("--weight-max", type=int, default=None, help="experiments: 127 (8-bit) or 63 (7-bit)")
    ap.add_argument("--float-ops", default=None, help="experiments: comma list of Add, Concat, Resize to run in float")
    ap.add_argument("--im2col-max", type=int, default=None, help="experiments: bytes of one QLinearConv's im2col before banding")
    ap.add_argument("--expose", action="store_true", help="bias correction: every int8 conv output as an output")
    ap.add_argument("--bias-correction", default=None, help="experiments: means file (models/-relative)")
    ap.add_argument("--weight-bias-correction", default=None, help="experiments: float means file (models/-relative)")
    ap.add_argument("--layout", default=None, choices=["nchw", "nhwc"], help="experiments: u8 tensor layout")
    ap.add_argument("--stop-at", default=None, help="experiments: output this stock tensor instead (memory by phase)")
    ap.add_argument("--range-statistic", default=None, choices=["minmax", "mean", "mse"])
    ap.add_argument("--prune", default=None, help="experiments: dead-channels file (models/-relative), or '' for none")
    args = ap.parse_args()
    digest = sha256_file(SRC)
    if digest != SRC_SHA256:
        sys.exit("FATAL: %s sha256 %s != expected %s" % (SRC, digest, SRC_SHA256))
    if args.calib_graph:
        write_calib_graph(args.calib_graph)
        return
    cfg = json.load(open(CONFIG))
    if args.float_convs is not None:
        cfg["floatConvs"] = [c for c in args.float_convs.split(",") if c]
    if args.float_ops is not None:
        cfg["floatOps"] = [o for o in args.float_ops.split(",") if o]
    if args.bias_correction is not None:
        cfg["biasCorrection"] = args.bias_correction
    if args.weight_bias_correction is not None:
        cfg["weightBiasCorrection"] = args.weight_bias_correction
    if args.layout:
        cfg["layout"] = args.layout
    if args.im2col_max:
        cfg["im2colMaxBytes"] = args.im2col_max
    if args.range_statistic:
        cfg["rangeStatistic"] = args.range_statistic
    if args.weight_max:
        cfg["weightMax"] = args.weight_max
    if args.prune is not None:
        cfg["pruneDeadChannels"] = args.prune or None
    if args.out == GRAPH and not args.stop_at and not args.expose and cfg == json.load(open(CONFIG)):
        build_shipped()
    else:
        build(cfg, args.out, args.stop_at, args.expose)


if __name__ == "__main__":
    main()
