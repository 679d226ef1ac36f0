"""Exports a trained model to ONNX for accsim's importer: eval mode, opset 14, input
"input" [batch, 1, 28, 28] and output "logits" [batch, 10] with a dynamic batch axis
named "batch", then checked by onnx.checker and onnx.shape_inference (strict).

Initializers keep the PyTorch parameter names, so PVF targets select them by glob:
torch folds each BatchNorm into the conv before it and names the folded tensors
`onnx::Conv_<n>`; they are renamed `<conv module>.weight` / `<conv module>.bias` (the
folded bias belongs to the conv that had none). torch also shares identical
initializers through Identity nodes; those are undone so that every tensor has its own.
"""
import io
import re

import onnx
import torch

OPSET = 14
INPUT, OUTPUT = "input", "logits"


def export(model, path, input_shape=(1, 1, 28, 28)):
    """Writes `model` (eval mode) to `path`; returns the checked, shape-inferred ModelProto.
    The batch dimension of `input_shape` is exported as the dynamic axis "batch"."""
    model.eval()
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(model, torch.zeros(*input_shape), buf, opset_version=OPSET,
                          input_names=[INPUT], output_names=[OUTPUT], do_constant_folding=True,
                          dynamic_axes={INPUT: {0: "batch"}, OUTPUT: {0: "batch"}})
    proto = onnx.load_from_string(buf.getvalue())
    inline_identities(proto.graph)
    rename_folded_convs(proto.graph, model)
    check_names(proto.graph, model)
    onnx.checker.check_model(proto, full_check=True)
    proto = onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True)
    onnx.save(proto, path)
    return proto


def inline_identities(graph):
    """Replaces Identity(initializer) outputs by copies of the initializer under the output name."""
    inits = {t.name: t for t in graph.initializer}
    for node in [n for n in graph.node if n.op_type == "Identity" and n.input[0] in inits]:
        copy = onnx.TensorProto()
        copy.CopyFrom(inits[node.input[0]])
        copy.name = node.output[0]
        graph.initializer.append(copy)
        graph.node.remove(node)


def module_path(node_name):
    """'/layer1/conv1/conv1.0/Conv' -> 'layer1.conv1.0' (torch scope names repeat the
    parent in a Sequential child's component: 'conv1' then 'conv1.0')."""
    path = []
    for comp in node_name.strip("/").split("/")[:-1]:
        if path and comp.startswith(path[-1] + "."):
            path[-1] = comp
        else:
            path.append(comp)
    return ".".join(path)


def rename_tensor(graph, old, new):
    for t in graph.initializer:
        if t.name == old:
            t.name = new
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == old:
                node.input[i] = new


def rename_folded_convs(graph, model):
    modules = dict(model.named_modules())
    generated = re.compile(r"^onnx::")
    for node in [n for n in graph.node if n.op_type == "Conv"]:
        owner = module_path(node.name)
        if not isinstance(modules.get(owner), torch.nn.Conv2d):
            raise RuntimeError(f"Conv node {node.name}: no Conv2d module '{owner}' in the model")
        for old, kind in zip(node.input[1:], ("weight", "bias")):
            if generated.match(old):
                rename_tensor(graph, old, f"{owner}.{kind}")


def check_names(graph, model):
    """Every initializer is a parameter (or folded conv tensor) name; every parameter that
    is not a folded BatchNorm's is an initializer."""
    inits = {t.name for t in graph.initializer}
    stray = sorted(n for n in inits if n.startswith("onnx::"))
    if stray:
        raise RuntimeError(f"initializers without a parameter name: {stray}")
    bn = {f"{name}.{p}" for name, m in model.named_modules()
          if isinstance(m, torch.nn.BatchNorm2d) for p in ("weight", "bias")}
    missing = sorted(n for n, _ in model.named_parameters() if n not in bn and n not in inits)
    if missing:
        raise RuntimeError(f"parameters missing from the ONNX initializers: {missing}")
