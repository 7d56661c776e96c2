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


# ------------------------------------------------------------------ 14: a dataset at a model's shape

def _image_folder(root: Path, n: int = 6, size: int = 20) -> Path:
    from PIL import Image

    for label in ("a", "b"):
        (root / label).mkdir(parents=True)
        for i in range(n):
            Image.fromarray(np.full((size, size, 3), 40 * i, np.uint8)).save(root / label / f"{i}.png")
    return root


def test_folder_loads_at_the_models_shape_and_a_mismatch_is_one_line(tmp_path):
    from vae_core.data import DataError, check_compatible, load_dataset, load_with_fallback

    folder = _image_folder(tmp_path / "imgs")
    cfg = ModelConfig(kind="ae", backbone="mlp", in_channels=1, image_size=28, latent_dim=2)
    ds, _ = load_with_fallback(f"folder:{folder}", None, tmp_path, image_size=28, channels=1)
    assert ds.image_shape == (1, 28, 28)
    check_compatible(cfg, ds)  # no error
    rgb = load_dataset(f"folder:{folder}")  # the default shape
    assert rgb.image_shape == (3, 32, 32)
    with pytest.raises(DataError) as e:
        check_compatible(cfg, rgb)
    assert str(e.value) == f"the model expects images (1, 28, 28) (channels, height, width), folder:{folder} has (3, 32, 32)"
    assert e.value.code == "shape_mismatch" and e.value.params["expected"] == [1, 28, 28]


def test_evaluate_refuses_a_dataset_of_another_shape(tmp_path):
    from vae_core.data import DataError, load_digits
    from vae_core.metrics import evaluate

    with pytest.raises(DataError, match="expects images") as e:
        evaluate(tiny_model(), load_digits(16))  # the model takes 1×8×8
    assert e.value.code == "shape_mismatch"


# ------------------------------------------------------------------ 16: labels 0..K-1, K <= 1,000

@pytest.mark.parametrize("labels", [np.array([0, 10**12], np.int64), np.array([-1, 3], np.int64),
                                    np.array([2**63, 1], np.uint64), np.array([0, 1000], np.int32)])
def test_npz_labels_out_of_range_are_refused_at_load(tmp_path, labels):
    from vae_core.data import DataError, load_npz

    x = np.zeros((2, 8, 8), np.uint8)
    np.savez(tmp_path / "d.npz", x_train=x, y_train=np.array([0, 1]), x_test=x, y_test=labels)
    with pytest.raises(DataError) as e:
        load_npz(tmp_path / "d.npz")
    assert "labels must be whole numbers 0..K-1 with K at most 1,000; found" in str(e.value)
    assert e.value.code == "bad_labels" and e.value.params["max"] == int(labels.max())
    assert "\n" not in str(e.value)


def test_folder_with_too_many_labels_is_refused_before_decoding(tmp_path, monkeypatch):
    from vae_core import data

    for i in range(1001):
        (tmp_path / "f" / f"c{i:04d}").mkdir(parents=True)
        (tmp_path / "f" / f"c{i:04d}" / "1.png").write_bytes(b"not read")
    monkeypatch.setattr(data, "_decode_image", lambda *a: pytest.fail("decoded before the label check"))
    with pytest.raises(data.DataError, match="1,001 label folders; at most 1,000") as e:
        data.load_folder(tmp_path / "f")
    assert e.value.code == "bad_labels"


# ------------------------------------------------------------------ 18: CLI guards before reading or allocating

@pytest.mark.parametrize("what", ["dev_zero", "fifo", "plain_file"])
def test_folder_dataset_must_be_a_folder_or_a_zip_file(tmp_path, capsys, what):
    path = {"dev_zero": Path("/dev/zero"), "fifo": tmp_path / "pipe", "plain_file": tmp_path / "x.png"}[what]
    if what == "fifo":
        os.mkfifo(path)  # opening it for reading would block for good
    elif what == "plain_file":
        path.write_bytes(b"png")
    code, err = run_cli(capsys, "train", "--dataset", f"folder:{path}", "--out", tmp_path / "m.safetensors")
    assert code == 2 and one_line(err) == f"error: {path}: not a folder or a .zip file"


@pytest.mark.parametrize("size", ["0", "2000", "3"])
def test_image_size_range_is_checked_first(tmp_path, capsys, monkeypatch, size):
    from vae_core import data

    monkeypatch.setattr(data, "load_digits", lambda *a: pytest.fail("loaded before the range check"))
    code, err = run_cli(capsys, "train", "--dataset", "digits", "--image-size", size, "--out", tmp_path / "m.safetensors")
    assert code == 2 and one_line(err) == f"error: image size must be a whole number in 4..512, got {size}"


def test_parameter_cap_is_checked_before_training(tmp_path, capsys, monkeypatch):
    import vae_core.models

    real = vae_core.models.build_model
    built = []
    monkeypatch.setattr(vae_core.models, "build_model", lambda cfg, seed=None: built.append(seed) or real(cfg, seed))
    code, err = run_cli(capsys, "train", "--dataset", "digits", "--model", "ae", "--backbone", "mlp",
                        "--hidden", "65536", "--out", tmp_path / "m.safetensors")
    assert code == 2 and one_line(err) == ("error: the ae/mlp model these sizes describe has 104,989,472 parameters, "
                                           "over the 50,000,000 this library loads; lower --hidden, --channels or "
                                           "--latent-dim")
    assert built == [None]  # only the meta-device count, never a seeded (real) build
    assert not (tmp_path / "m.safetensors").exists()


# ------------------------------------------------------------------ 19: an empty VAE_EXPLORER_DATA is unset

@pytest.mark.parametrize("value", ["", "  "])
def test_empty_data_env_counts_as_unset(monkeypatch, value):
    from vae_core.data import DATA_ENV, data_dir

    monkeypatch.setenv(DATA_ENV, value)
    assert data_dir() == Path("data") and data_dir(" ") == Path("data")


def test_save_into_a_real_read_only_folder(tmp_path):
    """A chmod-0555 folder holding a model; as root (whom permissions do not stop) the save runs as
    uid 'nobody' (seteuid), so the refusal comes from the kernel (EACCES), not from a mock."""
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="ro-", dir="/tmp" if os.geteuid() == 0 else tmp_path))
    out = save(d / "m.safetensors", tiny_model(seed=1))
    before = out.read_bytes()
    d.chmod(0o555)
    euid = os.geteuid()
    try:
        if euid == 0:
            os.seteuid(65534)
        with pytest.raises(CheckpointError) as e:
            save(out, tiny_model(seed=2))
    finally:
        if euid == 0:
            os.seteuid(0)
        d.chmod(0o755)
    assert str(e.value) == f"{out}: cannot write, the folder is read-only" and e.value.code == "read_only"
    assert out.read_bytes() == before and [p.name for p in d.iterdir()] == ["m.safetensors"]
    out.unlink()
    d.rmdir()


# ------------------------------------------------------------------ 13 and 19: what the file's tensors really hold

def _rewrite(path: Path, meta_fn=None, tensor_fn=None) -> Path:
    """Write ``path`` again with its metadata and/or tensors changed (as a hostile tool would)."""
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(path), framework="pt") as f:
        meta = json.loads(f.metadata()[checkpoint.META_KEY])
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    if meta_fn:
        meta_fn(meta)
    if tensor_fn:
        tensor_fn(tensors)
    save_file(tensors, str(path), metadata={checkpoint.META_KEY: json.dumps(meta)})
    return path


@pytest.fixture()
def nan_file(tmp_path) -> Path:
    p = save(tmp_path / "nan.safetensors", tiny_model(), metrics={"mse": 0.01})
    return _rewrite(p, tensor_fn=lambda t: t["decoder.0.weight"].view(-1)[3:5].copy_(torch.tensor([float("nan"), 1e39])))


def test_non_finite_weights_are_refused_by_check_finite_and_load(nan_file, capsys):
    want = "nan.safetensors: tensor decoder.0.weight holds NaN or infinite weights; this model cannot run"
    for call in (checkpoint.check_finite, load):
        with pytest.raises(CheckpointError) as e:
            call(nan_file)
        assert str(e.value) == want and e.value.code == "non_finite_weights"
        assert e.value.params == {"path": "nan.safetensors", "tensor": "decoder.0.weight"}
    checkpoint.check(nan_file)  # the header alone is fine: check stays header-only
    code, err = run_cli(capsys, "evaluate", nan_file, "--dataset", "digits")
    assert code == 2 and one_line(err) == f"error: {want}"


def test_check_finite_passes_a_good_file(tmp_path):
    p = save(tmp_path / "ok.safetensors", tiny_model())
    meta, cfg = checkpoint.check_finite(p)
    assert cfg.latent_dim == 2 and meta["model"]["kind"] == "ae"


def test_info_flags_non_finite_weights(nan_file, capsys):
    meta = checkpoint.info(nan_file)
    assert meta["weights_finite"] is False and meta["non_finite_tensor"] == "decoder.0.weight"
    assert main(["info", str(nan_file)]) == 0
    out = capsys.readouterr().out
    assert "WARNING: tensor decoder.0.weight holds NaN or infinite weights" in out and "mse" in out
    assert checkpoint.info(SHIPPED)["weights_finite"] is True


def test_info_refuses_a_header_that_lies_about_its_tensors(tmp_path, capsys):
    """A 2-D model's tensors under a header claiming latent 4096 (and a parameter count to match)."""
    from vae_core.models import count_parameters

    p = save(tmp_path / "liar.safetensors", tiny_model())

    def claim(meta):
        meta["model"]["latent_dim"] = 4096
        meta["model"]["num_params"] = count_parameters(ModelConfig.from_dict(
            {k: v for k, v in meta["model"].items() if k != "num_params"}))

    _rewrite(p, meta_fn=claim)
    with pytest.raises(CheckpointError) as e:
        checkpoint.info(p)
    assert e.value.code == "tensor_mismatch"
    code, err = run_cli(capsys, "info", p)
    assert code == 2 and "tensor" in one_line(err) and "the config needs" in err and "4096" in err


def test_a_history_over_the_cap_is_refused(tmp_path):
    p = save(tmp_path / "h.safetensors", tiny_model())
    n = checkpoint.MAX_HISTORY + 1
    _rewrite(p, meta_fn=lambda m: m.update(history={"epoch": list(range(n)), "train": {"loss": [0.5] * n}}))
    for call in (checkpoint.read_header, checkpoint.check, load, checkpoint.info):
        with pytest.raises(CheckpointError) as e:
            call(p)
        assert str(e.value) == "h.safetensors: history.epoch has 100,001 points, over the 100,000 this library reads"
        assert e.value.code == "history_too_long" and e.value.params["count"] == n


# ------------------------------------------------------------------ error codes where errors reach the app

def test_codes_at_the_app_facing_raise_sites(tmp_path):
    from vae_core.data import DataError, load_builtin

    pt = tmp_path / "m.pt"
    pt.write_bytes(b"\x80\x04K.")
    with pytest.raises(CheckpointError) as e:
        load(pt)
    assert e.value.code == "pickle_refused" and e.value.params == {"path": "m.pt", "suffix": ".pt"}
    pickled = tmp_path / "m.safetensors"
    pickled.write_bytes(b"\x80\x04K." + b"\0" * 20)
    with pytest.raises(CheckpointError) as e:
        load(pickled)
    assert e.value.code == "pickle_refused"
    junk = tmp_path / "j.safetensors"
    junk.write_bytes(b"\x10\0\0\0\0\0\0\0not json at all!")
    with pytest.raises(CheckpointError) as e:
        load(junk)
    assert e.value.code == "not_safetensors" and e.value.params == {"path": "j.safetensors"}
    p = save(tmp_path / "bad.safetensors", tiny_model())
    _rewrite(p, meta_fn=lambda m: m.update(created=["not", "a", "string"]))
    with pytest.raises(CheckpointError) as e:
        load(p)
    assert e.value.code == "bad_metadata" and e.value.params == {"path": "bad.safetensors", "field": "created"}
    with pytest.raises(DataError) as e:
        load_builtin("mnist", tmp_path / "empty", download=False)
    assert e.value.code == "dataset_missing" and e.value.params["dataset"] == "mnist"


# ------------------------------------------------------------------ issue 18: fit split into steps, same results

# sha256 (first 16 hex digits) of the weights and loss curves after fixed-seed fits, recorded with fit as
# it was before it was split into steps (commit e6f4e32); one CPU thread, torch 2.14.1. Convolutions round
# differently by the CPU kernels torch dispatches to (torch.backends.cpu.get_cpu_capability()), so the
# conv models' hashes are per capability: "AVX2" recorded on an AMD EPYC with e6f4e32's fit (the same
# as today's fit there); the first set on the earlier machine, whose capability was not noted (AVX512 is
# the other one torch dispatches to on x86). The MLP's is the same on both.
FIT_HASHES_BY_CPU = {
    "AVX512": {"vae-conv-warmup-cosine": "52adcc06445e13d0", "ae-mlp-noise": "181a31f9e0dbc46f",
               "cvae-conv-beta": "cd19ba8031fa40da"},
    "AVX2": {"vae-conv-warmup-cosine": "4659343dc6099706", "ae-mlp-noise": "181a31f9e0dbc46f",
             "cvae-conv-beta": "370d5551458ae042"},
}


def test_fit_gives_bit_identical_weights_to_the_recorded_ones():
    import hashlib

    from vae_core.config import TrainConfig
    from vae_core.data import load_digits
    from vae_core.generate import subset
    from vae_core.train import fit

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        data = subset(load_digits(16), 300, 60)
        got, events = {}, []
        for name, kind, backbone, train in (
                ("vae-conv-warmup-cosine", "vae", "conv", dict(kl_warmup_epochs=1.0, lr_schedule="cosine")),
                ("ae-mlp-noise", "ae", "mlp", dict(noise="gaussian:0.3")),
                ("cvae-conv-beta", "cvae", "conv", dict(beta=0.5)),
                ("vae-conv-warmup-cosine+callback", "vae", "conv", dict(kl_warmup_epochs=1.0, lr_schedule="cosine"))):
            cfg = ModelConfig(kind=kind, backbone=backbone, in_channels=1, image_size=16, latent_dim=4,
                              channels=(4, 8), hidden=32, num_classes=10 if kind == "cvae" else 0)
            m = build_model(cfg, seed=3)
            callback = (lambda p: events.append((p.event, p.epoch, p.step))) if "callback" in name else None
            hist = fit(m, data, TrainConfig(dataset="digits", epochs=2, batch_size=64, seed=5, device="cpu", **train),
                       callback)
            h = hashlib.sha256()
            for k, v in sorted(m.state_dict().items()):
                h.update(k.encode())
                h.update(v.detach().contiguous().numpy().tobytes())
            h.update(repr(hist.train).encode())
            h.update(repr(hist.test).encode())
            got[name] = h.hexdigest()[:16]
    finally:
        torch.set_num_threads(threads)
    cpu = torch.backends.cpu.get_cpu_capability()
    assert got.pop("vae-conv-warmup-cosine+callback") == got["vae-conv-warmup-cosine"]  # a callback changes nothing
    assert cpu in FIT_HASHES_BY_CPU, f"no hashes recorded for {cpu}: record them with fit at e6f4e32; got {got}"
    assert got == FIT_HASHES_BY_CPU[cpu]
    steps = [(1, s) for s in range(1, 6)] + [(2, s) for s in range(1, 6)]  # 300 images in batches of 64
    assert events == [("step", e, s) for e, s in steps[:5]] + [("epoch", 1, 5)] + \
        [("step", e, s) for e, s in steps[5:]] + [("epoch", 2, 5)]
