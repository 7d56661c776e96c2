"""The user's own model files: an upload checked and kept, a free name claimed for a new file, a
rename, a delete — only ever inside the user's folder. No Streamlit here; refusals are worded by the
page (``catalog.refusal``)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

from ui.logic.catalog import (
    PATH_PREFIXES,
    YOURS,
    ModelEntry,
    cached_entry,
    data_root,
    describe,
    one_line,
    refusal,
    renamed,
)
from vae_core.checkpoint import PICKLE_SUFFIXES, CheckpointError, load
from vae_core.errors import write_error

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
    root = data_root() if root is None else Path(root)
    suffix = Path(name).suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise refusal(CheckpointError, "models.upload_pickle", file=name, suffix=suffix)
    if len(data) > MAX_UPLOAD_BYTES:
        raise refusal(CheckpointError, "models.upload_big", file=name, mb=len(data) / 1e6, limit=MAX_UPLOAD_BYTES >> 20)
    dest = Path(dest)
    try:  # a full disk or a read-only folder: one line ("disk full" / "read-only"), the files there untouched
        dest.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest, prefix=".", suffix=UPLOAD_TMP_SUFFIX)
    except OSError as e:
        raise write_error(dest, e) from None
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except OSError as e:
            raise write_error(dest, e) from None
        try:
            describe(tmp, YOURS, root, file=name)
            load(tmp)
        except CheckpointError as e:  # name the user's file, not the temp file
            if getattr(e, "text_key", None):
                raise
            raise renamed(e, Path(tmp).name, name) from None
        except (KeyError, TypeError, ValueError) as e:
            raise refusal(CheckpointError, "shared.bad_meta", file=name, err=one_line(e)) from None
        with _UPLOAD_LOCK:
            out = same_file(dest, data)
            existed = out is not None
            if out is None:
                try:
                    out = claim(dest, safe_stem(name))
                    os.replace(tmp, out)
                except OSError as e:
                    if out is not None and out.exists() and out.stat().st_size == 0:
                        out.unlink(missing_ok=True)  # the empty placeholder that claim made
                    raise write_error(dest, e) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    st = out.stat()
    return Accepted(out, cached_entry(str(out), st.st_mtime, st.st_size, YOURS, str(root)), existed)


# ------------------------------------------------------------------ names, renames, deletes (user folder only)

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


class CatalogError(ValueError):
    """A rename or delete that is not allowed; the message is one line."""


def safe_stem(name: str) -> str:
    """A file stem that is safe on every OS: letters, digits, ``-``, ``_``, ``.``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).stem).strip(".-_")
    return stem[:80] or "model"


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
        raise refusal(CatalogError, "models.not_yours", name=p.name)
    return p


def rename_target(folder: Path, new_name: str) -> Path:
    """The path a model renamed to ``new_name`` gets: a plain name (``.safetensors`` optional)
    directly in ``folder`` that does not exist yet; else CatalogError."""
    stem = (new_name or "").strip()
    if stem.lower().endswith(".safetensors"):
        stem = stem[: -len(".safetensors")]
    if not NAME_RE.fullmatch(stem):
        raise refusal(CatalogError, "models.name_bad", name=new_name)
    target = Path(folder) / f"{stem}.safetensors"
    if target.parent.resolve() != Path(folder).resolve():
        raise refusal(CatalogError, "models.name_bad", name=new_name)
    if os.path.lexists(target):
        raise refusal(CatalogError, "models.name_taken", name=target.name)
    return target


def rename(folder: Path, path: str | Path, new_name: str) -> Path:
    """Rename a model of the user folder without ever overwriting: a hard link to the new name
    (fails when it exists), then the old name is removed."""
    src = own_file(folder, path)
    target = rename_target(folder, new_name)
    try:
        os.link(src, target)
    except FileExistsError:
        raise refusal(CatalogError, "models.name_taken", name=target.name) from None
    except OSError:  # no hard links on this file system: claim the name, then move onto it
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise refusal(CatalogError, "models.name_taken", name=target.name) from None
        os.close(fd)
        os.replace(src, target)
        return target
    os.unlink(src)
    return target


def delete(folder: Path, path: str | Path) -> None:
    """Delete a model of the user folder (never a shipped one)."""
    os.unlink(own_file(folder, path))
