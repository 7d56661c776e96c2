"""What autoencoders are good for, each use with the number that measures it (the Uses page).

Images are float (N, C, H, W) in [0, 1] unless a name ends in ``_u8``; every function is pure given
its arguments (random draws come from a seed or a ``torch.Generator``, never the global RNG).

- compression:   bytes of a latent (d float32 numbers, or d codes of b bits) against the image's
                 C·H·W bytes; PSNR = 10·log10(1 / MSE) of the decoded latent.
- denoising:     PSNR(x̃, x) of the noisy input against PSNR(g(f(x̃)), x) of its reconstruction.
- filling:       x ← m⊙x + (1−m)⊙g(f(x)), K times from the mean fill; MSE on the missing pixels.
- anomalies:     reconstruction error, or −ELBO (VAE); ROC and AUC of in- vs out-of-distribution.
- features:      a linear classifier on μ against raw pixels, with 10 / 100 / 1,000 labels per class.
- augmentation:  the same classifier with and without generated (CVAE) images.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .data import to_float
from .losses import kl_divergence, reconstruction_loss
from .metrics import psnr_from_mse
from .models import AE, gaussian_noise
from .noise import NoiseSpec, corrupt

BATCH = 500


def _device(model: AE) -> torch.device:
    return next(model.parameters()).device


def _batches(n: int, size: int = BATCH):
    for i in range(0, n, size):
        yield slice(i, min(n, i + size))


def _y(y: torch.Tensor | None, s: slice, device) -> torch.Tensor | None:
    return None if y is None else y[s].to(device)


# ------------------------------------------------------------------ PSNR

def psnr(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per image: PSNR = 10·log10(1 / MSE), MSE over every pixel of the image (peak 1). Shape (N,)."""
    return psnr_from_mse((x_hat - x).pow(2).flatten(1).mean(1))


# ------------------------------------------------------------------ compression

def image_bytes(shape: tuple[int, ...]) -> int:
    """Bytes of one image stored raw at 8 bits per value: C·H·W."""
    return int(math.prod(shape))


def latent_bytes(d: int, bits: int = 32) -> float:
    """Bytes of one latent of d numbers at ``bits`` each: d·bits/8 (float32: 4d; 8-bit codes: d)."""
    return d * bits / 8


def quant_range(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) of each latent dimension over the data: the range the uniform quantiser covers.
    Stored once for the whole dataset (2·d floats), not per image."""
    z = np.asarray(z, dtype=np.float32)
    return z.min(0), z.max(0)


def quantise(z: np.ndarray, lo: np.ndarray, hi: np.ndarray, bits: int = 8) -> np.ndarray:
    """Uniform per-dimension quantiser: q = round((z − lo) / (hi − lo) · (2^b − 1)), clipped to
    0 … 2^b − 1. Returns the integer codes (uint8 for b ≤ 8, else int64)."""
    levels = 2 ** bits - 1
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.clip(np.rint((np.asarray(z, np.float32) - lo) / span * levels), 0, levels)
    return q.astype(np.uint8 if bits <= 8 else np.int64)


def dequantise(q: np.ndarray, lo: np.ndarray, hi: np.ndarray, bits: int = 8) -> np.ndarray:
    """ẑ = lo + q / (2^b − 1) · (hi − lo): the centre of each code's cell; |ẑ − z| ≤ (hi − lo) / (2(2^b − 1))."""
    levels = 2 ** bits - 1
    return (lo + q.astype(np.float32) / levels * (hi - lo)).astype(np.float32)


@torch.inference_mode()
def compression(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None = None,
                bits: tuple[int, ...] = (32, 8, 4)) -> list[dict]:
    """One row per precision: {"bits", "bytes" (per image), "ratio" = image bytes / latent bytes,
    "psnr" (mean dB of decoding the stored latent)}. 32 bits = the float32 latent as it is; fewer
    bits quantise μ uniformly per dimension over the range of these images' latents. A conditional
    model also needs its label: one byte more per image."""
    model.eval()
    dev = _device(model)
    x = to_float(x_u8)
    mu = np.concatenate([model.latent(x[s].to(dev), _y(y, s, dev)).cpu().numpy() for s in _batches(len(x))])
    d = mu.shape[1]
    lo, hi = quant_range(mu)
    extra = 1 if model.conditional else 0
    rows = []
    for b in bits:
        z = mu if b >= 32 else dequantise(quantise(mu, lo, hi, b), lo, hi, b)
        zt = torch.from_numpy(z)
        p = torch.cat([psnr(model.decode_flat(zt[s].to(dev), _y(y, s, dev)).cpu(), x[s]) for s in _batches(len(x))])
        nbytes = latent_bytes(d, b) + extra
        rows.append({"bits": int(b), "bytes": nbytes, "ratio": image_bytes(x.shape[1:]) / nbytes,
                     "psnr": float(p.mean()), "d": d})
    return rows


# ------------------------------------------------------------------ denoising

@torch.inference_mode()
def denoise(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None, spec: NoiseSpec | str,
            seed: int = 0) -> dict:
    """Mean PSNR against the clean image x of: the noisy input x̃ (the identity "no model" baseline),
    the model's reconstruction g(f(x̃)) of it, and its reconstruction of the clean image.
    The same noise (one seeded generator, in batch order) for every model."""
    model.eval()
    dev = _device(model)
    gen = torch.Generator().manual_seed(seed)
    noisy, recon, clean = [], [], []
    for s in _batches(len(x_u8)):
        x = to_float(x_u8[s])
        xn = corrupt(x, spec, gen)
        yb = _y(y, s, dev)
        noisy.append(psnr(xn, x))
        recon.append(psnr(model.reconstruct(xn.to(dev), yb).cpu(), x))
        clean.append(psnr(model.reconstruct(x.to(dev), yb).cpu(), x))
    return {"noisy": float(torch.cat(noisy).mean()), "recon": float(torch.cat(recon).mean()),
            "clean": float(torch.cat(clean).mean()), "n": len(x_u8)}


# ------------------------------------------------------------------ filling missing values

def box_mask(h: int, w: int, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """(1, 1, H, W) mask m with m = 0 on the box (missing) and 1 elsewhere (known)."""
    m = torch.ones(1, 1, h, w)
    m[..., max(0, top):max(0, top + height), max(0, left):max(0, left + width)] = 0
    return m


def random_mask(n: int, h: int, w: int, fraction: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """(n, 1, H, W) masks, each pixel missing (m = 0) with probability ``fraction``, independently."""
    return (torch.rand((n, 1, h, w), generator=generator) >= fraction).float()


def mean_fill(x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """The baseline: each missing pixel set to the mean of the image's known pixels (per channel).
    Only m⊙x is read, so the missing pixels never leak in."""
    m = m.expand_as(x)
    known = (m * x).flatten(2).sum(2) / m.flatten(2).sum(2).clamp_min(1)  # (N, C)
    return m * x + (1 - m) * known[..., None, None]


@torch.inference_mode()
def iterative_fill(model: AE, x: torch.Tensor, m: torch.Tensor, y: torch.Tensor | None = None,
                   iters: int = 10) -> list[torch.Tensor]:
    """Fill the missing pixels (m = 0) by projecting onto what the model can reconstruct, keeping
    the known ones: x⁽⁰⁾ = the mean fill, x⁽ᵏ⁺¹⁾ = m⊙x + (1−m)⊙g(f(x⁽ᵏ⁾)). Returns [x⁽⁰⁾, …, x⁽ᴷ⁾]
    (on the CPU). Only m⊙x is read."""
    model.eval()
    dev = _device(model)
    m = m.expand_as(x)
    xk = mean_fill(x, m)
    known = m * x
    out = [xk]
    yb = None if y is None else y.to(dev)
    for _ in range(iters):
        xk = known + (1 - m) * model.reconstruct(xk.to(dev), yb).cpu()
        out.append(xk)
    return out


def masked_mse(x_hat: torch.Tensor, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """Per image: the MSE over the missing pixels only, Σ(1−m)(x̂ − x)² / Σ(1−m). Shape (N,)."""
    miss = (1 - m).expand_as(x)
    return (miss * (x_hat - x).pow(2)).flatten(1).sum(1) / miss.flatten(1).sum(1).clamp_min(1)


def fill_scores(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None, m: torch.Tensor, iters: int = 10) -> dict:
    """Mean masked-region MSE of the mean fill (iteration 0) and after each of ``iters`` iterations:
    {"per_iter": [K + 1 numbers], "mean_fill": …, "fill": … (the last)}."""
    sums = torch.zeros(iters + 1)
    for s in _batches(len(x_u8)):
        x = to_float(x_u8[s])
        mb = m if m.shape[0] == 1 else m[s]
        steps = iterative_fill(model, x, mb, None if y is None else y[s], iters)
        sums += torch.stack([masked_mse(xk, x, mb).sum() for xk in steps])
    per = (sums / max(1, len(x_u8))).tolist()
    return {"per_iter": per, "mean_fill": per[0], "fill": per[-1], "n": len(x_u8)}


# ------------------------------------------------------------------ anomaly / out-of-distribution

@torch.inference_mode()
def _scores_given_labels(model: AE, x: torch.Tensor, yb: torch.Tensor | None, n_samples: int,
                         gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor | None]:
    rec = model.reconstruct(x, yb)
    mse = (rec - x).pow(2).flatten(1).mean(1)
    if not model.variational:
        return mse, None
    enc = model.encode(x, yb)
    kl = kl_divergence(enc.mu, enc.logvar)
    nll = torch.zeros(len(x), device=x.device)
    for _ in range(n_samples):
        z = enc.mu + torch.exp(0.5 * enc.logvar) * gaussian_noise(enc.mu, gen)
        nll += reconstruction_loss(model.decode(z, yb), x, model.config.recon_loss)
    return mse, nll / n_samples + kl


@torch.inference_mode()
def anomaly_scores(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None = None, n_samples: int = 1,
                   seed: int = 0) -> dict:
    """Per-image scores, higher = more anomalous: {"recon": MSE per pixel of the deterministic
    reconstruction, "elbo": −ELBO = E_q[−log p(x|z)] + KL(q(z|x) ‖ p(z)) with the expectation over
    ``n_samples`` posterior draws (variational kinds; None for an AE)}, numpy arrays (N,).
    A conditional model is given no label: each score is its minimum over every label (the
    label that explains the image best), so in- and out-of-distribution images are treated alike."""
    model.eval()
    dev = _device(model)
    gen = torch.Generator(device=dev).manual_seed(seed)
    recs, elbos = [], []
    k = model.config.num_classes if model.conditional else 0
    for s in _batches(len(x_u8)):
        x = to_float(x_u8[s].to(dev))
        if not k:
            r, e = _scores_given_labels(model, x, _y(y, s, dev), n_samples, gen)
        else:
            per = [_scores_given_labels(model, x, torch.full((len(x),), c, device=dev), n_samples, gen)
                   for c in range(k)]
            r = torch.stack([p[0] for p in per]).min(0).values
            e = torch.stack([p[1] for p in per]).min(0).values
        recs.append(r.cpu())
        if e is not None:
            elbos.append(e.cpu())
    return {"recon": torch.cat(recs).numpy(), "elbo": torch.cat(elbos).numpy() if elbos else None}


def roc_curve(scores_in: np.ndarray, scores_out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC of telling out-of-distribution images (positives) from in-distribution ones by a score
    (higher = more anomalous): at each threshold t, TPR = P(score_out ≥ t), FPR = P(score_in ≥ t).
    Returns (fpr, tpr, thresholds), from (0, 0) to (1, 1); tied scores form one step."""
    s_in, s_out = np.asarray(scores_in, np.float64).ravel(), np.asarray(scores_out, np.float64).ravel()
    scores = np.concatenate([s_in, s_out])
    pos = np.concatenate([np.zeros(len(s_in)), np.ones(len(s_out))])
    order = np.argsort(-scores, kind="mergesort")
    scores, pos = scores[order], pos[order]
    last = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]  # the last index of each distinct score
    tp = np.cumsum(pos)[last]
    fp = (last + 1) - tp
    tpr = np.r_[0.0, tp / max(1, len(s_out))]
    fpr = np.r_[0.0, fp / max(1, len(s_in))]
    return fpr, tpr, np.r_[np.inf, scores[last]]


def auc(scores_in: np.ndarray, scores_out: np.ndarray) -> float:
    """Area under the ROC curve = P(score_out > score_in) + ½·P(score_out = score_in) (the
    Mann–Whitney U statistic / (n_in·n_out)): 0.5 is chance, 1 a perfect detector."""
    fpr, tpr, _ = roc_curve(scores_in, scores_out)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


# ------------------------------------------------------------------ features with few labels

def per_class_indices(y: np.ndarray, per_class: int, seed: int = 0) -> np.ndarray:
    """``per_class`` indices of each class, drawn without replacement (fewer where a class has fewer)."""
    rng = np.random.default_rng(seed)
    y = np.asarray(y)
    return np.sort(np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per_class] for c in np.unique(y)]))


def probe_split(y_train: np.ndarray, y_test: np.ndarray, max_per_class: int = 1000, n_test: int = 2000,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray, bool]:
    """(labelled pool indices, test indices, pool_from_test). With a train split: up to
    ``max_per_class`` train images per class, and the first ``n_test`` test images. Without one (the
    offline test sample): each class of the test split is cut in two halves, the first half is the
    labelled pool and the second the test set (both index the test split; ``pool_from_test`` True)."""
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if len(y_train):
        return per_class_indices(y_train, max_per_class, seed), np.arange(min(n_test, len(y_test))), False
    pool, test = [], []
    for c in np.unique(y_test):
        idx = np.flatnonzero(y_test == c)
        pool.append(idx[:len(idx) // 2][:max_per_class])
        test.append(idx[len(idx) // 2:])
    test_idx = np.sort(np.concatenate(test))[:n_test]
    return np.sort(np.concatenate(pool)), test_idx, True


def linear_probe(f_train: np.ndarray, y_train: np.ndarray, f_test: np.ndarray, y_test: np.ndarray) -> float:
    """Test accuracy of a multinomial logistic regression on standardised features
    (p(y|f) = softmax(W·(f − m)/s + b), L2 penalty C = 1), trained on (f_train, y_train) with at most
    300 L-BFGS iterations (a fixed budget: on raw CIFAR-10 pixels it stops before full convergence)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(np.asarray(f_train, np.float32), np.asarray(y_train))
    return float((clf.predict(np.asarray(f_test, np.float32)) == np.asarray(y_test)).mean())


def few_label_accuracies(features: dict[str, tuple[np.ndarray, np.ndarray]], y_train: np.ndarray,
                         y_test: np.ndarray, per_class: tuple[int, ...] = (10, 100, 1000), seed: int = 0) -> list[dict]:
    """For each number of labels per class (that the training pool can give) and each feature set
    {name: (train features, test features)}: the linear probe's test accuracy.
    Rows {"per_class", "n_train", name: accuracy, …}; every feature set sees the same labelled images."""
    counts = np.bincount(np.asarray(y_train))
    rows = []
    for k in per_class:
        if k > counts[counts > 0].min():
            continue
        idx = per_class_indices(y_train, k, seed)
        row = {"per_class": int(k), "n_train": int(len(idx))}
        for name, (f_tr, f_te) in features.items():
            row[name] = linear_probe(f_tr[idx], y_train[idx], f_te, y_test)
        rows.append(row)
    return rows


def flat_pixels(x_u8: torch.Tensor) -> np.ndarray:
    """(N, C·H·W) float32 pixels in [0, 1]: the raw features."""
    return to_float(x_u8).flatten(1).numpy()


# ------------------------------------------------------------------ augmentation

def augmentation_accuracy(x_real: np.ndarray, y_real: np.ndarray, x_gen: np.ndarray, y_gen: np.ndarray,
                          x_test: np.ndarray, y_test: np.ndarray) -> dict:
    """The same linear probe on pixels trained on the real images alone, then on the real images
    plus generated ones (with the labels they were generated for): {"real", "augmented"} accuracies."""
    real = linear_probe(x_real, y_real, x_test, y_test)
    aug = linear_probe(np.concatenate([x_real, x_gen]), np.concatenate([y_real, y_gen]), x_test, y_test)
    return {"real": real, "augmented": aug, "n_real": int(len(x_real)), "n_gen": int(len(x_gen))}
