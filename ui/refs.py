"""References to a checkpoint and a dataset, their cached loaders, and the one way keys are made.

A cached function (here, in ``ui.projections``, ``ui.shared_compute`` or a page's ``compute.py``) takes
*references* and plain parameters, never loaded objects:

- ``ModelRef(path, sha, kind)``: a checkpoint file and its content hash;
- ``DataRef(name, data_dir, mode, n_train, n_test)``: a dataset as the sidebar loaded it.

Streamlit hashes these frozen dataclasses by value, so a result's key is exactly what it was
computed from (a replaced file has a new sha; another data folder is another DataRef), and the
function resolves the references itself (``ref.model``, ``dref.data``) from the two loaders
here, which are keyed by path + mtime. Slow results (UMAP coordinates and UMAP-grid inverses) are
also kept on disk under ``.cache/``, named by ``disk_key`` of the same refs.

Models and projections use ``cache_resource`` (no copy per rerun; never mutated after caching),
arrays and tables ``cache_data``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from ui.i18n import spinning
from ui.logic import paths
from ui.threads import one_thread
from vae_core import latent as lat
from vae_core.data import DataError, Dataset, load_with_fallback
from vae_core.files import atomic_write, sha256_file
from vae_core.model_file import load_model_file


def mtime(path: str) -> float:
    return os.path.getmtime(path)


@spinning("shared.spin_load_model")
@st.cache_resource(max_entries=16, show_spinner=False)
def _checkpoint(path: str, file_mtime: float):  # mtime is part of the cache key
    # one onnxruntime thread per session for an imported model: the app's workers are single-threaded
    return load_model_file(path, "cpu", threads=1)


def checkpoint(path: str):
    """The loaded model file (model in eval mode), cached per path + mtime: a ``vae_core`` Checkpoint
    or an imported ``ImportedCheckpoint``. Callers ask its capabilities (``has_weights``,
    ``has_history``), never its type or suffix."""
    return _checkpoint(path, mtime(path))


@st.cache_data(max_entries=64, show_spinner=False)
def _sha(path: str, file_mtime: float) -> str:
    return sha256_file(path)[:16]


def sha(path: str) -> str:
    """Content hash of a checkpoint file: the key of everything computed from it."""
    return _sha(path, mtime(path))


@spinning("shared.spin_load_data")
@st.cache_resource(max_entries=6, show_spinner=False)
def _dataset(name: str, data_dir: str, samples_dir: str, stamp: tuple,
             shape: tuple[int, int, int] | None) -> tuple[Dataset, str]:
    channels, size = (shape[0], shape[1]) if shape else (None, None)
    return load_with_fallback(name, data_dir, samples_dir, image_size=size, channels=channels)


def stat(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def dataset(name: str, data_dir: str, shape: tuple[int, int, int] | None = None) -> tuple[Dataset, str]:
    """(Dataset, "full" | "sample"); raises DataError. Never downloads. ``shape`` (C, H, W): the
    models' (``folder:`` images are resized and converted to it, ``digits`` scaled; the other
    datasets have their own shape, so it is not part of their key); compare before use
    (``vae_core.data.check_compatible``)."""
    samples = paths.samples_dir()
    stamp = tuple(stat(p) for p in (Path(data_dir), samples))
    sized = shape is not None and shape[1] == shape[2] and (name == "digits" or name.startswith("folder:"))
    return _dataset(name, str(data_dir), str(samples), stamp, tuple(shape) if sized else None)


@dataclass(frozen=True)
class ModelRef:
    """A checkpoint as cached functions see it."""

    path: str
    sha: str  # content hash of the file
    kind: str

    @classmethod
    def of(cls, path: str, kind: str) -> "ModelRef":
        return cls(path, sha(path), kind)

    @property
    def checkpoint(self):
        return checkpoint(self.path)

    @property
    def model(self):
        return checkpoint(self.path).model

    @property
    def beta(self) -> float:
        tc = checkpoint(self.path).train_config
        return tc.beta if tc else 1.0


@dataclass(frozen=True)
class DataRef:
    """A dataset as the sidebar loaded it."""

    name: str
    data_dir: str
    mode: str  # full | sample
    n_train: int
    n_test: int
    shape: tuple[int, int, int] | None = None  # the image shape it was loaded at (C, H, W)

    @classmethod
    def of(cls, name: str, data_dir: str, shape: tuple[int, int, int] | None = None) -> "DataRef":
        data, mode = dataset(name, data_dir, shape)
        return cls(name, str(data_dir), mode, len(data.x_train), len(data.x_test), tuple(data.image_shape))

    @property
    def data(self) -> Dataset:
        return dataset(self.name, self.data_dir, self.shape)[0]


def disk_key(*parts) -> str:
    """A file-name-safe key for results kept on disk, from the same refs and parameters."""
    return hashlib.sha256(json.dumps(parts, default=repr).encode()).hexdigest()[:24]


def save_npz(f: Path, **arrays) -> None:
    """Keep arrays on disk (``vae_core.files.atomic_write``: a reader sees the old file or the new
    one). A full disk or a read-only checkout is no error: the cache is an optimisation only."""
    try:
        atomic_write(f, lambda out: np.savez(out, **arrays), error=DataError)
    except DataError:
        pass


def decode_one(m: ModelRef, z: np.ndarray, label: int | None = None) -> np.ndarray:
    """One latent → one uint8 image (H, W[, 3]). Not cached: a click decodes live, on one thread."""
    with one_thread():
        return lat.to_uint8_images(lat.decode_points(m.model, np.asarray(z, np.float32)[None], label))[0]
