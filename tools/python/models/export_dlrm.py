"""Exports the PyTEI-style DLRM of `accsim dlrm` (workloads/dlrm/dlrm.h) to ONNX, with a
fixture of PyTorch outputs, for `"workload": {"model": ...}` in a dlrm config.

    /usr/bin/python3 tools/python/models/export_dlrm.py [OUT_DIR]   (default configs/models)

writes dlrm_pytei.onnx and dlrm_pytei.outputs.h5. Fixed seed: a rerun writes the same bytes.

The model (configs/experiments/dlrm_pytei.json's "dlrm"): dense [batch, 128] -> bottom MLP
[64] (ReLU) ; sparse 8192 features -> 1 table x 64, sum pooling ; concat -> top MLP [64, 1]
(ReLU between) -> sigmoid. Untrained, initialised as docs/parameter_faults.md says: MLP
weights and biases U(+-1/sqrt(fan_in)) (nn.Linear's default), tables U(+-sqrt(1/rows)).

Inputs: "dense" float32 [batch, dense_dim] and per table t "sparse.<t>" int64 [batch, bag]
(both axes dynamic): a sample's active rows of the table, padded to the batch's longest bag
with the index `rows` of a zero row appended to the table (a Constant, not a parameter).
Each bag is Concat(table, zero row) -> Gather -> ReduceSum(axis 1), as accsim's built-in
graph. Not nn.EmbeddingBag(mode="sum"): torch 1.13's exporter writes it (indices + offsets)
as a Loop over the offsets, whose shapes are dynamic, which accsim does not run.

Initializers keep the module names the built-in model uses, so parameter_faults targets
select them alike: mlp.bottom.<i>.{weight,bias}, embedding.<t>.weight, mlp.top.<i>.{weight,bias}.

Fixture <name>.outputs.h5: for batch k in 0..BATCHES-1, group batch_<k> with `dense` float32
[n, dense_dim], `sparse.<t>` int64 (the [n, bag] indices, flattened) and `output` float32
[n, 1], PyTorch's fp32 outputs; attributes onnx_sha256, batches.
"""
import hashlib
import io
import math
import os
import sys

import h5py
import numpy as np
import onnx
import torch
from torch import nn

SEED = 2024
OPSET = 14
NAME = "dlrm_pytei"
CONFIG = {"dense_dim": 128, "sparse_dim": 8192, "tables": 1, "embedding_dim": 64,
          "bottom_mlp": [64], "top_mlp": [64, 1]}
BATCHES = [(16, 0.001), (16, 0.01), (8, 0.05)]  # (samples, sparsity) of the fixture's batches


def table_first(c, t):
    return t * c["sparse_dim"] // c["tables"]


def mlp(widths, fan_in):
    layers = nn.ModuleList()
    for width in widths:
        layers.append(nn.Linear(fan_in, width))  # default init: U(+-1/sqrt(fan_in)), weight and bias
        fan_in = width
    return layers


class Dlrm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.mlp = nn.Module()
        self.mlp.bottom = mlp(c["bottom_mlp"], c["dense_dim"])
        self.embedding = nn.ModuleList()
        for t in range(c["tables"]):
            rows = table_first(c, t + 1) - table_first(c, t)
            table = nn.Embedding(rows, c["embedding_dim"])
            bound = math.sqrt(1.0 / rows)
            nn.init.uniform_(table.weight, -bound, bound)
            self.embedding.append(table)
        concat = c["bottom_mlp"][-1] + c["tables"] * c["embedding_dim"]
        self.mlp.top = mlp(c["top_mlp"], concat)

    def forward(self, dense, *sparse):
        x = dense
        for layer in self.mlp.bottom:
            x = torch.relu(layer(x))
        features = [x]
        for table, idx in zip(self.embedding, sparse):
            padded = torch.cat([table.weight, torch.zeros(1, self.c["embedding_dim"])], 0)
            features.append(torch.sum(padded[idx], 1))
        x = torch.cat(features, 1)
        for i, layer in enumerate(self.mlp.top):
            x = layer(x)
            if i + 1 < len(self.mlp.top):
                x = torch.relu(x)
        return torch.sigmoid(x)


def sparse_names(c):
    return ["sparse.%d" % t for t in range(c["tables"])]


def export(model, path):
    c = model.c
    names = sparse_names(c)
    example = (torch.zeros(2, c["dense_dim"]),) + tuple(torch.zeros(2, 3, dtype=torch.int64) for _ in names)
    axes = {"dense": {0: "batch"}, "output": {0: "batch"}}
    axes.update({n: {0: "batch", 1: "bag_%s" % n} for n in names})
    buf = io.BytesIO()
    with torch.no_grad():
        # No constant folding: torch would fold Concat(table, zero row) into one initializer.
        torch.onnx.export(model, example, buf, opset_version=OPSET, input_names=["dense"] + names,
                          output_names=["output"], dynamic_axes=axes, do_constant_folding=False)
    proto = onnx.load_from_string(buf.getvalue())
    params = {name for name, _ in model.named_parameters()}
    inits = {t.name for t in proto.graph.initializer}
    if inits != params:
        sys.exit("export_dlrm: initializers %s are not the parameters %s" % (sorted(inits), sorted(params)))
    onnx.checker.check_model(proto, full_check=True)
    onnx.save(proto, path)


def draw_batch(c, samples, sparsity, gen):
    """PyTEI inputs: dense standard normal, each sparse feature active with probability `sparsity`."""
    dense = torch.randn(samples, c["dense_dim"], generator=gen)
    active = torch.rand(samples, c["sparse_dim"], generator=gen) < sparsity
    bags = []
    for t in range(c["tables"]):
        first, last = table_first(c, t), table_first(c, t + 1)
        rows = [torch.nonzero(active[s, first:last]).flatten().tolist() for s in range(samples)]
        longest = max(1, max(len(r) for r in rows))
        bags.append(torch.tensor([r + [last - first] * (longest - len(r)) for r in rows], dtype=torch.int64))
    return dense, bags


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_fixture(model, onnx_path, path):
    gen = torch.Generator().manual_seed(SEED + 1)
    with h5py.File(path, "w") as h5:
        h5.attrs["onnx_sha256"] = sha256(onnx_path)
        h5.attrs["batches"] = len(BATCHES)
        for k, (samples, sparsity) in enumerate(BATCHES):
            dense, bags = draw_batch(model.c, samples, sparsity, gen)
            with torch.no_grad():
                out = model(dense, *bags)
            g = h5.create_group("batch_%d" % k)
            g["dense"] = dense.numpy().astype(np.float32)
            for name, bag in zip(sparse_names(model.c), bags):
                g[name] = bag.numpy().astype(np.int64).flatten()
            g["output"] = out.numpy().astype(np.float32)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "configs", "models")
    torch.manual_seed(SEED)
    model = Dlrm(CONFIG).eval()
    onnx_path = os.path.join(out_dir, NAME + ".onnx")
    export(model, onnx_path)
    write_fixture(model, onnx_path, os.path.join(out_dir, NAME + ".outputs.h5"))
    print("wrote %s (%d bytes) and %s.outputs.h5" % (onnx_path, os.path.getsize(onnx_path), NAME))


if __name__ == "__main__":
    main()
