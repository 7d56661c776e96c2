"""The latent map and the latent grid: cached data assembly plus the click → decode fragments."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from vae_core import latent as lat

from . import cache, figures, logic, widgets
from . import state as S
from .sidebar import Context
from .text import T

NEIGHBOURS = 8
SIGMA_MAX_POINTS = 400
BIG = 224  # on-screen size of a decoded image


@dataclass
class MapData:
    kind: str
    model: object
    sha: str
    idx: np.ndarray  # test indices shown
    mu: np.ndarray  # (N, d)
    logvar: np.ndarray | None
    labels: np.ndarray
    proj: lat.Projection
    method: str
    n_max: int | None
    data_key: str = ""
    reproducible: bool = False

    @property
    def key(self) -> tuple:
        """What the map was computed from: the cache key of anything drawn from it."""
        return (self.sha, self.data_key, self.n_max, self.method, self.proj.method, self.reproducible)


def map_data(ctx: Context, kind: str, method: str, n_max: int | None, reproducible: bool = False,
             need_inverse: bool = False) -> MapData:
    model, sha = widgets.model(ctx, kind)
    x = ctx.data.x_test
    enc = cache.latents(model, sha, ctx.data_key, x, n_max)
    proj = cache.projection(enc["mu"], sha, ctx.data_key, n_max, method, reproducible, need_inverse)
    labels = ctx.data.y_test.numpy()[enc["idx"]]
    return MapData(kind, model, sha, enc["idx"], enc["mu"], enc["logvar"], labels, proj, method, n_max,
                   ctx.data_key, reproducible)


def ellipses(m: MapData) -> tuple[list, list] | None:
    """σ ellipses of the first SIGMA_MAX_POINTS points, for a VAE on the identity or PCA plane."""
    if m.logvar is None or m.proj.method not in ("identity", "pca"):
        return None
    k = min(SIGMA_MAX_POINTS, len(m.idx))
    covs = logic.posterior_cov_2d(m.logvar[:k], m.proj._components if m.proj.method == "pca" else None)
    return logic.ellipse_path(m.proj.coords[:k], covs)


@st.cache_resource(max_entries=16, show_spinner=False)
def _scatter(_m: MapData, _ctx: Context, key: tuple, sigma: bool, highlight: int | None, title: str, height: int):
    el = ellipses(_m) if sigma else None
    return figures.latent_scatter(_m.proj.coords, _m.labels, _ctx.data.classes, _m.idx, title, el, highlight, height)


def scatter_figure(m: MapData, ctx: Context, sigma: bool = False, highlight: int | None = None, height: int = 520):
    """The map's figure, built once per (map, options); never mutated after caching."""
    title = T["map_fig_title"].format(kind=m.kind.upper(), method=T[f"map_method_{m.proj.method}"], n=len(m.idx))
    return _scatter(m, ctx, m.key, sigma, highlight, title, height)


@st.cache_data(max_entries=8, show_spinner=False)
def csv_bytes(_m: MapData, key: tuple) -> bytes:
    cols = ["index", "label", "x", "y"] + [f"z{i}" for i in range(_m.mu.shape[1])]
    data = np.column_stack([_m.idx, _m.labels, _m.proj.coords, _m.mu])
    buf = io.StringIO()
    np.savetxt(buf, data, delimiter=",", header=",".join(cols), comments="",
               fmt=["%d", "%d"] + ["%.6g"] * (data.shape[1] - 2))
    return buf.getvalue().encode()


def download_csv(m: MapData, ctx: Context) -> None:
    st.download_button(T["map_download"], csv_bytes(m, m.key), file_name=f"latents-{m.kind}-{m.method}.csv",
                       mime="text/csv")


def _point_detail(ctx: Context, m: MapData, i: int) -> None:
    x = ctx.data.x_test
    pos = int(np.searchsorted(m.idx, i))
    if pos >= len(m.idx) or m.idx[pos] != i:
        st.warning(T["map_not_shown"].format(i=i))
        return
    z = m.mu[pos]
    recon = cache.decode_one(m.model, z)
    orig = lat.to_uint8_images(x[i:i + 1])[0]
    nn = lat.nearest_neighbors(m.mu, pos, NEIGHBOURS)
    neighbours = lat.to_uint8_images(x[torch.from_numpy(m.idx[nn])])
    c1, c2, c3 = st.columns([1, 1, 3])
    widgets.image(orig, BIG // 2, where=c1, caption=T["map_original"])
    widgets.image(recon, BIG // 2, where=c2, caption=T["map_decoded"])
    with c3:
        st.markdown(f"**index: {i}** · {T['map_label']}: {widgets.label_name(ctx, m.labels[pos])}")
        st.markdown(latent_text(z, np.exp(0.5 * m.logvar[pos]) if m.logvar is not None else None))
        widgets.image(lat.tile(neighbours, len(nn), pad=2, fill=255), 60 * len(nn),
                      caption=T["map_neighbours"].format(k=len(nn)) + ": "
                      + ", ".join(f"#{m.idx[j]} ({widgets.label_name(ctx, m.labels[j])})" for j in nn))


def latent_text(z: np.ndarray, sigma: np.ndarray | None, head: int = 16) -> str:
    """The latent vector as one line (VAE: μ ± σ), the first ``head`` numbers of a long one."""
    parts = [f"{v:+.2f}" + (f"±{s:.2f}" if sigma is not None else "") for v, s in
             zip(z[:head], sigma[:head] if sigma is not None else [None] * head)]
    more = T["map_latent_more"].format(n=len(z) - head) if len(z) > head else ""
    return f"{T['map_latent_vector'].format(d=len(z))}: `[{', '.join(parts)}]`{more}"


def _selection_detail(ctx: Context, m: MapData, chosen: list[int]) -> None:
    pos = np.searchsorted(m.idx, chosen)
    pos = pos[(pos < len(m.idx)) & (m.idx[np.minimum(pos, len(m.idx) - 1)] == chosen)]
    if not len(pos):
        return
    mean = m.mu[pos].mean(0)
    c1, c2 = st.columns([1, 3])
    widgets.image(cache.decode_one(m.model, mean), BIG // 2, where=c1, caption=T["map_mean_decoded"])
    c2.markdown(T["map_selection"].format(n=len(pos)))
    shown = pos[:32]
    imgs = lat.to_uint8_images(ctx.data.x_test[torch.from_numpy(m.idx[shown])])
    with c2:
        widgets.image_row(list(imgs), [f"#{m.idx[j]}" for j in shown], size=56, per_row=8)


@st.fragment
def map_panel(ctx: Context, m: MapData, sigma: bool) -> None:
    """The scatter and what a click or a box/lasso selection shows; only this part reruns."""
    event = st.plotly_chart(scatter_figure(m, ctx, sigma), key=S.LATENT_SCATTER, on_select="rerun",
                            selection_mode=("points", "box", "lasso"))
    chosen = logic.event_indices(event)
    if len(chosen) == 1:
        _point_detail(ctx, m, chosen[0])
    elif chosen:
        _selection_detail(ctx, m, chosen)
    else:
        st.info(T["map_click_hint"])


# ------------------------------------------------------------------ the grid

@dataclass
class GridData:
    m: MapData
    n: int
    tile: int
    bounds: tuple
    latents: np.ndarray  # (n*n, d)
    mosaic: np.ndarray


def grid_data(ctx: Context, kind: str, method: str, n: int, zoom: float, cx: float, cy: float) -> GridData:
    m = map_data(ctx, kind, method, 5000, need_inverse=(method == "umap"))
    full = m.proj.bounds()
    bounds = tuple(round(v, 6) for v in logic.zoom_bounds(full, zoom, cx, cy))
    z = cache.grid_latents(m.proj, m.sha, ctx.data_key, m.n_max, m.proj.method, n, bounds)
    mosaic = cache.grid_mosaic(m.model, m.sha, z, (*m.key, n, bounds))
    return GridData(m, n, ctx.data.image_shape[-1], bounds, z, mosaic)


def overlay(g: GridData) -> tuple[np.ndarray, np.ndarray]:
    return logic.plane_to_pixel(g.m.proj.coords, g.bounds, g.n, g.tile), g.m.labels


@st.cache_resource(max_entries=8, show_spinner=False)
def _grid_figure(_g: GridData, key: tuple, show_points: bool):
    return figures.latent_grid(_g.mosaic, _g.n, _g.tile, _g.bounds, overlay(_g) if show_points else None)


@st.fragment
def grid_panel(g: GridData, show_points: bool) -> None:
    """The clickable grid; a click decodes the cell's latent live at a large size."""
    left, right = st.columns([3, 1])
    with left:
        fig = _grid_figure(g, (*g.m.key, g.n, g.bounds), show_points)
        event = st.plotly_chart(fig, key=S.GRID_CHART, on_select="rerun", selection_mode=("points",),
                                width="content")
    cell = logic.event_cell(event, g.n, g.tile)
    with right:
        if cell is None:
            st.info(T["grid_click_hint"])
            return
        r, c = cell
        px, py = lat.cell_centre(g.bounds, g.n, r, c)
        img = cache.decode_one(g.m.model, logic.latent_of_cell(g.latents, g.n, r, c))
        widgets.image(img, BIG, caption=T["grid_decoded"])
        st.markdown(f"**cell: ({r}, {c})**  \n{T['grid_plane']}: ({px:.3f}, {py:.3f})")
