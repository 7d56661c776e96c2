"""One loader for every model file, by its suffix:

    .safetensors  a model trained here        → vae_core.checkpoint.Checkpoint
    .zip          an imported (or exported) ONNX encoder/decoder pair → vae_core.onnx_file.ImportedCheckpoint

Both give ``model`` (the verbs of vae_core.models), ``model_config`` (kind, image_shape,
latent_size, recon_loss, num_classes, backbone), ``train_config`` (None when imported), ``meta``,
``dataset``, ``metrics``, ``history`` (empty when imported) and the capabilities ``source``
("vae_core" | "onnx"), ``has_weights`` and ``has_history``. Callers ask those, not the suffix.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

SUFFIXES = (".safetensors", ".zip")


def is_imported(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() == ".zip"


def _refuse_bare_onnx(path: Path) -> None:
    from .onnx_model import ImportCheckError

    if path.suffix.lower() == ".onnx":
        raise ImportCheckError(f"{path.name}: a single ONNX graph; import the encoder and the decoder together with "
                               "python -m vae_core import-onnx ENCODER.onnx DECODER.onnx --dataset NAME --out FILE.zip")


def load_model_file(path: str | os.PathLike, device: str | torch.device = "cpu", threads: int = 1):
    """Check and load a model file (every check first; see the two loaders). ``threads``: onnxruntime's
    intra-op threads per session for an imported model (1 suits the app's single-threaded workers)."""
    path = Path(path)
    _refuse_bare_onnx(path)
    if is_imported(path):
        from .onnx_file import load_zip

        return load_zip(path, device, threads)
    from .checkpoint import load

    return load(path, device)


def check_model_file(path: str | os.PathLike) -> tuple[dict, object]:
    """(metadata, model config) after every check the loader makes (for an imported model that
    includes onnxruntime's trial run), for listing files: a file that fails is never listed."""
    path = Path(path)
    _refuse_bare_onnx(path)
    if is_imported(path):
        from .onnx_file import load_zip

        ck = load_zip(path)
        return ck.meta, ck.model_config
    from .checkpoint import check

    return check(path)


def model_file_info(path: str | os.PathLike) -> dict:
    """The metadata and ``file_bytes`` without running anything from the file."""
    path = Path(path)
    _refuse_bare_onnx(path)
    if is_imported(path):
        from .onnx_file import zip_info

        return zip_info(path)
    from .checkpoint import info

    return info(path)
