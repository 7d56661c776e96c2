"""DistributedDataParallel for real: torchrun with 2 CPU processes over gloo, as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from vae_core.checkpoint import info

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["train", "--dataset", "digits", "--model", "vae", "--backbone", "mlp", "--latent-dim", "2", "--epochs", "3",
        "--batch-size", "64", "--seed", "0", "--nll-k", "4", "--device", "cpu", "--threads", "1"]

pytestmark = pytest.mark.skipif(not (torch.distributed.is_available() and torch.distributed.is_gloo_available()),
                                reason="this torch has no gloo backend")


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=240)


def test_torchrun_two_processes_train_one_model_and_rank0_alone_writes_it(tmp_path):
    ddp, solo = tmp_path / "ddp", tmp_path / "solo"
    ddp.mkdir()
    solo.mkdir()
    r = run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
             "-m", "vae_core", *ARGS, "--out", "m.safetensors"], ddp)
    assert r.returncode == 0, r.stderr[-3000:]
    assert [p.name for p in ddp.iterdir()] == ["m.safetensors"]  # one file, no temp file left behind
    log = r.stdout + r.stderr.replace("\r", "\n")
    assert re.findall(r"^epoch\s+(\d+)", log, re.M) == ["1", "2", "3"], log  # one process printed the epochs
    assert log.count("params=") == 1 and log.count("saved m.safetensors") == 1
    meta = info(ddp / "m.safetensors")
    assert meta["distributed"] == {"world_size": 2, "backend": "gloo"}
    assert meta["train"]["batch_size"] == 64  # the global batch: 32 per process and step

    r1 = run([sys.executable, "-m", "vae_core", *ARGS, "--out", "m.safetensors"], solo)
    assert r1.returncode == 0, r1.stderr[-3000:]
    one = info(solo / "m.safetensors")
    assert "distributed" not in one
    two_loss, one_loss = meta["metrics"]["loss"], one["metrics"]["loss"]
    assert abs(two_loss - one_loss) < 0.05 * one_loss, (two_loss, one_loss)
    assert len(meta["history"]["test"]["loss"]) == 3
