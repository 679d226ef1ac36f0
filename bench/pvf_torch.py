#!/usr/bin/python3
"""PyTorch baseline of accsim's PVF benchmark (bench/pvf_bench.cpp).

The PVF paper's fault-injection loop on LeNet-5 with single bit flips (SBF): per
experiment, pick the target layer (round robin over conv1, conv2, fc1, fc2, fc3), flip
one random bit of one random weight of it, run inference on one test image drawn at
random, classify (crash: NaN/Inf logits; SDC: a correct prediction turns wrong;
masked), flip the bit back. Prints on its last line "rate <experiments per wall
second> ... cpu_rate <per CPU second>".

Uses the trained parameters of configs/models/lenet5_fashion_mnist.h5 when h5py can
read them (else seeded random ones). Exit code 3 (and a "skip:" line) without torch.
"""
import argparse
import os
import random
import sys
import time

try:
    import torch
except ImportError:
    print("skip: python3-torch is not installed (Debian package python3-torch)")
    sys.exit(3)

from campaign_torch import lenet5, test_images


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
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", default=os.path.join(here, "..", "configs", "models", "lenet5_fashion_mnist.h5"))
    ap.add_argument("--dataset-dir", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    rng = random.Random(1)
    model = lenet5().eval()
    params = load_parameters(model, args.model)
    weights = [m.weight for m in model if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    x, labels, source = test_images(args.pool, args.dataset_dir)
    with torch.no_grad():
        correct = model(x).argmax(1) == labels
        outcomes = {"masked": 0, "sdc": 0, "crash": 0, "not_counted": 0}
        experiments = 0
        start = time.perf_counter()
        cpu_start = time.process_time()
        while True:
            w = weights[experiments % len(weights)].view(-1).view(torch.int32)
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
            experiments += 1
            elapsed = time.perf_counter() - start
            if elapsed >= args.seconds and experiments >= 3:
                break
    cpu = time.process_time() - cpu_start
    print(f"{experiments} experiments, {params}, pool of {args.pool} {source} images, {args.threads} threads, torch "
          f"{torch.__version__}: {outcomes}")
    print(f"rate {experiments / elapsed:.1f} experiments/s experiments {experiments} seconds {elapsed:.3f} "
          f"cpu_seconds {cpu:.3f} cpu_rate {experiments / cpu:.1f}")


if __name__ == "__main__":
    main()
