"""This library's errors, in one module that imports nothing of vae_core (so every module can raise
them without an import circle).

Every error has three faces:

- ``str(e)``: one English line a user can act on (the CLI prints it as it is);
- ``e.code``: a stable id for the app to word the error in the user's language; the class's own
  snake-case name (``checkpoint_error``) unless the raise site set a specific one (CODES);
- ``e.params``: the values the message was made of (``{"path": ..., "expected": ...}``), for that
  wording.

``SomeError("message")`` still works; ``SomeError("message", code="...", params={...})`` adds the rest.
Subclasses keep a second, built-in base (``ValueError``, ``RuntimeError``) so that older ``except``
clauses still catch them.
"""

from __future__ import annotations

import errno
import re
from typing import Any

# The specific codes raise sites set, with the params each carries (the app words them).
CODES: dict[str, tuple[str, ...]] = {
    "pickle_refused": ("path", "suffix"),  # a .pt/.pth/.ckpt name, or pickle/zip bytes under any name
    "not_safetensors": ("path",),  # not a safetensors file at all (bad length, not JSON, ...)
    "not_ours": ("path",),  # a safetensors file without vae_core metadata, or an unknown format/version
    "bad_metadata": ("path", "field"),  # hostile or malformed metadata (types, ranges, nesting)
    "tensor_mismatch": ("path", "tensor", "found", "expected"),  # the tensors disagree with the header's config
    "too_large": ("path", "count", "limit"),  # over a size or parameter cap
    "non_finite_weights": ("path", "tensor"),  # NaN or infinite weights
    "dataset_missing": ("dataset", "path"),  # a builtin dataset's npz is not there (offline)
    "shape_mismatch": ("expected", "found", "dataset"),  # a model's image shape against a dataset's
    "bad_labels": ("path", "min", "max", "limit"),  # labels that are not integers 0..K-1, K <= limit
    "not_a_folder": ("path",),  # folder:PATH that is not a regular folder or .zip file
    "disk_full": ("path",),  # ENOSPC while writing
    "read_only": ("path",),  # EROFS / EACCES / EPERM while writing
    "cannot_write": ("path", "reason"),  # any other OSError while writing
    "history_too_long": ("path", "count", "limit"),  # a training curve longer than MAX_HISTORY points
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class VaeCoreError(Exception):
    """Every error this library raises on bad input (a bad file, argument, config or dataset).

    Its message is one line a user can act on: callers (the CLI, the app) show ``str(e)`` as it
    is and never need a traceback; the app may word ``code`` and ``params`` instead.
    """

    code: str = "vae_core_error"

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "code" not in cls.__dict__:
            cls.code = _snake(cls.__name__)

    def __init__(self, message: str = "", code: str | None = None, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.params: dict[str, Any] = dict(params or {})

    def __reduce__(self):  # pickles (process pools) keep the code and params
        return (type(self), (str(self), self.code, self.params))


class ConfigError(VaeCoreError, ValueError):
    """A configuration value is out of range or of the wrong kind."""


class DataError(VaeCoreError, RuntimeError):
    """A dataset cannot be found, downloaded or read. The message says what to do."""


class CheckpointError(VaeCoreError, ValueError):
    """A file is not a checkpoint this library can load, or cannot be written; the message is one line."""


class TrainingError(VaeCoreError, RuntimeError):
    """Training cannot go on (a NaN/inf loss, an unusable device)."""


class ProjectionError(VaeCoreError, ValueError):
    """A projection cannot be made (too few points, t-SNE has no inverse map)."""


class ClassifierError(VaeCoreError, ValueError):
    """A classifier file cannot be used; the message is one line."""


def write_error(path: Any, err: OSError, cls: type[VaeCoreError] = CheckpointError) -> VaeCoreError:
    """One line for an OSError met while writing ``path``: "disk full" (ENOSPC, EDQUOT), "read-only"
    (EROFS, EACCES, EPERM) or the system's reason."""
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return cls(f"{path}: cannot write, the disk is full", code="disk_full", params={"path": str(path)})
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return cls(f"{path}: cannot write, the folder is read-only", code="read_only", params={"path": str(path)})
    reason = err.strerror or str(err) or type(err).__name__
    return cls(f"{path}: cannot write there ({reason})", code="cannot_write",
               params={"path": str(path), "reason": reason})
