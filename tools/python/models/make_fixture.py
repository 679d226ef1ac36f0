#!/usr/bin/python3
"""Rewrites the agreement fixture(s) from the shipped ONNX file(s), without retraining.

usage: make_fixture.py [NAME ...] [--models-dir configs/models] [--data-dir DIR]
(no NAME: every model of the registry). Writes <models-dir>/<NAME>.logits.h5 (fixture.py).
"""
import argparse
import os

import torch

import fixture
import fmnist_data
import registry


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", default=sorted(registry.MODELS))
    ap.add_argument("--models-dir", default="configs/models")
    ap.add_argument("--data-dir", default=fmnist_data.DEFAULT_DIR)
    args = ap.parse_args()
    torch.set_num_threads(1)
    for name in args.names:
        registry.build(name)  # unknown names exit here
        onnx_path = os.path.join(args.models_dir, f"{name}.onnx")
        fx = fixture.compute(name, onnx_path, args.data_dir)
        out = os.path.join(args.models_dir, f"{name}.logits.h5")
        fixture.write(out, name, onnx_path, fx)
        print(f"{out}: accuracy {fx['accuracy']:.4f} on {len(fx['labels'])} images, max |torch - "
              f"float64 reference| {fx['max_abs_error_vs_reference']:.2e} "
              f"(relative {fx['max_rel_error_vs_reference']:.2e}); smallest top-1 margin "
              f"{fx['min_top1_margin']:.2e}")


if __name__ == "__main__":
    main()
