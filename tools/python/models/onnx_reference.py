"""A naive NumPy interpreter (float64) for the ONNX operators of the shipped models: an
independent check that an exported file computes what PyTorch computed, without
onnxruntime (not in Debian). Refuses any operator or attribute it does not know."""
import math

import numpy as np
from onnx import helper, numpy_helper


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def conv(x, w, b=None, group=1, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1),
         kernel_shape=None):
    n, c, h, wd = x.shape
    k, cg, r, s = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    p = (x.shape[2] - dilations[0] * (r - 1) - 1) // strides[0] + 1
    q = (x.shape[3] - dilations[1] * (s - 1) - 1) // strides[1] + 1
    out = np.zeros((n, k, p, q))
    kg = k // group
    for g in range(group):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(r):
            for j in range(s):
                patch = xs[:, :, i * dilations[0]:i * dilations[0] + strides[0] * (p - 1) + 1:strides[0],
                           j * dilations[1]:j * dilations[1] + strides[1] * (q - 1) + 1:strides[1]]
                out[:, g * kg:(g + 1) * kg] += np.einsum("ncpq,kc->nkpq", patch, w[g * kg:(g + 1) * kg, :, i, j])
    return out if b is None else out + b[None, :, None, None]


def gemm(a, b, c=None, alpha=1.0, beta=1.0, transA=0, transB=0):
    y = alpha * ((a.T if transA else a) @ (b.T if transB else b))
    return y if c is None else y + beta * c


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def reshape(x, shape, allowzero=0):
    shape = [x.shape[i] if d == 0 and not allowzero else int(d) for i, d in enumerate(shape)]
    return x.reshape(shape)


def flatten(x, axis=1):
    return x.reshape(int(np.prod(x.shape[:axis])), -1)


OPS = {
    "Conv": conv,
    "Gemm": gemm,
    "MatMul": np.matmul,
    "Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
    "Pow": np.power, "Sqrt": np.sqrt,
    "Erf": np.vectorize(math.erf, otypes=[np.float64]),
    "Relu": lambda x: np.maximum(x, 0.0),
    "Softmax": softmax,
    "ReduceMean": lambda x, axes, keepdims=1: x.mean(axis=tuple(axes), keepdims=bool(keepdims)),
    "Reshape": reshape,
    "Transpose": lambda x, perm: x.transpose(perm),
    "Flatten": flatten,
    "GlobalAveragePool": lambda x: x.mean(axis=(2, 3), keepdims=True),
    "Identity": lambda x: x,
}


def run(proto, inputs):
    """Evaluates the graph on {input name: array}; returns {output name: float64 array}."""
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) if t.data_type == 1
           else numpy_helper.to_array(t) for t in proto.graph.initializer}
    env.update({k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()})
    for node in proto.graph.node:
        if node.op_type == "Constant":
            value = numpy_helper.to_array(attrs(node)["value"])
            env[node.output[0]] = value.astype(np.float64) if value.dtype == np.float32 else value
            continue
        if node.op_type not in OPS:
            raise NotImplementedError(f"node {node.name}: op {node.op_type} not in {sorted(OPS)}")
        env[node.output[0]] = OPS[node.op_type](*[env[i] for i in node.input if i], **attrs(node))
    return {o.name: env[o.name] for o in proto.graph.output}
