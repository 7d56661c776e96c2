"""Generate's own cached computations: the shipped classifier that judges samples, CVAE grids and
accuracies, chosen images' latents, KL per dimension, traversals."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from ui.logic import paths
from ui.projections import latents
from ui.refs import DataRef, ModelRef, stat
from vae_core import classifier as clf
from vae_core import latent as lat
from vae_core.generate import confident_share, effective_classes, traversal_spreads, traversal_values, traverse
from vae_core.metrics import mean_kl_per_dim


@st.cache_resource(max_entries=8, show_spinner=False)
def classifier(dataset: str, folder_mtime: float = 0.0):
    """(SmallCNN, metadata) shipped for a dataset (checkpoints/classifiers/<name>.safetensors), or None."""
    f = paths.checkpoints_dir() / "classifiers" / f"{dataset}.safetensors"
    if not f.is_file():
        return None
    try:
        return clf.load(f)
    except clf.ClassifierError:
        return None


def judge(dataset: str):
    return classifier(dataset, stat(paths.checkpoints_dir() / "classifiers"))


@st.cache_data(max_entries=32, show_spinner=False)
def prior_confidence(m: ModelRef, dataset: str, n: int, seed: int, temperature: float) -> dict | None:
    """The holes number of a model's prior samples: the share a classifier trained on real images
    labels with confidence ≥ 0.9 (and the mean confidence); None without a classifier."""
    judged = judge(dataset)
    if judged is None:
        return None
    with torch.inference_mode():
        g = torch.Generator().manual_seed(seed)
        model = m.model
        y = (torch.arange(n) % model.config.num_classes) if model.conditional else None
        probs = clf.probabilities(judged[0], model.sample(n, g, y, temperature).cpu()).numpy()
    return {"share": confident_share(probs), "mean_conf": float(probs.max(1).mean()), "n": n,
            "classes": effective_classes(probs), "k": probs.shape[1]}


@st.cache_data(max_entries=16, show_spinner=False)
def style_content_grid(m: ModelRef, rows: int, seed: int, temperature: float) -> np.ndarray:
    """A CVAE's style-versus-content mosaic: row r decodes one z_r with every class (columns)."""
    model = m.model
    k = model.config.num_classes
    with torch.inference_mode():
        z = model.prior_draw(rows, torch.Generator().manual_seed(seed), temperature)  # (rows, d)
        zz = z.repeat_interleave(k, 0)  # row-major: z_0 with classes 0..k-1, then z_1, …
        y = torch.arange(k).repeat(rows).to(zz.device)
        return lat.tile(lat.to_uint8_images(model.decode(zz, y).cpu()), k, pad=2)


@st.cache_data(max_entries=16, show_spinner=False)
def class_accuracy(m: ModelRef, dataset: str, label: int, n: int, seed: int, temperature: float) -> float | None:
    """The share of a conditional model's samples of ``label`` that the classifier labels so."""
    judged = judge(dataset)
    if judged is None:
        return None
    with torch.inference_mode():
        imgs = m.model.sample(n, torch.Generator().manual_seed(seed), torch.full((n,), label), temperature).cpu()
        return float((clf.probabilities(judged[0], imgs).argmax(1) == label).float().mean())


@st.cache_data(max_entries=16, show_spinner=False)
def encode_indices(m: ModelRef, d: DataRef, idx: tuple[int, ...]) -> dict:
    """{"mu": (k, d), "logvar": (k, d) or None} of chosen test images."""
    data = d.data
    sel = torch.tensor(idx)
    mu, logvar = lat.encode_dataset(m.model, data.x_test[sel], data.y_test[sel])
    return {"mu": mu, "logvar": logvar}


@st.cache_data(max_entries=16, show_spinner=False)
def kl_per_dim(m: ModelRef, d: DataRef, n_max: int = 2000) -> list[float] | None:
    """Mean KL of each latent dimension over (up to n_max) test images; None for an AE."""
    if not m.model.variational:
        return None
    data = d.data
    return mean_kl_per_dim(m.model, data.x_test[:n_max], data.y_test[:n_max])


@st.cache_data(max_entries=16, show_spinner=False)
def traversal(m: ModelRef, d: DataRef, index: int, dims: tuple[int, ...], steps: int, span: float = 3.0) -> np.ndarray:
    """Rows of decoded images, one row per latent dimension swept over μ ± span in prior units (AE: its
    data range) with the others fixed at the image's own latent."""
    enc = encode_indices(m, d, (index,))
    mu, logvar = enc["mu"][0], None if enc["logvar"] is None else enc["logvar"][0]
    spreads = traversal_spreads(mu, logvar, latents(m, d, 2000)["mu"], span)
    z = np.concatenate([traverse(mu, j, traversal_values(mu[j], spreads[j], steps)) for j in dims])
    label = int(d.data.y_test[index]) if m.model.conditional else None
    return lat.tile(lat.to_uint8_images(lat.decode_points(m.model, z, label)), steps, pad=2)
