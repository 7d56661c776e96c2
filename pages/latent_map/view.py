"""The Latent map's body: the UMAP wait, the long t-SNE question, the scatter and what a click or a
selection decodes, the CSV."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from pages.latent_map import compute
from ui import browser_decode, decoder_component, maps, projections, widgets
from ui import state as S
from ui.i18n import T
from ui.logic import clicks, points, waits
from ui.maps import BIG, MapData
from ui.refs import decode_one
from ui.sidebar import Context
from vae_core import latent as lat

NEIGHBOURS = 8


def wait_for_umap(ctx: Context, kind: str, n_max: int | None, reproducible: bool, source: str) -> None:
    """Before a UMAP map is drawn: when its coordinates are not computed yet, run the fit in the
    background and show its progress (step 1: neighbour graph and initial layout, estimated from the
    point count; step 2: the layout epochs as umap-learn counts them) until it is done."""
    fit = projections.umap_fit(ctx.ref(kind), ctx.data_ref, n_max, reproducible, source)
    if fit is None:
        return
    graph_s, _ = points.umap_seconds(fit.n, fit.first)
    est = projections.WAITS.estimate("umap", fit.n, compiled=not fit.first)  # learns this server's speed
    with st.status(T["latent_map.umap_status"].format(n=fit.n, est=waits.format_duration(est, tx=T)),
                   expanded=True) as box:
        st.caption(T["latent_map.umap_why"])
        bar = st.progress(0.0)
        while not fit.future.done():
            if not fit.running:  # queued behind other sessions' fits
                ahead, wait_s = fit.queue_position()
                key = "latent_map.umap_queued" if ahead else "latent_map.umap_queued_running"
                bar.progress(0.0, text=T[key].format(k=ahead, wait=waits.format_duration(wait_s, tx=T)))
                time.sleep(0.25)
                continue
            elapsed = time.time() - fit.started
            if fit.n_epochs:
                step = T["latent_map.umap_step2"].format(e=fit.epoch, n=fit.n_epochs)
            elif fit.first:
                step = T["latent_map.umap_step1_first"].format(est=waits.format_duration(graph_s, tx=T),
                                                        c=waits.format_duration(points.UMAP_COMPILE_S, tx=T))
            else:
                step = T["latent_map.umap_step1"].format(est=waits.format_duration(graph_s, tx=T))
            bar.progress(points.umap_fraction(elapsed, fit.n, fit.epoch, fit.n_epochs, fit.first),
                         text=f"{step} · {waits.format_duration(elapsed, tx=T)}")
            time.sleep(0.25)
        fit.future.result()  # a failed fit raises here
        box.update(label=T["latent_map.umap_done"].format(n=fit.n, s=waits.format_duration(time.time() - fit.started, tx=T)),
                   state="complete", expanded=False)


def confirm_long_projection(ctx: Context, kind: str, method: str, n_max: int | None, reproducible: bool,
                            source: str = points.TEST_ONLY) -> bool:
    """A t-SNE estimated to take longer than ``waits.LONG_S`` starts only when asked for; one
    computed before (by anyone on this server) shows at once."""
    ref, dref = ctx.ref(kind), ctx.data_ref
    if method != "tsne" or projections.projection_ready(ref, dref, n_max, method, reproducible, source):
        return True
    wait = projections.projection_wait(dref, n_max, method, source)
    if wait <= waits.LONG_S:
        return True
    box = st.empty()
    with box.container():
        st.warning(T["latent_map.tsne_long"].format(
            n=projections.n_points(dref, n_max, source), wait=waits.format_duration(wait, tx=T),
            umap=waits.format_duration(projections.projection_wait(dref, n_max, "umap", source), tx=T)))
        go = st.button(T["latent_map.tsne_go"].format(wait=waits.format_duration(wait, tx=T)), key=S.MAP_TSNE_GO)
    if go:
        box.empty()  # the spinner says the rest
    return go


def download_csv(m: MapData) -> None:
    """The CSV is made when the button is pressed (70,000 rows take a second), not on every run."""
    ref, dref, n_max, method, rep, source = m.ref, m.dref, m.n_max, m.method, m.reproducible, m.source
    suffix = "-train-test" if m.mixed else ""
    st.download_button(T["latent_map.download"], lambda: compute.latents_csv(ref, dref, n_max, method, rep, source),
                       file_name=f"latents-{m.kind}-{m.method}{suffix}.csv", mime="text/csv")


def _images(ctx: Context, idx: np.ndarray, split: np.ndarray) -> np.ndarray:
    """uint8 images of points (idx, split) for display."""
    return lat.to_uint8_images(points.gather(ctx.data.x_test, ctx.data.x_train, idx, split))


def _point_detail(ctx: Context, m: MapData, i: int, code: int = points.TEST) -> None:
    found = points.positions(m.idx, m.splits, [(i, code)])
    if not len(found):
        st.warning(T["latent_map.not_shown"].format(i=points.index_label(i, code, m.mixed, tx=T)))
        return
    pos = int(found[0])
    z = m.mu[pos]
    recon = decode_one(m.ref, z, int(m.labels[pos]) if m.model.conditional else None)
    orig = _images(ctx, m.idx[pos:pos + 1], m.splits[pos:pos + 1])[0]
    nn = lat.nearest_neighbors(m.mu, pos, NEIGHBOURS)
    neighbours = _images(ctx, m.idx[nn], m.splits[nn])
    c1, c2, c3 = st.columns([1, 1, 3])
    widgets.image(orig, BIG // 2, where=c1, caption=T["latent_map.original"])
    widgets.image(recon, BIG // 2, where=c2, caption=T["latent_map.decoded"])
    with c3:
        st.markdown(f"**{points.point_name(i, code, m.mixed, tx=T)}** · "
                    f"{T['shared.label_of'].format(label=widgets.label_md(ctx, m.labels[pos]))}")
        st.markdown(latent_text(z, np.exp(0.5 * m.logvar[pos]) if m.logvar is not None else None))
        widgets.image(lat.tile(neighbours, len(nn), pad=2, fill=255), 60 * len(nn),
                      caption=T["latent_map.neighbours"].format(k=len(nn)) + ": "
                      + ", ".join(f"{points.short_name(m.idx[j], m.splits[j], m.mixed, tx=T)} "
                                  f"({widgets.label_md(ctx, m.labels[j])})" for j in nn))
    with st.expander(T["latent_map.sliders_title"], expanded=True):
        kl = browser_decode.kl_per_dim(m.mu, m.logvar) if m.logvar is not None else None
        setup = decoder_component.slider_setup(len(z), kl, m.mu, m.logvar is not None, z)
        decoder_component.model_decoder(m.ref, "sliders", key=S.DEC_MAP_SLIDERS,
                                     label=int(m.labels[pos]) if m.model.conditional else None, **setup)


def latent_text(z: np.ndarray, sigma: np.ndarray | None, head: int = 16) -> str:
    """The latent vector as one line (VAE: μ ± σ), the first ``head`` numbers of a long one."""
    parts = [f"{v:+.2f}" + (f"±{s:.2f}" if sigma is not None else "") for v, s in
             zip(z[:head], sigma[:head] if sigma is not None else [None] * head)]
    more = T["latent_map.latent_more"].format(n=len(z) - head) if len(z) > head else ""
    return f"{T['latent_map.latent_vector'].format(d=len(z))}: `[{', '.join(parts)}]`{more}"


def _selection_detail(ctx: Context, m: MapData, chosen: list[tuple[int, int]]) -> None:
    pos = points.positions(m.idx, m.splits, chosen)
    if not len(pos):
        return
    mean = m.mu[pos].mean(0)
    c1, c2 = st.columns([1, 3])
    label = int(np.bincount(m.labels[pos]).argmax()) if m.model.conditional else None  # the selection's usual label
    widgets.image(decode_one(m.ref, mean, label), BIG // 2, where=c1, caption=T["latent_map.mean_decoded"])
    c2.markdown(T["latent_map.selection"].format(n=len(pos)))
    shown = pos[:32]
    imgs = _images(ctx, m.idx[shown], m.splits[shown])
    with c2:
        widgets.image_row(list(imgs), [f"{points.short_name(m.idx[j], m.splits[j], m.mixed, tx=T)} · "
                                       f"{widgets.label_md(ctx, m.labels[j])}" for j in shown],
                          size=56, per_row=8)


def _shaded(m: MapData, fig):
    """A copy of the (cached, never mutated) map figure with the prior's and the encoded data's densities
    drawn under the points, and the line that says what they are."""
    import plotly.graph_objects as go

    bounds = m.proj.bounds(margin=0.15)
    grids = compute.density_grids(m.ref, m.dref, m.n_max, m.method, m.source, bounds)
    if grids is None:
        return fig
    layers = browser_decode.density_traces(*grids, bounds, ("p(z)", "q(z)"))
    shaded = go.Figure(data=[*layers, *fig.data], layout=fig.layout)  # the layers under the points
    st.caption(T["latent_map.shade_line"])
    return shaded


@st.fragment
def map_panel(ctx: Context, m: MapData, sigma: bool, shade: bool = False) -> None:
    """The scatter and what a click or a box/lasso selection shows; only this part reruns."""
    fig = maps.scatter_figure(m, sigma)
    if shade:
        fig = _shaded(m, fig)
    event = st.plotly_chart(fig, config=widgets.plotly_config(), key=S.LATENT_SCATTER, on_select="rerun",
                            selection_mode=("points", "box", "lasso"))
    chosen = clicks.event_points(event)
    if len(chosen) == 1:
        _point_detail(ctx, m, *chosen[0])
    elif chosen:
        _selection_detail(ctx, m, chosen)
    else:
        st.info(T["latent_map.click_hint"])
