"""What autoencoders are for, measured (vae_core.uses, vae_core.noise) and the Uses page. The science
runs on the shipped MNIST models and the shipped test samples, so no data dir is needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from vae_core import uses
from vae_core.checkpoint import info, load
from vae_core.config import ConfigError, TrainConfig
from vae_core.data import BUILTIN, load_npz, to_float
from vae_core.noise import NoiseSpec, corrupt, parse_noise

CKPT = Path(__file__).resolve().parent.parent / "checkpoints"
N = 500  # test images per science check (fast on 2 cores)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _sample(name: str):
    return load_npz(CKPT / "samples" / f"{name}.npz", name, BUILTIN[name].classes, require_train=False)


@pytest.fixture(scope="module")
def mnist():
    return _sample("mnist")


@pytest.fixture(scope="module")
def fashion():
    return _sample("fashion-mnist")


def _model(name: str):
    return load(CKPT / f"{name}.safetensors").model


# ------------------------------------------------------------------ noise specs and corruption

def test_noise_specs_parse_and_bad_ones_are_config_errors():
    assert parse_noise("gaussian:0.3") == NoiseSpec("gaussian", 0.3)
    assert parse_noise(" SaltPepper:0.2 ") == NoiseSpec("saltpepper", 0.2)
    assert str(parse_noise("gaussian:0.30")) == "gaussian:0.3"
    for bad in ("gaussian", "gauss:0.3", "gaussian:x", "gaussian:0", "gaussian:-0.1", "saltpepper:1.5",
                "gaussian:nan", "gaussian:inf", ":0.3", ""):
        with pytest.raises(ConfigError):
            parse_noise(bad)
    assert TrainConfig(noise="saltpepper:0.2").noise == "saltpepper:0.2" and TrainConfig().noise == ""
    with pytest.raises(ConfigError, match="noise"):
        TrainConfig(noise="gaussian:2")
    assert TrainConfig.from_dict(TrainConfig(noise="gaussian:0.3").to_dict()).noise == "gaussian:0.3"


def test_corruption_is_seeded_clamped_and_leaves_the_input_alone():
    x = torch.rand(64, 1, 28, 28)
    before = x.clone()
    a = corrupt(x, "gaussian:0.3", torch.Generator().manual_seed(1))
    b = corrupt(x, parse_noise("gaussian:0.3"), torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and torch.equal(x, before)
    assert a.min() >= 0 and a.max() <= 1 and not torch.equal(a, x)
    sp = corrupt(x, "saltpepper:0.2", torch.Generator().manual_seed(2))
    changed = sp != x
    assert 0.17 < changed.float().mean() < 0.23  # about p of the pixels
    assert set(sp[changed].unique().tolist()) <= {0.0, 1.0}  # they become black or white


def test_train_cli_refuses_a_bad_noise_spec_with_exit_2(tmp_path, capsys):
    from vae_core.__main__ import main

    for bad in ("gaussian:3", "blur:0.2"):
        assert main(["train", "--dataset", "digits", "--noise", bad, "--out", str(tmp_path / "m.safetensors")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "noise" in err and "Traceback" not in err
    assert not (tmp_path / "m.safetensors").exists()


def test_train_with_noise_trains_on_digits_and_records_the_noise(tmp_path):
    from vae_core.__main__ import main

    out = tmp_path / "dae.safetensors"
    threads = torch.get_num_threads()
    assert main(["train", "--dataset", "digits", "--model", "ae", "--backbone", "mlp", "--hidden", "32",
                 "--latent-dim", "4", "--epochs", "1", "--noise", "gaussian:0.3", "--no-eval", "--threads", "1",
                 "--out", str(out)]) == 0
    torch.set_num_threads(threads)
    meta = info(out)
    assert meta["train"]["noise"] == "gaussian:0.3" and meta["dataset"]["name"] == "digits"
    assert len(meta["history"]["epoch"]) == 1


def test_fit_feeds_the_corrupted_image_and_scores_against_the_clean_one(monkeypatch):
    """The model sees x̃ (noisy), the loss compares its output with x (clean)."""
    from vae_core import train as train_mod
    from vae_core.config import ModelConfig
    from vae_core.data import Dataset
    from vae_core.models import build_model

    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (144, 1, 28, 28), generator=g, dtype=torch.uint8)
    data = Dataset("random", x[:128], torch.zeros(128, dtype=torch.int64), x[128:], torch.zeros(16, dtype=torch.int64),
                   ("0",))
    model = build_model(ModelConfig(kind="ae", backbone="mlp", latent_dim=2, hidden=16), seed=0)
    seen_in, seen_target = [], []
    model.register_forward_pre_hook(lambda mod, args: seen_in.append(args[0].clone()))
    real_parts = train_mod.loss_parts
    monkeypatch.setattr(train_mod, "loss_parts", lambda recon, x, *a: seen_target.append(x.clone()) or real_parts(recon, x, *a))
    train_mod.fit(model, data, TrainConfig(dataset="digits", epochs=1, batch_size=64, noise="saltpepper:0.3",
                                           device="cpu", eval_every_epoch=False))
    assert len(seen_in) == len(seen_target) == 2
    for x_in, x in zip(seen_in, seen_target):
        changed = (x_in != x).float().mean()
        assert 0.1 < changed < 0.4  # the input is corrupted…
        assert torch.equal(x, torch.round(x * 255) / 255)  # …the target is the clean uint8 image


# ------------------------------------------------------------------ compression

def test_quantiser_round_trip_error_is_at_most_half_a_step():
    z = np.random.default_rng(0).normal(size=(200, 5)).astype(np.float32)
    lo, hi = uses.quant_range(z)
    q = uses.quantise(z, lo, hi, 8)
    assert q.dtype == np.uint8 and q.min() == 0 and q.max() == 255
    err = np.abs(uses.dequantise(q, lo, hi, 8) - z)
    assert np.all(err <= (hi - lo) / (2 * 255) + 1e-6)
    assert uses.latent_bytes(16, 32) == 64 and uses.latent_bytes(16, 8) == 16 and uses.image_bytes((1, 28, 28)) == 784


@pytest.mark.parametrize("name", ["mnist-ae-16d", "mnist-vae-16d"])
def test_8_bit_latents_decode_within_half_a_db_of_float(name, mnist):
    rows = {r["bits"]: r for r in uses.compression(_model(name), mnist.x_test[:N], mnist.y_test[:N], (32, 8))}
    assert rows[32]["bytes"] == 64 and rows[8]["bytes"] == 16 and rows[8]["ratio"] == 49
    assert rows[32]["psnr"] > 18
    assert abs(rows[8]["psnr"] - rows[32]["psnr"]) < 0.5, rows


# ------------------------------------------------------------------ denoising

def test_the_denoising_ae_raises_psnr_and_the_plain_ae_does_not(mnist):
    """Gaussian σ = 0.3: the shipped 16-D denoising AE's reconstruction of the noisy image is far closer
    to the clean image than the noisy input is; the plain 16-D AE (trained on clean images only) is not
    a denoiser."""
    dae = uses.denoise(_model("mnist-dae-16d"), mnist.x_test[:N], mnist.y_test[:N], "gaussian:0.3")
    ae = uses.denoise(_model("mnist-ae-16d"), mnist.x_test[:N], mnist.y_test[:N], "gaussian:0.3")
    assert dae["noisy"] == pytest.approx(ae["noisy"])  # the same noise for both
    assert dae["recon"] > dae["noisy"] + 3, dae
    assert dae["recon"] > ae["recon"] + 3, (dae, ae)


# ------------------------------------------------------------------ filling

def test_iterative_fill_keeps_the_known_pixels_and_never_reads_the_missing_ones(mnist):
    model = _model("mnist-vae-16d")
    x = to_float(mnist.x_test[:8])
    m = uses.box_mask(28, 28, 14, 0, 14, 28)
    steps = uses.iterative_fill(model, x, m, iters=3)
    assert len(steps) == 4 and torch.equal(steps[-1] * m, x * m)
    other = x.clone()
    other[..., 14:, :] = torch.rand_like(other[..., 14:, :])  # different values where it is missing
    assert torch.allclose(uses.iterative_fill(model, other, m, iters=3)[-1], steps[-1])


@pytest.mark.parametrize("name", ["mnist-ae-16d", "mnist-vae-16d", "mnist-vae-2d"])
def test_filling_beats_the_mean_fill_on_the_missing_region(name, mnist):
    """A 10×10 box in the middle (the page's default) and half the pixels at random, 200 test images."""
    model = _model(name)
    box = uses.fill_scores(model, mnist.x_test[:200], mnist.y_test[:200], uses.box_mask(28, 28, 9, 9, 10, 10), 10)
    assert box["fill"] < 0.8 * box["mean_fill"], box
    rnd = uses.random_mask(200, 28, 28, 0.5, torch.Generator().manual_seed(0))
    pix = uses.fill_scores(model, mnist.x_test[:200], mnist.y_test[:200], rnd, 10)
    assert pix["fill"] < 0.5 * pix["mean_fill"], pix


# ------------------------------------------------------------------ anomalies, ROC and AUC

def test_roc_and_auc_on_a_hand_example():
    fpr, tpr, thr = uses.roc_curve([0.1, 0.4], [0.35, 0.8])  # sklearn's example, y = [0, 0, 1, 1]
    assert fpr.tolist() == [0, 0, 0.5, 0.5, 1] and tpr.tolist() == [0, 0.5, 0.5, 1, 1]
    assert thr[1:].tolist() == [0.8, 0.4, 0.35, 0.1]
    assert uses.auc([0.1, 0.4], [0.35, 0.8]) == 0.75
    assert uses.auc([1, 2], [3, 4]) == 1.0 and uses.auc([3, 4], [1, 2]) == 0.0
    assert uses.auc([1, 1], [1, 1]) == 0.5  # ties count half
    assert uses.auc([1, 2, 2], [2, 3]) == pytest.approx((1 + 0.5 + 0.5 + 3) / 6)  # pairs (out, in)


def test_auc_agrees_with_sklearn_with_ties():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 10, 300), rng.integers(2, 12, 200)
    want = roc_auc_score(np.r_[np.zeros(300), np.ones(200)], np.r_[a, b])
    assert uses.auc(a, b) == pytest.approx(want, abs=1e-12)


def test_fashion_through_mnist_models_is_detected(mnist, fashion):
    """Fashion-MNIST images through the shipped MNIST 16-D models: AUC > 0.9 for at least one score."""
    aucs = {}
    for name in ("mnist-ae-16d", "mnist-vae-16d"):
        model = _model(name)
        own, other = uses.anomaly_scores(model, mnist.x_test[:N]), uses.anomaly_scores(model, fashion.x_test[:N])
        for score in ("recon", "elbo"):
            if own[score] is not None:
                aucs[f"{name} {score}"] = uses.auc(own[score], other[score])
    assert set(aucs) == {"mnist-ae-16d recon", "mnist-vae-16d recon", "mnist-vae-16d elbo"}
    assert max(aucs.values()) > 0.9, aucs


def test_a_conditional_model_scores_without_labels(tiny_checkpoints_cvae):
    from vae_core.data import load_digits

    cvae = load(tiny_checkpoints_cvae / "digits-cvae-2d.safetensors").model
    x = load_digits().x_test[:20]
    s = uses.anomaly_scores(cvae, x)
    assert s["recon"].shape == s["elbo"].shape == (20,) and np.isfinite(s["elbo"]).all()


# ------------------------------------------------------------------ features with few labels

def test_probe_split_halves_the_sample_per_class_and_never_overlaps():
    y_test = np.repeat(np.arange(10), 200)
    pool, test, from_test = uses.probe_split(np.zeros(0, int), y_test, 1000, 2000)
    assert from_test and not set(pool) & set(test)
    assert np.bincount(y_test[pool]).tolist() == [100] * 10 and len(test) == 1000
    y_train = np.repeat(np.arange(3), 50)
    pool, test, from_test = uses.probe_split(y_train, y_test, 20, 300)
    assert not from_test and np.bincount(y_train[pool]).tolist() == [20] * 3 and test.tolist() == list(range(300))


def test_with_10_labels_per_class_the_16d_ae_latent_beats_raw_pixels(mnist):
    pool, test, _ = uses.probe_split(np.zeros(0, int), mnist.y_test.numpy(), 100, 1000)
    from vae_core.latent import encode_dataset

    model = _model("mnist-ae-16d")
    x_pool, y_pool = mnist.x_test[pool], mnist.y_test[pool]
    x_te, y_te = mnist.x_test[test], mnist.y_test[test]
    feats = {"pixels": (uses.flat_pixels(x_pool), uses.flat_pixels(x_te)),
             "latent": (encode_dataset(model, x_pool)[0], encode_dataset(model, x_te)[0])}
    rows = uses.few_label_accuracies(feats, y_pool.numpy(), y_te.numpy(), (10, 100, 1000))
    assert [r["per_class"] for r in rows] == [10, 100]  # the pool has 100 per class
    assert rows[0]["latent"] > rows[0]["pixels"] + 0.05, rows


# ------------------------------------------------------------------ the Uses page (AppTest)

TAB_LABELS = ("Compression", "Denoising", "Filling missing values", "Anomalies and OOD", "Feature extraction",
              "Data augmentation")


@pytest.fixture()
def uses_env(app_env, tiny_checkpoints_cvae, monkeypatch):
    """The tiny digits AE, VAE and CVAE, and a data dir holding a Fashion-MNIST file made from the
    shipped sample (the other dataset of the out-of-distribution view)."""
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_cvae))
    with np.load(CKPT / "samples" / "fashion-mnist.npz", allow_pickle=False) as z:
        x, y = z["x_test"][:400], z["y_test"][:400]
    np.savez(Path(app_env["VAE_EXPLORER_DATA"]) / "fashion_mnist.npz", x_train=x[:200], y_train=y[:200],
             x_test=x[200:], y_test=y[200:])
    return app_env


def test_uses_page_every_tab_draws_its_numbers(uses_env):
    from test_app import start, texts

    at = start("uses")
    assert [t.label for t in at.tabs] == list(TAB_LABELS)
    seen = {}
    for label in TAB_LABELS:
        at.session_state["use_tab"] = label
        at.run()
        assert not at.exception, (label, at.exception)
        assert not at.error, (label, [e.value for e in at.error])
        seen[label] = (texts(at), {m.label: m.value for m in at.metric}, len(at.get("plotly_chart")))
    shown, metrics, charts = seen["Compression"]
    assert any("Best 8-bit PSNR" in k for k in metrics) and charts == 1
    assert any("denoiser" in k for k in seen["Denoising"][1])
    assert any("Missing-pixel MSE" in k for k in seen["Filling missing values"][1])
    an_metrics = seen["Anomalies and OOD"][1]
    assert {"AUC · AE · recon. error", "AUC · VAE · recon. error", "AUC · VAE · −ELBO"} <= set(an_metrics)
    assert all(0.0 <= float(v) <= 1.0 for v in an_metrics.values())
    assert any("labels per class" in k for k in seen["Feature extraction"][1])
    aug = seen["Data augmentation"][1]
    assert any("generated" in k for k in aug) and any("real images" in k for k in aug)


def test_uses_page_denoising_controls_and_a_box_fill(uses_env):
    from test_app import start

    at = start("uses")
    at.session_state["use_tab"] = "Denoising"
    at.run()
    first = at.dataframe[0].value
    at.radio(key="use_noise_kind").set_value("saltpepper").run()
    at.slider(key="use_noise_level").set_value(0.1).run()
    assert not at.exception, at.exception
    assert not at.dataframe[0].value.equals(first)
    captions = " ".join(str(i.proto) for i in at.get("image"))
    assert "saltpepper:0.1" in captions
    at.session_state["use_tab"] = "Filling missing values"
    at.run()
    at.radio(key="use_fill_mode").set_value("random").run()
    assert not at.exception, at.exception
    at.radio(key="use_fill_mode").set_value("box").run()
    at.slider(key="use_box_h").set_value(5).run()
    assert not at.exception, at.exception
    assert "filled after K = 10 iterations" in " ".join(str(i.proto) for i in at.get("image"))
    assert any("Missing-pixel MSE" in m.label for m in at.metric)


def test_uses_page_without_the_other_dataset_says_so(app_env, tiny_checkpoints_cvae, monkeypatch):
    """No Fashion-MNIST in the data dir (and no shipped sample beside the fixture models): the
    out-of-distribution view says so; the rest of the tab still ranks the test images."""
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_cvae))
    from test_app import start, texts

    at = start("uses")
    at.session_state["use_tab"] = "Anomalies and OOD"
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "The other dataset (fashion-mnist) is not available" in shown and "most anomalous" in shown
