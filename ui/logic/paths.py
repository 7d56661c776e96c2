"""Where the app finds things. Every folder can be moved with an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

from vae_core.data import DATA_ENV

CHECKPOINTS_ENV = "VAE_EXPLORER_CHECKPOINTS"
USER_MODELS_ENV = "VAE_EXPLORER_USER_MODELS"
CACHE_ENV = "VAE_EXPLORER_CACHE"
ROOT = Path(__file__).resolve().parents[2]  # the project folder (ui/logic/paths.py → ../../)


def checkpoints_dir() -> Path:
    """Shipped models (read-only)."""
    return Path(os.environ.get(CHECKPOINTS_ENV) or ROOT / "checkpoints")


def samples_dir() -> Path:
    """Shipped test samples: ``<checkpoints>/samples/<dataset>.npz``."""
    return checkpoints_dir() / "samples"


def user_models_dir() -> Path:
    """Models trained or uploaded in the app (git-ignored)."""
    return Path(os.environ.get(USER_MODELS_ENV) or ROOT / "user_models")


def cache_dir() -> Path:
    """On-disk cache of slow results (UMAP), git-ignored."""
    return Path(os.environ.get(CACHE_ENV) or ROOT / ".cache")


def default_data_dir() -> str:
    """``$VAE_EXPLORER_DATA``, else ``data``; set but empty or blank counts as unset (as in ``vae_core.data``)."""
    v = os.environ.get(DATA_ENV, "")
    return v if v.strip() else "data"
