"""Two file steps every writer and cache needs, written once.

- :func:`atomic_write`: a unique temp file in the destination folder, then ``os.replace``: a reader
  (or a second writer) sees the old file or the new one, never half of one; a failed write
  leaves the old file as it was and no temp file behind. An OSError becomes one line saying
  "disk full", "read-only" or the reason (:func:`vae_core.errors.write_error`).
- :func:`sha256_file`: the content hash of a file, read in blocks.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from .errors import CheckpointError, VaeCoreError, write_error

NEW_FILE_MODE = 0o644
TEMP_SUFFIX = ".tmp"  # temp names: ".{stem}-XXXXXXXX.tmp" (checkpoint.TEMP_NAMES sweeps them)


def temp_prefix(path: Path) -> str:
    return f".{path.stem}-"


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None],
                 error: type[VaeCoreError] = CheckpointError) -> Path:
    """Write ``path`` through ``write(f)`` (``f``: a binary file open on a unique temp file in the
    same folder), then move it into place with ``os.replace``. Parent folders are created. An
    OSError (disk full, read-only folder, a parent that is a file, ``path`` a folder) raises
    ``error`` with one line and leaves no temp file; whatever ``write`` raises otherwise goes up
    unchanged, again without a temp file."""
    path = Path(path)
    try:
        if path.parent.exists() and not path.parent.is_dir():
            raise NotADirectoryError(20, "not a folder", str(path.parent))
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder", str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path), suffix=TEMP_SUFFIX)
    except IsADirectoryError:
        raise error(f"{path}: is a folder; give a file name", code="cannot_write",
                    params={"path": str(path), "reason": "is a folder"}) from None
    except NotADirectoryError:
        raise error(f"{path}: {path.parent} is a file, not a folder", code="cannot_write",
                    params={"path": str(path), "reason": "not a folder"}) from None
    except OSError as e:
        raise write_error(path, e, error) from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, NEW_FILE_MODE)  # mkstemp makes it 0600; a written file reads as any other
        os.replace(tmp, path)
    except OSError as e:
        raise write_error(path, e, error) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def sha256_file(path: str | os.PathLike, block: int = 1 << 20) -> str:
    """The sha256 of a file's bytes, as 64 hex digits (read ``block`` bytes at a time)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(block), b""):
            h.update(chunk)
    return h.hexdigest()
