"""Latent-space tools: encode a dataset, project to 2-D with an inverse map back to the
latent space, decode an n×n grid of plane points in one batch, interpolate, find neighbours.

    proj = fit_projection(z, "pca")        # (N, d) → a Projection
    xy = proj.coords                         # (N, 2)
    pts = grid_points(proj.bounds(), n=20)   # (400, 2), row-major, top row first
    imgs = decode_points(model, proj.inverse(pts))   # (400, C, H, W), one batch

Methods: ``identity`` (d = 2), ``pca`` (exact inverse on its plane), ``umap`` (its
``inverse_transform``; imported only when asked for), ``tsne`` (no inverse).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .data import check_compatible, to_float
from .errors import ProjectionError
from .models import AE

METHODS = ("pca", "umap", "tsne", "identity", "strip")


@dataclass
class Projection:
    method: str
    coords: np.ndarray  # (N, 2) float32
    params: dict[str, Any] = field(default_factory=dict)
    _mean: np.ndarray | None = None  # pca
    _components: np.ndarray | None = None  # pca (2, d)
    explained_variance_ratio: np.ndarray | None = None  # pca
    _umap: Any = None

    @property
    def invertible(self) -> bool:
        return self.method in ("identity", "pca", "umap", "strip")

    def bounds(self, margin: float = 0.05, lo_q: float = 0.5, hi_q: float = 99.5) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) covering the data (robust percentiles) plus a margin."""
        lo = np.percentile(self.coords, lo_q, axis=0)
        hi = np.percentile(self.coords, hi_q, axis=0)
        pad = (hi - lo) * margin
        return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])

    def transform(self, z: np.ndarray) -> np.ndarray:
        """(M, d) latents → (M, 2) plane points, for the linear planes (identity, PCA)."""
        z = np.asarray(z, dtype=np.float32).reshape(len(np.atleast_2d(z)), -1)
        if self.method == "identity":
            return z[:, :2].copy()
        if self.method == "strip":
            return np.column_stack([z[:, 0], np.zeros(len(z), np.float32)])
        if self.method == "pca":
            return ((z - self._mean) @ self._components.T).astype(np.float32)
        raise ProjectionError(f"{self.method} has no linear map for new points; use PCA")

    def inverse(self, pts: np.ndarray) -> np.ndarray:
        """(M, 2) plane points → (M, d) latents."""
        pts = np.asarray(pts, dtype=np.float32).reshape(-1, 2)
        if self.method == "identity":
            return pts.copy()
        if self.method == "strip":  # a 1-D latent: only the x of a plane point means anything
            return pts[:, :1].copy()
        if self.method == "pca":
            return (self._mean + pts @ self._components).astype(np.float32)
        if self.method == "umap":
            return np.asarray(self._umap.inverse_transform(pts), dtype=np.float32)
        raise ProjectionError("t-SNE has no inverse map; use PCA or UMAP for a latent grid")


def umap_epochs(n: int) -> int:
    """The layout epochs umap-learn runs by default for n points (500 up to 10,000, then 200)."""
    return 500 if n <= 10_000 else 200


class _EpochReport:
    """A file for umap-learn's tqdm bar (``bar_format="{n} {total}"``): every line it writes is
    passed on as ``report(epochs done, epochs in all)``."""

    def __init__(self, report: Callable[[int, int], None]):
        self.report = report

    def write(self, s: str) -> None:
        found = re.findall(r"(\d+) (\d+)", s)
        if found:
            self.report(int(found[-1][0]), int(found[-1][1]))

    def flush(self) -> None:
        pass


def fit_projection(z: np.ndarray, method: str = "pca", seed: int = 0, n_neighbors: int = 15,
                   min_dist: float = 0.1, perplexity: float = 30.0, reproducible: bool = True,
                   on_epoch: Callable[[int, int], None] | None = None) -> Projection:
    """Project (N, d) latents to 2-D. ``reproducible=False`` lets UMAP run in parallel (faster,
    not bit-identical between runs). ``on_epoch(done, total)``: UMAP's progress through its layout
    epochs, called from the fitting thread (first with done = 0, once the neighbour graph and the
    initial layout are built); it does not change the result."""
    z = np.asarray(z, dtype=np.float32)
    if z.ndim != 2 or len(z) < 3:
        raise ProjectionError(f"need at least 3 latent vectors of shape (N, d), got {z.shape}")
    d = z.shape[1]
    if d == 1:  # nothing to project: the latent is the x axis (the map draws it against the class)
        return Projection("strip", np.column_stack([z[:, 0], np.zeros(len(z), np.float32)]), {})
    if method == "identity" or (method == "pca" and d == 2):
        return Projection("identity", z.copy(), {})
    if method == "pca":
        if d < 2:
            raise ProjectionError("PCA to 2-D needs a latent of at least 2 dimensions")
        mean = z.mean(0)
        u, s, vt = np.linalg.svd(z - mean, full_matrices=False)
        comps = vt[:2]
        # fix the sign so the plane does not flip between runs
        signs = np.sign(comps[np.arange(2), np.abs(comps).argmax(1)])
        comps = comps * signs[:, None]
        var = s**2
        return Projection("pca", ((z - mean) @ comps.T).astype(np.float32), {}, mean, comps.astype(np.float32),
                          var[:2] / var.sum())
    if method == "umap":
        params = {"n_neighbors": int(n_neighbors), "min_dist": float(min_dist)}
        kw: dict[str, Any] = {"random_state": seed} if reproducible else {}
        if on_epoch is not None:  # its tqdm bar, on without verbose's prints, writing "done total" to us
            kw["tqdm_kwds"] = {"disable": False, "file": _EpochReport(on_epoch), "bar_format": "{n} {total}",
                               "mininterval": 0.2}
        reducer = _umap_reducer(**params, **kw)
        coords = reducer.fit_transform(z).astype(np.float32)
        return Projection("umap", coords, {**params, "reproducible": reproducible}, _umap=reducer)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perp = float(min(perplexity, max(2.0, (len(z) - 1) / 3)))
        coords = TSNE(2, perplexity=perp, init="pca", random_state=seed).fit_transform(z).astype(np.float32)
        return Projection("tsne", coords, {"perplexity": perp})
    raise ProjectionError(f"unknown projection {method!r}; choose from {', '.join(METHODS)}")


def _umap_reducer(**kw):
    """A 2-D ``umap.UMAP`` that finds neighbours with NN-descent at every size. Below 4,096 points
    umap-learn 0.5 would compute exact neighbours with sklearn's pairwise_distances over a numba
    metric called from Python for every pair, which makes maps just under 4,096 points slower than
    maps just over it; NN-descent finds nearly all of the exact 15 neighbours at those sizes.
    ``fit_projection`` and ``warm_umap`` both build through here, so the warm-up compiles the path
    the fits take."""
    import umap  # heavy (numba): import only when asked for

    return umap.UMAP(n_components=2, force_approximation_algorithm=True, **kw)


def warm_umap(dim: int = 16, seed: int = 0) -> None:
    """Compile UMAP's numba kernels (~25 s on 2 cores) before anyone waits for them: one fit with
    NN-descent (the only neighbour path ``fit_projection`` uses) and an inverse transform, on random
    data with few epochs. Results are discarded; only the compiled code stays."""
    z = np.random.default_rng(seed).standard_normal((500, dim)).astype(np.float32)
    reducer = _umap_reducer(n_epochs=20)
    reducer.fit_transform(z)
    reducer.inverse_transform(np.zeros((4, 2), np.float32))


def grid_points(bounds: tuple[float, float, float, float], n: int) -> np.ndarray:
    """n×n cell centres over (x0, x1, y0, y1), row-major with the TOP row (largest y) first,
    so that tiling the decoded images matches the plot's orientation. Shape (n*n, 2)."""
    return np.array([cell_centre(bounds, n, r, c) for r in range(n) for c in range(n)], dtype=np.float32).reshape(-1, 2)


def cell_centre(bounds: tuple[float, float, float, float], n: int, row: int, col: int) -> tuple[float, float]:
    """The plane point of grid cell (row, col), row 0 on top; the inverse of :func:`cell_of_point`.
    Corner cells sit on the bounds; a 1×1 grid sits at their middle."""
    x0, x1, y0, y1 = bounds
    fx = 0.5 if n == 1 else col / (n - 1)
    fy = 0.5 if n == 1 else row / (n - 1)
    return float(x0 + fx * (x1 - x0)), float(y1 - fy * (y1 - y0))


def cell_of_point(x: float, y: float, bounds: tuple[float, float, float, float], n: int) -> tuple[int, int]:
    """(row, col) of the grid cell whose centre is nearest a plane point (row 0 = top)."""
    x0, x1, y0, y1 = bounds
    col = 0 if n == 1 else round((x - x0) / (x1 - x0) * (n - 1))
    row = 0 if n == 1 else round((y1 - y) / (y1 - y0) * (n - 1))
    return int(min(max(row, 0), n - 1)), int(min(max(col, 0), n - 1))


def cells_far_from_data(points: np.ndarray, bounds: tuple[float, float, float, float], n: int) -> np.ndarray:
    """(n*n,) bool in :func:`grid_points` order: True where no data point lies in the cell or in
    one of its 8 neighbours (cells are the nearest-centre regions of :func:`cell_of_point`). There a
    grid decodes an extrapolation: a UMAP inverse, fitted on the data only, repeats its edge images."""
    x0, x1, y0, y1 = bounds
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if n == 1:
        return np.array([len(pts) == 0])
    col = np.rint((pts[:, 0] - x0) / (x1 - x0) * (n - 1)).astype(np.int64)
    row = np.rint((y1 - pts[:, 1]) / (y1 - y0) * (n - 1)).astype(np.int64)
    keep = (col >= -1) & (col <= n) & (row >= -1) & (row <= n)  # a point one cell outside still counts
    hit = np.zeros((n + 4, n + 4), bool)  # padded: index i sits at i + 2
    hit[row[keep] + 2, col[keep] + 2] = True
    near = np.zeros_like(hit)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            near |= np.roll(np.roll(hit, dr, 0), dc, 1)
    return ~near[2:n + 2, 2:n + 2].reshape(-1)


def in_batches(fn: Callable[[slice], Any], n: int, batch_size: int, workers: int = 1) -> list:
    """[fn(batch) for each slice of up to ``batch_size`` of n items], in order. ``workers`` > 1: the
    batches are shared among that many threads, each running torch on one thread, instead of one
    OpenMP team per batch (``fn`` runs in those threads: thread-local modes such as
    ``torch.inference_mode`` belong inside it). A team's threads wait for each other at every layer,
    so one busy core stalls them all; workers do not wait. The results may differ from a team's in the
    last bits (another thread count or batch size can pick another kernel); for the measurements below
    they were the same bits.

    Measured with ``bench/encode_workers.py`` on the 2-core development machine, quiet / with another
    process spinning on one core: 70,000 MNIST images through the resconv VAE's encoder in batches of
    512, 1 thread 7.8 / 8.1 s, a team of 2 threads 4.1 / 29.7 s, 2 workers 4.7 / 7.0 s."""
    batches = [slice(i, min(i + batch_size, n)) for i in range(0, n, max(1, batch_size))]
    if workers <= 1 or len(batches) <= 1:
        return [fn(b) for b in batches]

    saved = torch.get_num_threads()

    def on_one_thread(b: slice):
        torch.set_num_threads(1)  # this worker's own count: a running thread keeps its own
        try:
            return fn(b)
        finally:
            torch.set_num_threads(saved)

    try:
        with ThreadPoolExecutor(min(workers, len(batches)), thread_name_prefix="vae-core") as pool:
            return list(pool.map(on_one_thread, batches))  # in batch order
    finally:
        torch.set_num_threads(saved)  # the count a new thread starts with is the last one set, by any thread


def _cpu_workers(model: AE, workers: int) -> int:
    """Workers share a CPU's cores; on an accelerator one stream of batches is the fast path."""
    return workers if next(model.parameters()).device.type == "cpu" else 1


def encode_dataset(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None = None,
                   batch_size: int = 1000, workers: int = 1) -> tuple[np.ndarray, np.ndarray | None]:
    """uint8 (N, C, H, W) → point latents (N, d) (a VAE's μ; a feature-map latent is flattened)
    and, for a variational kind, the posterior log-variances (N, d); float32 numpy on the CPU.
    ``y``: the labels, which a conditional kind encodes with. ``workers``: see :func:`in_batches`."""
    check_compatible(model, x_u8)
    model.eval()
    device = next(model.parameters()).device

    def one(b: slice) -> tuple[torch.Tensor, torch.Tensor | None]:
        with torch.inference_mode():
            enc = model.encode(to_float(x_u8[b].to(device)), None if y is None else y[b].to(device))
            return enc.mu.flatten(1).float().cpu(), None if enc.logvar is None else enc.logvar.float().cpu()

    parts = in_batches(one, len(x_u8), batch_size, _cpu_workers(model, workers))
    d = model.config.latent_size
    mu = torch.cat([p[0] for p in parts]).numpy() if parts else np.zeros((0, d), np.float32)
    logvars = [p[1] for p in parts if p[1] is not None]
    return mu, (torch.cat(logvars).numpy() if logvars else None)


def decode_points(model: AE, z: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor | int | None = None,
                  workers: int = 1, batch_size: int = 256) -> torch.Tensor:
    """Decode (M, d) latents; returns float (M, C, H, W) on the CPU. ``y``: one label for all, or one
    per latent (conditional kinds). In ONE batch by default; with ``workers`` > 1, in batches of
    ``batch_size`` shared among single-threaded workers (:func:`in_batches`), which is faster for a
    large sheet on a few cores, above all when another process holds one (``bench/encode_workers.py``
    measures it)."""
    model.eval()
    device = next(model.parameters()).device
    z = torch.as_tensor(np.asarray(z, dtype=np.float32)).to(device)
    labels = soft if (soft := soft_labels(y, len(z), device)) is not None else as_labels(y, len(z), device)
    workers = _cpu_workers(model, workers)

    def one(b: slice) -> torch.Tensor:
        with torch.inference_mode():
            return model.decode_flat(z[b], None if labels is None else labels[b]).float().cpu()

    if workers <= 1 or len(z) == 0:
        return one(slice(0, len(z)))
    return torch.cat(in_batches(one, len(z), batch_size, workers))


def soft_labels(y, n: int, device: torch.device | str = "cpu") -> torch.Tensor | None:
    """An (n, K) float array of soft one-hot labels as a float32 tensor; None for anything else."""
    if y is None or isinstance(y, int) or np.ndim(y) != 2 or not np.issubdtype(np.asarray(y).dtype, np.floating):
        return None
    t = torch.as_tensor(np.asarray(y, dtype=np.float32)).to(device)
    if len(t) != n:
        raise ValueError(f"{len(t)} soft labels for {n} latents")
    return t


def label_path(ya: int, yb: int, steps: int, k: int, mode: str = "mix") -> np.ndarray:
    """(steps, K) one-hot labels for an interpolation from a class-ya image to a class-yb one: ``a``
    keeps ya all the way, ``b`` uses yb all the way, ``mix`` goes linearly from onehot(ya) to
    onehot(yb) (a conditional decoder reads a soft one-hot as a mix of classes)."""
    if mode not in ("a", "b", "mix"):
        raise ValueError(f"unknown label mode {mode!r}; use a, b or mix")
    oa, ob = np.eye(k, dtype=np.float32)[ya], np.eye(k, dtype=np.float32)[yb]
    t = np.linspace(0, 1, steps, dtype=np.float32)[:, None] if mode == "mix" else np.full((steps, 1), float(mode == "b"), np.float32)
    return (1 - t) * oa + t * ob


def as_labels(y, n: int, device: torch.device | str = "cpu") -> torch.Tensor | None:
    """None, one label, or n labels → None or an int64 tensor of n labels."""
    if y is None:
        return None
    t = torch.as_tensor(np.asarray(y, dtype=np.int64)).reshape(-1).to(device)
    return t.expand(n) if t.numel() == 1 else t


def to_uint8_images(x: torch.Tensor) -> np.ndarray:
    """(M, C, H, W) float in [0,1] or uint8 → uint8 (M, H, W) grey or (M, H, W, 3) RGB, for display."""
    a = (x if x.dtype == torch.uint8 else (x.clamp(0, 1) * 255).round().to(torch.uint8)).cpu().numpy()
    return a[:, 0] if a.shape[1] == 1 else a.transpose(0, 2, 3, 1)


def tile(images: np.ndarray, n_cols: int, pad: int = 0, fill: int = 255) -> np.ndarray:
    """uint8 (M, H, W[, 3]) → one image of rows of n_cols tiles."""
    m = len(images)
    rows = math.ceil(m / n_cols)
    h, w = images.shape[1:3]
    shape = (rows * (h + pad) - pad, n_cols * (w + pad) - pad) + images.shape[3:]
    out = np.full(shape, fill, dtype=np.uint8)
    for i, im in enumerate(images):
        r, c = divmod(i, n_cols)
        out[r * (h + pad): r * (h + pad) + h, c * (w + pad): c * (w + pad) + w] = im
    return out


def interpolate(z0: np.ndarray, z1: np.ndarray, steps: int = 8, method: str = "linear") -> np.ndarray:
    """(steps, d) latents from z0 to z1 inclusive. ``slerp`` follows the great circle
    (Shoemake, 1985; White, 2016), keeping the norm typical of a Gaussian prior."""
    z0 = np.asarray(z0, dtype=np.float64).ravel()
    z1 = np.asarray(z1, dtype=np.float64).ravel()
    t = np.linspace(0, 1, steps)[:, None]
    if method == "linear":
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    if method != "slerp":
        raise ValueError(f"unknown interpolation {method!r}; use linear or slerp")
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 == 0 or n1 == 0:
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    omega = np.arccos(np.clip(np.dot(z0 / n0, z1 / n1), -1, 1))
    if omega < 1e-6:
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    so = np.sin(omega)
    return (np.sin((1 - t) * omega) / so * z0 + np.sin(t * omega) / so * z1).astype(np.float32)


def nearest_neighbors(z: np.ndarray, index: int, k: int = 8) -> np.ndarray:
    """Indices of the k nearest latents to z[index] (Euclidean), excluding itself, nearest first."""
    z = np.asarray(z, dtype=np.float32)
    d = np.linalg.norm(z - z[index], axis=1)
    d[index] = np.inf
    k = min(k, len(z) - 1)
    idx = np.argpartition(d, k)[:k] if k < len(z) - 1 else np.arange(len(z))[np.isfinite(d)]
    return idx[np.argsort(d[idx])]
