"""<name>.card.json: what a shipped model is and how it was made (accuracy, epochs, seed,
parameter count, opset, op types, training time), written by train_model.py."""
import json
import os
import platform

import onnx
import torch

import onnx_ops


def card(name, entry, proto, onnx_path, result):
    """The card as a dict; `result` holds the measured figures of the training run."""
    inits = proto.graph.initializer
    return {
        "model": name,
        "onnx": os.path.basename(onnx_path),
        "onnx_bytes": os.path.getsize(onnx_path),
        "architecture": entry["summary"],
        "input": "input float32 [batch, 1, 28, 28], Fashion-MNIST pixel / 255 (no mean/std shift)",
        "output": "logits float32 [batch, 10]",
        "opset": proto.opset_import[0].version,
        "op_types": {op: s["count"] for op, s in onnx_ops.op_summary(proto).items()},
        "parameters_pytorch": result["parameters"],
        "parameters_onnx": sum(int(torch.tensor(list(t.dims)).prod()) for t in inits),
        "initializers": len(inits),
        "seed": entry["seed"],
        "hyperparameters": entry["hp"],
        "epochs": entry["hp"]["epochs"],
        "optimizer": "AdamW, one-cycle learning rate, cross-entropy, random shifts of up to "
                     f"{entry['hp']['shift']} px",
        "threads": result["threads"],
        "train_wall_s": round(result["wall_s"], 1),
        "train_cpu_s": round(result["cpu_s"], 1),
        "history": result["history"],
        "test_accuracy_pytorch": result["test_accuracy_pytorch"],
        "test_accuracy_onnx_weights": result["test_accuracy_onnx_weights"],
        "test_images": 10000,
        "fixture": f"{name}.logits.h5",
        "fixture_accuracy": result["fixture_accuracy"],
        "versions": {"torch": torch.__version__, "onnx": onnx.__version__,
                     "python": platform.python_version()},
        "command": f"nice -n 10 /usr/bin/python3 tools/python/models/train_model.py {name}",
    }


def write(path, content):
    with open(path, "w") as f:
        json.dump(content, f, indent=1)
        f.write("\n")
