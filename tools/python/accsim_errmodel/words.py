"""Register words of the array's number formats, as torch tensors.

Masks act on the register words of the array's number format (root attribute
`datatype`): fp32 bits; fp16 and bf16 16-bit words of the values rounded to nearest
even; int8 two's complement words of the per-tensor symmetric quantisation
(scale = max finite |x| / 127, 1 for an all-zero tensor; round half to even; saturate
to [-127, 127]). Words are held as int64 tensors, zero-extended (docs/error_model.md).
"""
import numpy as np
import torch

DATATYPES = ("fp32", "fp16", "bf16", "int8")
CANONICAL_NAN = 0x7FC00000  # every fp32 unit of the array returns this NaN
_NAN16 = {"fp16": 0x7E00, "bf16": 0x7FC0}  # what a NaN converts to


class ErrorModelError(ValueError):
    """The file is not an error-model file this reader understands, or cannot be applied."""


def bits(t):
    """A float32 tensor's bits as int32 (same storage size, exact)."""
    return t.contiguous().view(torch.int32)


def int32_of(mask):
    """A uint32 mask as the int32 with the same bits."""
    return np.uint32(mask).view(np.int32).item()


def _mask_bits(t, and_mask, or_mask):
    """(bits & and) | or on a float32 tensor; masks are uint32 values."""
    a = torch.tensor(int32_of(and_mask), dtype=torch.int32)
    o = torch.tensor(int32_of(or_mask), dtype=torch.int32)
    return ((bits(t) & a) | o).view(torch.float32)


def float_words(t):
    """fp32 values -> their bits, int64 zero-extended."""
    return bits(t.to(torch.float32)).to(torch.int64) & 0xFFFFFFFF


def word_floats(w):
    """int64 zero-extended bits -> the fp32 values."""
    return sign_extend(w, 32).to(torch.int32).view(torch.float32)


def canonical(v):
    """fp32 values with every NaN replaced by the array's canonical NaN."""
    nan = torch.tensor(int32_of(CANONICAL_NAN), dtype=torch.int32).view(torch.float32)
    return torch.where(torch.isnan(v), nan, v)


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
        return float_words(t)
    if datatype == "fp16":
        w = t.to(torch.float16).view(torch.int16).to(torch.int64) & 0xFFFF
        return torch.where(torch.isnan(t), torch.full_like(w, _NAN16["fp16"]), w)
    if datatype == "bf16":  # round to nearest even on the bits; NaN -> canonical 0x7fc0
        b = float_words(t)
        w = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
        return torch.where(torch.isnan(t), torch.full_like(w, _NAN16["bf16"]), w & 0xFFFF)
    if datatype == "int8":
        q = torch.round(t / torch.tensor(scale, dtype=torch.float32))  # half to even
        q = torch.nan_to_num(q, nan=0.0, posinf=127.0, neginf=-127.0).clamp(-127, 127)
        return q.to(torch.int64) & 0xFF
    raise ErrorModelError(f"unknown datatype {datatype!r}")


def sign_extend(w, bits):
    m = 1 << (bits - 1)
    return ((w & ((1 << bits) - 1)) ^ m) - m


def from_words(w, datatype, scale=1.0):
    """The float32 values register words stand for (int8: word * scale)."""
    if datatype == "fp32":
        return word_floats(w)
    if datatype == "fp16":
        return sign_extend(w, 16).to(torch.int16).view(torch.float16).to(torch.float32)
    if datatype == "bf16":
        return word_floats((w & 0xFFFF) << 16)
    if datatype == "int8":
        return sign_extend(w, 8).to(torch.float32) * torch.tensor(scale, dtype=torch.float32)
    raise ErrorModelError(f"unknown datatype {datatype!r}")


def mask_words(w, and_mask, or_mask):
    """(word & and) | or; masks are ints or int64 tensors broadcasting against w."""
    return (w & and_mask) | or_mask

