#!/usr/bin/python3
"""The Fashion-MNIST model scripts (tools/python/models) and the shipped models.

Run by ctest: models_test.py SOURCE_DIR
"""
import gzip
import json
import os
import sys
import tempfile
import unittest

import h5py
import numpy as np
import onnx
import torch

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "."
sys.path.insert(0, os.path.join(SOURCE, "tools", "python", "models"))
import fixture  # noqa: E402
import fmnist_data  # noqa: E402
import gradient_fixture  # noqa: E402
import onnx_export  # noqa: E402
import onnx_reference  # noqa: E402
import onnx_weights  # noqa: E402
import registry  # noqa: E402
import resnet8  # noqa: E402
import training  # noqa: E402
import vit  # noqa: E402

MODELS_DIR = os.path.join(SOURCE, "configs", "models")
HAVE_DATA = all(os.path.exists(os.path.join(fmnist_data.DEFAULT_DIR, f))
                for f in fmnist_data.FILES["test"])


def write_idx(path, magic, dims, payload):
    head = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    with gzip.open(path, "wb") as f:
        f.write(head + payload)


class IdxReader(unittest.TestCase):
    def test_reads_images_and_labels_as_accsim_does(self):
        with tempfile.TemporaryDirectory() as d:
            pixels = bytes(range(256)) + bytes(2 * 784 - 256)  # 2 images of 28x28
            write_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz"), 0x803, (2, 28, 28), pixels)
            write_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz"), 0x801, (2,), bytes([7, 3]))
            x, y = fmnist_data.load("test", d)
        self.assertEqual(x.shape, (2, 1, 28, 28))
        self.assertEqual(x.dtype, np.float32)
        self.assertEqual(y.tolist(), [7, 3])
        # float32(byte) / 255.0f, as workloads/io/fashion_mnist.cpp computes it
        expect = np.arange(256, dtype=np.float32) / np.float32(255)
        self.assertTrue(np.array_equal(x.reshape(-1)[:256], expect))

    def test_rejects_wrong_magic_and_truncation(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.gz")
            write_idx(path, 0x801, (2,), bytes([1, 2]))
            with self.assertRaisesRegex(ValueError, "magic"):
                fmnist_data.read_idx(path, fmnist_data.IMAGES_MAGIC)
            write_idx(path, 0x801, (3,), bytes([1, 2]))
            with self.assertRaisesRegex(ValueError, "announces"):
                fmnist_data.read_idx(path, fmnist_data.LABELS_MAGIC)


class Export(unittest.TestCase):
    def export(self, model):
        self.tmp = tempfile.TemporaryDirectory()
        path = os.path.join(self.tmp.name, "m.onnx")
        return path, onnx_export.export(model, path)

    def tearDown(self):
        self.tmp.cleanup()

    def randomise_batchnorms(self, model):
        """Trained-like BN statistics, so that folding changes the conv weights."""
        g = torch.Generator().manual_seed(3)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g))
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.data.copy_(torch.randn(m.num_features, generator=g))
                m.bias.data.copy_(torch.randn(m.num_features, generator=g))
        return model.eval()

    def test_folded_conv_tensors_take_their_conv_names(self):
        torch.manual_seed(0)
        model = self.randomise_batchnorms(resnet8.ResNet8(widths=(4, 8, 8)))
        path, proto = self.export(model)
        names = {t.name for t in proto.graph.initializer}
        self.assertIn("layer2.shortcut.0.weight", names)
        self.assertIn("layer2.shortcut.0.bias", names)
        self.assertFalse([n for n in names if n.startswith("onnx::")])
        self.assertNotIn("Identity", {n.op_type for n in proto.graph.node})
        self.assertNotIn("BatchNormalization", {n.op_type for n in proto.graph.node})
        x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            want = model(x).numpy()
            # the registry's loader rebuilds the same architecture from the file's weights
            loaded = onnx_weights.load_initializers(onnx_weights.fold_batchnorms(
                resnet8.ResNet8(widths=(4, 8, 8))), onnx.load(path))(x).numpy()
        ref = onnx_reference.run(proto, {"input": x.numpy()})["logits"]
        np.testing.assert_allclose(loaded, want, rtol=0, atol=1e-5)
        np.testing.assert_allclose(ref, want, rtol=0, atol=1e-5)

    def test_vit_linears_are_gemms_on_named_parameters(self):
        torch.manual_seed(0)
        model = vit.VisionTransformer(patch=7, dim=16, depth=2, heads=2, hidden=32).eval()
        _, proto = self.export(model)
        gemm_weights = {n.input[1] for n in proto.graph.node if n.op_type == "Gemm"}
        for w in ("q", "k", "v", "out"):
            self.assertIn(f"blocks.1.attn.{w}.weight", gemm_weights)
        self.assertIn("blocks.0.mlp.fc1.weight", gemm_weights)
        inits = {t.name for t in proto.graph.initializer}
        matmuls = [n for n in proto.graph.node if n.op_type == "MatMul"]
        self.assertEqual(len(matmuls), 4)  # q.k^T and a.v per block, both operands activations
        self.assertFalse([i for n in matmuls for i in n.input if i in inits])
        self.assertFalse({"Shape", "Gather", "Expand"} & {n.op_type for n in proto.graph.node})
        x = torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            want = model(x).numpy()
        np.testing.assert_allclose(onnx_reference.run(proto, {"input": x.numpy()})["logits"], want,
                                   rtol=0, atol=1e-5)
        self.assertEqual([d.dim_param for d in proto.graph.input[0].type.tensor_type.shape.dim][0], "batch")


class VitLinear(unittest.TestCase):
    def test_training_path_computes_the_linear_layer(self):
        torch.manual_seed(0)
        layer = vit.Linear(24, 40)
        x = torch.randn(50, 24)
        with torch.no_grad():
            trained_path = layer.train()(x)
            eval_path = layer.eval()(x)
        self.assertEqual(tuple(trained_path.shape), (50, 40))
        np.testing.assert_allclose(trained_path.numpy(), eval_path.numpy(), rtol=0, atol=1e-5)


class Training(unittest.TestCase):
    def run_once(self):
        training.make_deterministic(5)
        model = resnet8.ResNet8(widths=(4, 4, 4))
        g = np.random.default_rng(0)
        x = g.random((64, 1, 28, 28), dtype=np.float32)
        y = g.integers(0, 10, 64)
        hp = {"epochs": 1, "batch": 16, "lr": 1e-2, "weight_decay": 0.0, "shift": 2}
        training.train(model, (x, y, x[:8], y[:8]), hp, 5, log=lambda s: None)
        return torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def test_same_seed_same_weights(self):
        self.assertTrue(torch.equal(self.run_once(), self.run_once()))


class ShippedModels(unittest.TestCase):
    def test_each_model_file_card_and_fixture(self):
        torch.set_num_threads(1)
        labels = fmnist_data.load("test", limit=1000)[1] if HAVE_DATA else None
        for name in registry.MODELS:
            with self.subTest(model=name):
                path = os.path.join(MODELS_DIR, f"{name}.onnx")
                self.assertLess(os.path.getsize(path), 5 * 1024 * 1024)
                with open(os.path.join(MODELS_DIR, f"{name}.card.json")) as f:
                    card = json.load(f)
                self.assertGreaterEqual(card["test_accuracy_onnx_weights"], 0.85)
                with h5py.File(os.path.join(MODELS_DIR, f"{name}.logits.h5"), "r") as f:
                    logits, fx_labels = f["logits"][()], f["labels"][()]
                    self.assertEqual(f.attrs["onnx_sha256"], fixture.sha256(path))
                    accuracy = float(f.attrs["accuracy"])
                self.assertEqual(logits.shape, (1000, 10))
                self.assertEqual(logits.dtype, np.float32)
                self.assertAlmostEqual(accuracy, float((logits.argmax(1) == fx_labels).mean()))
                if labels is not None:
                    self.assertTrue(np.array_equal(fx_labels, labels))
                    x = fmnist_data.load("test", limit=50)[0]
                    with torch.no_grad():
                        now = onnx_weights.torch_from_onnx(name, path)(torch.from_numpy(x)).numpy()
                    np.testing.assert_allclose(now, logits[:50], rtol=0, atol=1e-4)

    def test_gradient_fixtures_belong_to_the_files_and_reproduce(self):
        torch.set_num_threads(1)
        total = 0
        for name in registry.MODELS:
            with self.subTest(model=name):
                path = os.path.join(MODELS_DIR, f"{name}.onnx")
                fx_path = os.path.join(MODELS_DIR, f"{name}.gradients.h5")
                total += os.path.getsize(fx_path)
                now = gradient_fixture.compute(name, path)
                with h5py.File(fx_path, "r") as f:
                    self.assertEqual(f.attrs["onnx_sha256"], fixture.sha256(path))
                    np.testing.assert_array_equal(f["images"][()], now["images"])
                    self.assertEqual(sorted(f["gradients"].keys()), sorted(now["gradients"]))
                    for n, g in now["gradients"].items():
                        np.testing.assert_allclose(f["gradients"][n][()], g, rtol=0,
                                                   atol=1e-6 * (np.abs(g).max() + 1e-12), err_msg=n)
        self.assertLess(total, 2 * 1024 * 1024)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
