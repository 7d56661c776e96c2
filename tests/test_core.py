"""Library tests: models, losses, training, metrics, latent tools (CPU, tiny data, seconds)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vae_core.config import BACKBONES, ConfigError, ModelConfig, TrainConfig
from vae_core.data import Dataset, load_digits, to_float
from vae_core.latent import (
    cell_of_point,
    decode_points,
    encode_dataset,
    fit_projection,
    grid_points,
    in_batches,
    interpolate,
    nearest_neighbors,
    tile,
    to_uint8_images,
)
from vae_core.losses import cosine_lr, kl_divergence, kl_weight, loss_parts, reconstruction_loss
from vae_core.metrics import evaluate, knn_accuracy, nll_importance_sampled
from vae_core.models import VAE, build_model, reference_config
from vae_core.train import TrainingError, fit


@pytest.fixture(scope="module")
def digits() -> Dataset:
    return load_digits()


def small(ds: Dataset, n_train: int, n_test: int) -> Dataset:
    return Dataset(ds.name, ds.x_train[:n_train], ds.y_train[:n_train], ds.x_test[:n_test], ds.y_test[:n_test],
                   ds.classes)


# ------------------------------------------------------------------ models

CASES = [
    (kind, backbone, c, size, d)
    for kind in ("ae", "vae", "cvae")
    for backbone in BACKBONES
    for c, size in ((1, 28), (3, 32), (1, 8))
    for d in (2, 16)
]


@pytest.mark.parametrize("kind,backbone,c,size,d", CASES)
def test_output_shapes(kind, backbone, c, size, d):
    """One contract for every kind: encode → Encoding(mu, logvar); labels accepted everywhere."""
    cond = kind == "cvae"
    cfg = ModelConfig(kind=kind, backbone=backbone, in_channels=c, image_size=size, latent_dim=d,
                      num_classes=10 if cond else 0)
    m = build_model(cfg, seed=0)
    x = torch.rand(5, c, size, size)
    y = torch.tensor([0, 3, 9, 1, 1])
    out = m(x, y)
    assert out.recon.shape == x.shape
    assert out.z.shape == (5, d)
    assert (out.mu is None) == (kind == "ae") == (not m.variational)
    mu, logvar = m.encode(x, y)
    assert mu.shape == (5, d)
    assert (logvar is None) == (kind == "ae")
    if logvar is not None:
        assert logvar.shape == (5, d)
    assert m.decode(torch.zeros(3, d), y[:3]).shape == (3, c, size, size)
    assert m.reconstruct(x, y).shape == x.shape
    assert m.latent(x, y).shape == (5, d)
    g = torch.Generator().manual_seed(0)
    s = m.sample(4, generator=g, y=y[:4])
    assert s.shape == (4, c, size, size) and s.min() >= 0 and s.max() <= 1
    assert cfg.latent_size == d


def test_a_conditional_model_refuses_to_run_without_labels():
    m = build_model(ModelConfig(kind="cvae", backbone="mlp", latent_dim=2, hidden=8, num_classes=10), seed=0)
    with pytest.raises(ValueError, match="needs class labels"):
        m(torch.rand(2, 1, 28, 28))


def test_the_label_changes_a_cvae_decoding_but_not_a_vae_decoding():
    kw = dict(backbone="mlp", latent_dim=2, hidden=8)
    cvae = build_model(ModelConfig(kind="cvae", num_classes=10, **kw), seed=0)
    vae = build_model(ModelConfig(kind="vae", **kw), seed=0)
    z = torch.zeros(2, 2)
    y0, y1 = torch.tensor([0, 0]), torch.tensor([1, 1])
    assert not torch.equal(cvae.decode(z, y0), cvae.decode(z, y1))
    assert torch.equal(vae.decode(z, y0), vae.decode(z, y1))


def test_num_classes_is_for_conditional_kinds_only():
    with pytest.raises(ConfigError, match="num_classes"):
        ModelConfig(kind="vae", num_classes=10)
    with pytest.raises(ConfigError, match="num_classes"):
        ModelConfig(kind="cvae", num_classes=0)


def test_every_registered_kind_has_a_model_class():
    from vae_core.kinds import KINDS
    from vae_core.models import MODEL_CLASSES

    assert set(KINDS) == set(MODEL_CLASSES)
    for name, spec in KINDS.items():
        m = build_model(ModelConfig(kind=name, backbone="mlp", latent_dim=2, hidden=4,
                                    num_classes=3 if spec.conditional else 0))
        assert (m.variational, m.conditional) == (spec.variational, spec.conditional)


def test_seeded_init_uses_no_global_rng():
    """build_model(seed) draws from a local generator: the same weights whatever the global RNG holds."""
    cfg = ModelConfig(kind="vae", backbone="conv", latent_dim=4)
    torch.manual_seed(123)
    a = build_model(cfg, seed=7)
    state = torch.random.get_rng_state()
    torch.manual_seed(999)
    torch.rand(10)
    b = build_model(cfg, seed=7)
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(va, vb), k
    torch.random.set_rng_state(state)
    # and it does not reseed the global RNG: what the global stream gives next does not depend on the seed
    torch.manual_seed(999)
    build_model(cfg, seed=7)
    after_seeded = torch.rand(4)
    torch.manual_seed(999)
    build_model(cfg)
    after_unseeded = torch.rand(4)
    assert torch.equal(after_seeded, after_unseeded)


def _weights(m) -> list[torch.Tensor]:
    return [v.clone() for v in m.state_dict().values()]


def test_concurrent_same_seed_trainings_equal_a_solo_run(digits):
    """Two threads training with the same seed at once (and a third thread drawing from the global
    RNG all the while) give weights bit-identical to one training alone."""
    data = small(digits, 256, 64)
    cfg = ModelConfig(kind="vae", backbone="mlp", latent_dim=2, hidden=16)
    tcfg = TrainConfig(dataset="digits", epochs=2, batch_size=32, seed=11)
    solo = build_model(cfg, seed=11)
    fit(solo, data, tcfg)
    models = [build_model(cfg, seed=11) for _ in range(2)]
    stop = threading.Event()

    def noise():
        while not stop.is_set():
            torch.manual_seed(int(torch.randint(0, 1000, ())))
            torch.randn(100)

    threads = [threading.Thread(target=fit, args=(m, data, tcfg)) for m in models]
    disturber = threading.Thread(target=noise)
    disturber.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    disturber.join()
    for m in models:
        for a, b in zip(_weights(solo), _weights(m)):
            assert torch.equal(a, b)


def test_divergence_is_reported_with_epoch_and_step_under_bce(digits):
    """lr = 1 makes the BCE model's outputs NaN; BCE itself then raises. fit names the epoch and step."""
    data = small(digits, 512, 64)
    m = build_model(ModelConfig(kind="vae", backbone="mlp", latent_dim=2, hidden=32), seed=0)
    with pytest.raises(TrainingError, match=r"diverged at epoch \d+, step \d+: lower the learning rate"):
        fit(m, data, TrainConfig(dataset="digits", epochs=20, batch_size=32, lr=10.0))


def test_reference_ae_latent_is_the_feature_map():
    m = build_model(reference_config(), seed=172)
    assert sum(p.numel() for p in m.parameters()) == 194_955
    x = torch.rand(2, 3, 32, 32)
    assert m.encode(x).mu.shape == (2, 96, 2, 2)
    assert reference_config().latent_size == 384
    assert m.latent(x).shape == (2, 384)
    assert m.decode_flat(m.latent(x)).shape == x.shape
    assert torch.allclose(m.decode_flat(m.latent(x)), m.reconstruct(x))


def test_ae_and_vae_share_everything_but_the_bottleneck():
    cfg = dict(backbone="conv", in_channels=1, image_size=28, latent_dim=8)
    ae = build_model(ModelConfig(kind="ae", **cfg))
    vae = build_model(ModelConfig(kind="vae", **cfg))
    ae_shapes = {k: v.shape for k, v in ae.state_dict().items() if not k.startswith("fc_")}
    vae_shapes = {k: v.shape for k, v in vae.state_dict().items() if not k.startswith("fc_")}
    assert ae_shapes == vae_shapes


def test_every_backbone_has_a_builder_and_the_default_stays_conv():
    from vae_core.models import BACKBONE_BUILDERS

    assert set(BACKBONE_BUILDERS) == set(BACKBONES)
    assert ModelConfig().backbone == "conv"  # old files without the field, and the CLI default, stay conv


def test_resconv_is_conv_plus_residual_blocks_with_the_same_padding():
    """The resconv layers are the conv ones (same shapes, same order) with a ResBlock after each
    downsampling conv and before each upsampling one; 28×28 is padded to 32 and cropped back."""
    from vae_core.models import ResBlock

    kw = dict(kind="vae", in_channels=1, image_size=28, latent_dim=16, channels=(16, 32, 64, 128))
    conv, res = build_model(ModelConfig(backbone="conv", **kw)), build_model(ModelConfig(backbone="resconv", **kw))
    assert res._pad == conv._pad == 4 and res.feature_shape == conv.feature_shape == (128, 2, 2)
    layers = [type(m) for m in res.encoder] + [type(m) for m in res.decoder]
    assert layers.count(ResBlock) == 8
    def shapes(model, skip=()):
        return [(type(m), tuple(p.shape for p in m.parameters()))
                for part in (model.encoder, model.decoder) for m in part if not isinstance(m, skip)]

    assert shapes(res, ResBlock) == shapes(conv)
    # per block two 3×3 convs (9c² + c each) and two GroupNorms (2c each), one block per stage and side
    extra = 2 * sum(2 * (9 * c * c + c) + 4 * c for c in (16, 32, 64, 128))
    assert sum(p.numel() for p in res.parameters()) == 370_049 + extra == 1_156_289


@pytest.mark.parametrize("c", [8, 12, 3])
def test_resblock_computes_its_formula(c):
    """y = x + W₂ ∗ ReLU(GN(W₁ ∗ ReLU(GN(x)))), GN per image over gcd(c, 8) groups of channels."""
    from vae_core.models import ResBlock

    torch.manual_seed(0)
    b = ResBlock(c)
    for gn in (b.body[0], b.body[3]):  # non-trivial affine parameters, so they are checked too
        gn.weight.data.uniform_(0.5, 1.5)
        gn.bias.data.uniform_(-0.5, 0.5)
    x = torch.randn(2, c, 5, 5) * 3 + 1
    g = {8: 8, 12: 4, 3: 1}[c]

    def gn(h, m):  # mean and variance over (channels of a group, H, W), per image; eps as GroupNorm's
        hg = h.reshape(2, g, -1)
        hn = ((hg - hg.mean(-1, keepdim=True)) / torch.sqrt(hg.var(-1, unbiased=False, keepdim=True) + 1e-5))
        return hn.reshape_as(h) * m.weight[None, :, None, None] + m.bias[None, :, None, None]

    c1, c2 = b.body[2], b.body[5]
    h = F.conv2d(torch.relu(gn(x, b.body[0])), c1.weight, c1.bias, padding=1)
    expect = x + F.conv2d(torch.relu(gn(h, b.body[3])), c2.weight, c2.bias, padding=1)
    assert torch.allclose(b(x), expect, atol=1e-5)


def test_resconv_decodes_one_image_as_it_does_in_a_batch():
    """No batch norm: a latent decodes to the same image alone or among others, in train or eval mode."""
    m = build_model(ModelConfig(kind="vae", backbone="resconv", in_channels=1, image_size=28, latent_dim=4,
                                channels=(8, 16)), seed=0)
    z = torch.randn(7, 4)
    with torch.no_grad():
        batch = m.decode(z)
        m.eval()
        alone = torch.cat([m.decode(z[i:i + 1]) for i in range(7)])
    assert torch.allclose(batch, alone, atol=1e-6)


def test_resconv_vae_learns_on_a_small_subset(digits):
    """A short run on 256 digits lowers both the training and the held-out loss."""
    data = small(digits, 256, 64)
    m = build_model(ModelConfig(kind="vae", backbone="resconv", in_channels=1, image_size=28, latent_dim=4,
                                channels=(8, 16, 32)), seed=0)
    h = fit(m, data, TrainConfig(epochs=6, batch_size=32, lr=2e-3, seed=0))  # ~1 s; 501 → 333 train, 437 → 329 test
    assert all(np.isfinite(h.train["loss"]))
    assert h.train["loss"][-1] < 0.8 * h.train["loss"][0], h.train["loss"]
    assert h.test["loss"][-1] < 0.8 * h.test["loss"][0], h.test["loss"]


def test_mlp_matches_the_classic_example_sizes():
    m = build_model(ModelConfig(kind="vae", backbone="mlp", in_channels=1, image_size=28, latent_dim=20))
    # fc1 784→400, fc21/fc22 400→20, fc3 20→400, fc4 400→784 (pytorch/examples vae)
    assert sum(p.numel() for p in m.parameters()) == (784 * 400 + 400) + 2 * (400 * 20 + 20) + (20 * 400 + 400) + (400 * 784 + 784)


@pytest.mark.parametrize("bad", [dict(kind="gan"), dict(backbone="resnet"), dict(latent_dim=0),
                                 dict(latent_dim=None), dict(kind="ae", backbone="resconv", latent_dim=None),
                                 dict(backbone="ResConv"), dict(backbone="resconv", channels=(16, 0)),
                                 dict(channels=()), dict(in_channels=7),
                                 dict(recon_loss="l1"), dict(latent_dim=True)])
def test_model_config_rejects_bad_values(bad):
    with pytest.raises(ConfigError):
        ModelConfig(**bad)


def test_train_config_checks_precision():
    assert TrainConfig().precision == "fp32"
    assert TrainConfig(precision="bf16").precision == "bf16"
    with pytest.raises(ConfigError, match="precision"):
        TrainConfig(precision="fp16")


def test_train_config_checks_lr_schedule():
    assert TrainConfig().lr_schedule == "constant"
    assert TrainConfig(lr_schedule="cosine").lr_schedule == "cosine"
    with pytest.raises(ConfigError, match="lr_schedule"):
        TrainConfig(lr_schedule="step")


def test_cosine_schedule_sets_the_learning_rate_of_every_step(digits, monkeypatch):
    """The rate the optimizer holds at each step is η₀·½(1 + cos(π t/T)) for global step t of T,
    from η₀ at the first step to its smallest value at the last; constant leaves η₀ alone."""
    import vae_core.train as train_mod

    made = []
    real = train_mod.make_optimizer
    monkeypatch.setattr(train_mod, "make_optimizer", lambda m, c: made.append(real(m, c)) or made[-1])
    data = small(digits, 96, 16)  # 3 steps of 32 per epoch, 2 epochs: T = 6
    for schedule in ("cosine", "constant"):
        seen = []

        def on_step(p):
            if p.event == "step":
                seen.append(made[-1].param_groups[0]["lr"])

        m = build_model(ModelConfig(kind="vae", backbone="mlp", latent_dim=2, hidden=16), seed=0)
        fit(m, data, TrainConfig(epochs=2, batch_size=32, lr=1e-2, lr_schedule=schedule), callback=on_step)
        want = [cosine_lr(1e-2, t / 6) if schedule == "cosine" else 1e-2 for t in range(6)]
        assert seen == pytest.approx(want, rel=1e-12)
    assert want[0] == 1e-2 and cosine_lr(1e-2, 5 / 6) < 1e-3


def test_bf16_training_runs_and_keeps_fp32_weights(digits):
    data = small(digits, 128, 32)
    for kind, backbone in (("vae", "mlp"), ("ae", "conv")):
        m = build_model(ModelConfig(kind=kind, backbone=backbone, latent_dim=2, hidden=16), seed=0)
        h = fit(m, data, TrainConfig(epochs=2, batch_size=32, precision="bf16"))
        assert all(np.isfinite(h.train["loss"])) and h.train["loss"][1] < h.train["loss"][0]
        assert all(p.dtype == torch.float32 for p in m.parameters())


def test_configs_round_trip_through_json():
    import json

    m = ModelConfig(kind="ae", backbone="conv", in_channels=3, image_size=32, latent_dim=None, channels=(8, 16))
    t = TrainConfig(dataset="cifar10", epochs=3, lr=2e-4, beta=0.5, kl_warmup_epochs=1.5)
    assert ModelConfig.from_dict(json.loads(json.dumps(m.to_dict()))) == m
    assert TrainConfig.from_dict(json.loads(json.dumps(t.to_dict()))) == t
    with pytest.raises(ConfigError, match="unknown field"):
        TrainConfig.from_dict({**t.to_dict(), "lr_typo": 1})


# ------------------------------------------------------------------ losses

def test_kl_matches_torch_distributions():
    torch.manual_seed(0)
    mu, logvar = torch.randn(7, 5), torch.randn(7, 5)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    ref = torch.distributions.kl_divergence(q, p).sum(1)
    assert torch.allclose(kl_divergence(mu, logvar), ref, atol=1e-5)


def test_reconstruction_losses_are_summed_per_image():
    x = torch.rand(3, 1, 4, 4)
    r = torch.rand(3, 1, 4, 4).clamp(0.01, 0.99)
    bce = -(x * r.log() + (1 - x) * (1 - r).log()).flatten(1).sum(1)
    assert torch.allclose(reconstruction_loss(r, x, "bce"), bce, atol=1e-4)
    assert torch.allclose(reconstruction_loss(r, x, "mse"), (r - x).pow(2).flatten(1).sum(1))
    parts = loss_parts(r, x, torch.zeros(3, 2), torch.zeros(3, 2), "bce", beta=2.0)
    assert parts["kl"].item() == 0.0 and torch.allclose(parts["loss"], bce.mean(), atol=1e-4)


def test_kl_warmup_ramps_linearly():
    assert kl_weight(1.0, 0.0, 2.0) == 0.0
    assert kl_weight(1.0, 1.0, 2.0) == 0.5
    assert kl_weight(0.5, 5.0, 2.0) == 0.5
    assert kl_weight(0.7, 0.0, 0.0) == 0.7


def test_cosine_lr_follows_half_a_cosine():
    assert cosine_lr(0.1, 0.0) == 0.1
    assert cosine_lr(0.1, 0.5) == pytest.approx(0.05)
    assert cosine_lr(0.1, 1.0) == pytest.approx(0.0, abs=1e-18)
    assert cosine_lr(0.1, 0.25) == pytest.approx(0.05 * (1 + 2 ** -0.5))
    assert cosine_lr(0.1, -1.0) == 0.1 and cosine_lr(0.1, 2.0) == pytest.approx(0.0, abs=1e-18)
    rates = [cosine_lr(1.0, t / 100) for t in range(101)]
    assert all(a > b for a, b in zip(rates, rates[1:]))  # strictly falling


def test_gradients_reach_mu_and_sigma_through_the_sample():
    torch.manual_seed(0)
    mu = torch.zeros(4, 3, requires_grad=True)
    logvar = torch.zeros(4, 3, requires_grad=True)
    z = VAE.reparameterize(mu, logvar)
    (z ** 2).sum().backward()
    assert mu.grad is not None and mu.grad.abs().sum() > 0
    assert logvar.grad is not None and logvar.grad.abs().sum() > 0
    # and through a whole model: the encoder's mean and log-variance heads both get gradients
    m = build_model(ModelConfig(kind="vae", backbone="mlp", in_channels=1, image_size=8, latent_dim=2), seed=0)
    x = torch.rand(6, 1, 8, 8)
    out = m(x)
    loss_parts(out.recon, x, out.mu, out.logvar)["loss"].backward()
    assert m.fc_mu.weight.grad.abs().sum() > 0 and m.fc_logvar.weight.grad.abs().sum() > 0


# ------------------------------------------------------------------ training

def test_short_overfit_halves_the_loss(digits):
    data = small(digits, 64, 64)
    data.x_test = data.x_train
    m = build_model(ModelConfig(kind="ae", backbone="conv", in_channels=1, image_size=28, latent_dim=16), seed=0)
    h = fit(m, data, TrainConfig(epochs=60, batch_size=16, lr=3e-3, seed=0))
    assert h.train["loss"][-1] < 0.5 * h.train["loss"][0], h.train["loss"]
    assert len(h.test["loss"]) == 60 and h.epoch[-1] == 60


def test_same_seed_gives_identical_weights(digits):
    data = small(digits, 128, 32)
    cfg = ModelConfig(kind="vae", backbone="conv", in_channels=1, image_size=28, latent_dim=4)
    tcfg = TrainConfig(epochs=2, batch_size=32, seed=3)
    a = build_model(cfg, seed=3)
    fit(a, data, tcfg)
    b = build_model(cfg, seed=3)
    fit(b, data, tcfg)
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(va, vb), k
    c = build_model(cfg, seed=4)
    fit(c, data, TrainConfig(epochs=2, batch_size=32, seed=4))
    assert not torch.equal(a.fc_mu.weight, c.fc_mu.weight)


def test_callback_sees_every_step_and_epoch_and_cancel_stops(digits):
    data = small(digits, 96, 16)
    m = build_model(ModelConfig(kind="vae", backbone="mlp", in_channels=1, image_size=28, latent_dim=2), seed=0)
    events = []
    fit(m, data, TrainConfig(epochs=2, batch_size=32), callback=events.append)
    assert [e.event for e in events] == ["step"] * 3 + ["epoch"] + ["step"] * 3 + ["epoch"]
    assert events[-1].fraction == 1.0 and set(events[0].losses) == {"loss", "recon", "kl"}
    cancel = threading.Event()

    def stop_after_two(p):
        if p.event == "step" and p.step == 2:
            cancel.set()

    h = fit(m, data, TrainConfig(epochs=5, batch_size=32), callback=stop_after_two, cancel=cancel)
    assert h.cancelled and h.epoch == []


def test_nan_loss_stops_with_epoch_and_step(digits):
    data = small(digits, 64, 16)
    m = build_model(ModelConfig(kind="ae", backbone="mlp", in_channels=1, image_size=28, latent_dim=2,
                                recon_loss="mse"), seed=0)
    with torch.no_grad():
        m.decoder[0].weight[0, 0] = float("nan")
    with pytest.raises(TrainingError, match=r"epoch 1, step 1"):
        fit(m, data, TrainConfig(epochs=1, batch_size=32))


def test_fit_refuses_a_shape_mismatch(digits):
    m = build_model(ModelConfig(kind="ae", backbone="mlp", in_channels=3, image_size=32, latent_dim=2))
    with pytest.raises(TrainingError, match="expects images"):
        fit(m, small(digits, 8, 8), TrainConfig(epochs=1))


# ------------------------------------------------------------------ metrics

@pytest.fixture(scope="module")
def trained_vae(digits):
    m = build_model(ModelConfig(kind="vae", backbone="mlp", in_channels=1, image_size=28, latent_dim=4), seed=0)
    fit(m, digits, TrainConfig(epochs=3, batch_size=64, lr=2e-3))
    return m


def test_knn_accuracy_on_separable_and_random_labels():
    g = torch.Generator().manual_seed(0)
    z_tr = torch.cat([torch.randn(50, 3, generator=g) + 10 * i for i in range(3)])
    y_tr = torch.arange(3).repeat_interleave(50)
    z_te = torch.cat([torch.randn(10, 3, generator=g) + 10 * i for i in range(3)])
    y_te = torch.arange(3).repeat_interleave(10)
    assert knn_accuracy(z_tr, y_tr, z_te, y_te) == 1.0
    assert knn_accuracy(z_tr, y_tr, z_te, (y_te + 1) % 3) == 0.0


def test_importance_sampled_nll_is_a_tighter_bound(digits, trained_vae):
    x = digits.x_test[:64]
    torch.manual_seed(0)
    out = trained_vae(to_float(x))
    elbo_loss = loss_parts(out.recon, to_float(x), out.mu, out.logvar)["loss"].item()
    nll_1 = nll_importance_sampled(trained_vae, x, k=1, seed=1)
    nll_50 = nll_importance_sampled(trained_vae, x, k=50, seed=1)
    assert abs(nll_1 - elbo_loss) < 0.05 * elbo_loss  # K=1 is the ELBO itself (one sample)
    assert nll_50 < nll_1  # more samples tighten the bound (Burda et al., 2016)


def test_evaluate_reports_every_metric(digits, trained_vae):
    m = evaluate(trained_vae, digits, "test", nll_k=5)
    for k in ("loss", "recon", "kl", "mse", "psnr", "knn_acc", "nll_is", "nll_k", "kl_per_dim"):
        assert k in m
    assert abs(m["loss"] - (m["recon"] + m["kl"])) < 1e-3
    assert 0 < m["mse"] < 0.25 and m["psnr"] > 6
    assert 0.3 < m["knn_acc"] <= 1.0  # 4 trained dims separate digits far above chance
    assert len(m["kl_per_dim"]) == 4 and abs(sum(m["kl_per_dim"]) - m["kl"]) < 0.5


def test_evaluate_sizes_the_costly_metrics_and_records_them(digits, trained_vae):
    full = evaluate(trained_vae, digits, "test", nll_k=3)
    assert (full["nll_n"], full["knn_n"], full["nll_k"]) == (len(digits.x_test), len(digits.x_train), 3)
    part = evaluate(trained_vae, digits, "test", nll_k=3, nll_n=50, knn_n=200)
    assert (part["nll_n"], part["knn_n"]) == (50, 200)
    for k in ("loss", "recon", "kl", "mse", "psnr", "kl_per_dim"):  # these always cover the whole split
        assert part[k] == full[k], k
    assert part == evaluate(trained_vae, digits, "test", nll_k=3, nll_n=50, knn_n=200)  # a seeded subset
    assert 0.3 < part["knn_acc"] <= 1.0 and abs(part["nll_is"] - full["nll_is"]) < 0.2 * full["nll_is"]


# ------------------------------------------------------------------ latent tools

def test_pca_inverse_is_exact_on_its_plane():
    rng = np.random.RandomState(0)
    z = rng.randn(200, 6).astype(np.float32) * np.array([5, 3, 0.1, 0.1, 0.1, 0.1], np.float32)
    p = fit_projection(z, "pca")
    assert p.coords.shape == (200, 2)
    back = p.inverse(p.coords)  # (200, 6): the projection of z onto the plane
    assert np.allclose(fit_projection(z, "pca").coords, p.coords)
    again = (back - p._mean) @ p._components.T
    assert np.allclose(again, p.coords, atol=1e-4)
    assert np.abs(back - z).max() < 1.0  # the two big directions are kept
    assert p.explained_variance_ratio.sum() > 0.99


def test_identity_projection_for_2d_and_tsne_has_no_inverse():
    z = np.random.RandomState(0).randn(40, 2).astype(np.float32)
    p = fit_projection(z, "pca")
    assert p.method == "identity" and np.array_equal(p.inverse(z[:3]), z[:3])
    t = fit_projection(np.random.RandomState(0).randn(40, 5), "tsne")
    assert t.coords.shape == (40, 2) and not t.invertible
    with pytest.raises(ValueError, match="no inverse"):
        t.inverse(np.zeros((1, 2)))


def test_grid_points_top_row_first_and_cell_lookup():
    pts = grid_points((0, 1, 0, 2), 3)
    assert pts.shape == (9, 2)
    assert tuple(pts[0]) == (0, 2) and tuple(pts[2]) == (1, 2) and tuple(pts[8]) == (1, 0)
    for i, (x, y) in enumerate(pts):
        assert cell_of_point(x, y, (0, 1, 0, 2), 3) == divmod(i, 3)
    assert cell_of_point(-5, 99, (0, 1, 0, 2), 3) == (0, 0)
    assert tuple(grid_points((0, 1, 0, 2), 1)[0]) == (0.5, 1.0)  # a 1×1 grid sits at the middle


def test_decode_points_is_one_batch_of_images(trained_vae):
    calls = []
    h = trained_vae.decoder.register_forward_hook(lambda *a: calls.append(1))
    imgs = decode_points(trained_vae, np.zeros((900, 4), np.float32))
    h.remove()
    assert imgs.shape == (900, 1, 28, 28) and len(calls) == 1
    u8 = to_uint8_images(imgs[:6])
    assert u8.shape == (6, 28, 28) and u8.dtype == np.uint8
    assert tile(u8, 3).shape == (56, 84)


def test_encode_dataset_gives_mu_and_logvar(digits, trained_vae):
    mu, logvar = encode_dataset(trained_vae, digits.x_test[:50], batch_size=16)
    assert mu.shape == logvar.shape == (50, 4)
    ae = build_model(reference_config())
    z, none = encode_dataset(ae, torch.zeros(3, 3, 32, 32, dtype=torch.uint8))
    assert z.shape == (3, 384) and none is None


@pytest.mark.parametrize("backbone", ["mlp", "conv", "resconv"])
def test_workers_encode_and_decode_the_same_bits_in_order_and_keep_thread_counts(backbone):
    """Batches shared among single-threaded workers (``in_batches``): the same latents and decoded
    images, in the same order, as the caller's threads in one loop or one batch, up to float rounding
    (another thread count or batch size may pick another kernel: seen ≤ 1e-7 here); a CVAE, so
    labels go through the workers too; conv backbones pad 28 → 32, resconv adds GroupNorm. The
    caller's torch thread count is unchanged afterwards, and so is the one a new thread starts with."""
    import threading

    cfg = ModelConfig(kind="cvae", backbone=backbone, in_channels=1, image_size=28, channels=(8, 16),
                      latent_dim=3, num_classes=10)
    model = build_model(cfg, seed=0)
    x = torch.randint(0, 256, (70, 1, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    y = torch.arange(70) % 10
    saved = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        one = encode_dataset(model, x, y, batch_size=16)
        many = encode_dataset(model, x, y, batch_size=16, workers=3)
        z = np.random.default_rng(0).standard_normal((50, 3)).astype(np.float32)
        dec_one = decode_points(model, z, y[:50])
        dec_many = decode_points(model, z, y[:50], workers=3, batch_size=7)
        assert torch.get_num_threads() == 2
        seen = []
        t = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
        t.start()
        t.join()
        assert seen == [2]
    finally:
        torch.set_num_threads(saved)
    assert one[0].shape == (70, 3) and dec_one.shape == (50, 1, 28, 28)
    assert np.allclose(one[0], many[0], rtol=0, atol=1e-6) and np.allclose(one[1], many[1], rtol=0, atol=1e-6)
    assert torch.allclose(dec_one, dec_many, rtol=0, atol=1e-6)
    # not trivially equal: every row differs, so a reordering would show
    assert len(np.unique(one[0].round(6), axis=0)) == 70
    assert len(torch.unique(dec_one.flatten(1), dim=0)) == 50


def test_in_batches_covers_every_item_once_in_order():
    got = in_batches(lambda b: list(range(b.start, b.stop)), 23, 5, workers=4)
    assert [len(b) for b in got] == [5, 5, 5, 5, 3] and sum(got, []) == list(range(23))
    assert in_batches(lambda b: b, 0, 5, workers=2) == []


def test_interpolation_endpoints_and_slerp_norm():
    z0, z1 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    lin = interpolate(z0, z1, 5, "linear")
    sl = interpolate(z0, z1, 5, "slerp")
    assert np.allclose(lin[0], z0) and np.allclose(lin[-1], z1) and np.allclose(sl[-1], z1)
    assert np.allclose(np.linalg.norm(sl, axis=1), 1.0, atol=1e-6)
    assert np.linalg.norm(lin[2]) < 0.8


def test_nearest_neighbors_excludes_itself_nearest_first():
    z = np.array([[0.0], [1.0], [3.0], [0.5], [10.0]])
    assert list(nearest_neighbors(z, 0, 3)) == [3, 1, 2]
    assert list(nearest_neighbors(z, 4, 10)) == [2, 1, 3, 0]


def test_cpu_bce_matches_torch_and_its_gradients_bit_for_bit():
    """losses.reconstruction_loss computes BCE with vectorized logs on the CPU; its gradient is ATen's
    formula in ATen's order, so training is bit-identical to F.binary_cross_entropy's."""
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(0)
    r0 = torch.sigmoid(torch.randn(16, 1, 28, 28, generator=g) * 8)
    r0.view(-1)[:20], r0.view(-1)[20:40], r0.view(-1)[40:45] = 0.0, 1.0, 1e-30  # the clamped ends
    x = (torch.rand(16, 1, 28, 28, generator=g) * 255).round() / 255
    a, b = r0.clone().requires_grad_(), r0.clone().requires_grad_()
    la = F.binary_cross_entropy(a, x, reduction="none").flatten(1).sum(1).mean()
    lb = reconstruction_loss(b, x, "bce").mean()
    la.backward()
    lb.backward()
    assert torch.equal(a.grad, b.grad)
    assert torch.allclose(la, lb, rtol=1e-6)
    assert torch.isnan(reconstruction_loss(torch.full((1, 1, 2, 2), float("nan")), x[:1, :, :2, :2])).all()


def test_epoch_means_are_the_size_weighted_step_losses_the_callback_saw(digits):
    """fit reads the loss parts once per epoch; a callback gets each step's floats, and the
    history's train mean is their mean weighted by batch size (the last batch is smaller)."""
    data = small(digits, 100, 16)
    m = build_model(ModelConfig(kind="vae", backbone="mlp", latent_dim=2, hidden=8), seed=0)
    steps = []
    h = fit(m, data, TrainConfig(epochs=1, batch_size=32, eval_every_epoch=False),
            callback=lambda p: p.event == "step" and steps.append(p.losses))
    assert len(steps) == 4 and all(isinstance(v, float) for s in steps for v in s.values())
    sizes = [32, 32, 32, 4]
    for k in ("recon", "kl"):
        assert h.train[k][0] == pytest.approx(sum(s[k] * n for s, n in zip(steps, sizes)) / 100, rel=1e-12)
