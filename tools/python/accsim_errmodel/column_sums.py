"""Output-level patterns: chosen output channels recomputed as the array sums them.

Partial-sum (column) and accumulator faults, and every transient, act on the sums the
array forms, not on a layer's weights or operands: their effect depends on how the
products are grouped into column sums and in which order the sums accumulate. For each
output channel such a fault reaches, this module recomputes the channel the way the
array does (docs/cycle_model.md): for every accumulation step (channel block b, kernel
position r, s; step = b*R*S + r*S + s) the column's products of the input channels its
rows hold (`columns/row_channels`), through the PEs' stuck-at masks, summed by the
pairwise adder tree, the column sum through its mask, added to the accumulator entry
of the output position, the entry through its mask; the placed transients flip their
operand, product, column sum or entry on the step and position they hit. On register
words with the array's arithmetic (fp32 rounded at every product and sum, canonical
NaN; int8: int16 products, int32 sums wrapping), so the result is accsim's bit for bit.
"""
import numpy as np
import torch

from .words import ErrorModelError, canonical, int32_of, mask_words, sign_extend, to_words

_MAX_ELEMENTS = 1 << 21  # leaves per chunk of images: bounds the memory of one step


class FloatDatapath:
    """fp32, fp16, bf16: words held as int32 (fp32: the bits; fp16/bf16: the 16-bit word),
    operands are the fp32 values of their words; fp32 products and sums, canonical NaN."""

    def __init__(self, datatype):
        self.datatype = datatype

    def words(self, x, scale):
        w = to_words(x, self.datatype, scale)
        return sign_extend(w, 32).to(torch.int32) if self.datatype == "fp32" else w.to(torch.int32)

    def from_int64(self, w):
        return sign_extend(w, 32).to(torch.int32) if self.datatype == "fp32" else w.to(torch.int32)

    def mask(self, m):
        """A table of uint32 masks (numpy) as the words' dtype, same bits."""
        return torch.from_numpy(np.ascontiguousarray(m).astype(np.uint32).view(np.int32))

    def scalar(self, m):
        return int32_of(m)

    def decode(self, w):
        if self.datatype == "fp32":
            return w.view(torch.float32)
        if self.datatype == "bf16":
            return (w << 16).view(torch.float32)
        return w.to(torch.int16).view(torch.float16).to(torch.float32)

    def multiply(self, w, x, canonical_nan):
        p = self.decode(w) * self.decode(x)
        return (canonical(p) if canonical_nan else p).view(torch.int32)

    def tree_input(self, p):
        return p.view(torch.float32)

    def tree_output(self, v):
        return canonical(v).view(torch.int32)

    def accumulate(self, e, p):
        return canonical(e.view(torch.float32) + p.view(torch.float32)).view(torch.int32)

    def output(self, e, out_scale):
        return e.view(torch.float32)


class Int8Datapath:
    """int8: words held as int64 (zero-extended); int16 products of the sign-extended
    words, int32 sums wrapping."""

    datatype = "int8"

    def words(self, x, scale):
        return to_words(x, "int8", scale)

    def from_int64(self, w):
        return w

    def mask(self, m):
        return torch.from_numpy(np.ascontiguousarray(m).astype(np.int64))

    def scalar(self, m):
        return int(m)

    def multiply(self, w, x, canonical_nan):
        return (sign_extend(w, 8) * sign_extend(x, 8)) & 0xFFFF

    def tree_input(self, p):
        return sign_extend(p, 16)

    def tree_output(self, v):
        return v & 0xFFFFFFFF

    def accumulate(self, e, p):
        return (e + p) & 0xFFFFFFFF

    def output(self, e, out_scale):
        return sign_extend(e, 32).to(torch.float32) * torch.tensor(out_scale, dtype=torch.float32)


def datapath(datatype):
    return Int8Datapath() if datatype == "int8" else FloatDatapath(datatype)


def adder_tree(v):
    """The pairwise adder tree over axis -2 (the rows): level by level, element 2i + 2i+1,
    an odd last element passing up unchanged."""
    while v.shape[-2] > 1:
        n = v.shape[-2]
        s = v[..., 0:n - 1:2, :] + v[..., 1:n:2, :]
        v = torch.cat([s, v[..., n - 1:, :]], dim=-2) if n % 2 else s
    return v[..., 0, :]


def _identity(a, o):
    return bool((a == 0xFFFFFFFF).all() and (o == 0).all())


class ColumnPlan:
    """What recomputing a layer's output channels needs from the file, gathered once:
    per channel its column's PE masks (leaves [O, atomic_c]), column-sum mask [O] and
    accumulator masks [stripe_length, O], the rows' channels [O, B, atomic_c], and the
    placed transients by step."""

    def __init__(self, em, pm, channels):
        self.dp = dp = datapath(em.datatype)
        self.channels = list(channels)
        col_of = pm.column_of()
        missing = [oc for oc in self.channels if oc not in col_of]
        if missing:
            raise ErrorModelError(f"{em.path}: output channel(s) {missing} have no column in columns/col_channels")
        g = np.array([col_of[oc][0] for oc in self.channels])
        col = np.array([col_of[oc][1] for oc in self.channels])
        self.rows = pm.row_channels[g]  # [O, B, atomic_c]
        self.stripe_length = em.stripe_length
        m = em.stuck.masks
        leaf = {site: (m[site][0][:, col].T, m[site][1][:, col].T) for site in ("weight", "input", "product")}
        self.leaf = {site: (dp.mask(a), dp.mask(o)) for site, (a, o) in leaf.items()}  # [O, atomic_c]
        self.leaf_identity = {site: _identity(*leaf[site]) for site in leaf}
        self.psum_mask = (dp.mask(m["psum"][0][col]), dp.mask(m["psum"][1][col]))  # [O]
        acc = (m["accumulator"][0][:, col], m["accumulator"][1][:, col])  # [stripe_length, O]
        self.acc_mask = (dp.mask(acc[0]), dp.mask(acc[1]))
        self.acc_stuck = not _identity(*acc)
        self._index_transients(pm)

    def _index_transients(self, pm):
        """Flips by step: sums[step][(o, position)] = {site: {row: mask}}, entries[step][(o, position)] = mask."""
        index = {oc: o for o, oc in enumerate(self.channels)}
        self.sums, self.entries = {}, {}
        t = pm.transients
        for site, oc, step, pos, row, mask in zip(t["site"], t["out_channel"], t["step"], t["position"], t["row"],
                                                  t["mask"]):
            key = (index[int(oc)], int(pos))
            if site == "accumulator":
                e = self.entries.setdefault(int(step), {})
                e[key] = e.get(key, 0) ^ int(mask)
                continue
            flips = self.sums.setdefault(int(step), {}).setdefault(key, {})
            r = int(row) if site != "psum" else -1
            flips.setdefault(site, {})[r] = flips.get(site, {}).get(r, 0) ^ int(mask)

    def max_position(self):
        """The last output position (n, p, q flattened over the run's batch) a transient hits, or -1."""
        return max((pos for d in (self.sums, self.entries) for keys in d.values() for _, pos in keys), default=-1)


def recompute_channels(x, weight_words, plan, stride, pad, scales=(1.0, 1.0)):
    """The array's output [N, O, P, Q] (fp32) of plan.channels for the layer input x
    ([N, C, H, W]; fc: [N, C, 1, 1]). weight_words: the weight registers' words [K, C, R, S]
    (int64, weight-register stuck-ats applied); scales: int8 (weight scale, input scale)."""
    dp = plan.dp
    n, c, h, w_ = x.shape
    k, _, r_, s_ = weight_words.shape
    p_, q_ = (h + 2 * pad - r_) // stride + 1, (w_ + 2 * pad - s_) // stride + 1
    if plan.max_position() >= n * p_ * q_:
        raise ErrorModelError(f"a transient hits image {plan.max_position() // (p_ * q_)} of the exported run; "
                              f"this forward call holds {n} image(s)")
    words = dp.words(x, scales[1])
    xw = torch.zeros((n, c + 1, h + 2 * pad, w_ + 2 * pad), dtype=words.dtype)  # channel c: an idle row's 0
    xw[:, :c, pad:pad + h, pad:pad + w_] = words
    wz = torch.cat([dp.from_int64(weight_words), torch.zeros((k, 1, r_, s_), dtype=words.dtype)], dim=1)
    rows = torch.from_numpy(np.where(plan.rows < 0, c, plan.rows))  # [O, B, atomic_c]
    oc = torch.tensor(plan.channels, dtype=torch.int64)
    out_scale = float(torch.tensor(scales[0], dtype=torch.float32) * torch.tensor(scales[1], dtype=torch.float32))
    per_image = len(plan.channels) * p_ * q_ * rows.shape[2]
    chunk = max(1, _MAX_ELEMENTS // max(1, per_image))
    out = torch.empty(n, len(plan.channels), p_ * q_, dtype=torch.float32)
    for n0 in range(0, n, chunk):
        n1 = min(n, n0 + chunk)
        e = _accumulate(plan, xw[n0:n1], wz, rows, oc, (r_, s_, p_, q_, stride), n0)
        out[n0:n1] = dp.output(e, out_scale)
    return out.reshape(n, len(plan.channels), p_, q_)


def _column_sums(plan, w, x, leaf, psum_mask, flips=None):
    """Column sums of leaves w, x [..., atomic_c, L] (register words), with optional XOR
    flips; leaf: (and, or) per site broadcasting against the leaves."""
    dp, f = plan.dp, flips or {}
    w = mask_words(w ^ f["weight"], *leaf["weight"]) if "weight" in f else w
    if "input" in f or not plan.leaf_identity["input"]:
        x = mask_words(x ^ f.get("input", 0), *leaf["input"])
    exact_products = "product" in f or not plan.leaf_identity["product"]
    p = dp.multiply(w, x, exact_products)
    if exact_products:
        p = mask_words(mask_words(p, *leaf["product"]) ^ f.get("product", 0), *leaf["product"])
    s = dp.tree_output(adder_tree(dp.tree_input(p)))
    return mask_words(mask_words(s, *psum_mask) ^ f.get("psum", 0), *psum_mask)


def _accumulate(plan, xw, wz, rows, oc, geometry, n0):
    """The accumulator entries [n, O, P*Q] (words) after every step, for images n0 ..."""
    r_, s_, p_, q_, stride = geometry
    n, pq, o_count = xw.shape[0], p_ * q_, len(oc)
    leaf = {site: (a[None, :, :, None], o[None, :, :, None]) for site, (a, o) in plan.leaf.items()}
    psum_mask = (plan.psum_mask[0][None, :, None], plan.psum_mask[1][None, :, None])
    if plan.acc_stuck:
        slot = (torch.arange(n0, n0 + n)[:, None] * pq + torch.arange(pq)[None, :]) % plan.stripe_length
        acc = tuple(m[slot].permute(0, 2, 1) for m in plan.acc_mask)  # [n, O, P*Q]
    e = None
    for b in range(rows.shape[1]):
        for r in range(r_):
            for s in range(s_):
                step = (b * r_ + r) * s_ + s
                patch = xw[:, :, r:r + stride * (p_ - 1) + 1:stride, s:s + stride * (q_ - 1) + 1:stride]
                patch = patch.reshape(n, -1, pq)
                x = patch.index_select(1, rows[:, b, :].reshape(-1)).reshape(n, o_count, -1, pq)
                w = mask_words(wz[oc[:, None], rows[:, b, :], r, s], *plan.leaf["weight"])  # [O, atomic_c]
                psum = _column_sums(plan, w[None, :, :, None], x, leaf, psum_mask)
                _flip_sums(plan, step, psum, patch, w, rows[:, b, :], n0, pq)
                if e is None:
                    e = psum
                else:
                    _flip_entries(plan, step, e, n0, pq)
                    e = plan.dp.accumulate(e, psum)
                if plan.acc_stuck:
                    e = mask_words(e, *acc)
    return e


def _flip_sums(plan, step, psum, patch, w, rows_b, n0, pq):
    """Recomputes the column sums the step's transients hit (in place)."""
    dp = plan.dp
    for (o, pos), flips in plan.sums.get(step, {}).items():
        i, j = pos // pq - n0, pos % pq
        if not 0 <= i < psum.shape[0]:
            continue
        f = {site: _row_masks(dp, rows_b.shape[1], by_row)[:, None] for site, by_row in flips.items() if site != "psum"}
        f["psum"] = dp.scalar(flips.get("psum", {}).get(-1, 0))
        leaf = {site: (a[o][:, None], m[o][:, None]) for site, (a, m) in plan.leaf.items()}
        x = patch[i, rows_b[o], j][:, None]
        value = _column_sums(plan, w[o][:, None], x, leaf, (plan.psum_mask[0][o], plan.psum_mask[1][o]), f)
        psum[i, o, j] = value[0]


def _row_masks(dp, rows, by_row):
    m = np.zeros(rows, dtype=np.uint32)
    for r, mask in by_row.items():
        m[r] = mask
    return dp.mask(m)


def _flip_entries(plan, step, e, n0, pq):
    """Flips the entries the step's accumulator transients hit, before the step adds."""
    for (o, pos), mask in plan.entries.get(step, {}).items():
        i, j = pos // pq - n0, pos % pq
        if 0 <= i < e.shape[0]:
            slot = pos % plan.stripe_length
            e[i, o, j] = mask_words(e[i, o, j] ^ plan.dp.scalar(mask), plan.acc_mask[0][slot, o],
                                    plan.acc_mask[1][slot, o])
