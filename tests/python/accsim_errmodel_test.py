#!/usr/bin/python3
"""The PyTorch consumer reproduces accsim's corrupted layer outputs from the error model.

Every kind of fault the file can hold is tested through the consumer against accsim's
own faulty layer outputs; the package's API (layer matching, shape checks, copy, undo,
command line) against its promises. Run by ctest:
    accsim_errmodel_test.py ACCSIM_BINARY SOURCE_DIR
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
PYTHON_DIR = os.path.join(SOURCE, "tools", "python")
sys.path.insert(0, PYTHON_DIR)
import accsim_errmodel as aem  # noqa: E402

LAYERS = ("conv1", "conv2", "fc1", "fc2", "fc3")
SEQUENTIAL_PATHS = {"conv1": "0", "conv2": "3", "fc1": "7", "fc2": "9", "fc3": "11"}
# Run cycles on configs/small.json's LeNet-5 (seed 7) at which the array computes conv2
# and fc1 (fc1's stripes are one atomic operation after 7 stall cycles each).
CONV2_CYCLE, FC1_CYCLE = 15000, 17957


class LeNet5(nn.Module):
    """The PVF paper's LeNet-5 shapes, as accsim's lenet5 (biases are zero there)."""

    def __init__(self, conv2_out=16):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, bias=False)
        self.conv2 = nn.Conv2d(6, conv2_out, 5, bias=False)
        self.fc1 = nn.Linear(256, 120, bias=False)
        self.fc2 = nn.Linear(120, 84, bias=False)
        self.fc3 = nn.Linear(84, 10, bias=False)


def sequential_lenet():
    """The same layers in an nn.Sequential: module names "0", "3", ... match no accsim layer."""
    return nn.Sequential(nn.Conv2d(1, 6, 5, bias=False), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5, bias=False), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(256, 120, bias=False), nn.ReLU(), nn.Linear(120, 84, bias=False), nn.ReLU(),
                         nn.Linear(84, 10, bias=False))


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


def weight_bits(model):
    return {k: aem.bits(v.detach()).clone() for k, v in model.state_dict().items()}


def export(tmp, name, faults, swizzle="none", datatype="fp32"):
    with open(os.path.join(SOURCE, "configs", "small.json")) as f:
        cfg = json.load(f)
    del cfg["workload"]["parameters"]  # seeded weights (seed 7), as the checks below were made for
    del cfg["array"]["memory"]  # the ideal memory side, on which CONV2_CYCLE and FC1_CYCLE were found
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


def fault(site, kind, bit, where, cycle=None):
    loc = {"pe": list(where)} if site in ("weight", "input", "product") else \
        {"column": where[1]} if site == "psum" else {"entry": list(where)}
    f = dict(site=site, kind=kind, bit=bit, **loc)
    if cycle is not None:
        f["cycle"] = cycle
    return f


class ConsumerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def model_with_sample_weights(self, em, model=None, paths=None):
        model = model or LeNet5()
        paths = paths or {n: n for n in em.layer_names}
        with torch.no_grad():
            for name in em.layer_names:
                m = model.get_submodule(paths[name])
                m.weight.copy_(em.samples[name]["weights"].reshape(m.weight.shape))
        return model

    def within_rounding(self, em, name, module, sel, got, want, golden, what, weight_scale=None):
        """got == want on output channels `sel` up to the rounding of a different summation
        order (and, on fp16/bf16/int8 arrays, the rounding or quantisation of the operands
        the fp32 model does not do)."""
        x = em.samples[name]["input"]
        # Rounding of a different summation order: at most (terms * 2^-23) of the sum of
        # the absolute values of the terms (the faulty products included; |got - golden|
        # covers products the hooks recompute with forced bits).
        terms = module.weight[0].numel()
        magnitude = run_layer(_absolute(module), x.abs())[:, sel] + (got - golden).abs()
        tol = terms * 2.0 ** -23 * magnitude + 1e-30
        if em.datatype in ("fp16", "bf16"):  # both operands rounded to the format
            tol = tol + 2 * 2.0 ** (-11 if em.datatype == "fp16" else -8) * magnitude
        elif em.datatype == "int8":  # half a quantisation step of each operand per term
            s_x = aem.int8_scale(x)
            tol = (tol + 0.5 * s_x * run_layer(_absolute(module), torch.ones_like(x))[:, sel] +
                   0.5 * weight_scale * terms * float(x.abs().max()) + 0.25 * s_x * weight_scale * terms)
        err = (got - want).abs()
        ok = (err <= tol) | (aem.bits(got) == aem.bits(want))
        if not bool(ok.all()):
            self.fail(f"{what} {name}: {int((~ok).sum())} elements beyond rounding (max error "
                      f"{float(err[~ok].max())}); {em.forward(name).summary}")

    def check_layers(self, em, handle, what, weight_scales=None, output_level=False, paths=None):
        """Every layer of handle.model on accsim's sample input == accsim's faulty output:
        the channels the hooks recompute as the array sums them bit for bit (for
        output-level faults they must cover every channel the output mask names), every
        other element within rounding. Some layer must change, or the test proves nothing."""
        paths = paths or {n: n for n in em.layer_names}
        recomputed = {s.layer: s.exact_channels for s in handle.summary}
        changed_layers = 0
        for name in em.layer_names:
            s, module = em.samples[name], handle.model.get_submodule(paths[name])
            got = run_layer(module, s["input"])
            want, golden = s["faulty_output"], s["golden_output"]
            changed = (aem.bits(want) != aem.bits(golden)).numpy()
            changed_layers += bool(changed.any())
            # the structural output mask covers every element accsim changed
            self.assertFalse(bool((changed & ~em.forward(name).output_mask).any()), f"{what} {name}")
            ch = recomputed[name]
            if output_level:
                hit = set(np.nonzero(em.forward(name).output_mask)[1].tolist())
                self.assertLessEqual(hit, set(ch), f"{what} {name}: channels hit vs recomputed")
            same = aem.bits(got[:, ch]) == aem.bits(want[:, ch])
            self.assertTrue(bool(same.all()), f"{what} {name}: {int((~same).sum())} elements of the recomputed "
                            f"channels {ch} differ from accsim's bits; {em.forward(name).summary}")
            sel = [c for c in range(got.shape[1]) if c not in ch]
            self.within_rounding(em, name, module, sel, got[:, sel], want[:, sel], golden[:, sel], what,
                                 (weight_scales or {}).get(name))
        self.assertGreater(changed_layers, 0, f"{what}: the faults changed nothing; the test would prove nothing")

    def apply_and_check(self, em, what, output_level=False):
        model = self.model_with_sample_weights(em)
        scales = {n: aem.int8_scale(getattr(model, n).weight) for n in em.layer_names}
        handle = aem.apply(model, em, verbose=False)
        self.check_layers(em, handle, what, scales, output_level)
        return handle

    # ---- weight, input and product stuck-ats (weight masks, operand rules) --------------

    def test_weight_register_stuck_at_as_weight_masks_matches_accsim(self):
        for swizzle in ("none", "rotate"):
            em = export(self.tmp, "weight_" + swizzle, [
                {"site": "weight", "pe": [5, 3], "bit": 28, "kind": "stuck_at_1"},
                {"site": "weight", "pe": [1, 6], "bit": 30, "kind": "stuck_at_1"},
            ], swizzle)
            handle = self.apply_and_check(em, "weight " + swizzle)
            self.assertEqual(handle.hooks, [])  # weight-level only: no hooks needed

    def test_fp16_and_bf16_weight_masks_act_on_the_16_bit_words(self):
        for datatype in ("fp16", "bf16"):
            em = export(self.tmp, "weight_" + datatype, [
                {"site": "weight", "pe": [5, 3], "bit": 13, "kind": "stuck_at_1"},
                {"site": "weight", "pe": [1, 6], "bit": 9, "kind": "stuck_at_1"},
            ], datatype=datatype)
            self.assertEqual(em.datatype, datatype)
            pm = em.forward("conv2")
            self.assertEqual(int(pm.stationary_or.max()), 1 << 13)  # bits of the 16-bit word
            self.apply_and_check(em, "weight " + datatype)

    def test_int8_weight_masks_and_operand_rules_act_on_the_quantised_words(self):
        em = export(self.tmp, "int8", [
            {"site": "weight", "pe": [5, 3], "bit": 6, "kind": "stuck_at_1"},
            {"site": "input", "pe": [0, 2], "bit": 5, "kind": "stuck_at_1"},
            {"site": "product", "pe": [7, 1], "bit": 12, "kind": "stuck_at_1"},  # row 7 idle in conv1/conv2
        ], datatype="int8")
        self.assertGreater(len(self.apply_and_check(em, "int8").hooks), 0)

    def test_input_and_product_stuck_ats_through_forward_hooks_match_accsim(self):
        em = export(self.tmp, "operands", [
            {"site": "input", "pe": [0, 2], "bit": 29, "kind": "stuck_at_1"},
            {"site": "product", "pe": [3, 4], "bit": 27, "kind": "stuck_at_1"},
            {"site": "product", "pe": [7, 1], "bit": 26, "kind": "stuck_at_1"},  # row 7 idle in conv1/conv2
        ], "random")
        self.assertGreater(len(self.apply_and_check(em, "operands").hooks), 0)

    # ---- every site and kind, output-level faults bit for bit ---------------------------

    def test_every_site_and_kind_matches_accsim_output_level_faults_bit_for_bit(self):
        """weight, input, product, psum, accumulator x stuck_at_0, stuck_at_1, transient. The
        old consumer applied nothing for psum and accumulator faults and transients."""
        where = {"weight": (2, 2), "input": (2, 2), "product": (2, 2), "psum": (0, 2), "accumulator": (3, 2)}
        for i, site in enumerate(where):
            for j, kind in enumerate(("stuck_at_0", "stuck_at_1", "transient")):
                swizzle = ("none", "random")[(i + j) % 2]
                if kind == "transient":  # one in conv2, one in fc1
                    faults = [fault(site, kind, 26, where[site], c) for c in (CONV2_CYCLE, FC1_CYCLE)]
                else:
                    # fp32 values in [2^-63, 2): exponent bit 29 set, bit 25 set or clear
                    faults = [fault(site, kind, 29 if kind == "stuck_at_0" else 25, where[site])]
                what = f"{site} {kind} ({swizzle})"
                em = export(self.tmp, f"{site}_{kind}", faults, swizzle)
                output_level = kind == "transient" or site in ("psum", "accumulator")
                handle = self.apply_and_check(em, what, output_level)
                if output_level:
                    self.assertTrue(any(s.exact_channels for s in handle.summary), what)

    def test_psum_bit_30_stuck_at_1_corrupts_the_column_it_sits_in(self):
        """The issue's example: the old consumer left every layer at its fault-free output."""
        em = export(self.tmp, "psum30", [fault("psum", "stuck_at_1", 30, (0, 2))], "rotate")
        handle = self.apply_and_check(em, "psum bit 30", output_level=True)
        conv1 = next(s for s in handle.summary if s.layer == "conv1")
        self.assertEqual(conv1.exact_channels, [2])
        self.assertIn("partial-sum stuck-at", conv1.line())

    def test_output_level_faults_are_bit_exact_on_every_number_format(self):
        for datatype in ("fp16", "bf16", "int8"):
            wide = 30 if datatype != "int8" else 29  # psum, accumulator: fp32 or int32 words
            em = export(self.tmp, "output_" + datatype, [
                fault("psum", "stuck_at_1", wide, (0, 5)),
                fault("accumulator", "stuck_at_0", 4, (3, 1)),
                fault("product", "transient", 12, (2, 6), CONV2_CYCLE),
            ], "xor", datatype)
            self.apply_and_check(em, "output level " + datatype, output_level=True)

    def test_transients_hit_only_the_image_they_hit(self):
        """Image n of the run is batch element n of a forward call: a two-image batch of
        the same image gets the flip on the first image only."""
        em = export(self.tmp, "transient_batch", [fault("psum", "transient", 29, (0, 3), CONV2_CYCLE)])
        handle = aem.apply(self.model_with_sample_weights(em), em, verbose=False)
        s = em.samples["conv2"]
        got = run_layer(handle.model.conv2, torch.cat([s["input"], s["input"]]))
        (oc,) = next(x.exact_channels for x in handle.summary if x.layer == "conv2")
        self.assertTrue(torch.equal(aem.bits(got[0:1, oc]), aem.bits(s["faulty_output"][:, oc])))
        self.assertTrue(torch.equal(aem.bits(got[1:2, oc]), aem.bits(s["golden_output"][:, oc])))
        self.assertFalse(torch.equal(aem.bits(got[0, oc]), aem.bits(got[1, oc])))

    # ---- layer matching, shapes, copy, undo ---------------------------------------------

    def test_sequential_without_mapping_raises_naming_both_sides_and_works_with_one(self):
        em = export(self.tmp, "sequential", [fault("psum", "stuck_at_1", 30, (0, 2)),
                                             fault("weight", "stuck_at_1", 28, (5, 3))])
        seq = self.model_with_sample_weights(em, sequential_lenet(), SEQUENTIAL_PATHS)
        before = weight_bits(seq)
        with self.assertRaises(aem.ErrorModelError) as e:
            aem.apply(seq, em, verbose=False)
        for name in LAYERS + ("0 (Conv2d)", "7 (Linear)", "mapping="):
            self.assertIn(name, str(e.exception))
        self.assertEqual(weight_bits(seq).keys(), before.keys())
        self.assertTrue(all(torch.equal(weight_bits(seq)[k], before[k]) for k in before))  # nothing applied
        mapping = dict(SEQUENTIAL_PATHS, conv2=seq[3])  # module paths or the modules themselves
        handle = aem.apply(seq, em, mapping, verbose=False)
        self.assertEqual([s.module for s in handle.summary], [SEQUENTIAL_PATHS[n] for n in LAYERS])
        self.check_layers(em, handle, "sequential", paths=SEQUENTIAL_PATHS)

    def test_shape_mismatch_raises_naming_the_layer_and_both_shapes(self):
        em = export(self.tmp, "shapes", [fault("psum", "stuck_at_1", 27, (0, 2))])
        model = LeNet5(conv2_out=12)
        before = weight_bits(model)
        with self.assertRaisesRegex(aem.ErrorModelError, r"'conv2'.*\[12, 6, 5, 5\].*\[16, 6, 5, 5\]"):
            aem.apply(model, em, verbose=False)
        self.assertTrue(all(torch.equal(weight_bits(model)[k], before[k]) for k in before))  # nothing applied
        handle = aem.apply(self.model_with_sample_weights(em), em, verbose=False)
        with self.assertRaisesRegex(aem.ErrorModelError, r"'conv1'.*input shape \[1, 1, 32, 32\].*\[N, 1, 28, 28\]"):
            run_layer(handle.model.conv1, torch.zeros(1, 1, 32, 32))

    def test_copy_leaves_the_original_model_untouched(self):
        em = export(self.tmp, "copy", [fault("weight", "stuck_at_1", 30, (5, 3)),
                                       fault("psum", "stuck_at_1", 30, (0, 2))])
        model = self.model_with_sample_weights(em)
        before = weight_bits(model)
        x = em.samples["conv1"]["input"]
        healthy = run_layer(model.conv1, x)
        handle = aem.apply(model, em, copy=True, verbose=False)
        self.assertIsNot(handle.model, model)
        corrupted = aem.corrupt(model, em, verbose=False)  # PyTorchFI style: the copy itself
        self.assertTrue(all(torch.equal(weight_bits(model)[k], before[k]) for k in before))
        self.assertTrue(torch.equal(aem.bits(run_layer(model.conv1, x)), aem.bits(healthy)))
        for m in (handle.model, corrupted):
            self.assertFalse(torch.equal(aem.bits(run_layer(m.conv1, x)), aem.bits(healthy)))
            self.assertFalse(torch.equal(m.conv2.weight, model.conv2.weight))

    def test_remove_restores_the_weights_bit_for_bit_and_removes_the_hooks(self):
        em = export(self.tmp, "undo", [fault("weight", "stuck_at_1", 30, (5, 3)),
                                       fault("accumulator", "stuck_at_1", 29, (3, 4)),
                                       fault("input", "stuck_at_1", 29, (0, 2))])
        model = self.model_with_sample_weights(em)
        before = weight_bits(model)
        x = em.samples["conv2"]["input"]
        healthy = run_layer(model.conv2, x)
        handle = aem.apply(model, em, verbose=False)
        self.assertFalse(all(torch.equal(weight_bits(model)[k], before[k]) for k in before))
        with self.assertRaisesRegex(aem.ErrorModelError, "already carries"):
            aem.apply(model, em, verbose=False)  # twice would double the hooks
        handle.remove()
        self.assertTrue(all(torch.equal(weight_bits(model)[k], before[k]) for k in before))
        self.assertTrue(torch.equal(aem.bits(run_layer(model.conv2, x)), aem.bits(healthy)))
        with aem.apply(model, em, verbose=False):  # a context manager; re-applies after remove()
            self.assertFalse(torch.equal(aem.bits(run_layer(model.conv2, x)), aem.bits(healthy)))
        self.assertTrue(all(torch.equal(weight_bits(model)[k], before[k]) for k in before))

    # ---- package, command line, file checks ---------------------------------------------

    def test_package_has_a_version_and_both_command_lines_print_the_summaries(self):
        self.assertRegex(aem.__version__, r"^\d+\.\d+\.\d+$")
        em = export(self.tmp, "cli", [fault("psum", "stuck_at_1", 27, (0, 2))])
        handle = aem.apply(self.model_with_sample_weights(em), em, verbose=False)
        self.assertIn("conv1 -> conv1 (Conv2d): hook: output channel(s) 2", handle.report())
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        for cmd in ([sys.executable, os.path.join(PYTHON_DIR, "accsim_errmodel"), em.path],
                    [sys.executable, "-m", "accsim_errmodel", em.path]):
            r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=self.tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("conv1 fwd: partial sums of column 2 bit 27 forced 1", r.stdout)
            self.assertIn(": lenet5 on 8x8 fp32, swizzle none", r.stdout)

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
            self.assertTrue(torch.equal(aem.bits(replay), aem.bits(s["faulty_output"])), name)
            exact += int((aem.bits(replay) != aem.bits(s["golden_output"])).sum())
        self.assertGreater(exact, 0)

    def test_mismatched_version_or_unknown_site_is_rejected_by_name(self):
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
        site = os.path.join(self.tmp, "site.h5")
        shutil.copy(em.path, site)
        with h5py.File(site, "r+") as f:
            del f["stuck/site"]
            f["stuck/site"] = [b"laser"]
        with self.assertRaisesRegex(aem.ErrorModelError, "/stuck/site.*laser"):
            aem.ErrorModel(site)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
