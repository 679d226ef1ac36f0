#!/usr/bin/python3
"""Plots an `accsim dlrm` summary CSV: RMSE between fault-free and faulty outputs against the
fault rate, one line per target, one panel per input sparsity. The RMSE pools the outputs
of the finite trials; error bars are its 95% intervals. Points whose trials all produced
NaN/Inf outputs are drawn as crosses at the top of the panel.

usage: plot_dlrm.py SUMMARY.csv OUT.png [TITLE]
Needs Debian's python3-matplotlib (no display: the Agg backend).
"""
import math
import sys

import plot_csv  # before pyplot: selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    rows = plot_csv.csv_rows(argv, __doc__, "no rows")
    sparsities = sorted({float(r["sparsity"]) for r in rows})
    targets = list(dict.fromkeys(r["target"] for r in rows))
    by_rate = rows[0]["kind"] in ("ber", "value") and float(rows[0]["rate"]) > 0
    xkey = "rate" if by_rate else "count"
    fig, axes = plt.subplots(1, len(sparsities), figsize=(5.5 * len(sparsities), 4.2), squeeze=False, sharey=True)
    for ax, sp in zip(axes[0], sparsities):
        for t in targets:
            sel = [r for r in rows if float(r["sparsity"]) == sp and r["target"] == t]
            xs, ys, lo, hi, nan_x = [], [], [], [], []
            for r in sel:
                x, m = float(r[xkey]), float(r["rmse"])
                if math.isnan(m):
                    nan_x.append(x)
                    continue
                xs.append(x)
                ys.append(max(m, 1e-8))
                l, h = float(r["rmse_lo"]), float(r["rmse_hi"])
                lo.append(0 if math.isnan(l) else max(m - l, 0))
                hi.append(0 if math.isnan(h) else h - m)
            line = ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=t)
            if nan_x:
                ax.plot(nan_x, [1.5] * len(nan_x), "x", color=line[0].get_color(), markersize=8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(1e-8, 3)
        ax.set_xlabel("bit error rate" if xkey == "rate" else "faults")
        ax.set_title(f"sparsity {sp:g}")
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel("RMSE (fault-free vs faulty output); x: all trials NaN")
    axes[0][-1].legend(loc="lower right", fontsize=8)
    fig.suptitle(argv[3] if len(argv) > 3 else "DLRM-style model: output RMSE under parameter faults")
    fig.tight_layout()
    plot_csv.save_figure(fig, argv[2], dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
