"""Home: what the app shows, the generation / inference picture, a card per page."""

import streamlit as st

from ui import figures, widgets
from ui.text import T

widgets.header("home")
st.markdown(T["home_body"])
st.plotly_chart(figures.diagram(), key="home_diagram", config={"displayModeBar": False})
st.caption(T["home_diagram_caption"])

CARDS = [("pages/train.py", "train"), ("pages/reconstructions.py", "rec"), ("pages/latent_map.py", "map"),
         ("pages/latent_grid.py", "grid"), ("pages/compare.py", "cmp"), ("pages/models.py", "mod")]
cols = st.columns(3)
for k, (path, page) in enumerate(CARDS):
    with cols[k % 3].container(border=True):
        st.page_link(path, label=T[f"nav_{page}"])
        st.caption(T[f"{page}_intro"])

ctx = widgets.context()
if ctx.ae is None and ctx.vae is None:
    st.info(T["home_no_models"])
