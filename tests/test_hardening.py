"""Hardening ("Nothing lost, no one in"): one error base, strict metadata, bounded resources,
robust files. Every test here failed before the change it covers."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from vae_core import __main__ as cli_main
from vae_core import checkpoint, data
from vae_core.checkpoint import CheckpointError, load, save
from vae_core.config import ConfigError, ModelConfig, TrainConfig
from vae_core.data import DataError, load_folder, load_npz
from vae_core.models import build_model


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (fast); an uncaught exception fails the test like a traceback would."""
    rc = cli_main.main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line_error(rc: int, err: str, needle: str) -> None:
    assert rc == 2, err
    assert err.startswith("error: ") and needle in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


# ------------------------------------------------------------------ 1. one error base

def test_library_errors_share_one_base_and_keep_their_old_bases():
    from vae_core.errors import VaeCoreError

    assert issubclass(CheckpointError, VaeCoreError) and issubclass(CheckpointError, ValueError)
    assert issubclass(DataError, VaeCoreError) and issubclass(DataError, RuntimeError)
    assert issubclass(ConfigError, VaeCoreError) and issubclass(ConfigError, ValueError)
    assert VaeCoreError.__doc__ and "one line" in VaeCoreError.__doc__


def test_cli_turns_any_library_error_into_exit_2_with_one_line(capsys, monkeypatch):
    from vae_core.errors import VaeCoreError

    class NewError(VaeCoreError):  # a future error class, unknown to the CLI by name
        pass

    def boom(a):
        raise NewError("first line\nsecond line")

    monkeypatch.setitem(cli_main.COMMANDS, "info", boom)
    rc, _, err = run_cli(capsys, "info", "x.safetensors")
    assert_one_line_error(rc, err, "first line second line")


# ------------------------------------------------------------------ 2. strict metadata

TINY = ModelConfig(kind="vae", backbone="mlp", in_channels=1, image_size=28, latent_dim=2, hidden=8)


def _save_tiny(path: Path, cfg: ModelConfig = TINY, dataset: str | None = "digits") -> Path:
    m = build_model(cfg, seed=0)
    return save(path, m, TrainConfig(dataset=dataset or "digits", epochs=1), dataset,
                {"epoch": [1], "train": {"loss": [1.0]}, "test": {"loss": [1.1]}, "seconds": [0.1],
                 "cancelled": False}, {"loss": 1.1, "kl_per_dim": [0.5, 0.4], "split": "test", "nll_k": 4})


@pytest.fixture()
def tiny(tmp_path) -> Path:
    return _save_tiny(tmp_path / "tiny.safetensors")


def _write_header(p: Path, header: dict | str, body: bytes) -> None:
    hb = (header if isinstance(header, str) else json.dumps(header)).encode()
    hb += b" " * (-len(hb) % 8)
    p.write_bytes(struct.pack("<Q", len(hb)) + hb + body)


def _rewrite(p: Path, edit=None, meta_text: str | None = None) -> None:
    """Rewrite the header of a saved file: edit(meta, tensor_table) in place, or replace our
    metadata string wholesale with meta_text. The tensor bytes are kept."""
    raw = p.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = json.loads(header["__metadata__"]["vae_explorer"])
    if edit:
        edit(meta, header)
    header["__metadata__"]["vae_explorer"] = meta_text if meta_text is not None else json.dumps(meta)
    _write_header(p, header, raw[8 + n:])


def _set(path: str, value):
    """An edit that sets meta[a][b]... = value for path 'a.b'."""
    def edit(meta, header):
        *parents, last = path.split(".")
        d = meta
        for k in parents:
            d = d[k]
        d[last] = value
    return edit


def _deep(n: int) -> list:
    v: list = []
    for _ in range(n):
        v = [v]
    return v


HOSTILE_META = {
    "history is a list": _set("history", [1, 2]),
    "history.epoch strings": _set("history.epoch", ["one"]),
    "history.train a list": _set("history.train", [1.0]),
    "history.test values not numbers": _set("history.test", {"loss": ["x"]}),
    "history.seconds a string": _set("history.seconds", "slow"),
    "history.cancelled a string": _set("history.cancelled", "no"),
    "model is a string": _set("model", "vae"),
    "model lacks kind": lambda meta, h: meta["model"].pop("kind"),
    "model.num_params a string": _set("model.num_params", "many"),
    "train is a list": _set("train", [1]),
    "metrics is a string": _set("metrics", "good"),
    "metrics value an object": _set("metrics.loss", {"a": 1}),
    "dataset is a string": _set("dataset", "digits"),
    "dataset.name a number": _set("dataset.name", 7),
    "dataset.name with a newline": _set("dataset.name", "digits\nerror: fake"),
    "image_shape of 2 numbers": _set("dataset.image_shape", [28, 28]),
    "image_shape with a string": _set("dataset.image_shape", [1, 28, "28"]),
    "created a number": _set("created", 5),
    "library_version a list": _set("library_version", [0, 1]),
    "unknown key nested 40 deep": _set("notes", _deep(40)),
}


@pytest.mark.parametrize("case", list(HOSTILE_META))
def test_hostile_metadata_types_are_refused_by_every_reader(tiny, capsys, case):
    _rewrite(tiny, HOSTILE_META[case])
    with pytest.raises(CheckpointError, match="tiny.safetensors: bad (metadata|config)"):
        checkpoint.read_header(tiny)
    for cmd in (["info", str(tiny)], ["info", str(tiny), "--json"], ["evaluate", str(tiny), "--dataset", "digits"]):
        rc, out, err = run_cli(capsys, *cmd)
        assert_one_line_error(rc, err, "tiny.safetensors: bad")
        assert out == ""


def test_hostile_metadata_as_a_user_runs_it(tiny):
    """One real process (the in-process tests cover the cases): exit 2, one line, no traceback."""
    import subprocess
    import sys

    _rewrite(tiny, _set("history", [1, 2]))
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-c", "import sys; from vae_core.__main__ import main; "
                        "sys.argv[0] = 'vae_core'; rc = main(['info', sys.argv[1]]); "
                        "rc2 = main(['evaluate', sys.argv[1]]); sys.exit(rc * 10 + rc2)", str(tiny)],
                       capture_output=True, text=True, cwd=root, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1"})
    assert r.returncode == 22, r.stderr
    assert r.stderr.count("error: tiny.safetensors: bad metadata: history must be an object, got list") == 2
    assert len(r.stderr.strip().splitlines()) == 2 and "Traceback" not in r.stderr and r.stdout == ""


@pytest.mark.parametrize("where", ["metadata", "header"])
def test_deeply_nested_json_is_a_checkpoint_error(tiny, capsys, where):
    deep = "[" * 100_000 + "]" * 100_000
    if where == "metadata":
        _rewrite(tiny, meta_text=deep)
    else:
        _write_header(tiny, deep, b"")
    with pytest.raises(CheckpointError, match="nested too deeply"):
        checkpoint.read_header(tiny)
    rc, _, err = run_cli(capsys, "info", str(tiny))
    assert_one_line_error(rc, err, "nested too deeply")


def _tensor_edit(fn):
    return lambda meta, header: fn(header)


def _first_two(header):
    names = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])
    return header[names[0]], header[names[1]]


def _overlap(a, b):
    """Move b onto a's bytes, keeping b's length right."""
    (a0, _), (b0, b1) = a["data_offsets"], b["data_offsets"]
    b["data_offsets"] = [a0, a0 + b1 - b0]


HOSTILE_TABLE = {
    "float offsets": (_tensor_edit(lambda h: _first_two(h)[0].update(data_offsets=[0.0, _first_two(h)[0]["data_offsets"][1]])),
                      "data_offsets"),
    "negative offsets": (_tensor_edit(lambda h: _first_two(h)[0].update(data_offsets=[-8, _first_two(h)[0]["data_offsets"][1]])),
                         "data_offsets"),
    "overlapping": (_tensor_edit(lambda h: _overlap(*_first_two(h))), "overlaps"),
    "shape with a string": (_tensor_edit(lambda h: _first_two(h)[0].update(shape=["8", 784])), "shape"),
    "negative shape": (_tensor_edit(lambda h: _first_two(h)[0].update(shape=[-8, -784])), "shape"),
    "shape not matching bytes": (_tensor_edit(lambda h: _first_two(h)[0].update(shape=[1])), "bytes"),
    "dtype a number": (_tensor_edit(lambda h: _first_two(h)[0].update(dtype=4)), "dtype"),
    "end before begin": (_tensor_edit(lambda h: _first_two(h)[0].update(data_offsets=_first_two(h)[0]["data_offsets"][::-1])),
                         "data_offsets"),
    "__metadata__ a list": (None, "__metadata__"),
}


@pytest.mark.parametrize("case", list(HOSTILE_TABLE))
def test_hostile_tensor_table_is_refused_with_one_line(tiny, capsys, case):
    edit, needle = HOSTILE_TABLE[case]
    if edit is None:
        raw = tiny.read_bytes()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        header["__metadata__"] = [header["__metadata__"]]
        _write_header(tiny, header, raw[8 + n:])
    else:
        _rewrite(tiny, edit)
    with pytest.raises(CheckpointError, match=needle):
        checkpoint.info(tiny)
    rc, _, err = run_cli(capsys, "info", str(tiny))
    assert_one_line_error(rc, err, needle)


def test_dataset_shape_must_agree_with_the_model_and_the_builtin_name(tmp_path):
    # a 3×32×32 model whose metadata says digits 1×28×28
    p = _save_tiny(tmp_path / "rgb.safetensors", ModelConfig(**{**TINY.to_dict(), "in_channels": 3, "image_size": 32}))
    _rewrite(p, _set("dataset.image_shape", [1, 28, 28]))
    with pytest.raises(CheckpointError, match=r"image_shape \[1, 28, 28\] does not match the model's input \[3, 32, 32\]"):
        load(p)
    # a 1×28×28 model (consistent shape) that claims to be CIFAR-10
    p = _save_tiny(tmp_path / "grey.safetensors", dataset="cifar10")
    with pytest.raises(CheckpointError, match=r"cifar10 has images \[3, 32, 32\]"):
        load(p)
    p = _save_tiny(tmp_path / "mnist32.safetensors", ModelConfig(**{**TINY.to_dict(), "image_size": 32}), "mnist")
    with pytest.raises(CheckpointError, match=r"mnist has images \[1, 28, 28\]"):
        checkpoint.info(p)
    # digits is resized on load, so any grey size is fine, but not colour
    assert load(_save_tiny(tmp_path / "d16.safetensors", ModelConfig(**{**TINY.to_dict(), "image_size": 16}))).dataset == "digits"
    p = _save_tiny(tmp_path / "d3.safetensors", ModelConfig(**{**TINY.to_dict(), "in_channels": 3}))
    with pytest.raises(CheckpointError, match="digits is grey"):
        load(p)


def test_builtin_dataset_names():
    for name in ("digits", "mnist", "fashion-mnist", "cifar10"):
        assert checkpoint.dataset_name_is_builtin(name)
    for name in ("folder:/etc", "npz:/tmp/x.npz", "MNIST", "", None, 3, "mnist/../x"):
        assert not checkpoint.dataset_name_is_builtin(name)


def test_metadata_never_chooses_what_is_read(tmp_path, capsys, monkeypatch):
    np.savez(tmp_path / "elsewhere.npz", x_train=np.zeros((6, 28, 28), np.uint8), y_train=np.zeros(6, np.uint8),
             x_test=np.zeros((6, 28, 28), np.uint8), y_test=np.zeros(6, np.uint8))
    name = f"npz:{tmp_path / 'elsewhere.npz'}"
    p = _save_tiny(tmp_path / "m.safetensors", dataset=name)
    opened = []
    real = data.load_npz
    monkeypatch.setattr(data, "load_npz", lambda *a, **k: opened.append(a[0]) or real(*a, **k))

    rc, out, err = run_cli(capsys, "info", str(p))  # reported as written
    assert rc == 0 and name in out
    rc, out, err = run_cli(capsys, "evaluate", str(p), "--nll-k", "2")
    assert_one_line_error(rc, err, f"this file names the dataset {name}; pass --dataset to choose data yourself")
    assert opened == []  # the file named in the metadata was never read
    ck = load(p)
    assert ck.dataset_label == name
    with pytest.raises(CheckpointError, match="pass --dataset"):
        ck.dataset
    rc, out, err = run_cli(capsys, "evaluate", str(p), "--dataset", "digits", "--nll-k", "2", "--json")
    assert rc == 0, err and json.loads(out)["dataset"] == "digits"
    assert load(_save_tiny(tmp_path / "b.safetensors", dataset="mnist")).dataset == "mnist"


# ------------------------------------------------------------------ 3. bounded resources

def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


@pytest.mark.parametrize("claim", [
    dict(hidden=65_536, latent_dim=4_096),  # 0.9 G parameters: 3.6 GB if built
    dict(hidden=65_536, in_channels=4, image_size=512),  # 69 G parameters: 275 GB if built
])
def test_a_small_file_claiming_a_huge_model_is_refused_without_allocating(tiny, claim):
    def edit(meta, header):
        meta["model"].update(claim)
        meta["model"].pop("num_params")
        c, s = claim.get("in_channels", 1), claim.get("image_size", 28)
        meta["dataset"] = {"name": None, "image_shape": [c, s, s]}
    _rewrite(tiny, edit)
    assert tiny.stat().st_size < 100_000
    rss0, t0 = _peak_rss_mb(), time.perf_counter()
    with pytest.raises(CheckpointError, match=r"parameters, over the 50,000,000 this library loads"):
        load(tiny)
    assert time.perf_counter() - t0 < 0.5
    assert _peak_rss_mb() - rss0 < 50


def test_load_checks_the_declared_parameter_count_and_the_file_size(tiny, tmp_path):
    _rewrite(tiny, _set("model.num_params", 12))
    with pytest.raises(CheckpointError, match="says 12 parameters, the config has"):
        load(tiny)
    big = _save_tiny(tmp_path / "big.safetensors")
    os.truncate(big, checkpoint.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    t0 = time.perf_counter()
    with pytest.raises(CheckpointError, match="MiB is over the"):
        checkpoint.info(big)
    assert time.perf_counter() - t0 < 0.5


def test_weights_are_loaded_exactly_after_the_meta_device_check(tmp_path):
    m = build_model(ModelConfig(kind="ae", backbone="conv", in_channels=1, image_size=28, latent_dim=2,
                                channels=(4, 8)), seed=3)
    ck = load(save(tmp_path / "c.safetensors", m))
    assert all(p.device.type == "cpu" for p in ck.model.parameters())
    for (k, a), b in zip(m.state_dict().items(), ck.model.state_dict().values()):
        assert torch.equal(a, b), k


def _npy(arr: np.ndarray | None = None, *, descr: str = "|u1", shape: tuple = (), body: bytes = b"") -> bytes:
    """An .npy member: a real array, or a header declaring (descr, shape) followed by body."""
    buf = io.BytesIO()
    if arr is not None:
        np.lib.format.write_array(buf, arr, allow_pickle=False)
    else:
        np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
        buf.write(body)
    return buf.getvalue()


def _write_npz(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, b in members.items():
            zf.writestr(f"{k}.npy", b)
    return path


def _four(n_train=20, n_test=10) -> dict[str, bytes]:
    rng = np.random.RandomState(0)
    return {"x_train": _npy(rng.randint(0, 256, (n_train, 28, 28)).astype(np.uint8)),
            "y_train": _npy(rng.randint(0, 3, n_train).astype(np.uint8)),
            "x_test": _npy(rng.randint(0, 256, (n_test, 28, 28)).astype(np.uint8)),
            "y_test": _npy(rng.randint(0, 3, n_test).astype(np.uint8))}


def _traced(fn) -> tuple[object, float]:
    """(what fn returned or raised, peak traced MiB while it ran); numpy's buffers are traced."""
    tracemalloc.start()
    try:
        try:
            result = fn()
        except Exception as e:  # noqa: BLE001 - returned for the test to check
            result = e
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_npz_reads_only_its_four_arrays(tmp_path):
    # an extra member declaring 3 GB (what a 3 MB npz of zeros can hold) is never read
    p = _write_npz(tmp_path / "extra.npz", {**_four(), "unused": _npy(shape=(3 * 10**9,), body=bytes(1024))})
    assert p.stat().st_size < 100_000
    t0 = time.perf_counter()
    ds, peak = _traced(lambda: load_npz(p))
    assert time.perf_counter() - t0 < 1.0 and peak < 20
    assert ds.x_train.shape == (20, 1, 28, 28)


@pytest.mark.parametrize("member,npy,needle", [
    ("y_train", _npy(descr="<i8", shape=(10**8,), body=bytes(800)), "y_train has 100,000,000 labels for 20 images"),
    ("x_test", _npy(shape=(10**7, 28, 28), body=bytes(4096)), "declare over 4 GiB"),
    ("x_test", _npy(shape=(10, 28, 28), body=bytes(100)), "x_test: declares 7,968 bytes but holds 228 (truncated)"),
    ("x_test", _npy(descr="|O", shape=(3,), body=bytes(100)), "x_test holds Python objects"),
    ("y_test", _npy(descr="<f4", shape=(10,), body=bytes(40)), "labels must be a 1-D array of integers"),
])
def test_npz_members_are_checked_from_their_headers_before_reading(tmp_path, member, npy, needle):
    p = _write_npz(tmp_path / "bad.npz", {**_four(), member: npy})
    err, peak = _traced(lambda: load_npz(p))
    assert isinstance(err, DataError) and needle in str(err), err
    assert peak < 20


def test_npz_byte_cap_is_one_constant(tmp_path, monkeypatch):
    p = _write_npz(tmp_path / "ok.npz", _four())
    assert len(load_npz(p).x_train) == 20
    monkeypatch.setattr(data, "MAX_NPZ_BYTES", 10_000)
    with pytest.raises(DataError, match="ok.npz: its arrays declare over"):
        load_npz(p)


# ------------------------------------------------------------------ 4. robust files

def _png_bytes(im) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _pets_zip(path: Path, method: int = zipfile.ZIP_STORED) -> Path:
    from PIL import Image

    with zipfile.ZipFile(path, "w", method) as zf:
        for label, color in (("cats", "red"), ("dogs", "blue")):
            for i in range(5):
                zf.writestr(f"{label}/{i}.png", _png_bytes(Image.new("RGB", (6, 6), color)))
    return path


def _patch_headers(path: Path, local_off: int, central_off: int, fmt: str, value) -> None:
    """Overwrite one field in every local file header and central directory entry."""
    raw = bytearray(path.read_bytes())
    for sig, off in ((b"PK\x03\x04", local_off), (b"PK\x01\x02", central_off)):
        i = raw.find(sig)
        while i >= 0:
            struct.pack_into(fmt, raw, i + off, value(struct.unpack_from(fmt, raw, i + off)[0]))
            i = raw.find(sig, i + 4)
    path.write_bytes(bytes(raw))


def test_damaged_encrypted_and_unsupported_zips_are_one_data_error(tmp_path, capsys):
    ok = _pets_zip(tmp_path / "ok.zip")
    assert load_folder(ok, image_size=4).classes == ("cats", "dogs")

    enc = _pets_zip(tmp_path / "enc.zip")
    _patch_headers(enc, 6, 8, "<H", lambda flags: flags | 0x1)  # the "encrypted" bit
    with pytest.raises(DataError, match=r"enc\.zip: cats/0\.png is encrypted"):
        load_folder(enc)

    odd = _pets_zip(tmp_path / "odd.zip")
    _patch_headers(odd, 8, 10, "<H", lambda method: 98)  # PPMd: not in Python's zipfile
    with pytest.raises(DataError, match=r"odd\.zip: cats/0\.png uses zip compression method 98"):
        load_folder(odd)

    bad = _pets_zip(tmp_path / "bad.zip", zipfile.ZIP_DEFLATED)  # scramble the deflate data of the first member
    raw = bytearray(bad.read_bytes())
    start = 30 + len("cats/0.png")
    raw[start:start + 20] = bytes(range(200, 220))
    bad.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"bad\.zip: cats/0\.png is damaged"):
        load_folder(bad)

    cdir = _pets_zip(tmp_path / "cdir.zip")  # a broken central directory behind a valid end record
    raw = bytearray(cdir.read_bytes())
    i = raw.find(b"PK\x01\x02")
    raw[i:i + 4] = b"XXXX"
    cdir.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"cdir\.zip: a damaged zip file"):
        load_folder(cdir)

    rc, _, err = run_cli(capsys, "train", "--dataset", f"folder:{enc}", "--out", str(tmp_path / "m.safetensors"))
    assert_one_line_error(rc, err, "is encrypted")


def _folder_with(root: Path, image_bytes: bytes) -> Path:
    for label in ("a", "b"):
        (root / label).mkdir(parents=True)
        for i in range(5):  # every 5th image of a label goes to test
            (root / label / f"{i}.png").write_bytes(image_bytes)
    return root


def test_16_bit_png_is_scaled_not_clipped(tmp_path):
    from PIL import Image

    a16 = np.full((4, 4), 128 * 257, np.uint16)  # mid grey in 16 bits
    a16[0, 0], a16[0, 1] = 65535, 0
    png = _png_bytes(Image.fromarray(a16))
    assert Image.open(io.BytesIO(png)).mode.startswith("I")  # a real 16-bit PNG, as PIL reads it back
    ds = load_folder(_folder_with(tmp_path / "p16", png), image_size=4, channels=1)
    x = ds.x_test[0, 0].numpy()
    assert x[0, 0] == 255 and x[0, 1] == 0 and x[2, 2] == 128, x  # convert("L") made 128 into 255
    rgb = load_folder(tmp_path / "p16", image_size=4, channels=3)
    assert rgb.x_test[0, :, 2, 2].tolist() == [128, 128, 128]


def test_32_bit_and_float_images(tmp_path):
    from PIL import Image

    def tiff(arr) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, "TIFF")
        return buf.getvalue()

    ok_i = tiff(np.full((4, 4), 128 * 257, np.int32))  # mode I holding 16-bit values
    assert load_folder(_folder_with(tmp_path / "i", ok_i), image_size=4, channels=1).x_test[0, 0, 1, 1] == 128
    ok_f = tiff(np.full((4, 4), 0.5, np.float32))  # mode F in [0, 1]
    assert load_folder(_folder_with(tmp_path / "f", ok_f), image_size=4, channels=1).x_test[0, 0, 1, 1] == 128
    with pytest.raises(DataError, match=r"a/0\.png: a float image with values outside \[0, 1\]"):
        load_folder(_folder_with(tmp_path / "f2", tiff(np.full((4, 4), 300.0, np.float32))), image_size=4)
    with pytest.raises(DataError, match="outside 0..65535"):
        load_folder(_folder_with(tmp_path / "i2", tiff(np.full((4, 4), 1 << 20, np.int32))), image_size=4)


def test_download_from_a_silent_server_times_out(tmp_path, monkeypatch):
    """A server that accepts the connection and never answers: without a socket timeout
    torchvision waits for ever (here the listener is closed after 5 s to end the wait)."""
    import socket
    import threading

    import torchvision.datasets as tvd

    for k in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(k, raising=False)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)  # connections complete in the backlog; nothing ever reads or answers
    stopper = threading.Timer(5.0, srv.close)
    stopper.start()
    monkeypatch.setattr(tvd.MNIST, "mirrors", [f"http://127.0.0.1:{srv.getsockname()[1]}/"])
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT_S", 0.5)
    before = socket.getdefaulttimeout()
    t0 = time.perf_counter()
    try:
        with pytest.raises(DataError, match=r"mnist: .* the download timed out \(no answer for 0.5 s\)"):
            data.load_dataset("mnist", tmp_path / "d", download=True)
        assert time.perf_counter() - t0 < 3
    finally:
        stopper.cancel()
        srv.close()
    assert socket.getdefaulttimeout() == before  # restored for the rest of the process
    assert [p.name for p in (tmp_path / "d").iterdir()] == []  # the temp download folder is gone


def test_clean_stale_temps_removes_only_our_old_temp_files(tmp_path):
    old, new = time.time() - 7200, time.time() - 60
    files = {".m-ab12cd_9.tmp": old, "tmpx1y2z3w4.npz.tmp": old, ".up.upload.tmp": old,  # ours, old: removed
             ".m-zz12cd_9.tmp": new,  # ours, recent: a save in progress
             "notes.tmp": old, ".m-ab.tmp": old, "m.safetensors": old, "x.npz": old}  # not ours
    for name, t in files.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (t, t))
    (tmp_path / ".d-abcdefgh.tmp").mkdir()  # a folder with our name pattern is left alone
    os.utime(tmp_path / ".d-abcdefgh.tmp", (old, old))
    removed = checkpoint.clean_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == [".m-ab12cd_9.tmp", ".up.upload.tmp", "tmpx1y2z3w4.npz.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".m-zz12cd_9.tmp", "notes.tmp", ".m-ab.tmp", "m.safetensors", "x.npz", ".d-abcdefgh.tmp"])


def test_save_cleans_stale_temps_of_its_folder(tmp_path):
    stale = tmp_path / ".tiny-k3j4h5g6.tmp"  # what a save killed an hour ago left
    stale.write_bytes(b"half a checkpoint")
    os.utime(stale, (time.time() - 4000,) * 2)
    _save_tiny(tmp_path / "tiny.safetensors")
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.safetensors"]


@pytest.fixture()
def read_only_dir(tmp_path):
    """A folder this process cannot write into; as root (who ignores permissions) the test
    drops to uid 'nobody' while it runs."""
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="ro-", dir="/tmp" if os.geteuid() == 0 else tmp_path))
    d.chmod(0o555)
    euid = os.geteuid()
    if euid == 0:
        os.seteuid(65534)
    try:
        yield d
    finally:
        if euid == 0:
            os.seteuid(0)
        d.chmod(0o755)
        d.rmdir()


def test_check_writable(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    (tmp_path / "d.safetensors").mkdir()
    for out, needle in ((afile / "sub" / "m.safetensors", "cannot write there (Not a directory)"),
                        (afile / "m.safetensors", "afile is a file, not a folder"),
                        (tmp_path / "d.safetensors", "is a folder")):
        with pytest.raises(CheckpointError, match=re.escape(needle)):
            checkpoint.check_writable(out)
    ok = tmp_path / "a" / "b" / "m.safetensors"
    assert checkpoint.check_writable(ok) == ok and list(ok.parent.iterdir()) == []


def test_check_writable_in_a_read_only_folder(read_only_dir):
    with pytest.raises(CheckpointError, match=re.escape("cannot write, the folder is read-only")):
        checkpoint.check_writable(read_only_dir / "m.safetensors")
    assert list(read_only_dir.iterdir()) == []


def test_train_checks_out_before_loading_any_data(tmp_path, capsys, monkeypatch):
    def no_data(*a, **k):
        raise AssertionError("data was loaded before --out was checked")

    monkeypatch.setattr(data, "load_dataset", no_data)
    afile = tmp_path / "afile"
    afile.write_text("x")
    (tmp_path / "d.safetensors").mkdir()
    for out, needle in ((afile / "sub" / "m.safetensors", "cannot write there"), (tmp_path / "d.safetensors", "is a folder")):
        rc, _, err = run_cli(capsys, "train", "--dataset", "digits", "--backbone", "mlp", "--hidden", "8",
                             "--epochs", "1", "--out", str(out))
        assert_one_line_error(rc, err, needle)
    ok = tmp_path / "new" / "deeper" / "m.safetensors"
    with pytest.raises(AssertionError, match="data was loaded"):  # a good --out passes the check
        cli_main.main(["train", "--dataset", "digits", "--out", str(ok)])
    assert list(ok.parent.iterdir()) == []  # the probe left nothing


def test_train_into_a_read_only_folder_exits_2_before_training(read_only_dir, capsys):
    t0 = time.perf_counter()
    rc, _, err = run_cli(capsys, "train", "--dataset", "digits", "--backbone", "mlp", "--hidden", "8",
                         "--epochs", "50", "--out", str(read_only_dir / "m.safetensors"))
    assert_one_line_error(rc, err, "the folder is read-only")
    assert time.perf_counter() - t0 < 1  # 50 epochs were not run first
