"""Unit tests of the hardening rules (no Streamlit): which datasets a file may name, which
files the catalog lists, uploads under concurrency, names of trained models, renames and
deletes, settings, job limits, ETA and posterior collapse."""

from __future__ import annotations

import json
import os
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pages.train import logic as train_logic
from ui.logic import catalog, settings, user_files, waits
from ui.texts import Texts
from vae_core.checkpoint import META_KEY, CheckpointError, build_metadata
from vae_core.config import ModelConfig, TrainConfig
from vae_core.models import build_model

T = ENGLISH = Texts("en")  # the app's default language

ROOT = Path(__file__).resolve().parent.parent


def write_checkpoint(path: Path, patch=None, kind: str = "ae", dataset: str = "digits", image_size: int = 28,
                     channels: int = 1, meta_cfg: dict | None = None) -> Path:
    """A loadable checkpoint (untrained weights) whose metadata ``patch(meta)`` may then spoil."""
    from safetensors.torch import save_file

    cfg = ModelConfig(kind=kind, backbone="conv", in_channels=channels, image_size=image_size, latent_dim=2)
    model = build_model(cfg, seed=0)
    meta = build_metadata(model, TrainConfig(dataset=dataset, epochs=1, device="cpu"), dataset,
                          {"epoch": [1], "train": {"loss": [1.0]}, "test": {"loss": [1.0]}, "seconds": [1.0]},
                          {"loss": 1.0})
    if meta_cfg:
        meta["model"].update(meta_cfg)
    if patch:
        patch(meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path), metadata={META_KEY: json.dumps(meta)})
    return path


# ---------------------------------------------------------------- 1. the metadata never chooses what the app reads

def test_dataset_problem_only_builtin_names_or_paths_inside_the_data_folder(tmp_path):
    root = tmp_path / "data"
    (root / "imgs").mkdir(parents=True)
    (root / "escape").symlink_to("/etc")
    for name in ("digits", "mnist", "fashion-mnist", "cifar10", f"folder:{root}/imgs", f"npz:{root}/x.npz",
                 f"folder:{root}/imgs/../imgs"):
        assert catalog.dataset_problem(name, root) is None, name
    for name in ("folder:/etc", "npz:/etc/passwd", f"folder:{root}/../outside", f"folder:{root}/escape",
                 f"folder:{root}/escape/ssl", "folder:", "npz:relative-to-cwd.npz"):
        assert catalog.dataset_problem(name, root) == catalog.OUTSIDE, name
    for name in ("emnist", "", "FOLDER:/x", 5, None):
        assert catalog.dataset_problem(name, root) == catalog.UNKNOWN, name


def test_a_file_naming_a_folder_outside_the_data_folder_is_skipped_and_named(tmp_path):
    root = tmp_path / "data"
    (root / "mine").mkdir(parents=True)
    user = tmp_path / "user"
    write_checkpoint(user / "evil.safetensors", dataset="folder:/etc", channels=3, image_size=32)
    write_checkpoint(user / "fine.safetensors", dataset=f"folder:{root}/mine", channels=3, image_size=32)
    entries, problems = catalog.scan([(user, catalog.YOURS)], root)
    assert [e.name for e in entries] == ["fine"]
    assert problems == ["evil.safetensors names the dataset folder:/etc, which is outside the data folder"]


def test_an_upload_naming_a_folder_outside_the_data_folder_is_refused(tmp_path):
    data = write_checkpoint(tmp_path / "src" / "evil.safetensors", dataset="npz:/etc/x.npz").read_bytes()
    dest = tmp_path / "user"
    with pytest.raises(CheckpointError) as err:
        user_files.accept_upload("evil.safetensors", data, dest, tmp_path / "data")
    assert str(err.value) == "evil.safetensors names the dataset npz:/etc/x.npz, which is outside the data folder"
    assert not dest.exists() or list(dest.iterdir()) == []  # its temp file is gone too


# ---------------------------------------------------------------- 2. one bad file never takes the app down

def _set(path: str, value):
    def patch(meta):
        *parents, last = path.split(".")
        d = meta
        for p in parents:
            d = d[p]
        d[last] = value
    return patch


BAD_FILES = {  # file stem → how its metadata is spoiled
    "history-list": _set("history", [1, 2]),
    "model-string": _set("model", "vae"),
    "metrics-string": _set("metrics", "great"),
    "shape-disagrees": _set("dataset.image_shape", [3, 32, 32]),
    "shape-strings": _set("dataset.image_shape", ["1", "28", "28"]),
    "dataset-list": _set("dataset", ["digits"]),
    "dataset-name-number": _set("dataset.name", 7),
    "epochs-strings": _set("history.epoch", ["one"]),
    "curve-string": _set("history.train", {"loss": "low"}),
    "split-list": _set("history.test", [1.0]),
    "train-string": _set("train", "fast"),
    "train-bad-epochs": _set("train.epochs", "many"),
    "params-string": _set("model.num_params", "lots"),
    "channels-none": _set("model.channels", None),
    "channels-dict": _set("model.channels", {"a": 1}),
    "kind-list": _set("model.kind", ["ae"]),
    "latent-mismatch": _set("model.latent_dim", 3),  # the tensors were made for 2
    "created-number": _set("created", 12),
}


def test_every_malformed_file_becomes_one_named_line(tmp_path):
    user = tmp_path / "user"
    for stem, patch in BAD_FILES.items():
        write_checkpoint(user / f"{stem}.safetensors", patch)
    write_checkpoint(user / "cifar-shape.safetensors", dataset="cifar10")  # a 1×28×28 model for 3×32×32 images
    write_checkpoint(user / "good.safetensors")
    (user / "junk.safetensors").write_bytes(b"\x00" * 64)
    entries, problems = catalog.scan([(user, catalog.YOURS)], tmp_path / "data")
    assert [e.name for e in entries] == ["good"]
    named = {p.split(".safetensors")[0] for p in problems}
    assert named == set(BAD_FILES) | {"cifar-shape", "junk"}, problems
    assert all("\n" not in p for p in problems)
    by = {p.split(".safetensors")[0]: p for p in problems}
    # vae_core.checkpoint.read_header words these (it refuses them before the catalog looks): each line
    # names the file and what is wrong with it
    assert "dataset.image_shape [3, 32, 32]" in by["shape-disagrees"] and "[1, 28, 28]" in by["shape-disagrees"]
    assert "cifar10" in by["cifar-shape"] and "[3, 32, 32]" in by["cifar-shape"] and "[1, 28, 28]" in by["cifar-shape"]
    assert "metrics must be an object" in by["metrics-string"]
    assert "history" in by["history-list"] and "model" in by["model-string"]


def test_app_config_hides_error_details_from_browsers():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["client"]["showErrorDetails"] == "none"


# ---------------------------------------------------------------- 4. uploads and names

def _distinct_checkpoints(folder: Path, n: int) -> list[bytes]:
    return [write_checkpoint(folder / f"c{i}.safetensors", _set("upload_no", i)).read_bytes() for i in range(n)]


def test_eight_simultaneous_uploads_of_one_name_all_land(tmp_path):
    blobs = _distinct_checkpoints(tmp_path / "src", 8)
    dest = tmp_path / "user"
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda b: user_files.accept_upload("model.safetensors", b, dest, tmp_path), blobs))
    names = sorted(r.path.name for r in results)
    assert names == sorted(["model.safetensors"] + [f"model-{k}.safetensors" for k in range(2, 9)])
    for blob, r in zip(blobs, results):
        assert r.path.read_bytes() == blob and not r.existed
    assert sorted(p.name for p in dest.iterdir()) == names  # no temp file left


def test_the_same_bytes_again_reuse_the_file(tmp_path):
    blob = write_checkpoint(tmp_path / "src" / "m.safetensors").read_bytes()
    dest = tmp_path / "user"
    first = user_files.accept_upload("m.safetensors", blob, dest, tmp_path)
    again = user_files.accept_upload("other-name.safetensors", blob, dest, tmp_path)
    assert (first.existed, again.existed) == (False, True)
    assert again.path == first.path and [p.name for p in dest.iterdir()] == ["m.safetensors"]
    with ThreadPoolExecutor(8) as pool:  # at once, too
        same = list(pool.map(lambda _: user_files.accept_upload("m.safetensors", blob, dest, tmp_path), range(8)))
    assert {r.path for r in same} == {first.path}


def test_scan_sweeps_stale_temp_files_of_the_user_folder(tmp_path):
    user = tmp_path / "user"
    write_checkpoint(user / "m.safetensors")
    old = time.time() - 2 * 3600
    # temp names as tempfile.mkstemp makes them (8 random characters), as save and accept_upload do
    stale = [".abc123.upload.tmp", ".m-x1y2z3w4.tmp", "placeholder.safetensors"]
    fresh = [".new99.upload.tmp", ".n-k3k3k3k3.tmp", "claimed.safetensors"]
    for name in stale + fresh:
        (user / name).write_bytes(b"")
    for name in stale:
        os.utime(user / name, (old, old))
    (user / ".notes.tmp").write_bytes(b"x")  # not one of ours
    os.utime(user / ".notes.tmp", (old, old))
    entries, problems = catalog.scan([(user, catalog.YOURS)], tmp_path)
    assert [e.name for e in entries] == ["m"] and problems == []  # empty names being written are not listed
    assert sorted(p.name for p in user.iterdir()) == sorted(["m.safetensors", ".notes.tmp"] + fresh)


# ---------------------------------------------------------------- 5. names of trained models, renames, deletes

def test_trained_names_say_what_the_model_is():
    assert user_files.trained_stem("digits", "vae", "conv", 2, 5) == "digits-vae-conv-2d-5ep"
    assert user_files.trained_stem("cifar10", "ae", "conv", None, 15) == "cifar10-ae-conv-map-15ep"
    assert user_files.trained_stem("npz:data/my set.npz", "cvae", "mlp", 16, 1) == "my-set-cvae-mlp-16d-1ep"
    assert user_files.trained_stem("folder:/x/y/", "ae", "mlp", 8, 3) == "y-ae-mlp-8d-3ep"


def test_claim_adds_a_time_suffix_only_when_needed(tmp_path):
    when = time.mktime((2026, 1, 2, 3, 4, 5, 0, 0, -1))
    first = user_files.claim(tmp_path, "digits-vae-conv-2d-5ep", when=when)
    second = user_files.claim(tmp_path, "digits-vae-conv-2d-5ep", when=when)
    third = user_files.claim(tmp_path, "digits-vae-conv-2d-5ep", when=when)
    assert [p.name for p in (first, second, third)] == [
        "digits-vae-conv-2d-5ep.safetensors", "digits-vae-conv-2d-5ep-20260102-030405.safetensors",
        "digits-vae-conv-2d-5ep-20260102-030405-2.safetensors"]
    assert all(p.stat().st_size == 0 for p in (first, second, third))
    with ThreadPoolExecutor(8) as pool:
        many = list(pool.map(lambda _: user_files.claim(tmp_path, "u"), range(8)))
    assert len(set(many)) == 8


@pytest.mark.parametrize("name", ["", "  ", "../x", "a/b", ".hidden", "-x", "x" * 81, "a b", "ü", "/etc/passwd",
                                  "..", "x\x00y"])
def test_rename_target_refuses_unusable_names(tmp_path, name):
    with pytest.raises(user_files.CatalogError, match="cannot be a name"):
        user_files.rename_target(tmp_path, name)


def test_rename_never_overwrites_and_stays_in_the_folder(tmp_path):
    user, shipped = tmp_path / "user", tmp_path / "shipped"
    a = write_checkpoint(user / "a.safetensors")
    b = write_checkpoint(user / "b.safetensors", _set("upload_no", 1))
    s = write_checkpoint(shipped / "s.safetensors")
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    assert user_files.rename_target(user, " new-name.safetensors ") == user / "new-name.safetensors"
    with pytest.raises(user_files.CatalogError, match="already exists"):
        user_files.rename(user, a, "b")
    assert a.read_bytes() == a_bytes and b.read_bytes() == b_bytes
    new = user_files.rename(user, a, "my-first.v1")
    assert new == user / "my-first.v1.safetensors" and new.read_bytes() == a_bytes and not a.exists()
    for outsider in (s, user / ".." / "shipped" / "s.safetensors", user / "missing.safetensors"):
        with pytest.raises(user_files.CatalogError, match="only your own"):
            user_files.rename(user, outsider, "taken-over")
        with pytest.raises(user_files.CatalogError, match="only your own"):
            user_files.delete(user, outsider)
    (user / "link.safetensors").symlink_to(s)
    with pytest.raises(user_files.CatalogError, match="only your own"):
        user_files.delete(user, user / "link.safetensors")
    user_files.delete(user, new)
    assert not new.exists() and s.is_file()


# ---------------------------------------------------------------- 3, 6, 7. settings, job rules, ETA, collapse

def test_settings_mode_and_limits(monkeypatch, tmp_path):
    for env in (settings.MODE_ENV, settings.MAX_JOBS_ENV, settings.JOB_TIMEOUT_ENV, settings.JOB_IDLE_ENV):
        monkeypatch.delenv(env, raising=False)
    assert settings.mode() == "local"
    assert (settings.max_jobs(), settings.job_timeout_s(), settings.job_idle_s()) == (2, 7200.0, 120.0)
    monkeypatch.setenv(settings.MODE_ENV, " Shared ")
    assert settings.mode() == "shared"
    monkeypatch.setenv(settings.MODE_ENV, "public")  # unknown: the careful one
    assert settings.mode() == "shared"
    monkeypatch.setenv(settings.MAX_JOBS_ENV, "0")
    monkeypatch.setenv(settings.JOB_TIMEOUT_ENV, "soon")
    monkeypatch.setenv(settings.JOB_IDLE_ENV, "0.5")
    assert (settings.max_jobs(), settings.job_timeout_s(), settings.job_idle_s()) == (2, 7200.0, 0.5)
    assert settings.user_folder(tmp_path, "ab12" * 4, "local") == tmp_path
    assert settings.user_folder(tmp_path, "ab12" * 4, "shared") == tmp_path / "session-ab12ab12ab12ab12"
    with pytest.raises(ValueError):
        settings.user_folder(tmp_path, "../../etc", "shared")


def test_stop_reason():
    assert train_logic.stop_reason(started=0, heartbeat=90, now=100, timeout_s=200, idle_s=20) is None
    assert train_logic.stop_reason(started=0, heartbeat=90, now=100, timeout_s=50, idle_s=20) == train_logic.TIMEOUT
    assert train_logic.stop_reason(started=0, heartbeat=70, now=100, timeout_s=200, idle_s=20) == train_logic.GONE


def test_eta_and_durations():
    assert train_logic.eta_seconds(0.0, 10) is None and train_logic.eta_seconds(1.0, 10) is None
    assert train_logic.eta_seconds(0.25, 30) == pytest.approx(90)
    assert train_logic.eta_seconds(0.5, 0) is None
    assert [waits.format_duration(s, tx=ENGLISH) for s in (0, 12.2, 200, 3600, 4000)] == [
        "0 s", "13 s", "3 min 20 s", "1 h 00 min", "1 h 07 min"]


def test_collapse_rule():
    assert train_logic.collapsed(True, 0.2) and not train_logic.collapsed(True, 0.5) and not train_logic.collapsed(True, 3.0)
    assert not train_logic.collapsed(False, 0.0) and not train_logic.collapsed(True, None) and not train_logic.collapsed(True, float("nan"))
    assert "train longer, lower β, or use KL warm-up" in T["train.collapse"]
