#!/usr/bin/python3
"""Runs the swizzle study: `accsim train` for every model x swizzle policy x seed of a study
config (docs/training.md, "Swizzle study"), then its plot and table.

usage: swizzle_study.py STUDY.json OUT_DIR [--accsim PATH] [--jobs N] [--models a,b] [--no-plot]

STUDY.json: {"models": {"name": "base config", ...}, "policies": [...], "seeds": [...]}
(base configs relative to STUDY.json). Every run is `nice -n 10 accsim train --config
OUT_DIR/<model>/<policy>/config.json --seed S --out OUT_DIR/<model>/<policy>/seed<S>.h5
--threads 1 --quiet`, its config the base with `array.swizzle` set to the policy (and the
base's relative paths made absolute). Resumable: a run whose .h5 and .csv exist and whose
checkpoint does not is skipped; a stopped run resumes from its own checkpoint. Models run
one after the other, within a model seed by seed, so a partial study has every policy for
its first seeds.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

import swizzle_stats

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ACCSIM = os.path.join(HERE, "..", "..", "build", "tools", "accsim")
PATH_KEYS = (("workload", "model"), ("workload", "dataset_dir"))  # read relative to the config's folder


def run_config(base_path, policy):
    """The base config with `array.swizzle` = policy and its relative paths made absolute,
    so that it can be written to another folder."""
    with open(base_path) as f:
        config = json.load(f)
    folder = os.path.dirname(os.path.abspath(base_path))
    for block, key in PATH_KEYS:
        value = config.get(block, {}).get(key)
        if isinstance(value, str) and not os.path.isabs(value):
            config[block][key] = os.path.normpath(os.path.join(folder, value))
    config.setdefault("array", {})["swizzle"] = policy
    return config


def finished(h5):
    stem = h5[:-len(".h5")]
    checkpoints = (stem + ".checkpoint.h5", h5 + ".checkpoint.h5")
    return os.path.exists(h5) and os.path.exists(stem + ".csv") and not any(map(os.path.exists, checkpoints))


def planned_runs(study, out_dir, models):
    """(model, policy, seed, config path, output .h5) in run order, writing each policy's config."""
    runs = []
    for model in models:
        for policy in study.policies:
            folder = os.path.join(out_dir, model, policy)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "config.json"), "w") as f:
                json.dump(run_config(study.models[model], policy), f, indent=2)
        for seed in study.seeds:
            for policy in study.policies:
                folder = os.path.join(out_dir, model, policy)
                runs.append((model, policy, seed, os.path.join(folder, "config.json"),
                             os.path.join(folder, f"seed{seed}.h5")))
    return runs


def run_one(accsim, run):
    """Runs one training; its output and CPU seconds (user + system, from wait4) are appended
    to <run>.log (a resumed run adds a second part)."""
    model, policy, seed, config, h5 = run
    command = ["nice", "-n", "10", accsim, "train", "--config", config, "--seed", str(seed), "--out", h5,
               "--threads", "1", "--quiet"]
    with open(h5[:-len(".h5")] + ".log", "a") as log:  # a resumed run appends
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        log.write(f"cpu_seconds {usage.ru_utime + usage.ru_stime:.2f}\n")
    return run, process.returncode


def run_all(accsim, runs, jobs):
    todo = [r for r in runs if not finished(r[4])]
    print(f"{len(runs) - len(todo)} of {len(runs)} runs finished already; running {len(todo)}", flush=True)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for (model, policy, seed, _, h5), code in pool.map(lambda r: run_one(accsim, r), todo):
            failed += code != 0
            print(f"{model} {policy} seed {seed}: " + ("done" if code == 0 else f"exit {code}, see {h5[:-3]}.log"),
                  flush=True)
    return failed


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("study")
    parser.add_argument("out_dir")
    parser.add_argument("--accsim", default=DEFAULT_ACCSIM)
    parser.add_argument("--jobs", type=int, default=1, help="runs at once (each on one thread)")
    parser.add_argument("--models", help="comma-separated subset of the study's models")
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args(argv[1:])
    try:
        study = swizzle_stats.read_study(args.study)
        models = swizzle_stats.model_subset(study, args.models)
    except swizzle_stats.StudyError as e:
        print(e, file=sys.stderr)
        return 2
    failed = run_all(os.path.abspath(args.accsim), planned_runs(study, args.out_dir, models), args.jobs)
    if failed:
        print(f"{failed} runs failed", file=sys.stderr)
        return 1
    if args.no_plot:
        return 0
    plot = [sys.executable, os.path.join(HERE, "plot_swizzle_study.py"), args.study, args.out_dir,
            os.path.join(args.out_dir, "swizzle_study.png")]
    return subprocess.run(plot).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
