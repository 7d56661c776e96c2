"""The app's entry point: page config, navigation over ``pagelist.PAGES``, the shared sidebar."""

from __future__ import annotations

import streamlit as st

from ui.core import sidebar
from ui.core.pagelist import PAGES, page
from ui.logic.text import T


def main(start: str = "home") -> None:
    """Page config, navigation, the shared sidebar, then the chosen page."""
    st.set_page_config(page_title=T["app_title"], page_icon=":material/scatter_plot:", layout="wide")
    current = st.navigation([page(p.url, default=(p.url == start)) for p in PAGES])
    sidebar.render()
    current.run()
