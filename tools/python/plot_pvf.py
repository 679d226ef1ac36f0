#!/usr/bin/python3
"""Plots an `accsim pvf` summary CSV: PVF per target (bars with 95% intervals, the
NaN/Inf share hatched), PVF per bit position (single-bit experiments, log scale), and,
when the campaign measured mitigations, the PVF of every variant on the same
experiments. The first fault model of the CSV is plotted.

usage: plot_pvf.py SUMMARY.csv OUT.png [TITLE]
Needs Debian's python3-matplotlib (no display: the Agg backend).
"""
import sys

import plot_csv  # before pyplot: selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402


def pct(rows, key):
    return [100.0 * float(r[key]) for r in rows]


def bars(ax, rows, labels, vertical=False):
    x = range(len(rows))
    pvf, lo, hi = pct(rows, "pvf"), pct(rows, "pvf_lo"), pct(rows, "pvf_hi")
    crash = [100.0 * float(r["crash"]) / max(1.0, float(r["n_correct"])) for r in rows]
    ax.bar(x, pvf, yerr=[[p - l for p, l in zip(pvf, lo)], [h - p for p, h in zip(pvf, hi)]], capsize=3,
           color="tab:blue", label="PVF (incorrect output)")
    ax.bar(x, crash, color="none", edgecolor="tab:red", hatch="//", label="of which NaN/Inf")
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, rotation=90 if vertical else 20, ha="center" if vertical else "right",
                       fontsize=8 if vertical else None)
    ax.set_ylabel("PVF % (95% CI)")
    ax.grid(axis="y", alpha=0.3)


def main(argv):
    rows = plot_csv.csv_rows(argv, __doc__, "no rows")
    model = rows[0]["model"]
    rows = [r for r in rows if r["model"] == model]
    base = [r for r in rows if r["variant"] == "unprotected"]
    targets = [r for r in base if r["kind"] == "target"]
    bits = [r for r in base if r["kind"] == "bit" and int(r["n_correct"]) > 0]
    overall = [r for r in rows if r["kind"] == "all"]
    panels = 2 + (len(overall) > 1)
    # Many targets (a graph model's initializers): a wider first panel, vertical labels.
    many = len(targets) > 8
    first = max(5.2, 0.42 * len(targets)) if many else 5.2
    fig, axes = plt.subplots(1, panels, figsize=(first + 5.2 * (panels - 1), 6.0 if many else 4.3),
                             gridspec_kw={"width_ratios": [first] + [5.2] * (panels - 1)})
    bars(axes[0], targets, [f"{r['group']} ({int(r['parameters'])})" if many else
                            f"{r['group']}\n({int(r['parameters'])})" for r in targets], many)
    axes[0].set_title("PVF per target (parameters)")
    axes[0].legend(fontsize=8)
    if bits:
        xs = [int(r["bit"]) for r in bits]
        floor = 1e-3
        ys = [max(v, floor) for v in pct(bits, "pvf")]
        lo = [max(v, floor) for v in pct(bits, "pvf_lo")]
        hi = [max(v, floor) for v in pct(bits, "pvf_hi")]
        axes[1].errorbar(xs, ys, yerr=[[y - l for y, l in zip(ys, lo)], [h - y for y, h in zip(ys, hi)]],
                         marker="o", capsize=2, label="PVF")
        crash = [max(v, floor) for v in pct(bits, "crash_rate")]
        axes[1].plot(xs, crash, "x--", color="tab:red", label="NaN/Inf")
        axes[1].set_yscale("log")
        axes[1].set_ylim(floor * 0.8, 100)
        axes[1].set_xlabel("flipped bit (31 sign, 30..23 exponent, 22..0 mantissa)")
        axes[1].set_ylabel(f"PVF % (95% CI; {floor:g} = none seen)")
        axes[1].legend(fontsize=8)
        axes[1].grid(alpha=0.3, which="both")
    axes[1].set_title("PVF per bit position")
    if panels == 3:
        bars(axes[2], overall, [r["variant"] for r in overall])
        axes[2].set_title("mitigations, same experiments")
    fig.suptitle(argv[3] if len(argv) > 3 else f"Parameter vulnerability factor, fault model {model}")
    fig.tight_layout()
    plot_csv.save_figure(fig, argv[2], dpi=110)


if __name__ == "__main__":
    main(sys.argv)
