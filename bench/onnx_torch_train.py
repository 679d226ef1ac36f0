#!/usr/bin/python3
"""PyTorch training an ONNX model: the baseline of bench/training_bench's graph models.

The model file is interpreted node by node with torch operators (bench/onnx_torch.py),
every float initializer a trainable tensor, BatchNormalization on batch statistics (as
accsim's graph trainer trains it), so PyTorch trains exactly the graph accsim trains.
Times training steps (forward, cross-entropy, backward, SGD momentum 0.9, weight decay
5e-4) at each --threads count in this process (bench/torch_timing.py): one
"threads=<t> rate=<images/s> ..." line per count.
Usage: onnx_torch_train.py MODEL.onnx [--batch B] [--threads T...] [--seconds S] [--rounds R]
Images are seeded uniform [0, 1) values, labels seeded classes (timing only)."""
import argparse

import numpy as np
import torch
import torch.nn.functional as F

from onnx_torch import OPS, OnnxModule
from torch_timing import add_timing_arguments, time_threads

# Training mode: batch statistics, the running ones updated (momentum 0.1, PyTorch's).
OPS["BatchNormalization"] = lambda a, x, s, b, m, v: F.batch_norm(x, m, v, s, b, True, 0.1, a.get("epsilon", 1e-5))


def trainable(model):
    """The float initializers but BatchNormalization's running statistics (inputs 3 and 4)."""
    state = {ins[i] for op, ins, _, _ in model.nodes if op == "BatchNormalization" for i in (3, 4)}
    return [t for name, t in model.params.items() if t.is_floating_point() and name not in state]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", help="ONNX file")
    ap.add_argument("--batch", type=int, default=64)
    add_timing_arguments(ap)
    args = ap.parse_args()
    model = OnnxModule(args.model)
    params = trainable(model)
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4)
    dims = [d.dim_value for d in model.model.graph.input[0].type.tensor_type.shape.dim][1:]
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.random([args.batch] + dims, dtype=np.float32))
    classes = model(x[:1]).shape[-1]
    y = torch.from_numpy(rng.integers(0, classes, args.batch))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        return args.batch  # images

    for _ in range(5):
        step()
    print(f"{args.model} trained with torch {torch.__version__} operators, batch {args.batch}, SGD momentum 0.9")
    time_threads(step, args)


if __name__ == "__main__":
    main()
