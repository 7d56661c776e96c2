"""Concepts' cached computations. They take only plain hashable parameters (toy-data kind, n, noise,
seed, …), never a ModelRef or a DataRef, so their keys are exactly what they compute from and no
checkpoint or dataset can go stale under them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages.concepts import logic as C
from vae_core.models import build_model, reference_config
from vae_core.summary import format_table, layer_table


@st.cache_data(max_entries=8, show_spinner=False)
def fits(kind: str, n: int, noise: float, seed: int):
    """Toy data and the two labelled models: logistic regression p(y|x) and the class Gaussians p(x|y)."""
    X, y = C.toy_data(kind, n, noise, seed)
    return X, y, C.fit_logistic(X, y, seed), C.fit_class_gaussians(X, y)


@st.cache_data(max_entries=8, show_spinner=False)
def gmm(kind: str, n: int, noise: float, seed: int, n_components: int):
    X, _ = C.toy_data(kind, n, noise, seed)
    return C.fit_gmm(X, n_components, seed)


@st.cache_data(max_entries=4, show_spinner=False)
def lvm_density(sigma: float) -> tuple[C.Grid, np.ndarray]:
    grid = C.Grid(np.linspace(-3.4, 3.4, 110), np.linspace(-2.0, 2.0, 66))
    return grid, np.exp(C.lvm_log_marginal(grid.points, sigma, C.lvm_z_grid(801)))


@st.cache_data(show_spinner=False)
def reference_ae() -> dict:
    """The reference conv AE for 3×32×32: its layer table and the numbers per image after each layer."""
    cfg = reference_config()
    model = build_model(cfg)
    rows = layer_table(model, cfg.image_shape)
    sizes = [int(np.prod(r.output_shape[1:])) for r in rows]
    return {"table": format_table(rows, model), "names": [r.name for r in rows],
            "sizes": [int(np.prod(cfg.image_shape))] + sizes, "latent": int(np.prod(model.latent_shape)),
            "params": sum(p.numel() for p in model.parameters()), "layers": len(rows)}
