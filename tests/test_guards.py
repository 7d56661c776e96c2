"""Issue 20 (items 13-19, library and CLI) and issue 18's vae_core debts: each guard refuses with one
line (and an error code the app can word), before anything is read, allocated or overwritten."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from vae_core import checkpoint
from vae_core.__main__ import main
from vae_core.checkpoint import CheckpointError, load, save
from vae_core.config import ModelConfig
from vae_core.errors import VaeCoreError
from vae_core.files import atomic_write, sha256_file
from vae_core.models import build_model

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "checkpoints" / "mnist-ae-2d.safetensors"


def run_cli(capsys, *args: str) -> tuple[int, str]:
    """(exit code, stderr) of ``python -m vae_core ARGS`` run in this process."""
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def one_line(err: str) -> str:
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def tiny_model(kind: str = "ae", seed: int = 0):
    return build_model(ModelConfig(kind=kind, backbone="mlp", in_channels=1, image_size=8, latent_dim=2, hidden=8),
                       seed=seed)


# ------------------------------------------------------------------ 15: full or read-only model folder

def _failing_fdopen(err: int):
    real = os.fdopen

    def fdopen(fd, *a, **k):
        f = real(fd, *a, **k)

        class Full:  # a file whose writes fail as a full disk's do
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                f.close()

            def write(self, b):
                raise OSError(err, os.strerror(err))

            def __getattr__(self, name):
                return getattr(f, name)

        return Full()
    return fdopen


def test_save_on_a_full_disk_says_so_and_keeps_the_old_file(tmp_path, monkeypatch):
    out = tmp_path / "m.safetensors"
    save(out, tiny_model(seed=1))
    before = out.read_bytes()
    monkeypatch.setattr(os, "fdopen", _failing_fdopen(errno.ENOSPC))
    with pytest.raises(CheckpointError) as e:
        save(out, tiny_model(seed=2))
    assert str(e.value) == f"{out}: cannot write, the disk is full"
    assert e.value.code == "disk_full" and e.value.params == {"path": str(out)}
    assert out.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]


@pytest.mark.parametrize("err", [errno.EROFS, errno.EACCES, errno.EPERM])
def test_save_in_a_read_only_folder_says_so(tmp_path, monkeypatch, err):
    """Tests run as root, where chmod 0555 does not stop a write: the refusal is simulated where the
    temp file is created (as EROFS / EACCES / EPERM come from a read-only mount or folder)."""
    out = tmp_path / "m.safetensors"
    save(out, tiny_model(seed=1))
    before = out.read_bytes()

    def refuse(*a, **k):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(checkpoint.tempfile, "mkstemp", refuse)
    for call in (lambda: save(out, tiny_model(seed=2)), lambda: checkpoint.check_writable(out)):
        with pytest.raises(CheckpointError) as e:
            call()
        assert str(e.value) == f"{out}: cannot write, the folder is read-only" and e.value.code == "read_only"
    assert out.read_bytes() == before


def test_train_checks_the_folder_before_training(tmp_path, monkeypatch, capsys):
    def refuse(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(checkpoint.tempfile, "mkstemp", refuse)
    trained = []
    monkeypatch.setattr("vae_core.train.fit", lambda *a, **k: trained.append(1))
    out = tmp_path / "m.safetensors"
    code, err = run_cli(capsys, "train", "--dataset", "digits", "--epochs", "1", "--out", out)
    assert code == 2 and one_line(err) == f"error: {out}: cannot write, the folder is read-only" and not trained


def test_save_npz_on_a_full_disk(tmp_path, monkeypatch):
    from vae_core.data import DataError, load_digits, save_npz

    monkeypatch.setattr(os, "fdopen", _failing_fdopen(errno.ENOSPC))
    with pytest.raises(DataError, match="the disk is full") as e:
        save_npz(tmp_path / "d.npz", load_digits(8))
    assert e.value.code == "disk_full" and list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ 17: sample is atomic

def test_two_samples_on_one_out_both_succeed(tmp_path, monkeypatch, capsys):
    """Both runs write their temp file before either moves it into place (a barrier inside the
    write): with one fixed temp name the second os.replace found nothing and crashed."""
    real = np.savez
    barrier = threading.Barrier(2, timeout=30)

    def savez(f, **arrays):
        real(f, **arrays)
        barrier.wait()

    monkeypatch.setattr(np, "savez", savez)
    out = tmp_path / "s.npz"
    codes = {}

    def one(seed):
        codes[seed] = main(["sample", str(SHIPPED), "--n", "8", "--seed", str(seed), "--out", str(out)])

    threads = [threading.Thread(target=one, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes == {1: 0, 2: 0}
    with np.load(out) as z:
        assert z["images"].shape == (8, 28, 28)
    assert [p.name for p in tmp_path.iterdir()] == ["s.npz"]


@pytest.mark.parametrize("case", ["folder", "under_file", "seed_huge", "seed_float"])
def test_sample_refuses_bad_out_and_seed(tmp_path, capsys, case):
    (tmp_path / "f").write_text("a file")
    (tmp_path / "d.npz").mkdir()
    out, seed = {"folder": ("d.npz", "0"), "under_file": ("f/x.npz", "0"),
                 "seed_huge": ("ok.npz", str(10**23)), "seed_float": ("ok.npz", "1e23")}[case]
    code, err = run_cli(capsys, "sample", SHIPPED, "--seed", seed, "--out", tmp_path / out)
    line = one_line(err)
    assert code == 2
    want = {"folder": "is a folder", "under_file": "is a file, not a folder", "seed_huge": "--seed: must be a whole",
            "seed_float": "--seed: must be a whole"}[case]
    assert want in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.npz", "f"] and not any((tmp_path / "d.npz").iterdir())


# ------------------------------------------------------------------ issue 18: the shared file helpers

def test_atomic_write_and_sha256_file(tmp_path):
    p = tmp_path / "a" / "b.bin"
    atomic_write(p, lambda f: f.write(b"abc"))
    assert p.read_bytes() == b"abc"
    assert sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    def boom(f):
        f.write(b"half")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError):
        atomic_write(p, boom)
    assert p.read_bytes() == b"abc" and [q.name for q in p.parent.iterdir()] == ["b.bin"]
    with pytest.raises(VaeCoreError, match="is a folder"):
        atomic_write(tmp_path / "a", lambda f: None)
