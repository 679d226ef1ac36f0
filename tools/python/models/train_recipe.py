"""accsim's `training` optimiser and schedule (docs/config.md, docs/training.md) as torch.optim
objects, so a PyTorch reference trains with the recipe of the accsim config it compares with.

The config keys and their defaults are accsim's (kernels/optimizer_table.cpp, workloads/
training/training_config.cpp): without a `training.optimizer` block SGD with the flat
`learning_rate` (0.01), `momentum` (0.9), `weight_decay` (0); with one, the named optimiser's
defaults (adam: lr 1e-3; adamw: lr 1e-3, weight decay 1e-2). The schedule runs over
epochs x ceil(images / batch) steps, one per batch, as accsim's LrSchedule does; the torch
objects are those tools/python/torch_optim_fixture.py builds (accsim's optimisers and
schedules are tested against that fixture).
"""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import torch_optim_fixture  # noqa: E402

OPTIMIZER_DEFAULTS = {
    "sgd": {"lr": 0.01, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    "adam": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 1e-2},
}
SCHEDULE_KEYS = {"constant": [], "cosine": ["min_lr"], "step": ["step_size", "gamma"]}
SCHEDULE_DEFAULTS = {"warmup_steps": 0, "min_lr": 0.0, "step_size": 1, "gamma": 0.1}
FLAT_SGD_KEYS = {"learning_rate": "lr", "momentum": "momentum", "weight_decay": "weight_decay"}


def optimizer_config(training):
    """The optimiser of a config's `training` block, every key filled in: {"name": ..., ...}."""
    if "optimizer" not in training:
        cfg = dict(OPTIMIZER_DEFAULTS["sgd"], name="sgd")
        cfg.update({ours: training[flat] for flat, ours in FLAT_SGD_KEYS.items() if flat in training})
        return cfg
    block = dict(training["optimizer"])
    name = block.pop("name", "sgd")
    if name not in OPTIMIZER_DEFAULTS:
        raise ValueError(f"training.optimizer.name: unknown optimiser {name!r}")
    unknown = sorted(set(block) - set(OPTIMIZER_DEFAULTS[name]))
    if unknown:
        raise ValueError(f"training.optimizer: {name} takes no {', '.join(unknown)}")
    return dict(OPTIMIZER_DEFAULTS[name], **block, name=name)


def schedule_config(training):
    """The schedule of a config's `training` block, every key filled in."""
    block = dict(training.get("schedule", {}))
    name = block.pop("name", "constant")
    if name not in SCHEDULE_KEYS:
        raise ValueError(f"training.schedule.name: unknown schedule {name!r}")
    unknown = sorted(set(block) - {"warmup_steps", *SCHEDULE_KEYS[name]})
    if unknown:
        raise ValueError(f"training.schedule: {name} takes no {', '.join(unknown)}")
    return dict(SCHEDULE_DEFAULTS, **block, name=name)


def total_steps(epochs, images, batch):
    return epochs * math.ceil(images / batch)


def make(params, training, epochs, images, batch):
    """(optimizer, scheduler) for `params`; call scheduler.step() after every optimizer.step()."""
    opt = torch_optim_fixture.make_optimizer(optimizer_config(training), list(params))
    sched = torch_optim_fixture.make_scheduler(opt, schedule_config(training), total_steps(epochs, images, batch))
    return opt, sched


def describe(training):
    """One line, e.g. "adamw lr 0.002 (betas [0.9, 0.999], eps 1e-08, weight decay 0.05), cosine ..."."""
    o, s = optimizer_config(training), schedule_config(training)
    extras = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in o.items() if k not in ("name", "lr"))
    sched = ", ".join(f"{k.replace('_', ' ')} {s[k]}" for k in ["warmup_steps", *SCHEDULE_KEYS[s["name"]]])
    return f"{o['name']} lr {o['lr']} ({extras}), {s['name']} lr ({sched})"
