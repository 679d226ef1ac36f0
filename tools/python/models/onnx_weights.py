"""PyTorch models computing from the weights of an exported ONNX file: the registry's
architecture with each BatchNorm replaced by the bias torch folded into the conv before it,
every parameter loaded from the initializer of the same name (both ways strict)."""
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

import registry


def fold_batchnorms(model):
    """Replaces every BatchNorm2d by Identity (in place); returns the model."""
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.BatchNorm2d):
                setattr(parent, name, nn.Identity())
    return model


def load_initializers(model, proto):
    """Copies every initializer into the parameter of the same name; a conv without bias gets
    one when the file has `<conv>.bias` (a folded BatchNorm's)."""
    inits = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in proto.graph.initializer}
    return load_tensors(model, inits)


def load_tensors(model, inits):
    """load_initializers from a dict name -> tensor (e.g. seeded initial parameters)."""
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d) and m.bias is None and f"{name}.bias" in inits:
            m.bias = nn.Parameter(torch.zeros(m.out_channels))
    params = dict(model.named_parameters())
    if set(params) != set(inits):
        raise RuntimeError(f"ONNX initializers and model parameters differ: only in ONNX "
                           f"{sorted(set(inits) - set(params))}, only in the model "
                           f"{sorted(set(params) - set(inits))}")
    with torch.no_grad():
        for name, p in params.items():
            if tuple(p.shape) != tuple(inits[name].shape):
                raise RuntimeError(f"{name}: ONNX shape {list(inits[name].shape)}, model {list(p.shape)}")
            p.copy_(inits[name])
    return model.eval()


def torch_from_onnx(name, path):
    """The registry model `name` (eval mode) with the weights of the ONNX file at `path`."""
    return load_initializers(fold_batchnorms(registry.build(name)), onnx.load(path))
