"""Latent grid: an n×n grid of images decoded over a 2-D plane of the latent space; click a cell."""

import streamlit as st

from pages.latent_grid import view
from ui import state as S
from ui import widgets
from ui.i18n import T

widgets.header("latent_grid")
ctx = widgets.context()
widgets.require(ctx)

kind = widgets.kind_picker(ctx)
entry = ctx.model(kind)
label = widgets.label_picker(ctx, kind)  # a conditional model decodes the grid with one label
if entry.latent_size == 1:  # no plane: the grid is a row
    view.strip_panel(ctx, kind, st.slider(T["latent_grid.n"], 2, 30, key=S.GRID_N,
                                          persist_state=S.keep(S.GRID_N)), label)
    st.stop()
c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
if entry.latent_size == 2:
    method = "pca"
    c1.caption(T["latent_grid.plane_identity"])
else:
    method = c1.radio(T["latent_grid.method"], ["pca", "umap"], key=S.GRID_METHOD,
                      persist_state=S.keep(S.GRID_METHOD), horizontal=True,
                      format_func=lambda m: T[f"latent_grid.method_{m}"])
n = c2.slider(T["latent_grid.n"], 2, 30, key=S.GRID_N, persist_state=S.keep(S.GRID_N))
show_points = c3.checkbox(T["latent_grid.overlay"], key=S.GRID_OVERLAY, persist_state=S.keep(S.GRID_OVERLAY))
shade = method == "pca" and c4.checkbox(T["latent_grid.shade"], key=S.GRID_SHADE,
                                        persist_state=S.keep(S.GRID_SHADE), help=T["latent_grid.shade_help"])
with st.expander(T["latent_grid.range"], expanded=False):
    r1, r2, r3 = st.columns(3)
    zoom = r1.slider(T["latent_grid.zoom"], 1.0, 10.0, key=S.GRID_ZOOM, persist_state=S.keep(S.GRID_ZOOM), step=0.5)
    cx = r2.slider(T["latent_grid.cx"], 0.0, 1.0, key=S.GRID_CX, persist_state=S.keep(S.GRID_CX), step=0.01)
    cy = r3.slider(T["latent_grid.cy"], 0.0, 1.0, key=S.GRID_CY, persist_state=S.keep(S.GRID_CY), step=0.01)

g = view.grid_data(ctx, kind, method, n, zoom, cx, cy, label)
view.grid_panel(g, show_points, shade)
