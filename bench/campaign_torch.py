#!/usr/bin/python3
"""PyTorch baseline of accsim's campaign benchmark (bench/campaign_bench.cpp).

A PyTorchFI-style inference fault campaign on LeNet-5 (the PVF paper's shapes): per
experiment, apply the weight masks of one weight-register stuck-at (PE (row, col) of an
8x8 array without swizzling: every weight W[oc][ic] with oc % 8 == col and ic % 8 == row
gets bit `bit` forced to 0 or 1), rerun inference on the test batch, classify the
experiment (crash: NaN/Inf logits; SDC: a correct prediction turns wrong; masked),
restore the weights. Times the experiments at each --threads count in this process
(bench/torch_timing.py): one "threads=<t> rate=<experiment-images/s> ..." line per count.

Exit code 3 (and a "skip:" line) when torch is not installed.
"""
import argparse
import gzip
import os
import random
import sys

try:
    import torch
except ImportError:
    print("skip: python3-torch is not installed (Debian package python3-torch)")
    sys.exit(3)

from torch_timing import add_timing_arguments, time_threads


def lenet5():
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def test_images(n, dataset_dir):
    images = os.path.join(dataset_dir, "t10k-images-idx3-ubyte.gz")
    labels = os.path.join(dataset_dir, "t10k-labels-idx1-ubyte.gz")
    if os.path.exists(images) and os.path.exists(labels):
        with gzip.open(images, "rb") as f:
            raw = f.read()[16:16 + n * 784]
        with gzip.open(labels, "rb") as f:
            lab = f.read()[8:8 + n]
        x = torch.frombuffer(bytearray(raw), dtype=torch.uint8).float().div(255).view(n, 1, 28, 28)
        y = torch.tensor(list(lab), dtype=torch.long)
        return x, y, "Fashion-MNIST"
    g = torch.Generator().manual_seed(1)
    return torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g), "synthetic"


def weight_masks(model, row, col, atomic_c=8, atomic_k=8):
    """Per array layer: boolean mask of the weights PE (row, col) holds in the forward pass."""
    masks = []
    for m in model:
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            w = m.weight
            oc = torch.arange(w.shape[0]).view(-1, *([1] * (w.dim() - 1)))
            ic = torch.arange(w.shape[1]).view(1, -1, *([1] * (w.dim() - 2)))
            masks.append((m.weight, ((oc % atomic_k == col) & (ic % atomic_c == row)).expand_as(w)))
    return masks


def inject(model, row, col, bit, one):
    """Applies the weight masks of a weight-register stuck-at; returns the saved weights."""
    saved = []
    for w, mask in weight_masks(model, row, col):
        saved.append((w, w.clone()))
        bits = w.view(torch.int32)
        keep = bits & ~(1 << bit) if bit < 31 else bits & 0x7FFFFFFF
        forced = keep | (1 << bit if bit < 31 else -(1 << 31)) if one else keep
        bits.copy_(torch.where(mask, forced, bits))
    return saved


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=100)
    ap.add_argument("--dataset-dir", default="/usr/share/datasets/fashion-mnist")
    add_timing_arguments(ap)
    args = ap.parse_args()
    torch.manual_seed(1)
    rng = random.Random(1)
    model = lenet5().eval()
    x, labels, source = test_images(args.images, args.dataset_dir)
    outcomes = {"masked": 0, "sdc": 0, "crash": 0}

    def experiment():
        row, col, bit, one = rng.randrange(8), rng.randrange(8), rng.randrange(32), rng.randrange(2)
        saved = inject(model, row, col, bit, one)
        logits = model(x)
        if not torch.isfinite(logits).all():
            outcomes["crash"] += 1
        elif (correct & (logits.argmax(1) != labels)).any():
            outcomes["sdc"] += 1
        else:
            outcomes["masked"] += 1
        for w, original in saved:
            w.copy_(original)
        return args.images  # experiment-images

    with torch.no_grad():
        correct = model(x).argmax(1) == labels
        print(f"weight-register stuck-ats, LeNet-5 on {args.images} {source} images, torch {torch.__version__}")
        time_threads(experiment, args)
    print(f"outcomes over every timed and warm-up experiment: {outcomes}")


if __name__ == "__main__":
    main()
