#!/usr/bin/python3
"""Writes the reference fixture of accsim's optimisers and learning-rate schedules
(kernels/optimizer.h, kernels/lr_schedule.h) from PyTorch's torch.optim (Debian's
python3-torch), for tests/kernels/torch_optim_reference_test.cpp.

usage: /usr/bin/python3 tools/python/torch_optim_fixture.py [OUT]
(default OUT: tests/kernels/data/torch_optim_fixture.json)

Every optimiser case runs a fixed sequence of float32 gradients on two named float32
parameters, the schedule (if any) stepped after every optimiser step as PyTorch
recommends; the fixture holds the inputs, the learning rate of every step and the
parameters after every step. Schedule cases hold the learning rate of every step.
accsim's schedules map onto PyTorch's as follows (W = warm-up steps, T = total steps):
  warm-up        LinearLR(start_factor=1/W, end_factor=1, total_iters=W-1): lr*(t+1)/W for t < W
  cosine         CosineAnnealingLR(T_max=T-W, eta_min=min_lr), from step W
  step           StepLR(step_size, gamma), from step W
  warm-up + X    SequentialLR([warm-up, X], milestones=[W])
"""
import json
import os
import sys
import warnings

import torch

# SequentialLR steps its second scheduler with an epoch argument (closed form); PyTorch warns.
warnings.filterwarnings("ignore", category=UserWarning, module="torch.optim.lr_scheduler")

STEPS = 6
SHAPES = {"conv1.weight": [3, 2], "conv1.bias": [4]}


def gradients(seed):
    """STEPS gradients per parameter, float32, a fixed function of the seed."""
    gen = torch.Generator().manual_seed(seed)
    return [{n: torch.randn(s, generator=gen, dtype=torch.float32) for n, s in SHAPES.items()} for _ in range(STEPS)]


def initial_parameters(seed):
    gen = torch.Generator().manual_seed(seed)
    return {n: torch.randn(s, generator=gen, dtype=torch.float32) for n, s in SHAPES.items()}


def make_optimizer(cfg, params):
    name = cfg["name"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg.get("momentum", 0.0),
                               nesterov=cfg.get("nesterov", False), weight_decay=cfg.get("weight_decay", 0.0))
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[name]
    return cls(params, lr=cfg["lr"], betas=tuple(cfg.get("betas", (0.9, 0.999))), eps=cfg.get("eps", 1e-8),
               weight_decay=cfg.get("weight_decay", 0.0), foreach=False)


def decay_scheduler(opt, sched, total):
    w = sched.get("warmup_steps", 0)
    name = sched["name"]
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - w, eta_min=sched["min_lr"])
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=sched["step_size"], gamma=sched["gamma"])
    return torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0)


def make_scheduler(opt, sched, total):
    if sched is None:
        return None
    w = sched.get("warmup_steps", 0)
    if w == 0:
        return decay_scheduler(opt, sched, total)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0 / w, end_factor=1.0, total_iters=w - 1)
    if sched["name"] == "constant":
        return warm
    return torch.optim.lr_scheduler.SequentialLR(opt, [warm, decay_scheduler(opt, sched, total)], milestones=[w])


def floats(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def optimizer_case(cfg, sched, seed):
    params = {n: t.clone().requires_grad_(True) for n, t in initial_parameters(seed).items()}
    opt = make_optimizer(cfg, list(params.values()))
    scheduler = make_scheduler(opt, sched, STEPS)
    case = {"optimizer": cfg, "schedule": sched, "total_steps": STEPS,
            "shapes": SHAPES, "initial": {n: floats(t.detach()) for n, t in params.items()},
            "gradients": [], "lr": [], "after": []}
    for grads in gradients(seed + 1):
        for n, p in params.items():
            p.grad = grads[n].clone()
        case["lr"].append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler is not None:
            scheduler.step()
        case["gradients"].append({n: floats(g) for n, g in grads.items()})
        case["after"].append({n: floats(p.detach()) for n, p in params.items()})
    return case


def schedule_case(sched, base_lr, total):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    scheduler = make_scheduler(opt, sched, total)
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return {"schedule": sched, "lr": base_lr, "total_steps": total, "lrs": lrs}


OPTIMIZERS = [
    ({"name": "sgd", "lr": 0.1, "momentum": 0.0}, None),
    ({"name": "sgd", "lr": 0.1, "momentum": 0.9}, None),
    ({"name": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}, None),
    ({"name": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}, None),
    ({"name": "adam", "lr": 0.01}, None),
    ({"name": "adam", "lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.01}, None),
    ({"name": "adamw", "lr": 0.01, "weight_decay": 0.05}, None),
    # A large eps makes its placement (after the bias-corrected root) visible in the parameters.
    ({"name": "adam", "lr": 0.01, "eps": 0.1}, None),
    ({"name": "adamw", "lr": 0.01, "eps": 0.05, "weight_decay": 0.1}, None),
    ({"name": "adamw", "lr": 0.02, "betas": [0.85, 0.995], "eps": 1e-7, "weight_decay": 0.1},
     {"name": "cosine", "warmup_steps": 2, "min_lr": 0.001}),
    ({"name": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.001},
     {"name": "step", "step_size": 2, "gamma": 0.5}),
]

SCHEDULES = [
    {"name": "constant"},
    {"name": "constant", "warmup_steps": 5},
    {"name": "cosine", "min_lr": 0.001},
    {"name": "cosine", "warmup_steps": 4, "min_lr": 0.001},
    {"name": "step", "step_size": 6, "gamma": 0.5},
    {"name": "step", "warmup_steps": 3, "step_size": 4, "gamma": 0.1},
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/kernels/data/torch_optim_fixture.json"
    torch.set_num_threads(1)
    fixture = {"torch_version": torch.__version__,
               "optimizers": [optimizer_case(c, s, 10 * i) for i, (c, s) in enumerate(OPTIMIZERS)],
               "schedules": [schedule_case(s, 0.1, 20) for s in SCHEDULES]}
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
