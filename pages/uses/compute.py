"""Uses' cached computations: compression, denoising, filling, anomaly scores, few-label probes and
augmentation, each on the first test images of the dataset (``vae_core.uses`` does the work)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from ui.refs import DataRef, ModelRef
from ui.threads import CPU_WORKERS, ENCODE_BATCH
from vae_core import latent as lat
from vae_core import uses
from vae_core.data import to_float
from vae_core.noise import corrupt

USE_N = 1000  # test images behind the compression, denoising and anomaly numbers

USE_FILL_N = 200  # test images behind the filling number

USE_PROBE_TEST = 2000  # test images of the few-label classifiers


@st.cache_data(max_entries=64, show_spinner=False)
def use_compression(m: ModelRef, d: DataRef, n: int = USE_N, bits: tuple[int, ...] = (32, 8, 4)) -> list[dict]:
    """Bytes per latent and the PSNR of decoding it, float32 and quantised (``vae_core.uses.compression``)."""
    data = d.data
    return uses.compression(m.model, data.x_test[:n], data.y_test[:n], bits)


@st.cache_data(max_entries=32, show_spinner=False)
def use_quantised_images(m: ModelRef, d: DataRef, idx: tuple[int, ...], bits: int, n: int = USE_N) -> np.ndarray:
    """uint8 decodes of chosen test images' latents stored at ``bits`` per number (32: float), quantised
    over the range of the first n test images' latents (as ``use_compression`` does)."""
    data, model = d.data, m.model
    sel = list(idx)
    mu = lat.encode_dataset(model, data.x_test[sel], data.y_test[sel])[0]
    if bits < 32:
        lo, hi = uses.quant_range(lat.encode_dataset(model, data.x_test[:n], data.y_test[:n])[0])
        mu = uses.dequantise(uses.quantise(mu, lo, hi, bits), lo, hi, bits)
    return lat.to_uint8_images(lat.decode_points(model, mu, data.y_test[sel]))


@st.cache_data(max_entries=64, show_spinner=False)
def use_denoise(m: ModelRef, d: DataRef, spec: str, n: int = USE_N, seed: int = 0) -> dict:
    """Mean PSNR of the noisy input and of the model's reconstruction of it (first n test images)."""
    data = d.data
    return uses.denoise(m.model, data.x_test[:n], data.y_test[:n], spec, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def use_noisy(d: DataRef, idx: tuple[int, ...], spec: str, seed: int = 0) -> np.ndarray:
    """Float (k, C, H, W) noisy copies of chosen test images (the same noise for every model)."""
    x = to_float(d.data.x_test[list(idx)])
    return corrupt(x, spec, torch.Generator().manual_seed(seed)).numpy()


@st.cache_data(max_entries=64, show_spinner=False)
def use_denoised(m: ModelRef, d: DataRef, idx: tuple[int, ...], spec: str, seed: int = 0) -> np.ndarray:
    """uint8 reconstructions of the noisy copies ``use_noisy`` makes."""
    noisy = torch.from_numpy(use_noisy(d, idx, spec, seed))
    with torch.inference_mode():
        return lat.to_uint8_images(m.model.reconstruct(noisy, d.data.y_test[list(idx)]))


def use_masks(mask: tuple, idx, shape: tuple[int, ...]) -> torch.Tensor:
    """(k, 1, H, W) masks (1 = known) of test images ``idx``: ("box", top, left, height, width), or
    ("random", fraction, seed) with each image's pixels drawn from a generator seeded by seed and its index."""
    h, w = shape[-2:]
    if mask[0] == "box":
        return uses.box_mask(h, w, *mask[1:]).expand(len(idx), 1, h, w)
    _, fraction, seed = mask
    return torch.cat([uses.random_mask(1, h, w, fraction, torch.Generator().manual_seed(seed * 1_000_003 + int(i)))
                      for i in idx])


@st.cache_data(max_entries=64, show_spinner=False)
def use_fill_scores(m: ModelRef, d: DataRef, mask: tuple, iters: int, n: int = USE_FILL_N) -> dict:
    """Masked-region MSE of the mean fill and of each iteration (first n test images)."""
    data = d.data
    n = min(n, len(data.x_test))
    masks = use_masks(mask, range(n), data.image_shape)
    return uses.fill_scores(m.model, data.x_test[:n], data.y_test[:n], masks, iters)


@st.cache_data(max_entries=64, show_spinner=False)
def use_fill_images(m: ModelRef, d: DataRef, idx: tuple[int, ...], mask: tuple, iters: int) -> dict:
    """uint8 images of chosen test images: the mean fill, the model's fill, and the masks (k, H, W)."""
    data = d.data
    x = to_float(data.x_test[list(idx)])
    masks = use_masks(mask, idx, data.image_shape)
    steps = uses.iterative_fill(m.model, x, masks, data.y_test[list(idx)], iters)
    return {"mean": lat.to_uint8_images(steps[0]), "filled": lat.to_uint8_images(steps[-1]),
            "mask": masks[:, 0].numpy()}


@st.cache_data(max_entries=32, show_spinner=False)
def use_anomaly(m: ModelRef, d: DataRef, n: int = USE_N, n_samples: int = 1) -> dict:
    """Per-image anomaly scores of the first n test images of a dataset (which may be another one
    than the model's): reconstruction MSE and, for a VAE, −ELBO."""
    data = d.data
    return uses.anomaly_scores(m.model, data.x_test[:n], data.y_test[:n], n_samples)


def _probe_data(d: DataRef, max_per_class: int, n_test: int):
    """(pool images, pool labels, test images, test labels, pool_from_test) for the few-label classifiers."""
    data = d.data
    pool, test, from_test = uses.probe_split(data.y_train.numpy(), data.y_test.numpy(), max_per_class, n_test)
    xs, ys = (data.x_test, data.y_test) if from_test else (data.x_train, data.y_train)
    return xs[pool], ys[pool], data.x_test[test], data.y_test[test], from_test


PROBE_PER_CLASS = (10, 100, 1000)  # labelled images per class of the few-label classifiers


def probe_pixel_work(d: DataRef, per_class: tuple[int, ...] = PROBE_PER_CLASS) -> int:
    """Images × pixels the raw-pixel classifiers train on, over the label budgets the pool can give
    (what ``ui.logic.waits.FeaturePace`` estimates the Features tab's wait from)."""
    data = d.data
    pool, _, from_test = uses.probe_split(data.y_train.numpy(), data.y_test.numpy(), max(per_class), 1)
    counts = np.bincount((data.y_test if from_test else data.y_train).numpy()[pool])
    counts = counts[counts > 0]
    images = sum(k * len(counts) for k in per_class if k <= counts.min())
    return images * int(np.prod(data.image_shape))


@st.cache_data(max_entries=32, show_spinner=False)
def use_probe(m: ModelRef | None, d: DataRef, per_class: tuple[int, ...] = PROBE_PER_CLASS,
              n_test: int = USE_PROBE_TEST) -> dict:
    """Few-label accuracy of a linear classifier on the model's μ (``m``) or on raw pixels (``m`` None):
    {"rows": [{"per_class", "n_train", "acc"}], "pool_from_test", "n_test"}."""
    x_pool, y_pool, x_te, y_te, from_test = _probe_data(d, max(per_class), n_test)
    if m is None:
        f_pool, f_te = uses.flat_pixels(x_pool), uses.flat_pixels(x_te)
    else:
        f_pool, f_te = (lat.encode_dataset(m.model, xs, ys, batch_size=ENCODE_BATCH, workers=CPU_WORKERS)[0]
                        for xs, ys in ((x_pool, y_pool), (x_te, y_te)))
    rows = uses.few_label_accuracies({"acc": (f_pool, f_te)}, y_pool.numpy(), y_te.numpy(), per_class)
    return {"rows": rows, "pool_from_test": from_test, "n_test": len(y_te)}


@st.cache_data(max_entries=16, show_spinner=False)
def use_augmentation(m: ModelRef, d: DataRef, real_per_class: int = 100, n_gen: int = 1000, seed: int = 0,
                     n_test: int = USE_PROBE_TEST) -> dict:
    """A linear classifier on pixels trained on ``real_per_class`` real images per class, with and
    without ``n_gen`` images a conditional model generates (classes in turn)."""
    x_pool, y_pool, x_te, y_te, from_test = _probe_data(d, real_per_class, n_test)
    model = m.model
    with torch.inference_mode():
        y_gen = torch.arange(n_gen) % model.config.num_classes
        x_gen = model.sample(n_gen, torch.Generator().manual_seed(seed), y_gen).cpu().flatten(1).numpy()
    res = uses.augmentation_accuracy(uses.flat_pixels(x_pool), y_pool.numpy(), x_gen, y_gen.numpy(),
                                     uses.flat_pixels(x_te), y_te.numpy())
    return {**res, "pool_from_test": from_test, "n_test": len(y_te)}
