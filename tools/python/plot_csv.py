"""Shared start and end of the plotting scripts: matplotlib without a display (Agg), the
rows of the CSV named on the command line, and saving the figure whole or not at all.

Import this module before matplotlib.pyplot. When matplotlib cannot be imported it
exits with NEEDS_MATPLOTLIB (workloads/io/plot_script.h), so accsim says what to install
instead of showing a traceback; every other failure is the script's own error.
"""
import csv
import os
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


def _name_beside(target, suffix):
    """accsim's name_beside (workloads/io/file_names.h): target + suffix, the target's name
    shortened and marked with its FNV-1a hash when that would pass the file-name limit."""
    folder, name = os.path.split(os.fsencode(target))
    suffix = os.fsencode(suffix)
    try:
        limit = os.pathconf(folder or b".", "PC_NAME_MAX")
    except OSError:
        limit = 255
    if len(name) + len(suffix) <= limit:
        return os.fsdecode(os.fsencode(target) + suffix)
    h = 0xCBF29CE484222325
    for byte in name:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    keep = min(max(limit - len(suffix) - 17, 0), len(name))
    while 0 < keep < len(name) and (name[keep] & 0xC0) == 0x80:  # whole UTF-8 characters
        keep -= 1
    return os.fsdecode(os.path.join(folder, name[:keep] + b"~%016x" % h + suffix))


def save_figure(fig, path, dpi):
    """Saves `fig` as the PNG `path` through a temporary next to it (accsim's
    <out>.partial<pid>.<n> names, workloads/io/stale_temporaries.h) renamed when complete:
    a failed save (a full disk: its last write fails when the file is closed) or a kill
    never leaves a truncated PNG, and a failed save removes its temporary."""
    temp = _name_beside(path, f".partial{os.getpid()}.png")
    try:
        fig.savefig(temp, dpi=dpi, format="png")
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
