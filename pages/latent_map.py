"""Latent map: the latents of the test split (or of train + test) projected to 2-D; click a point to decode it."""

import streamlit as st

from pages.latent_map import view
from ui import maps, widgets
from ui import state as S
from ui.i18n import T
from ui.logic import points, waits

widgets.header("latent_map")
ctx = widgets.context()
widgets.require(ctx)

kind = widgets.kind_picker(ctx)
d = ctx.model(kind).latent_size
c1, c2, c3, c4 = st.columns([2, 1.2, 1, 1])
sources = maps.source_choices(ctx)
S.offer(S.MAP_SOURCE, sources, points.TEST_ONLY)  # a dataset without its train split loaded
source = c2.radio(T["latent_map.source"], sources, key=S.MAP_SOURCE,
                  persist_state=S.keep(S.MAP_SOURCE), help=T["latent_map.source_help"],
                  format_func=lambda s: T[f"latent_map.source_{s}"])
available = maps.n_available(ctx, source)
choices = points.point_choices(available)
S.offer(S.MAP_POINTS, choices, points.ALL_POINTS)  # a smaller dataset than the last one: show all of it
n_max = points.n_max_of(c3.selectbox(T["latent_map.points"], choices, key=S.MAP_POINTS,
                                     persist_state=S.keep(S.MAP_POINTS),
                                     format_func=lambda n: T["latent_map.points_all"] if n == points.ALL_POINTS else f"{n:,}"))
n_points = maps.n_available(ctx, source, n_max)
methods = ["pca", "umap"] + (["tsne"] if points.tsne_offered(n_points) else [])
if d <= 2:  # no projection to choose: the map is the latent itself
    method = "pca"
    c1.caption(T["latent_map.latent_itself"].format(d=d))
else:
    S.offer(S.PROJ_METHOD, methods, "pca")  # t-SNE, and now too many points for it
    method = c1.radio(T["latent_map.method"], methods, key=S.PROJ_METHOD,
                      persist_state=S.keep(S.PROJ_METHOD), horizontal=True,
                      format_func=lambda m: T[f"shared.method_{m}"])
    if "tsne" not in methods:
        c1.caption(T["latent_map.tsne_hidden"].format(max=points.TSNE_MAX_POINTS, n=n_points,
                                               est=waits.format_duration(points.tsne_seconds(n_points), tx=T)))
reproducible = False
if method == "umap":
    reproducible = c4.radio(T["latent_map.umap_mode"], ["fast", "reproducible"], key=S.UMAP_MODE,
                            persist_state=S.keep(S.UMAP_MODE),
                            format_func=lambda m: T[f"latent_map.umap_{m}"]) == "reproducible"
linear_plane = method == "pca"  # σ ellipses need a linear map from the latent to the plane
sigma = (kind != "ae" and linear_plane and d >= 2
         and c4.checkbox(T["latent_map.sigma"], key=S.SHOW_SIGMA,
                         persist_state=S.keep(S.SHOW_SIGMA), help=T["latent_map.sigma_help"]))
shade = linear_plane and d >= 2 and c4.checkbox(T["latent_map.shade"], key=S.MAP_SHADE,
                                                persist_state=S.keep(S.MAP_SHADE), help=T["latent_map.shade_help"])

if method == "umap" and d > 2:
    view.wait_for_umap(ctx, kind, n_max, reproducible, source)
if not view.confirm_long_projection(ctx, kind, method, n_max, reproducible, source):
    st.stop()
m = maps.map_data(ctx, kind, method, n_max, reproducible, source=source)
view.map_panel(ctx, m, sigma, shade)
view.download_csv(m)
