"""AE/VAE Latent Explorer: ``streamlit run app.py``. The navigation and the shared sidebar; nothing else."""

import streamlit as st

from ui import sidebar
from ui.text import T

st.set_page_config(page_title=T["app_title"], page_icon=":material/scatter_plot:", layout="wide")

PAGES = [
    st.Page("pages/home.py", title=T["nav_home"], icon=":material/home:", url_path="home", default=True),
    st.Page("pages/train.py", title=T["nav_train"], icon=":material/model_training:", url_path="train"),
    st.Page("pages/reconstructions.py", title=T["nav_rec"], icon=":material/compare:", url_path="reconstructions"),
    st.Page("pages/latent_map.py", title=T["nav_map"], icon=":material/scatter_plot:", url_path="latent_map"),
    st.Page("pages/latent_grid.py", title=T["nav_grid"], icon=":material/grid_on:", url_path="latent_grid"),
    st.Page("pages/compare.py", title=T["nav_cmp"], icon=":material/balance:", url_path="compare"),
    st.Page("pages/models.py", title=T["nav_mod"], icon=":material/memory:", url_path="models"),
]

page = st.navigation(PAGES)
sidebar.render()
page.run()
