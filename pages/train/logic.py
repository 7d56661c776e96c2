"""The Train page's job rules (Streamlit-free): when a job must stop, how long
it has left, and whether a finished VAE's posterior collapsed."""

from __future__ import annotations

import math

KL_COLLAPSE_NATS = 0.5  # below this total KL per image, the latent carries almost nothing
TIMEOUT = "timeout"
GONE = "gone"


def stop_reason(started: float, heartbeat: float, now: float, timeout_s: float, idle_s: float) -> str | None:
    """``"timeout"`` when the job has run longer than ``timeout_s``, ``"gone"`` when its session
    has not polled it for ``idle_s`` seconds, else None."""
    if now - started > timeout_s:
        return TIMEOUT
    if now - heartbeat > idle_s:
        return GONE
    return None


def eta_seconds(fraction: float, elapsed: float) -> float | None:
    """Seconds left, assuming the pace so far holds; None before the first step or when done."""
    if not (0.0 < fraction < 1.0) or elapsed <= 0 or not math.isfinite(elapsed):
        return None
    return elapsed * (1.0 - fraction) / fraction


def collapsed(variational: bool, kl: float | None) -> bool:
    """A variational model whose final KL per image is below ``KL_COLLAPSE_NATS`` (posterior collapse)."""
    return bool(variational and kl is not None and math.isfinite(kl) and kl < KL_COLLAPSE_NATS)
