"""The swizzle study's config and statistics (no plotting): the study file, the per-run
validation gap (fault-free array minus faulty array) and its mean over seeds with a 95%
Student-t interval. Used by swizzle_study.py and plot_swizzle_study.py."""
import csv
import json
import math
import os

from scipy import stats

POLICIES = ("none", "rotate", "xor", "random")  # arch/swizzle.h
STUDY_KEYS = ("models", "policies", "seeds")


class StudyError(Exception):
    """A bad study file or result: the message names the file and the key."""


def _fail(path, key, what):
    raise StudyError(f"{path}: {key}: {what}")


def _check_list(path, key, values, valid, what):
    if not isinstance(values, list) or not values or not all(map(valid, values)):
        _fail(path, key, f"expected a non-empty array of {what}")
    if len(set(values)) != len(values):
        _fail(path, key, "duplicate entries")


class Study:
    def __init__(self, models, policies, seeds):
        self.models, self.policies, self.seeds = models, policies, seeds


def read_study(path):
    """The study file: models (name -> base config, resolved against the file's folder and
    required to exist), policies (a subset of POLICIES), seeds (distinct ints >= 0)."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise StudyError(f"{path}: {e}")
    if not isinstance(data, dict) or sorted(data) != sorted(STUDY_KEYS):
        _fail(path, "/", f"expected an object with exactly the keys {', '.join(STUDY_KEYS)}")
    models = data["models"]
    if not isinstance(models, dict) or not models or not all(isinstance(v, str) for v in models.values()):
        _fail(path, "models", "expected a non-empty object of name: config file")
    folder = os.path.dirname(os.path.abspath(path))
    resolved = {name: os.path.join(folder, file) for name, file in models.items()}
    for name, file in resolved.items():
        if not os.path.isfile(file):
            _fail(path, f"models.{name}", f"no such config file {file}")
    _check_list(path, "policies", data["policies"], lambda p: p in POLICIES, f"policies ({', '.join(POLICIES)})")
    seed_ok = lambda s: isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**63  # noqa: E731
    _check_list(path, "seeds", data["seeds"], seed_ok, "seeds in [0, 2^63-1]")
    return Study(resolved, data["policies"], data["seeds"])


def model_subset(study, names):
    """The study's models in its order, or the comma-separated names (each one of them)."""
    if not names:
        return list(study.models)
    chosen = names.split(",")
    unknown = [n for n in chosen if n not in study.models]
    if unknown:
        raise StudyError(f"--models: unknown {', '.join(unknown)}; the study has {', '.join(study.models)}")
    return chosen


def run_gaps(csv_path):
    """{epoch: fault-free minus faulty validation accuracy} of one `accsim train` history."""
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise StudyError(f"{csv_path}: no epochs")
    try:
        return {int(r["epoch"]): float(r["val_accuracy_fault_free"]) - float(r["val_accuracy_faulty"]) for r in rows}
    except (KeyError, TypeError, ValueError) as e:
        raise StudyError(f"{csv_path}: not an accsim train history ({e})")


def t_interval(values, level=0.95):
    """(mean, lo, hi) of the mean with a Student-t interval; one value gives no interval (nan)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, math.nan, math.nan
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def policy_runs(out_dir, model, policy, seeds):
    """{seed: {epoch: gap}} of the seeds whose history exists (a finished or stopped run)."""
    paths = {s: os.path.join(out_dir, model, policy, f"seed{s}.csv") for s in seeds}
    return {s: run_gaps(p) for s, p in paths.items() if os.path.exists(p)}


def common_epochs(runs):
    return sorted(set.intersection(*(set(r) for r in runs.values()))) if runs else []


def curve(runs):
    """Rows (epoch, n, mean, lo, hi) of the gap over the runs, for the epochs all of them reached."""
    return [(e, len(runs), *t_interval([r[e] for r in runs.values()])) for e in common_epochs(runs)]


def study_runs(study, out_dir):
    """{model: {policy: policy_runs}} for the models and policies with results."""
    found = {}
    for model in study.models:
        by_policy = {p: policy_runs(out_dir, model, p, study.seeds) for p in study.policies}
        by_policy = {p: runs for p, runs in by_policy.items() if runs}
        if by_policy:
            found[model] = by_policy
    return found


def _paired(a, b, epoch_a, epoch_b):
    """t_interval of a[seed][epoch_a] - b[seed][epoch_b] over the seeds both have."""
    seeds = sorted(set(a) & set(b))
    return t_interval([a[s][epoch_a] - b[s][epoch_b] for s in seeds]) if seeds else (math.nan,) * 3


def final_row(runs, reference):
    """The table row of one policy: seeds, last epoch, the gap at the first and the last
    epoch, its change (last minus first, per seed) and its difference to `reference` (the
    no-swizzle runs: this policy's last gap minus theirs, paired by seed, which fixes init
    and data order). Each statistic is (mean, lo, hi). The gap is fault-free minus faulty:
    negative when the healthy array does worse than the one the model trained on."""
    epochs = common_epochs(runs)
    first, last = epochs[0], epochs[-1]
    versus = _paired(runs, reference, last, last) if reference and last in common_epochs(reference) else (math.nan,) * 3
    return {"seeds": sorted(runs), "epoch": last,
            "gap_first": t_interval([r[first] for r in runs.values()]),
            "gap_last": t_interval([r[last] for r in runs.values()]),
            "change": _paired(runs, runs, last, first),
            "minus_none": versus}


def final_rows(found):
    """[(model, policy, final_row)] in the study's order; the difference is to `none`."""
    return [(model, policy, final_row(runs, by_policy.get("none")))
            for model, by_policy in found.items() for policy, runs in by_policy.items()]
