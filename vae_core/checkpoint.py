"""Checkpoints: one ``.safetensors`` file whose metadata holds one JSON document.

Loading never unpickles anything: the header is read and checked by this module before
safetensors (a format with no code in it) reads the tensors. Pickle-based files
(``.pt/.pth/.ckpt``, or pickle/zip bytes under any name) are refused.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .config import ConfigError, ModelConfig, TrainConfig
from .errors import VaeCoreError
from .models import AE, build_model

FORMAT = "vae-explorer-checkpoint"
FORMAT_VERSION = 1
META_KEY = "vae_explorer"
MAX_HEADER = 100 << 20
PICKLE_SUFFIXES = {".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".bin"}
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


class CheckpointError(VaeCoreError, ValueError):
    """A file is not a checkpoint this library can load; the message is one line."""


@dataclass
class Checkpoint:
    model: AE
    model_config: ModelConfig
    train_config: TrainConfig | None
    meta: dict[str, Any] = field(default_factory=dict)  # the whole JSON document

    @property
    def dataset(self) -> str | None:
        return self.meta.get("dataset", {}).get("name")

    @property
    def metrics(self) -> dict:
        return self.meta.get("metrics") or {}

    @property
    def history(self) -> dict:
        return self.meta.get("history") or {}


def build_metadata(model: AE, train_config: TrainConfig | None = None, dataset: str | None = None,
                   history: dict | None = None, metrics: dict | None = None, extra: dict | None = None) -> dict:
    cfg = model.config
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": {**cfg.to_dict(), "num_params": sum(p.numel() for p in model.parameters())},
        "train": train_config.to_dict() if train_config else None,
        "dataset": {"name": dataset, "image_shape": list(cfg.image_shape)},
        "history": history or {},
        "metrics": metrics or {},
        **(extra or {}),
    }


def save(path: str | os.PathLike, model: AE, train_config: TrainConfig | None = None, dataset: str | None = None,
         history: dict | None = None, metrics: dict | None = None, extra: dict | None = None) -> Path:
    """Write atomically: a temp file in the same folder, then ``os.replace``."""
    from safetensors.torch import save_file

    path = Path(path)
    if path.suffix != ".safetensors":
        raise CheckpointError(f"{path.name}: checkpoint files end in .safetensors")
    meta = build_metadata(model, train_config, dataset, history, metrics, extra)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata={META_KEY: json.dumps(meta)})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _looks_pickled(head: bytes) -> str | None:
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5:
        return "a Python pickle"
    if head[:4] == b"PK\x03\x04":
        return "a zip archive (torch.save format)"
    return None


def read_header(path: str | os.PathLike) -> tuple[dict, dict]:
    """(tensor table, our JSON metadata) read from the safetensors header only; runs nothing."""
    path = Path(path)
    name = path.name
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise CheckpointError(f"{name}: {path.suffix} files are pickle-based and are never loaded here; "
                              "save the model as .safetensors (python -m vae_core train --out FILE.safetensors)")
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head8 = f.read(8)
            kind = _looks_pickled(head8)
            if kind:
                raise CheckpointError(f"{name}: this is {kind}, not a safetensors file; it was not loaded")
            if len(head8) < 8:
                raise CheckpointError(f"{name}: too short to be a safetensors file ({size} bytes)")
            (n,) = struct.unpack("<Q", head8)
            if n <= 1 or n > MAX_HEADER or 8 + n > size:
                raise CheckpointError(f"{name}: not a safetensors file (bad header length; truncated or another format)")
            raw = f.read(n)
    except OSError as e:
        raise CheckpointError(f"{name}: cannot read ({e.strerror or e})") from None
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{name}: not a safetensors file (the header is not JSON)") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{name}: not a safetensors file (the header is not a JSON object)")
    meta_raw = (header.pop("__metadata__", None) or {}).get(META_KEY)
    if meta_raw is None:
        raise CheckpointError(f"{name}: a safetensors file, but not one written by vae_core (no '{META_KEY}' metadata)")
    try:
        meta = json.loads(meta_raw)
    except (TypeError, json.JSONDecodeError):
        raise CheckpointError(f"{name}: its metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{name}: unknown metadata format")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{name}: format version {meta.get('format_version')!r} is not supported "
                              f"(this library reads version {FORMAT_VERSION})")
    end = 0
    for k, t in header.items():
        if not (isinstance(t, dict) and isinstance(t.get("shape"), list) and isinstance(t.get("data_offsets"), list)
                and len(t["data_offsets"]) == 2):
            raise CheckpointError(f"{name}: tensor {k!r} has a malformed entry")
        end = max(end, int(t["data_offsets"][1]))
    if 8 + n + end != size:
        raise CheckpointError(f"{name}: the file is {size} bytes but its header describes "
                              f"{8 + n + end} (truncated or padded)")
    return header, meta


def info(path: str | os.PathLike) -> dict:
    """The metadata, without building a model or reading tensors."""
    header, meta = read_header(path)
    return {**meta, "tensors": len(header), "file_bytes": Path(path).stat().st_size}


def load(path: str | os.PathLike, device: str | torch.device = "cpu") -> Checkpoint:
    """Check everything, then build the model and load its weights (eval mode)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    name = path.name
    header, meta = read_header(path)
    try:
        mcfg = ModelConfig.from_dict({k: v for k, v in (meta.get("model") or {}).items() if k != "num_params"})
        tcfg = TrainConfig.from_dict(meta["train"]) if meta.get("train") else None
    except ConfigError as e:
        raise CheckpointError(f"{name}: bad config in metadata: {e}") from None
    model = build_model(mcfg)
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(t["shape"]) for k, t in header.items()}
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        what = f"missing {missing[:3]}" if missing else f"unexpected {extra[:3]}"
        raise CheckpointError(f"{name}: tensors do not match the {mcfg.kind}/{mcfg.backbone} config ({what})")
    for k, shape in expected.items():
        if found[k] != shape:
            raise CheckpointError(f"{name}: tensor {k} has shape {list(found[k])}, the config needs {list(shape)}")
        if header[k].get("dtype") not in DTYPES:
            raise CheckpointError(f"{name}: tensor {k} has dtype {header[k].get('dtype')}, expected a float type")
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{name}: cannot read tensors ({str(e).splitlines()[0]})") from None
    state = {k: v.float() for k, v in tensors.items()}
    if not all(torch.isfinite(v).all() for v in state.values()):
        raise CheckpointError(f"{name}: some weights are NaN or infinite")
    model.load_state_dict(state, strict=True)
    model.to(device).eval()
    return Checkpoint(model, mcfg, tcfg, meta)
