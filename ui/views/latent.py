"""The latent map and the latent grid: cached data assembly plus the click → decode fragments."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from ui.core import cache, widgets
from ui.core import state as S
from ui.core.sidebar import Context
from ui.logic import clicks, hover, jobs, points, text, waits
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
    idx: np.ndarray  # index of each point within its split
    mu: np.ndarray  # (N, d)
    logvar: np.ndarray | None
    labels: np.ndarray
    proj: lat.Projection
    source: str = points.TEST_ONLY  # "test" | "all" (train + test)
    split: np.ndarray | None = None  # 0 test / 1 train per point (test points first)

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def model(self):
        return self.ref.model

    @property
    def mixed(self) -> bool:
        """True when the map shows train points too (names then carry the split)."""
        return self.source != points.TEST_ONLY

    @property
    def splits(self) -> np.ndarray:
        return self.split if self.split is not None else np.zeros(len(self.idx), np.uint8)


def source_choices(ctx: Context) -> list[str]:
    """"test", and "all" (train + test) when the dataset has a train split loaded."""
    return list(points.SOURCES) if len(ctx.data.x_train) else [points.TEST_ONLY]


def n_available(ctx: Context, source: str, n_max: int | None = None) -> int:
    """Points of ``source`` in the loaded dataset (at most ``n_max``)."""
    return points.n_shown(len(ctx.data.x_test), len(ctx.data.x_train), n_max, source)


def map_data(ctx: Context, kind: str, method: str, n_max: int | None, reproducible: bool = False,
             need_inverse: bool = False, source: str = points.TEST_ONLY) -> MapData:
    ref, dref = ctx.ref(kind), ctx.data_ref
    enc = cache.latents(ref, dref, n_max, source)
    proj = cache.projection(ref, dref, n_max, method, reproducible, need_inverse, source)
    return MapData(ref, dref, method, n_max, reproducible, enc["idx"], enc["mu"], enc["logvar"], enc["labels"], proj,
                   source, enc["split"])


def wait_for_umap(ctx: Context, kind: str, n_max: int | None, reproducible: bool, source: str) -> None:
    """Before a UMAP map is drawn: when its coordinates are not computed yet, run the fit in the
    background and show its progress (step 1: neighbour graph and initial layout, estimated from the
    point count; step 2: the layout epochs as umap-learn counts them) until it is done."""
    fit = cache.umap_fit(ctx.ref(kind), ctx.data_ref, n_max, reproducible, source)
    if fit is None:
        return
    graph_s, _ = points.umap_seconds(fit.n, fit.first)
    est = cache.WAITS.estimate("umap", fit.n, compiled=not fit.first)  # learns this server's speed
    with st.status(T["map_umap_status"].format(n=fit.n, est=jobs.format_duration(est)),
                   expanded=True) as box:
        st.caption(T["map_umap_why"])
        bar = st.progress(0.0)
        while not fit.future.done():
            elapsed = time.time() - fit.started
            if fit.n_epochs:
                step = T["map_umap_step2"].format(e=fit.epoch, n=fit.n_epochs)
            elif fit.first:
                step = T["map_umap_step1_first"].format(est=jobs.format_duration(graph_s),
                                                        c=jobs.format_duration(points.UMAP_COMPILE_S))
            else:
                step = T["map_umap_step1"].format(est=jobs.format_duration(graph_s))
            bar.progress(points.umap_fraction(elapsed, fit.n, fit.epoch, fit.n_epochs, fit.first),
                         text=f"{step} · {jobs.format_duration(elapsed)}")
            time.sleep(0.25)
        fit.future.result()  # a failed fit raises here
        box.update(label=T["map_umap_done"].format(n=fit.n, s=jobs.format_duration(time.time() - fit.started)),
                   state="complete", expanded=False)


def confirm_long_projection(ctx: Context, kind: str, method: str, n_max: int | None, reproducible: bool,
                            source: str = points.TEST_ONLY) -> bool:
    """A t-SNE estimated to take longer than ``waits.LONG_S`` starts only when asked for; one
    computed before (by anyone on this server) shows at once."""
    ref, dref = ctx.ref(kind), ctx.data_ref
    if method != "tsne" or cache.projection_ready(ref, dref, n_max, method, reproducible, source):
        return True
    wait = cache.projection_wait(dref, n_max, method, source)
    if wait <= waits.LONG_S:
        return True
    box = st.empty()
    with box.container():
        st.warning(T["map_tsne_long"].format(
            n=cache.n_points(dref, n_max, source), wait=jobs.format_duration(wait),
            umap=jobs.format_duration(cache.projection_wait(dref, n_max, "umap", source))))
        go = st.button(T["map_tsne_go"].format(wait=jobs.format_duration(wait)), key=S.MAP_TSNE_GO)
    if go:
        box.empty()  # the spinner says the rest
    return go


def scatter_figure(m: MapData, sigma: bool = False, highlight: int | None = None, height: int = 520):
    """The map's figure, built once per (map, options); never mutated after caching."""
    key = "map_fig_title_all" if m.mixed else "map_fig_title"
    title = T[key].format(kind=m.kind.upper(), method=T[f"map_method_{m.proj.method}"], n=len(m.idx))
    return cache.scatter_figure(m.ref, m.dref, m.n_max, m.method, m.reproducible, sigma, highlight, height, title,
                                text.current_language(), m.source)


def download_csv(m: MapData) -> None:
    """The CSV is made when the button is pressed (70,000 rows take a second), not on every run."""
    ref, dref, n_max, method, rep, source = m.ref, m.dref, m.n_max, m.method, m.reproducible, m.source
    suffix = "-train-test" if m.mixed else ""
    st.download_button(T["map_download"], lambda: cache.latents_csv(ref, dref, n_max, method, rep, source),
                       file_name=f"latents-{m.kind}-{m.method}{suffix}.csv", mime="text/csv")


def _images(ctx: Context, idx: np.ndarray, split: np.ndarray) -> np.ndarray:
    """uint8 images of points (idx, split) for display."""
    return lat.to_uint8_images(points.gather(ctx.data.x_test, ctx.data.x_train, idx, split))


def _point_detail(ctx: Context, m: MapData, i: int, code: int = points.TEST) -> None:
    found = points.positions(m.idx, m.splits, [(i, code)])
    if not len(found):
        st.warning(T["map_not_shown"].format(i=points.index_label(i, code, m.mixed)))
        return
    pos = int(found[0])
    z = m.mu[pos]
    recon = cache.decode_one(m.ref, z, int(m.labels[pos]) if m.model.conditional else None)
    orig = _images(ctx, m.idx[pos:pos + 1], m.splits[pos:pos + 1])[0]
    nn = lat.nearest_neighbors(m.mu, pos, NEIGHBOURS)
    neighbours = _images(ctx, m.idx[nn], m.splits[nn])
    c1, c2, c3 = st.columns([1, 1, 3])
    widgets.image(orig, BIG // 2, where=c1, caption=T["map_original"])
    widgets.image(recon, BIG // 2, where=c2, caption=T["map_decoded"])
    with c3:
        st.markdown(f"**{points.point_name(i, code, m.mixed)}** · "
                    f"{T['label_of'].format(label=widgets.label_name(ctx, m.labels[pos]))}")
        st.markdown(latent_text(z, np.exp(0.5 * m.logvar[pos]) if m.logvar is not None else None))
        widgets.image(lat.tile(neighbours, len(nn), pad=2, fill=255), 60 * len(nn),
                      caption=T["map_neighbours"].format(k=len(nn)) + ": "
                      + ", ".join(f"{points.short_name(m.idx[j], m.splits[j], m.mixed)} "
                                  f"({widgets.label_name(ctx, m.labels[j])})" for j in nn))


def latent_text(z: np.ndarray, sigma: np.ndarray | None, head: int = 16) -> str:
    """The latent vector as one line (VAE: μ ± σ), the first ``head`` numbers of a long one."""
    parts = [f"{v:+.2f}" + (f"±{s:.2f}" if sigma is not None else "") for v, s in
             zip(z[:head], sigma[:head] if sigma is not None else [None] * head)]
    more = T["map_latent_more"].format(n=len(z) - head) if len(z) > head else ""
    return f"{T['map_latent_vector'].format(d=len(z))}: `[{', '.join(parts)}]`{more}"


def _selection_detail(ctx: Context, m: MapData, chosen: list[tuple[int, int]]) -> None:
    pos = points.positions(m.idx, m.splits, chosen)
    if not len(pos):
        return
    mean = m.mu[pos].mean(0)
    c1, c2 = st.columns([1, 3])
    label = int(np.bincount(m.labels[pos]).argmax()) if m.model.conditional else None  # the selection's usual label
    widgets.image(cache.decode_one(m.ref, mean, label), BIG // 2, where=c1, caption=T["map_mean_decoded"])
    c2.markdown(T["map_selection"].format(n=len(pos)))
    shown = pos[:32]
    imgs = _images(ctx, m.idx[shown], m.splits[shown])
    with c2:
        widgets.image_row(list(imgs), [f"{points.short_name(m.idx[j], m.splits[j], m.mixed)} · "
                                       f"{widgets.label_name(ctx, m.labels[j])}" for j in shown],
                          size=56, per_row=8)


@st.fragment
def map_panel(ctx: Context, m: MapData, sigma: bool) -> None:
    """The scatter and what a click or a box/lasso selection shows; only this part reruns."""
    event = st.plotly_chart(scatter_figure(m, sigma), key=S.LATENT_SCATTER, on_select="rerun",
                            selection_mode=("points", "box", "lasso"))
    chosen = clicks.event_points(event)
    if len(chosen) == 1:
        _point_detail(ctx, m, *chosen[0])
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
    chart = (g.m.ref.sha, g.m.method, g.n, g.bounds, g.label)
    cell, st.session_state[S.GRID_LAST_CELL] = clicks.kept_pick(clicks.event_cell(event, g.n, g.tile),
                                                                st.session_state.get(S.GRID_LAST_CELL), chart)
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
