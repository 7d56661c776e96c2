"""Checkpoint safety and the dataset registry."""

from __future__ import annotations

import io
import json
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from vae_core import checkpoint
from vae_core.checkpoint import CheckpointError, load, save
from vae_core.config import ModelConfig, TrainConfig
from vae_core.data import DataError, load_dataset, load_folder, load_npz, load_with_fallback, save_npz
from vae_core.models import build_model, reference_config


@pytest.fixture()
def saved(tmp_path) -> tuple[Path, torch.nn.Module]:
    m = build_model(ModelConfig(kind="vae", backbone="conv", in_channels=1, image_size=28, latent_dim=3), seed=1)
    p = save(tmp_path / "m.safetensors", m, TrainConfig(dataset="digits", epochs=1), "digits",
             {"epoch": [1]}, {"loss": 1.5})
    return p, m


def test_save_load_round_trip_every_tensor_equal(saved):
    p, m = saved
    ck = load(p)
    for (k, a), b in zip(m.state_dict().items(), ck.model.state_dict().values()):
        assert torch.equal(a, b), k
    x = torch.rand(4, 1, 28, 28)
    m.eval()
    assert torch.equal(m.reconstruct(x), ck.model.reconstruct(x))
    assert ck.model_config == m.config and ck.train_config.dataset == "digits"
    assert ck.dataset == "digits" and ck.metrics == {"loss": 1.5}


def test_reference_ae_round_trip(tmp_path):
    m = build_model(reference_config(), seed=172)
    ck = load(save(tmp_path / "ref.safetensors", m))
    assert ck.model_config.latent_dim is None
    assert all(torch.equal(a, b) for a, b in zip(m.state_dict().values(), ck.model.state_dict().values()))


def test_resconv_round_trip_gives_identical_outputs(tmp_path):
    m = build_model(ModelConfig(kind="vae", backbone="resconv", in_channels=1, image_size=28, latent_dim=4,
                                channels=(8, 16, 32)), seed=2)
    ck = load(save(tmp_path / "r.safetensors", m, TrainConfig(dataset="digits", epochs=1), "digits"))
    assert ck.model_config == m.config and ck.model_config.backbone == "resconv"
    for (k, a), (k2, b) in zip(m.state_dict().items(), ck.model.state_dict().items()):
        assert k == k2 and torch.equal(a, b), k
    x, z = torch.rand(3, 1, 28, 28), torch.randn(3, 4)
    m.eval()
    assert torch.equal(m.reconstruct(x), ck.model.reconstruct(x))
    assert torch.equal(m.decode(z), ck.model.decode(z))


def test_a_backbone_swapped_in_the_metadata_is_refused(tmp_path):
    """A resconv file whose metadata says conv (or the reverse) does not load half its tensors."""
    cfg = dict(kind="vae", in_channels=1, image_size=28, latent_dim=3, channels=(8, 16))
    for saved_as, claimed in (("resconv", "conv"), ("conv", "resconv")):
        p = save(tmp_path / f"{saved_as}.safetensors", build_model(ModelConfig(backbone=saved_as, **cfg), seed=0))
        _rewrite_meta(p, lambda meta, h: meta["model"].update(backbone=claimed))
        with pytest.raises(CheckpointError, match=f"do not match the vae/{claimed} config"):
            load(p)


def test_save_is_atomic_and_leaves_no_temp_files(saved, monkeypatch):
    p, m = saved
    before = p.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("safetensors.torch.save", boom)  # save serializes, then files.atomic_write writes
    with pytest.raises(OSError):
        save(p, m)
    assert p.read_bytes() == before  # the old file is intact
    assert [f.name for f in p.parent.iterdir()] == [p.name]


def test_info_reads_metadata_without_building(saved):
    p, _ = saved
    meta = checkpoint.info(p)
    assert meta["model"]["kind"] == "vae" and meta["model"]["latent_dim"] == 3
    assert meta["dataset"] == {"name": "digits", "image_shape": [1, 28, 28]}
    assert meta["format_version"] == checkpoint.FORMAT_VERSION


def test_truncated_file(saved):
    p, _ = saved
    data = p.read_bytes()
    p.write_bytes(data[: len(data) - 100])
    with pytest.raises(CheckpointError, match="truncated"):
        load(p)
    p.write_bytes(data[:5])
    with pytest.raises(CheckpointError, match="too short"):
        load(p)


def test_random_bytes(tmp_path):
    p = tmp_path / "r.safetensors"
    p.write_bytes(np.random.RandomState(0).bytes(5000))
    with pytest.raises(CheckpointError, match="not a safetensors file"):
        load(p)


def _rewrite_meta(p: Path, edit) -> None:
    """Rewrite our JSON metadata inside a safetensors header, keeping the tensors."""
    raw = p.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = json.loads(header["__metadata__"]["vae_explorer"])
    edit(meta, header)
    header["__metadata__"]["vae_explorer"] = json.dumps(meta)
    hb = json.dumps(header).encode()
    hb += b" " * (-len(hb) % 8)
    p.write_bytes(struct.pack("<Q", len(hb)) + hb + raw[8 + n:])


def test_unknown_format_version(saved):
    p, _ = saved
    _rewrite_meta(p, lambda meta, h: meta.update(format_version=99))
    with pytest.raises(CheckpointError, match="format version 99"):
        load(p)


def test_wrong_shapes(saved):
    p, _ = saved
    _rewrite_meta(p, lambda meta, h: meta["model"].update(latent_dim=5))
    with pytest.raises(CheckpointError, match="shape"):
        load(p)


def test_bad_config_in_metadata(saved):
    p, _ = saved
    _rewrite_meta(p, lambda meta, h: meta["model"].update(kind="gan"))
    with pytest.raises(CheckpointError, match="bad config"):
        load(p)


def test_foreign_safetensors_without_our_metadata(tmp_path):
    from safetensors.torch import save_file

    p = tmp_path / "other.safetensors"
    save_file({"w": torch.zeros(2)}, str(p))
    with pytest.raises(CheckpointError, match="not one written by vae_core"):
        load(p)


class _Payload:
    """Unpickling this would create the marker file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("name", ["evil.safetensors", "evil.pt", "evil.pth", "evil.ckpt", "evil"])
def test_crafted_pickle_is_refused_and_never_runs(tmp_path, name):
    marker = tmp_path / "PWNED"
    p = tmp_path / name
    p.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(CheckpointError, match="pickle"):
        load(p)
    with pytest.raises(CheckpointError):
        checkpoint.info(p)
    assert not marker.exists()


def test_torch_save_zip_is_refused(tmp_path):
    marker = tmp_path / "PWNED"
    p = tmp_path / "model.safetensors"
    torch.save({"x": _Payload(str(marker))}, p)
    with pytest.raises(CheckpointError, match="zip archive"):
        load(p)
    assert not marker.exists()


# ------------------------------------------------------------------ data

def _arrays(n_train=20, n_test=10, shape=(28, 28)):
    rng = np.random.RandomState(0)
    return dict(x_train=rng.randint(0, 256, (n_train, *shape), dtype=np.uint8), y_train=rng.randint(0, 3, n_train).astype(np.uint8),
                x_test=rng.randint(0, 256, (n_test, *shape), dtype=np.uint8), y_test=rng.randint(0, 3, n_test).astype(np.uint8))


def test_npz_dataset_from_a_temp_dir(tmp_path):
    np.savez(tmp_path / "grey.npz", **_arrays())
    ds = load_dataset(f"npz:{tmp_path / 'grey.npz'}")
    assert ds.x_train.shape == (20, 1, 28, 28) and ds.x_train.dtype == torch.uint8 and ds.y_test.dtype == torch.int64
    np.savez(tmp_path / "rgb.npz", **_arrays(shape=(32, 32, 3)))
    ds = load_dataset(f"npz:{tmp_path / 'rgb.npz'}")
    assert ds.image_shape == (3, 32, 32)
    # and the save → load round trip of the cache format
    save_npz(tmp_path / "again.npz", ds)
    again = load_npz(tmp_path / "again.npz")
    assert torch.equal(again.x_train, ds.x_train) and torch.equal(again.y_test, ds.y_test)


def test_bad_npz_files_give_one_clear_error(tmp_path):
    a = _arrays()
    np.savez(tmp_path / "float.npz", **{**a, "x_train": a["x_train"].astype(np.float32)})
    with pytest.raises(DataError, match="uint8"):
        load_npz(tmp_path / "float.npz")
    np.savez(tmp_path / "missing.npz", x_test=a["x_test"], y_test=a["y_test"])
    with pytest.raises(DataError, match="missing array"):
        load_npz(tmp_path / "missing.npz")
    assert len(load_npz(tmp_path / "missing.npz", require_train=False).x_train) == 0
    np.savez(tmp_path / "obj.npz", x_train=np.array([{"a": 1}], dtype=object), y_train=a["y_train"],
             x_test=a["x_test"], y_test=a["y_test"])
    with pytest.raises(DataError, match="not a readable npz"):
        load_npz(tmp_path / "obj.npz")
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(DataError):
        load_npz(tmp_path / "junk.npz")


def test_missing_builtin_offline_names_the_file(tmp_path):
    with pytest.raises(DataError, match=r"mnist\.npz"):
        load_dataset("mnist", tmp_path, download=False)
    assert list(tmp_path.iterdir()) == []  # nothing written without a download
    with pytest.raises(DataError, match="unknown dataset"):
        load_dataset("imagenet")


def test_fallback_to_shipped_sample(tmp_path):
    samples = tmp_path / "samples"
    samples.mkdir()
    a = _arrays()
    np.savez(samples / "mnist.npz", x_test=a["x_test"], y_test=a["y_test"])
    ds, source = load_with_fallback("mnist", tmp_path / "empty", samples)
    assert source == "sample" and len(ds.x_test) == 10 and len(ds.x_train) == 0
    assert ds.classes[0] == "0"


def _png(color, size=(10, 12)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def _make_folder(root: Path, corrupt: str | None = None) -> None:
    for label, color in (("cats", (255, 0, 0)), ("dogs", (0, 0, 255))):
        (root / label).mkdir(parents=True)
        for i in range(5):
            (root / label / f"{i}.png").write_bytes(_png(color))
    if corrupt:
        (root / corrupt).write_bytes(b"\x89PNG not really")


def test_folder_dataset(tmp_path):
    _make_folder(tmp_path / "pets")
    ds = load_folder(tmp_path / "pets", image_size=16, channels=3)
    assert ds.classes == ("cats", "dogs")
    assert ds.x_train.shape == (8, 3, 16, 16) and ds.x_test.shape == (2, 3, 16, 16)
    assert ds.x_train[ds.y_train == 0][:, 0].float().mean() > 250  # cats are red
    grey = load_dataset(f"folder:{tmp_path / 'pets'}", image_size=8, channels=1)
    assert grey.image_shape == (1, 8, 8)


def test_folder_with_one_corrupt_image_names_it(tmp_path):
    _make_folder(tmp_path / "pets", corrupt="dogs/broken.png")
    with pytest.raises(DataError, match=r"dogs/broken\.png"):
        load_folder(tmp_path / "pets")


def test_zip_dataset_and_corrupt_member(tmp_path):
    z = tmp_path / "pets.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for label, color in (("cats", "red"), ("dogs", "blue")):
            for i in range(5):
                zf.writestr(f"pets/{label}/{i}.png", _png(color))
        zf.writestr("__MACOSX/pets/cats/._0.png", b"junk")
    ds = load_folder(z, image_size=8)
    assert ds.classes == ("cats", "dogs") and len(ds.x_train) + len(ds.x_test) == 10
    with zipfile.ZipFile(z, "a") as zf:
        zf.writestr("pets/cats/bad.jpg", b"not a jpeg")
    with pytest.raises(DataError, match=r"cats/bad\.jpg"):
        load_folder(z)
