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
c1, c2, c3 = st.columns([2, 1, 1])
method = c1.radio(T["map_method"], ["pca", "umap", "tsne"], key=S.PROJ_METHOD, horizontal=True,
                  format_func=lambda m: T[f"map_method_{m}"])
n_max = c2.selectbox(T["map_points"], [1000, 2000, 5000, 10000, None], key=S.MAP_POINTS,
                     format_func=lambda n: T["map_points_all"] if n is None else f"{n:,}")
reproducible = False
if method == "umap":
    reproducible = c3.radio(T["map_umap_mode"], ["fast", "reproducible"], key=S.UMAP_MODE,
                            format_func=lambda m: T[f"map_umap_{m}"]) == "reproducible"
sigma = kind == "vae" and c3.checkbox(T["map_sigma"], key=S.SHOW_SIGMA, help=T["map_sigma_help"])

m = latent_view.map_data(ctx, kind, method, n_max, reproducible)
if sigma and m.proj.method not in ("identity", "pca"):
    st.caption(T["map_sigma_pca_only"])
latent_view.map_panel(ctx, m, sigma)
latent_view.download_csv(m)
