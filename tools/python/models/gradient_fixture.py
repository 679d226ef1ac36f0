#!/usr/bin/python3
"""Writes the gradient fixture of shipped model(s): the softmax cross-entropy loss of a
fixed batch and its gradient for every parameter, from PyTorch autograd in float64 on the
registry architecture with the weights of the exported ONNX file (onnx_weights). accsim's
graph backward pass (workloads/training/graph_backward) is checked against it.

usage: gradient_fixture.py [NAME ...] [--models-dir configs/models]
(no NAME: every model of the registry). Writes <models-dir>/<NAME>.gradients.h5:
datasets `images` float32 [N,1,28,28] (seeded uniform [0,1): no data set needed),
`labels` int32 [N], `logits` float32 [N,10], `gradients/<initializer>` float32 shaped like
the initializer; attributes loss (float64), model, onnx_sha256, seed, count.
"""
import argparse
import os

import h5py
import numpy as np
import torch
import torch.nn.functional as F

import fixture
import onnx_weights
import registry

COUNT = 4
SEED = 7


def batch(count=COUNT, seed=SEED):
    """Images rounded to float32 (both sides read the same values) and labels."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(count, 1, 28, 28, generator=g, dtype=torch.float32)
    y = torch.tensor([(3 * i + 1) % 10 for i in range(count)], dtype=torch.int64)
    return x, y


def compute(name, onnx_path):
    """{images, labels, logits, loss, gradients by initializer name}."""
    model = onnx_weights.torch_from_onnx(name, onnx_path).double()  # eval mode, as the ONNX graph
    x, y = batch()
    logits = model(x.double())
    loss = F.cross_entropy(logits, y)
    loss.backward()
    grads = {n: p.grad.numpy().astype(np.float32) for n, p in model.named_parameters()}
    return {"images": x.numpy(), "labels": y.numpy().astype(np.int32),
            "logits": logits.detach().numpy().astype(np.float32), "loss": float(loss), "gradients": grads}


def write(path, name, onnx_path, fx):
    with h5py.File(path, "w") as f:
        f.create_dataset("images", data=fx["images"])
        f.create_dataset("labels", data=fx["labels"])
        f.create_dataset("logits", data=fx["logits"])
        g = f.create_group("gradients")
        for n, v in sorted(fx["gradients"].items()):
            g.create_dataset(n, data=v)
        f.attrs["loss"] = fx["loss"]
        f.attrs["model"] = name
        f.attrs["onnx_sha256"] = fixture.sha256(onnx_path)
        f.attrs["seed"] = SEED
        f.attrs["count"] = len(fx["labels"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", default=sorted(registry.MODELS))
    ap.add_argument("--models-dir", default="configs/models")
    args = ap.parse_args()
    torch.set_num_threads(1)
    for name in args.names:
        registry.build(name)  # unknown names exit here
        onnx_path = os.path.join(args.models_dir, f"{name}.onnx")
        fx = compute(name, onnx_path)
        out = os.path.join(args.models_dir, f"{name}.gradients.h5")
        write(out, name, onnx_path, fx)
        print(f"{out}: loss {fx['loss']:.6f}, {len(fx['gradients'])} parameter gradients")


if __name__ == "__main__":
    main()
