#!/usr/bin/python3
"""Trains one shipped model on Fashion-MNIST, exports it to ONNX and writes its card and
agreement fixture. Deterministic for a given machine and library versions (fixed seed,
seeded data order, one thread, deterministic kernels).

usage: train_model.py NAME [--out-dir configs/models] [--seed N] [--epochs N] [--threads N]
                            [--data-dir DIR]
NAME: resnet8_fmnist, mobilenet_fmnist or vit_fmnist (registry.py). Writes NAME.onnx,
NAME.card.json and NAME.logits.h5 into --out-dir.
"""
import argparse
import copy
import os

import numpy as np
import torch

import fixture
import fmnist_data
import model_card
import onnx_export
import onnx_weights
import registry
import training


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name", choices=sorted(registry.MODELS))
    ap.add_argument("--out-dir", default="configs/models")
    ap.add_argument("--seed", type=int, help="overrides the registry's seed")
    ap.add_argument("--epochs", type=int, help="overrides the registry's epochs")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data-dir", default=fmnist_data.DEFAULT_DIR)
    return ap.parse_args()


def main():
    args = parse_args()
    entry = copy.deepcopy(registry.MODELS[args.name])
    if args.seed is not None:
        entry["seed"] = args.seed
    if args.epochs is not None:
        entry["hp"]["epochs"] = args.epochs
    training.make_deterministic(entry["seed"], args.threads)
    model = entry["build"]()
    data = fmnist_data.load("train", args.data_dir) + fmnist_data.load("test", args.data_dir)
    log = lambda s: print(f"{args.name}: {s}", flush=True)  # noqa: E731
    history, wall, cpu = training.train(model, data, entry["hp"], entry["seed"], log)
    acc, logits = training.evaluate(model, data[2], data[3])

    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, f"{args.name}.onnx")
    proto = onnx_export.export(model, onnx_path)
    acc_onnx, logits_onnx = training.evaluate(onnx_weights.torch_from_onnx(args.name, onnx_path),
                                              data[2], data[3])
    log(f"exported {onnx_path} ({os.path.getsize(onnx_path)} bytes); test accuracy {acc:.4f} "
        f"trained, {acc_onnx:.4f} from the ONNX weights (max |logit diff| "
        f"{np.abs(logits - logits_onnx).max():.2e})")

    fx = fixture.compute(args.name, onnx_path, args.data_dir)
    fixture.write(os.path.join(args.out_dir, f"{args.name}.logits.h5"), args.name, onnx_path, fx)
    result = {"parameters": sum(p.numel() for p in model.parameters()), "threads": args.threads,
              "wall_s": wall, "cpu_s": cpu, "history": history, "test_accuracy_pytorch": acc,
              "test_accuracy_onnx_weights": acc_onnx, "fixture_accuracy": fx["accuracy"]}
    model_card.write(os.path.join(args.out_dir, f"{args.name}.card.json"),
                     model_card.card(args.name, entry, proto, onnx_path, result))
    log(f"fixture accuracy {fx['accuracy']:.4f} on {len(fx['labels'])} images; max |torch - "
        f"float64 reference| {fx['max_abs_error_vs_reference']:.2e}; trained in {wall:.0f} s wall, "
        f"{cpu:.0f} s CPU")


if __name__ == "__main__":
    main()
