"""Shared start of the plotting scripts: matplotlib without a display (Agg) and the
rows of the CSV named on the command line.

Import this module before matplotlib.pyplot.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")


def csv_rows(argv, usage, nothing):
    """The rows of argv[1] as dicts; exits 2 with `usage` when OUT.png is missing, and 1
    with '<file>: <nothing>' when the file has no rows."""
    if len(argv) < 3:
        print(usage, file=sys.stderr)
        sys.exit(2)
    with open(argv[1]) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        print(f"{argv[1]}: {nothing}", file=sys.stderr)
        sys.exit(1)
    return rows
