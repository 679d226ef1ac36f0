"""Weight-level and operand-pair patterns (forward pass) on a layer's tensors.

Weight-register stuck-ats are AND/OR masks on the weights; input-register and
multiplier stuck-ats act on the products of given (output channel, input channel)
pairs, and a multiplier stuck-at on an idle row adds its forced product to a column's
sums. These are linear in the output: the hook adds their difference to the layer's
output, which matches accsim within the rounding of a different summation order.
"""
import numpy as np
import torch
import torch.nn.functional as F

from .words import _mask_bits, from_words, int8_scale, mask_words, sign_extend, to_words


def masked_weight(weight, pm, scale=None):
    """The weights as the faulty weight registers hold them (forward pass), as float32.

    The masks act on the register words of pm.datatype; int8 words are quantised with
    `scale` (default: the tensor's own, as the array computes it) and stand for
    word * scale with that same scale.
    """
    if scale is None:
        scale = int8_scale(weight) if pm.datatype == "int8" else 1.0
    return from_words(masked_weight_words(weight, pm, scale), pm.datatype, scale).reshape(weight.shape)


def masked_weight_words(weight, pm, scale=1.0):
    """The faulty weight registers' words (int64), in the stationary tensor's shape."""
    a = torch.from_numpy(pm.stationary_and.astype(np.int64))
    o = torch.from_numpy(pm.stationary_or.astype(np.int64))
    words = to_words(weight, pm.datatype, scale).reshape(a.shape)
    return mask_words(words, a, o)


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
            qx = sign_extend(to_words(cols, dt, x_scale), 8)
            qw = torch.round(w / torch.tensor(weight_scale, dtype=torch.float32)).to(torch.int64)
            healthy = qx * qw
            if "input" in sites:
                qx = sign_extend(mask_words(qx & 0xFF, *sites["input"]), 8)
            prod = qx * qw
            if "product" in sites:
                prod = sign_extend(mask_words(prod & 0xFFFF, *sites["product"]), 16)
            delta[:, oc] += (prod - healthy).sum(dim=1).to(torch.float32) * (weight_scale * x_scale)
            continue
        healthy = cols * w
        if "input" in sites:
            xin = (_mask_bits(cols, *sites["input"]) if dt == "fp32"
                   else from_words(mask_words(to_words(cols, dt), *sites["input"]), dt))
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
