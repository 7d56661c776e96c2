"""The user's own model files: an upload checked and kept, a free name claimed for a new file, a
rename, a delete — only ever inside the user's folder. No Streamlit here; refusals are worded by the
page (``catalog.refusal``)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from ui.logic.catalog import (
    PATH_PREFIXES,
    UPLOAD_DIR_PREFIX,
    YOURS,
    ModelEntry,
    cached_entry,
    data_root,
    describe,
    model_files,
    one_line,
    refusal,
    renamed,
    roots_of,
)
from vae_core.checkpoint import PICKLE_SUFFIXES, CheckpointError
from vae_core.errors import write_error
from vae_core.files import sha256_file
from vae_core.model_file import SUFFIXES as MODEL_SUFFIXES
from vae_core.model_file import load_model_file

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_TMP_SUFFIX = ".upload.tmp"
_UPLOAD_LOCK = threading.Lock()  # one server process: identical uploads at once find each other


class Accepted(NamedTuple):
    path: Path
    entry: ModelEntry
    existed: bool  # the same bytes were already there under this path; nothing was written


def same_file(folder: Path, data: bytes) -> Path | None:
    """A model file in ``folder`` with exactly these bytes (sha256), if any."""
    digest = hashlib.sha256(data).hexdigest()
    for p in model_files(folder):
        try:
            if p.stat().st_size == len(data) and sha256_file(p) == digest:
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


@contextmanager
def _private_dir(dest: Path):
    """A fresh folder ``.upload-XXXX`` inside ``dest`` (same file system: the finished file is
    ``os.replace``-d out of it), removed afterwards; ``catalog.sweep`` removes one a crash left."""
    dest = Path(dest)
    try:  # a full disk or a read-only folder: one line ("disk full" / "read-only"), the files there untouched
        dest.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=dest, prefix=UPLOAD_DIR_PREFIX))
    except OSError as e:
        raise write_error(dest, e) from None
    try:
        yield tmp
    except OSError as e:  # writing the upload into the private folder
        raise write_error(dest, e) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _keep(tmp: Path, data: bytes, dest: Path, name: str, suffix: str, root: Path) -> Accepted:
    """Move the checked file ``tmp`` onto a freshly claimed name in ``dest`` (or find the same bytes there)."""
    with _UPLOAD_LOCK:
        out = same_file(dest, data)
        existed = out is not None
        if out is None:
            try:
                out = claim(dest, safe_stem(name), suffix=suffix)
                os.replace(tmp, out)
            except OSError as e:
                if out is not None and out.exists() and out.stat().st_size == 0:
                    out.unlink(missing_ok=True)  # the empty placeholder that claim made
                raise write_error(dest, e) from None
    st = out.stat()
    return Accepted(out, cached_entry(str(out), st.st_mtime, st.st_size, YOURS, root), existed)


def _check_upload(path: Path, name: str, root: Path) -> None:
    """Every check a listed file passes (``describe``), then a full load (never unpickles)."""
    try:
        describe(str(path), YOURS, root, file=name)
        load_model_file(path, "cpu", threads=1)
    except CheckpointError as e:  # name the user's file, not the temp file
        if getattr(e, "text_key", None):
            raise
        raise renamed(e, path.name, name) from None
    except (KeyError, TypeError, ValueError) as e:
        raise refusal(CheckpointError, "shared.bad_meta", file=name, err=one_line(e)) from None


def _size_ok(name: str, data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise refusal(CheckpointError, "models.upload_big", file=name, mb=len(data) / 1e6, limit=MAX_UPLOAD_BYTES >> 20)


def accept_upload(name: str, data: bytes, dest: Path, root=None) -> Accepted:
    """Validate an uploaded model file — a ``.safetensors`` or an imported-model ``.zip`` — and keep it
    in ``dest``. The bytes go to a private folder in ``dest`` (unique per call), are checked like a
    catalog row (``describe``: metadata types, dataset inside the data folder, tensor table or every
    ONNX check and the trial run) and fully loaded by ``vae_core.model_file.load_model_file`` (which
    never unpickles); then a free name is claimed (``claim``) and the file replaces it. The same
    bytes uploaded again are not copied: the file already there is returned (``existed``). Raises
    CheckpointError (one line naming ``name``)."""
    root = roots_of(data_root() if root is None else root)
    suffix = Path(name).suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise refusal(CheckpointError, "models.upload_pickle", file=name, suffix=suffix)
    _size_ok(name, data)
    if suffix not in MODEL_SUFFIXES and suffix != ".onnx":  # a lone .onnx gets the library's own line
        suffix = ".safetensors"  # checked as one, so the refusal says what the file is not
    with _private_dir(dest) as tmp_dir:
        tmp = tmp_dir / f"{safe_stem(name)}{suffix}"
        tmp.write_bytes(data)
        _check_upload(tmp, name, root)
        return _keep(tmp, data, Path(dest), name, suffix, root)


def accept_onnx_pair(encoder: tuple[str, bytes], decoder: tuple[str, bytes], dest: Path, data, dataset: str,
                     decoder_output: str = "probs", recon_loss: str | None = None,
                     evaluate_kw: dict | None = None, root=None) -> Accepted:
    """Import an uploaded ONNX encoder and decoder (``(name, bytes)`` each) for ``data`` (the Dataset
    the sidebar loaded, named ``dataset``) with ``vae_core.onnx_file.import_onnx`` — every graph check,
    the trial run on two test images, the metrics (``evaluate_kw``; None skips them) — into a zip
    written in a private folder, then kept like an uploaded zip. Raises CheckpointError (one line)."""
    from vae_core.onnx_file import import_onnx

    root = roots_of(data_root() if root is None else root)
    for name, raw in (encoder, decoder):
        if Path(name).suffix.lower() != ".onnx":
            raise refusal(CheckpointError, "models.onnx_suffix", file=name)
        _size_ok(name, raw)
    stem = safe_stem(dataset_stem(dataset) + "-" + safe_stem(encoder[0]))
    with _private_dir(dest) as tmp_dir:
        paths = []
        for sub, (name, raw) in (("enc", encoder), ("dec", decoder)):
            (tmp_dir / sub).mkdir()
            p = tmp_dir / sub / name_for(name)
            p.write_bytes(raw)
            paths.append(p)
        try:
            out, _ = import_onnx(paths[0], paths[1], data, tmp_dir / f"{stem}.zip", dataset, stem,
                                 decoder_output, recon_loss, evaluate_kw, threads=1)
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError) as e:
            raise refusal(CheckpointError, "shared.bad_meta", file=encoder[0], err=one_line(e)) from None
        _check_upload(out, out.name, root)  # what the catalog will ask: the dataset must be one the app reads
        return _keep(out, out.read_bytes(), Path(dest), out.name, ".zip", root)


def name_for(upload_name: str) -> str:
    """An uploaded ONNX file's name, made safe (its messages name it)."""
    return f"{safe_stem(upload_name)}.onnx"


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


def dataset_stem(dataset: str) -> str:
    """A dataset name as part of a file name: a folder:/npz: dataset by its last path part."""
    for prefix in PATH_PREFIXES:
        if dataset.startswith(prefix):
            return Path(dataset[len(prefix):]).stem or prefix[:-1]
    return dataset


def trained_stem(dataset: str, kind: str, backbone: str, latent_dim: int | None, epochs: int) -> str:
    """The name of a model trained in the app: ``digits-vae-conv-2d-5ep`` (a folder:/npz: dataset
    by its last path part; a feature-map latent as ``map``)."""
    d = f"{latent_dim}d" if latent_dim else "map"
    return _clean(f"{dataset_stem(dataset)}-{kind}-{backbone}-{d}-{epochs}ep")


def own_file(folder: Path, path: str | Path) -> Path:
    """``path`` when it is a model file directly in ``folder`` (not a link); else CatalogError."""
    p = Path(path)
    ok = (p.suffix in MODEL_SUFFIXES and not p.is_symlink() and p.is_file()
          and p.parent.resolve() == Path(folder).resolve())
    if not ok:
        raise refusal(CatalogError, "models.not_yours", name=p.name)
    return p


def rename_target(folder: Path, new_name: str, suffix: str = ".safetensors") -> Path:
    """The path a model renamed to ``new_name`` gets: a plain name (``suffix``, the file's own,
    optional) directly in ``folder`` that does not exist yet; else CatalogError."""
    stem = (new_name or "").strip()
    if stem.lower().endswith(suffix):
        stem = stem[: -len(suffix)]
    if not NAME_RE.fullmatch(stem):
        raise refusal(CatalogError, "models.name_bad", name=new_name)
    target = Path(folder) / f"{stem}{suffix}"
    if target.parent.resolve() != Path(folder).resolve():
        raise refusal(CatalogError, "models.name_bad", name=new_name)
    if os.path.lexists(target):
        raise refusal(CatalogError, "models.name_taken", name=target.name)
    return target


def rename(folder: Path, path: str | Path, new_name: str) -> Path:
    """Rename a model of the user folder without ever overwriting: a hard link to the new name
    (fails when it exists), then the old name is removed."""
    src = own_file(folder, path)
    target = rename_target(folder, new_name, src.suffix)
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
