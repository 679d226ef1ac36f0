#!/usr/bin/python3
"""PyTorch baseline of accsim's PVF benchmark (bench/pvf_bench.cpp).

The PVF paper's fault-injection loop on LeNet-5 with single bit flips (SBF): per
experiment, pick the target layer (round robin over conv1, conv2, fc1, fc2, fc3), flip
one random bit of one random weight of it, run inference on one test image drawn at
random, classify (crash: NaN/Inf logits; SDC: a correct prediction turns wrong;
masked), flip the bit back. Times the experiments at each --threads count in this
process (bench/torch_timing.py): one "threads=<t> rate=<experiments/s> ..." line per count.

Uses the trained parameters of configs/models/lenet5_fashion_mnist.h5 when h5py can
read them (else seeded random ones). Exit code 3 (and a "skip:" line) without torch.
"""
import argparse
import os
import random
import sys

try:
    import torch
except ImportError:
    print("skip: python3-torch is not installed (Debian package python3-torch)")
    sys.exit(3)

from campaign_torch import lenet5, test_images
from torch_timing import add_timing_arguments, time_threads


def load_parameters(model, path):
    try:
        import h5py
        with h5py.File(path, "r") as f:
            layers = [m for m in model if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
            for name, m in zip(["conv1", "conv2", "fc1", "fc2", "fc3"], layers):
                w = torch.tensor(f[f"parameters/{name}/weight"][()])
                m.weight.data.copy_(w.view_as(m.weight))
                m.bias.data.copy_(torch.tensor(f[f"parameters/{name}/bias"][()]))
        return "trained parameters"
    except Exception as e:  # noqa: BLE001 - any failure means: no trained parameters
        return f"random parameters ({e.__class__.__name__})"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=int, default=1000, help="test images an experiment draws its input from")
    ap.add_argument("--model", default=os.path.join(here, "..", "configs", "models", "lenet5_fashion_mnist.h5"))
    ap.add_argument("--dataset-dir", default="/usr/share/datasets/fashion-mnist")
    add_timing_arguments(ap)
    args = ap.parse_args()
    torch.manual_seed(1)
    rng = random.Random(1)
    model = lenet5().eval()
    params = load_parameters(model, args.model)
    weights = [m.weight for m in model if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    x, labels, source = test_images(args.pool, args.dataset_dir)
    outcomes = {"masked": 0, "sdc": 0, "crash": 0, "not_counted": 0}
    experiments = [0]

    def experiment():
        w = weights[experiments[0] % len(weights)].view(-1).view(torch.int32)
        element, bit, image = rng.randrange(w.numel()), rng.randrange(32), rng.randrange(args.pool)
        flip = -(1 << 31) if bit == 31 else 1 << bit
        w[element] ^= flip
        logits = model(x[image:image + 1])
        w[element] ^= flip
        if not correct[image]:
            outcomes["not_counted"] += 1
        elif not torch.isfinite(logits).all():
            outcomes["crash"] += 1
        elif logits.argmax(1)[0] != labels[image]:
            outcomes["sdc"] += 1
        else:
            outcomes["masked"] += 1
        experiments[0] += 1
        return 1

    with torch.no_grad():
        correct = model(x).argmax(1) == labels
        print(f"SBF into LeNet-5's weights ({params}), one image of a pool of {args.pool} {source} images, "
              f"torch {torch.__version__}")
        time_threads(experiment, args)
    print(f"outcomes over every timed and warm-up experiment: {outcomes}")


if __name__ == "__main__":
    main()
