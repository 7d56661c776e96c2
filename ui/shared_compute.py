"""Cached computations several pages share (Reconstructions, AE vs VAE, Generate, Uses); a page's own ones
live in its ``compute.py``."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st
import torch

from ui import projections
from ui.i18n import Recent, T
from ui.logic import waits
from ui.refs import DataRef, ModelRef
from vae_core import latent as lat
from vae_core.data import Dataset, to_float
from vae_core.generate import posterior_draws
from vae_core.metrics import evaluate

METRIC_TEST_MAX = 1000  # images used for the comparison table (kept small: a table, not a benchmark)

METRIC_TRAIN_MAX = 5000  # train latents for the kNN accuracy

METRIC_NLL_K = 20


@st.cache_data(max_entries=32, show_spinner=False)
def reconstructions(m: ModelRef, d: DataRef, idx: tuple) -> np.ndarray:
    """uint8 reconstructions of the chosen test images."""
    data = d.data
    with torch.inference_mode():
        return lat.to_uint8_images(m.model.reconstruct(to_float(data.x_test[list(idx)]), data.y_test[list(idx)]))


METRICS = waits.MetricsPace()  # seconds each model's first metrics took in this process
_MEASURED = Recent()  # (model, data) of the latest metrics (cached: no spinner, no estimate)


def metrics(m: ModelRef, d: DataRef) -> dict:
    """evaluate() on the first METRIC_TEST_MAX test and METRIC_TRAIN_MAX train images, with a spinner
    that says how long a first evaluation of this model should take (``ui.logic.waits.MetricsPace``)."""
    if _MEASURED.seen((m, d)):
        return _metrics(m, d)
    first = not METRICS.known(m.sha)
    probe = projections.probe_encode(m, d) if first else None
    wait = METRICS.estimate(m.sha, m.model.variational, probe)
    t0 = time.perf_counter()
    with st.spinner(T["shared.spin_metrics_wait"].format(kind=m.kind.upper(), wait=waits.format_duration(wait, tx=T))):
        out = _metrics(m, d)
    if first:  # the model's first evaluation here (a later one may be a cache hit: it teaches nothing)
        METRICS.record(m.sha, time.perf_counter() - t0)
    _MEASURED.add((m, d))
    return out


@st.cache_data(max_entries=16, show_spinner=False)
def _metrics(m: ModelRef, d: DataRef) -> dict:
    data = d.data
    sub = Dataset(data.name, data.x_train[:METRIC_TRAIN_MAX], data.y_train[:METRIC_TRAIN_MAX],
                  data.x_test[:METRIC_TEST_MAX], data.y_test[:METRIC_TEST_MAX], data.classes)
    return evaluate(m.model, sub, "test", m.beta, nll_k=METRIC_NLL_K)


@st.cache_data(max_entries=32, show_spinner=False)
def prior_samples(m: ModelRef, n: int, seed: int, temperature: float = 1.0,
                  labels: tuple[int, ...] | None = None) -> np.ndarray:
    """n decoded prior draws z = T·ε (uint8); ``labels`` (one per image) for a conditional model."""
    with torch.inference_mode():
        g = torch.Generator().manual_seed(seed)
        y = None if labels is None else torch.tensor(labels)
        return lat.to_uint8_images(m.model.sample(n, g, y, temperature).cpu())


@st.cache_data(max_entries=16, show_spinner=False)
def interpolation(m: ModelRef, d: DataRef, a: int, b: int, steps: int, method: str, label: str = "mix") -> np.ndarray:
    """Decoded frames from test image a's latent to b's (uint8). A conditional model's label follows
    ``label``: ``mix`` goes from a's class to b's (a soft one-hot), ``a`` / ``b`` keep one class."""
    data = d.data
    with torch.inference_mode():
        z = m.model.latent(to_float(data.x_test[[a, b]]), data.y_test[[a, b]]).numpy()
    path = lat.interpolate(z[0], z[1], steps, method)
    y = None
    if m.model.conditional:
        y = lat.label_path(int(data.y_test[a]), int(data.y_test[b]), steps, m.model.label_width, label)
    return lat.to_uint8_images(lat.decode_points(m.model, path, y))


@st.cache_data(max_entries=16, show_spinner=False)
def posterior(m: ModelRef, d: DataRef, index: int, n: int, seed: int) -> dict:
    """One test image's posterior made visible: decoded μ, n decoded draws z = μ + σ·ε, the draws."""
    data = d.data
    mean_img, draws, z = posterior_draws(m.model, data.x_test[index:index + 1], data.y_test[index],
                                         n, torch.Generator().manual_seed(seed))
    return {"mean": lat.to_uint8_images(mean_img)[0], "draws": lat.to_uint8_images(draws), "z": z.numpy()}
