"""Server settings, from environment variables (no Streamlit here). Folders are in ``paths``.

``VAE_EXPLORER_MODE`` — who the server is for:

- ``local`` (the default): one person on their own machine. Every model in the user-model
  folder (``VAE_EXPLORER_USER_MODELS``) is theirs: listed, labelled "yours", renamable and
  deletable; the data folder can be changed in the sidebar.
- ``shared``: a server several people open in their browsers. Each user gets a random key (128
  bits, kept in the URL as ``?u=<32 hex digits>``, so a reload or a bookmark keeps it, and so does
  another app process behind a proxy that sees the same folder) and its own sub-folder
  ``session-<key>`` of the user-model folder: its uploads and trainings land there, it lists the shipped models plus its
  own, and only its own are "yours" (and renamable, deletable). Files placed directly in the
  user-model folder are not listed. The data folder is the server's (not editable in the page).
  A session's folder outlives the session; the operator removes old ``session-*`` folders.

An unknown value is read as ``shared``, the more careful of the two.

Training jobs (both modes): ``VAE_EXPLORER_MAX_JOBS`` running at once on the server (default 2),
one per session, each stopped after ``VAE_EXPLORER_JOB_TIMEOUT_S`` seconds (default 7200) or
when its session has not polled it for ``VAE_EXPLORER_JOB_IDLE_S`` seconds (default 120: the
browser tab was closed).

``VAE_EXPLORER_WARM_DECODER`` — ``1`` (default): when a model is chosen in the sidebar, export its decoder
to ONNX for the in-browser decoder in a low-priority background thread (once per file; kept on disk), so
the first click that decodes in the page does not wait seconds for the export; ``0``: export on first use
(the tests set it).

``VAE_EXPLORER_WARM_UMAP`` — ``1`` (default): compile UMAP's kernels in a background thread when the
server starts (at normal priority: numba's workers inherit it, ``ui.projections.UmapWarmup``), so that
the first UMAP a person asks for does not wait ~25 s for numba; ``0``: do not (the tests set it, since they start many short-lived servers).
"""

from __future__ import annotations

import logging
import math
import os
import re
from pathlib import Path

MODE_ENV = "VAE_EXPLORER_MODE"
LOCAL = "local"
SHARED = "shared"
MAX_JOBS_ENV = "VAE_EXPLORER_MAX_JOBS"
JOB_TIMEOUT_ENV = "VAE_EXPLORER_JOB_TIMEOUT_S"
JOB_IDLE_ENV = "VAE_EXPLORER_JOB_IDLE_S"
DEFAULT_MAX_JOBS = 2
DEFAULT_JOB_TIMEOUT_S = 2 * 3600.0
DEFAULT_JOB_IDLE_S = 120.0
SESSION_PREFIX = "session-"
log = logging.getLogger(__name__)
WARM_UMAP_ENV = "VAE_EXPLORER_WARM_UMAP"
WARM_DECODER_ENV = "VAE_EXPLORER_WARM_DECODER"


def mode() -> str:
    """``local`` or ``shared`` (see the module docstring)."""
    v = (os.environ.get(MODE_ENV) or LOCAL).strip().lower()
    return LOCAL if v == LOCAL else SHARED


def _number(env: str, default: float, lowest: float) -> float:
    """The variable as a finite number ≥ ``lowest``; unset or blank gives ``default``, and anything else
    (text, ``inf``, ``nan``, too small) gives ``default`` with a warning in the server's log."""
    raw = (os.environ.get(env) or "").strip()
    if not raw:
        return default
    try:
        v = float(raw)
    except ValueError:
        v = math.nan
    if math.isfinite(v) and v >= lowest:
        return v
    log.warning("%s=%r is not a finite number >= %g; using the default %g", env, raw, lowest, default)
    return default


def max_jobs() -> int:
    """Training jobs that may run at once on this server."""
    return int(_number(MAX_JOBS_ENV, DEFAULT_MAX_JOBS, 1))


def job_timeout_s() -> float:
    """Wall-clock seconds after which a training job is stopped."""
    return _number(JOB_TIMEOUT_ENV, DEFAULT_JOB_TIMEOUT_S, 0.001)


def job_idle_s() -> float:
    """Seconds without a poll from its session after which a training job is stopped."""
    return _number(JOB_IDLE_ENV, DEFAULT_JOB_IDLE_S, 0.001)


def warm_umap() -> bool:
    """Whether the server compiles UMAP in the background when it starts."""
    return (os.environ.get(WARM_UMAP_ENV) or "1").strip().lower() not in ("0", "false", "no", "off")


def warm_decoder() -> bool:
    """Whether choosing a model starts exporting its decoder for the page in the background."""
    return (os.environ.get(WARM_DECODER_ENV) or "1").strip().lower() not in ("0", "false", "no", "off")


def user_folder(base: Path, session_id: str, mode_: str) -> Path:
    """The folder a session's own models live in: ``base`` (local) or ``base/session-<id>`` (shared)."""
    if mode_ == LOCAL:
        return Path(base)
    if not re.fullmatch(r"[0-9a-f]{8,64}", session_id or ""):
        raise ValueError(f"not a session id: {session_id!r}")
    return Path(base) / f"{SESSION_PREFIX}{session_id}"
