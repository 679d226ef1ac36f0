"""Reading an error-model file (`accsim errmodel`, layout in docs/error_model.md)."""
import h5py
import numpy as np
import torch

from .words import DATATYPES, ErrorModelError

FORMAT = "accsim-error-model"
VERSION = 2
PASSES = ("fwd", "bwd_data", "bwd_weight")
SITES = ("weight", "input", "product", "psum", "accumulator")


def _as_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def _strings(ds):
    return [_as_str(s) for s in ds[()]]


def _check_sites(path, where, sites):
    bad = sorted(set(sites) - set(SITES))
    if bad:
        raise ErrorModelError(f"{path}: {where}: unknown fault site(s) {bad}, this reader knows {SITES}")


class StuckMasks:
    """The array's permanent faults per register (root group /stuck), as dense tables:
    weight, input, product [atomic_c, atomic_k], psum [atomic_k], accumulator
    [stripe_length, atomic_k]; each a pair of int64 arrays (and, or), identity where
    nothing is stuck."""

    def __init__(self, group, rows, cols, slots, path):
        shapes = {"weight": (rows, cols), "input": (rows, cols), "product": (rows, cols), "psum": (cols,),
                  "accumulator": (slots, cols)}
        self.masks = {s: (np.full(shape, 0xFFFFFFFF, np.int64), np.zeros(shape, np.int64))
                      for s, shape in shapes.items()}
        sites = _strings(group["site"])
        _check_sites(path, "/stuck/site", sites)
        for site, r, c, a, o in zip(sites, group["row"][()], group["col"][()], group["and_mask"][()],
                                    group["or_mask"][()]):
            at = (int(c),) if site == "psum" else (int(r), int(c))
            self.masks[site][0][at] = int(a)
            self.masks[site][1][at] = int(o)

    def any(self, site):
        a, o = self.masks[site]
        return bool((a != 0xFFFFFFFF).any() or (o != 0).any())

    def columns_hit(self, site):
        """Columns with a non-identity mask of an output-level site (psum, accumulator)."""
        a, o = self.masks[site]
        hit = (a != 0xFFFFFFFF) | (o != 0)
        return sorted(set(np.nonzero(hit)[-1].tolist()))


class PassModel:
    """One layer's pass: masks over the stationary and output tensors, rules, summary."""

    def __init__(self, group, datatype="fp32", path="?"):
        self.datatype = datatype
        self.summary = _as_str(group.attrs["summary"])
        self.stationary = _as_str(group.attrs["stationary"])
        self.output = _as_str(group.attrs["output"])
        self.start_cycle = int(group.attrs["start_cycle"])
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
        bad = sorted({p[0] for p in self.pairs} - {"input", "product"})
        if bad:
            raise ErrorModelError(f"{path}: {group.name}/pairs/site: unknown site(s) {bad} (input, product)")
        idle = group["idle_products"]
        # fp formats: the fp32 value's bits; int8: an int32 value in units of scale_w * scale_x.
        self.idle_products = [
            (int(o), int(n), np.uint32(v).view(np.int32).item() if datatype == "int8"
             else np.uint32(v).view(np.float32).item())
            for o, n, v in zip(idle["out_channel"][()], idle["steps"][()], idle["value_bits"][()])
        ]
        self.effects = _strings(group["effects"])
        self.unplaced = _strings(group["unplaced"])
        self.row_channels = group["columns/row_channels"][()].astype(np.int64)  # [G, B, atomic_c]
        self.col_channels = group["columns/col_channels"][()].astype(np.int64)  # [G, atomic_k]
        t = group["transients"]
        self.transients = {k: t[k][()].astype(np.int64) for k in ("out_channel", "step", "position", "row", "mask")}
        self.transients["site"] = _strings(t["site"])
        _check_sites(path, f"{group.name}/transients/site", self.transients["site"])

    def has_weight_masks(self):
        return bool((self.stationary_and != 0xFFFFFFFF).any() or (self.stationary_or != 0).any())

    def weight_masks_count(self):
        return int(((self.stationary_and != 0xFFFFFFFF) | (self.stationary_or != 0)).sum())

    def transient_count(self):
        return len(self.transients["site"])

    def column_of(self):
        """{output channel: (group, column)} of the columns that produce them."""
        g, c = np.nonzero(self.col_channels >= 0)
        return {int(self.col_channels[gi, ci]): (int(gi), int(ci)) for gi, ci in zip(g, c)}


class ErrorModel:
    """An error-model file: per layer, a PassModel for "fwd", "bwd_data", "bwd_weight"."""

    def __init__(self, path):
        self.path = str(path)
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            raise ErrorModelError(f"{path}: cannot open as HDF5 ({e})") from e
        with f:
            self._check_format(f)
            self.attrs = {k: (_as_str(v) if isinstance(v, (bytes, str)) else v) for k, v in f.attrs.items()}
            self.datatype = _as_str(self.attrs.get("datatype", "fp32"))
            if self.datatype not in DATATYPES:
                raise ErrorModelError(f"{path}: datatype {self.datatype!r}, this reader understands {DATATYPES}")
            self.atomic_c = int(self.attrs["atomic_c"])
            self.atomic_k = int(self.attrs["atomic_k"])
            self.stripe_length = int(self.attrs["stripe_length"])
            self.stuck = StuckMasks(f["stuck"], self.atomic_c, self.atomic_k, self.stripe_length, path)
            self.layer_names = _strings(f["layer_names"])
            self.layers, self.samples, self.kinds, self.geometry = {}, {}, {}, {}
            for name in self.layer_names:
                self._read_layer(f["layers"][name], name)
            self.summaries = _strings(f["summaries"])

    def _check_format(self, f):
        fmt = _as_str(f.attrs.get("format", ""))
        if fmt != FORMAT:
            raise ErrorModelError(f"{self.path}: not an accsim error-model file (format {fmt!r}, expected {FORMAT!r})")
        version = int(f.attrs.get("version", -1))
        if version != VERSION:
            raise ErrorModelError(
                f"{self.path}: error-model version {version}, this reader understands version {VERSION} "
                "(docs/error_model.md; re-export the file with this accsim)")

    def _read_layer(self, g, name):
        self.kinds[name] = _as_str(g.attrs["kind"])
        self.geometry[name] = (int(g.attrs["stride"]), int(g.attrs["pad"]))
        self.layers[name] = {p: PassModel(g[p], self.datatype, self.path) for p in PASSES}
        s = g["sample"]
        self.samples[name] = {k: torch.from_numpy(s[k][()]) for k in
                              ("input", "weights", "golden_output", "faulty_output")}
        self.samples[name]["output_xor"] = s["output_xor"][()].astype(np.uint32)

    def forward(self, layer):
        return self.layers[layer]["fwd"]
