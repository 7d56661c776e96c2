"""Latent map: the latents of the test split (or of train + test) projected to 2-D; click a point to decode it."""

import streamlit as st

from ui.core import state as S
from ui.core import widgets
from ui.logic import jobs, points
from ui.logic.text import T
from ui.views import latent as latent_view

widgets.header("map")
ctx = widgets.context()
widgets.require(ctx)

kind = widgets.kind_picker(ctx)
d = ctx.model(kind).latent_size
c1, c2, c3, c4 = st.columns([2, 1.2, 1, 1])
sources = latent_view.source_choices(ctx)
if st.session_state[S.MAP_SOURCE] not in sources:  # a dataset without its train split loaded
    st.session_state[S.MAP_SOURCE] = points.TEST_ONLY
source = c2.radio(T["map_source"], sources, key=S.MAP_SOURCE, help=T["map_source_help"],
                  format_func=lambda s: T[f"map_source_{s}"])
available = latent_view.n_available(ctx, source)
choices = points.point_choices(available)
if st.session_state[S.MAP_POINTS] not in choices:  # a smaller dataset than the last one: show all of it
    st.session_state[S.MAP_POINTS] = points.ALL_POINTS
n_max = points.n_max_of(c3.selectbox(T["map_points"], choices, key=S.MAP_POINTS,
                                     format_func=lambda n: T["map_points_all"] if n == points.ALL_POINTS else f"{n:,}"))
n_points = latent_view.n_available(ctx, source, n_max)
methods = ["pca", "umap"] + (["tsne"] if points.tsne_offered(n_points) else [])
if d <= 2:  # no projection to choose: the map is the latent itself
    method = "pca"
    c1.caption(T["map_latent_itself"].format(d=d))
else:
    if st.session_state[S.PROJ_METHOD] not in methods:  # t-SNE, and now too many points for it
        st.session_state[S.PROJ_METHOD] = "pca"
    method = c1.radio(T["map_method"], methods, key=S.PROJ_METHOD, horizontal=True,
                      format_func=lambda m: T[f"map_method_{m}"])
    if "tsne" not in methods:
        c1.caption(T["map_tsne_hidden"].format(max=points.TSNE_MAX_POINTS, n=n_points,
                                               est=jobs.format_duration(points.tsne_seconds(n_points))))
reproducible = False
if method == "umap":
    reproducible = c4.radio(T["map_umap_mode"], ["fast", "reproducible"], key=S.UMAP_MODE,
                            format_func=lambda m: T[f"map_umap_{m}"]) == "reproducible"
linear_plane = method == "pca"  # σ ellipses need a linear map from the latent to the plane
sigma = (kind != "ae" and linear_plane and d >= 2
         and c4.checkbox(T["map_sigma"], key=S.SHOW_SIGMA, help=T["map_sigma_help"]))

if method == "umap" and d > 2:
    latent_view.wait_for_umap(ctx, kind, n_max, reproducible, source)
if not latent_view.confirm_long_projection(ctx, kind, method, n_max, reproducible, source):
    st.stop()
m = latent_view.map_data(ctx, kind, method, n_max, reproducible, source=source)
latent_view.map_panel(ctx, m, sigma)
latent_view.download_csv(m)
