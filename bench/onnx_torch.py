#!/usr/bin/python3
"""PyTorch running an ONNX model: the baseline of bench/graph_bench.

Interprets the ONNX graph node by node with torch operators (no onnxruntime on Debian),
so PyTorch runs exactly the model file accsim runs. Times the forward pass at each
--threads count in this process (bench/torch_timing.py): one
"threads=<t> rate=<images/s> ..." line per count.
Usage: onnx_torch.py MODEL.onnx [--batch B] [--threads T...] [--seconds S] [--rounds R]
Images are seeded uniform [0, 1) values of the model's input shape (timing only)."""
import argparse

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F

from torch_timing import add_timing_arguments, time_threads


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def conv(x, w, b=None, a=None):
    pads = a.get("pads", [0, 0, 0, 0])
    if pads[0] != pads[2] or pads[1] != pads[3]:
        x = F.pad(x, (pads[1], pads[3], pads[0], pads[2]))
        pads = [0, 0]
    return F.conv2d(x, w, b, a.get("strides", [1, 1]), pads[:2], a.get("dilations", [1, 1]), a.get("group", 1))


def gemm(x, w, c=None, a=None):
    x = x.t() if a.get("transA", 0) else x
    w = w.t() if a.get("transB", 0) else w
    y = a.get("alpha", 1.0) * (x @ w)
    return y if c is None else y + a.get("beta", 1.0) * c


def pool(kind):
    def run(x, a):
        k, s, p = a["kernel_shape"], a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0])
        if p[0] != p[2] or p[1] != p[3]:
            x = F.pad(x, (p[1], p[3], p[0], p[2]), value=-float("inf") if kind == "max" else 0.0)
            p = [0, 0]
        if kind == "max":
            return F.max_pool2d(x, k, s, p[:2], ceil_mode=bool(a.get("ceil_mode", 0)))
        return F.avg_pool2d(x, k, s, p[:2], ceil_mode=bool(a.get("ceil_mode", 0)),
                            count_include_pad=bool(a.get("count_include_pad", 0)))
    return run


def as_ints(t):
    return [int(v) for v in t.flatten().tolist()]


def reshape(x, shape, a):
    shape = as_ints(shape)
    return x.reshape([x.shape[i] if d == 0 else d for i, d in enumerate(shape)])


def slice_(x, starts, ends, axes=None, steps=None, a=None):
    index = [slice(None)] * x.dim()
    axes = as_ints(axes) if axes is not None else list(range(len(starts)))
    steps = as_ints(steps) if steps is not None else [1] * len(axes)
    for ax, s, e, st in zip(axes, as_ints(starts), as_ints(ends), steps):
        index[ax] = slice(s, min(e, x.shape[ax]), st)
    return x[tuple(index)]


OPS = {
    "Conv": lambda a, *i: conv(*i, a=a),
    "Gemm": lambda a, *i: gemm(*i, a=a),
    "MatMul": lambda a, x, y: x @ y,
    "Add": lambda a, x, y: x + y, "Sub": lambda a, x, y: x - y,
    "Mul": lambda a, x, y: x * y, "Div": lambda a, x, y: x / y, "Pow": lambda a, x, y: x ** y,
    "Relu": lambda a, x: F.relu(x), "Sigmoid": lambda a, x: torch.sigmoid(x), "Tanh": lambda a, x: torch.tanh(x),
    "LeakyRelu": lambda a, x: F.leaky_relu(x, a.get("alpha", 0.01)), "Erf": lambda a, x: torch.erf(x),
    "Sqrt": lambda a, x: torch.sqrt(x), "Exp": lambda a, x: torch.exp(x), "Neg": lambda a, x: -x,
    "Reciprocal": lambda a, x: 1 / x, "Identity": lambda a, x: x, "Dropout": lambda a, x, *r: x,
    "Cast": lambda a, x: x.float() if a.get("to", 1) == 1 else x.long(),
    "Clip": lambda a, x, lo=None, hi=None: torch.clamp(x, lo, hi),
    "Softmax": lambda a, x: F.softmax(x, a.get("axis", -1)),
    "LayerNormalization": lambda a, x, w, b=None: F.layer_norm(x, x.shape[a.get("axis", -1):], w, b, a.get("epsilon", 1e-5)),
    "BatchNormalization": lambda a, x, s, b, m, v: F.batch_norm(x, m, v, s, b, False, 0.0, a.get("epsilon", 1e-5)),
    "ReduceMean": lambda a, x, *r: x.mean(a["axes"] if "axes" in a else as_ints(r[0]), keepdim=bool(a.get("keepdims", 1))),
    "MaxPool": lambda a, x: pool("max")(x, a), "AveragePool": lambda a, x: pool("avg")(x, a),
    "GlobalAveragePool": lambda a, x: x.mean((2, 3), keepdim=True),
    "Flatten": lambda a, x: x.reshape(int(np.prod(x.shape[:a.get("axis", 1)])), -1),
    "Reshape": lambda a, x, s: reshape(x, s, a),
    "Transpose": lambda a, x: x.permute(a["perm"]) if "perm" in a else x.permute(*reversed(range(x.dim()))),
    "Concat": lambda a, *xs: torch.cat(xs, a["axis"]),
    "Split": lambda a, x, s=None: torch.split(x, as_ints(s) if s is not None else a["split"], a.get("axis", 0)),
    "Slice": lambda a, *i: slice_(*i, a=a),
    "Squeeze": lambda a, x, ax=None: x.squeeze(*(as_ints(ax) if ax is not None else a.get("axes", []))) if (ax is not None or "axes" in a) else x.squeeze(),
    "Unsqueeze": lambda a, x, ax=None: x.reshape(unsqueezed(x.shape, as_ints(ax) if ax is not None else a["axes"])),
    "Gather": lambda a, x, i: torch.index_select(x, a.get("axis", 0), i.flatten().long()).reshape(
        list(x.shape[:a.get("axis", 0)]) + list(i.shape) + list(x.shape[a.get("axis", 0) + 1:])),
    "Shape": lambda a, x: torch.tensor(list(x.shape), dtype=torch.int64),
    "Constant": lambda a: torch.from_numpy(onnx.numpy_helper.to_array(a["value"]).copy()),
    "ConstantOfShape": lambda a, s: torch.full(as_ints(s), float(onnx.numpy_helper.to_array(a["value"])[0]) if "value" in a else 0.0),
    "Equal": lambda a, x, y: x == y, "Where": lambda a, c, x, y: torch.where(c, x, y),
    "Expand": lambda a, x, s: x.expand(torch.broadcast_shapes(x.shape, tuple(as_ints(s)))),
}


def unsqueezed(shape, axes):
    out = list(shape)
    for ax in sorted(a % (len(shape) + len(axes)) for a in axes):
        out.insert(ax, 1)
    return out


class OnnxModule:
    def __init__(self, path):
        self.model = onnx.load(path)
        self.params = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in self.model.graph.initializer}
        self.nodes = [(n.op_type, list(n.input), list(n.output), attrs(n)) for n in self.model.graph.node]
        unknown = {n[0] for n in self.nodes} - OPS.keys()
        if unknown:
            raise SystemExit(f"onnx_torch.py: {path}: operators without a torch mapping: {sorted(unknown)}")

    def __call__(self, x):
        values = dict(self.params)
        values[self.model.graph.input[0].name] = x
        for op, ins, outs, a in self.nodes:
            result = OPS[op](a, *[values[i] if i else None for i in ins])
            for name, v in zip(outs, result if isinstance(result, (tuple, list)) else [result]):
                values[name] = v
        return values[self.model.graph.output[0].name]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", help="ONNX file")
    ap.add_argument("--batch", type=int, default=100)
    add_timing_arguments(ap)
    args = ap.parse_args()
    model = OnnxModule(args.model)
    dims = [d.dim_value for d in model.model.graph.input[0].type.tensor_type.shape.dim][1:]
    x = torch.from_numpy(np.random.default_rng(1).random([args.batch] + dims, dtype=np.float32))

    def forward():
        model(x)
        return args.batch  # images

    with torch.no_grad():
        print(f"{args.model} interpreted with torch {torch.__version__} operators, batch {args.batch}")
        time_threads(forward, args)


if __name__ == "__main__":
    main()
