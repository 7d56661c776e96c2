"""Generation and inference, made visible: prior samples, posterior draws, traversals.

    z ~ p(z) = N(0, I),  x ~ p(x|z)             generation (``model.sample``; temperature T scales ε)
    z ~ q(z|x) = N(μ, diag σ²)                  inference (``posterior_draws``: z = μ + σ·ε)
    z_j swept over μ_j ± 3 (prior units), others fixed  a traversal (``traversal_values`` + ``traverse``)

All functions are pure given their generator; images come back as float (N, C, H, W) in [0, 1].
"""

from __future__ import annotations

import numpy as np
import torch

from .data import Dataset, to_float
from .models import AE, gaussian_noise


@torch.inference_mode()
def posterior_draws(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None = None, n: int = 16,
                    generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For ONE image (1, C, H, W) uint8: (decoded μ (1, C, H, W), n decoded draws z = μ + σ·ε
    (n, C, H, W), the draws z (n, d)). The reparameterization trick, seen: every draw is a
    plausible variation of the image; an AE (no σ) gives n copies of its reconstruction."""
    model.eval()
    device = next(model.parameters()).device
    x = to_float(x_u8.to(device))
    yb = None if y is None else y.reshape(1).to(device)
    enc = model.encode(x, yb)
    mu = enc.mu.flatten(1)  # (1, d)
    mus = mu.expand(n, -1)
    if enc.logvar is None:
        z = mus.clone()
    else:
        z = mus + torch.exp(0.5 * enc.logvar) * gaussian_noise(mus, generator)
    ys = None if yb is None else yb.expand(n)
    return model.decode_flat(mu, yb).cpu(), model.decode_flat(z, ys).cpu(), z.cpu()


def traversal_values(center: float, spread: float, steps: int = 9) -> np.ndarray:
    """``steps`` values from center − spread to center + spread (inclusive, center in the middle
    when steps is odd)."""
    return np.linspace(center - spread, center + spread, steps).astype(np.float32)


def traverse(z: np.ndarray, dim: int, values: np.ndarray) -> np.ndarray:
    """(len(values), d) copies of the latent z with coordinate ``dim`` set to each value in turn;
    every other coordinate stays exactly as it was."""
    z = np.asarray(z, dtype=np.float32).reshape(-1)
    out = np.repeat(z[None], len(values), 0)
    out[:, dim] = values
    return out


def traversal_spreads(mu: np.ndarray, logvar: np.ndarray | None, all_mu: np.ndarray, span: float = 3.0) -> np.ndarray:
    """How far to sweep each dimension. A VAE: ``span`` units of the prior N(0, 1) on every dimension
    (μ_j ± 3 by default), so each sweep covers what the decoder was trained to read; the image's own
    posterior σ_j (often ≈ 0.04) would give identical images. An AE (no prior, no σ): half the range its
    latents take over the data (robust 1–99% quantiles)."""
    if logvar is not None:
        return np.full(np.asarray(mu).reshape(-1).shape, span, dtype=np.float32)
    lo, hi = np.percentile(np.asarray(all_mu, dtype=np.float32), [1, 99], axis=0)
    return ((hi - lo) / 2).astype(np.float32)


def dims_by_kl(kl_per_dim: list[float] | np.ndarray | None, d: int) -> list[int]:
    """Latent dimensions ordered by their mean KL, largest first (the ones the VAE uses); for an
    AE (no KL) in index order."""
    if kl_per_dim is None:
        return list(range(d))
    return [int(i) for i in np.argsort(-np.asarray(kl_per_dim), kind="stable")]


def active_units(kl_per_dim: list[float] | np.ndarray, threshold: float = 0.01) -> int:
    """Dimensions whose mean KL exceeds the threshold (nats): the ones that carry information
    (Burda et al., 2016 use the variance of μ; the KL gives the same picture for a Gaussian q)."""
    return int((np.asarray(kl_per_dim) > threshold).sum())


def collapsed_dims(kl_per_dim: list[float] | np.ndarray | None, dims, threshold: float = 0.01) -> list[int]:
    """Those of ``dims`` whose mean KL is at most the threshold (nats): collapsed to the prior, they
    change nothing when traversed. None (an AE) → none."""
    if kl_per_dim is None:
        return []
    kl = np.asarray(kl_per_dim)
    return [int(j) for j in dims if kl[j] <= threshold]


def confident_share(probs: np.ndarray, threshold: float = 0.9) -> float:
    """The share of images a classifier labels with confidence ≥ threshold: the "holes" number.
    Decoded prior samples that fall in holes of the latent space look like no class."""
    probs = np.asarray(probs)
    return float((probs.max(1) >= threshold).mean()) if len(probs) else float("nan")


def effective_classes(probs: np.ndarray) -> float:
    """exp(entropy) of the histogram of predicted labels: 10 when samples spread evenly over 10
    classes, 1 when they are all one class. Confidence alone can mislead: a model whose samples
    are all the same crisp digit is confident and covers one class."""
    probs = np.asarray(probs)
    if not len(probs):
        return float("nan")
    p = np.bincount(probs.argmax(1), minlength=probs.shape[1]) / len(probs)
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))


def subset(data: Dataset, n_train: int, n_test: int) -> Dataset:
    """The first n_train / n_test images of each split (for quick on-demand trainings)."""
    return Dataset(data.name, data.x_train[:n_train], data.y_train[:n_train], data.x_test[:n_test],
                   data.y_test[:n_test], data.classes)


def beta_sweep(data: Dataset, config, betas: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0), epochs: int = 3,
               seed: int = 0, callback=None) -> list[dict]:
    """The rate–distortion trade-off of β (Higgins et al., 2017; Alemi et al., 2018): train one VAE
    per β with everything else equal, and measure on the test split the rate R = E[KL(q(z|x) ‖ p(z))]
    and the distortion D = E[−log p(x|z)] (nats per image). Larger β buys a lower rate with a
    higher distortion. ``callback(i, beta)`` is called before each training."""
    from .config import TrainConfig
    from .models import build_model
    from .train import batch_means, fit

    out = []
    for i, beta in enumerate(betas):
        if callback is not None:
            callback(i, beta)
        model = build_model(config, seed=seed)
        fit(model, data, TrainConfig(dataset=data.name, epochs=epochs, batch_size=128, seed=seed, beta=float(beta),
                                     device="cpu", eval_every_epoch=False))
        parts = batch_means(model, data.x_test, data.y_test, float(beta), generator=torch.Generator().manual_seed(seed))
        out.append({"beta": float(beta), "rate": parts["kl"], "distortion": parts["recon"]})
    return out
