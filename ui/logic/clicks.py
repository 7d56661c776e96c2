"""Pure functions behind the clicks (no Streamlit import): chart selection events → dataset
indices, grid clicks → cells, cells → latents, posterior ellipses, typed indices.

A plotly selection event, as ``st.plotly_chart(on_select="rerun")`` returns it::

    {"selection": {"points": [{"point_index": 3, "curve_number": 0, "customdata": …, "x": …, "y": …}],
                   "point_indices": [3], "box": [], "lasso": []}}

plotly ≥ 6 sends numpy arrays as typed arrays, so a customdata row may come back as
``{"0": v0, "1": v1}``; :func:`customdata_values` turns every shape into a plain list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def customdata_values(cd: Any) -> list:
    """customdata of one point → a plain list (scalar → [v]; {"0": a, "1": b} → [a, b])."""
    if cd is None:
        return []
    if isinstance(cd, Mapping):
        try:
            return [cd[k] for k in sorted(cd, key=lambda k: int(k))]
        except ValueError:
            return list(cd.values())
    if isinstance(cd, (list, tuple, np.ndarray)):
        return list(cd)
    return [cd]


def _points(event: Any) -> list[dict]:
    if not isinstance(event, Mapping):
        return []
    sel = event.get("selection") or {}
    pts = sel.get("points") if isinstance(sel, Mapping) else None
    return [p for p in (pts or []) if isinstance(p, Mapping)]


def point_key(p: Mapping) -> int | None:
    """The dataset index a scatter point stands for: its first customdata value, else its point_index."""
    vals = customdata_values(p.get("customdata"))
    v = vals[0] if vals else p.get("point_index")
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def event_indices(event: Any) -> list[int]:
    """All selected dataset indices (click, box or lasso), in order, without repeats."""
    out: list[int] = []
    for p in _points(event):
        i = point_key(p)
        if i is not None and i not in out:
            out.append(i)
    return out


def event_points(event: Any) -> list[tuple[int, int]]:
    """All selected points as (index, split code), in order, without repeats: customdata is
    [index] (a test-only map: split 0) or [index, split] (a map of both splits: 0 test, 1 train)."""
    out: list[tuple[int, int]] = []
    for p in _points(event):
        i = point_key(p)
        if i is None:
            continue
        vals = customdata_values(p.get("customdata"))
        try:
            s = int(vals[1]) if len(vals) > 1 else 0
        except (TypeError, ValueError):
            s = 0
        if (i, s) not in out:
            out.append((i, s))
    return out


def event_index(event: Any) -> int | None:
    """The single clicked index, or None when nothing (or more than one point) is selected."""
    idx = event_indices(event)
    return idx[0] if len(idx) == 1 else None


def cell_of_pixel(px: float, py: float, n: int, tile: int) -> tuple[int, int]:
    """(row, col) of the tile under pixel (px, py) of an n×n mosaic of tile×tile images."""
    col = int(px // tile)
    row = int(py // tile)
    return min(max(row, 0), n - 1), min(max(col, 0), n - 1)


def event_cell(event: Any, n: int, tile: int) -> tuple[int, int] | None:
    """The grid cell a click picked: customdata [row, col] of the marker, else the pixel position."""
    pts = _points(event)
    if not pts:
        return None
    p = pts[0]
    vals = customdata_values(p.get("customdata"))
    if len(vals) >= 2:
        try:
            r, c = int(vals[0]), int(vals[1])
        except (TypeError, ValueError):
            r = c = -1
        if 0 <= r < n and 0 <= c < n:
            return r, c
    if isinstance(p.get("x"), (int, float)) and isinstance(p.get("y"), (int, float)):
        return cell_of_pixel(p["x"], p["y"], n, tile)
    return None


def kept_pick(pick: Any, remembered: tuple | None, chart: tuple) -> tuple[Any, tuple | None]:
    """(what to show, what to remember) for a chart whose click should stay shown until the next one.

    A click on a point reruns the fragment with that point selected, and then, in some runs, again
    with an empty selection 30-60 ms later (plotly.js also emits ``plotly_selected`` with no points on
    a single click, which Dash and Panel drop and Streamlit passes on): what the click had decoded
    vanished. In headless Chromium that followed 16 of 24 second clicks on the latent grid (a click
    while another cell was selected) and none of 24 first ones. So an empty selection shows the last
    pick made on the same ``chart`` (whatever identifies what the chart shows); a new pick replaces
    it, and another chart forgets it."""
    if pick is not None:
        return pick, (chart, pick)
    if remembered is not None and remembered[0] == chart:
        return remembered[1], remembered
    return None, None


def cell_centres_px(n: int, tile: int) -> tuple[list[float], list[float], list[list[int]]]:
    """Pixel centres (x, y) of every cell of an n×n mosaic, row-major, and their [row, col]."""
    xs, ys, cd = [], [], []
    for r in range(n):
        for c in range(n):
            xs.append((c + 0.5) * tile - 0.5)
            ys.append((r + 0.5) * tile - 0.5)
            cd.append([r, c])
    return xs, ys, cd


def plane_to_pixel(pts: np.ndarray, bounds: Sequence[float], n: int, tile: int) -> np.ndarray:
    """Plane points (M, 2) → mosaic pixel positions (M, 2): the inverse of ``vae_core.latent.cell_centre``."""
    x0, x1, y0, y1 = bounds
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
    col = (pts[:, 0] - x0) / (x1 - x0) * (n - 1) if n > 1 else np.zeros(len(pts))
    row = (y1 - pts[:, 1]) / (y1 - y0) * (n - 1) if n > 1 else np.zeros(len(pts))
    return np.stack([(col + 0.5) * tile - 0.5, (row + 0.5) * tile - 0.5], 1)


def zoom_bounds(full: Sequence[float], zoom: float, cx: float, cy: float) -> tuple[float, float, float, float]:
    """A window of 1/zoom the size of ``full``, centred at fractions (cx, cy) ∈ [0, 1] of it, kept inside."""
    x0, x1, y0, y1 = full
    w, h = (x1 - x0) / zoom, (y1 - y0) / zoom
    mx = min(max(x0 + cx * (x1 - x0), x0 + w / 2), x1 - w / 2)
    my = min(max(y0 + cy * (y1 - y0), y0 + h / 2), y1 - h / 2)
    return mx - w / 2, mx + w / 2, my - h / 2, my + h / 2


def latent_of_cell(grid_latents: np.ndarray, n: int, row: int, col: int) -> np.ndarray:
    """The cached latent of a grid cell (grid latents are row-major, top row first)."""
    return np.asarray(grid_latents[row * n + col])


def posterior_cov_2d(logvar: np.ndarray, components: np.ndarray | None) -> np.ndarray:
    """(N, d) log-variances → (N, 2, 2) covariances of q(z|x) seen in the plane.
    ``components`` (2, d) is the PCA basis; None means the latent is the plane (d = 2)."""
    var = np.exp(np.asarray(logvar, dtype=np.float64))  # (N, d)
    if components is None:
        return np.stack([np.diag(v[:2]) for v in var]) if len(var) else np.zeros((0, 2, 2))
    c = np.asarray(components, dtype=np.float64)  # (2, d)
    return np.einsum("id,nd,jd->nij", c, var, c)


def ellipse_path(centres: np.ndarray, covs: np.ndarray, n_std: float = 1.0, n_pts: int = 24) -> tuple[list, list]:
    """x, y lists tracing one ellipse per point (n_std standard deviations), separated by None,
    ready for a single plotly line trace."""
    t = np.linspace(0, 2 * math.pi, n_pts)
    circle = np.stack([np.cos(t), np.sin(t)])  # (2, T)
    xs: list = []
    ys: list = []
    for c, s in zip(np.asarray(centres, dtype=np.float64), np.asarray(covs, dtype=np.float64)):
        w, v = np.linalg.eigh(s)
        pts = (v * np.sqrt(np.clip(w, 0, None)) * n_std) @ circle + c[:, None]
        xs += pts[0].tolist() + [None]
        ys += pts[1].tolist() + [None]
    return xs, ys


def parse_indices(text: str, n_total: int, limit: int = 64) -> list[int]:
    """"3, 10-12 7" → [3, 10, 11, 12, 7]: valid test indices, in order, without repeats."""
    out: list[int] = []
    for tok in re.split(r"[,\s]+", text.strip()):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", tok)
        if not m:
            continue
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        for i in range(a, min(b, a + limit) + 1):
            if 0 <= i < n_total and i not in out:
                out.append(i)
    return out[:limit]


def choose_indices(mode: str, n: int, n_total: int, errors: dict[str, np.ndarray] | None = None,
                   text: str = "", seed: int = 0) -> list[int]:
    """Which test images the reconstructions page shows. Modes: ``first``, ``random``,
    ``indices`` (typed), ``worst_ae`` / ``worst_vae`` (largest reconstruction error first)."""
    if mode == "indices":
        return parse_indices(text, n_total)[:n]
    if mode == "random":
        return sorted(np.random.RandomState(seed).choice(n_total, min(n, n_total), replace=False).tolist())
    if mode.startswith("worst_") and errors and mode[6:] in errors:
        return np.argsort(-np.asarray(errors[mode[6:]]), kind="stable")[:n].tolist()
    return list(range(min(n, n_total)))


def display_coords(proj, labels: np.ndarray) -> np.ndarray:
    """Where points are drawn: the projection's plane, except that a 1-D latent ("strip") is drawn
    against its class, jittered (seed 0) so that points of one class do not hide each other."""
    if proj.method != "strip":
        return proj.coords
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(labels))
    return np.column_stack([proj.coords[:, 0], np.asarray(labels) + jitter]).astype(np.float32)


SIGMA_MAX_POINTS = 400  # σ ellipses drawn for at most this many points


def sigma_ellipses(proj, logvar: np.ndarray | None) -> tuple[list, list] | None:
    """1-σ ellipses of q(z|x) for the first SIGMA_MAX_POINTS points, on the identity or PCA plane
    (elsewhere there is no linear map to carry them); None when they cannot be drawn."""
    if logvar is None or proj.method not in ("identity", "pca"):
        return None
    k = min(SIGMA_MAX_POINTS, len(proj.coords))
    covs = posterior_cov_2d(logvar[:k], proj._components if proj.method == "pca" else None)
    return ellipse_path(proj.coords[:k], covs)
