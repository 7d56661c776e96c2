"""Cached loaders and computations. Models are cached by file path + mtime
(``st.cache_resource``); latents, projections, grids and metrics by the checkpoint's content
hash + dataset + method + parameters, so a rerun never recomputes them. UMAP coordinates and
UMAP-grid inverses are also kept on disk under ``.cache/`` so a restart does not refit."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from vae_core import checkpoint as ckpt
from vae_core import latent as lat
from vae_core.data import Dataset, load_with_fallback, to_float
from vae_core.metrics import evaluate, reconstruction_errors

from . import paths
from .text import T

METRIC_TEST_MAX = 1000  # images used for the comparison table (kept small: a table, not a benchmark)
METRIC_TRAIN_MAX = 5000  # train latents for the kNN accuracy
METRIC_NLL_K = 20


# ------------------------------------------------------------------ files and data

def mtime(path: str) -> float:
    return os.path.getmtime(path)


@st.cache_resource(max_entries=16, show_spinner=T["spin_load_model"])
def _checkpoint(path: str, file_mtime: float) -> ckpt.Checkpoint:  # mtime is part of the cache key
    return ckpt.load(path)


def checkpoint(path: str) -> ckpt.Checkpoint:
    """The loaded checkpoint (model in eval mode); cached per path + mtime."""
    return _checkpoint(path, mtime(path))


@st.cache_data(max_entries=64, show_spinner=False)
def _sha(path: str, file_mtime: float) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def sha(path: str) -> str:
    """Content hash of a checkpoint file: the key of everything computed from it."""
    return _sha(path, mtime(path))


@st.cache_resource(max_entries=6, show_spinner=T["spin_load_data"])
def _dataset(name: str, data_dir: str, samples_dir: str, stamp: tuple) -> tuple[Dataset, str]:
    return load_with_fallback(name, data_dir, samples_dir)


def dataset(name: str, data_dir: str) -> tuple[Dataset, str]:
    """(Dataset, "full" | "sample"); raises DataError. Never downloads."""
    samples = paths.samples_dir()
    stamp = tuple(_stat(p) for p in (Path(data_dir), samples))
    return _dataset(name, str(data_dir), str(samples), stamp)


def _stat(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def data_key(data: Dataset, mode: str) -> str:
    return f"{data.name}:{mode}:{len(data.x_train)}:{len(data.x_test)}"


# ------------------------------------------------------------------ latents and projections

@st.cache_data(max_entries=32, show_spinner=T["spin_encode"])
def latents(_model, model_sha: str, dkey: str, _x: torch.Tensor, n_max: int | None) -> dict:
    """{"idx": test indices used, "mu": (N, d), "logvar": (N, d) or None}."""
    from .logic import sample_indices

    idx = sample_indices(len(_x), n_max)
    mu, logvar = lat.encode_dataset(_model, _x[torch.from_numpy(idx)])
    return {"idx": idx, "mu": mu, "logvar": logvar}


def _disk_key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:24]


@st.cache_resource(max_entries=32, show_spinner=T["spin_project"])
def projection(_z: np.ndarray, model_sha: str, dkey: str, n_max: int | None, method: str,
               reproducible: bool = False, need_inverse: bool = False) -> lat.Projection:
    """A 2-D projection of the latents. UMAP coordinates come from the disk cache when there
    (their inverse map then needs a refit, asked for with ``need_inverse``)."""
    if method == "tsne":
        from threadpoolctl import threadpool_limits

        # OpenMP threads that spin while waiting make t-SNE 20x slower on a busy 2-core box
        with threadpool_limits(limits=max(1, (os.cpu_count() or 1) // 2)):
            return lat.fit_projection(_z, method)
    if method != "umap":
        return lat.fit_projection(_z, method)
    f = paths.cache_dir() / f"umap-{_disk_key(model_sha, dkey, n_max, reproducible)}.npz"
    if f.is_file() and not need_inverse:
        with np.load(f, allow_pickle=False) as z:
            return lat.Projection("umap", z["coords"], {"reproducible": reproducible})
    proj = lat.fit_projection(_z, "umap", reproducible=reproducible)
    _save_npz(f, coords=proj.coords)
    return proj


def _save_npz(f: Path, **arrays) -> None:
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f".{f.stem}.tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, f)
    except OSError:  # a read-only checkout: the cache is an optimisation only
        pass


@st.cache_resource(max_entries=16, show_spinner=T["spin_grid_inverse"])
def grid_latents(_proj: lat.Projection, model_sha: str, dkey: str, n_max: int | None, method: str,
                 n: int, bounds: tuple) -> np.ndarray:
    """(n*n, d) latents of the grid's cell centres, inverted once per (grid, range)."""
    pts = lat.grid_points(bounds, n)
    if method != "umap":
        return _proj.inverse(pts)
    f = paths.cache_dir() / f"umapgrid-{_disk_key(model_sha, dkey, n_max, n, bounds)}.npz"
    if f.is_file():
        with np.load(f, allow_pickle=False) as z:
            return z["latents"]
    z = _proj.inverse(pts)
    _save_npz(f, latents=z)
    return z


@st.cache_data(max_entries=16, show_spinner=T["spin_decode_grid"])
def grid_mosaic(_model, model_sha: str, _z: np.ndarray, key: tuple) -> np.ndarray:
    """The decoded grid as one uint8 mosaic, decoded in one batch. ``key`` names _z."""
    n = int(round(len(_z) ** 0.5))
    return lat.tile(lat.to_uint8_images(lat.decode_points(_model, _z)), n)


def decode_one(model, z: np.ndarray) -> np.ndarray:
    """One latent → one uint8 image (H, W[, 3])."""
    return lat.to_uint8_images(lat.decode_points(model, np.asarray(z, np.float32)[None]))[0]


# ------------------------------------------------------------------ reconstructions and metrics

@st.cache_data(max_entries=16, show_spinner=T["spin_errors"])
def recon_errors(_model, model_sha: str, dkey: str, _x: torch.Tensor) -> np.ndarray:
    return reconstruction_errors(_model, _x).numpy()


@st.cache_data(max_entries=32, show_spinner=False)
def reconstructions(_model, model_sha: str, dkey: str, _x: torch.Tensor, idx: tuple) -> np.ndarray:
    """uint8 reconstructions of the chosen test images."""
    with torch.inference_mode():
        x = to_float(_x[list(idx)])
        return lat.to_uint8_images(_model.reconstruct(x))


@st.cache_data(max_entries=16, show_spinner=T["spin_metrics"])
def metrics(_model, model_sha: str, dkey: str, _data: Dataset, beta: float) -> dict:
    """evaluate() on the first METRIC_TEST_MAX test and METRIC_TRAIN_MAX train images."""
    sub = Dataset(_data.name, _data.x_train[:METRIC_TRAIN_MAX], _data.y_train[:METRIC_TRAIN_MAX],
                  _data.x_test[:METRIC_TEST_MAX], _data.y_test[:METRIC_TEST_MAX], _data.classes)
    return evaluate(_model, sub, "test", beta, nll_k=METRIC_NLL_K)


@st.cache_data(max_entries=16, show_spinner=False)
def prior_samples(_model, model_sha: str, n: int, seed: int) -> np.ndarray:
    with torch.inference_mode():
        g = torch.Generator().manual_seed(seed)
        return lat.to_uint8_images(_model.sample(n, g).cpu())


@st.cache_data(max_entries=16, show_spinner=False)
def interpolation(_model, model_sha: str, dkey: str, _x: torch.Tensor, a: int, b: int, steps: int,
                  method: str) -> np.ndarray:
    with torch.inference_mode():
        z = _model.latent(to_float(_x[[a, b]])).numpy()
    path = lat.interpolate(z[0], z[1], steps, method)
    return lat.to_uint8_images(lat.decode_points(_model, path))


@st.cache_data(max_entries=16, show_spinner=False)
def layer_table(path: str, file_mtime: float) -> str:
    from vae_core.summary import format_table, layer_table as rows

    model = checkpoint(path).model
    return format_table(rows(model, model.config.image_shape), model)
