#!/usr/bin/python3
"""The DLRM export (tools/python/models/export_dlrm.py) and its shipped outputs.

Run by ctest: dlrm_export_test.py SOURCE_DIR
"""
import math
import os
import sys
import tempfile
import unittest

import h5py
import onnx
from onnx import numpy_helper

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "."
sys.path.insert(0, os.path.join(SOURCE, "tools", "python", "models"))
import export_dlrm  # noqa: E402

MODELS_DIR = os.path.join(SOURCE, "configs", "models")
SHIPPED = os.path.join(MODELS_DIR, export_dlrm.NAME + ".onnx")
FIXTURE = os.path.join(MODELS_DIR, export_dlrm.NAME + ".outputs.h5")


class ShippedDlrm(unittest.TestCase):
    def test_a_rerun_writes_the_shipped_files_byte_for_byte(self):
        with tempfile.TemporaryDirectory() as d:
            old = sys.argv
            sys.argv = ["export_dlrm.py", d]
            try:
                export_dlrm.main()
            finally:
                sys.argv = old
            for name in (export_dlrm.NAME + ".onnx", export_dlrm.NAME + ".outputs.h5"):
                with open(os.path.join(d, name), "rb") as a, open(os.path.join(MODELS_DIR, name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), name)

    def test_inputs_names_and_initialisation_are_what_accsim_dlrm_expects(self):
        proto = onnx.load(SHIPPED)
        self.assertLess(os.path.getsize(SHIPPED), 5 << 20)
        inputs = [(i.name, i.type.tensor_type.elem_type) for i in proto.graph.input]
        self.assertEqual(inputs, [("dense", onnx.TensorProto.FLOAT), ("sparse.0", onnx.TensorProto.INT64)])
        params = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
        self.assertEqual(sorted(params), sorted(["mlp.bottom.0.weight", "mlp.bottom.0.bias", "embedding.0.weight",
                                                 "mlp.top.0.weight", "mlp.top.0.bias", "mlp.top.1.weight",
                                                 "mlp.top.1.bias"]))
        self.assertEqual(params["embedding.0.weight"].shape, (8192, 64))
        table = params["embedding.0.weight"]
        self.assertLessEqual(abs(table).max(), math.sqrt(1 / 8192))
        self.assertGreater(abs(table).max(), 0.99 * math.sqrt(1 / 8192))
        for name, fan_in in (("mlp.bottom.0", 128), ("mlp.top.0", 128), ("mlp.top.1", 64)):
            for part in ("weight", "bias"):
                self.assertLessEqual(abs(params[name + "." + part]).max(), 1 / math.sqrt(fan_in), name)
        ops = [n.op_type for n in proto.graph.node]
        self.assertIn("Gather", ops)
        self.assertNotIn("Loop", ops)  # not nn.EmbeddingBag's export

    def test_fixture_bags_are_padded_with_the_zero_row(self):
        with h5py.File(FIXTURE, "r") as h5:
            self.assertEqual(h5.attrs["batches"], len(export_dlrm.BATCHES))
            for k, (samples, _) in enumerate(export_dlrm.BATCHES):
                g = h5["batch_%d" % k]
                bags = g["sparse.0"][()].reshape(samples, -1)
                self.assertEqual(g["output"].shape, (samples, 1))
                self.assertTrue(((bags >= 0) & (bags <= 8192)).all())
                for row in bags:  # ascending real rows, then the padding index
                    real = row[row < 8192]
                    self.assertTrue((real[1:] > real[:-1]).all())
                    self.assertTrue((row[len(real):] == 8192).all())


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]])
