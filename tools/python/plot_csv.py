"""Shared start of the plotting scripts: matplotlib without a display (Agg) and the
rows of the CSV named on the command line.

Import this module before matplotlib.pyplot. When matplotlib cannot be imported it
exits with NEEDS_MATPLOTLIB (workloads/io/plot_script.h), so accsim says what to install
instead of showing a traceback; every other failure is the script's own error.
"""
import csv
import sys

NEEDS_MATPLOTLIB = 3

try:
    import matplotlib
except ImportError as e:
    print(f"needs python3-matplotlib: {e}", file=sys.stderr)
    sys.exit(NEEDS_MATPLOTLIB)

matplotlib.use("Agg")


def csv_rows(argv, usage, nothing):
    """The rows of argv[1] as dicts; exits 2 with `usage` when OUT.png is missing, and 1
    with '<file>: <nothing>' when the file has no rows."""
    if len(argv) < 3:
        print(usage, file=sys.stderr)
        sys.exit(2)
    with open(argv[1], newline="") as f:
        reader = csv.DictReader(f, strict=True)
        rows = list(reader)
    for i, row in enumerate(rows):
        if None in row or None in row.values():
            print(f"{argv[1]}: row {i + 1} does not have the header's {len(reader.fieldnames)} fields",
                  file=sys.stderr)
            sys.exit(1)
    if not rows:
        print(f"{argv[1]}: {nothing}", file=sys.stderr)
        sys.exit(1)
    return rows
