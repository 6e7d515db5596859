#!/usr/bin/python3
"""Build the edge model for onnxruntime-web (WASM) from the stock u2netp export.

    /usr/bin/python3 models/build.py            # writes models/u2netp-edge.* + manifest
    /usr/bin/python3 models/build.py --out DIR --encoding f32   # exactness check build

Only Debian's python3 with onnx 1.12 and numpy. Deterministic: same bytes every run.

Graph rewrites (all exact up to float summation order):
  * symbolic input [1,3,H,W], only output `1959`, value_info cleared, shape chains of every
    Resize regenerated (Shape/Slice/Concat), Constant nodes turned into initializers;
  * Conv+Relu -> com.microsoft FusedConv(activation=Relu) (level 'disabled' does not fuse);
  * Concat(a,b)->Conv -> partial convs chained through FusedConv's Z input (no concat tensor);
  * channel-group tiling (G channels) of the 64-channel full-resolution maps:
    encoder stage 1 (hxin `801` recomputed per group, `947` kept as groups), the decoder
    stage-1 head (`1705`/`947` -> `1709`, tiled over output groups, merged with the 64->16
    conv and the side1 conv of `1709` into one 17-output partial chain) and the decoder
    stage-1 end (`1854` in groups straight into the side1 conv: the final residual Add
    `1855 = 1854 + 1709` is folded through the linear side1 conv);
  * nodes written in reverse of the wanted execution order, because ORT's sequential
    executor walks backwards depth-first from the output (inputs highest index first).
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
SRC = os.path.join(HERE, "u2netp.onnx")
SRC_SHA256 = "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8"
OUTPUT = "1959"
INPUT = "input.1"
ALIGN = 64          # byte alignment of every tensor in the expanded fp32 buffer
INLINE_MAX = 64     # initializers with at most this many elements stay inline


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------
# Stock graph reading
# --------------------------------------------------------------------------------------
class Stock:
    def __init__(self, model):
        g = model.graph
        self.init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.nodes = []
        for n in g.node:
            if n.op_type == "Constant":
                self.init[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
                continue
            self.nodes.append(n)
        self.producer = {o: n for n in self.nodes for o in n.output}
        self.by_name = {n.name: n for n in self.nodes}

    def attrs(self, node):
        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def resize_target(self, node):
        """Tensor whose H,W a Resize's `sizes` input copies (Shape(T) -> Gather 2/3)."""
        sizes = self.producer[node.input[3]]          # Concat(Slice(Shape(X)), Cast(...))
        cast = self.producer[sizes.input[1]]
        cat = self.producer[cast.input[0]]
        unsq = self.producer[cat.input[0]]
        gather = self.producer[unsq.input[0]]
        shape = self.producer[gather.input[0]]
        assert shape.op_type == "Shape", shape
        return shape.input[0]


# --------------------------------------------------------------------------------------
# New graph emission (in wanted execution order)
# --------------------------------------------------------------------------------------
class Emitter:
    def __init__(self, stock):
        self.s = stock
        self.nodes = []            # (op, domain, inputs, outputs, attrs) in wanted order
        self.init = {}             # name -> np.ndarray
        self.init_order = []
        self.shape = {INPUT: (3, 320, 320)}   # C,H,W at 320x320 for the simulator
        self.counter = 0
        self.full_res = set()      # tensors with the input's H,W

    # -- helpers ----------------------------------------------------------------------
    def uniq(self, base):
        self.counter += 1
        return "%s__%d" % (base, self.counter)

    def add_init(self, name, arr):
        if name in self.init:
            assert self.init[name].dtype == arr.dtype and np.array_equal(self.init[name], arr)
            return name
        self.init[name] = np.ascontiguousarray(arr)
        self.init_order.append(name)
        return name

    def node(self, op, inputs, outputs, attrs=None, domain=""):
        self.nodes.append((op, domain, list(inputs), list(outputs), dict(attrs or {})))

    def conv(self, x, w_name, w, b_name, b, out, attrs, act=None, z=None):
        """Conv, or FusedConv when there is an activation or a Z (partial-sum) input."""
        inputs = [x, self.add_init(w_name, w.astype(np.float32))]
        if b is not None:
            inputs.append(self.add_init(b_name, b.astype(np.float32)))
        a = {k: attrs[k] for k in ("dilations", "group", "kernel_shape", "pads", "strides") if k in attrs}
        if act is None and z is None:
            self.node("Conv", inputs, [out], a)
        else:
            if z is not None:
                if b is None:
                    inputs.append("")
                inputs.append(z)
            if act is not None:
                a["activation"] = act
            self.node("FusedConv", inputs, [out], a, domain="com.microsoft")
        c, h, wd = self.shape[x]
        k = w.shape[2]
        d = attrs.get("dilations", [1, 1])[0]
        p = attrs.get("pads", [0, 0, 0, 0])[0]
        self.shape[out] = (w.shape[0], h + 2 * p - d * (k - 1), wd + 2 * p - d * (k - 1))
        if x in self.full_res and self.shape[out][1:] == self.shape[INPUT][1:]:
            self.full_res.add(out)
        return out

    def chain(self, parts, out, bias, bias_name, attrs, act, z0=None):
        """sum_i Conv(x_i, W_i) (+ z0) + bias, act -- partial convs chained through Z."""
        acc = z0
        for i, (x, wn, w) in enumerate(parts):
            last = i == len(parts) - 1
            name = out if last else self.uniq(out + "_p")
            acc = self.conv(x, wn, w, bias_name, bias if last else None, name, attrs,
                            act=act if last else None, z=acc)
        return acc

    def hw_of(self, t):
        """int64 [H, W] of tensor t; the input's for full-resolution tensors."""
        src = INPUT if t in self.full_res or t == INPUT else t
        key = "hw_" + src
        if key not in self.shape:
            sh = self.uniq("shape_" + src)
            self.node("Shape", [src], [sh])
            self.node("Slice", [sh, self.add_init("i64_2", np.array([2], np.int64)),
                                self.add_init("i64_4", np.array([4], np.int64)),
                                self.add_init("i64_0", np.array([0], np.int64))], [key])
            self.shape[key] = None
        return key

    def resize(self, x, target, out):
        sx = self.uniq("shape_" + x)
        nc = self.uniq("nc_" + x)
        sizes = self.uniq("sizes_" + out)
        hw = self.hw_of(target)
        self.node("Shape", [x], [sx])
        self.node("Slice", [sx, self.add_init("i64_0", np.array([0], np.int64)),
                            self.add_init("i64_2", np.array([2], np.int64)),
                            self.add_init("i64_0", np.array([0], np.int64))], [nc])
        self.node("Concat", [nc, hw], [sizes], {"axis": 0})
        self.node("Resize", [x, self.add_init("empty_f32", np.zeros([0], np.float32)),
                             self.add_init("empty_f32", np.zeros([0], np.float32)), sizes], [out],
                  {"coordinate_transformation_mode": "pytorch_half_pixel", "cubic_coeff_a": -0.75,
                   "mode": "linear", "nearest_mode": "floor"})
        c = self.shape[x][0]
        th = self.shape[target][1:]
        self.shape[out] = (c,) + th
        if target in self.full_res or target == INPUT:
            self.full_res.add(out)
        return out

    def slice_c(self, x, c0, c1, out):
        self.node("Slice", [x, self.add_init("i64_%d" % c0, np.array([c0], np.int64)),
                            self.add_init("i64_%d" % c1, np.array([c1], np.int64)),
                            self.add_init("i64_1", np.array([1], np.int64))], [out])
        self.shape[out] = (c1 - c0,) + self.shape[x][1:]
        if x in self.full_res:
            self.full_res.add(out)
        return out

    def simple(self, op, inputs, out, attrs=None):
        self.node(op, inputs, [out], attrs)
        x = self.shape[inputs[0]]
        if op == "MaxPool":
            self.shape[out] = (x[0], -(-x[1] // 2), -(-x[2] // 2))
        elif op == "Concat":
            self.shape[out] = (sum(self.shape[i][0] for i in inputs),) + x[1:]
        else:
            self.shape[out] = x
        if op != "MaxPool" and inputs[0] in self.full_res:
            self.full_res.add(out)
        return out


def build_graph(stock, G, head_groups):
    """Emit the rewritten graph in the wanted execution order (see module docstring)."""
    s = stock
    e = Emitter(s)
    e.full_res.add(INPUT)
    W = s.init
    ng = 64 // G
    groups = [(g * G, (g + 1) * G) for g in range(ng)]

    consumers = {}
    for n in s.nodes:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def cw(name):
        n = s.by_name[name]
        return W[n.input[1]], W[n.input[2]], s.attrs(n), n.input[1], n.input[2]

    sides = {"1686": ("Conv_946", "Resize_965"), "1544": ("Conv_966", "Resize_985"),
             "1429": ("Conv_986", "Resize_1005"), "1341": ("Conv_1006", "Resize_1025"),
             "1293": ("Conv_1026", "Resize_1045")}
    side_nodes = {x for v in sides.values() for x in v}

    def emit_side(src):
        convn, resn = sides[src]
        w, b, a, wn, bn = cw(convn)
        d = e.conv(src, wn, w, bn, b, s.by_name[convn].output[0], a)
        e.resize(d, INPUT, s.by_name[resn].output[0])

    w0, b0, a0, w0n, b0n = cw("Conv_0")

    def hxin_group(g):
        c0, c1 = groups[g]
        return e.conv(INPUT, "%s_o%d" % (w0n, g), w0[c0:c1], "%s_o%d" % (b0n, g), b0[c0:c1],
                      e.uniq("hxin_g%d" % g), a0, act="Relu")

    x947 = [None] * ng
    handled = set()

    def region_enc1_head():
        # hxin (801, 64ch) in groups straight into Conv_2 (64->16): 801 never exists whole
        w2, b2, a2, w2n, b2n = cw("Conv_2")
        acc = None
        for g in range(ng):
            x = hxin_group(g)
            last = g == ng - 1
            acc = e.conv(x, "%s_i%d" % (w2n, g), w2[:, groups[g][0]:groups[g][1]], b2n,
                         b2 if last else None, "804" if last else e.uniq("804_p"), a2,
                         act="Relu" if last else None, z=acc)

    def region_enc1_end():
        # 946 = relu(conv(cat(942, 804))), 947 = 946 + 801, 948 = maxpool(947): per group;
        # 801 recomputed per group, 947 kept as groups for the decoder head.
        w, b, a, wn, bn = cw("Conv_132")
        up, skip = "942", "804"
        cu = e.shape[up][0]
        pooled = []
        for g in range(ng):
            c0, c1 = groups[g]
            p = e.conv(skip, "%s_o%d_b" % (wn, g), w[c0:c1, cu:], None, None, e.uniq("946_p%d" % g), a)
            h = e.conv(up, "%s_o%d_a" % (wn, g), w[c0:c1, :cu], "%s_o%d" % (bn, g), b[c0:c1],
                       e.uniq("946_g%d" % g), a, act="Relu", z=p)
            x = hxin_group(g)
            x947[g] = e.simple("Add", [h, x], e.uniq("947_g%d" % g))
            pooled.append(e.simple("MaxPool", [x947[g]], e.uniq("948_g%d" % g),
                                   s.attrs(s.by_name["MaxPool_135"])))
        e.simple("Concat", pooled, "948", {"axis": 1})

    def region_dec1_head():
        # 1709 = relu(conv(cat(up(1686), 947))) in `head_groups` output groups; each group
        # goes straight into one 17-output partial conv = [Conv_812 (64->16) | side1 (64->1)].
        w, b, a, wn, bn = cw("Conv_810")
        w12, b12, a12, w12n, b12n = cw("Conv_812")
        ws, bs, as_, wsn, bsn = cw("Conv_945")
        assert a12 == as_
        w17 = np.concatenate([w12, ws], 0)
        b17 = np.concatenate([b12, bs], 0)
        slices = [e.slice_c("1686", c0, c1, e.uniq("1686_s%d" % k)) for k, (c0, c1) in enumerate(groups)]
        oc = 64 // head_groups
        m = None
        for o in range(head_groups):
            o0, o1 = o * oc, (o + 1) * oc
            acc = None
            parts = []
            for k in range(ng):  # hx1 (947) groups first: they are old, free them early
                c0, c1 = groups[k]
                parts.append(("x", k))
            for k in range(ng):
                parts.append(("u", k))
            for i, (kind, k) in enumerate(parts):
                c0, c1 = groups[k]
                last = i == len(parts) - 1
                if kind == "x":
                    x = x947[k]
                    wpart = w[o0:o1, 64 + c0:64 + c1]
                    wname = "%s_o%d_x%d" % (wn, o, k)
                else:
                    x = e.resize(slices[k], INPUT, e.uniq("1705_o%d_g%d" % (o, k)))
                    wpart = w[o0:o1, c0:c1]
                    wname = "%s_o%d_u%d" % (wn, o, k)
                out = e.uniq("1709_o%d" % o) if last else e.uniq("1709_o%d_p" % o)
                acc = e.conv(x, wname, wpart, "%s_o%d" % (bn, o), b[o0:o1] if last else None, out, a,
                             act="Relu" if last else None, z=acc)
            lastm = o == head_groups - 1
            m = e.conv(acc, "w17_i%d" % o, w17[:, o0:o1], "b17", b17 if lastm else None,
                       "m17" if lastm else e.uniq("m17_p"), a12, z=m)
        pre = e.slice_c("m17", 0, 16, "1712_pre")
        e.simple("Relu", [pre], "1712")
        e.slice_c("m17", 16, 17, "side1_1709")

    def region_dec1_end():
        # 1854 = relu(conv(cat(1850, 1712))) per output group straight into side1:
        # side1(1855) = side1(1854) + side1(1709) (the last term carries side1's bias).
        w, b, a, wn, bn = cw("Conv_942")
        ws, bs, as_, wsn, bsn = cw("Conv_945")
        up, skip = "1850", "1712"
        cu = e.shape[up][0]
        acc = "side1_1709"
        for g in range(ng):
            c0, c1 = groups[g]
            p = e.conv(skip, "%s_o%d_b" % (wn, g), w[c0:c1, cu:], None, None, e.uniq("1854_p%d" % g), a)
            h = e.conv(up, "%s_o%d_a" % (wn, g), w[c0:c1, :cu], "%s_o%d" % (bn, g), b[c0:c1],
                       e.uniq("1854_g%d" % g), a, act="Relu", z=p)
            acc = e.conv(h, "%s_i%d" % (wsn, g), ws[:, c0:c1], None, None,
                         "1856" if g == ng - 1 else e.uniq("1856_p"), as_, z=acc)

    regions = {
        "Conv_0": (region_enc1_head, {"Conv_0", "Relu_1", "Conv_2", "Relu_3"}),
        "Concat_131": (region_enc1_end, {"Concat_131", "Conv_132", "Relu_133", "Add_134", "MaxPool_135"}),
        "Resize_808": (region_dec1_head, {"Resize_808", "Concat_809", "Conv_810", "Relu_811", "Conv_812",
                                          "Relu_813", "Conv_946", "Resize_965"}),
        "Concat_941": (region_dec1_end, {"Concat_941", "Conv_942", "Relu_943", "Add_944", "Conv_945"}),
    }
    for k, (_, names) in regions.items():
        handled |= names

    for n in s.nodes:
        name = n.name
        if name in regions:
            regions[name][0]()
            continue
        if name in handled or name in side_nodes:
            continue
        op = n.op_type
        if op in ("Shape", "Gather", "Unsqueeze", "Cast", "Slice"):
            continue
        if op == "Concat" and s.attrs(n)["axis"] == 0:
            continue
        if op == "Sigmoid":
            if n.output[0] == OUTPUT:
                e.simple("Sigmoid", [n.input[0]], OUTPUT)
            continue
        if op == "Relu":
            continue  # fused into the producing conv
        if op == "Resize":
            e.resize(n.input[0], s.resize_target(n), n.output[0])
            continue
        if op == "MaxPool":
            e.simple("MaxPool", [n.input[0]], n.output[0], s.attrs(n))
            continue
        if op == "Add":
            e.simple("Add", list(n.input), n.output[0])
            if n.output[0] in sides:
                emit_side(n.output[0])
            continue
        if op == "Concat":
            if name == "Concat_1046":
                e.simple("Concat", list(n.input), n.output[0], {"axis": 1})
                continue
            cons = consumers[n.output[0]]
            assert len(cons) == 1 and cons[0].op_type == "Conv" and len(n.input) == 2, name
            conv = cons[0]
            handled.add(conv.name)
            w, b, a, wn, bn = cw(conv.name)
            relu = consumers[conv.output[0]]
            assert len(relu) == 1 and relu[0].op_type == "Relu"
            out = relu[0].output[0]
            ca = e.shape[n.input[0]][0]
            # skip connection (older tensor) first, then the freshly upsampled one
            e.chain([(n.input[1], wn + "_b", w[:, ca:]), (n.input[0], wn + "_a", w[:, :ca])],
                    out, b, bn, a, "Relu")
            if out in sides:
                emit_side(out)
            continue
        if op == "Conv":
            cons = consumers.get(n.output[0], [])
            w, b, a, wn, bn = cw(name)
            if len(cons) == 1 and cons[0].op_type == "Relu":
                out = cons[0].output[0]
                e.conv(n.input[0], wn, w, bn, b, out, a, act="Relu")
            else:
                out = n.output[0]
                e.conv(n.input[0], wn, w, bn, b, out, a)
            if out in sides:
                emit_side(out)
            continue
        raise AssertionError("unhandled node " + name)
    return e


# --------------------------------------------------------------------------------------
# ORT 1.30 sequential order + live-set simulation
# --------------------------------------------------------------------------------------
def ort_order(nodes):
    """Replicates GraphViewer's ReverseDFSFrom(leaves, NodeCompare: index ascending).

    Inputs are pushed in ascending index order, so the highest-index input is visited
    first; a node is emitted when it is left (post-order)."""
    producer = {}
    for i, n in enumerate(nodes):
        for o in n[3]:
            producer[o] = i
    has_consumer = set()
    in_nodes = []
    for i, n in enumerate(nodes):
        ins = sorted({producer[x] for x in n[2] if x in producer})
        in_nodes.append(ins)
        has_consumer.update(ins)
    leaves = [i for i in range(len(nodes)) if i not in has_consumer]
    stack = [(i, False) for i in leaves]
    visited = [False] * len(nodes)
    order = []
    while stack:
        i, leave = stack.pop()
        if leave:
            order.append(i)
            continue
        if visited[i]:
            continue
        visited[i] = True
        stack.append((i, True))
        for j in in_nodes[i]:
            stack.append((j, False))
    return order


def simulate(nodes, order, shape):
    """Peak of the sum of live activation bytes (320x320 input) for an execution order.

    A tensor lives from its producer to its last consumer; FusedConv writes into Z when
    Z dies there (ORT's MayInplace(3,0))."""
    def size(t):
        sh = shape.get(t)
        return 0 if sh is None else 4 * sh[0] * sh[1] * sh[2]
    pos = {i: k for k, i in enumerate(order)}
    last_use = {}
    for i in order:
        for x in nodes[i][2]:
            if x:
                last_use[x] = pos[i]
    last_use[OUTPUT] = len(order)
    live = {INPUT: size(INPUT)}
    cur = sum(live.values())
    peak, peak_at = cur, None
    for k, i in enumerate(order):
        op, dom, ins, outs, attrs = nodes[i]
        for o in outs:
            if op == "FusedConv" and len(ins) == 4 and last_use.get(ins[3]) == k:
                continue  # in place on Z
            live[o] = size(o)
        cur = sum(live.values())
        if cur > peak:
            peak, peak_at = cur, outs[0]
        for x in set(ins):
            if x in live and last_use.get(x) == k and x != INPUT:
                del live[x]
        if op == "FusedConv" and len(ins) == 4 and ins[3] not in live and outs[0] not in live:
            live[outs[0]] = size(outs[0])
    return peak, peak_at


# --------------------------------------------------------------------------------------
# Weights: quantization, packing, external data
# --------------------------------------------------------------------------------------
def quant_int8(w):
    """Symmetric per-output-channel int8; returns (q int8, scales f32, dequantized f32)."""
    flat = w.reshape(w.shape[0], -1).astype(np.float32)
    amax = np.abs(flat).max(axis=1)
    scales = np.where(amax > 0, amax / np.float32(127.0), np.float32(1.0)).astype(np.float32)
    q = np.clip(np.rint(flat / scales[:, None]), -127, 127).astype(np.int8)
    deq = (q.astype(np.float32) * scales[:, None]).astype(np.float32)
    return q, scales, deq.reshape(w.shape)


def stock_key(name):
    """Stock initializer a (sliced) weight comes from: '2261_o0_x3' -> '2261'."""
    return "w17" if name.startswith("w17") else name.split("_")[0]


def pack_weights(e, encoding, fp16_names=(), f32_names=()):
    """Returns (f32 buffer bytes, packed bin bytes, index dict, {name: (offset, length)})."""
    f32 = bytearray()
    binb = bytearray()
    tensors = []
    ext = {}

    def pad(buf, a):
        buf.extend(b"\0" * ((-len(buf)) % a))

    for name in e.init_order:
        arr = e.init[name]
        if arr.dtype != np.float32 or arr.size <= INLINE_MAX:
            continue
        pad(f32, ALIGN)
        off = len(f32)
        enc = encoding
        if arr.ndim != 4:
            enc = "f32"
        if name in fp16_names or stock_key(name) in fp16_names:
            enc = "f16"
        if stock_key(name) in f32_names:
            enc = "f32"
        entry = {"name": name, "offset": off, "count": int(arr.size), "shape": [int(d) for d in arr.shape],
                 "encoding": enc}
        if enc == "int8":
            q, scales, deq = quant_int8(arr)
            pad(binb, 4)
            entry["scalesOffset"] = len(binb)
            binb.extend(scales.astype("<f4").tobytes())
            entry["dataOffset"] = len(binb)
            binb.extend(q.tobytes())
            entry["channels"] = int(arr.shape[0])
            f32.extend(deq.astype("<f4").tobytes())
        elif enc == "f16":
            h = arr.astype("<f2")
            pad(binb, 4)
            entry["dataOffset"] = len(binb)
            binb.extend(h.tobytes())
            f32.extend(h.astype("<f4").tobytes())
        else:
            pad(binb, 4)
            entry["dataOffset"] = len(binb)
            binb.extend(arr.astype("<f4").tobytes())
            f32.extend(arr.astype("<f4").tobytes())
        ext[name] = (off, arr.nbytes)
        tensors.append(entry)
    pad(f32, ALIGN)
    index = {"format": "u2netp-edge-weights/1", "externalDataPath": "u2netp-edge.f32",
             "f32Bytes": len(f32), "f32Sha256": hashlib.sha256(bytes(f32)).hexdigest(),
             "tensors": tensors}
    return bytes(f32), bytes(binb), index, ext


def make_model(e, order_file, ext, ext_path):
    nodes = []
    for k, i in enumerate(order_file):
        op, dom, ins, outs, attrs = e.nodes[i]
        nodes.append(helper.make_node(op, ins, outs, name="n%d_%s" % (k, op), domain=dom or None, **attrs))
    inits = []
    for name in e.init_order:
        arr = e.init[name]
        t = numpy_helper.from_array(arr, name)
        if name in ext:
            off, length = ext[name]
            t.ClearField("raw_data")
            t.data_location = TensorProto.EXTERNAL
            for k_, v in (("location", ext_path), ("offset", str(off)), ("length", str(length))):
                kv = t.external_data.add()
                kv.key, kv.value = k_, v
        inits.append(t)
    inp = helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [1, 3, "H", "W"])
    out = helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [1, 1, "H", "W"])
    g = helper.make_graph(nodes, "u2netp_edge", [inp], [out], inits)
    m = helper.make_model(g, producer_name="u2netp-edge-build", producer_version="1",
                          opset_imports=[helper.make_opsetid("", 11), helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 6
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--encoding", default=None, choices=["int8", "f16", "f32"])
    ap.add_argument("--group", type=int, default=8)
    ap.add_argument("--head-groups", type=int, default=None)
    ap.add_argument("--no-manifest", action="store_true")
    ap.add_argument("--f32-convs", default=None, help="experiments: keep stock Conv_a..Conv_b weights fp32 (a:b)")
    args = ap.parse_args()

    cfg = json.load(open(os.path.join(HERE, "build-config.json")))
    encoding = args.encoding or cfg["encoding"]
    head_groups = args.head_groups or cfg["headGroups"]
    G = args.group or cfg["group"]

    digest = sha256_file(SRC)
    if digest != SRC_SHA256:
        sys.exit("FATAL: %s sha256 %s != expected %s" % (SRC, digest, SRC_SHA256))
    stock = Stock(onnx.load(SRC))

    e = build_graph(stock, G, head_groups)
    wanted = list(range(len(e.nodes)))
    # file order = reverse of the wanted order (see ort_order)
    file_order = wanted[::-1]
    file_nodes = [e.nodes[i] for i in file_order]
    order = ort_order(file_nodes)
    peak, at = simulate(file_nodes, order, e.shape)
    exec_names = [file_nodes[i][3][0] for i in order]
    same = exec_names == [n[3][0] for n in e.nodes]
    print("nodes %d, initializers %d; simulated ORT order %s the wanted order; "
          "simulated peak live activations %.1f MB (at %s)"
          % (len(e.nodes), len(e.init), "equals" if same else "DIFFERS from", peak / 1e6, at))
    stock_peak = None

    os.makedirs(args.out, exist_ok=True)
    f32_names = set(cfg.get("f32Tensors", []))
    if args.f32_convs:
        a, b = map(int, args.f32_convs.split(":"))
        f32_names |= {n.input[1] for i, n in enumerate(stock.nodes) if n.op_type == "Conv" and a <= int(n.name.split("_")[1]) < b}
        if a <= 812 < b:
            f32_names.add("w17")
    f32, binb, index, ext = pack_weights(e, encoding, set(cfg.get("fp16Tensors", [])), f32_names)
    model = make_model(e, file_order, ext, "u2netp-edge.f32")
    mbytes = model.SerializeToString()
    paths = {
        "graph": os.path.join(args.out, "u2netp-edge.onnx"),
        "weights": os.path.join(args.out, "u2netp-edge.weights.bin"),
        "index": os.path.join(args.out, "u2netp-edge.weights.json"),
    }
    with open(paths["graph"], "wb") as f:
        f.write(mbytes)
    with open(paths["weights"], "wb") as f:
        f.write(binb)
    with open(paths["index"], "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    print("graph %d B, weights %d B (%s), expanded fp32 %d B" % (len(mbytes), len(binb), encoding, len(f32)))
    if args.no_manifest or os.path.abspath(args.out) != HERE:
        return
    import build_int8  # the int8-compute variant, before SHA256SUMS is written
    build_int8.build_shipped()
    import build_browser  # the site's graphs, made from the same stock model and int8 build
    build_browser.build_shipped()
    write_manifest(cfg, paths, encoding, G, head_groups, peak)


def write_manifest(cfg, paths, encoding, G, head_groups, sim_peak):
    measured_path = os.path.join(HERE, "measured.json")
    measured = json.load(open(measured_path)) if os.path.exists(measured_path) else None

    def fileinfo(p):
        return {"path": os.path.basename(p), "bytes": os.path.getsize(p), "sha256": sha256_file(p)}
    manifest = {
        "id": "u2netp",
        "name": "U2-Net\u2020 (u2netp), edge build for onnxruntime-web WASM",
        "files": {
            "graph": fileinfo(paths["graph"]),
            "weights": fileinfo(paths["weights"]),
            "weightsIndex": fileinfo(paths["index"]),
            "source": fileinfo(SRC),
        },
        "input": {"name": INPUT, "shape": [1, 3, 320, 320], "graphShape": [1, 3, "H", "W"], "dtype": "float32"},
        "output": {"name": OUTPUT, "shape": [1, 1, 320, 320], "dtype": "float32",
                   "note": "fused saliency map d1..d6 -> outconv, sigmoid already applied"},
        "preprocessing": {
            "size": 320, "resize": "bilinear, no anti-aliasing (skimage resize order=1, anti_aliasing=False: "
                                   "sample at (x+0.5)*in/320-0.5; mode='constant': taps beyond the edge count as 0)",
            "scale": "divide by the max of the resized image over all channels (1 if 0)",
            "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "layout": "NCHW, RGB",
        },
        "postprocessing": {"normalise": "min-max: (y - min) / (max - min)",
                           "mask": "x255, truncate to 8 bits, bilinear resize back to the image size"},
        "sessionOptions": {"executionProviders": ["wasm"], "graphOptimizationLevel": "disabled",
                           "enableMemPattern": False, "enableCpuMemArena": False,
                           "executionMode": "sequential",
                           "externalData": [{"path": "u2netp-edge.f32",
                                             "data": "expandWeights(weights.bin, weights.json)"}],
                           "env": {"wasm.numThreads": 1, "wasm.proxy": False},
                           "why": "level 'basic' and above merge the duplicated per-group nodes and bring "
                                  "the peak back; the graph uses com.microsoft FusedConv"},
        "weights": {"encoding": encoding, "f32Tensors": sorted(cfg.get("f32Tensors", [])),
                    "description": "conv weights with more than %d elements stored as %s (int8: symmetric per "
                                   "output channel, float32 scales), expanded to fp32 at session creation by "
                                   "core/weights.ts; f32Tensors (stock initializer names) and "
                                   "non-conv tensors stored fp32; tensors of at most %d elements inline fp32"
                                   % (INLINE_MAX, encoding, INLINE_MAX),
                    "decision": cfg.get("decision")},
        "tiling": {"channelGroup": G, "decoderHeadOutputGroups": head_groups,
                   "simulatedPeakLiveActivationsMB": round(sim_peak / 1e6, 1)},
        "measured": measured,
        "licence": {"model": "U-2-Net by Xuebin Qin et al., Apache-2.0 (https://github.com/xuebinqin/U-2-Net)",
                    "source": "the fp32 u2netp ONNX export also published by rembg (sha256 %s)" % SRC_SHA256},
        "build": "/usr/bin/python3 models/build.py",
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    # SHA256SUMS over every file in models/ (itself excluded)
    lines = []
    for fn in sorted(os.listdir(HERE)):
        p = os.path.join(HERE, fn)
        if fn == "SHA256SUMS" or not os.path.isfile(p):
            continue
        lines.append("%s  %s\n" % (sha256_file(p), fn))
    with open(os.path.join(HERE, "SHA256SUMS"), "w") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main()
