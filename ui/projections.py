"""Latents and their 2-D projections, shared by the Latent map, the Latent grid, AE vs VAE and Generate:
cached encodings, PCA / UMAP / t-SNE fits, the background UMAP pool and warm-up, and wait estimates
that learn this server's speed (``ui.logic.waits``)."""

from __future__ import annotations

import importlib
import os
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from ui.fit_queue import FitQueue, Job
from ui.i18n import Recent, T
from ui.logic import paths, points, settings, waits
from ui.refs import DataRef, ModelRef, disk_key, save_npz
from ui.threads import CPU_WORKERS, ENCODE_BATCH, map_threads, torch_threads
from vae_core import latent as lat

LATENTS_ON_DISK = 20_000  # encodings of this many points or more are also kept on disk (a restart reads them)


def latents(m: ModelRef, d: DataRef, n_max: int | None, source: str = points.TEST_ONLY) -> dict:
    """{"idx": indices within their split, "split": 0 test / 1 train per point, "labels", "mu": (N, d),
    "logvar": (N, d) or None} of up to n_max points of the test split (``source`` "test") or of
    train + test ("all"; test points first); a conditional model encodes with the true labels.
    A fresh encoding of many images says how long it should take (``ui.logic.waits.EncodePace``;
    Streamlit shows a spinner only after 0.5 s, so a cached result shows nothing)."""
    key = (m, d, n_max, source)
    if _ENCODED.seen(key):  # cached: no spinner (``ui.i18n.Recent``)
        return _latents(m, d, n_max, source)
    n = n_points(d, n_max, source)
    msg = T["shared.spin_encode"]
    if n >= waits.ENCODE_SAY_N and not _latents_file(m, d, n_max, source).is_file():
        probe = None if ENCODES.known(m.sha) else probe_encode(m, d)
        wait = ENCODES.estimate(m.sha, n, probe, CPU_WORKERS)
        msg = T["shared.spin_encode_n"].format(n=n, wait=waits.format_duration(wait, tx=T))
    with st.spinner(msg):
        out = _latents(m, d, n_max, source)
    _ENCODED.add(key)
    return out


def probe_encode(m: ModelRef, d: DataRef) -> float:
    """A model's speed here, for the wait estimates: seconds per image to encode ``waits.ENCODE_PROBE``
    test images on one thread (a few tenths of a second)."""
    x, y = d.data.x_test[:waits.ENCODE_PROBE], d.data.y_test[:waits.ENCODE_PROBE]
    with torch_threads(1):
        t = time.perf_counter()
        lat.encode_dataset(m.model, x, y, batch_size=len(x))
        return (time.perf_counter() - t) / max(1, len(x))


def _latents_file(m: ModelRef, d: DataRef, n_max: int | None, source: str) -> Path:
    return paths.cache_dir() / f"latents-{disk_key(m.sha, d, n_max, source)}.npz"


@st.cache_data(max_entries=32, show_spinner=False)
def _latents(m: ModelRef, d: DataRef, n_max: int | None, source: str = points.TEST_ONLY) -> dict:
    data = d.data
    n_train = len(data.x_train) if source == points.TRAIN_AND_TEST else 0
    idx, split = points.sample_points(len(data.x_test), n_train, n_max)
    y = points.gather(data.y_test, data.y_train, idx, split)
    f = _latents_file(m, d, n_max, source)
    if len(idx) >= LATENTS_ON_DISK and f.is_file():
        with np.load(f, allow_pickle=False) as arrays:
            if len(arrays["mu"]) == len(idx):
                return {"idx": idx, "split": split, "labels": y.numpy(), "mu": arrays["mu"],
                        "logvar": arrays["logvar"] if "logvar" in arrays.files else None}
    x = points.gather(data.x_test, data.x_train, idx, split)
    t0 = time.perf_counter()
    mu, logvar = lat.encode_dataset(m.model, x, y, batch_size=ENCODE_BATCH, workers=CPU_WORKERS)
    ENCODES.record(m.sha, len(idx), time.perf_counter() - t0)  # this model's rate here, for the next estimate
    if len(idx) >= LATENTS_ON_DISK:
        save_npz(f, mu=mu, **({} if logvar is None else {"logvar": logvar}))
    return {"idx": idx, "split": split, "labels": y.numpy(), "mu": mu, "logvar": logvar}


def umap_file(m: ModelRef, d: DataRef, n_max: int | None, reproducible: bool, source: str) -> Path:
    """Where a map's UMAP coordinates are kept (the test-only name is the one of earlier versions)."""
    parts = (m.sha, d, n_max, reproducible) + (() if source == points.TEST_ONLY else (source,))
    return paths.cache_dir() / f"umap-{disk_key(*parts)}.npz"


WAITS = waits.WaitModel()  # one per server process: estimates that learn this machine's speed
ENCODES = waits.EncodePace()  # seconds per image of each model encoded here
_ENCODED = Recent()  # (model, data, n_max, source) of the latest encodings (cached: no spinner, no estimate)

_FITTED: set = set()  # (method, ...) keys of projections computed by this process

_UMAP_FITTED = threading.Event()  # a UMAP fit finished in this process: its kernels are compiled


class UmapWarmup:
    """UMAP's numba compilation, run once per server process in a background thread at normal priority.

    Not a lowered one: numba's OpenMP workers are started by the first thread that runs parallel code
    and inherit its nice value, and every later UMAP fit runs on those workers. With the warm-up at
    nice 19, a 70,000-point map's step 1 took 165 s instead of 8.5 s while another process held a core
    (the issue's "5 s estimated, 46 s taken"); torch's thread teams are per thread and were not
    affected (bench/wait_estimates.py --nice measures the UMAP case)."""

    def __init__(self):
        self.done = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        try:
            lat.warm_umap()
            _UMAP_FITTED.set()
        except Exception as e:  # noqa: BLE001 — a warm-up must never take the server down
            self.error = repr(e)
        finally:
            self.done.set()


@st.cache_resource(show_spinner=False)
def umap_warmup() -> UmapWarmup:
    """Start the warm-up at the server's first run (``settings.warm_umap``), once per process."""
    w = UmapWarmup()
    if settings.warm_umap():
        threading.Thread(target=w.run, name="umap-warmup", daemon=True).start()
    return w


def umap_compiled() -> bool:
    return _UMAP_FITTED.is_set()


def n_points(d: DataRef, n_max: int | None, source: str = points.TEST_ONLY) -> int:
    """How many latents a map of ``n_max`` points shows (all of them when there are fewer)."""
    return points.n_shown(d.n_test, d.n_train, n_max, source)


def projection_wait(d: DataRef, n_max: int | None, method: str, source: str = points.TEST_ONLY) -> float:
    """Seconds a fresh projection is expected to take on this server (``ui.logic.waits``)."""
    return WAITS.estimate(method, n_points(d, n_max, source), umap_compiled())


def projection_ready(m: ModelRef, d: DataRef, n_max: int | None, method: str, reproducible: bool = False,
                     source: str = points.TEST_ONLY) -> bool:
    """Whether this process has computed that projection already (showing it again is instant)."""
    return (m, d, n_max, method, reproducible, source) in _FITTED


def projection(m: ModelRef, d: DataRef, n_max: int | None, method: str, reproducible: bool = False,
               need_inverse: bool = False, source: str = points.TEST_ONLY) -> lat.Projection:
    """A 2-D projection of the latents, with a spinner that says how long it should take for this
    many points here (Streamlit shows it only after 0.5 s: a cached result shows nothing)."""
    n, compiled = n_points(d, n_max, source), umap_compiled()
    msg = T["shared.spin_project_n"].format(method=T[f"shared.method_{method}"], n=n,
                                     wait=waits.format_duration(WAITS.estimate(method, n), tx=T))
    if method == "umap" and not compiled:
        msg += " " + T["shared.spin_umap_compiling"].format(wait=waits.format_duration(points.UMAP_COMPILE_S, tx=T))
    with st.spinner(msg):
        return _projection(m, d, n_max, method, reproducible, need_inverse, source)


@st.cache_resource(max_entries=32, show_spinner=False)
def _projection(m: ModelRef, d: DataRef, n_max: int | None, method: str, reproducible: bool = False,
                need_inverse: bool = False, source: str = points.TEST_ONLY) -> lat.Projection:
    """UMAP coordinates come from the disk cache, or from a fit ``umap_fit`` ran in the background,
    when there (their inverse map then needs a refit, asked for with ``need_inverse``). Each fit's
    time teaches ``WAITS`` this server's speed."""
    z = latents(m, d, n_max, source)["mu"]
    key = (m, d, n_max, method, reproducible, source)
    if method == "umap" and not need_inverse:
        f = umap_file(m, d, n_max, reproducible, source)
        coords = None
        if f.is_file():
            with np.load(f, allow_pickle=False) as arrays:
                coords = arrays["coords"]
        else:
            fit = _UMAP_FITS.get(str(f))
            if fit is not None and fit.future.done() and fit.future.exception() is None:
                coords = fit.future.result()
        if coords is not None:
            _FITTED.add(key)
            return lat.Projection("umap", coords, {"reproducible": reproducible})
    compiled, t0 = umap_compiled(), time.perf_counter()
    if method == "umap":
        proj = lat.fit_projection(z, "umap", reproducible=reproducible)
        save_npz(umap_file(m, d, n_max, reproducible, source), coords=proj.coords)
        _UMAP_FITTED.set()
    else:
        with map_threads():
            proj = lat.fit_projection(z, method)
    if proj.method == method:  # not a 2-D latent shown as itself
        WAITS.record(method, len(z), time.perf_counter() - t0, compiled or method != "umap")
    _FITTED.add(key)
    return proj


@dataclass
class UmapFit:
    """A UMAP fit running (or run) in the background; the page polls it to show its progress."""

    n: int
    started: float
    future: Future
    first: bool = False  # the process's first UMAP fit: it also compiles umap-learn's code
    epoch: int = 0
    n_epochs: int = 0  # 0 until the layout epochs start
    job: Job | None = None  # its place in the server's fit queue

    @property
    def running(self) -> bool:
        return self.job is None or self.job.started_at is not None

    def queue_position(self) -> tuple[int, float]:
        """(fits ahead of this one, estimated seconds until it starts); (0, 0.0) once it runs."""
        return (0, 0.0) if self.job is None else UMAP_QUEUE.position(self.job)

    def on_epoch(self, done: int, total: int) -> None:
        self.epoch, self.n_epochs = done, total


def numba_threadsafe() -> bool:
    """Whether two threads may run numba's parallel code at once: its tbb and omp threading layers
    allow it; the workqueue layer (the fallback when neither library loads) aborts the process."""
    for layer in ("numba.np.ufunc.tbbpool", "numba.np.ufunc.omppool"):
        try:
            importlib.import_module(layer)
            return True
        except ImportError:
            continue
    return False


# The server's UMAP fits, for every session: shortest estimated first, and (with a second core and a
# thread-safe numba) an express lane for fits estimated under fit_queue.EXPRESS_S, so a short map never
# waits behind long ones, queued or running.
UMAP_QUEUE = FitQueue(workers=1, express=(os.cpu_count() or 1) >= 2 and numba_threadsafe(), name="umap")

_UMAP_FITS: dict[str, UmapFit] = {}  # umap_file → its fit (finished ones are kept, a few)

_UMAP_FITS_LOCK = threading.Lock()

UMAP_FITS_KEPT = 8


def _umap_run(fit: UmapFit, z: np.ndarray, reproducible: bool, f: Path) -> np.ndarray:
    fit.started = time.time()  # the wait for an earlier fit is not part of this one
    fit.first = not umap_compiled()
    proj = lat.fit_projection(z, "umap", reproducible=reproducible, on_epoch=fit.on_epoch)
    WAITS.record("umap", len(z), time.time() - fit.started, not fit.first)
    _UMAP_FITTED.set()
    save_npz(f, coords=proj.coords)
    return proj.coords


def umap_fit(m: ModelRef, d: DataRef, n_max: int | None, reproducible: bool, source: str) -> UmapFit | None:
    """None when this map's UMAP coordinates are ready (on disk, or from a finished fit); else the
    fit that computes them, started in a background thread unless one is running already (a rerun,
    or a second session, waits for the same fit). ``projection`` then picks the result up."""
    f = umap_file(m, d, n_max, reproducible, source)

    def known() -> tuple[bool, UmapFit | None]:
        fit = _UMAP_FITS.get(str(f))
        if fit is not None and not (fit.future.done() and fit.future.exception() is not None):
            return True, None if fit.future.done() else fit
        return f.is_file(), None

    with _UMAP_FITS_LOCK:
        found, fit = known()
    if found:
        return fit
    z = latents(m, d, n_max, source)["mu"]  # outside the lock: encoding may take seconds
    with _UMAP_FITS_LOCK:
        found, fit = known()
        if found:
            return fit
        fit = UmapFit(len(z), time.time(), Future(), first=not umap_compiled())
        est = WAITS.estimate("umap", len(z), not fit.first)
        fit.job = UMAP_QUEUE.submit(lambda: _umap_run(fit, z, reproducible, f), est)
        fit.future = fit.job.future
        _UMAP_FITS[str(f)] = fit
        while len(_UMAP_FITS) > UMAP_FITS_KEPT:  # forget the oldest finished fit
            old = next((k for k, v in _UMAP_FITS.items() if v.future.done()), None)
            if old is None:
                break
            del _UMAP_FITS[old]
        return fit
