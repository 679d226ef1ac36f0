#!/usr/bin/python3
"""Plots an `accsim train-campaign` summary CSV: per group (site, kind, pass, bit) the
masked, SDC, latent and crash rates as stacked bars, with 95% Wilson intervals of the SDC,
latent and crash rates as error bars.

usage: plot_train_campaign.py SUMMARY.csv OUT.png [TITLE]
Needs Debian's python3-matplotlib (no display: the Agg backend).
"""
import sys

import plot_csv  # before pyplot: selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402

OUTCOMES = [("masked", "tab:green"), ("sdc", "tab:orange"), ("latent", "tab:purple"), ("crash", "tab:red")]
GROUPS = ["site", "kind", "pass", "bit"]


def draw_group(ax, rows, group):
    rows = [r for r in rows if r["group"] == group]
    x = list(range(len(rows)))
    bottom = [0.0] * len(rows)
    for outcome, colour in OUTCOMES:
        rate = [float(r[outcome + "_rate"]) for r in rows]
        ax.bar(x, rate, bottom=bottom, color=colour, label=outcome, width=0.8)
        if outcome != "masked":
            lo = [b + max(0.0, v - float(r[outcome + "_lo"])) for b, v, r in zip(bottom, rate, rows)]
            hi = [float(r[outcome + "_hi"]) - v for v, r in zip(rate, rows)]
            mid = [b + v for b, v in zip(bottom, rate)]
            ax.errorbar(x, mid, yerr=[[m - low for m, low in zip(mid, lo)], hi], fmt="none", ecolor="black",
                        elinewidth=0.7, capsize=2)
        bottom = [b + v for b, v in zip(bottom, rate)]
    ax.set_xticks(x)
    ax.set_xticklabels([r["value"] + "\n(" + r["experiments"] + ")" for r in rows], fontsize=6,
                       rotation=90 if group == "bit" else 0)
    ax.set_ylim(0, 1)
    ax.set_title("by " + group, fontsize=9)
    ax.grid(axis="y", alpha=0.3)


def main(argv):
    rows = plot_csv.csv_rows(argv, __doc__, "no experiments")
    fig, axes = plt.subplots(1, len(GROUPS), figsize=(16, 4), gridspec_kw={"width_ratios": [5, 3, 4, 10]})
    for ax, group in zip(axes, GROUPS):
        draw_group(ax, rows, group)
    axes[0].set_ylabel("fraction of experiments")
    axes[0].legend(loc="lower left", fontsize=7)
    everything = [r for r in rows if r["group"] == "all"][0]
    rates = ", ".join("%s %.1f%%" % (o, 100 * float(everything[o + "_rate"])) for o, _ in OUTCOMES)
    title = argv[3] if len(argv) > 3 else argv[1]
    fig.suptitle("%s: %s experiments; %s" % (title, everything["experiments"], rates), fontsize=10)
    fig.tight_layout()
    plot_csv.save_figure(fig, argv[2], dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
