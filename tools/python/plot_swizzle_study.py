#!/usr/bin/python3
"""Plots the swizzle study (docs/training.md, "Swizzle study"): per model one panel, per
swizzle policy one line, the validation gap (fault-free array minus faulty array accuracy)
per epoch, mean over seeds with its 95% Student-t band. Writes OUT.png, OUT.csv (one row
per model and policy, last epoch) and OUT.md (the same as a markdown table).

usage: plot_swizzle_study.py STUDY.json OUT_DIR OUT.png
Needs Debian's python3-matplotlib and python3-scipy.
"""
import csv
import os
import sys

import plot_csv  # before pyplot: selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import swizzle_stats  # noqa: E402

STATS = ("gap_first", "gap_last", "change", "minus_none")
MARKERS = {"none": "o", "rotate": "s", "xor": "^", "random": "D"}


def panel(ax, model, by_policy):
    for policy, runs in by_policy.items():
        rows = swizzle_stats.curve(runs)
        epoch = [r[0] for r in rows]
        ax.plot(epoch, [100 * r[2] for r in rows], "-", marker=MARKERS[policy], label=f"{policy} (n={len(runs)})")
        ax.fill_between(epoch, [100 * r[3] for r in rows], [100 * r[4] for r in rows], alpha=0.2)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title(model)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("fault-free minus faulty validation accuracy (points)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def points(stat):
    """'mean [lo, hi]' in accuracy points."""
    mean, lo, hi = (100 * v for v in stat)
    return f"{mean:+.2f} [{lo:+.2f}, {hi:+.2f}]"


def write_tables(rows, stem):
    with open(stem + ".csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["model", "policy", "seeds", "epoch"] + [f"{s}{b}" for s in STATS for b in ("", "_lo", "_hi")])
        for model, policy, r in rows:
            out.writerow([model, policy, " ".join(map(str, r["seeds"])), r["epoch"]] + [v for s in STATS for v in r[s]])
    with open(stem + ".md", "w") as f:
        f.write("| model | policy | seeds | gap, epoch 1 | gap, last epoch | change (last - first epoch) | last gap minus none's |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for model, policy, r in rows:
            cells = [model, policy, ",".join(map(str, r["seeds"]))] + [points(r[s]) for s in STATS]
            f.write("| " + " | ".join(cells) + " |\n")


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        study = swizzle_stats.read_study(argv[1])
        found = swizzle_stats.study_runs(study, argv[2])
    except swizzle_stats.StudyError as e:
        print(e, file=sys.stderr)
        return 2
    if not found:
        print(f"{argv[2]}: no finished runs of {argv[1]}", file=sys.stderr)
        return 1
    fig, axes = plt.subplots(1, len(found), figsize=(6 * len(found), 4.5), squeeze=False)
    for ax, (model, by_policy) in zip(axes[0], found.items()):
        panel(ax, model, by_policy)
    fig.suptitle("bit 28 stuck-at-0 in PE(0,0)'s weight register\nmean over seeds with its 95% t-interval", fontsize=10)
    fig.tight_layout()
    plot_csv.save_figure(fig, argv[3], dpi=100)
    write_tables(swizzle_stats.final_rows(found), os.path.splitext(argv[3])[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
