#!/usr/bin/python3
"""Apply accsim error models to a PyTorch model.

An error-model file (written by `accsim errmodel`, layout in docs/error_model.md)
describes, for every layer and pass of a network, what the configured hardware faults
of the simulated array do to the layer's tensors. This module reads it with h5py and
applies the forward-pass patterns to a torch.nn.Module:

  * weight level: AND/OR bit masks on the layer's weights (weight-register stuck-ats),
    applied to the parameters in place;
  * operand-pair level: input-register and multiplier stuck-ats act on the products of
    given (output channel, input channel) pairs; a forward hook recomputes those
    products with the forced bits and corrects the layer output;
  * idle-multiplier products that enter a column's sums (forward hook);
  * output level, for the exported sample: the bit differences accsim observed, an
    exact replay of every fault kind on that input (`replay_sample`).

Uses only Debian's python3-h5py, python3-numpy and python3-torch:
    /usr/bin/python3 tools/python/accsim_errmodel.py em.h5     # print the summaries
"""
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

FORMAT = "accsim-error-model"
VERSION = 1


class ErrorModelError(ValueError):
    """The file is not an error-model file this reader understands."""


def _as_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def _bits(t):
    """A float32 tensor's bits as int32 (same storage size, exact)."""
    return t.contiguous().view(torch.int32)


def _mask_bits(t, and_mask, or_mask):
    """(bits & and) | or on a float32 tensor; masks are uint32 values."""
    a = torch.tensor(np.uint32(and_mask).view(np.int32).item(), dtype=torch.int32)
    o = torch.tensor(np.uint32(or_mask).view(np.int32).item(), dtype=torch.int32)
    return ((_bits(t) & a) | o).view(torch.float32)


class PassModel:
    """One layer's pass: masks over the stationary and output tensors, rules, summary."""

    def __init__(self, group):
        self.summary = _as_str(group.attrs["summary"])
        self.stationary = _as_str(group.attrs["stationary"])
        self.output = _as_str(group.attrs["output"])
        self.stationary_mask = group["stationary_mask"][()].astype(bool)
        self.stationary_and = group["stationary_and"][()].astype(np.uint32)
        self.stationary_or = group["stationary_or"][()].astype(np.uint32)
        self.output_mask = group["output_mask"][()].astype(bool)
        pairs = group["pairs"]
        self.pairs = [
            (_as_str(s), int(o), int(i), int(a), int(r))
            for s, o, i, a, r in zip(pairs["site"][()], pairs["out_channel"][()], pairs["in_channel"][()],
                                     pairs["and_mask"][()], pairs["or_mask"][()])
        ]
        idle = group["idle_products"]
        self.idle_products = [
            (int(o), int(n), np.uint32(v).view(np.float32).item())
            for o, n, v in zip(idle["out_channel"][()], idle["steps"][()], idle["value_bits"][()])
        ]
        self.effects = [_as_str(s) for s in group["effects"][()]]

    def has_weight_masks(self):
        return bool((self.stationary_and != 0xFFFFFFFF).any() or (self.stationary_or != 0).any())


class ErrorModel:
    """An error-model file: per layer, a PassModel for "fwd", "bwd_data", "bwd_weight"."""

    def __init__(self, path):
        self.path = path
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            raise ErrorModelError(f"{path}: cannot open as HDF5 ({e})") from e
        with f:
            fmt = _as_str(f.attrs.get("format", ""))
            if fmt != FORMAT:
                raise ErrorModelError(f"{path}: not an accsim error-model file (format {fmt!r}, expected {FORMAT!r})")
            version = int(f.attrs.get("version", -1))
            if version != VERSION:
                raise ErrorModelError(
                    f"{path}: error-model version {version}, this reader understands version {VERSION} "
                    "(docs/error_model.md)")
            self.attrs = {k: (_as_str(v) if isinstance(v, (bytes, str)) else v) for k, v in f.attrs.items()}
            self.layer_names = [_as_str(s) for s in f["layer_names"][()]]
            self.layers = {}
            self.samples = {}
            self.kinds = {}
            self.geometry = {}
            for name in self.layer_names:
                g = f["layers"][name]
                self.kinds[name] = _as_str(g.attrs["kind"])
                self.geometry[name] = (int(g.attrs["stride"]), int(g.attrs["pad"]))
                self.layers[name] = {p: PassModel(g[p]) for p in ("fwd", "bwd_data", "bwd_weight")}
                s = g["sample"]
                self.samples[name] = {k: torch.from_numpy(s[k][()]) for k in
                                      ("input", "weights", "golden_output", "faulty_output")}
                self.samples[name]["output_xor"] = s["output_xor"][()].astype(np.uint32)
            self.summaries = [_as_str(s) for s in f["summaries"][()]]

    def forward(self, layer):
        return self.layers[layer]["fwd"]


def masked_weight(weight, pm):
    """The weights as the faulty weight registers hold them (forward pass)."""
    w = weight.detach().to(torch.float32).contiguous()
    a = torch.from_numpy(pm.stationary_and.reshape(w.shape).view(np.int32))
    o = torch.from_numpy(pm.stationary_or.reshape(w.shape).view(np.int32))
    return ((_bits(w) & a) | o).view(torch.float32)


def operand_correction(x, weight, pm, kind, stride, pad):
    """What the pair and idle-product rules add to a layer's output (forward pass).

    x: the layer input ([N, C, H, W] for conv, [N, C] for linear); weight: the weights the
    array holds (already masked). The products of each affected (oc, ic) pair are
    recomputed with the forced input/product bits; padding zeros pass through the
    faulty input register like any value, as in the hardware.
    """
    if kind == "fc":
        x = x.reshape(x.shape[0], -1, 1, 1)
        weight = weight.reshape(weight.shape[0], -1, 1, 1)
    xp = F.pad(x.to(torch.float32), (pad, pad, pad, pad))
    n = xp.shape[0]
    kr, ks = weight.shape[2], weight.shape[3]
    ho = (xp.shape[2] - kr) // stride + 1
    wo = (xp.shape[3] - ks) // stride + 1
    delta = torch.zeros(n, weight.shape[0], ho * wo, dtype=torch.float32)
    by_pair = {}
    for site, oc, ic, a, o in pm.pairs:
        by_pair.setdefault((oc, ic), {})[site] = (a, o)
    for (oc, ic), sites in by_pair.items():
        cols = F.unfold(xp[:, ic:ic + 1], (kr, ks), stride=stride)  # [N, R*S, L]
        w = weight[oc, ic].reshape(1, kr * ks, 1)
        healthy = cols * w
        xin = _mask_bits(cols, *sites["input"]) if "input" in sites else cols
        prod = xin * w
        if "product" in sites:
            prod = _mask_bits(prod, *sites["product"])
        delta[:, oc] += (prod - healthy).sum(dim=1)
    for oc, steps, value in pm.idle_products:
        delta[:, oc] += steps * value
    delta = delta.reshape(n, weight.shape[0], ho, wo)
    return delta.reshape(n, -1) if kind == "fc" else delta


def apply(model, em, modules=None):
    """Applies the forward-pass error models to `model` in place and returns the hook handles.

    modules: {layer name: nn.Conv2d or nn.Linear}; default: the model's submodules whose
    names (model.named_modules()) match the file's layer names.
    """
    if modules is None:
        named = dict(model.named_modules())
        modules = {name: named[name] for name in em.layer_names if name in named}
    handles = []
    for name, module in modules.items():
        pm = em.forward(name)
        if pm.has_weight_masks():
            with torch.no_grad():
                module.weight.copy_(masked_weight(module.weight, pm).reshape(module.weight.shape))
        if pm.pairs or pm.idle_products:
            stride, pad = em.geometry[name]
            kind = em.kinds[name]

            def hook(mod, inputs, output, pm=pm, stride=stride, pad=pad, kind=kind):
                w = mod.weight.detach()
                if kind == "fc":
                    w = w.reshape(w.shape[0], -1, 1, 1)
                return output + operand_correction(inputs[0].detach(), w, pm, kind, stride, pad).reshape(output.shape)

            handles.append(module.register_forward_hook(hook))
    return handles


def replay_sample(output, xor_bits):
    """Output-level pattern: flips the bits accsim saw change on the exported sample.

    Applied to accsim's fault-free layer output it gives accsim's faulty output exactly.
    """
    x = torch.from_numpy(np.ascontiguousarray(xor_bits).view(np.int32)).reshape(output.shape)
    return (_bits(output.to(torch.float32)) ^ x).view(torch.float32)


def main(argv):
    if len(argv) != 2:
        print("usage: accsim_errmodel.py ERROR_MODEL.h5", file=sys.stderr)
        return 2
    try:
        em = ErrorModel(argv[1])
    except ErrorModelError as e:
        print(f"accsim_errmodel: {e}", file=sys.stderr)
        return 2
    print(f"{em.path}: {em.attrs.get('network', '?')} on {em.attrs.get('atomic_c', '?')}x"
          f"{em.attrs.get('atomic_k', '?')}, swizzle {em.attrs.get('swizzle', '?')}")
    for line in em.summaries:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
