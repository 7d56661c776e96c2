"""Home: one first step, what the app shows, the generation / inference picture, a card per page."""

import html

import streamlit as st

from pages.home import figures
from ui import pagelist, widgets
from ui import state as S
from ui.i18n import T
from ui.logic import catalog

widgets.header("home")
ctx = widgets.context()
# a phone shows the sidebar folded behind the button at the top left: say so (only on narrow screens, app.css)
st.html(f'<div class="vx-phone-only">{html.escape(T["home.phone_sidebar"])}</div>')
shipped = {e.dataset for e in ctx.entries if e.source == catalog.SHIPPED}
first = "mnist" if "mnist" in shipped else None  # the first step: the shipped MNIST models on the latent map
if st.button(T["home.start_mnist"] if first else T["home.start"], type="primary", key="home_start"):
    if first:
        st.session_state[S.PENDING_PICK] = [(first, k, p) for k, p in catalog.default_models(ctx.entries, first).items()]
    st.switch_page(pagelist.page("latent_map"))
st.markdown(T["home.body"])
st.plotly_chart(figures.diagram(tx=T), key="home_diagram", config=widgets.plotly_config(displayModeBar=False))
st.caption(T["home.diagram_caption"])

cards = [p for p in pagelist.PAGES if p.id not in ("home", "train")] + [p for p in pagelist.PAGES if p.id == "train"]
cols = st.columns(3)
for k, p in enumerate(cards):  # Train last: exploring the shipped models comes first
    with cols[k % 3].container(border=True):
        pagelist.link(p.id)
        st.caption(T[f"{p.id}.intro"])

if not ctx.kinds:
    st.info(T["home.no_models"])
