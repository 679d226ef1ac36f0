#!/usr/bin/python3
"""Plots an `accsim sweep` CSV: cycles, utilisation and energy against the array size (PEs),
one line per value of the other swept keys; when the sweep measured SDC rates (a
hardware-fault campaign per point), a second figure of SDC rate per swizzle policy
and datatype.

usage: plot_sweep.py SWEEP.csv OUT.png
Needs Debian's python3-matplotlib (Agg backend, no display).
"""
import sys
from collections import defaultdict

import plot_csv  # before pyplot: selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402

RESULTS = {"cycles", "analytical_cycles", "macs", "utilisation", "stall_cycles", "weight_load_cycles",
           "corrupted_outputs", "nonfinite_outputs", "pes", "analytical_ratio", "sdc_rate", "sdc_lo",
           "sdc_hi", "crash_rate", "crash_lo", "crash_hi", "experiments", "data_fetch_stall_cycles",
           "dram_stall_cycles", "postprocess_cycles", "dram_read_bytes", "dram_write_bytes", "energy_pj"}


def main(argv):
    rows = plot_csv.csv_rows(argv, __doc__, "no points")
    keys = [k for k in rows[0] if k != "point" and k not in RESULTS]
    # One line per value of every swept key but atomic_c: along a line only the rows
    # (input channels per atomic operation) grow.
    other = [k for k in keys if k != "array.atomic_c"]
    lines = defaultdict(list)
    for r in rows:
        label = ", ".join(f"{k.split('.')[-1]}={r[k]}" for k in other) or "all points"
        lines[label].append((int(r["pes"]), float(r["cycles"]), float(r["utilisation"]),
                             float(r.get("energy_pj", "nan"))))
    sdc = "sdc_rate" in rows[0]
    energy = "energy_pj" in rows[0]  # CSVs written before the energy estimate have none
    panels = 2 + energy + sdc
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 4))
    for label, pts in sorted(lines.items()):
        pts.sort()
        axes[0].plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=label)
        axes[1].plot([p[0] for p in pts], [100 * p[2] for p in pts], "o-", label=label)
        if energy:
            axes[2].plot([p[0] for p in pts], [p[3] / 1e6 for p in pts], "o-", label=label)
    if energy:
        axes[2].set_xscale("log", base=2)
        axes[2].set_xlabel("PEs (atomic_c x atomic_k)")
        axes[2].set_ylabel("energy estimate (uJ, whole workload)")
        axes[2].grid(alpha=0.3)
    axes[0].set_xscale("log", base=2)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("PEs (atomic_c x atomic_k)")
    axes[0].set_ylabel("cycles (whole workload)")
    axes[1].set_xscale("log", base=2)
    axes[1].set_xlabel("PEs (atomic_c x atomic_k)")
    axes[1].set_ylabel("utilisation %")
    axes[1].set_ylim(0, 100)
    for ax in axes[:2]:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    if sdc:
        groups = defaultdict(list)
        for r in rows:
            groups[(r.get("array.swizzle", "none"), r.get("array.datatype", "fp32"))].append(
                (float(r["sdc_rate"]), float(r["sdc_lo"]), float(r["sdc_hi"])))
        labels = [f"{s}\n{d}" for s, d in groups]
        means = [sum(v[0] for v in g) / len(g) for g in groups.values()]
        low = [m - min(v[1] for v in g) for m, g in zip(means, groups.values())]
        high = [max(v[2] for v in g) - m for m, g in zip(means, groups.values())]
        axes[-1].bar(range(len(labels)), means, yerr=[low, high], capsize=4)
        axes[-1].set_xticks(range(len(labels)), labels, fontsize=7)
        axes[-1].set_ylabel("SDC rate (95% Wilson interval)")
    fig.suptitle(argv[1])
    fig.tight_layout()
    plot_csv.save_figure(fig, argv[2], dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
