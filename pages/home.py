"""Home: what the app shows, the generation / inference picture, a card per page."""

import streamlit as st

from pages.home import figures
from ui import pagelist, widgets
from ui.i18n import T

widgets.header("home")
st.markdown(T["home.body"])
st.plotly_chart(figures.diagram(tx=T), key="home_diagram", config=widgets.plotly_config(displayModeBar=False))
st.caption(T["home.diagram_caption"])

cols = st.columns(3)
for k, p in enumerate(p for p in pagelist.PAGES if p.id != "home"):
    with cols[k % 3].container(border=True):
        pagelist.link(p.id)
        st.caption(T[f"{p.id}.intro"])

ctx = widgets.context()
if not ctx.kinds:
    st.info(T["home.no_models"])
