"""Latent map: the test split's latents projected to 2-D; click a point to decode it."""

import streamlit as st

from ui.core import state as S
from ui.core import widgets
from ui.logic.text import T
from ui.views import latent as latent_view

widgets.header("map")
ctx = widgets.context()
widgets.require(ctx)

kind = widgets.kind_picker(ctx)
d = ctx.model(kind).latent_size
c1, c2, c3 = st.columns([2, 1, 1])
if d <= 2:  # no projection to choose: the map is the latent itself
    method = "pca"
    c1.caption(T["map_latent_itself"].format(d=d))
else:
    method = c1.radio(T["map_method"], ["pca", "umap", "tsne"], key=S.PROJ_METHOD, horizontal=True,
                      format_func=lambda m: T[f"map_method_{m}"])
choices = latent_view.point_choices(len(ctx.data.x_test))
if st.session_state[S.MAP_POINTS] not in choices:  # a smaller dataset than the last one: show all of it
    st.session_state[S.MAP_POINTS] = None
n_max = c2.selectbox(T["map_points"], choices, key=S.MAP_POINTS,
                     format_func=lambda n: T["map_points_all"] if n is None else f"{n:,}")
reproducible = False
if method == "umap":
    reproducible = c3.radio(T["map_umap_mode"], ["fast", "reproducible"], key=S.UMAP_MODE,
                            format_func=lambda m: T[f"map_umap_{m}"]) == "reproducible"
linear_plane = method == "pca"  # σ ellipses need a linear map from the latent to the plane
sigma = (kind != "ae" and linear_plane and d >= 2
         and c3.checkbox(T["map_sigma"], key=S.SHOW_SIGMA, help=T["map_sigma_help"]))

if not latent_view.confirm_long_projection(ctx, kind, method, n_max, reproducible):
    st.stop()
m = latent_view.map_data(ctx, kind, method, n_max, reproducible)
latent_view.map_panel(ctx, m, sigma)
latent_view.download_csv(m)
