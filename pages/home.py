"""Home: what the app shows, the generation / inference picture, a card per page."""

import streamlit as st

from ui.core import pagelist, widgets
from ui.logic import figures
from ui.logic.text import T

widgets.header("home")
st.markdown(T["home_body"])
st.plotly_chart(figures.diagram(), key="home_diagram", config={"displayModeBar": False})
st.caption(T["home_diagram_caption"])

cols = st.columns(3)
for k, p in enumerate(p for p in pagelist.PAGES if p.url != "home"):
    with cols[k % 3].container(border=True):
        pagelist.link(p.url)
        st.caption(T[f"{p.id}_intro"])

ctx = widgets.context()
if not ctx.kinds:
    st.info(T["home_no_models"])
