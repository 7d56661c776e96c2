"""Shared fixtures: tiny checkpoints trained on digits (seconds), and environment for the app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `ui` and `vae_core` importable however pytest is started
    sys.path.insert(0, str(ROOT))


def _train(out: Path, kind: str, latent_dim: int | None = 2, epochs: int = 1) -> Path:
    import torch

    from vae_core.checkpoint import save
    from vae_core.config import ModelConfig, TrainConfig
    from vae_core.data import load_dataset
    from vae_core.metrics import evaluate
    from vae_core.models import build_model
    from vae_core.train import fit

    torch.set_num_threads(1)  # a busy 2-core runner makes 2 spinning threads much slower than 1
    data = load_dataset("digits")
    mcfg = ModelConfig(kind=kind, backbone="conv", in_channels=1, image_size=28, latent_dim=latent_dim)
    tcfg = TrainConfig(dataset="digits", epochs=epochs, batch_size=64, lr=2e-3, seed=0, device="cpu")
    model = build_model(mcfg, seed=0)
    hist = fit(model, data, tcfg)
    metrics = evaluate(model, data, "test", tcfg.beta, nll_k=5)
    return save(out, model, tcfg, "digits", hist.to_dict(), metrics)


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory) -> Path:
    """A folder with a digits AE and VAE (conv, latent 2, one epoch): digits-ae-2d / digits-vae-2d."""
    d = tmp_path_factory.mktemp("checkpoints")
    _train(d / "digits-ae-2d.safetensors", "ae")
    _train(d / "digits-vae-2d.safetensors", "vae")
    return d


@pytest.fixture()
def app_env(tiny_checkpoints, tmp_path, monkeypatch) -> dict:
    """Environment for an AppTest: fixture checkpoints, an empty data dir, a fresh user-models dir."""
    env = {
        "VAE_EXPLORER_CHECKPOINTS": str(tiny_checkpoints),
        "VAE_EXPLORER_DATA": str(tmp_path / "data"),
        "VAE_EXPLORER_USER_MODELS": str(tmp_path / "user_models"),
        "VAE_EXPLORER_CACHE": str(tmp_path / "cache"),
    }
    (tmp_path / "data").mkdir()
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def require_e2e() -> bool:
    return os.environ.get("REQUIRE_E2E") == "1"
