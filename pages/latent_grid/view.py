"""The Latent grid's body: a 1-D latent's strip, the clickable decoded grid and its hover preview."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from pages.latent_grid import compute, hover
from ui import browser_decode, decoder_component, i18n, maps, widgets
from ui import state as S
from ui.i18n import T
from ui.logic import clicks
from ui.maps import BIG, MapData
from ui.refs import decode_one
from ui.sidebar import Context
from vae_core import latent as lat

GRID_POINTS = 5000  # test latents the grid's plane is fitted on


def strip_panel(ctx: Context, kind: str, n: int, label: int | None) -> None:
    """The grid of a 1-D latent: one row over its range, and any value decoded live."""
    ref = ctx.ref(kind)
    mosaic, lo, hi = compute.strip_row(ref, ctx.data_ref, n, label)
    st.caption(T["latent_grid.strip"])
    widgets.image(mosaic, n * 64, caption=f"z₁ = {lo:.2f} … {hi:.2f}")
    z = st.slider(T["latent_grid.strip_z"], lo, hi, (lo + hi) / 2, key=f"grid_strip_{ref.sha}")
    widgets.image(decode_one(ref, np.array([z], np.float32), label), BIG, caption=T["latent_grid.decoded"])


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
    m = maps.map_data(ctx, kind, method, GRID_POINTS, need_inverse=(method == "umap"))
    full = m.proj.bounds()
    bounds = tuple(round(v, 6) for v in clicks.zoom_bounds(full, zoom, cx, cy))
    z = compute.grid_latents(m.ref, m.dref, m.n_max, m.method, n, bounds)
    return GridData(m, n, ctx.data.image_shape[-1], bounds, z, label)


def hover_preview(g: GridData) -> int:
    """The fine grid's images, sent once; the browser draws the one under the pointer (over the grid
    or, where the grid cannot be followed, over a small map of the fine grid) in the next frame, with
    no round trip. Returns the fine grid's size."""
    channels = g.m.dref.data.image_shape[0]
    nf = hover.fine_n(g.tile, channels)
    texts = (("title", T["latent_grid.hover_title"]), ("pad", T["latent_grid.hover_pad"].format(nf=nf)),
             ("idle", T["latent_grid.hover_idle"]), ("cell", T["latent_grid.hover_cell"]))
    html = compute.hover_html(g.m.ref, g.m.dref, g.m.n_max, g.m.method, nf, g.bounds, g.label, texts)
    st.markdown(f"**{T['latent_grid.hover_title']}**")
    st.iframe(html, height="content", alt=T["latent_grid.hover_title"])
    return nf


def exact_hover(g: GridData, shade: bool) -> int | None:
    """On a linear plane (a 2-D latent, PCA): the decoder runs in the browser and the pointer over the
    grid (or over the plane beside it) shows the decode of the exact point under it; where it cannot
    run there (no WebAssembly, a decoder over the cap), the sheet's preview as before. Returns the
    sheet's size when the sheet is shown, else None."""
    plane = browser_decode.plane_map(g.m.proj)
    st.markdown(f"**{T['latent_grid.exact_title']}**")
    background = note = None
    if shade:
        lp, lq = compute.density_grids(g.m.ref, g.m.dref, g.m.n_max, g.m.method, g.bounds)
        background = browser_decode.png_data_url(browser_decode.density_shading(lp, lq))
        note = T["shared.decoder_shading"]
    value = decoder_component.model_decoder(g.m.ref, "plane", key=S.DEC_GRID_PLANE, label=g.label, plane=plane,
                                         bounds=g.bounds, background=background, note=note, follow_grid=True)
    if isinstance(value, dict) and value.get("backend") == "server":
        return hover_preview(g)  # no round trip per pointer move: the pre-decoded sheet follows it
    return None


@st.fragment
def grid_panel(g: GridData, show_points: bool, shade: bool = False) -> None:
    """The clickable grid; a click decodes the cell's latent live at a large size."""
    left, right = st.columns([3, 1])
    with left:
        fig = compute.grid_figure(g.m.ref, g.m.dref, g.m.n_max, g.m.method, g.n, g.bounds, g.label, show_points,
                                i18n.language())
        event = st.plotly_chart(fig, config=widgets.plotly_config(), key=S.GRID_CHART, on_select="rerun", selection_mode=("points",),
                                width="content")
        far = compute.far_cells(g.m.ref, g.m.dref, g.m.n_max, g.m.method, g.n, g.bounds)
        if far is not None and far.any():
            st.caption(T["latent_grid.far"].format(k=int(far.sum()), n=g.n * g.n))
    chart = (g.m.ref.sha, g.m.method, g.n, g.bounds, g.label)
    cell, st.session_state[S.GRID_LAST_CELL] = clicks.kept_pick(clicks.event_cell(event, g.n, g.tile),
                                                                st.session_state.get(S.GRID_LAST_CELL), chart)
    with right:
        nf = exact_hover(g, shade) if browser_decode.plane_map(g.m.proj) is not None else hover_preview(g)
        if cell is None:
            st.info(T["latent_grid.click_hint"])
        else:
            r, c = cell
            px, py = lat.cell_centre(g.bounds, g.n, r, c)
            img = decode_one(g.m.ref, clicks.latent_of_cell(g.latents, g.n, r, c), g.label)
            widgets.image(img, BIG, caption=T["latent_grid.decoded"])
            st.markdown(f"**{T['latent_grid.cell'].format(r=r, c=c)}**  \n{T['latent_grid.plane']}: ({px:.3f}, {py:.3f})")
        st.caption(T["latent_grid.hover_hint"].format(nf=nf) if nf else T["latent_grid.exact_hint"])
