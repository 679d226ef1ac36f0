#!/usr/bin/python3
"""`mpirun -np N accsim pvf|campaign|sweep|dlrm|train-campaign` equals the one-process run bit for bit (docs/scale_out.md).

Small LeNet-5 PVF, hardware-fault and memory-fault campaigns, a sweep whose points run
campaigns, a DLRM study and a training-fault campaign run in one process and on 3 ranks of the 2-core machine
(--oversubscribe); every dataset and attribute of the two HDF5 files must be equal bit
for bit. A run stopped by SIGTERM (or killed by SIGKILL) on rank 0 resumes from its
checkpoint on another rank count to the same file; an input error, on every rank or on
some ranks only, prints one line and exits 2 from every rank with nothing written; every
command that does not spread over ranks is refused.
Run by ctest:
    mpi_runs_test.py ACCSIM_BINARY MPIEXEC SOURCE_DIR
"""
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

ACCSIM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/tools/accsim")
MPIEXEC = sys.argv[2] if len(sys.argv) > 2 else "mpirun"
SOURCE = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else ".")
ENV = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
if os.getuid() == 0:  # CI may run as root, which Open MPI refuses unless told
    ENV.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def mpirun(ranks, *args):
    return [MPIEXEC, "--oversubscribe", "--bind-to", "none", "-np", str(ranks), ACCSIM, *args]


def run(cmd):
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=120)


def h5_items(path):
    """Every dataset's (dtype, shape, bytes) and every attribute, by path."""
    items = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for key, value in obj.attrs.items():
                items[f"{name}@{key}"] = np.asarray(value).tobytes()
            if isinstance(obj, h5py.Dataset):
                data = obj[()]
                items[name] = (str(obj.dtype), obj.shape, np.asarray(data).tobytes())
        visit("/", f)
        f.visititems(visit)
    return items


class MpiPvf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        with open(os.path.join(SOURCE, "configs", "experiments", "pvf_lenet5.json")) as f:
            config = json.load(f)
        pvf = config["pvf"]
        pvf["model"] = os.path.join(SOURCE, "configs", "models", "lenet5_fashion_mnist.h5")
        pvf.update(experiments=2000, test_limit=200, threads=1, checkpoint_seconds=0.1)
        cls.config = cls.write_config("pvf.json", config)
        cls.single = os.path.join(cls.tmp.name, "single.h5")
        r = run([ACCSIM, "pvf", "--config", cls.config, "--out", cls.single, "--quiet"])
        assert r.returncode == 0, r.stderr
        cls.expected = h5_items(cls.single)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def write_config(cls, name, config):
        path = os.path.join(cls.tmp.name, name)
        with open(path, "w") as f:
            json.dump(config, f)
        return path

    def out(self, name):
        return os.path.join(self.tmp.name, name)

    def assert_same_file(self, path):
        got = h5_items(path)
        self.assertEqual(sorted(got), sorted(self.expected))
        for key, value in self.expected.items():
            self.assertTrue(got[key] == value, f"{key} differs from the one-process run's")

    def test_three_ranks_write_the_one_process_file(self):
        out = self.out("three.h5")
        r = run(mpirun(3, "pvf", "--config", self.config, "--out", out, "--quiet"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("pvf | array"), 1, r.stdout)  # rank 0 alone prints
        self.assert_same_file(out)
        with open(out.replace(".h5", ".csv")) as got, open(self.single.replace(".h5", ".csv")) as want:
            self.assertEqual(got.read(), want.read())

    def test_stopped_run_resumes_on_another_rank_count(self):
        out = self.out("stopped.h5")
        args = ["pvf", "--config", self.config, "--out", out, "--quiet"]
        code, err = kill_rank0_after_checkpoint(self, mpirun(3, *args), out, signal.SIGTERM)
        self.assertEqual(code, 128 + signal.SIGTERM, err)
        self.assertIn("rerun the same command to resume", err)
        resumed = run(mpirun(2, *args))
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertIn("resumed from", resumed.stdout)
        self.assert_same_file(out)

    def test_input_error_is_one_line_and_exit_2_on_every_rank(self):
        with open(self.config) as f:
            config = json.load(f)
        config["pvf"]["experiments"] = 0
        bad = self.write_config("bad.json", config)
        out = self.out("bad.h5")
        r = run(mpirun(3, "pvf", "--config", bad, "--out", out))
        self.assertEqual(r.returncode, 2, r.stderr)
        lines = [line for line in r.stderr.splitlines() if line.startswith("accsim:")]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("pvf.experiments", lines[0])
        self.assertFalse(os.path.exists(out))

    def test_an_adaptive_run_on_three_ranks_writes_the_one_process_file(self):
        with open(self.config) as f:
            config = json.load(f)
        del config["pvf"]["experiments"]  # adaptive: every rank plans each round from the results rank 0 shares
        config["pvf"]["stop"] = {"half_width": 0.02, "strata": ["target"], "round": 40, "max_per_stratum": 200}
        del config["pvf"]["mitigations"]
        adaptive = self.write_config("adaptive.json", config)
        single, three = self.out("adaptive_single.h5"), self.out("adaptive_three.h5")
        r = run([ACCSIM, "pvf", "--config", adaptive, "--out", single, "--quiet"])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run(mpirun(3, "pvf", "--config", adaptive, "--out", three, "--quiet"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("pvf | array"), 1, r.stdout)
        want, got = h5_items(single), h5_items(three)
        self.assertGreater(len(want), 0)
        self.assertEqual(sorted(got), sorted(want))
        for key, value in want.items():
            self.assertTrue(got[key] == value, f"{key} differs from the one-process run's")
        with open(single.replace(".h5", "_strata.csv")) as f:
            spent = [int(row["experiments"]) for row in csv.DictReader(f)]
        self.assertGreater(max(spent), 40, "a single round: nothing was shared between rounds")
        for suffix in (".csv", "_strata.csv"):
            with open(three.replace(".h5", suffix)) as g, open(single.replace(".h5", suffix)) as w:
                self.assertEqual(g.read(), w.read())

    def test_an_error_on_one_rank_only_is_rank_0s_one_line_and_exit_2(self):
        # Rank 0 reads the model; ranks 1 and 2 refuse it under a tiny memory limit.
        out = self.out("one_rank.h5")
        args = ["pvf", "--config", self.config, "--out", out, "--quiet"]
        r = run([MPIEXEC, "--oversubscribe", "--bind-to", "none", "-np", "1", ACCSIM, *args, ":",
                 "-np", "2", "/usr/bin/env", "ACCSIM_MEMORY_LIMIT=1K", ACCSIM, *args])
        self.assertEqual(r.returncode, 2, r.stderr)
        lines = [line for line in r.stderr.splitlines() if line.startswith("accsim:")]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertRegex(lines[0], r"^accsim: rank [12]: .*more than the memory limit of 1 KiB")
        self.assertFalse(os.path.exists(out))
        self.assertFalse(os.path.exists(out + ".checkpoint.h5"))

    def test_every_command_in_one_process_is_refused_under_mpirun(self):
        small = os.path.join(SOURCE, "configs", "small.json")
        for command in ("run", "errmodel", "train", "replay"):
            out = self.out(command + ".h5")
            args = [command, "--config", small, "--out", out] + (["--experiment", "0"] if command == "replay" else [])
            r = run(mpirun(2, *args))
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(r.stderr.count(f"`accsim {command}` runs in one process"), 1, r.stderr)
            self.assertEqual(os.listdir(self.tmp.name).count(command + ".h5"), 0)


class MpiCampaign(unittest.TestCase):
    def test_three_ranks_of_two_threads_write_the_one_process_file(self):
        with open(os.path.join(SOURCE, "configs", "experiments", "campaign_lenet5.json")) as f:
            config = json.load(f)
        config["campaign"].update(model=os.path.join(SOURCE, "configs", "models", "lenet5_fashion_mnist.h5"),
                                  experiments=48, test_limit=40, threads=1)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "campaign.json")
            with open(path, "w") as f:
                json.dump(config, f)
            single, three = os.path.join(tmp, "single.h5"), os.path.join(tmp, "three.h5")
            r = run([ACCSIM, "campaign", "--config", path, "--out", single, "--quiet"])
            self.assertEqual(r.returncode, 0, r.stderr)
            # 2 threads per rank against 1 in one process: only the recorded config differs.
            r = run(mpirun(3, "campaign", "--config", path, "--out", three, "--quiet", "--threads", "2"))
            self.assertEqual(r.returncode, 0, r.stderr)
            want, got = h5_items(single), h5_items(three)
            self.assertNotEqual(want.pop("/@config"), got.pop("/@config"))
            self.assertEqual(sorted(got), sorted(want))
            for key, value in want.items():
                self.assertTrue(got[key] == value, f"{key} differs from the one-process run's")


class MpiSweep(unittest.TestCase):
    def test_three_ranks_write_the_one_process_file_with_each_points_campaign(self):
        with open(os.path.join(SOURCE, "configs", "small.json")) as f:
            config = json.load(f)
        config["workload"] = {"network": "lenet5",
                              "parameters": os.path.join(SOURCE, "configs", "models", "lenet5_fashion_mnist.h5")}
        config["faults"] = [{"site": "weight", "pe": [3, 5], "bit": 30, "kind": "stuck_at_1"}]
        config["campaign"] = {"experiments": 6, "test_limit": 8, "batch": 4, "threads": 1}
        config["sweep"] = {"grid": {"array.swizzle": ["none", "rotate", "xor", "random"]}, "threads": 1}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sweep.json")
            with open(path, "w") as f:
                json.dump(config, f)
            single, three = os.path.join(tmp, "single.h5"), os.path.join(tmp, "three.h5")
            r = run([ACCSIM, "sweep", "--config", path, "--out", single, "--quiet"])
            self.assertEqual(r.returncode, 0, r.stderr)
            r = run(mpirun(3, "sweep", "--config", path, "--out", three, "--quiet"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.count("results:"), 1, r.stdout)  # rank 0 alone writes
            want, got = h5_items(single), h5_items(three)
            self.assertEqual(sorted(got), sorted(want))
            for key, value in want.items():
                self.assertTrue(got[key] == value, f"{key} differs from the one-process run's")
            with open(three.replace(".h5", ".csv")) as g, open(single.replace(".h5", ".csv")) as w:
                self.assertEqual(g.read(), w.read())


def small_config():
    """configs/small.json without faults, with seeded parameters."""
    with open(os.path.join(SOURCE, "configs", "small.json")) as f:
        config = json.load(f)
    del config["faults"]
    del config["workload"]["parameters"]
    return config


def assert_same_items(test, want, got):
    test.assertEqual(sorted(got), sorted(want))
    for key, value in want.items():
        test.assertTrue(got[key] == value, f"{key} differs from the one-process run's")


def kill_rank0_after_checkpoint(test, cmd, out, sig=signal.SIGKILL):
    """Starts `cmd` (an mpirun), sends `sig` to its rank 0 once `out`'s checkpoint exists, waits;
    returns mpirun's exit code and stderr."""
    checkpoint = out + ".checkpoint.h5"
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rank0 = None
    deadline = time.time() + 60
    while proc.poll() is None and time.time() < deadline and not (rank0 and os.path.exists(checkpoint)):
        rank0 = rank0 or find_rank0(out)
        time.sleep(0.01)
    test.assertIsNotNone(rank0, "rank 0 not found")
    test.assertTrue(os.path.exists(checkpoint), "no checkpoint before the end")
    os.kill(rank0, sig)
    _, err = proc.communicate(timeout=60)
    test.assertNotEqual(proc.returncode, 0, err)
    test.assertFalse(os.path.exists(out))
    return proc.returncode, err


def assert_three_ranks_write_the_one_process_files(test, command, config, companions):
    """`command` on `config` in one process and on 3 ranks: the same HDF5 items and companion files."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, command + ".json")
        with open(path, "w") as f:
            json.dump(config, f)
        single, three = os.path.join(tmp, "single.h5"), os.path.join(tmp, "three.h5")
        r = run([ACCSIM, command, "--config", path, "--out", single, "--quiet"])
        test.assertEqual(r.returncode, 0, r.stderr)
        r = run(mpirun(3, command, "--config", path, "--out", three, "--quiet"))
        test.assertEqual(r.returncode, 0, r.stderr)
        test.assertEqual(r.stdout.count("results:"), 1, r.stdout)  # rank 0 alone writes
        assert_same_items(test, h5_items(single), h5_items(three))
        for ext in companions:
            with open(three.replace(".h5", ext)) as g, open(single.replace(".h5", ext)) as w:
                test.assertEqual(g.read(), w.read(), ext)


class MpiMemoryCampaign(unittest.TestCase):
    def test_three_ranks_write_the_one_process_files(self):
        config = small_config()
        config["array"]["memory"] = {"preset": "nv_small"}
        config["workload"]["parameters"] = os.path.join(SOURCE, "configs", "models", "lenet5_fashion_mnist.h5")
        config["campaign"] = {"experiments": 40, "test_limit": 6, "batch": 4, "threads": 1, "sites": ["cbuf", "dram"],
                              "memory": {"cbuf_code": "parity", "dram_code": "none", "multi_bit_fraction": 0.3}}
        assert_three_ranks_write_the_one_process_files(self, "campaign", config, (".csv", ".fit.csv"))


class MpiDlrm(unittest.TestCase):
    def test_three_ranks_write_the_one_process_files(self):
        with open(os.path.join(SOURCE, "configs", "experiments", "dlrm_pytei.json")) as f:
            config = json.load(f)
        config["dlrm"] = {"dense_dim": 16, "sparse_dim": 512, "embedding_dim": 8, "bottom_mlp": [16], "top_mlp": [16, 1]}
        config["study"] = {"samples": 16, "sparsity": [0.01, 0.1], "trials": 4, "threads": 1}
        config["parameter_faults"]["rate"] = [1e-4, 1e-3]
        assert_three_ranks_write_the_one_process_files(self, "dlrm", config, (".csv",))

    def test_three_ranks_write_the_one_process_files_of_the_onnx_model(self):
        with open(os.path.join(SOURCE, "configs", "experiments", "dlrm_pytei_onnx.json")) as f:
            config = json.load(f)
        config["workload"]["model"] = os.path.join(SOURCE, "configs", "models", "dlrm_pytei.onnx")
        config["study"] = {"samples": 16, "sparsity": [0.001, 0.01], "trials": 4, "threads": 1}
        config["parameter_faults"]["rate"] = [1e-4, 1e-3]
        assert_three_ranks_write_the_one_process_files(self, "dlrm", config, (".csv",))


class MpiTrainCampaign(unittest.TestCase):
    """A few tiny training-fault experiments: 3 ranks and a run killed on 3 ranks and
    resumed on 2 write the one-process file bit for bit."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        config = small_config()
        config["training"] = {"batch_size": 8, "train_limit": 24, "validation_size": 40, "eval_batch": 40}
        # 96 experiments: on idle cores 24 ended before rank 0's first checkpoint (0.1 s)
        config["train_campaign"] = {"experiments": 96, "steps": 3, "fault_steps": [1, 2], "bits": [24, 31],
                                    "checkpoint_seconds": 0.1, "threads": 1}
        cls.config = os.path.join(cls.tmp.name, "train_campaign.json")
        with open(cls.config, "w") as f:
            json.dump(config, f)
        cls.single = os.path.join(cls.tmp.name, "single.h5")
        r = run([ACCSIM, "train-campaign", "--config", cls.config, "--out", cls.single, "--quiet"])
        assert r.returncode == 0, r.stderr
        cls.expected = h5_items(cls.single)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def args(self, out):
        return ["train-campaign", "--config", self.config, "--out", out, "--quiet"]

    def test_three_ranks_write_the_one_process_file(self):
        out = os.path.join(self.tmp.name, "three.h5")
        r = run(mpirun(3, *self.args(out)))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("results:"), 1, r.stdout)  # rank 0 alone writes
        assert_same_items(self, self.expected, h5_items(out))
        with open(out.replace(".h5", ".csv")) as g, open(self.single.replace(".h5", ".csv")) as w:
            self.assertEqual(g.read(), w.read())

    def test_a_run_killed_on_three_ranks_resumes_on_two(self):
        out = os.path.join(self.tmp.name, "killed.h5")
        kill_rank0_after_checkpoint(self, mpirun(3, *self.args(out)), out)
        resumed = run(mpirun(2, *self.args(out)))
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertIn("resumed from", resumed.stdout)
        assert_same_items(self, self.expected, h5_items(out))


def find_rank0(out):
    """The pid of the accsim process of rank 0 that writes `out`."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().split(b"\0")
            if os.fsencode(ACCSIM) != cmdline[0] or os.fsencode(out) not in cmdline:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if b"OMPI_COMM_WORLD_RANK=0" in f.read().split(b"\0"):
                    return int(pid)
        except OSError:
            continue
    return None


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
