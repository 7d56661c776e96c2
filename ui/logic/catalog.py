"""The models the app can offer: shipped checkpoints and the user's own (trained or uploaded),
read from their header and metadata only (``vae_core.checkpoint.read_header`` runs nothing).
No Streamlit here.

A file is listed only when ``vae_core.checkpoint.check`` accepts it (every metadata field's type,
the configs, the image shapes, the tensor table; nothing loaded) and its dataset is one the app may read: a built-in name, or a
``folder:``/``npz:`` path inside the server's data folder (``data_root``). The metadata never
chooses what the app reads. Every other file is skipped with one line that names it.
Uploads, trained files, renames and deletes of the user's folder are here too."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ui.logic import paths
from ui.logic.text import T
from vae_core.checkpoint import PICKLE_SUFFIXES, CheckpointError, check, clean_stale_temps
from vae_core.data import DATASET_NAMES
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


# ------------------------------------------------------------------ what a file may name

PATH_PREFIXES = ("folder:", "npz:")
OUTSIDE = "outside"
UNKNOWN = "unknown"


def data_root() -> Path:
    """The server's data folder, resolved: the only place a folder:/npz: dataset may be."""
    return Path(paths.default_data_dir()).resolve()


def dataset_problem(dataset: object, root: Path) -> str | None:
    """None when the app may read this dataset: a built-in name, or a ``folder:``/``npz:`` path
    that resolves inside ``root``; else ``"outside"`` or ``"unknown"``. The metadata of a file
    never chooses what the app reads."""
    if not isinstance(dataset, str):
        return UNKNOWN
    if dataset in DATASET_NAMES:
        return None
    for prefix in PATH_PREFIXES:
        if dataset.startswith(prefix):
            rest = dataset[len(prefix):]
            try:
                inside = bool(rest) and Path(rest).resolve().is_relative_to(Path(root).resolve())
            except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
                inside = False
            return None if inside else OUTSIDE
    return UNKNOWN


def dataset_message(file: str, dataset: object, problem: str) -> str:
    key = "hard_ds_outside" if problem == OUTSIDE else "hard_ds_unknown"
    return T[key].format(file=file, dataset=dataset, names=", ".join(DATASET_NAMES))


# ------------------------------------------------------------------ one file → one row, or one line

def _check(file: str, meta: dict, root: Path) -> str:
    """The app's own rule on top of ``vae_core.checkpoint.check`` (which has checked every field's
    type, the configs, the image shapes and the tensor table): the file's dataset must be one the
    app may read. Returns the dataset name."""
    name = meta["dataset"].get("name")
    problem = dataset_problem(name, root)
    if problem:
        raise CheckpointError(dataset_message(file, name, problem))
    return name


def _one_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def describe(path: str, source: str, root: Path, file: str | None = None, mtime: float = 0.0) -> ModelEntry:
    """The catalog row of a file, from its header and metadata only (no weights are read); every
    field the pages use is checked, so a row never carries a field of the wrong type. Raises
    CheckpointError (one line naming ``file``, by default the file's name)."""
    file = file or Path(path).name
    try:
        meta, cfg = check(path)
        dataset = _check(file, meta, root)
    except CheckpointError as e:  # name the file as the user knows it (an upload's temp file is not)
        raise CheckpointError(_one_line(e).replace(Path(path).name, file)) from None
    return ModelEntry(
        path=path, name=Path(path).stem, source=source, kind=cfg.kind, backbone=cfg.backbone, dataset=dataset,
        latent_dim=cfg.latent_dim, image_shape=cfg.image_shape, epochs=len(meta["history"].get("epoch", [])),
        mtime=mtime, latent_size=cfg.latent_size,
    )


@functools.lru_cache(maxsize=512)
def _entry(path: str, mtime: float, size: int, source: str, root: str) -> ModelEntry:
    return describe(path, source, Path(root), mtime=mtime)


STALE_AFTER_S = 3600.0


def sweep(folder: Path, age: float = STALE_AFTER_S) -> list[str]:
    """Remove what an interrupted upload or save left in a user-model folder, older than ``age``
    seconds: the temp files (``vae_core.checkpoint.clean_stale_temps`` knows their names) and the
    empty name placeholders of ``claim``."""
    gone = [p.name for p in clean_stale_temps(folder, age)]
    now = time.time()
    for p in folder.glob("*.safetensors"):
        try:
            st = p.stat()
            if st.st_size == 0 and now - st.st_mtime > age:
                p.unlink()
                gone.append(p.name)
        except OSError:
            continue
    return gone


def scan(folders: list[tuple[Path, str]], root: Path | None = None) -> tuple[list[ModelEntry], list[str]]:
    """Every usable checkpoint in the folders (not recursive), and one line per file skipped.
    Empty files are names claimed by a save or an upload in progress (``claim``): not listed.
    The user's folders are swept of stale temp files first."""
    root = data_root() if root is None else Path(root)
    entries: list[ModelEntry] = []
    problems: list[str] = []
    for folder, source in folders:
        if not folder.is_dir():
            continue
        if source == YOURS:
            sweep(folder)
        for p in sorted(folder.glob("*.safetensors")):
            try:
                st = p.stat()
                if st.st_size == 0:
                    continue
                entries.append(_entry(str(p), st.st_mtime, st.st_size, source, str(root)))
            except CheckpointError as e:
                problems.append(str(e))
            except OSError as e:
                problems.append(f"{p.name}: {e.strerror or e}")
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
UPLOAD_TMP_SUFFIX = ".upload.tmp"
_UPLOAD_LOCK = threading.Lock()  # one server process: identical uploads at once find each other


class Accepted(NamedTuple):
    path: Path
    entry: ModelEntry
    existed: bool  # the same bytes were already there under this path; nothing was written


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def same_file(folder: Path, data: bytes) -> Path | None:
    """A checkpoint in ``folder`` with exactly these bytes (sha256), if any."""
    digest = hashlib.sha256(data).hexdigest()
    for p in sorted(folder.glob("*.safetensors")):
        try:
            if p.stat().st_size == len(data) and _sha256(p) == digest:
                return p
        except OSError:
            continue
    return None


def _names(stem: str, when: float | None):
    yield stem
    base = stem
    if when is not None:
        base = f"{stem}-{time.strftime('%Y%m%d-%H%M%S', time.localtime(when))}"
        yield base
    for k in range(2, 10_000):
        yield f"{base}-{k}"


def claim(folder: Path, stem: str, when: float | None = None, suffix: str = ".safetensors") -> Path:
    """Create ``folder/stem.suffix`` exclusively (O_CREAT | O_EXCL: two writers never get one name)
    and return it, empty: the caller then ``os.replace``-s its finished temp file onto it. A taken
    name gets ``-2``, ``-3``…; with ``when`` (a time) first ``stem-YYYYmmdd-HHMMSS``, then its ``-2``…"""
    folder.mkdir(parents=True, exist_ok=True)
    for cand in _names(stem, when):
        p = folder / f"{cand}{suffix}"
        try:
            fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        return p
    raise OSError(f"no free name for {stem} in {folder}")


def accept_upload(name: str, data: bytes, dest: Path, root: Path | None = None) -> Accepted:
    """Validate an uploaded checkpoint and keep it in ``dest``. The bytes go to a temp file in
    ``dest`` (unique per call), are checked like a catalog row (``describe``: metadata types,
    dataset inside the data folder, tensor table) and fully loaded by ``vae_core.checkpoint.load``
    (which never unpickles); then a free name is claimed (``claim``) and the temp file replaces
    it. The same bytes uploaded again are not copied: the file already there is returned
    (``existed``). Raises CheckpointError (one line naming ``name``)."""
    from ui.logic.clicks import safe_stem
    from vae_core.checkpoint import load

    root = data_root() if root is None else Path(root)
    suffix = Path(name).suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise CheckpointError(T["hard_upload_pickle"].format(file=name, suffix=suffix))
    if len(data) > MAX_UPLOAD_BYTES:
        raise CheckpointError(T["hard_upload_big"].format(file=name, mb=len(data) / 1e6, limit=MAX_UPLOAD_BYTES >> 20))
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=".", suffix=UPLOAD_TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            describe(tmp, YOURS, root, file=name)
            load(tmp)
        except CheckpointError as e:  # name the user's file, not the temp file
            raise CheckpointError(_one_line(e).replace(Path(tmp).name, name)) from None
        except (KeyError, TypeError, ValueError) as e:
            raise CheckpointError(T["hard_bad_meta"].format(file=name, err=_one_line(e))) from None
        with _UPLOAD_LOCK:
            out = same_file(dest, data)
            existed = out is not None
            if out is None:
                out = claim(dest, safe_stem(name))
                os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    st = out.stat()
    return Accepted(out, _entry(str(out), st.st_mtime, st.st_size, YOURS, str(root)), existed)


# ------------------------------------------------------------------ names, renames, deletes (user folder only)

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


class CatalogError(ValueError):
    """A rename or delete that is not allowed; the message is one line."""


def _clean(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-_")[:80] or "model"


def trained_stem(dataset: str, kind: str, backbone: str, latent_dim: int | None, epochs: int) -> str:
    """The name of a model trained in the app: ``digits-vae-conv-2d-5ep`` (a folder:/npz: dataset
    by its last path part; a feature-map latent as ``map``)."""
    for prefix in PATH_PREFIXES:
        if dataset.startswith(prefix):
            dataset = Path(dataset[len(prefix):]).stem or prefix[:-1]
    d = f"{latent_dim}d" if latent_dim else "map"
    return _clean(f"{dataset}-{kind}-{backbone}-{d}-{epochs}ep")


def own_file(folder: Path, path: str | Path) -> Path:
    """``path`` when it is a checkpoint file directly in ``folder`` (not a link); else CatalogError."""
    p = Path(path)
    ok = (p.suffix == ".safetensors" and not p.is_symlink() and p.is_file()
          and p.parent.resolve() == Path(folder).resolve())
    if not ok:
        raise CatalogError(T["hard_not_yours"].format(name=p.name))
    return p


def rename_target(folder: Path, new_name: str) -> Path:
    """The path a model renamed to ``new_name`` gets: a plain name (``.safetensors`` optional)
    directly in ``folder`` that does not exist yet; else CatalogError."""
    stem = (new_name or "").strip()
    if stem.lower().endswith(".safetensors"):
        stem = stem[: -len(".safetensors")]
    if not NAME_RE.fullmatch(stem):
        raise CatalogError(T["hard_name_bad"].format(name=new_name))
    target = Path(folder) / f"{stem}.safetensors"
    if target.parent.resolve() != Path(folder).resolve():
        raise CatalogError(T["hard_name_bad"].format(name=new_name))
    if os.path.lexists(target):
        raise CatalogError(T["hard_name_taken"].format(name=target.name))
    return target


def rename(folder: Path, path: str | Path, new_name: str) -> Path:
    """Rename a model of the user folder without ever overwriting: a hard link to the new name
    (fails when it exists), then the old name is removed."""
    src = own_file(folder, path)
    target = rename_target(folder, new_name)
    try:
        os.link(src, target)
    except FileExistsError:
        raise CatalogError(T["hard_name_taken"].format(name=target.name)) from None
    except OSError:  # no hard links on this file system: claim the name, then move onto it
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise CatalogError(T["hard_name_taken"].format(name=target.name)) from None
        os.close(fd)
        os.replace(src, target)
        return target
    os.unlink(src)
    return target


def delete(folder: Path, path: str | Path) -> None:
    """Delete a model of the user folder (never a shipped one)."""
    os.unlink(own_file(folder, path))
