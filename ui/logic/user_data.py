"""The user's own datasets (issue 19, "bring your own images"): an uploaded ``.npz`` (uint8 ``x_train``,
``y_train``, ``x_test``, ``y_test``) or ``.zip`` of images (one sub-folder per label), checked by loading
it with ``vae_core.data`` — the same limits as ``npz:``/``folder:`` (entry counts, sizes, image bombs,
``..``, links, label range) — and kept in ``<user folder>/datasets/``. The app names one as
``npz:PATH`` or ``folder:PATH`` (the library's names), which ``catalog.dataset_problem`` accepts inside
this folder as inside the server's data folder. No Streamlit here; refusals are worded by the page."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from ui.logic.catalog import UPLOAD_DIR_PREFIX, one_line, refusal
from ui.logic.user_files import MAX_UPLOAD_BYTES, CatalogError, claim, safe_stem
from vae_core.data import DataError, load_folder, load_npz

FOLDER = "datasets"
SUFFIXES = {".npz": "npz:", ".zip": "folder:"}


def folder(user_dir: Path) -> Path:
    return Path(user_dir) / FOLDER


def name_of(path: Path) -> str:
    """The dataset name the library loads: ``npz:/…/x.npz`` or ``folder:/…/x.zip``."""
    return f"{SUFFIXES[path.suffix.lower()]}{Path(path).resolve()}"


def label(name: str) -> str:
    """A readable label for a dataset name: its file name for an npz:/folder: name, else the name."""
    for prefix in SUFFIXES.values():
        if name.startswith(prefix):
            return Path(name[len(prefix):]).name
    return name


def listed(user_dir: Path) -> list[str]:
    """The names of the user's datasets (regular files directly in ``datasets/``, not links)."""
    d = folder(user_dir)
    if not d.is_dir():
        return []
    out = []
    for p in sorted(d.iterdir()):
        if p.suffix.lower() in SUFFIXES and not p.is_symlink() and p.is_file() and p.stat().st_size > 0:
            out.append(name_of(p))
    return out


def check(path: Path):
    """Load the file as the app will (every limit of vae_core.data); returns the Dataset or raises DataError."""
    if path.suffix.lower() == ".npz":
        return load_npz(path)
    return load_folder(path)


def _same(d: Path, data: bytes) -> Path | None:
    digest = hashlib.sha256(data).hexdigest()
    for p in sorted(d.iterdir()):
        try:
            if p.is_file() and not p.is_symlink() and p.stat().st_size == len(data) \
                    and hashlib.sha256(p.read_bytes()).hexdigest() == digest:
                return p
        except OSError:
            continue
    return None


def accept(name: str, data: bytes, user_dir: Path) -> tuple[str, bool]:
    """Check an uploaded dataset and keep it in the user's ``datasets/`` folder under a fresh safe name
    (the same bytes again: the file already there). Returns (dataset name, existed). Raises DataError
    (one line naming ``name``)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise refusal(DataError, "models.data_suffix", file=name)
    if len(data) > MAX_UPLOAD_BYTES:
        raise refusal(DataError, "models.upload_big", file=name, mb=len(data) / 1e6, limit=MAX_UPLOAD_BYTES >> 20)
    d = folder(user_dir)
    d.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(dir=d, prefix=UPLOAD_DIR_PREFIX))
    try:
        tmp = tmp_dir / f"{safe_stem(name)}{suffix}"
        tmp.write_bytes(data)
        try:
            check(tmp)
        except DataError as e:
            raise refusal(DataError, "models.data_bad", file=name, err=one_line(e).replace(str(tmp), name)) from None
        out = _same(d, data)
        if out is not None:
            return name_of(out), True
        out = claim(d, safe_stem(name), suffix=suffix)
        os.replace(tmp, out)
        return name_of(out), False
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def delete(user_dir: Path, name: str) -> None:
    """Delete one of the user's datasets by its name (only a regular file directly in ``datasets/``)."""
    d = folder(user_dir)
    p = Path(name.split(":", 1)[-1])
    if not (p.suffix.lower() in SUFFIXES and not p.is_symlink() and p.is_file()
            and p.parent.resolve() == d.resolve()):
        raise refusal(CatalogError, "models.not_yours", name=p.name)
    os.unlink(p)
