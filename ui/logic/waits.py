"""Honest wait estimates for the 2-D projections, from the number of points (issue 11 item 5).

A projection of ``n`` latents is estimated as ``fixed + per_point · n`` seconds. The starting
rates were measured on the 2-core CI machine (``python bench/wait_estimates.py`` prints each
estimate against the time it measures); once this server has run a method, its own observed rate
replaces the starting one, so the estimate follows the machine it runs on. UMAP compiles its numba
kernels on first use (``COMPILE_S``; twice: below and above 4,096 points it takes different code
paths), which the server warms in the background at start (``vae_core.latent.warm_umap``).

Streamlit-free: ``ui.core.cache`` keeps one ``WaitModel`` per server and shows its estimates.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ui.logic.text import T

# (fixed seconds, seconds per point), warm (compiled) code, one fit at a time, 2 CPU cores
START_RATES = {
    "pca": (0.05, 2e-6),
    "umap": (4.0, 1.0e-3),
    "tsne": (0.5, 7e-3),
}
COMPILE_S = 25.0  # UMAP's first fit after a server start when the background warm-up has not finished
LONG_S = 20.0  # a t-SNE estimated longer than this is confirmed first


def fmt_seconds(s: float) -> str:
    """A wait as people say it: "5 s", "40 s", "2 min" (in the session's language); never more
    precise than the estimate is."""
    if s < 10:
        return T["wait_seconds"].format(n=max(1, round(s)))
    if s < 90:
        return T["wait_seconds"].format(n=5 * round(s / 5))
    return T["wait_minutes"].format(n=round(s / 60))


@dataclass
class WaitModel:
    """Seconds a projection will take; learns this machine's rate from the runs it has seen."""

    rates: dict = field(default_factory=lambda: dict(START_RATES))
    observed: dict = field(default_factory=dict)  # method → seconds per point last observed (fixed part removed)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def estimate(self, method: str, n: int, compiled: bool = True) -> float:
        fixed, per_point = self.rates.get(method, (0.0, 0.0))
        with self._lock:
            per_point = self.observed.get(method, per_point)
        extra = COMPILE_S if method == "umap" and not compiled else 0.0
        return fixed + per_point * n + extra

    def record(self, method: str, n: int, seconds: float, compiled: bool = True) -> None:
        """A finished run: its rate (without the fixed part, and without compiling) becomes the estimate."""
        if n <= 0 or not compiled or method not in self.rates:
            return
        fixed = self.rates[method][0]
        rate = max(seconds - fixed, 0.0) / n
        with self._lock:
            old = self.observed.get(method)
            self.observed[method] = rate if old is None else 0.5 * (old + rate)

    def is_long(self, method: str, n: int, compiled: bool = True) -> bool:
        return self.estimate(method, n, compiled) > LONG_S
