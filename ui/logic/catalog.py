"""The models the app can offer: shipped checkpoints and the user's own (trained or uploaded),
read from their metadata only (``vae_core.checkpoint.info`` runs nothing). No Streamlit here."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ui.logic.text import T
from vae_core.checkpoint import CheckpointError, info
from vae_core.config import ConfigError, ModelConfig
from vae_core.kinds import KIND_NAMES

SHIPPED = "shipped"
YOURS = "yours"
PREFERRED_DATASET = "mnist"
FALLBACK_DATASET = "digits"  # no models at all: the one dataset that always loads (and trains) offline


@dataclass(frozen=True)
class ModelEntry:
    path: str
    name: str  # file stem
    source: str  # shipped | yours
    kind: str  # ae | vae | cvae (vae_core.kinds)
    backbone: str
    dataset: str
    latent_dim: int | None
    image_shape: tuple[int, ...]
    epochs: int
    mtime: float

    latent_size: int  # numbers in one latent, from the config (the reference AE: 96×2×2 = 384)

    def label(self) -> str:
        d = T["sb_model_dim"].format(d=self.latent_dim) if self.latent_dim else T["sb_model_map"]
        return T["sb_model_label"].format(name=self.name, d=d, source=T[f"source_{self.source}"])


@functools.lru_cache(maxsize=512)
def _entry(path: str, mtime: float, size: int, source: str) -> ModelEntry:
    """The catalog row of a file, from its metadata only; the model config is validated
    (``ModelConfig.from_dict``), so a row never carries a field of the wrong type."""
    meta = info(path)
    m, ds, hist = meta.get("model"), meta.get("dataset"), meta.get("history")
    if not (isinstance(m, dict) and isinstance(ds, dict) and isinstance(hist, dict)):
        raise CheckpointError(f"{Path(path).name}: malformed metadata (model, dataset and history must be objects)")
    try:
        cfg = ModelConfig.from_dict({k: v for k, v in m.items() if k != "num_params"})
    except ConfigError as e:
        raise CheckpointError(f"{Path(path).name}: bad config in metadata: {e}") from None
    epochs = hist.get("epoch", [])
    return ModelEntry(
        path=path, name=Path(path).stem, source=source, kind=cfg.kind, backbone=cfg.backbone,
        dataset=str(ds.get("name")), latent_dim=cfg.latent_dim, image_shape=cfg.image_shape,
        epochs=len(epochs) if isinstance(epochs, list) else 0, mtime=mtime, latent_size=cfg.latent_size,
    )


def scan(folders: list[tuple[Path, str]]) -> tuple[list[ModelEntry], list[str]]:
    """Every readable checkpoint in the folders (not recursive), and one line per unreadable file."""
    entries: list[ModelEntry] = []
    problems: list[str] = []
    for folder, source in folders:
        if not folder.is_dir():
            continue
        for p in sorted(folder.glob("*.safetensors")):
            try:
                st = p.stat()
                entries.append(_entry(str(p), st.st_mtime, st.st_size, source))
            except (CheckpointError, OSError) as e:
                problems.append(str(e))
    return entries, problems


def datasets_of(entries: list[ModelEntry]) -> list[str]:
    seen: list[str] = []
    for e in entries:
        if e.dataset not in seen:
            seen.append(e.dataset)
    return seen


def for_dataset(entries: list[ModelEntry], dataset: str, kind: str) -> list[ModelEntry]:
    """Models of one kind trained on a dataset: shipped first, then 2-D latents, then small latents."""
    sel = [e for e in entries if e.dataset == dataset and e.kind == kind]
    return sorted(sel, key=lambda e: (e.source != SHIPPED, e.latent_dim != 2, e.latent_dim or 10**6, e.name))


def default_dataset(entries: list[ModelEntry]) -> str:
    """MNIST when it has models, else the first dataset with both an AE and a VAE, else any, else digits."""
    names = datasets_of(entries)
    if PREFERRED_DATASET in names:
        return PREFERRED_DATASET
    for n in names:
        if for_dataset(entries, n, "ae") and for_dataset(entries, n, "vae"):
            return n
    return names[0] if names else FALLBACK_DATASET


def default_models(entries: list[ModelEntry], dataset: str) -> dict[str, str]:
    """kind → path of the model each slot starts on: for every kind the first of ``for_dataset``,
    except that the AE and VAE form a pair with the same latent size and source (2-D first),
    and the other kinds follow that latent size where they can."""
    out: dict[str, str] = {}
    aes, vaes = for_dataset(entries, dataset, "ae"), for_dataset(entries, dataset, "vae")
    pair = next(((a, v) for a in aes for v in vaes if a.latent_dim == v.latent_dim and a.source == v.source), None)
    if pair:
        out["ae"], out["vae"] = pair[0].path, pair[1].path
    size = pair[0].latent_dim if pair else None
    for kind in KIND_NAMES:
        options = for_dataset(entries, dataset, kind)
        if kind not in out and options:
            same = [e for e in options if e.latent_dim == size]
            out[kind] = (same or options)[0].path
    return out


def default_pair(entries: list[ModelEntry], dataset: str) -> tuple[str | None, str | None]:
    """(AE path, VAE path) for a dataset, preferring a pair with the same latent size (2-D first)."""
    d = default_models(entries, dataset)
    return d.get("ae"), d.get("vae")


MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def accept_upload(name: str, data: bytes, dest: Path) -> tuple[Path, ModelEntry]:
    """Validate an uploaded checkpoint and copy it into ``dest`` under a name that does not
    overwrite anything. The bytes are written to a temp file first and fully loaded by
    ``vae_core.checkpoint.load`` (which never unpickles); raises CheckpointError (one line)."""
    import os
    import tempfile

    from ui.logic.clicks import safe_stem, unique_path
    from vae_core.checkpoint import load

    if len(data) > MAX_UPLOAD_BYTES:
        raise CheckpointError(f"{name}: {len(data) / 1e6:.0f} MB is over the {MAX_UPLOAD_BYTES >> 20} MB limit")
    suffix = Path(name).suffix.lower() or ".bin"
    fd, tmp = tempfile.mkstemp(prefix="upload-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            load(tmp)
        except CheckpointError as e:  # name the user's file, not the temp file
            raise CheckpointError(str(e).replace(Path(tmp).name, name)) from None
        dest.mkdir(parents=True, exist_ok=True)
        out = unique_path(dest, safe_stem(name))
        part = out.with_name(f".{out.stem}.upload.tmp")
        part.write_bytes(data)
        os.replace(part, out)
    finally:
        os.unlink(tmp)
    st = out.stat()
    return out, _entry(str(out), st.st_mtime, st.st_size, YOURS)
