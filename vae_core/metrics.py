"""Evaluation metrics.

- loss, recon, kl: per image, in training units (nats per image for BCE)
- mse: per pixel, images in [0, 1]; psnr = mean over images of 10·log10(1 / mse_image)
- knn_acc: 5-nearest-neighbour accuracy of latents (VAE: μ), train split → test split
- nll_is: importance-sampled negative log-likelihood (Burda et al., 2016, eq. 8),
  log p(x) ≈ log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x),  z_k ~ q(z|x)
- kl_per_dim: mean KL of each latent dimension (which dimensions the VAE uses)
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .data import Dataset, check_compatible, to_float
from .latent import encode_dataset
from .losses import kl_per_dim, reconstruction_loss
from .models import AE
from .train import batch_means

LOG_2PI = math.log(2 * math.pi)


def knn_accuracy(z_train: torch.Tensor, y_train: torch.Tensor, z_test: torch.Tensor, y_test: torch.Tensor,
                 k: int = 5, chunk: int = 1024) -> float:
    """Majority vote of the k nearest train latents (Euclidean); ties go to the nearest."""
    if len(z_train) < k or len(z_test) == 0:
        return float("nan")
    n_cls = int(max(y_train.max(), y_test.max())) + 1
    correct = 0
    for i in range(0, len(z_test), chunk):
        d = torch.cdist(z_test[i:i + chunk], z_train)  # (b, N)
        idx = d.topk(k, largest=False).indices  # (b, k), nearest first
        votes = torch.zeros((len(idx), n_cls))
        # weight 1 + tiny rank bonus so a tie is broken by the nearer neighbour
        w = 1.0 + 1e-3 * torch.arange(k, 0, -1, dtype=torch.float32)
        votes.scatter_add_(1, y_train[idx], w.expand(len(idx), k).contiguous())
        correct += (votes.argmax(1) == y_test[i:i + chunk]).sum().item()
    return correct / len(z_test)


def log_likelihood_terms(recon: torch.Tensor, x: torch.Tensor, kind: str) -> torch.Tensor:
    """log p(x|z) per image. bce: Bernoulli. mse: Gaussian with σ² = 1/2, whose -log p is
    Σ(x-x̂)² + D/2·log π — exactly the mse training loss plus a constant."""
    rec = reconstruction_loss(recon, x, kind)
    if kind == "mse":
        rec = rec + 0.5 * x[0].numel() * math.log(math.pi)
    return -rec


def _log_px_z(recon: torch.Tensor, x: torch.Tensor, kind: str) -> torch.Tensor:
    """log p(x|z) of K decodings per image without copying x K times: recon (K, B, P), x (1, B, P)
    → (K, B). The same terms as :func:`log_likelihood_terms`, summed as log(1-x̂) + x·(log x̂ - log(1-x̂))
    with in-place ops (the IS-NLL spends half its time in these elementwise passes)."""
    if kind == "mse":
        return -((recon - x).pow_(2).sum(-1) + 0.5 * x.shape[-1] * math.log(math.pi))
    log_r = torch.log(recon).clamp_min_(-100)
    log_1mr = torch.log(torch.rsub(recon, 1)).clamp_min_(-100)
    return log_1mr.sum(-1) + log_r.sub_(log_1mr).mul_(x).sum(-1)


NLL_CHUNK = 10_000  # images decoded at once by the IS-NLL (K × batch): bounded memory for any K


def _batches(x_u8: torch.Tensor, y: torch.Tensor | None, batch_size: int, device):
    """(x float on device, y on device or None) per batch."""
    for i in range(0, len(x_u8), batch_size):
        yield (to_float(x_u8[i:i + batch_size].to(device)),
               None if y is None else y[i:i + batch_size].to(device))


@torch.inference_mode()
def nll_importance_sampled(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None = None, k: int = 100,
                           batch_size: int = 100, seed: int = 0) -> float:
    """Mean over images of -log p(x) (conditional kinds: -log p(x|y) with the true y), estimated
    with K importance samples from q(z|x). Decodes at most NLL_CHUNK images at once, so memory stays
    bounded for any K (the K samples of a batch are split into chunks and combined by logsumexp)."""
    if not model.variational:
        raise ValueError(f"the importance-sampled NLL needs a variational model, not a {model.config.kind}")
    device = next(model.parameters()).device
    kind = model.config.recon_loss
    gen = torch.Generator(device="cpu").manual_seed(seed)
    batch_size = max(1, min(batch_size, NLL_CHUNK // k))
    k_chunk = max(1, min(k, NLL_CHUNK // batch_size))
    total = 0.0
    model.eval()
    for x, yb in _batches(x_u8, y, batch_size, device):  # x (B, C, H, W)
        mu, logvar = model.encode(x, yb)  # (B, d)
        b, d = mu.shape
        std = torch.exp(0.5 * logvar)
        log_ws = []
        for k0 in range(0, k, k_chunk):
            kc = min(k_chunk, k - k0)
            eps = torch.randn((kc, b, d), generator=gen).to(device)
            z = mu + std * eps  # (kc, B, d)
            log_q = (-0.5 * (eps.pow(2) + logvar + LOG_2PI)).sum(-1)  # (kc, B)
            log_p_z = (-0.5 * (z.pow(2) + LOG_2PI)).sum(-1)
            yk = None if yb is None else yb.repeat(kc)
            recon = model.decode(z.reshape(kc * b, d), yk)  # (kc·B, C, H, W)
            log_px_z = _log_px_z(recon.reshape(kc, b, -1), x.reshape(1, b, -1), kind)  # (kc, B)
            log_ws.append(torch.logsumexp(log_px_z + log_p_z - log_q, 0))  # (B,)
        log_px = torch.logsumexp(torch.stack(log_ws), 0) - math.log(k)  # (B,)
        total += -log_px.sum().item()
    return total / len(x_u8)


@torch.inference_mode()
def reconstruction_errors(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None = None,
                          batch_size: int = 1000) -> torch.Tensor:
    """Per-image MSE (per pixel, [0,1] images) of the deterministic reconstruction (VAE: decode μ)."""
    device = next(model.parameters()).device
    model.eval()
    out = [(model.reconstruct(x, yb) - x).pow(2).flatten(1).mean(1).cpu()
           for x, yb in _batches(x_u8, y, batch_size, device)]
    return torch.cat(out) if out else torch.zeros(0)


@torch.inference_mode()
def mean_kl_per_dim(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None = None,
                    batch_size: int = 1000) -> list[float]:
    """Mean KL(q(z_j|x) ‖ N(0, 1)) of each latent dimension over the images (nats)."""
    device = next(model.parameters()).device
    model.eval()
    s = None
    for x, yb in _batches(x_u8, y, batch_size, device):
        mu, logvar = model.encode(x, yb)
        part = kl_per_dim(mu, logvar).sum(0).cpu()
        s = part if s is None else s + part
    return (s / len(x_u8)).tolist()


def psnr_from_mse(mse: torch.Tensor) -> torch.Tensor:
    return 10 * torch.log10(1.0 / mse.clamp_min(1e-10))


def subset(n: int, size: int | None, seed: int = 0) -> torch.Tensor | None:
    """Sorted indices of a seeded random subset of ``size`` out of ``n`` items; None (all of
    them) when ``size`` is None or at least ``n``. The same arguments give the same subset."""
    if size is None or size >= n:
        return None
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:size].sort().values


def evaluate(model: AE, data: Dataset, split: str = "test", beta: float = 1.0, nll_k: int = 100,
             knn_k: int = 5, seed: int = 0, nll_n: int | None = None, knn_n: int | None = None) -> dict:
    """All metrics of one model on one split, as a flat JSON-ready dict. A conditional kind is
    given the true labels (its loss and NLL are those of p(x|y)); its 5-NN accuracy measures how
    much of the label its z still carries (little: the label is given to the decoder).

    loss, recon, kl, mse and psnr always cover the whole split. The two costly ones can be
    sized: ``nll_n`` images of the split (a seeded random subset) for the IS-NLL with ``nll_k``
    samples each, and ``knn_n`` train latents (likewise) as the kNN's neighbours; None means all.
    The result records what was used: ``nll_k``, ``nll_n``, ``knn_k``, ``knn_n``."""
    check_compatible(model, data)
    x, y = data.split(split)
    if len(x) == 0:
        raise ValueError(f"the {split} split of {data.name} is empty")
    device = next(model.parameters()).device
    gen = torch.Generator(device=device).manual_seed(seed)  # the single posterior sample of loss/recon/kl
    parts = batch_means(model, x, y, beta, generator=gen)
    errs = reconstruction_errors(model, x, y)
    res: dict = {
        "split": split,
        "n": len(x),
        "loss": parts["loss"],
        "recon": parts["recon"],
        "kl": parts["kl"],
        "mse": errs.mean().item(),
        "psnr": psnr_from_mse(errs).mean().item(),
    }
    sub_tr = subset(len(data.x_train), knn_n, seed)
    x_tr, y_tr = (data.x_train, data.y_train) if sub_tr is None else (data.x_train[sub_tr], data.y_train[sub_tr])
    if len(x_tr) >= knn_k:
        z_tr = torch.from_numpy(encode_dataset(model, x_tr, y_tr)[0])
        z_te = z_tr if split == "train" and sub_tr is None else torch.from_numpy(encode_dataset(model, x, y)[0])
        res["knn_acc"] = knn_accuracy(z_tr, y_tr, z_te, y, knn_k)
        res["knn_k"] = knn_k
        res["knn_n"] = len(x_tr)
    else:
        res["knn_acc"] = None  # fewer training images than k (e.g. the app's offline test sample)
        res["knn_k"] = knn_k
    if model.variational:
        sub_nll = subset(len(x), nll_n, seed)
        x_nll, y_nll = (x, y) if sub_nll is None else (x[sub_nll], None if y is None else y[sub_nll])
        res["nll_is"] = nll_importance_sampled(model, x_nll, y_nll, nll_k, seed=seed)
        res["nll_k"] = nll_k
        res["nll_n"] = len(x_nll)
        res["kl_per_dim"] = mean_kl_per_dim(model, x, y)
    return {k: (float(v) if isinstance(v, (np.floating,)) else v) for k, v in res.items()}
