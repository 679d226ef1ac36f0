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

Masks act on the register words of the array's number format (root attribute
`datatype`): fp32 bits; fp16 and bf16 16-bit words of the values rounded to nearest
even; int8 two's complement words of the per-tensor symmetric quantisation
(scale = max finite |x| / 127, 1 for an all-zero tensor; round half to even; saturate
to [-127, 127]). The model itself stays fp32: weights become the values the faulty
registers stand for (int8: word * scale), so results match accsim within the
format's rounding (docs/error_model.md).

Uses only Debian's python3-h5py, python3-numpy and python3-torch:
    /usr/bin/python3 tools/python/accsim_errmodel.py em.h5     # print the summaries
"""
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

FORMAT = "accsim-error-model"
VERSION = 2
DATATYPES = ("fp32", "fp16", "bf16", "int8")


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


def int8_scale(t):
    """Per-tensor symmetric scale: max finite |t| / 127 (float32), 1 when that is 0."""
    a = t.detach().to(torch.float32).abs()
    a = a[torch.isfinite(a)]
    m = a.max() if a.numel() else torch.tensor(0.0)
    scale = (m / torch.tensor(127.0, dtype=torch.float32)).to(torch.float32)
    return float(scale) if float(scale) > 0 else 1.0


def to_words(t, datatype, scale=1.0):
    """The register words (int64, zero-extended) of a float32 tensor in `datatype`."""
    t = t.detach().to(torch.float32).contiguous()
    if datatype == "fp32":
        return _bits(t).to(torch.int64) & 0xFFFFFFFF
    if datatype == "fp16":
        return t.to(torch.float16).view(torch.int16).to(torch.int64) & 0xFFFF
    if datatype == "bf16":  # round to nearest even on the bits; NaN -> canonical 0x7fc0
        b = _bits(t).to(torch.int64) & 0xFFFFFFFF
        w = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
        return torch.where(torch.isnan(t), torch.full_like(w, 0x7FC0), w & 0xFFFF)
    if datatype == "int8":
        q = torch.round(t / torch.tensor(scale, dtype=torch.float32))  # half to even
        q = torch.nan_to_num(q, nan=0.0, posinf=127.0, neginf=-127.0).clamp(-127, 127)
        return q.to(torch.int64) & 0xFF
    raise ErrorModelError(f"unknown datatype {datatype!r}")


def _sign_extend(w, bits):
    m = 1 << (bits - 1)
    return ((w & ((1 << bits) - 1)) ^ m) - m


def from_words(w, datatype, scale=1.0):
    """The float32 values register words stand for (int8: word * scale)."""
    if datatype == "fp32":
        return _sign_extend(w, 32).to(torch.int32).view(torch.float32)
    if datatype == "fp16":
        return _sign_extend(w, 16).to(torch.int16).view(torch.float16).to(torch.float32)
    if datatype == "bf16":
        return _sign_extend(w << 16, 32).to(torch.int32).view(torch.float32)
    if datatype == "int8":
        return _sign_extend(w, 8).to(torch.float32) * torch.tensor(scale, dtype=torch.float32)
    raise ErrorModelError(f"unknown datatype {datatype!r}")


def _mask_words(w, and_mask, or_mask):
    return (w & int(and_mask)) | int(or_mask)


class PassModel:
    """One layer's pass: masks over the stationary and output tensors, rules, summary."""

    def __init__(self, group, datatype="fp32"):
        self.datatype = datatype
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
        # fp formats: the fp32 value's bits; int8: an int32 value in units of scale_w * scale_x.
        self.idle_products = [
            (int(o), int(n), np.uint32(v).view(np.int32).item() if datatype == "int8"
             else np.uint32(v).view(np.float32).item())
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
            self.datatype = _as_str(self.attrs.get("datatype", "fp32"))
            if self.datatype not in DATATYPES:
                raise ErrorModelError(f"{path}: datatype {self.datatype!r}, this reader understands {DATATYPES}")
            self.layer_names = [_as_str(s) for s in f["layer_names"][()]]
            self.layers = {}
            self.samples = {}
            self.kinds = {}
            self.geometry = {}
            for name in self.layer_names:
                g = f["layers"][name]
                self.kinds[name] = _as_str(g.attrs["kind"])
                self.geometry[name] = (int(g.attrs["stride"]), int(g.attrs["pad"]))
                self.layers[name] = {p: PassModel(g[p], self.datatype) for p in ("fwd", "bwd_data", "bwd_weight")}
                s = g["sample"]
                self.samples[name] = {k: torch.from_numpy(s[k][()]) for k in
                                      ("input", "weights", "golden_output", "faulty_output")}
                self.samples[name]["output_xor"] = s["output_xor"][()].astype(np.uint32)
            self.summaries = [_as_str(s) for s in f["summaries"][()]]

    def forward(self, layer):
        return self.layers[layer]["fwd"]


def masked_weight(weight, pm, scale=None):
    """The weights as the faulty weight registers hold them (forward pass), as float32.

    The masks act on the register words of pm.datatype; int8 words are quantised with
    `scale` (default: the tensor's own, as the array computes it).
    """
    w = weight.detach().to(torch.float32).contiguous()
    if pm.datatype == "fp32":
        a = torch.from_numpy(pm.stationary_and.reshape(w.shape).view(np.int32))
        o = torch.from_numpy(pm.stationary_or.reshape(w.shape).view(np.int32))
        return ((_bits(w) & a) | o).view(torch.float32)
    scale = int8_scale(w) if scale is None else scale
    a = torch.from_numpy(pm.stationary_and.reshape(w.shape).astype(np.int64))
    o = torch.from_numpy(pm.stationary_or.reshape(w.shape).astype(np.int64))
    return from_words((to_words(w, pm.datatype, scale) & a) | o, pm.datatype, scale)


def operand_correction(x, weight, pm, kind, stride, pad, weight_scale=1.0):
    """What the pair and idle-product rules add to a layer's output (forward pass).

    x: the layer input ([N, C, H, W] for conv, [N, C] for linear); weight: the weights the
    array holds (already masked). The products of each affected (oc, ic) pair are
    recomputed with the forced input/product bits; padding zeros pass through the
    faulty input register like any value, as in the hardware. The input mask acts on
    the input's register word in pm.datatype; the product mask on the multiplier's
    word (fp32; int8: the int16 product of the quantised operands, whose change is
    scaled back by weight_scale * input scale).
    """
    dt = pm.datatype
    if kind == "fc":
        x = x.reshape(x.shape[0], -1, 1, 1)
        weight = weight.reshape(weight.shape[0], -1, 1, 1)
    x = x.to(torch.float32)
    x_scale = int8_scale(x) if dt == "int8" else 1.0
    xp = F.pad(x, (pad, pad, pad, pad))
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
        if dt == "int8":
            qx = _sign_extend(to_words(cols, dt, x_scale), 8)
            qw = torch.round(w / torch.tensor(weight_scale, dtype=torch.float32)).to(torch.int64)
            healthy = qx * qw
            if "input" in sites:
                qx = _sign_extend(_mask_words(qx & 0xFF, *sites["input"]), 8)
            prod = qx * qw
            if "product" in sites:
                prod = _sign_extend(_mask_words(prod & 0xFFFF, *sites["product"]), 16)
            delta[:, oc] += (prod - healthy).sum(dim=1).to(torch.float32) * (weight_scale * x_scale)
            continue
        healthy = cols * w
        if "input" in sites:
            xin = (_mask_bits(cols, *sites["input"]) if dt == "fp32"
                   else from_words(_mask_words(to_words(cols, dt), *sites["input"]), dt))
        else:
            xin = cols
        prod = xin * w
        if "product" in sites:
            prod = _mask_bits(prod, *sites["product"])
        delta[:, oc] += (prod - healthy).sum(dim=1)
    for oc, steps, value in pm.idle_products:
        delta[:, oc] += steps * value * (weight_scale * x_scale if dt == "int8" else 1.0)
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
        scale = int8_scale(module.weight) if pm.datatype == "int8" else 1.0  # before any mask
        if pm.has_weight_masks():
            with torch.no_grad():
                module.weight.copy_(masked_weight(module.weight, pm, scale).reshape(module.weight.shape))
        if pm.pairs or pm.idle_products:
            stride, pad = em.geometry[name]
            kind = em.kinds[name]

            def hook(mod, inputs, output, pm=pm, stride=stride, pad=pad, kind=kind, scale=scale):
                w = mod.weight.detach()
                if kind == "fc":
                    w = w.reshape(w.shape[0], -1, 1, 1)
                return output + operand_correction(inputs[0].detach(), w, pm, kind, stride, pad,
                                                   scale).reshape(output.shape)

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
          f"{em.attrs.get('atomic_k', '?')} {em.datatype}, swizzle {em.attrs.get('swizzle', '?')}")
    for line in em.summaries:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
