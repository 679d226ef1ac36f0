"""Applying an error model's forward-pass patterns to a torch.nn.Module.

Every pattern of a layer's forward pass is applied, or apply() raises:
  * weight-register stuck-ats: AND/OR masks on the weights, in place (undone by
    Handle.remove());
  * input-register and multiplier stuck-ats (operand pairs, idle-row products): a
    forward hook adds their effect on the products to the output (within the rounding
    of a different summation order);
  * partial-sum and accumulator stuck-ats and every transient: a forward hook
    recomputes the output channels they reach as the array sums them (column_sums.py),
    bit for bit; transients on the image, position and step of the exported run they
    hit (image n of the run is element n of every forward call's batch).
"""
import copy as copy_module
from dataclasses import dataclass, field

import torch

from .column_sums import ColumnPlan, recompute_channels
from .layer_match import check_call, check_module, resolve_layers
from .model_file import PASSES, ErrorModel
from .operand_rules import masked_weight_words, operand_correction
from .words import ErrorModelError, bits, from_words, int8_scale


@dataclass
class LayerSummary:
    """What apply() did to one layer."""
    layer: str
    module: str
    module_type: str
    weights_masked: int = 0
    pair_rules: int = 0
    idle_rules: int = 0
    exact_channels: list = field(default_factory=list)  # recomputed as the array sums them
    reasons: list = field(default_factory=list)         # why they are recomputed
    transient_flips: int = 0
    file_summary: str = ""

    def line(self):
        parts = []
        if self.weights_masked:
            parts.append(f"{self.weights_masked} weights masked")
        if self.pair_rules or self.idle_rules:
            parts.append(f"hook: {self.pair_rules} operand-pair rule(s), {self.idle_rules} idle-product rule(s)")
        if self.exact_channels:
            parts.append(f"hook: output channel(s) {_short(self.exact_channels)} recomputed as the array sums them "
                         f"({', '.join(self.reasons)})")
        what = "; ".join(parts) or "nothing: no configured fault reaches its forward pass"
        return f"{self.layer} -> {self.module or '<model>'} ({self.module_type}): {what}"


def _short(values):
    return ", ".join(map(str, values)) if len(values) <= 8 else \
        f"{values[0]}, {values[1]}, ..., {values[-1]} ({len(values)} in all)"


def output_level_channels(em, pm):
    """The output channels partial-sum or accumulator stuck-ats or transients reach, and why."""
    channels, reasons = set(), []
    for site, why in (("psum", "partial-sum stuck-at"), ("accumulator", "accumulator stuck-at")):
        cols = em.stuck.columns_hit(site)
        hit = {int(c) for col in cols for c in pm.col_channels[:, col] if c >= 0}
        if hit:
            channels |= hit
            reasons.append(why)
    if pm.transient_count():
        channels |= {int(c) for c in pm.transients["out_channel"]}
        reasons.append(f"{pm.transient_count()} transient flip(s)")
    return sorted(channels), reasons


class LayerHook:
    """The forward hook of one layer: checks the call's shapes, adds the operand rules'
    effect and replaces the output-level channels by their recomputation."""

    def __init__(self, em, name, path, module, words, scale, plan):
        self.em, self.name, self.path = em, name, path
        self.pm = em.forward(name)
        self.kind = em.kinds[name]
        self.stride, self.pad = em.geometry[name]
        self.words, self.scale, self.plan = words, scale, plan
        self.applied_bits = bits(module.weight.detach()).clone()

    def weight_words(self, module):
        """The weight registers' words: those of apply() unless the weights changed since."""
        w = module.weight.detach()
        if torch.equal(bits(w), self.applied_bits):
            return self.words, self.scale
        scale = int8_scale(w) if self.em.datatype == "int8" else 1.0
        return masked_weight_words(w, self.pm, scale), scale

    def __call__(self, module, inputs, output):
        x = inputs[0].detach()
        check_call(self.em, self.name, self.path, x, output)
        y = output
        if self.pm.pairs or self.pm.idle_products:
            w = module.weight.detach()
            w = w.reshape(w.shape[0], -1, 1, 1) if self.kind == "fc" else w
            y = y + operand_correction(x, w, self.pm, self.kind, self.stride, self.pad, self.scale).reshape(y.shape)
        if self.plan is not None:
            y = self._recompute(module, x, y if y is not output else output.clone())
        return y

    def _recompute(self, module, x, y):
        xs = x.to(torch.float32)
        xs = xs.reshape(xs.shape[0], -1, 1, 1) if self.kind == "fc" else xs
        words, w_scale = self.weight_words(module)
        scales = (w_scale, int8_scale(xs) if self.em.datatype == "int8" else 1.0)
        z = recompute_channels(xs, words, self.plan, self.stride, self.pad, scales)
        ch = torch.tensor(self.plan.channels)
        if module.bias is not None:  # the host adds the bias to the array's output
            z = z + module.bias.detach()[ch].reshape(1, -1, 1, 1)
        with torch.no_grad():  # the values are the array's; gradients pass as through the healthy layer
            y[:, ch] = z.reshape(z.shape[0], -1) if self.kind == "fc" else z
        return y


class Handle:
    """What apply() did: the corrupted model, a summary per layer, and remove(), which
    restores the weights bit for bit and removes the hooks."""

    def __init__(self, model, em):
        self.model, self.em = model, em
        self.summary = []
        self._hooks, self._saved = [], []
        self.removed = False

    @property
    def hooks(self):
        """The forward hooks' torch handles (empty when only weights changed)."""
        return list(self._hooks)

    def remove(self):
        for h in self._hooks:
            h.remove()
        with torch.no_grad():
            for module, weight in self._saved:
                module.weight.copy_(weight)
        for module, _ in self._saved:
            module.__dict__.pop("_accsim_errmodel", None)
        self._hooks, self._saved = [], []
        self.removed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def report(self):
        lines = [f"accsim error model {self.em.path} ({self.em.datatype}, {self.em.atomic_c}x{self.em.atomic_k}):"]
        lines += ["  " + s.line() for s in self.summary]
        backward = [f"{n} {p}" for n in self.em.layer_names for p in PASSES[1:] if self.em.layers[n][p].effects]
        if backward:
            lines.append(f"  not applied: {len(backward)} backward pass(es) carry patterns ({', '.join(backward[:4])}"
                         f"{', ...' if len(backward) > 4 else ''}); apply() corrupts the forward pass")
        return "\n".join(lines)


def _prepare(em, name, path, module):
    """Checks a layer and computes what applying it takes, changing nothing."""
    check_module(em, name, path, module)
    pm = em.forward(name)
    if pm.unplaced:
        raise ErrorModelError(f"{em.path}: {name} fwd lists unplaced transients {pm.unplaced}: cannot apply them")
    scale = int8_scale(module.weight) if em.datatype == "int8" else 1.0  # before any mask
    words = masked_weight_words(module.weight, pm, scale)
    channels, reasons = output_level_channels(em, pm)
    plan = ColumnPlan(em, pm, channels) if channels else None
    s = LayerSummary(name, path, type(module).__name__, pm.weight_masks_count(), len(pm.pairs),
                     len(pm.idle_products), channels, reasons, pm.transient_count(), pm.summary)
    return pm, scale, words, plan, s


def apply(model, em, mapping=None, *, copy=False, verbose=True):
    """Applies the forward-pass patterns of an error model (an ErrorModel or a file path)
    to `model` and returns a Handle. mapping: {accsim layer name: torch module or module
    path}; layers it does not name match modules of the same name. copy=True leaves
    `model` untouched and corrupts a deep copy (Handle.model). Raises ErrorModelError,
    changing nothing, when a layer has no module, a shape or setting differs, or a
    pattern cannot be applied. verbose: print the summary."""
    em = em if isinstance(em, ErrorModel) else ErrorModel(em)
    paths = resolve_layers(model, em, mapping)
    target = copy_module.deepcopy(model) if copy else model
    modules = {name: target.get_submodule(path) for name, path in paths.items()}
    for name, module in modules.items():
        if "_accsim_errmodel" in module.__dict__:
            raise ErrorModelError(f"module {paths[name]!r} already carries an accsim error model: remove() its "
                                  "handle first")
    prepared = {name: _prepare(em, name, paths[name], m) for name, m in modules.items()}
    handle = Handle(target, em)
    for name, module in modules.items():
        pm, scale, words, plan, summary = prepared[name]
        handle._saved.append((module, module.weight.detach().clone()))
        module.__dict__["_accsim_errmodel"] = em.path
        if pm.has_weight_masks():
            with torch.no_grad():
                module.weight.copy_(from_words(words, em.datatype, scale).reshape(module.weight.shape))
        if pm.pairs or pm.idle_products or plan is not None:
            hook = LayerHook(em, name, paths[name], module, words, scale, plan)
            handle._hooks.append(module.register_forward_hook(hook))
        handle.summary.append(summary)
    if verbose:
        print(handle.report())
    return handle


def corrupt(model, em, mapping=None, *, verbose=True):
    """A corrupted deep copy of `model` (PyTorchFI style); `model` stays untouched."""
    return apply(model, em, mapping, copy=True, verbose=verbose).model


def replay_sample(output, xor_bits):
    """Output-level replay on the exported sample: flips the bits accsim saw change.

    Applied to accsim's fault-free layer output it gives accsim's faulty output exactly.
    """
    x = torch.from_numpy(xor_bits.astype("uint32").view("int32")).reshape(output.shape)
    return (bits(output.to(torch.float32)) ^ x).view(torch.float32)
