"""Every cached function of the app, and the one way their keys are made.

A cached function takes *references* and plain parameters, never loaded objects:

- ``ModelRef(path, sha, kind)``: a checkpoint file and its content hash;
- ``DataRef(name, data_dir, mode, n_train, n_test)``: a dataset as the sidebar loaded it.

Streamlit hashes these frozen dataclasses by value, so a result's key is exactly what it was
computed from (a replaced file has a new sha; another data folder is another DataRef), and the
function resolves the references itself (``ref.model``, ``dref.data``) from the two loaders at
the top, which are keyed by path + mtime. Slow results (UMAP coordinates and UMAP-grid
inverses) are also kept on disk under ``.cache/``, named by ``disk_key`` of the same refs.

Models and projections use ``cache_resource`` (no copy per rerun; never mutated after caching),
arrays and tables ``cache_data``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from ui.logic import clicks, figures, hover, jobs, paths, points, settings, text, waits
from ui.logic.text import T
from vae_core import checkpoint as ckpt
from vae_core import latent as lat
from vae_core.data import Dataset, load_with_fallback, to_float
from vae_core.metrics import evaluate, reconstruction_errors

METRIC_TEST_MAX = 1000  # images used for the comparison table (kept small: a table, not a benchmark)
METRIC_TRAIN_MAX = 5000  # train latents for the kNN accuracy
METRIC_NLL_K = 20


def spinning(key: str):
    """Show ``T[key]`` — in the session's language, which a decorator argument fixed at import could
    not follow — while the wrapped call runs; Streamlit shows a spinner only after 0.5 s, so a cache
    hit shows nothing."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with st.spinner(T[key]):
                return fn(*args, **kwargs)
        run.clear = fn.clear  # st.cache_* functions can be cleared
        return run
    return wrap


# ------------------------------------------------------------------ files and data

def mtime(path: str) -> float:
    return os.path.getmtime(path)


@spinning("spin_load_model")
@st.cache_resource(max_entries=16, show_spinner=False)
def _checkpoint(path: str, file_mtime: float) -> ckpt.Checkpoint:  # mtime is part of the cache key
    return ckpt.load(path)


def checkpoint(path: str) -> ckpt.Checkpoint:
    """The loaded checkpoint (model in eval mode); cached per path + mtime."""
    return _checkpoint(path, mtime(path))


@st.cache_data(max_entries=64, show_spinner=False)
def _sha(path: str, file_mtime: float) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def sha(path: str) -> str:
    """Content hash of a checkpoint file: the key of everything computed from it."""
    return _sha(path, mtime(path))


@spinning("spin_load_data")
@st.cache_resource(max_entries=6, show_spinner=False)
def _dataset(name: str, data_dir: str, samples_dir: str, stamp: tuple) -> tuple[Dataset, str]:
    return load_with_fallback(name, data_dir, samples_dir)


def _stat(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def dataset(name: str, data_dir: str) -> tuple[Dataset, str]:
    """(Dataset, "full" | "sample"); raises DataError. Never downloads."""
    samples = paths.samples_dir()
    stamp = tuple(_stat(p) for p in (Path(data_dir), samples))
    return _dataset(name, str(data_dir), str(samples), stamp)


# ------------------------------------------------------------------ the references

@dataclass(frozen=True)
class ModelRef:
    """A checkpoint as cached functions see it."""

    path: str
    sha: str  # content hash of the file
    kind: str

    @classmethod
    def of(cls, path: str, kind: str) -> "ModelRef":
        return cls(path, sha(path), kind)

    @property
    def checkpoint(self) -> ckpt.Checkpoint:
        return checkpoint(self.path)

    @property
    def model(self):
        return checkpoint(self.path).model

    @property
    def beta(self) -> float:
        tc = checkpoint(self.path).train_config
        return tc.beta if tc else 1.0


@dataclass(frozen=True)
class DataRef:
    """A dataset as the sidebar loaded it."""

    name: str
    data_dir: str
    mode: str  # full | sample
    n_train: int
    n_test: int

    @classmethod
    def of(cls, name: str, data_dir: str) -> "DataRef":
        data, mode = dataset(name, data_dir)
        return cls(name, str(data_dir), mode, len(data.x_train), len(data.x_test))

    @property
    def data(self) -> Dataset:
        return dataset(self.name, self.data_dir)[0]


def disk_key(*parts) -> str:
    """A file-name-safe key for results kept on disk, from the same refs and parameters."""
    return hashlib.sha256(json.dumps(parts, default=repr).encode()).hexdigest()[:24]


def _save_npz(f: Path, **arrays) -> None:
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f".{f.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, f)
    except OSError:  # a read-only checkout: the cache is an optimisation only
        pass


# ------------------------------------------------------------------ latents and projections

ENCODE_BATCH = 512  # images per encoder batch: fits the CPU caches better than 1,000+ (same numbers)
LATENTS_ON_DISK = 20_000  # encodings of this many points or more are also kept on disk (a restart reads them)
MAP_THREADS = max(1, (os.cpu_count() or 1) // 2)
CPU_WORKERS = os.cpu_count() or 1  # big encodes/decodes: single-threaded workers (no team waiting for a busy core)


@contextlib.contextmanager
def torch_threads(n: int):
    """At most n torch threads in this thread while the block runs, then the count it had. The count
    is OpenMP's, kept per thread: other sessions' threads keep theirs."""
    saved = torch.get_num_threads()
    torch.set_num_threads(min(n, saved))
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def one_thread():
    """Torch on one thread while one image is decoded. A single small decode gains nothing from
    more threads, and a thread whose partner core is busy makes every parallel region wait for it:
    with another process on a core, one decode of the MNIST 2-D VAE took 0.6 ms on one thread, and
    on two 95 ms at the 90th percentile (``bench/decode_threads.py``)."""
    return torch_threads(1)


@contextlib.contextmanager
def map_threads():
    """Torch and BLAS/OpenMP limited to MAP_THREADS (half the CPUs) in this thread while a t-SNE or
    a PCA is fitted. Threads that spin while they wait for a core another process holds made t-SNE
    20x slower with 2 threads than with 1 on the busy 2-core development machine (and encoding 5x:
    a map's encoding now shares its batches among CPU_WORKERS single-threaded workers instead,
    ``vae_core.latent.encode_dataset``). Each user sets and puts back its own torch count
    (``torch_threads``).

    UMAP (numba) keeps all its threads: on the quiet machine 2 threads fitted 1,000-10,000 points
    1.4-1.65x faster than 1; with another process busy on a core, 1 thread was 1.2-4.3x faster
    (the 500 layout epochs are short parallel regions). A user's machine is more often quiet."""
    from threadpoolctl import threadpool_limits

    with torch_threads(MAP_THREADS), threadpool_limits(limits=MAP_THREADS):
        yield


@spinning("spin_encode")
@st.cache_data(max_entries=32, show_spinner=False)
def latents(m: ModelRef, d: DataRef, n_max: int | None, source: str = points.TEST_ONLY) -> dict:
    """{"idx": indices within their split, "split": 0 test / 1 train per point, "labels", "mu": (N, d),
    "logvar": (N, d) or None} of up to n_max points of the test split (``source`` "test") or of
    train + test ("all"; test points first); a conditional model encodes with the true labels."""
    data = d.data
    n_train = len(data.x_train) if source == points.TRAIN_AND_TEST else 0
    idx, split = points.sample_points(len(data.x_test), n_train, n_max)
    y = points.gather(data.y_test, data.y_train, idx, split)
    f = paths.cache_dir() / f"latents-{disk_key(m.sha, d, n_max, source)}.npz"
    if len(idx) >= LATENTS_ON_DISK and f.is_file():
        with np.load(f, allow_pickle=False) as arrays:
            if len(arrays["mu"]) == len(idx):
                return {"idx": idx, "split": split, "labels": y.numpy(), "mu": arrays["mu"],
                        "logvar": arrays["logvar"] if "logvar" in arrays.files else None}
    x = points.gather(data.x_test, data.x_train, idx, split)
    y = points.gather(data.y_test, data.y_train, idx, split)
    mu, logvar = lat.encode_dataset(m.model, x, y, batch_size=ENCODE_BATCH, workers=CPU_WORKERS)
    if len(idx) >= LATENTS_ON_DISK:
        _save_npz(f, mu=mu, **({} if logvar is None else {"logvar": logvar}))
    return {"idx": idx, "split": split, "labels": y.numpy(), "mu": mu, "logvar": logvar}


def umap_file(m: ModelRef, d: DataRef, n_max: int | None, reproducible: bool, source: str) -> Path:
    """Where a map's UMAP coordinates are kept (the test-only name is the one of earlier versions)."""
    parts = (m.sha, d, n_max, reproducible) + (() if source == points.TEST_ONLY else (source,))
    return paths.cache_dir() / f"umap-{disk_key(*parts)}.npz"


# ------------------------------------------------------------------ projection waits

WAITS = waits.WaitModel()  # one per server process: estimates that learn this machine's speed
_FITTED: set = set()  # (method, ...) keys of projections computed by this process
_UMAP_FITTED = threading.Event()  # a UMAP fit finished in this process: its kernels are compiled


class UmapWarmup:
    """UMAP's numba compilation, run once per server process in a low-priority background thread."""

    def __init__(self):
        self.done = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only (Linux)
        except (AttributeError, OSError):
            pass
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
    msg = T["spin_project_n"].format(method=T[f"map_method_{method}"], n=n,
                                     wait=jobs.format_duration(WAITS.estimate(method, n)))
    if method == "umap" and not compiled:
        msg += " " + T["spin_umap_compiling"].format(wait=jobs.format_duration(points.UMAP_COMPILE_S))
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
        _save_npz(umap_file(m, d, n_max, reproducible, source), coords=proj.coords)
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

    def on_epoch(self, done: int, total: int) -> None:
        self.epoch, self.n_epochs = done, total


_UMAP_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="umap")  # one fit at a time: 2 cores
_UMAP_FITS: dict[str, UmapFit] = {}  # umap_file → its fit (finished ones are kept, a few)
_UMAP_FITS_LOCK = threading.Lock()
UMAP_FITS_KEPT = 8


def _umap_run(fit: UmapFit, z: np.ndarray, reproducible: bool, f: Path) -> np.ndarray:
    fit.started = time.time()  # the wait for an earlier fit is not part of this one
    fit.first = not umap_compiled()
    proj = lat.fit_projection(z, "umap", reproducible=reproducible, on_epoch=fit.on_epoch)
    WAITS.record("umap", len(z), time.time() - fit.started, not fit.first)
    _UMAP_FITTED.set()
    _save_npz(f, coords=proj.coords)
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
        fit.future = _UMAP_POOL.submit(_umap_run, fit, z, reproducible, f)
        _UMAP_FITS[str(f)] = fit
        while len(_UMAP_FITS) > UMAP_FITS_KEPT:  # forget the oldest finished fit
            old = next((k for k, v in _UMAP_FITS.items() if v.future.done()), None)
            if old is None:
                break
            del _UMAP_FITS[old]
        return fit


@spinning("spin_grid_inverse")
@st.cache_resource(max_entries=16, show_spinner=False)
def grid_latents(m: ModelRef, d: DataRef, n_max: int | None, method: str, n: int, bounds: tuple) -> np.ndarray:
    """(n*n, d) latents of the grid's cell centres, inverted once per (grid, range)."""
    proj = projection(m, d, n_max, method, need_inverse=(method == "umap"))
    pts = lat.grid_points(bounds, n)
    if proj.method != "umap":
        return proj.inverse(pts)
    f = paths.cache_dir() / f"umapgrid-{disk_key(m.sha, d, n_max, n, bounds)}.npz"
    if f.is_file():
        with np.load(f, allow_pickle=False) as arrays:
            return arrays["latents"]
    z = proj.inverse(pts)
    _save_npz(f, latents=z)
    return z


@spinning("spin_decode_grid")
@st.cache_data(max_entries=16, show_spinner=False)
def grid_mosaic(m: ModelRef, d: DataRef, n_max: int | None, method: str, n: int, bounds: tuple,
                label: int | None = None) -> np.ndarray:
    """The decoded grid as one uint8 mosaic (a conditional model: with ``label``)."""
    z = grid_latents(m, d, n_max, method, n, bounds)
    return lat.tile(lat.to_uint8_images(lat.decode_points(m.model, z, label, workers=CPU_WORKERS)), n)


@spinning("spin_hover")
@st.cache_data(max_entries=16, show_spinner=False)
def hover_sprite(m: ModelRef, d: DataRef, n_max: int | None, method: str, nf: int, bounds: tuple,
                 label: int | None = None) -> bytes:
    """The hover preview's sprite sheet: the nf×nf fine grid over the same plane and bounds as the
    clickable grid (``grid_latents``: PCA/UMAP inverse included), decoded (a conditional model: with
    ``label``) and tiled row-major, row 0 on top, into one lossless PNG."""
    z = grid_latents(m, d, n_max, method, nf, bounds)
    images = lat.to_uint8_images(lat.decode_points(m.model, z, label, workers=CPU_WORKERS))
    return figures.png_bytes(lat.tile(images, nf))


@st.cache_data(max_entries=16, show_spinner=False)
def hover_html(m: ModelRef, d: DataRef, n_max: int | None, method: str, nf: int, bounds: tuple,
               label: int | None, texts: tuple[tuple[str, str], ...]) -> str:
    """The hover preview component's page (``ui.logic.hover.component_html``), built once per grid
    and language (``texts``, the strings it shows, are part of the key)."""
    sprite = hover_sprite(m, d, n_max, method, nf, bounds, label)
    return hover.component_html(figures.png_data_uri(sprite), nf, d.data.image_shape[-1], bounds, dict(texts))


@st.cache_data(max_entries=16, show_spinner=False)
def strip_row(m: ModelRef, d: DataRef, n: int, label: int | None = None) -> tuple[np.ndarray, float, float]:
    """A 1-D latent's grid is a row: n decoded values of z₁ from the 0.5% to the 99.5% quantile of the
    test latents; returns (mosaic, lowest, highest)."""
    z = latents(m, d, 5000)["mu"][:, 0]
    lo, hi = (float(v) for v in np.percentile(z, [0.5, 99.5]))
    values = np.linspace(lo, hi, n, dtype=np.float32)[:, None]
    return lat.tile(lat.to_uint8_images(lat.decode_points(m.model, values, label)), n, pad=2), lo, hi


def decode_one(m: ModelRef, z: np.ndarray, label: int | None = None) -> np.ndarray:
    """One latent → one uint8 image (H, W[, 3]). Not cached: a click decodes live, on one thread."""
    with one_thread():
        return lat.to_uint8_images(lat.decode_points(m.model, np.asarray(z, np.float32)[None], label))[0]


# ------------------------------------------------------------------ reconstructions and metrics

@spinning("spin_errors")
@st.cache_data(max_entries=16, show_spinner=False)
def recon_errors(m: ModelRef, d: DataRef) -> np.ndarray:
    data = d.data
    return reconstruction_errors(m.model, data.x_test, data.y_test).numpy()


@st.cache_data(max_entries=32, show_spinner=False)
def reconstructions(m: ModelRef, d: DataRef, idx: tuple) -> np.ndarray:
    """uint8 reconstructions of the chosen test images."""
    data = d.data
    with torch.inference_mode():
        return lat.to_uint8_images(m.model.reconstruct(to_float(data.x_test[list(idx)]), data.y_test[list(idx)]))


@spinning("spin_metrics")
@st.cache_data(max_entries=16, show_spinner=False)
def metrics(m: ModelRef, d: DataRef) -> dict:
    """evaluate() on the first METRIC_TEST_MAX test and METRIC_TRAIN_MAX train images."""
    data = d.data
    sub = Dataset(data.name, data.x_train[:METRIC_TRAIN_MAX], data.y_train[:METRIC_TRAIN_MAX],
                  data.x_test[:METRIC_TEST_MAX], data.y_test[:METRIC_TEST_MAX], data.classes)
    return evaluate(m.model, sub, "test", m.beta, nll_k=METRIC_NLL_K)


@st.cache_data(max_entries=32, show_spinner=False)
def prior_samples(m: ModelRef, n: int, seed: int, temperature: float = 1.0,
                  labels: tuple[int, ...] | None = None) -> np.ndarray:
    """n decoded prior draws z = T·ε (uint8); ``labels`` (one per image) for a conditional model."""
    with torch.inference_mode():
        g = torch.Generator().manual_seed(seed)
        y = None if labels is None else torch.tensor(labels)
        return lat.to_uint8_images(m.model.sample(n, g, y, temperature).cpu())


@st.cache_data(max_entries=16, show_spinner=False)
def interpolation(m: ModelRef, d: DataRef, a: int, b: int, steps: int, method: str) -> np.ndarray:
    """Decoded frames from test image a's latent to b's (uint8); a conditional model keeps a's label."""
    data = d.data
    with torch.inference_mode():
        z = m.model.latent(to_float(data.x_test[[a, b]]), data.y_test[[a, b]]).numpy()
    path = lat.interpolate(z[0], z[1], steps, method)
    label = int(data.y_test[a]) if m.model.conditional else None
    return lat.to_uint8_images(lat.decode_points(m.model, path, label))


@st.cache_data(max_entries=16, show_spinner=False)
def layer_table(m: ModelRef) -> str:
    from vae_core.summary import format_table
    from vae_core.summary import layer_table as rows

    model = m.model
    return format_table(rows(model, model.config.image_shape), model)


# ------------------------------------------------------------------ figures (built once, never mutated)

@st.cache_resource(max_entries=16, show_spinner=False)
def scatter_figure(m: ModelRef, d: DataRef, n_max: int | None, method: str, reproducible: bool, sigma: bool,
                   highlight: int | None, height: int, title: str, lang: str, source: str = points.TEST_ONLY):
    """The latent map's figure: one trace per class, σ ellipses on request, a starred point. Its texts
    are in ``lang`` (``text.current_language()``, part of the key: a language switch rebuilds it)."""
    enc = latents(m, d, n_max, source)
    proj = projection(m, d, n_max, method, reproducible, source=source)
    labels = enc["labels"]
    el = clicks.sigma_ellipses(proj, enc["logvar"]) if sigma else None
    classes = text.class_names(d.name, d.data.classes)
    return figures.latent_scatter(clicks.display_coords(proj, labels), labels, classes, enc["idx"], title, el,
                                  highlight, height, axis_titles=figures.plane_axes(proj.method),
                                  split=None if source == points.TEST_ONLY else enc["split"])


@st.cache_data(max_entries=8, show_spinner=False)
def latents_csv(m: ModelRef, d: DataRef, n_max: int | None, method: str, reproducible: bool,
                source: str = points.TEST_ONLY) -> bytes:
    enc = latents(m, d, n_max, source)
    proj = projection(m, d, n_max, method, reproducible, source=source)
    return clicks.latents_csv(enc["idx"], enc["labels"], proj.coords, enc["mu"],
                              None if source == points.TEST_ONLY else enc["split"])


@st.cache_resource(max_entries=8, show_spinner=False)
def grid_figure(m: ModelRef, d: DataRef, n_max: int | None, method: str, n: int, bounds: tuple,
                label: int | None, show_points: bool, lang: str):
    """The clickable decoded grid over a plane (with the data's points on top on request); its hover
    text is in ``lang``."""
    mosaic = grid_mosaic(m, d, n_max, method, n, bounds, label)
    tile = d.data.image_shape[-1]
    overlay = None
    if show_points:
        enc = latents(m, d, n_max)
        proj = projection(m, d, n_max, method, need_inverse=(method == "umap"))
        overlay = (clicks.plane_to_pixel(proj.coords, bounds, n, tile), d.data.y_test.numpy()[enc["idx"]])
    return figures.latent_grid(mosaic, n, tile, bounds, overlay, far_cells(m, d, n_max, method, n, bounds))


@st.cache_data(max_entries=16, show_spinner=False)
def far_cells(m: ModelRef, d: DataRef, n_max: int | None, method: str, n: int, bounds: tuple) -> np.ndarray | None:
    """On a UMAP plane, the grid cells with no encoded image in or next to them (their decoded
    images are extrapolations of the inverse map); None on a linear plane, where every cell is a
    latent the decoder reads the same way."""
    if method != "umap":
        return None
    proj = projection(m, d, n_max, method, need_inverse=True)
    return lat.cells_far_from_data(proj.coords, bounds, n)


# ------------------------------------------------------------------ generation and inference (Generate page)

@st.cache_resource(max_entries=8, show_spinner=False)
def classifier(dataset: str, folder_mtime: float = 0.0):
    """(SmallCNN, metadata) shipped for a dataset (checkpoints/classifiers/<name>.safetensors), or None."""
    from vae_core import classifier as clf

    f = paths.checkpoints_dir() / "classifiers" / f"{dataset}.safetensors"
    if not f.is_file():
        return None
    try:
        return clf.load(f)
    except clf.ClassifierError:
        return None


def judge(dataset: str):
    return classifier(dataset, _stat(paths.checkpoints_dir() / "classifiers"))


@st.cache_data(max_entries=32, show_spinner=False)
def prior_confidence(m: ModelRef, dataset: str, n: int, seed: int, temperature: float) -> dict | None:
    """The holes number of a model's prior samples: the share a classifier trained on real images
    labels with confidence ≥ 0.9 (and the mean confidence); None without a classifier."""
    from vae_core import classifier as clf
    from vae_core.generate import confident_share, effective_classes

    judged = judge(dataset)
    if judged is None:
        return None
    with torch.inference_mode():
        g = torch.Generator().manual_seed(seed)
        model = m.model
        y = (torch.arange(n) % model.config.num_classes) if model.conditional else None
        probs = clf.probabilities(judged[0], model.sample(n, g, y, temperature).cpu()).numpy()
    return {"share": confident_share(probs), "mean_conf": float(probs.max(1).mean()), "n": n,
            "classes": effective_classes(probs), "k": probs.shape[1]}


@st.cache_data(max_entries=16, show_spinner=False)
def style_content_grid(m: ModelRef, rows: int, seed: int, temperature: float) -> np.ndarray:
    """A CVAE's style-versus-content mosaic: row r decodes one z_r with every class (columns)."""
    model = m.model
    k = model.config.num_classes
    with torch.inference_mode():
        z = model.prior_draw(rows, torch.Generator().manual_seed(seed), temperature)  # (rows, d)
        zz = z.repeat_interleave(k, 0)  # row-major: z_0 with classes 0..k-1, then z_1, …
        y = torch.arange(k).repeat(rows).to(zz.device)
        return lat.tile(lat.to_uint8_images(model.decode(zz, y).cpu()), k, pad=2)


@st.cache_data(max_entries=16, show_spinner=False)
def class_accuracy(m: ModelRef, dataset: str, label: int, n: int, seed: int, temperature: float) -> float | None:
    """The share of a conditional model's samples of ``label`` that the classifier labels so."""
    from vae_core import classifier as clf

    judged = judge(dataset)
    if judged is None:
        return None
    with torch.inference_mode():
        imgs = m.model.sample(n, torch.Generator().manual_seed(seed), torch.full((n,), label), temperature).cpu()
        return float((clf.probabilities(judged[0], imgs).argmax(1) == label).float().mean())


@st.cache_data(max_entries=16, show_spinner=False)
def encode_indices(m: ModelRef, d: DataRef, idx: tuple[int, ...]) -> dict:
    """{"mu": (k, d), "logvar": (k, d) or None} of chosen test images."""
    data = d.data
    sel = torch.tensor(idx)
    mu, logvar = lat.encode_dataset(m.model, data.x_test[sel], data.y_test[sel])
    return {"mu": mu, "logvar": logvar}


@st.cache_data(max_entries=16, show_spinner=False)
def kl_per_dim(m: ModelRef, d: DataRef, n_max: int = 2000) -> list[float] | None:
    """Mean KL of each latent dimension over (up to n_max) test images; None for an AE."""
    from vae_core.metrics import mean_kl_per_dim

    if not m.model.variational:
        return None
    data = d.data
    return mean_kl_per_dim(m.model, data.x_test[:n_max], data.y_test[:n_max])


@st.cache_data(max_entries=16, show_spinner=False)
def posterior(m: ModelRef, d: DataRef, index: int, n: int, seed: int) -> dict:
    """One test image's posterior made visible: decoded μ, n decoded draws z = μ + σ·ε, the draws."""
    from vae_core.generate import posterior_draws

    data = d.data
    mean_img, draws, z = posterior_draws(m.model, data.x_test[index:index + 1], data.y_test[index],
                                         n, torch.Generator().manual_seed(seed))
    return {"mean": lat.to_uint8_images(mean_img)[0], "draws": lat.to_uint8_images(draws), "z": z.numpy()}


@st.cache_data(max_entries=16, show_spinner=False)
def traversal(m: ModelRef, d: DataRef, index: int, dims: tuple[int, ...], steps: int) -> np.ndarray:
    """Rows of decoded images, one row per latent dimension swept over μ ± 3σ (AE: its data range)
    with the others fixed at the image's own latent."""
    from vae_core.generate import traversal_spreads, traversal_values, traverse

    enc = encode_indices(m, d, (index,))
    mu, logvar = enc["mu"][0], None if enc["logvar"] is None else enc["logvar"][0]
    spreads = traversal_spreads(mu, logvar, latents(m, d, 2000)["mu"])
    z = np.concatenate([traverse(mu, j, traversal_values(mu[j], spreads[j], steps)) for j in dims])
    label = int(d.data.y_test[index]) if m.model.conditional else None
    return lat.tile(lat.to_uint8_images(lat.decode_points(m.model, z, label)), steps, pad=2)


# ------------------------------------------------------------------ uses (Uses page)

USE_N = 1000  # test images behind the compression, denoising and anomaly numbers
USE_FILL_N = 200  # test images behind the filling number
USE_PROBE_TEST = 2000  # test images of the few-label classifiers


@st.cache_data(max_entries=64, show_spinner=False)
def use_compression(m: ModelRef, d: DataRef, n: int = USE_N, bits: tuple[int, ...] = (32, 8, 4)) -> list[dict]:
    """Bytes per latent and the PSNR of decoding it, float32 and quantised (``vae_core.uses.compression``)."""
    from vae_core import uses

    data = d.data
    return uses.compression(m.model, data.x_test[:n], data.y_test[:n], bits)


@st.cache_data(max_entries=32, show_spinner=False)
def use_quantised_images(m: ModelRef, d: DataRef, idx: tuple[int, ...], bits: int, n: int = USE_N) -> np.ndarray:
    """uint8 decodes of chosen test images' latents stored at ``bits`` per number (32: float), quantised
    over the range of the first n test images' latents (as ``use_compression`` does)."""
    from vae_core import uses

    data, model = d.data, m.model
    sel = list(idx)
    mu = lat.encode_dataset(model, data.x_test[sel], data.y_test[sel])[0]
    if bits < 32:
        lo, hi = uses.quant_range(lat.encode_dataset(model, data.x_test[:n], data.y_test[:n])[0])
        mu = uses.dequantise(uses.quantise(mu, lo, hi, bits), lo, hi, bits)
    return lat.to_uint8_images(lat.decode_points(model, mu, data.y_test[sel]))


@st.cache_data(max_entries=64, show_spinner=False)
def use_denoise(m: ModelRef, d: DataRef, spec: str, n: int = USE_N, seed: int = 0) -> dict:
    """Mean PSNR of the noisy input and of the model's reconstruction of it (first n test images)."""
    from vae_core import uses

    data = d.data
    return uses.denoise(m.model, data.x_test[:n], data.y_test[:n], spec, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def use_noisy(d: DataRef, idx: tuple[int, ...], spec: str, seed: int = 0) -> np.ndarray:
    """Float (k, C, H, W) noisy copies of chosen test images (the same noise for every model)."""
    from vae_core.noise import corrupt

    x = to_float(d.data.x_test[list(idx)])
    return corrupt(x, spec, torch.Generator().manual_seed(seed)).numpy()


@st.cache_data(max_entries=64, show_spinner=False)
def use_denoised(m: ModelRef, d: DataRef, idx: tuple[int, ...], spec: str, seed: int = 0) -> np.ndarray:
    """uint8 reconstructions of the noisy copies ``use_noisy`` makes."""
    noisy = torch.from_numpy(use_noisy(d, idx, spec, seed))
    with torch.inference_mode():
        return lat.to_uint8_images(m.model.reconstruct(noisy, d.data.y_test[list(idx)]))


def use_masks(mask: tuple, idx, shape: tuple[int, ...]) -> torch.Tensor:
    """(k, 1, H, W) masks (1 = known) of test images ``idx``: ("box", top, left, height, width), or
    ("random", fraction, seed) with each image's pixels drawn from a generator seeded by seed and its index."""
    from vae_core import uses

    h, w = shape[-2:]
    if mask[0] == "box":
        return uses.box_mask(h, w, *mask[1:]).expand(len(idx), 1, h, w)
    _, fraction, seed = mask
    return torch.cat([uses.random_mask(1, h, w, fraction, torch.Generator().manual_seed(seed * 1_000_003 + int(i)))
                      for i in idx])


@st.cache_data(max_entries=64, show_spinner=False)
def use_fill_scores(m: ModelRef, d: DataRef, mask: tuple, iters: int, n: int = USE_FILL_N) -> dict:
    """Masked-region MSE of the mean fill and of each iteration (first n test images)."""
    from vae_core import uses

    data = d.data
    n = min(n, len(data.x_test))
    masks = use_masks(mask, range(n), data.image_shape)
    return uses.fill_scores(m.model, data.x_test[:n], data.y_test[:n], masks, iters)


@st.cache_data(max_entries=64, show_spinner=False)
def use_fill_images(m: ModelRef, d: DataRef, idx: tuple[int, ...], mask: tuple, iters: int) -> dict:
    """uint8 images of chosen test images: the mean fill, the model's fill, and the masks (k, H, W)."""
    from vae_core import uses

    data = d.data
    x = to_float(data.x_test[list(idx)])
    masks = use_masks(mask, idx, data.image_shape)
    steps = uses.iterative_fill(m.model, x, masks, data.y_test[list(idx)], iters)
    return {"mean": lat.to_uint8_images(steps[0]), "filled": lat.to_uint8_images(steps[-1]),
            "mask": masks[:, 0].numpy()}


@st.cache_data(max_entries=32, show_spinner=False)
def use_anomaly(m: ModelRef, d: DataRef, n: int = USE_N, n_samples: int = 1) -> dict:
    """Per-image anomaly scores of the first n test images of a dataset (which may be another one
    than the model's): reconstruction MSE and, for a VAE, −ELBO."""
    from vae_core import uses

    data = d.data
    return uses.anomaly_scores(m.model, data.x_test[:n], data.y_test[:n], n_samples)


def _probe_data(d: DataRef, max_per_class: int, n_test: int):
    """(pool images, pool labels, test images, test labels, pool_from_test) for the few-label classifiers."""
    from vae_core import uses

    data = d.data
    pool, test, from_test = uses.probe_split(data.y_train.numpy(), data.y_test.numpy(), max_per_class, n_test)
    xs, ys = (data.x_test, data.y_test) if from_test else (data.x_train, data.y_train)
    return xs[pool], ys[pool], data.x_test[test], data.y_test[test], from_test


@st.cache_data(max_entries=32, show_spinner=False)
def use_probe(m: ModelRef | None, d: DataRef, per_class: tuple[int, ...] = (10, 100, 1000),
              n_test: int = USE_PROBE_TEST) -> dict:
    """Few-label accuracy of a linear classifier on the model's μ (``m``) or on raw pixels (``m`` None):
    {"rows": [{"per_class", "n_train", "acc"}], "pool_from_test", "n_test"}."""
    from vae_core import uses

    x_pool, y_pool, x_te, y_te, from_test = _probe_data(d, max(per_class), n_test)
    if m is None:
        f_pool, f_te = uses.flat_pixels(x_pool), uses.flat_pixels(x_te)
    else:
        f_pool, f_te = (lat.encode_dataset(m.model, xs, ys, batch_size=ENCODE_BATCH, workers=CPU_WORKERS)[0]
                        for xs, ys in ((x_pool, y_pool), (x_te, y_te)))
    rows = uses.few_label_accuracies({"acc": (f_pool, f_te)}, y_pool.numpy(), y_te.numpy(), per_class)
    return {"rows": rows, "pool_from_test": from_test, "n_test": len(y_te)}


@st.cache_data(max_entries=16, show_spinner=False)
def use_augmentation(m: ModelRef, d: DataRef, real_per_class: int = 100, n_gen: int = 1000, seed: int = 0,
                     n_test: int = USE_PROBE_TEST) -> dict:
    """A linear classifier on pixels trained on ``real_per_class`` real images per class, with and
    without ``n_gen`` images a conditional model generates (classes in turn)."""
    from vae_core import uses

    x_pool, y_pool, x_te, y_te, from_test = _probe_data(d, real_per_class, n_test)
    model = m.model
    with torch.inference_mode():
        y_gen = torch.arange(n_gen) % model.config.num_classes
        x_gen = model.sample(n_gen, torch.Generator().manual_seed(seed), y_gen).cpu().flatten(1).numpy()
    res = uses.augmentation_accuracy(uses.flat_pixels(x_pool), y_pool.numpy(), x_gen, y_gen.numpy(),
                                     uses.flat_pixels(x_te), y_te.numpy())
    return {**res, "pool_from_test": from_test, "n_test": len(y_te)}
