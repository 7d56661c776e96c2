"""The app's pages. Files are given by absolute path so that the same navigation runs from
``app.py`` and from a test harness (AppTest) with another start page."""

from __future__ import annotations

import streamlit as st

from . import paths
from .text import T

# url path (the contract with the e2e tests), file, title id, icon
PAGES = [
    ("home", "pages/home.py", "nav_home", ":material/home:"),
    ("train", "pages/train.py", "nav_train", ":material/model_training:"),
    ("reconstructions", "pages/reconstructions.py", "nav_rec", ":material/compare:"),
    ("latent_map", "pages/latent_map.py", "nav_map", ":material/scatter_plot:"),
    ("latent_grid", "pages/latent_grid.py", "nav_grid", ":material/grid_on:"),
    ("compare", "pages/compare.py", "nav_cmp", ":material/balance:"),
    ("models", "pages/models.py", "nav_mod", ":material/memory:"),
]


def page(url: str, default: bool = False) -> st.Page:
    _, file, title, icon = next(p for p in PAGES if p[0] == url)
    return st.Page(paths.ROOT / file, title=T[title], icon=icon, url_path=url, default=default)


def link(url: str, label: str | None = None) -> None:
    """A link to one of the app's pages."""
    st.page_link(page(url), label=label)
