"""The latent map and the latent grid: cached data assembly plus the click → decode fragments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from ui.core import cache, widgets
from ui.core import state as S
from ui.core.sidebar import Context
from ui.logic import clicks, hover, text, waits
from ui.logic.text import T
from vae_core import latent as lat

NEIGHBOURS = 8
GRID_POINTS = 5000  # test latents the grid's plane is fitted on
BIG = 224  # on-screen size of a decoded image


@dataclass
class MapData:
    """One latent map: the model and data it came from, the points shown and their projection."""

    ref: cache.ModelRef
    dref: cache.DataRef
    method: str
    n_max: int | None
    reproducible: bool
    idx: np.ndarray  # test indices shown
    mu: np.ndarray  # (N, d)
    logvar: np.ndarray | None
    labels: np.ndarray
    proj: lat.Projection

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def model(self):
        return self.ref.model


def point_choices(n_test: int) -> list[int | None]:
    """The Points menu: only sizes smaller than the test split, then "all"."""
    return [n for n in (1000, 2000, 5000, 10000) if n < n_test] + [None]


def map_data(ctx: Context, kind: str, method: str, n_max: int | None, reproducible: bool = False,
             need_inverse: bool = False) -> MapData:
    ref, dref = ctx.ref(kind), ctx.data_ref
    enc = cache.latents(ref, dref, n_max)
    proj = cache.projection(ref, dref, n_max, method, reproducible, need_inverse)
    labels = ctx.data.y_test.numpy()[enc["idx"]]
    return MapData(ref, dref, method, n_max, reproducible, enc["idx"], enc["mu"], enc["logvar"], labels, proj)


def confirm_long_projection(ctx: Context, kind: str, method: str, n_max: int | None, reproducible: bool) -> bool:
    """A t-SNE estimated to take longer than ``waits.LONG_S`` starts only when asked for; one
    computed before (by anyone on this server) shows at once."""
    ref, dref = ctx.ref(kind), ctx.data_ref
    if method != "tsne" or cache.projection_ready(ref, dref, n_max, method, reproducible):
        return True
    wait = cache.projection_wait(dref, n_max, method)
    if wait <= waits.LONG_S:
        return True
    box = st.empty()
    with box.container():
        st.warning(T["map_tsne_long"].format(n=cache.n_points(dref, n_max), wait=waits.fmt_seconds(wait),
                                             umap=waits.fmt_seconds(cache.projection_wait(dref, n_max, "umap"))))
        go = st.button(T["map_tsne_go"].format(wait=waits.fmt_seconds(wait)), key=S.MAP_TSNE_GO)
    if go:
        box.empty()  # the spinner says the rest
    return go


def scatter_figure(m: MapData, sigma: bool = False, highlight: int | None = None, height: int = 520):
    """The map's figure, built once per (map, options); never mutated after caching."""
    title = T["map_fig_title"].format(kind=m.kind.upper(), method=T[f"map_method_{m.proj.method}"], n=len(m.idx))
    return cache.scatter_figure(m.ref, m.dref, m.n_max, m.method, m.reproducible, sigma, highlight, height, title,
                                text.current_language())


def download_csv(m: MapData) -> None:
    st.download_button(T["map_download"], cache.latents_csv(m.ref, m.dref, m.n_max, m.method, m.reproducible),
                       file_name=f"latents-{m.kind}-{m.method}.csv", mime="text/csv")


def _point_detail(ctx: Context, m: MapData, i: int) -> None:
    x = ctx.data.x_test
    pos = int(np.searchsorted(m.idx, i))
    if pos >= len(m.idx) or m.idx[pos] != i:
        st.warning(T["map_not_shown"].format(i=i))
        return
    z = m.mu[pos]
    recon = cache.decode_one(m.ref, z, int(m.labels[pos]) if m.model.conditional else None)
    orig = lat.to_uint8_images(x[i:i + 1])[0]
    nn = lat.nearest_neighbors(m.mu, pos, NEIGHBOURS)
    neighbours = lat.to_uint8_images(x[torch.from_numpy(m.idx[nn])])
    c1, c2, c3 = st.columns([1, 1, 3])
    widgets.image(orig, BIG // 2, where=c1, caption=T["map_original"])
    widgets.image(recon, BIG // 2, where=c2, caption=T["map_decoded"])
    with c3:
        st.markdown(f"**{T['index_of'].format(i=i)}** · "
                    f"{T['label_of'].format(label=widgets.label_name(ctx, m.labels[pos]))}")
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
    label = int(np.bincount(m.labels[pos]).argmax()) if m.model.conditional else None  # the selection's usual label
    widgets.image(cache.decode_one(m.ref, mean, label), BIG // 2, where=c1, caption=T["map_mean_decoded"])
    c2.markdown(T["map_selection"].format(n=len(pos)))
    shown = pos[:32]
    imgs = lat.to_uint8_images(ctx.data.x_test[torch.from_numpy(m.idx[shown])])
    with c2:
        widgets.image_row(list(imgs), [f"#{m.idx[j]} · {widgets.label_name(ctx, m.labels[j])}" for j in shown],
                          size=56, per_row=8)


@st.fragment
def map_panel(ctx: Context, m: MapData, sigma: bool) -> None:
    """The scatter and what a click or a box/lasso selection shows; only this part reruns."""
    event = st.plotly_chart(scatter_figure(m, sigma), key=S.LATENT_SCATTER, on_select="rerun",
                            selection_mode=("points", "box", "lasso"))
    chosen = clicks.event_indices(event)
    if len(chosen) == 1:
        _point_detail(ctx, m, chosen[0])
    elif chosen:
        _selection_detail(ctx, m, chosen)
    else:
        st.info(T["map_click_hint"])


# ------------------------------------------------------------------ the grid

def strip_panel(ctx: Context, kind: str, n: int, label: int | None) -> None:
    """The grid of a 1-D latent: one row over its range, and any value decoded live."""
    ref = ctx.ref(kind)
    mosaic, lo, hi = cache.strip_row(ref, ctx.data_ref, n, label)
    st.caption(T["grid_strip"])
    widgets.image(mosaic, n * 64, caption=f"z₁ = {lo:.2f} … {hi:.2f}")
    z = st.slider(T["grid_strip_z"], lo, hi, (lo + hi) / 2, key=f"grid_strip_{ref.sha}")
    widgets.image(cache.decode_one(ref, np.array([z], np.float32), label), BIG, caption=T["grid_decoded"])


@dataclass
class GridData:
    m: MapData
    n: int
    tile: int
    bounds: tuple
    latents: np.ndarray  # (n*n, d)
    label: int | None  # the label a conditional model decodes the grid with


def grid_data(ctx: Context, kind: str, method: str, n: int, zoom: float, cx: float, cy: float,
              label: int | None = None) -> GridData:
    m = map_data(ctx, kind, method, GRID_POINTS, need_inverse=(method == "umap"))
    full = m.proj.bounds()
    bounds = tuple(round(v, 6) for v in clicks.zoom_bounds(full, zoom, cx, cy))
    z = cache.grid_latents(m.ref, m.dref, m.n_max, m.method, n, bounds)
    return GridData(m, n, ctx.data.image_shape[-1], bounds, z, label)


def hover_preview(g: GridData) -> int:
    """The fine grid's images, sent once; the browser draws the one under the pointer (over the grid
    or, where the grid cannot be followed, over a small map of the fine grid) in the next frame, with
    no round trip. Returns the fine grid's size."""
    channels = g.m.dref.data.image_shape[0]
    nf = hover.fine_n(g.tile, channels)
    texts = (("title", T["grid_hover_title"]), ("pad", T["grid_hover_pad"].format(nf=nf)),
             ("idle", T["grid_hover_idle"]), ("cell", T["grid_hover_cell"]))
    html = cache.hover_html(g.m.ref, g.m.dref, g.m.n_max, g.m.method, nf, g.bounds, g.label, texts)
    st.markdown(f"**{T['grid_hover_title']}**")
    st.iframe(html, height="content", alt=T["grid_hover_title"])
    return nf


@st.fragment
def grid_panel(g: GridData, show_points: bool) -> None:
    """The clickable grid; a click decodes the cell's latent live at a large size."""
    left, right = st.columns([3, 1])
    with left:
        fig = cache.grid_figure(g.m.ref, g.m.dref, g.m.n_max, g.m.method, g.n, g.bounds, g.label, show_points,
                                text.current_language())
        event = st.plotly_chart(fig, key=S.GRID_CHART, on_select="rerun", selection_mode=("points",),
                                width="content")
        far = cache.far_cells(g.m.ref, g.m.dref, g.m.n_max, g.m.method, g.n, g.bounds)
        if far is not None and far.any():
            st.caption(T["grid_far"].format(k=int(far.sum()), n=g.n * g.n))
    cell = clicks.event_cell(event, g.n, g.tile)
    with right:
        nf = hover_preview(g)
        if cell is None:
            st.info(T["grid_click_hint"])
        else:
            r, c = cell
            px, py = lat.cell_centre(g.bounds, g.n, r, c)
            img = cache.decode_one(g.m.ref, clicks.latent_of_cell(g.latents, g.n, r, c), g.label)
            widgets.image(img, BIG, caption=T["grid_decoded"])
            st.markdown(f"**{T['grid_cell'].format(r=r, c=c)}**  \n{T['grid_plane']}: ({px:.3f}, {py:.3f})")
        st.caption(T["grid_hover_hint"].format(nf=nf))
