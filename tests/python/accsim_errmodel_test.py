#!/usr/bin/python3
"""The PyTorch consumer reproduces accsim's corrupted layer outputs from the error model.

Run by ctest: accsim_errmodel_test.py ACCSIM_BINARY SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np
import torch
import torch.nn as nn

ACCSIM = sys.argv[1] if len(sys.argv) > 1 else "build/tools/accsim"
SOURCE = sys.argv[2] if len(sys.argv) > 2 else "."
sys.path.insert(0, os.path.join(SOURCE, "tools", "python"))
import accsim_errmodel as aem  # noqa: E402


class LeNet5(nn.Module):
    """The PVF paper's LeNet-5 shapes, as accsim's lenet5 (biases are zero there)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, bias=False)
        self.conv2 = nn.Conv2d(6, 16, 5, bias=False)
        self.fc1 = nn.Linear(256, 120, bias=False)
        self.fc2 = nn.Linear(120, 84, bias=False)
        self.fc3 = nn.Linear(84, 10, bias=False)


def run_layer(module, x):
    """One layer alone on accsim's sample input, shaped like accsim's output [n, k, p, q]."""
    with torch.no_grad():
        if isinstance(module, nn.Linear):
            return module(x.reshape(x.shape[0], -1)).reshape(x.shape[0], -1, 1, 1)
        return module(x)


def _absolute(module):
    """The same layer with |weights|: its output on |x| bounds the terms' magnitudes."""
    m = type(module)(*((module.in_channels, module.out_channels, module.kernel_size) if isinstance(module, nn.Conv2d)
                       else (module.in_features, module.out_features)), bias=False)
    with torch.no_grad():
        m.weight.copy_(module.weight.abs())
    return m


def export(tmp, name, faults, swizzle="none", datatype="fp32"):
    with open(os.path.join(SOURCE, "configs", "small.json")) as f:
        cfg = json.load(f)
    cfg["array"]["swizzle"] = swizzle
    cfg["array"]["datatype"] = datatype
    cfg["faults"] = faults
    cfg["seed"] = 7
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    out = os.path.join(tmp, name + ".h5")
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    subprocess.run([ACCSIM, "errmodel", "--config", path, "--out", out], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return aem.ErrorModel(out)


class ConsumerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def model_with_sample_weights(self, em):
        model = LeNet5()
        with torch.no_grad():
            for name in em.layer_names:
                m = getattr(model, name)
                m.weight.copy_(em.samples[name]["weights"].reshape(m.weight.shape))
        return model

    def check_within_rounding(self, em, model, what, weight_scales=None):
        """Every layer: torch with the error model applied == accsim's faulty output up to
        summation-order rounding (and, on fp16/bf16/int8 arrays, the rounding or
        quantisation of the operands the fp32 model does not do), and the fault visibly
        changed the affected layers."""
        changed_layers = 0
        for name in em.layer_names:
            s = em.samples[name]
            module = getattr(model, name)
            got = run_layer(module, s["input"])
            want, golden = s["faulty_output"], s["golden_output"]
            # Rounding of a different summation order: at most (terms * 2^-23) of the
            # sum of the absolute values of the terms (the faulty products included).
            terms = module.weight[0].numel()
            # (|got - golden| covers products the hooks recompute with forced bits.)
            magnitude = run_layer(_absolute(module), s["input"].abs()) + (got - golden).abs()
            tol = terms * 2.0 ** -23 * magnitude + 1e-30
            if em.datatype in ("fp16", "bf16"):  # both operands rounded to the format
                tol = tol + 2 * 2.0 ** (-11 if em.datatype == "fp16" else -8) * magnitude
            elif em.datatype == "int8":  # half a quantisation step of each operand per term
                s_x, s_w = aem.int8_scale(s["input"]), weight_scales[name]
                ones = torch.ones_like(s["input"])
                tol = (tol + 0.5 * s_x * run_layer(_absolute(module), ones) +
                       0.5 * s_w * terms * float(s["input"].abs().max()) + 0.25 * s_x * s_w * terms)
            err = (got - want).abs()
            ok = (err <= tol) | (got == want)
            if not bool(ok.all()):
                self.fail(f"{what} {name}: {int((~ok).sum())} elements beyond rounding (max error "
                          f"{float(err[~ok].max())}); {em.forward(name).summary}")
            scale = float(golden.abs().max()) + 1e-6
            moved = (want - golden).abs() > 1e-2 * scale
            changed_layers += bool(moved.any())
            # the structural output mask covers every element accsim changed
            changed = (aem._bits(want) != aem._bits(golden)).numpy()
            self.assertFalse(bool((changed & ~em.forward(name).output_mask).any()), f"{what} {name}")
        self.assertGreater(changed_layers, 0, f"{what}: the faults changed nothing; the test would prove nothing")

    def test_weight_register_stuck_at_as_weight_masks_matches_accsim(self):
        for swizzle in ("none", "rotate"):
            em = export(self.tmp, "weight_" + swizzle, [
                {"site": "weight", "pe": [5, 3], "bit": 28, "kind": "stuck_at_1"},
                {"site": "weight", "pe": [1, 6], "bit": 30, "kind": "stuck_at_1"},
            ], swizzle)
            model = self.model_with_sample_weights(em)
            handles = aem.apply(model, em)
            self.assertEqual(handles, [])  # weight-level only: no hooks needed
            self.check_within_rounding(em, model, "weight " + swizzle)

    def test_fp16_and_bf16_weight_masks_act_on_the_16_bit_words(self):
        for datatype in ("fp16", "bf16"):
            em = export(self.tmp, "weight_" + datatype, [
                {"site": "weight", "pe": [5, 3], "bit": 13, "kind": "stuck_at_1"},
                {"site": "weight", "pe": [1, 6], "bit": 9, "kind": "stuck_at_1"},
            ], datatype=datatype)
            self.assertEqual(em.datatype, datatype)
            pm = em.forward("conv2")
            self.assertEqual(int(pm.stationary_or.max()), 1 << 13)  # bits of the 16-bit word
            model = self.model_with_sample_weights(em)
            aem.apply(model, em)
            self.check_within_rounding(em, model, "weight " + datatype)

    def test_int8_weight_masks_and_operand_rules_act_on_the_quantised_words(self):
        em = export(self.tmp, "int8", [
            {"site": "weight", "pe": [5, 3], "bit": 6, "kind": "stuck_at_1"},
            {"site": "input", "pe": [0, 2], "bit": 5, "kind": "stuck_at_1"},
            {"site": "product", "pe": [7, 1], "bit": 12, "kind": "stuck_at_1"},  # row 7 idle in conv1/conv2
        ], datatype="int8")
        model = self.model_with_sample_weights(em)
        scales = {name: aem.int8_scale(getattr(model, name).weight) for name in em.layer_names}
        self.assertGreater(len(aem.apply(model, em)), 0)
        self.check_within_rounding(em, model, "int8", scales)

    def test_input_and_product_stuck_ats_through_forward_hooks_match_accsim(self):
        em = export(self.tmp, "operands", [
            {"site": "input", "pe": [0, 2], "bit": 29, "kind": "stuck_at_1"},
            {"site": "product", "pe": [3, 4], "bit": 27, "kind": "stuck_at_1"},
            {"site": "product", "pe": [7, 1], "bit": 26, "kind": "stuck_at_1"},  # row 7 idle in conv1/conv2
        ], "random")
        model = self.model_with_sample_weights(em)
        handles = aem.apply(model, em)
        self.assertGreater(len(handles), 0)
        self.check_within_rounding(em, model, "operands")

    def test_output_level_replay_is_bit_exact_for_every_site(self):
        em = export(self.tmp, "replay", [
            {"site": "psum", "column": 2, "bit": 27, "kind": "stuck_at_1"},
            {"site": "accumulator", "entry": [3, 4], "bit": 29, "kind": "stuck_at_1"},
            {"site": "weight", "pe": [2, 2], "bit": 25, "kind": "transient", "cycle": 3000},
        ])
        exact = 0
        for name in em.layer_names:
            s = em.samples[name]
            replay = aem.replay_sample(s["golden_output"], s["output_xor"])
            self.assertTrue(torch.equal(aem._bits(replay), aem._bits(s["faulty_output"])), name)
            exact += int((aem._bits(replay) != aem._bits(s["golden_output"])).sum())
        self.assertGreater(exact, 0)

    def test_mismatched_version_is_rejected_with_the_versions_named(self):
        em = export(self.tmp, "version", [{"site": "weight", "pe": [0, 0], "bit": 3, "kind": "stuck_at_0"}])
        bad = os.path.join(self.tmp, "v99.h5")
        shutil.copy(em.path, bad)
        with h5py.File(bad, "r+") as f:
            f.attrs["version"] = np.int64(99)
        with self.assertRaisesRegex(aem.ErrorModelError, f"version 99.*version {aem.VERSION}"):
            aem.ErrorModel(bad)
        with h5py.File(bad, "r+") as f:
            f.attrs["format"] = "something-else"
        with self.assertRaisesRegex(aem.ErrorModelError, "not an accsim error-model file"):
            aem.ErrorModel(bad)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
