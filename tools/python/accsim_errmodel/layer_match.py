"""Which torch module is which accsim layer, and whether its shapes fit the file."""
import torch
import torch.nn as nn

from .words import ErrorModelError

_MODULE_TYPES = {"conv": nn.Conv2d, "fc": nn.Linear}


def _module_list(model):
    return ", ".join(f"{p} ({type(m).__name__})" for p, m in model.named_modules() if p) or "(no submodules)"


def _resolve_one(name, target, named, by_id):
    if isinstance(target, str):
        if target not in named:
            raise ErrorModelError(f"mapping[{name!r}] = {target!r}: the model has no module at that path")
        return target
    if isinstance(target, nn.Module):
        if id(target) not in by_id:
            raise ErrorModelError(f"mapping[{name!r}]: the {type(target).__name__} given is not a module of the model")
        return by_id[id(target)]
    raise ErrorModelError(f"mapping[{name!r}]: expected a torch module or a module path, got {type(target).__name__}")


def resolve_layers(model, em, mapping=None):
    """{accsim layer: module path in model}: the explicit mapping first ({layer: module or
    module path}), then modules named like the layers. Raises ErrorModelError unless
    every layer of the file finds its own module, naming the file's layers and the
    model's modules."""
    named = dict(model.named_modules())
    by_id = {id(m): p for p, m in named.items()}
    mapping = dict(mapping or {})
    unknown = [k for k in mapping if k not in em.layer_names]
    if unknown:
        raise ErrorModelError(f"mapping names {unknown}, which are not layers of {em.path}; "
                              f"its layers: {em.layer_names}")
    paths = {}
    for name in em.layer_names:
        if name in mapping:
            paths[name] = _resolve_one(name, mapping[name], named, by_id)
        elif name in named:
            paths[name] = name
    missing = [n for n in em.layer_names if n not in paths]
    if missing:
        raise ErrorModelError(
            f"{em.path}: no module of the {type(model).__name__} matches accsim layer(s) {missing} by name, and the "
            f"mapping does not name them. accsim layers: {', '.join(em.layer_names)}. Model modules: "
            f"{_module_list(model)}. Pass mapping={{accsim layer: module or module path}}, "
            f"e.g. {{{em.layer_names[0]!r}: '0'}}.")
    taken = {}
    for name, path in paths.items():
        if path in taken:
            raise ErrorModelError(f"accsim layers {taken[path]!r} and {name!r} both map to module {path!r}")
        taken[path] = name
    return paths


def _expected_weight_shape(em, name):
    k, c, r, s = em.forward(name).stationary_and.shape
    return (k, c * r * s) if em.kinds[name] == "fc" else (k, c, r, s)


def check_module(em, name, path, module):
    """Raises ErrorModelError naming the layer, the module and both shapes (or settings)
    unless the module is the kind of layer the file describes, with the same weights'
    shape and geometry, in float32."""
    where = f"accsim layer {name!r} -> module {path or '<model>'!r} ({type(module).__name__})"
    kind = em.kinds[name]
    if not isinstance(module, _MODULE_TYPES[kind]):
        raise ErrorModelError(f"{where}: an accsim {kind} layer needs an nn.{_MODULE_TYPES[kind].__name__}")
    expected, actual = _expected_weight_shape(em, name), tuple(module.weight.shape)
    if actual != expected:
        raise ErrorModelError(f"{where}: weight shape {list(actual)}, the error model expects {list(expected)}")
    if module.weight.dtype != torch.float32:
        raise ErrorModelError(f"{where}: weights in {module.weight.dtype}; accsim's error models apply to float32")
    if kind == "conv":
        stride, pad = em.geometry[name]
        got = (tuple(module.stride), tuple(module.padding), tuple(module.dilation), module.groups, module.padding_mode)
        want = ((stride, stride), (pad, pad), (1, 1), 1, "zeros")
        if got != want:
            raise ErrorModelError(f"{where}: stride, padding, dilation, groups, padding_mode {got}, "
                                  f"the error model expects {want}")


def check_call(em, name, path, x, y):
    """Raises ErrorModelError naming the layer and both shapes unless a forward call's
    input and output fit the layer of the file (any batch size)."""
    where = f"accsim layer {name!r} -> module {path or '<model>'!r}"
    sample = tuple(em.samples[name]["input"].shape[1:])
    out = tuple(em.forward(name).output_mask.shape[1:])
    if em.kinds[name] == "fc":
        sample, out = (sample[0] * sample[1] * sample[2],), out[:1]
    for what, want, got in (("input", sample, tuple(x.shape[1:])), ("output", out, tuple(y.shape[1:]))):
        if got != want:
            raise ErrorModelError(f"{where}: {what} shape {list(x.shape if what == 'input' else y.shape)}, "
                                  f"the error model expects [N, {', '.join(map(str, want))}]")
