"""Honest wait estimates for the 2-D projections, from the number of points (issue 11 item 5).

The curves are ``ui.logic.points``' (UMAP: neighbour graph + layout epochs, linear in n; t-SNE:
n log n; both calibrated on the 2-core development machine with ``bench/map_times.py``). A
``WaitModel`` scales them by what this server has measured: after each fit the ratio measured /
predicted of that method replaces the old one (halfway), so the estimate follows the machine it runs
on — a busy server says longer waits. UMAP's numba compilation (``points.UMAP_COMPILE_S``) is added
until this process has compiled it: the server warms it in a background thread at start
(``vae_core.latent.warm_umap``, ``settings.warm_umap``). ``bench/wait_estimates.py`` prints
each estimate next to the time it measures.

Streamlit-free: ``ui.projections`` keeps one ``WaitModel`` per server process. ``format_duration`` words
every wait and duration the app shows.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from ui.logic import points

LONG_S = 20.0  # a t-SNE estimated longer than this starts only when asked for
PCA_S = (0.05, 2e-6)  # fixed seconds, seconds per point (an SVD of n × d: well under a second)


def predicted(method: str, n: int, compiled: bool = True) -> float:
    """Seconds on the development machine, warm code, one fit at a time."""
    if method == "umap":
        return sum(points.umap_seconds(n, first=not compiled))
    if method == "tsne":
        return points.tsne_seconds(n)
    return PCA_S[0] + PCA_S[1] * n


@dataclass
class WaitModel:
    """Seconds a projection will take here; learns this server's speed from the fits it has seen."""

    factors: dict = field(default_factory=dict)  # method → measured / predicted, as last learned
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def estimate(self, method: str, n: int, compiled: bool = True) -> float:
        with self._lock:
            f = self.factors.get(method, 1.0)
        compile_s = predicted(method, n, compiled) - predicted(method, n)  # UMAP's compilation, not scaled
        return f * predicted(method, n) + compile_s

    def record(self, method: str, n: int, seconds: float, compiled: bool = True) -> None:
        """A finished fit. One that compiled UMAP's code says nothing about the speed: ignored."""
        if n <= 0 or not compiled or seconds <= 0:
            return
        f = seconds / predicted(method, n)
        with self._lock:
            old = self.factors.get(method)
            self.factors[method] = f if old is None else 0.5 * (old + f)


def format_duration(seconds: float, *, tx: Mapping[str, str]) -> str:
    """12 → "12 s", 200 → "3 min 20 s", 4000 → "1 h 07 min" (rounded up to the shown unit)."""
    s = max(0, math.ceil(seconds))
    if s < 60:
        return tx["shared.dur_s"].format(s=s)
    if s < 3600:
        return tx["shared.dur_m"].format(m=s // 60, s=s % 60)
    m = math.ceil(s / 60)
    return tx["shared.dur_h"].format(h=m // 60, m=m % 60)


# The β sweep (Generate): the classic MLP VAE (784–400–d) trained once per β on a subset. Its wait is
# images × epochs × betas × seconds per image-epoch; the rate starts at the one measured on the 2-core
# development machine (a sweep of 5 β × 5 epochs × 10,000 MNIST images: see SWEEP_S_PER_IMAGE) and
# follows the sweeps this server has run (``SweepPace.record``), as ``WaitModel`` does for projections.
SWEEP_S_PER_IMAGE = 6e-5  # seconds per image per epoch, incl. the test pass: 5 β × 5 epochs × 10,000 images took 15 s
SWEEP_FIXED_S = 0.5  # building each model and evaluating it


@dataclass
class SweepPace:
    s_per_image: float = SWEEP_S_PER_IMAGE
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def estimate(self, n_betas: int, epochs: int, n_train: int) -> float:
        with self._lock:
            rate = self.s_per_image
        return n_betas * (SWEEP_FIXED_S + epochs * n_train * rate)

    def record(self, n_betas: int, epochs: int, n_train: int, seconds: float) -> None:
        """A finished sweep: its measured rate replaces the old one (halfway)."""
        work = n_betas * epochs * n_train
        if work <= 0 or not math.isfinite(seconds) or seconds <= 0:
            return
        rate = max(0.0, seconds - n_betas * SWEEP_FIXED_S) / work
        with self._lock:
            self.s_per_image = 0.5 * (self.s_per_image + rate)


# Encoding a map's images (Latent map, Latent grid, AE vs VAE): seconds per image of the model at hand.
# Before a model's first big encoding here, a probe times ENCODE_PROBE images on one thread; the encoding
# shares its batches among ``workers`` single-threaded workers, so it takes about probe × n / workers
# (bench/wait_estimates.py --encode: 0.9–1.7× of that for the shipped MNIST and CIFAR-10 models, 70,000
# and 60,000 images). After each encoding its measured rate is the model's.
ENCODE_PROBE = 256
ENCODE_SAY_N = 4 * ENCODE_PROBE  # fewer images than this: no probe, no estimate (well under 2 s)


@dataclass
class EncodePace:
    rates: dict = field(default_factory=dict)  # model key → seconds per image, as last measured here
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def known(self, key) -> bool:
        with self._lock:
            return key in self.rates

    def estimate(self, key, n: int, probe_s_per_image: float | None = None, workers: int = 1) -> float:
        """Seconds to encode n images with the model ``key``: its measured rate, else the probe's."""
        with self._lock:
            rate = self.rates.get(key)
        if rate is None:
            rate = (probe_s_per_image or 0.0) / max(1, workers)
        return rate * n

    def record(self, key, n: int, seconds: float) -> None:
        if n >= ENCODE_SAY_N and math.isfinite(seconds) and seconds > 0:
            with self._lock:
                self.rates[key] = seconds / n


# Uses › Features: a linear probe on raw pixels for each label budget, whose L-BFGS work (at most 300
# iterations) grows with images × pixels, plus an encoding and a small probe per model. Rates from the
# 2-core development machine (bench/wait_estimates.py --features): pixels 4.3 s for MNIST's 11,100 × 784
# and 31.3 s for CIFAR-10's 11,100 × 3,072 (which stops at the iteration cap), 0.2–1.0 s per model.
FEATURE_S_PER_PIXEL_IMAGE = 7e-7
FEATURE_S_PER_MODEL = 0.7


@dataclass
class FeaturePace:
    factor: float = 1.0  # measured / predicted on this server, as last learned (halfway)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @staticmethod
    def predicted(pixel_work: int, n_models: int) -> float:
        return FEATURE_S_PER_PIXEL_IMAGE * pixel_work + FEATURE_S_PER_MODEL * n_models

    def estimate(self, pixel_work: int, n_models: int) -> float:
        with self._lock:
            return self.factor * self.predicted(pixel_work, n_models)

    def record(self, pixel_work: int, n_models: int, seconds: float) -> None:
        p = self.predicted(pixel_work, n_models)
        if p > 0 and math.isfinite(seconds) and seconds > 0:
            with self._lock:
                self.factor = 0.5 * (self.factor + seconds / p)


# A model's metrics (the AE vs VAE table, Generate's β chart): evaluate() on 1,000 test images, which
# for a variational model includes the importance-sampled NLL (20 decodes per image). Before a model's
# first evaluation here: the encoding probe's seconds per image times METRICS_PROBE_IMAGES of its kind
# (measured on the shipped models with bench/wait_estimates.py --metrics: 16,000–41,000 for the VAEs
# and CVAEs, 6,000–9,000 for the AEs); after it, the time it took.
METRICS_PROBE_IMAGES = {True: 25_000, False: 7_500}  # variational → images-equivalent of the probe


@dataclass
class MetricsPace:
    seconds: dict = field(default_factory=dict)  # model key → seconds its metrics took here
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def known(self, key) -> bool:
        with self._lock:
            return key in self.seconds

    def estimate(self, key, variational: bool, probe_s_per_image: float | None = None) -> float:
        with self._lock:
            s = self.seconds.get(key)
        return s if s is not None else (probe_s_per_image or 0.0) * METRICS_PROBE_IMAGES[bool(variational)]

    def record(self, key, seconds: float) -> None:
        if math.isfinite(seconds) and seconds > 0:
            with self._lock:
                self.seconds[key] = seconds

