"""The app's entry point: page config, navigation over ``pagelist.PAGES``, the shared sidebar."""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from ui import pagelist, projections, sidebar, texts
from ui import state as S
from ui.i18n import T

APP_CSS = Path(__file__).resolve().parent / "app.css"
_RUN = threading.local()  # a script run happens on one thread: is this run inside main()?


def active() -> bool:
    """Whether the running page was started by ``main`` (and so has the sidebar and Context)."""
    return getattr(_RUN, "active", False)


def sync_language() -> None:
    """The session's language: from ``?lang=`` on the first run (or when the URL is edited), else
    the sidebar's choice; written back to the URL so that a link keeps it."""
    wanted = st.query_params.get("lang")
    if wanted in texts.LANGUAGES and wanted != st.session_state.get(S.LANG_FROM_URL):
        st.session_state[S.LANG] = wanted
    st.session_state.setdefault(S.LANG, texts.DEFAULT_LANGUAGE)
    lang = st.session_state[S.LANG]
    if wanted != lang and (wanted is not None or lang != texts.DEFAULT_LANGUAGE):
        st.query_params["lang"] = lang
    st.session_state[S.LANG_FROM_URL] = lang


def main(start: str = "home") -> None:
    """Language, page config, navigation, the shared sidebar, then the chosen page."""
    before = active()
    _RUN.active = True
    try:
        sync_language()
        st.set_page_config(page_title=T["app.title"], page_icon=":material/scatter_plot:", layout="wide")
        st.html(APP_CSS)
        projections.umap_warmup()  # the server's first run starts compiling UMAP in the background
        current = st.navigation([pagelist.page(p.id, default=(p.id == start)) for p in pagelist.PAGES])
        sidebar.render()
        current.run()
    finally:
        _RUN.active = before
