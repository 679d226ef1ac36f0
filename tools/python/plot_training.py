#!/usr/bin/python3
"""Plots an `accsim train` history CSV: accuracies per epoch (left) and training loss (right).

usage: plot_training.py HISTORY.csv OUT.png [TITLE]
Needs Debian's python3-matplotlib (no display: the Agg backend).
"""
import sys

import plot_csv  # before pyplot: selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    rows = plot_csv.csv_rows(argv, __doc__, "no epochs")
    epoch = [int(r["epoch"]) for r in rows]
    col = lambda name: [float(r[name]) for r in rows]  # noqa: E731
    fig, (acc, loss) = plt.subplots(1, 2, figsize=(10, 4))
    acc.plot(epoch, col("train_accuracy"), "o-", label="training (faulty array)")
    acc.plot(epoch, col("val_accuracy_faulty"), "s-", label="validation, faulty array")
    acc.plot(epoch, col("val_accuracy_fault_free"), "^-", label="validation, fault-free array")
    acc.set_xlabel("epoch")
    acc.set_ylabel("accuracy")
    acc.set_ylim(0, 1)
    acc.grid(alpha=0.3)
    acc.legend(loc="lower right", fontsize=8)
    loss.plot(epoch, col("train_loss"), "o-", color="tab:red")
    loss.set_xlabel("epoch")
    loss.set_ylabel("training loss")
    loss.grid(alpha=0.3)
    fig.suptitle(argv[3] if len(argv) > 3 else argv[1])
    fig.tight_layout()
    plot_csv.save_figure(fig, argv[2], dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
