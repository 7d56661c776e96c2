"""The app's entry point: page config, navigation over ``pagelist.PAGES``, the shared sidebar."""

from __future__ import annotations

import threading

import streamlit as st

from ui.core import sidebar
from ui.core.pagelist import PAGES, page
from ui.logic.text import T

_RUN = threading.local()  # a script run happens on one thread: is this run inside main()?


def active() -> bool:
    """Whether the running page was started by ``main`` (and so has the sidebar and Context)."""
    return getattr(_RUN, "active", False)


def main(start: str = "home") -> None:
    """Page config, navigation, the shared sidebar, then the chosen page."""
    before = active()
    _RUN.active = True
    try:
        st.set_page_config(page_title=T["app_title"], page_icon=":material/scatter_plot:", layout="wide")
        current = st.navigation([page(p.url, default=(p.url == start)) for p in PAGES])
        sidebar.render()
        current.run()
    finally:
        _RUN.active = before
