#!/usr/bin/python3
"""Exports torchvision's ResNet-18 and MobileNetV2 (ImageNet shapes: input [batch, 3, 224,
224], 1000 logits) with seeded random weights to ONNX, for architects' performance runs
(layer shapes and cycle counts only: the weights are not trained). The files are not
committed (about 45 MB and 14 MB); configs/models/torchvision/ is git-ignored.

usage: export_torchvision.py [--out-dir configs/models/torchvision] [--seed N] [NAME ...]
NAME: resnet18, mobilenet_v2 (default both). Same export as the shipped models
(onnx_export.py: opset 14, input "input", output "logits", dynamic batch, BatchNorm folded
into conv weights named after the conv modules).
"""
import argparse
import os

import torch
import torchvision

import onnx_export
import onnx_ops

MODELS = {"resnet18": torchvision.models.resnet18, "mobilenet_v2": torchvision.models.mobilenet_v2}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", default=sorted(MODELS), help=f"any of {sorted(MODELS)}")
    ap.add_argument("--out-dir", default="configs/models/torchvision")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    unknown = [n for n in args.names if n not in MODELS]
    if unknown:
        ap.error(f"unknown model(s) {unknown}; expected any of {sorted(MODELS)}")
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for name in args.names:
        torch.manual_seed(args.seed)
        model = MODELS[name](weights=None)
        path = os.path.join(args.out_dir, f"{name}.onnx")
        proto = onnx_export.export(model, path, input_shape=(1, 3, 224, 224))
        ops = ", ".join(f"{op} x{s['count']}" for op, s in onnx_ops.op_summary(proto).items())
        print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB; {ops}")


if __name__ == "__main__":
    main()
