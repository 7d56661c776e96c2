"""Decoding in the browser, the Streamlit-free half: the decoder's bytes, plane maps, slider order,
densities. The Streamlit component that runs the decoder in the page is ``ui.decoder_component``.

    spec = decoder_spec(path)                 # ONNX decoder bytes, exported once per file sha256 (disk cache)
    plane = plane_map(projection)             # z = origin + x·v1 + y·v2 (2-D latents, PCA); None for UMAP
    dims = slider_order(d, kl_per_dim(mu, logvar))            # by KL for a VAE, the first 32
    prior, data = plane_densities(plane, bounds, 64, mu, logvar)   # log p(z), log q(z) on the plane
    value = decoder_component.latent_decoder(spec, "sliders", key=..., texts=..., z0=mu_i, dims=dims)

The component (ui/components/latent_decoder/) runs onnxruntime-web (vendored in its ort/ folder, served
by the app; no CDN) and draws on a canvas at pointer speed. Where WebAssembly is missing or the decoder
is over ``CAP_BYTES`` it says so in its value (``backend`` "server", ``reason``) and sends the latent it
wants; ``server_decode_panel`` then decodes on the server and hands the pixels back to the same canvas.
Its texts come from Python (``texts``), in the page's language.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vae_core.errors import VaeCoreError
from vae_core.files import atomic_write, sha256_file

ROOT = Path(__file__).resolve().parent.parent
COMPONENT_DIR = Path(__file__).resolve().parent / "components" / "latent_decoder"
ORT_DIR = COMPONENT_DIR / "ort"
CAP_BYTES = 20_000_000  # a decoder over 20 MB is not sent to the page: the server decodes instead
MAX_SLIDERS = 32
MODES = ("sliders", "plane", "interp")
EXPORT_VERSION = 1  # part of the disk-cache key: bump when the exported graph changes


# ------------------------------------------------------------------ the decoder's bytes

file_sha256 = sha256_file  # the library's one helper


@dataclass(frozen=True)
class DecoderSpec:
    """What the page needs to run a model's decoder: the ONNX bytes (None when over the cap) and how
    to call it. ``label``: None, "index" (int64 (1,)) or "onehot" (float32 (1, K)); ``logits``: apply a
    sigmoid to the output; the output is reshaped to ``image_shape`` (C, H, W) whatever its rank."""
    sha: str
    onnx: bytes | None
    nbytes: int
    cap: int
    latent_dim: int
    image_shape: tuple[int, int, int]
    input_name: str = "z"
    label_name: str | None = None
    label: str | None = None
    num_classes: int = 0
    logits: bool = False

    @property
    def too_big(self) -> bool:
        return self.onnx is None

    def args(self) -> dict:
        """The JSON-safe part, for the component."""
        return {"sha": self.sha, "nbytes": self.nbytes, "cap": self.cap, "too_big": self.too_big,
                "latent_dim": self.latent_dim, "image_shape": list(self.image_shape), "input_name": self.input_name,
                "label_name": self.label_name, "label": self.label, "num_classes": self.num_classes,
                "logits": self.logits}


def default_cache_dir() -> Path:
    return Path(os.environ.get("VAE_EXPLORER_CACHE") or ROOT / ".cache")


def export_decoder(path: str | os.PathLike) -> tuple[bytes, dict]:
    """(decoder.onnx bytes, how to call it) for a model file: an imported zip's own decoder as it
    is; our .safetensors model exported with ``torch.onnx.export`` (as ``python -m vae_core export``
    does), input ``z`` (N, d) [, ``y`` int64 (N,)] → images (N, C, H, W) in [0, 1]."""
    from vae_core.model_file import is_imported

    path = Path(path)
    if is_imported(path):
        from vae_core.onnx_file import load_zip, read_zip

        _, dec, meta = read_zip(path)
        ck = load_zip(path)  # every check, including onnxruntime's trial run
        c, cfg = ck.model.contract, ck.model_config
        names = c.dec_names
        return dec, {"latent_dim": cfg.latent_dim, "image_shape": list(cfg.image_shape), "input_name": names[0],
                     "label_name": names[1] if len(names) > 1 else None, "label": c.label,
                     "num_classes": cfg.num_classes if c.label else 0, "logits": cfg.decoder_output == "logits"}
    import torch

    from vae_core.checkpoint import load
    from vae_core.onnx_file import _DecoderGraph, _onnx_bytes

    ck = load(path)
    model = ck.model.to("cpu").eval()
    cfg = model.config
    z = torch.zeros((2, cfg.latent_size))
    if model.conditional:
        dec = _onnx_bytes(_DecoderGraph(model), (z, torch.arange(2)), ["z", "y"], ["x"])
    else:
        dec = _onnx_bytes(_DecoderGraph(model), (z,), ["z"], ["x"])
    return dec, {"latent_dim": int(cfg.latent_size), "image_shape": list(cfg.image_shape), "input_name": "z",
                 "label_name": "y" if model.conditional else None, "label": "index" if model.conditional else None,
                 "num_classes": int(cfg.num_classes) if model.conditional else 0, "logits": False}


def decoder_spec(path: str | os.PathLike, cache_dir: str | os.PathLike | None = None, cap: int = CAP_BYTES,
                 sha: str | None = None) -> DecoderSpec:
    """The model file's decoder for the page, exported once per file content (sha256) and kept on
    disk (``<cache>/browser-decoder-<sha>.onnx`` + ``.json``); the bytes are left out over ``cap``."""
    sha = sha or file_sha256(path)
    d = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    stem = d / f"browser-decoder-v{EXPORT_VERSION}-{sha[:24]}"
    onnx_f, meta_f = stem.with_suffix(".onnx"), stem.with_suffix(".json")
    try:
        meta = json.loads(meta_f.read_text())
        data = onnx_f.read_bytes()
        if hashlib.sha256(data).hexdigest() != meta.get("onnx_sha256"):
            raise ValueError("stale cache entry")
    except (OSError, ValueError):
        data, meta = export_decoder(path)
        meta["onnx_sha256"] = hashlib.sha256(data).hexdigest()
        try:
            atomic_write(onnx_f, lambda f: f.write(data))
            atomic_write(meta_f, lambda f: f.write(json.dumps(meta).encode()))
        except VaeCoreError:
            pass  # a full or read-only cache only costs the export next time
    return DecoderSpec(sha=sha, onnx=data if len(data) <= cap else None, nbytes=len(data), cap=cap,
                       latent_dim=int(meta["latent_dim"]), image_shape=tuple(meta["image_shape"]),
                       input_name=meta["input_name"], label_name=meta["label_name"], label=meta["label"],
                       num_classes=int(meta["num_classes"]), logits=bool(meta["logits"]))


_EXPORT_LOCK = threading.Lock()  # one export at a time (torch.onnx.export is not made for threads)
_READY: dict[tuple[str, float, int, int], DecoderSpec] = {}  # (path, mtime, size, cap) → spec, newest last
_READY_MAX = 16


def spec_for(path: str | os.PathLike, cap: int = CAP_BYTES) -> DecoderSpec:
    """``decoder_spec`` kept in memory per file (path, mtime, size), for the app: one export per file
    content ever (the disk cache), one read per process. A spec already in memory is returned without
    waiting for an export of another file in progress."""
    st_ = os.stat(path)
    key = (str(path), st_.st_mtime, st_.st_size, cap)
    spec = _READY.get(key)
    if spec is None:
        with _EXPORT_LOCK:
            spec = _READY.get(key)
            if spec is None:
                spec = decoder_spec(path, None, cap)
                _READY[key] = spec
                while len(_READY) > _READY_MAX:
                    del _READY[next(iter(_READY))]
    return spec


_PREPARING: set[tuple[str, float, int]] = set()  # files whose export was started in the background


def prepare(path: str | os.PathLike, cap: int = CAP_BYTES) -> None:
    """Start exporting a model file's decoder in a background thread, once per file (path, mtime,
    size), so that the first click that needs it does not wait for the export (about 3-9 s for the
    shipped 16-D models here). ``spec_for`` then finds it ready, or waits for it.

    The thread runs at the process's own priority, not niced: it holds the interpreter lock (and the
    export lock) while it works, so at nice 19 beside busy cores every other thread of the server
    waited for it to be scheduled again (priority inversion). bench/niced_thread.py measures it."""
    try:
        st_ = os.stat(path)
    except OSError:
        return
    key = (str(path), st_.st_mtime, st_.st_size)
    with _EXPORT_LOCK:
        if key in _PREPARING:
            return
        _PREPARING.add(key)

    def run() -> None:
        try:
            spec_for(path, cap)
        except Exception:  # noqa: BLE001 — the page's own call shows any error where it is needed
            pass

    threading.Thread(target=run, name="decoder-export", daemon=True).start()


# ------------------------------------------------------------------ planes whose inverse is linear

@dataclass(frozen=True)
class PlaneMap:
    """z = origin + x·v1 + y·v2: the exact inverse of a 2-D latent (origin 0, v = e1, e2) or a PCA plane
    (origin the mean, v its two components)."""
    origin: np.ndarray  # (d,)
    v1: np.ndarray  # (d,)
    v2: np.ndarray  # (d,)

    def to_latent(self, xy: np.ndarray) -> np.ndarray:
        """(M, 2) plane points → (M, d) latents (float32)."""
        xy = np.atleast_2d(np.asarray(xy, dtype=np.float64))
        return (self.origin + xy[:, :1] * self.v1 + xy[:, 1:2] * self.v2).astype(np.float32)

    def args(self) -> dict:
        return {"origin": [float(v) for v in self.origin], "v1": [float(v) for v in self.v1],
                "v2": [float(v) for v in self.v2]}


def plane_map(projection) -> PlaneMap | None:
    """The affine map of a ``vae_core.latent.Projection`` whose inverse is linear; None otherwise
    (UMAP's inverse lives on the server, t-SNE has none, a 1-D strip is not a plane)."""
    if projection.method == "identity":
        d = projection.coords.shape[1]
        if d != 2:
            return None
        return PlaneMap(np.zeros(2), np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    if projection.method == "pca":
        comps = np.asarray(projection._components, dtype=np.float64)
        return PlaneMap(np.asarray(projection._mean, dtype=np.float64), comps[0], comps[1])
    return None


# ------------------------------------------------------------------ slider order and ranges

def kl_per_dim(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """KL(q(z_j|x) ‖ N(0, 1)) per latent dimension, averaged over the images:
    ½ · mean_i (μ_ij² + σ_ij² − 1 − log σ_ij²) (Kingma & Welling, 2013, appendix B). (d,) float64."""
    mu = np.asarray(mu, dtype=np.float64)
    lv = np.asarray(logvar, dtype=np.float64)
    return 0.5 * (mu**2 + np.exp(lv) - 1.0 - lv).mean(0)


def slider_order(d: int, kl: np.ndarray | None = None, limit: int = MAX_SLIDERS) -> list[int]:
    """The dimensions that get a slider: by KL, largest first (the ones the model uses), for a VAE;
    in index order otherwise; the first ``limit``."""
    from vae_core.generate import dims_by_kl

    if kl is not None and np.shape(kl) != (d,):
        raise ValueError(f"kl must have shape ({d},), got {np.shape(kl)}")
    return dims_by_kl(kl, d)[:limit]


def slider_ranges(d: int, mu: np.ndarray | None = None, variational: bool = True,
                  z0: np.ndarray | None = None) -> list[list[float]]:
    """[lo, hi] per dimension: ±3 (the prior's 99.7 %) for a VAE; an AE's latents have no prior, so
    its data's 0.5–99.5 % range with a 10 % margin (±3 without data); always wide enough for ``z0``."""
    lo, hi = np.full(d, -3.0), np.full(d, 3.0)
    if not variational and mu is not None and len(mu):
        a, b = np.percentile(np.asarray(mu, dtype=np.float64), [0.5, 99.5], axis=0)
        pad = np.maximum((b - a) * 0.1, 1e-3)
        lo, hi = a - pad, b + pad
    if z0 is not None:
        z0 = np.asarray(z0, dtype=np.float64).ravel()
        lo, hi = np.minimum(lo, z0), np.maximum(hi, z0)
    return [[float(x), float(y)] for x, y in zip(lo, hi)]


# ------------------------------------------------------------------ densities on a plane

def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def plane_densities(plane: PlaneMap, bounds: tuple[float, float, float, float], n: int, mu: np.ndarray,
                    logvar: np.ndarray | None = None, max_points: int = 2000,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(log p, log q) in plane coordinates at the cell centres of an n×n grid over ``bounds``
    (x0, x1, y0, y1), rows top (y1) to bottom, as the grid's sheet is laid out; natural log.

    p is the prior N(0, I) and q = (1/N) Σ_i q(z|x_i) the aggregate posterior of N encoded images (at
    most ``max_points``, a fixed subsample): N(μ_i, diag σ_i²) for a VAE; for an AE, which has no σ,
    a Gaussian kernel of Scott's bandwidth around each latent. Both are the densities of the plane
    coordinates (x, y) = Vᵀ(z − origin) (V = [v1 v2], orthonormal): for a 2-D latent that is the
    density at the exact latent; for a PCA plane, the two densities seen along the plane (projected),
    since in d dimensions the data lie off the plane and its exact-point density would be one spike."""
    x0, x1, y0, y1 = bounds
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y1 - (np.arange(n) + 0.5) * (y1 - y0) / n
    gx, gy = np.meshgrid(xs, ys)
    g = np.column_stack([gx.ravel(), gy.ravel()])  # (n², 2)
    V = np.column_stack([plane.v1, plane.v2]).astype(np.float64)  # (d, 2)
    m0 = -np.asarray(plane.origin, dtype=np.float64) @ V
    log_prior = -0.5 * ((g - m0) ** 2).sum(1) - math.log(2 * math.pi)  # Vᵀ I V = I
    mu = np.asarray(mu, dtype=np.float64)
    idx = np.arange(len(mu))
    if len(mu) > max_points:
        idx = np.sort(np.random.default_rng(seed).choice(len(mu), max_points, replace=False))
    c = (mu[idx] - plane.origin) @ V  # (N, 2)
    if logvar is not None:
        var = np.exp(np.asarray(logvar, dtype=np.float64)[idx])  # (N, d)
        a, b, e = var @ V[:, 0] ** 2, var @ V[:, 1] ** 2, var @ (V[:, 0] * V[:, 1])  # Vᵀ Σ_i V = [[a, e], [e, b]]
    else:
        h = max(float(c.std(0).mean()) * len(c) ** (-1.0 / 6.0), 1e-3) if len(c) > 1 else 1.0
        a = b = np.full(len(c), h * h)
        e = np.zeros(len(c))
    det = a * b - e * e
    out = np.empty(len(g))
    for s in range(0, len(g), 512):
        dx = g[s:s + 512, None, 0] - c[None, :, 0]
        dy = g[s:s + 512, None, 1] - c[None, :, 1]
        quad = (b * dx * dx - 2 * e * dx * dy + a * dy * dy) / det
        out[s:s + 512] = _logsumexp(-0.5 * quad - 0.5 * np.log(det) - math.log(2 * math.pi), axis=1) - math.log(len(c))
    return log_prior.reshape(n, n), out.reshape(n, n)


def density_shading(log_prior: np.ndarray, log_data: np.ndarray, span: float = 12.0) -> np.ndarray:
    """An RGBA (n, n, 4) uint8 picture of the two densities, each relative to its own peak and cut
    ``span`` nats below it: the encoded data's density as a blue fill, the prior's as an orange
    tint. Where both are faint the plane stays clear: those are the holes."""
    def rel(a: np.ndarray) -> np.ndarray:
        return np.clip(1.0 + (a - a.max()) / span, 0.0, 1.0)

    q, p = rel(log_data), rel(log_prior)
    rgba = np.zeros((*q.shape, 4), np.float64)
    blue, orange = np.array([31, 119, 180.0]), np.array([255, 127, 14.0])
    a_q, a_p = 0.75 * q, 0.45 * p
    alpha = a_q + a_p * (1 - a_q)
    col = (blue * a_q[..., None] + orange * (a_p * (1 - a_q))[..., None]) / np.maximum(alpha, 1e-9)[..., None]
    rgba[..., :3] = col
    rgba[..., 3] = alpha * 255
    return rgba.round().astype(np.uint8)


def png_data_url(rgb: np.ndarray) -> str:
    """A uint8 (H, W), (H, W, 3) or (H, W, 4) array as a PNG data URL."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def density_traces(log_prior: np.ndarray, log_data: np.ndarray, bounds: tuple[float, float, float, float],
                   names: tuple[str, str] = ("p(z)", "q(z)"), span: float = 12.0) -> list:
    """Two plotly traces to put under a map or grid on the same axes: the encoded data's density as a
    filled heatmap and the prior's as contour lines, each in nats below its peak (cut at ``span``)."""
    import plotly.graph_objects as go

    n = log_data.shape[0]
    x0, x1, y0, y1 = bounds
    xs = (x0 + (np.arange(n) + 0.5) * (x1 - x0) / n).tolist()
    ys = (y1 - (np.arange(n) + 0.5) * (y1 - y0) / n).tolist()
    q = np.maximum(log_data - log_data.max(), -span)
    p = np.maximum(log_prior - log_prior.max(), -span)
    return [go.Heatmap(x=xs, y=ys, z=q.tolist(), colorscale=[[0, "rgba(255,255,255,0)"], [1, "rgba(31,119,180,0.55)"]],
                       showscale=False, hoverinfo="skip", name=names[1]),
            go.Contour(x=xs, y=ys, z=p.tolist(), contours={"coloring": "lines", "start": -span, "end": 0,
                                                          "size": span / 6},
                       line={"width": 1}, colorscale=[[0, "rgb(255,127,14)"], [1, "rgb(255,127,14)"]],
                       showscale=False, hoverinfo="skip", name=names[0])]
