#!/usr/bin/python3
"""training.init's seeded schemes: accsim train and graph_train_reference.py (PyTorch) start
from the same tensors. accsim trains the MobileNet one SGD step at learning rate 1e-8 (so
each parameter moves by at most ~1e-8) and writes its parameters; the script's draw for the
same seed must match them within 1e-7 for "seeded" and "kaiming", and the two schemes must
differ (docs/training.md "Graph models").

Run by ctest: training_init_test.py ACCSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np
import onnx

ACCSIM = sys.argv[1] if len(sys.argv) > 1 else "build/tools/accsim"
SOURCE = sys.argv[2] if len(sys.argv) > 2 else "."
sys.path.insert(0, os.path.join(SOURCE, "tools", "python", "models"))
import fmnist_data  # noqa: E402
import graph_train_reference  # noqa: E402

MODEL = os.path.join(os.path.abspath(SOURCE), "configs", "models", "mobilenet_fmnist.onnx")
SEED = 4


def accsim_parameters(init, work):
    """accsim's parameters after one step at lr 1e-8 from `init`, by name."""
    with open(os.path.join(SOURCE, "configs", "experiments", "mobilenet_fmnist_train.json")) as f:
        config = json.load(f)  # its array
    config.update({"workload": {"model": MODEL}, "seed": SEED, "faults": [],
                   "training": {"init": init, "epochs": 1, "batch_size": 8, "train_limit": 8, "validation_size": 8,
                                "test_limit": 8, "optimizer": {"name": "sgd", "lr": 1e-8, "momentum": 0.0}}})
    path, out = os.path.join(work, init + ".json"), os.path.join(work, init + ".h5")
    with open(path, "w") as f:
        json.dump(config, f)
    done = subprocess.run([ACCSIM, "train", "--config", path, "--out", out, "--threads", "1", "--quiet"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"accsim train ({init}) exited {done.returncode}: {done.stderr}")
    with h5py.File(out, "r") as f:
        return {name: f["parameters"][name][()] for name in f["parameters"]}


@unittest.skipUnless(os.path.exists(os.path.join(fmnist_data.DEFAULT_DIR, "train-labels-idx1-ubyte.gz")),
                     "dataset-fashion-mnist is not installed")
class SeededInits(unittest.TestCase):
    def setUp(self):
        self.proto = onnx.load(MODEL)
        self.work = tempfile.mkdtemp()

    def max_difference(self, ours, init):
        theirs = graph_train_reference.seeded_parameters(self.proto, SEED, init)
        self.assertEqual(sorted(theirs), sorted(ours))
        return max(float(np.max(np.abs(ours[n] - t.numpy()))) for n, t in theirs.items())

    def test_both_sides_draw_the_same_tensors(self):
        for init in ("seeded", "kaiming"):
            with self.subTest(init=init):
                ours = accsim_parameters(init, self.work)
                self.assertLess(self.max_difference(ours, init), 1e-7)
                other = "kaiming" if init == "seeded" else "seeded"
                self.assertGreater(self.max_difference(ours, other), 0.1)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
