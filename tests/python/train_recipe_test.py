#!/usr/bin/python3
"""tools/python/models/train_recipe.py: the PyTorch reference's optimiser and schedule from an
accsim `training` block, with accsim's defaults and step count.

Run by ctest: train_recipe_test.py SOURCE_DIR
"""
import json
import math
import os
import sys
import unittest

import torch

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "."
sys.path.insert(0, os.path.join(SOURCE, "tools", "python", "models"))
import train_recipe  # noqa: E402

FIXTURE = os.path.join(SOURCE, "tests", "kernels", "data", "torch_optim_fixture.json")


def learning_rates(training, epochs, images, batch):
    p = torch.zeros(1, requires_grad=True)
    opt, sched = train_recipe.make([p], training, epochs, images, batch)
    lrs = []
    for _ in range(train_recipe.total_steps(epochs, images, batch)):
        lrs.append(opt.param_groups[0]["lr"])
        p.grad = torch.zeros(1)
        opt.step()
        sched.step()
    return opt, lrs


class Defaults(unittest.TestCase):
    def test_flat_keys_are_sgd_with_accsims_defaults(self):
        self.assertEqual(train_recipe.optimizer_config({"learning_rate": 0.02, "weight_decay": 5e-4}),
                         {"name": "sgd", "lr": 0.02, "momentum": 0.9, "nesterov": False, "weight_decay": 5e-4})
        self.assertEqual(train_recipe.optimizer_config({})["momentum"], 0.9)

    def test_a_named_optimizer_takes_its_own_defaults(self):
        adamw = train_recipe.optimizer_config({"optimizer": {"name": "adamw"}})
        self.assertEqual((adamw["lr"], adamw["weight_decay"], adamw["eps"]), (1e-3, 1e-2, 1e-8))
        self.assertEqual(train_recipe.optimizer_config({"optimizer": {"name": "adam"}})["weight_decay"], 0.0)
        opt, _ = learning_rates({"optimizer": {"name": "adamw", "lr": 0.002, "betas": [0.8, 0.99]}}, 1, 4, 2)
        self.assertIsInstance(opt, torch.optim.AdamW)
        self.assertEqual(opt.param_groups[0]["betas"], (0.8, 0.99))
        self.assertEqual(opt.param_groups[0]["weight_decay"], 1e-2)

    def test_keys_of_another_optimizer_or_schedule_are_refused(self):
        with self.assertRaisesRegex(ValueError, "momentum"):
            train_recipe.optimizer_config({"optimizer": {"name": "adam", "momentum": 0.9}})
        with self.assertRaisesRegex(ValueError, "gamma"):
            train_recipe.schedule_config({"schedule": {"name": "cosine", "gamma": 0.5}})


class Schedules(unittest.TestCase):
    def test_every_fixture_schedule_step_by_step(self):
        # The lrs accsim's LrSchedule is tested against (TorchOptimReference.*).
        with open(FIXTURE) as f:
            cases = json.load(f)["schedules"]
        for case in cases:
            training = {"optimizer": {"name": "sgd", "lr": case["lr"]}, "schedule": case["schedule"]}
            _, lrs = learning_rates(training, 1, case["total_steps"], 1)
            for got, want in zip(lrs, case["lrs"]):
                self.assertAlmostEqual(got, want, delta=1e-12 * case["lr"], msg=json.dumps(case["schedule"]))

    def test_steps_are_batches_of_every_epoch(self):
        # 2 epochs of ceil(100 / 32) = 4 batches: warm-up 3, then cosine over 5 steps to 0.
        training = {"optimizer": {"name": "sgd", "lr": 0.1}, "schedule": {"name": "cosine", "warmup_steps": 3}}
        _, lrs = learning_rates(training, 2, 100, 32)
        want = [0.1 * (t + 1) / 3 for t in range(3)] + [0.1 * (1 + math.cos(math.pi * s / 5)) / 2 for s in range(5)]
        self.assertEqual(len(lrs), 8)
        for got, w in zip(lrs, want):
            self.assertAlmostEqual(got, w, delta=1e-15)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
