"""The app's pages, listed once. Navigation, the home page's cards and the tests read this list.

Files are given by absolute path so that the same navigation runs from ``app.py`` and from a
test harness (AppTest) with another start page. A page's texts are ``T["nav_<id>"]`` (menu),
``T["<id>_title"]`` and ``T["<id>_intro"]`` (header and home card).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.logic import paths
from ui.logic.text import T


@dataclass(frozen=True)
class PageSpec:
    url: str  # url path: the contract with the e2e tests and the bench
    file: str
    id: str  # text id prefix
    icon: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "pages/home.py", "home", ":material/home:"),
    PageSpec("train", "pages/train.py", "train", ":material/model_training:"),
    PageSpec("reconstructions", "pages/reconstructions.py", "rec", ":material/compare:"),
    PageSpec("latent_map", "pages/latent_map.py", "map", ":material/scatter_plot:"),
    PageSpec("latent_grid", "pages/latent_grid.py", "grid", ":material/grid_on:"),
    PageSpec("generate", "pages/generate.py", "gen", ":material/auto_awesome:"),
    PageSpec("uses", "pages/uses.py", "use", ":material/build:"),
    PageSpec("compare", "pages/compare.py", "cmp", ":material/balance:"),
    PageSpec("concepts", "pages/concepts.py", "con", ":material/school:"),
    PageSpec("models", "pages/models.py", "mod", ":material/memory:"),
)
URLS: tuple[str, ...] = tuple(p.url for p in PAGES)


def spec(url: str) -> PageSpec:
    return next(p for p in PAGES if p.url == url)


def by_id(page_id: str) -> PageSpec:
    """The page whose texts are ``T["<page_id>_…"]``."""
    return next(p for p in PAGES if p.id == page_id)


def page(url: str, default: bool = False) -> st.Page:
    p = spec(url)
    return st.Page(paths.ROOT / p.file, title=T[f"nav_{p.id}"], icon=p.icon, url_path=p.url, default=default)


def link(url: str, label: str | None = None) -> None:
    """A link to one of the app's pages."""
    st.page_link(page(url), label=label)
