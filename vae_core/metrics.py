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

from .data import Dataset, to_float
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


@torch.inference_mode()
def nll_importance_sampled(model: AE, x_u8: torch.Tensor, k: int = 100, batch_size: int = 100,
                           seed: int = 0) -> float:
    """Mean over images of -log p(x), estimated with K importance samples from q(z|x)."""
    device = next(model.parameters()).device
    kind = model.config.recon_loss
    gen = torch.Generator(device="cpu").manual_seed(seed)
    total = 0.0
    model.eval()
    for i in range(0, len(x_u8), batch_size):
        x = to_float(x_u8[i:i + batch_size].to(device))  # (B, C, H, W)
        mu, logvar = model.encode(x)  # (B, d)
        b, d = mu.shape
        eps = torch.randn((k, b, d), generator=gen).to(device)
        std = torch.exp(0.5 * logvar)
        z = mu + std * eps  # (K, B, d)
        log_q = (-0.5 * (eps.pow(2) + logvar + LOG_2PI)).sum(-1)  # (K, B)
        log_p_z = (-0.5 * (z.pow(2) + LOG_2PI)).sum(-1)
        recon = model.decode(z.reshape(k * b, d))
        xr = x.unsqueeze(0).expand(k, *x.shape).reshape(k * b, *x.shape[1:])
        log_px_z = log_likelihood_terms(recon, xr, kind).reshape(k, b)
        log_w = log_px_z + log_p_z - log_q
        log_px = torch.logsumexp(log_w, 0) - math.log(k)  # (B,)
        total += -log_px.sum().item()
    return total / len(x_u8)


@torch.inference_mode()
def reconstruction_errors(model: AE, x_u8: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Per-image MSE (per pixel, [0,1] images) of the deterministic reconstruction (VAE: decode μ)."""
    device = next(model.parameters()).device
    model.eval()
    out = []
    for i in range(0, len(x_u8), batch_size):
        x = to_float(x_u8[i:i + batch_size].to(device))
        out.append((model.reconstruct(x) - x).pow(2).flatten(1).mean(1).cpu())
    return torch.cat(out)


@torch.inference_mode()
def mean_kl_per_dim(model: AE, x_u8: torch.Tensor, batch_size: int = 1000) -> list[float]:
    device = next(model.parameters()).device
    model.eval()
    s = None
    for i in range(0, len(x_u8), batch_size):
        mu, logvar = model.encode(to_float(x_u8[i:i + batch_size].to(device)))
        part = kl_per_dim(mu, logvar).sum(0).cpu()
        s = part if s is None else s + part
    return (s / len(x_u8)).tolist()


def psnr_from_mse(mse: torch.Tensor) -> torch.Tensor:
    return 10 * torch.log10(1.0 / mse.clamp_min(1e-10))


def evaluate(model: AE, data: Dataset, split: str = "test", beta: float = 1.0, nll_k: int = 100,
             knn_k: int = 5, seed: int = 0) -> dict:
    """All metrics of one model on one split, as a flat JSON-ready dict."""
    x, y = data.split(split)
    if len(x) == 0:
        raise ValueError(f"the {split} split of {data.name} is empty")
    torch.manual_seed(seed)  # the single posterior sample inside loss/recon/kl
    parts = batch_means(model, x, model.config.recon_loss, beta)
    errs = reconstruction_errors(model, x)
    res: dict = {
        "split": split,
        "n": len(x),
        "loss": parts["loss"],
        "recon": parts["recon"],
        "kl": parts["kl"],
        "mse": errs.mean().item(),
        "psnr": psnr_from_mse(errs).mean().item(),
    }
    if len(data.x_train) >= knn_k:
        z_tr = torch.from_numpy(encode_dataset(model, data.x_train)[0])
        z_te = z_tr if split == "train" else torch.from_numpy(encode_dataset(model, x)[0])
        res["knn_acc"] = knn_accuracy(z_tr, data.y_train, z_te, y, knn_k)
        res["knn_k"] = knn_k
    else:
        res["knn_acc"] = None
    if model.config.kind == "vae":
        res["nll_is"] = nll_importance_sampled(model, x, nll_k, seed=seed)
        res["nll_k"] = nll_k
        res["kl_per_dim"] = mean_kl_per_dim(model, x)
    return {k: (float(v) if isinstance(v, (np.floating,)) else v) for k, v in res.items()}
