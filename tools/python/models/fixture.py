"""The agreement fixture of a shipped model: PyTorch fp32 logits of the first N Fashion-MNIST
test images (file order), computed by the registry architecture with the weights of the
exported ONNX file (onnx_weights), and checked against the NumPy float64 interpreter of the
ONNX graph (onnx_reference) so that file and fixture are known to agree.

<name>.logits.h5: datasets `logits` float32 [N, 10], `labels` int32 [N]; attributes
`accuracy` (top-1 of the logits on these N images), model, onnx_sha256, images
("t10k first N"), count, max_abs_error_vs_reference, max_rel_error_vs_reference (|error| over
the image's largest |logit|), min_top1_margin (smallest gap between an image's two largest
logits: how far another fp32 summation order may move logits before a top-1 can change)."""
import hashlib

import h5py
import numpy as np
import onnx
import torch

import fmnist_data
import onnx_reference
import onnx_weights

COUNT = 1000
REFERENCE_CHUNK = 100  # images per NumPy interpreter call (bounds its memory)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def reference_logits(proto, x):
    return np.concatenate([onnx_reference.run(proto, {"input": x[i:i + REFERENCE_CHUNK]})["logits"]
                           for i in range(0, len(x), REFERENCE_CHUNK)])


def compute(name, onnx_path, data_dir=fmnist_data.DEFAULT_DIR, count=COUNT):
    """{logits, labels, accuracy, errors vs the float64 reference} for the first `count` images."""
    x, y = fmnist_data.load("test", data_dir, limit=count)
    model = onnx_weights.torch_from_onnx(name, onnx_path)
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy().astype(np.float32)
    ref = reference_logits(onnx.load(onnx_path), x)
    abs_err = np.abs(logits.astype(np.float64) - ref)
    scale = np.abs(ref).max(axis=1, keepdims=True)  # relative to the image's largest logit
    top1_ref = (ref.argmax(1) == logits.argmax(1)).mean()
    if top1_ref != 1.0:
        raise RuntimeError(f"{onnx_path}: torch and the NumPy reference disagree on top-1 "
                           f"for {(1 - top1_ref) * count:.0f} of {count} images")
    return {"logits": logits, "labels": y.astype(np.int32),
            "accuracy": float((logits.argmax(1) == y).mean()),
            "max_abs_error_vs_reference": float(abs_err.max()),
            "max_rel_error_vs_reference": float((abs_err / scale).max()),
            "min_top1_margin": float(np.diff(np.sort(logits, axis=1)[:, -2:], axis=1).min())}


def write(path, name, onnx_path, fx):
    with h5py.File(path, "w") as f:
        f.create_dataset("logits", data=fx["logits"])
        f.create_dataset("labels", data=fx["labels"])
        f.attrs["accuracy"] = fx["accuracy"]
        f.attrs["model"] = name
        f.attrs["onnx_sha256"] = sha256(onnx_path)
        f.attrs["images"] = f"Fashion-MNIST t10k, first {len(fx['labels'])} in file order, pixel/255"
        f.attrs["count"] = len(fx["labels"])
        f.attrs["max_abs_error_vs_reference"] = fx["max_abs_error_vs_reference"]
        f.attrs["max_rel_error_vs_reference"] = fx["max_rel_error_vs_reference"]
        f.attrs["min_top1_margin"] = fx["min_top1_margin"]
