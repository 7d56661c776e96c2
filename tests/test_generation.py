"""Generation and inference: sampling, interpolation, traversal, posterior draws, the CVAE, the
classifier that judges samples, and the β trade-off (CPU, tiny data, seconds)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from vae_core import classifier
from vae_core.checkpoint import load
from vae_core.config import ModelConfig
from vae_core.data import load_digits, to_float
from vae_core.generate import (
    active_units,
    beta_sweep,
    collapsed_dims,
    confident_share,
    dims_by_kl,
    effective_classes,
    posterior_draws,
    subset,
    traversal_spreads,
    traversal_values,
    traverse,
)
from vae_core.latent import decode_points, interpolate


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture(scope="module")
def cvae(tiny_checkpoints_cvae):
    return load(tiny_checkpoints_cvae / "digits-cvae-2d.safetensors").model


@pytest.fixture(scope="module")
def judge(tiny_checkpoints_cvae):
    return classifier.load(tiny_checkpoints_cvae / "classifiers" / "digits.safetensors")


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "vae_core", *args], capture_output=True, text=True, cwd=cwd)


def test_sample_cli_same_seed_same_images(tiny_checkpoints_cvae, tmp_path, repo_root):
    f = tiny_checkpoints_cvae / "digits-cvae-2d.safetensors"
    outs = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        r = _cli("sample", str(f), "--n", "12", "--seed", str(seed), "--out", str(tmp_path / f"{name}.npz"), cwd=repo_root)
        assert r.returncode == 0, r.stderr
        with np.load(tmp_path / f"{name}.npz", allow_pickle=False) as z:
            outs.append((z["images"], z["labels"]))
    (ia, la), (ib, lb), (ic, _) = outs
    assert ia.dtype == np.uint8 and ia.shape == (12, 28, 28)
    assert np.array_equal(ia, ib) and np.array_equal(la, lb)
    assert not np.array_equal(ia, ic)
    assert la.tolist() == [i % 10 for i in range(12)]  # without --label: every class in turn


def test_sample_cli_label_and_errors(tiny_checkpoints_cvae, tmp_path, repo_root):
    cvae_file = tiny_checkpoints_cvae / "digits-cvae-2d.safetensors"
    r = _cli("sample", str(cvae_file), "--n", "5", "--label", "7", "--out", str(tmp_path / "s.npz"), cwd=repo_root)
    assert r.returncode == 0, r.stderr
    with np.load(tmp_path / "s.npz", allow_pickle=False) as z:
        assert z["labels"].tolist() == [7] * 5
    vae_file = tiny_checkpoints_cvae / "digits-vae-2d.safetensors"
    r = _cli("sample", str(vae_file), "--n", "4", "--out", str(tmp_path / "v.npz"), cwd=repo_root)
    assert r.returncode == 0 and "labels" not in np.load(tmp_path / "v.npz").files
    for bad in (["--label", "3"], ["--temperature", "-1"], ["--n", "1000000"]):
        r = _cli("sample", str(vae_file), "--n", "4", *bad, "--out", str(tmp_path / "x.npz"), cwd=repo_root)
        if bad[0] == "--n":
            r = _cli("sample", str(vae_file), *bad, "--out", str(tmp_path / "x.npz"), cwd=repo_root)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, (bad, r.stderr)


def test_interpolation_endpoints_decode_to_the_endpoint_reconstructions(tiny_checkpoints, digits):
    model = load(tiny_checkpoints / "digits-vae-2d.safetensors").model
    x = to_float(digits.x_test[:2])
    with torch.inference_mode():
        z = model.latent(x).numpy()
        rec = model.reconstruct(x)
    for method in ("linear", "slerp"):
        frames = decode_points(model, interpolate(z[0], z[1], 10, method))
        assert torch.allclose(frames[0], rec[0], atol=1e-5) and torch.allclose(frames[-1], rec[1], atol=1e-5)


def test_slerp_keeps_the_norm_and_linear_does_not():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    b *= np.linalg.norm(a) / np.linalg.norm(b)  # equal norms
    s = np.linalg.norm(interpolate(a, b, 12, "slerp"), axis=1)
    lin = np.linalg.norm(interpolate(a, b, 12, "linear"), axis=1)
    assert np.allclose(s, np.linalg.norm(a), rtol=1e-5)
    assert lin[6] < 0.95 * np.linalg.norm(a)  # the straight line cuts through the middle


def test_a_traversal_changes_one_coordinate_only():
    z = np.arange(6, dtype=np.float32)
    vals = traversal_values(z[2], 1.5, 9)
    path = traverse(z, 2, vals)
    assert path.shape == (9, 6)
    assert np.array_equal(np.delete(path, 2, axis=1), np.repeat(np.delete(z, 2)[None], 9, 0))
    assert np.allclose(path[:, 2], vals) and vals[4] == pytest.approx(z[2]) and vals[0] == pytest.approx(z[2] - 1.5)


def test_traversal_spread_is_in_prior_units_or_the_data_range():
    mu, logvar = np.zeros(3), np.log(np.array([1.0, 4.0, 0.0016]))
    assert np.allclose(traversal_spreads(mu, logvar, None), [3, 3, 3])  # not 3σ of the posterior
    assert np.allclose(traversal_spreads(mu, logvar, None, span=1.5), [1.5, 1.5, 1.5])
    data = np.stack([np.linspace(-2, 2, 101), np.linspace(0, 10, 101)], 1)
    assert np.allclose(traversal_spreads(data[0], None, data), [1.96, 4.9], atol=1e-3)  # half the 1–99% range


def test_dims_by_kl_and_active_units():
    kl = [0.001, 2.0, 0.5, 0.0]
    assert dims_by_kl(kl, 4) == [1, 2, 0, 3] and dims_by_kl(None, 3) == [0, 1, 2]
    assert active_units(kl) == 2


def test_posterior_draws_vary_around_the_decoded_mean(tiny_checkpoints, digits):
    vae = load(tiny_checkpoints / "digits-vae-2d.safetensors").model
    ae = load(tiny_checkpoints / "digits-ae-2d.safetensors").model
    g = torch.Generator().manual_seed(0)
    mean, draws, z = posterior_draws(vae, digits.x_test[:1], n=16, generator=g)
    assert draws.shape == (16, 1, 28, 28) and z.shape == (16, 2)
    assert z.std(0).min() > 0  # the draws differ
    with torch.inference_mode():
        assert torch.allclose(mean, vae.reconstruct(to_float(digits.x_test[:1])), atol=1e-6)
    _, ae_draws, ae_z = posterior_draws(ae, digits.x_test[:1], n=4, generator=g)
    assert torch.equal(ae_z[0], ae_z[3]) and torch.equal(ae_draws[0], ae_draws[3])  # no σ: one point


def test_the_classifier_round_trips_and_judges_real_digits(judge, digits):
    model, meta = judge
    assert meta["dataset"] == "digits" and meta["test_acc"] > 0.8
    assert classifier.accuracy(model, digits.x_test, digits.y_test) == pytest.approx(meta["test_acc"])


def test_cvae_conditioning_beats_chance_by_far(cvae, judge):
    """Samples asked for class y are classified as y far above chance (10%)."""
    model, _ = judge
    g = torch.Generator().manual_seed(0)
    y = torch.arange(200) % 10
    with torch.inference_mode():
        imgs = cvae.sample(200, g, y)
    acc = float((classifier.probabilities(model, imgs).argmax(1) == y).float().mean())
    assert acc > 0.5, acc


def test_confident_share_counts_confident_rows():
    probs = np.array([[0.95, 0.05], [0.6, 0.4], [0.1, 0.9], [0.5, 0.5]])
    assert confident_share(probs) == 0.5


def test_effective_classes_is_one_for_one_class_and_k_for_an_even_spread():
    one = np.tile([0.0, 1.0, 0.0], (30, 1))
    even = np.eye(3)[np.arange(30) % 3]
    assert effective_classes(one) == pytest.approx(1.0) and effective_classes(even) == pytest.approx(3.0)


def test_a_larger_beta_buys_a_lower_rate_with_a_higher_distortion(digits):
    data = subset(digits, 600, 200)
    cfg = ModelConfig(kind="vae", backbone="mlp", latent_dim=4, hidden=64)
    low, high = beta_sweep(data, cfg, (0.25, 4.0), epochs=6, seed=0)
    assert high["rate"] < low["rate"] and high["distortion"] > low["distortion"], (low, high)


# ------------------------------------------------------------------ the Generate page (AppTest)

@pytest.fixture()
def gen_env(app_env, tiny_checkpoints_cvae, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_cvae))
    return app_env


def test_generate_page_shows_every_view_with_numbers(gen_env):
    from test_app import start, texts

    at = start("generate")
    assert not at.exception, at.exception
    shown = texts(at)
    captions = " ".join(str(i.proto) for i in at.get("image"))
    assert "AE · digits-ae-2d" in captions and "VAE · digits-vae-2d" in captions
    assert shown.count("classified with confidence ≥ 0.9") == 2  # the holes number for the AE and the VAE
    assert "The classifier labels" in shown  # CVAE samples of one class, judged
    assert "Active units (mean KL > 0.01 nats)" in shown
    assert any(c.proto.spec and "z1" in c.proto.spec for c in at.get("plotly_chart"))  # KL per dimension


def _captions(at) -> list[str]:
    return [im.caption for i in at.get("image") for im in i.proto.imgs]


def test_two_clicks_on_the_map_set_the_interpolation_endpoints(gen_env):
    from test_app import selection, start

    at = start("generate")
    for i in (5, 9):
        at.session_state["gen_map"] = selection({"point_index": 0, "customdata": [i]})
        at.run()
        assert not at.exception, at.exception
    assert (at.session_state["gen_a"], at.session_state["gen_b"]) == (5, 9)
    captions = " ".join(str(i.proto) for i in at.get("image"))
    assert captions.count("from #5 to #9") == 6  # AE, VAE and CVAE rows, linear and slerp
    cvae_rows = [c for c in _captions(at) if c.startswith("CVAE")]
    assert len(cvae_rows) == 2 and all(c.endswith("(a one-hot mix)") for c in cvae_rows)  # which label, said
    at.radio(key="gen_interp_label").set_value("a").run()
    cvae_rows = [c for c in _captions(at) if c.startswith("CVAE")]
    assert len(cvae_rows) == 2 and all(c.endswith("(A's) all the way") for c in cvae_rows)


def test_changing_the_class_changes_the_cvae_samples(gen_env):
    from test_app import start

    at = start("generate")
    first = [i.proto for i in at.get("image")]
    at.selectbox(key="gen_class").set_value(3).run()
    assert not at.exception, at.exception
    assert [i.proto for i in at.get("image")] != first


def _tiles(mosaic: np.ndarray, rows: int, cols: int, size: int, pad: int = 2) -> np.ndarray:
    """The (rows, cols, size, size) images of a grey mosaic tiled by ``latent.tile``."""
    step = size + pad
    return np.stack([[mosaic[r * step:r * step + size, c * step:c * step + size] for c in range(cols)]
                     for r in range(rows)]).astype(np.float32)


def test_a_vae_traversal_of_an_active_dimension_visibly_changes_the_image(repo_root, tmp_path):
    """Issue 20 item 4: ±3σ of the image's own posterior (σ ≈ 0.04) decoded 9 identical images for the
    shipped 16-D MNIST VAE; a sweep in prior units must change the image along an active dimension."""
    from pages.generate import compute
    from ui.refs import DataRef, ModelRef

    m = ModelRef.of(str(repo_root / "checkpoints" / "mnist-vae-16d.safetensors"), "vae")
    d = DataRef.of("mnist", str(tmp_path))  # no data here: the shipped test sample
    kl = compute.kl_per_dim(m, d)
    top = dims_by_kl(kl, 16)[0]
    assert kl[top] > 0.5  # an active dimension
    tiles = _tiles(compute.traversal(m, d, 0, (top,), 9), 1, 9, 28)[0]
    mean_abs = np.abs(tiles[0] - tiles[-1]).mean() / 255  # mean pixel change, ends of the sweep
    assert mean_abs > 0.08, mean_abs  # before: 0.027 (posterior units); after: 0.18


def test_collapsed_dims_are_those_with_kl_near_zero():
    assert collapsed_dims([0.001, 2.0, 0.5, 0.0], (1, 0, 3)) == [0, 3]
    assert collapsed_dims(None, (0, 1)) == []


def test_label_path_keeps_a_or_b_or_mixes_the_one_hots():
    from vae_core.latent import label_path

    mix = label_path(5, 9, 5, 10, "mix")
    assert mix.shape == (5, 10) and np.allclose(mix.sum(1), 1)
    assert np.allclose(mix[:, 5], [1, 0.75, 0.5, 0.25, 0]) and np.allclose(mix[:, 9], [0, 0.25, 0.5, 0.75, 1])
    assert np.allclose(label_path(5, 9, 3, 10, "a")[:, 5], 1) and np.allclose(label_path(5, 9, 3, 10, "b")[:, 9], 1)


def test_a_cvae_interpolation_ends_with_b_decoded_as_bs_class(tiny_checkpoints_cvae, tmp_path):
    """Issue 20 item 5: the CVAE decoded every frame with A's label (a 5 to a 9 gave 5s all the way).
    By default the label now goes from A's class to B's: the ends are the two images' own decodings."""
    from ui.refs import DataRef, ModelRef
    from ui.shared_compute import interpolation
    from vae_core.latent import to_uint8_images

    m = ModelRef.of(str(tiny_checkpoints_cvae / "digits-cvae-2d.safetensors"), "cvae")
    data = DataRef.of("digits", str(tmp_path)).data
    a = 0
    b = int(np.flatnonzero(data.y_test.numpy() != int(data.y_test[a]))[0])
    model = m.model
    with torch.inference_mode():
        z = model.latent(to_float(data.x_test[[a, b]]), data.y_test[[a, b]]).numpy()
    own = to_uint8_images(decode_points(model, z, data.y_test[[a, b]].numpy()))  # each with its own label
    kept = to_uint8_images(decode_points(model, z[1:], int(data.y_test[a])))[0]  # B's z with A's label
    assert not np.array_equal(own[1], kept)  # the label matters for this model
    frames = interpolation(m, DataRef.of("digits", str(tmp_path)), a, b, 8, "linear")
    assert np.array_equal(frames[0], own[0]) and np.array_equal(frames[-1], own[1])
    keep_a = interpolation(m, DataRef.of("digits", str(tmp_path)), a, b, 8, "linear", "a")
    assert np.array_equal(keep_a[-1], kept)  # the choice "A's class" still exists, and says so
