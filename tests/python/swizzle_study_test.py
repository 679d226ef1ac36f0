#!/usr/bin/python3
"""The swizzle study's pieces that can fail, on tiny synthetic files (no accsim run):
the study file's checks, the per-run gap, the t-interval, the seed pairing of the change and
difference statistics, the derived run configs and the resume rule.

usage: swizzle_study_test.py SOURCE_DIR
"""
import json
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "tools", "python"))
import swizzle_stats  # noqa: E402
import swizzle_study  # noqa: E402

HEADER = "epoch,train_loss,train_accuracy,val_accuracy_faulty,val_accuracy_fault_free,nonfinite_batches,cycles\n"


def write_history(path, gaps, fault_free=0.8):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(HEADER)
        for epoch, gap in enumerate(gaps, 1):
            f.write(f"{epoch},1.0,0.5,{fault_free - gap},{fault_free},0,100\n")


class Temp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.root = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def write_json(self, name, data):
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            json.dump(data, f)
        return path


class TInterval(unittest.TestCase):
    def test_known_value(self):
        mean, lo, hi = swizzle_stats.t_interval([1, 2, 3, 4, 5])
        half = 2.7764451 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4) * sd / sqrt(n)
        self.assertAlmostEqual(mean, 3.0)
        self.assertAlmostEqual(lo, 3 - half, places=6)
        self.assertAlmostEqual(hi, 3 + half, places=6)

    def test_one_value_has_no_interval(self):
        mean, lo, hi = swizzle_stats.t_interval([0.25])
        self.assertEqual(mean, 0.25)
        self.assertTrue(math.isnan(lo) and math.isnan(hi))


class Aggregation(Temp):
    def test_gap_is_fault_free_minus_faulty(self):
        path = os.path.join(self.root, "h.csv")
        write_history(path, [0.01, 0.03])
        gaps = swizzle_stats.run_gaps(path)
        self.assertEqual(sorted(gaps), [1, 2])
        self.assertAlmostEqual(gaps[2], 0.03)

    def test_not_a_history(self):
        path = os.path.join(self.root, "h.csv")
        with open(path, "w") as f:
            f.write("epoch,val_accuracy_faulty\n1,0.5\n")
        with self.assertRaisesRegex(swizzle_stats.StudyError, "not an accsim train history"):
            swizzle_stats.run_gaps(path)

    def test_curve_keeps_the_epochs_every_seed_reached(self):
        write_history(os.path.join(self.root, "m", "none", "seed1.csv"), [0.0, 0.02, 0.04])
        write_history(os.path.join(self.root, "m", "none", "seed2.csv"), [0.02, 0.04])  # stopped run
        runs = swizzle_stats.policy_runs(self.root, "m", "none", [1, 2, 3])
        self.assertEqual(sorted(runs), [1, 2])
        rows = swizzle_stats.curve(runs)
        self.assertEqual([r[0] for r in rows], [1, 2])
        self.assertEqual(rows[1][1], 2)
        self.assertAlmostEqual(rows[1][2], 0.03)

    def test_change_and_difference_are_paired_by_seed(self):
        # Gaps differ a lot between seeds but grow by exactly 0.02 in each (none) and 0.01
        # (rotate), so rotate's last gap is exactly 0.01 below none's in each seed: the
        # paired intervals have width 0.
        for seed, base in ((1, 0.0), (2, 0.10), (3, 0.30)):
            write_history(os.path.join(self.root, "m", "none", f"seed{seed}.csv"), [base, base + 0.02])
            write_history(os.path.join(self.root, "m", "rotate", f"seed{seed}.csv"), [base, base + 0.01])
        study = swizzle_stats.Study({"m": "m.json"}, ["none", "rotate"], [1, 2, 3])
        rows = swizzle_stats.final_rows(swizzle_stats.study_runs(study, self.root))
        self.assertEqual([(m, p) for m, p, _ in rows], [("m", "none"), ("m", "rotate")])
        none, rotate = rows[0][2], rows[1][2]
        self.assertEqual(none["epoch"], 2)
        for stat, want in ((none["change"], 0.02), (rotate["change"], 0.01), (rotate["minus_none"], -0.01)):
            for v in stat:
                self.assertAlmostEqual(v, want)
        self.assertGreater(none["gap_last"][2] - none["gap_last"][1], 0.1)  # unpaired: wide


class StudyFile(Temp):
    def setUp(self):
        super().setUp()
        self.write_json("base.json", {})

    def study(self, **change):
        data = {"models": {"a": "base.json"}, "policies": ["none", "xor"], "seeds": [1, 2]}
        data.update(change)
        return self.write_json("study.json", data)

    def test_valid(self):
        study = swizzle_stats.read_study(self.study())
        self.assertEqual(study.models, {"a": os.path.join(self.root, "base.json")})
        self.assertEqual(study.seeds, [1, 2])

    def test_errors_name_the_key(self):
        cases = [({"policies": ["none", "shuffle"]}, "policies"), ({"seeds": [1, 1]}, "seeds: duplicate"),
                 ({"seeds": [-1]}, "seeds"), ({"seeds": [True]}, "seeds"), ({"seeds": []}, "seeds"),
                 ({"models": {"a": "missing.json"}}, "models.a: no such config"), ({"extra": 1}, "/: expected an object with exactly the keys")]
        for change, message in cases:
            with self.subTest(change=change):
                with self.assertRaisesRegex(swizzle_stats.StudyError, "study.json: " + message):
                    swizzle_stats.read_study(self.study(**change))

    def test_model_subset(self):
        study = swizzle_stats.read_study(self.study())
        self.assertEqual(swizzle_stats.model_subset(study, None), ["a"])
        with self.assertRaisesRegex(swizzle_stats.StudyError, "unknown b"):
            swizzle_stats.model_subset(study, "a,b")


class Runs(Temp):
    def test_run_config_sets_the_policy_and_absolute_paths(self):
        os.makedirs(os.path.join(self.root, "cfg"))
        base = self.write_json(os.path.join("cfg", "b.json"),
                               {"array": {"swizzle": "none"}, "workload": {"model": "../m.onnx", "dataset_dir": "/abs"}})
        config = swizzle_study.run_config(base, "random")
        self.assertEqual(config["array"]["swizzle"], "random")
        self.assertEqual(config["workload"]["model"], os.path.join(self.root, "m.onnx"))
        self.assertEqual(config["workload"]["dataset_dir"], "/abs")

    def test_planned_runs_order_and_resume_rule(self):
        base = self.write_json("b.json", {"array": {}, "workload": {"network": "lenet5"}})
        study = swizzle_stats.Study({"m": base}, ["none", "rotate"], [1, 2])
        out = os.path.join(self.root, "out")
        runs = swizzle_study.planned_runs(study, out, ["m"])
        self.assertEqual([(r[1], r[2]) for r in runs], [("none", 1), ("rotate", 1), ("none", 2), ("rotate", 2)])
        h5 = runs[0][4]
        self.assertFalse(swizzle_study.finished(h5))
        for suffix in (".h5", ".csv"):
            open(h5[:-3] + suffix, "w").close()
        self.assertTrue(swizzle_study.finished(h5))
        open(h5 + ".checkpoint.h5", "w").close()  # a stopped run (accsim names it so): resume it
        self.assertFalse(swizzle_study.finished(h5))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
