"""The app's pages, listed once, by id and icon. Navigation, the home page's cards and the tests read
this list.

A page's id is its URL path, its script ``pages/<id>.py`` (what ``st.Page`` runs), the package beside it
(``pages/<id>/``: view, cached computations, logic) and its
texts' table (``[<id>]`` in every ``ui/locales/*.toml``: ``nav`` for the menu, ``title`` and ``intro``
for its header and home card). Files are given by absolute path so that the same navigation runs
from ``app.py`` and from a test harness (AppTest) with another start page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ui.i18n import T
from ui.logic import paths

PAGES_DIR = paths.ROOT / "pages"


@dataclass(frozen=True)
class PageSpec:
    id: str  # the url path (the contract with the e2e tests and the bench), package and text table
    icon: str

    @property
    def file(self) -> Path:
        return PAGES_DIR / f"{self.id}.py"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", ":material/home:"),
    PageSpec("train", ":material/model_training:"),
    PageSpec("reconstructions", ":material/compare:"),
    PageSpec("latent_map", ":material/scatter_plot:"),
    PageSpec("latent_grid", ":material/grid_on:"),
    PageSpec("generate", ":material/auto_awesome:"),
    PageSpec("uses", ":material/build:"),
    PageSpec("compare", ":material/balance:"),
    PageSpec("concepts", ":material/school:"),
    PageSpec("models", ":material/memory:"),
)
URLS: tuple[str, ...] = tuple(p.id for p in PAGES)


def spec(page_id: str) -> PageSpec:
    return next(p for p in PAGES if p.id == page_id)


def page(page_id: str, default: bool = False) -> st.Page:
    p = spec(page_id)
    return st.Page(p.file, title=T[f"{p.id}.nav"], icon=p.icon, url_path=p.id, default=default)


def link(page_id: str, label: str | None = None) -> None:
    """A link to one of the app's pages."""
    st.page_link(page(page_id), label=label)
