"""The shipped checkpoints and test samples: every file loads (no data dir needed), runs a
forward pass on its dataset's sample, and says in its metadata what its name says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from vae_core.checkpoint import info, load
from vae_core.data import BUILTIN, load_npz, load_with_fallback, to_float
from vae_core.metrics import evaluate
from vae_core.zoo import DATASETS, DEFAULT_PAIR, SAMPLE_PER_CLASS, ZOO, entry, sample_indices

CKPT = Path(__file__).resolve().parent.parent / "checkpoints"
SAMPLES = CKPT / "samples"
NAME = re.compile(r"^(mnist|fashion-mnist|cifar10)-(ae|vae|cvae|dae)-(\d+d|reference)\.safetensors$")
KIND_OF = {"dae": "ae"}  # a denoising AE is an AE trained with --noise
SHAPES = {"mnist": (28, 28), "fashion-mnist": (28, 28), "cifar10": (32, 32, 3)}
FILES = sorted(CKPT.glob("*.safetensors"))


def test_the_expected_files_are_shipped():
    names = {f.name for f in FILES}
    expected = {f"{d}-{k}-{n}d.safetensors" for d in DATASETS for k in ("ae", "vae") for n in (2, 16)}
    expected |= {f"{d}-cvae-{n}d.safetensors" for d in ("mnist", "fashion-mnist") for n in (2, 16)}
    expected.add("cifar10-ae-reference.safetensors")
    expected.add("mnist-dae-16d.safetensors")
    assert names == expected
    assert names == {e.file for e in ZOO}
    assert set(DEFAULT_PAIR) <= names


def test_sizes_stay_small():
    for f in FILES:
        assert f.stat().st_size < 5e6, f.name
    total = sum(p.stat().st_size for p in CKPT.rglob("*") if p.is_file())
    # 12 resconv pair models of ~4.6 MB, 6 conv models of ~1.5 MB, 3 classifiers, 3 samples
    assert total < 80e6


@pytest.mark.parametrize("name", DATASETS)
def test_sample_shapes_and_dtypes(name):
    with np.load(SAMPLES / f"{name}.npz", allow_pickle=False) as z:
        x, y = z["x_test"], z["y_test"]
        idx = z["index"]
    assert x.dtype == np.uint8 and y.dtype == np.uint8
    assert x.shape == (2000, *SHAPES[name]) and y.shape == (2000,)
    assert np.bincount(y, minlength=10).tolist() == [SAMPLE_PER_CLASS] * 10
    assert np.all(np.diff(idx) > 0) and idx.min() >= 0 and idx.max() < 10_000


@pytest.mark.parametrize("name", DATASETS)
def test_sample_is_the_app_fallback(name, tmp_path):
    ds, source = load_with_fallback(name, tmp_path, SAMPLES)  # an empty data dir
    assert source == "sample"
    assert len(ds.x_test) == 2000 and len(ds.x_train) == 0
    assert ds.classes == BUILTIN[name].classes


def test_sample_indices_pick_the_first_of_each_class():
    y = np.array([0, 1, 0, 2, 1, 0, 2, 2])
    assert sample_indices(y, 2).tolist() == [0, 1, 2, 3, 4, 6]


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_checkpoint_loads_and_runs(path):
    dataset, kind, size = NAME.match(path.name).groups()
    meta = info(path)
    assert meta["dataset"]["name"] == dataset
    assert meta["model"]["kind"] == KIND_OF.get(kind, kind)
    assert bool(meta["train"].get("noise")) == (kind == "dae")
    assert meta["model"]["backbone"] == entry(path.name).backbone
    assert meta["metrics"].get("loss") is not None and meta["metrics"].get("train_seconds") is not None
    if size == "reference":
        assert meta["model"]["latent_dim"] is None and meta["model"]["channels"] == [12, 24, 48, 96]
        assert meta["model"]["num_params"] == 194_955
    else:
        assert meta["model"]["latent_dim"] == int(size[:-1])

    ck = load(path)
    with np.load(SAMPLES / f"{dataset}.npz", allow_pickle=False) as z:
        x, y = z["x_test"][:64], torch.from_numpy(z["y_test"][:64].astype(np.int64))
    x = torch.from_numpy(x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2).copy())
    x = to_float(x)
    assert tuple(x.shape[1:]) == ck.model_config.image_shape
    with torch.inference_mode():
        out = ck.model(x, y)
        z_flat = ck.model.latent(x, y)
    assert out.recon.shape == x.shape
    assert torch.isfinite(out.recon).all() and out.recon.min() >= 0 and out.recon.max() <= 1
    d = ck.model_config.latent_size
    assert z_flat.shape == (64, d)
    if KIND_OF.get(kind, kind) != "ae":
        assert out.mu.shape == out.logvar.shape == (64, d)
    # the trained weights: better than a constant grey, and near the test MSE the file records
    with torch.inference_mode():
        mse = (ck.model.reconstruct(x, y) - x).pow(2).mean().item()
    assert mse < 0.75 * (x - 0.5).pow(2).mean().item()
    assert 0.5 < mse / meta["metrics"]["mse"] < 2.0


RECORDED = json.loads((CKPT / "sample_metrics.json").read_text())


def test_every_shipped_file_has_recorded_sample_metrics():
    assert set(RECORDED) == {f.name for f in FILES}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_shipped_file_still_evaluates_to_its_recorded_metrics(name):
    """evaluate() on the shipped test sample gives what was recorded (for the files shipped before
    the model-kind refactor: by the code of that time), to float precision."""
    ck = load(CKPT / name)
    ds = ck.meta["dataset"]["name"]
    data = load_npz(SAMPLES / f"{ds}.npz", ds, BUILTIN[ds].classes, require_train=False)
    torch.set_num_threads(1)
    m = evaluate(ck.model, data, "test", ck.train_config.beta, nll_k=5)
    for k, v in RECORDED[name].items():
        assert m[k] == pytest.approx(v, rel=1e-5, abs=1e-6), k


def test_metadata_metrics_equal_the_evaluate_output():
    """The metrics stored in each file at the end of training are what `evaluate --json` prints. Where
    training estimated the IS-NLL on a subset of the test images (``nll_n``: `train --eval-images`,
    2,000 by default) and `evaluate` on all of them, the two estimates agree within 0.5%."""
    rows = {Path(r["file"]).name: r for r in map(json.loads, (CKPT / "metrics.jsonl").read_text().splitlines())}
    assert set(rows) == {f.name for f in FILES}
    for name, row in rows.items():
        stored = info(CKPT / name)["metrics"]
        for k in ("loss", "recon", "kl", "mse", "psnr", "nll_is"):
            if k not in row:
                continue
            if k == "nll_is" and stored.get("nll_n", row["n"]) != row.get("nll_n", row["n"]):
                assert stored[k] == pytest.approx(row[k], rel=5e-3), (name, k, stored.get("nll_n"))
            else:
                assert stored[k] == pytest.approx(row[k], rel=1e-4), (name, k)


@pytest.mark.parametrize("e", ZOO, ids=[e.file for e in ZOO])
def test_files_match_the_recipe(e):
    """Each committed file was trained with the arguments vae_core.zoo lists for it."""
    meta = info(CKPT / e.file)
    assert meta["train"]["epochs"] == e.epochs == len(meta["history"]["epoch"])
    assert meta["train"]["seed"] == e.seed
    assert (meta["train"]["batch_size"], meta["train"]["lr"]) == (128, 1e-3)
    assert meta["model"]["channels"] == [int(c) for c in e.channels.split(",")]
    assert meta["model"]["backbone"] == e.backbone
    assert meta["train"].get("lr_schedule", "constant") == e.lr_schedule  # older files predate the field
    assert (meta["train"]["beta"], meta["train"]["kl_warmup_epochs"]) == (e.beta, e.kl_warmup)
    assert ("--beta" in e.args) == (e.beta != 1.0) and ("--kl-warmup" in e.args) == (e.kl_warmup != 0.0)
    assert (meta["model"]["latent_dim"] or 0) == e.latent_dim
    assert (meta["dataset"]["name"], meta["model"]["kind"]) == (e.dataset, e.kind)
    noise = e.extra[e.extra.index("--noise") + 1] if "--noise" in e.extra else ""
    assert meta["train"].get("noise", "") == noise
    cmd = e.command("out")
    assert cmd[1:4] == ["-m", "vae_core", "train"] and cmd[-2:] == ["--out", str(Path("out") / e.file)]


# ---------------------------------------------------------------- the app on shipped files alone

@pytest.mark.parametrize("page", ["home", "latent_map", "latent_grid"])
def test_app_opens_on_the_shipped_mnist_pair_with_an_empty_data_dir(tmp_path, monkeypatch, page):
    """A newcomer with no network and no dataset: the app starts on the MNIST AE/VAE pair and its
    pages draw real results from the shipped checkpoints and the shipped test sample."""
    from streamlit.testing.v1 import AppTest

    empty = tmp_path / "data"
    empty.mkdir()
    for k, v in {"VAE_EXPLORER_DATA": empty, "VAE_EXPLORER_CHECKPOINTS": CKPT,
                 "VAE_EXPLORER_USER_MODELS": tmp_path / "user", "VAE_EXPLORER_CACHE": tmp_path / "cache"}.items():
        monkeypatch.setenv(k, str(v))
    at = AppTest.from_string(f"from ui import nav\nnav.main({page!r})\n", default_timeout=180).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    sel = {s.label: s.value for s in at.selectbox}
    assert sel["Dataset"] == "mnist"
    assert Path(sel["Autoencoder (AE)"]).name == "mnist-ae-2d.safetensors"
    assert Path(sel["Variational autoencoder (VAE)"]).name == "mnist-vae-2d.safetensors"
    if page != "home":
        assert at.get("plotly_chart"), "the page drew no chart"
    assert list(empty.iterdir()) == []  # nothing was downloaded or written into the data dir


# ---------------------------------------------------------------- conditioning (issue 20, item 20)

GENERATION = json.loads((CKPT / "generation.json").read_text())
MNIST_CVAES = [e.file for e in ZOO if e.kind == "cvae" and e.dataset == "mnist"]


@pytest.mark.parametrize("name", MNIST_CVAES)
def test_every_shipped_mnist_cvae_conditions_by_the_recorded_numbers(name):
    """At least 95% of a shipped MNIST CVAE's samples (T = 1) are labelled the requested class by the
    judge (checkpoints/classifiers/mnist.safetensors), on at least 1,000 samples, as
    checkpoints/generation_metrics.py recorded in checkpoints/generation.json. It reads the recorded
    numbers: measuring 1,000 samples per class anew takes about half a minute per model on a busy core,
    so the re-ship must re-run `generation_metrics.py --only FILE --json-out checkpoints/generation.json`;
    test_recorded_conditioning_is_of_the_shipped_file checks that the record is not stale."""
    rec = GENERATION["cvae"][name]
    assert GENERATION["n"] * len(rec["per_class"]) >= 1000 and GENERATION["seed"] == 0
    assert rec["accuracy"] >= 0.95, (name, rec["accuracy"])
    assert min(rec["per_class"]) >= 0.85, (name, rec["per_class"])  # no class left behind


@pytest.mark.parametrize("name", MNIST_CVAES)
def test_recorded_conditioning_is_of_the_shipped_file(name):
    """A cheap staleness check of the record above: 50 samples per class (500, another seed), judged
    the same way, land within 5 points of the recorded accuracy (5 standard errors at 95%), so a file
    re-shipped without re-measuring it fails here when its conditioning moved."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("generation_metrics", CKPT / "generation_metrics.py")
    gm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gm)
    section, res = gm.measure_file(CKPT / name, n=50, seed=1)
    assert section == "cvae"
    assert res["accuracy"] == pytest.approx(GENERATION["cvae"][name]["accuracy"], abs=0.05)
