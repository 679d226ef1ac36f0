#!/usr/bin/python3
"""PyTorch reference for `accsim train` on an ONNX model: trains the same model (the
registry's architecture with BatchNorms folded, exactly the graph of the ONNX file) from
the same initial weights, in the same data order, with the same SGD, and prints the
fault-free final test accuracy next to which accsim's can be put (docs/training.md).
graph_accuracy_study.py runs both over several seeds and pairs them.

usage: graph_train_reference.py CONFIG [--seed N] [--threads N] [--epochs N] [--train-limit N]
                                [--test-limit N]
CONFIG: an accsim train config whose workload.model is a shipped model
(configs/experiments/*_fmnist_train.json). --seed is accsim's --seed (default: the config's).

What is reproduced from accsim (workloads/training):
  - initial weights: training.init "onnx" loads the file's initializers; "seeded" and
    "kaiming" redraw them as graph_init.cpp does (per parameter, in name order, accsim's
    splitmix64 stream);
  - data order: epoch_order() of training_batches.cpp (a seeded Fisher-Yates per epoch);
  - data split: the first train_limit images of the training file (or all but the last
    validation_size), the first test_limit test images;
  - update: the config's optimiser and learning-rate schedule (SGD with momentum, weight
    decay, Nesterov; Adam; AdamW; warm-up, cosine, step decay) as torch.optim objects
    (train_recipe.py), which kernels/sgd.h, kernels/adam.h and kernels/lr_schedule.h mirror.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

import fmnist_data
import onnx_weights
import registry
import train_recipe
import training

MASK = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


class Rng:
    """arch/random.h's Rng."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        v = splitmix64((self.state * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & MASK)
        self.state = (self.state + 1) & MASK
        return v

    def below(self, n):
        return self.next() % n

    def uniform(self, lo, hi):  # float32 arithmetic, as in C++
        u = np.float32(self.next() >> 40) * np.float32(1.0 / 16777216.0)
        return np.float32(lo + np.float32(np.float32(hi - lo) * u))


def epoch_order(n, seed, epoch):
    """training_batches.cpp epoch_order."""
    v = list(range(n))
    rng = Rng(splitmix64(seed ^ ((0x747261696E000000 + epoch) & MASK)))
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1)
        v[i], v[j] = v[j], v[i]
    return v


# graph_init.cpp's seeded schemes: (weight bound, bias bound) of a Conv or Gemm from its fan_in.
SEEDED_INITS = {
    "seeded": lambda fan_in: (np.float32(1.0) / np.sqrt(np.float32(fan_in)),) * 2,
    "kaiming": lambda fan_in: (np.sqrt(np.float32(6.0) / np.float32(fan_in)), 0.0),
}


def init_rule(proto, node, index, init):
    """graph_init.cpp rule_for: (uniform bound, fill)."""
    shapes = {t.name: list(t.dims) for t in proto.graph.initializer}
    if node.op_type in ("Conv", "Gemm") and index in (1, 2):
        w = shapes[node.input[1]]
        if node.op_type == "Conv":
            fan_in = int(np.prod(w[1:]))
        else:
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            fan_in = w[1] if trans_b else w[0]
        return SEEDED_INITS[init](fan_in)[index - 1], 0.0
    return 0.0, 1.0 if node.op_type == "Mul" else 0.0


def seeded_parameters(proto, seed, init="seeded"):
    """graph_init.cpp seeded_parameters for the initializers of `proto`."""
    rules = {}
    for node in proto.graph.node:
        for i, name in enumerate(node.input):
            rules.setdefault(name, init_rule(proto, node, i, init))
    params = {}
    for index, t in enumerate(sorted(proto.graph.initializer, key=lambda t: t.name.encode())):
        bound, fill = rules[t.name]
        rng = Rng(splitmix64(seed ^ (0x696E6974000000 + index)))
        n = int(np.prod(t.dims)) if t.dims else 1
        if bound > 0:
            values = np.array([rng.uniform(-bound, bound) for _ in range(n)], dtype=np.float32)
        else:
            values = np.full(n, fill, dtype=np.float32)
        params[t.name] = torch.from_numpy(values.reshape(list(t.dims)))
    return params


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--train-limit", type=int)
    ap.add_argument("--test-limit", type=int)
    return ap.parse_args()


def settings(args):
    with open(args.config) as f:
        config = json.load(f)
    t = config.get("training", {})
    s = {
        "model": os.path.join(os.path.dirname(os.path.abspath(args.config)), config["workload"]["model"]),
        "seed": args.seed if args.seed is not None else config.get("seed", 1),
        "epochs": args.epochs or t.get("epochs", 5),
        "batch": t.get("batch_size", 64),
        "training": t,
        "validation_size": t.get("validation_size", 5000),
        "train_limit": args.train_limit if args.train_limit is not None else t.get("train_limit", 0),
        "test_limit": args.test_limit or t.get("test_limit", 10000),
        "init": t.get("init", "onnx"),
    }
    s["name"] = os.path.splitext(os.path.basename(s["model"]))[0]
    return s


def build_model(s):
    proto = onnx.load(s["model"])
    model = onnx_weights.fold_batchnorms(registry.build(s["name"]))
    if s["init"] in SEEDED_INITS:
        return onnx_weights.load_tensors(model, seeded_parameters(proto, s["seed"], s["init"]))
    return onnx_weights.load_initializers(model, proto)


def train(model, s, x, y):
    opt, sched = train_recipe.make(model.parameters(), s["training"], s["epochs"], len(x), s["batch"])
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(s["epochs"]):
        model.train()
        order = torch.tensor(epoch_order(len(xt), s["seed"], epoch))
        loss_sum, correct, t0 = 0.0, 0, time.perf_counter()
        for i in range(0, len(xt), s["batch"]):
            idx = order[i:i + s["batch"]]
            logits = model(xt[idx])
            loss = F.cross_entropy(logits, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yt[idx]).sum())
        wall = time.perf_counter() - t0
        print(f"epoch {epoch + 1}: loss {loss_sum / len(xt):.4f} train acc {correct / len(xt):.4f} "
              f"({len(xt) / wall:.0f} images/s)", flush=True)


def main():
    args = parse_args()
    s = settings(args)
    training.make_deterministic(s["seed"], args.threads)
    train_part = 60000 - s["validation_size"]
    x, y = fmnist_data.load("train", limit=s["train_limit"] or train_part)
    x_test, y_test = fmnist_data.load("test", limit=s["test_limit"])
    model = build_model(s)
    print(f"{s['name']}: {train_recipe.describe(s['training'])}, batch {s['batch']}, {s['epochs']} epochs, "
          f"{len(x)} training images, seed {s['seed']}", flush=True)
    train(model, s, x, y)
    acc, _ = training.evaluate(model, x_test, y_test)
    print(f"test accuracy {acc:.4f} fault-free ({len(x_test)} images), {s['name']}, init {s['init']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
