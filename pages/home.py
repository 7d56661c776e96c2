"""Home: what the app shows, the generation / inference picture, a card per page."""

import streamlit as st

from ui import figures, pagelist, widgets
from ui.text import T

widgets.header("home")
st.markdown(T["home_body"])
st.plotly_chart(figures.diagram(), key="home_diagram", config={"displayModeBar": False})
st.caption(T["home_diagram_caption"])

CARDS = [("train", "train"), ("reconstructions", "rec"), ("latent_map", "map"), ("latent_grid", "grid"),
         ("compare", "cmp"), ("models", "mod")]
cols = st.columns(3)
for k, (url, page) in enumerate(CARDS):
    with cols[k % 3].container(border=True):
        pagelist.link(url)
        st.caption(T[f"{page}_intro"])

ctx = widgets.context()
if ctx.ae is None and ctx.vae is None:
    st.info(T["home_no_models"])
