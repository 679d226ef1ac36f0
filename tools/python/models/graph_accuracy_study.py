#!/usr/bin/python3
"""Paired fault-free accuracy of `accsim train` against graph_train_reference.py (PyTorch) over
seeds: for every seed both train the config's graph model with the same recipe, initial
weights and data order, one after the other on one thread; a CSV row per seed (appended, so
a stopped study resumes at the next seed), then the table and the mean difference with its
95% Student-t interval (docs/training.md, "Accuracy against PyTorch").

usage: graph_accuracy_study.py CONFIG --accsim BIN --out CSV [--seeds 1-10] [--epochs N]
                               [--train-limit N] [--test-limit N] [--validation-size N]
       graph_accuracy_study.py --summary CSV

--validation-size rewrites training.validation_size in a copy of CONFIG (next to CSV): the
validation split is evaluated twice per epoch and never trained on or tested on when
--train-limit is given, so a small one only saves time. Both programs run at nice 10; the
CPU seconds of each (user + system, its children included) and the load average go in the row.
"""
import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import swizzle_stats  # noqa: E402  (t_interval)

COLUMNS = ["seed", "accsim", "pytorch", "difference", "accsim_cpu_s", "pytorch_cpu_s", "load1"]
ACCSIM_LINE = re.compile(r"test accuracy [0-9.]+ on the faulty array, ([0-9.]+) fault-free")
TORCH_LINE = re.compile(r"test accuracy ([0-9.]+) fault-free")


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds += list(range(int(lo), int(hi or lo) + 1))
    return seeds


def study_config(config, out_dir, validation_size):
    """CONFIG with an absolute model path and, if given, the validation size; its path."""
    with open(config) as f:
        c = json.load(f)
    model = c["workload"]["model"]
    c["workload"]["model"] = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(config)), model))
    if validation_size:
        c.setdefault("training", {})["validation_size"] = validation_size
    path = os.path.join(out_dir, os.path.basename(config))
    with open(path, "w") as f:
        json.dump(c, f, indent=2)
    return path


def timed(cmd, pattern):
    """(the number `pattern` finds in the output, CPU seconds of the command)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(["nice", "-n", "10", *cmd], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = pattern.search(done.stdout)
    if done.returncode != 0 or not found:
        sys.exit(f"{cmd[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return float(found.group(1)), cpu


def limit_flags(a):
    flags = []
    for name in ("epochs", "train_limit", "test_limit"):
        if getattr(a, name) is not None:
            flags += ["--" + name.replace("_", "-"), str(getattr(a, name))]
    return flags


def run_seed(a, config, out_dir, seed):
    h5 = os.path.join(out_dir, f"seed{seed}.h5")
    for f in (h5, h5[:-3] + ".checkpoint.h5"):
        if os.path.exists(f):
            os.remove(f)  # a stopped run's files: start the seed afresh
    ours, ours_cpu = timed([a.accsim, "train", "--config", config, "--out", h5, "--seed", str(seed), "--threads", "1",
                            "--quiet", *limit_flags(a)], ACCSIM_LINE)
    ref = [sys.executable, os.path.join(HERE, "graph_train_reference.py"), config, "--seed", str(seed)]
    theirs, theirs_cpu = timed(ref + limit_flags(a), TORCH_LINE)
    return {"seed": seed, "accsim": ours, "pytorch": theirs, "difference": round(ours - theirs, 6),
            "accsim_cpu_s": round(ours_cpu, 1), "pytorch_cpu_s": round(theirs_cpu, 1),
            "load1": round(os.getloadavg()[0], 1)}


def read_rows(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def summary(path):
    rows = read_rows(path)
    print("| seed | accsim | PyTorch | accsim - PyTorch (points) | CPU s accsim / PyTorch | load |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['seed']} | {float(r['accsim']):.4f} | {float(r['pytorch']):.4f} | "
              f"{100 * float(r['difference']):+.2f} | {r['accsim_cpu_s']} / {r['pytorch_cpu_s']} | {r['load1']} |")
    for name, sign, unit in (("accsim", "", "%"), ("pytorch", "", "%"), ("difference", "+", " points")):
        mean, lo, hi = swizzle_stats.t_interval([100 * float(r[name]) for r in rows])
        print(f"{name}: mean {mean:{sign}.2f}{unit}, 95% interval [{lo:{sign}.2f}, {hi:{sign}.2f}] over {len(rows)} seeds")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config", nargs="?")
    ap.add_argument("--accsim")
    ap.add_argument("--out")
    ap.add_argument("--summary")
    ap.add_argument("--seeds", default="1-10")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--train-limit", type=int)
    ap.add_argument("--test-limit", type=int)
    ap.add_argument("--validation-size", type=int)
    a = ap.parse_args(argv)
    if not a.summary and not (a.config and a.accsim and a.out):
        ap.error("give CONFIG, --accsim and --out, or --summary CSV")
    return a


def main(argv):
    a = parse_args(argv)
    if a.summary:
        summary(a.summary)
        return 0
    out_dir = os.path.splitext(os.path.abspath(a.out))[0] + "_runs"
    os.makedirs(out_dir, exist_ok=True)
    config = study_config(a.config, out_dir, a.validation_size)
    done = {int(r["seed"]) for r in read_rows(a.out)}
    for seed in parse_seeds(a.seeds):
        if seed in done:
            continue
        row = run_seed(a, config, out_dir, seed)
        fresh = not os.path.exists(a.out)
        with open(a.out, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=COLUMNS)
            if fresh:
                w.writeheader()
            w.writerow(row)
        print(f"seed {seed}: accsim {row['accsim']:.4f}, PyTorch {row['pytorch']:.4f}, "
              f"difference {100 * row['difference']:+.2f} points", flush=True)
    summary(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
