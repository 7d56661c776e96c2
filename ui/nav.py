"""The app's entry point: page config, navigation over ``pagelist.PAGES``, the shared sidebar."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

import streamlit as st

from ui import pagelist, projections, sidebar, texts
from ui import state as S
from ui.i18n import T
from ui.logic import settings

# plotly looks these modules up in sys.modules without importing them
# (``_plotly_utils.optional_imports.get_module(name, should_load=False)``). If a background thread is
# importing one of them (``import umap`` imports pandas) while a page builds a figure, the page finds it
# half-initialised and fails ("partially initialized module 'pandas' has no attribute 'Series'"). So
# they are imported here, by the first module app.py imports, before any thread of ours starts.
PROBED_BY_PLOTLY = ("numpy", "pandas", "PIL.Image")
for _name in PROBED_BY_PLOTLY:
    importlib.import_module(_name)

APP_CSS = Path(__file__).resolve().parent / "app.css"
TAP_JS = (Path(__file__).resolve().parent / "tap_selects.js").read_text()  # our own file, no user input
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
        if settings.mode() == settings.SHARED:
            S.keep_user_key_in_url()
        st.set_page_config(page_title=T["app.title"], page_icon=":material/scatter_plot:", layout="wide")
        st.html(APP_CSS)
        st.sidebar.html(f"<script>{TAP_JS}</script>", unsafe_allow_javascript=True)  # a tap selects (phones)
        projections.umap_warmup()  # the server's first run starts compiling UMAP in the background
        current = st.navigation([pagelist.page(p.id, default=(p.id == start)) for p in pagelist.PAGES])
        sidebar.render()
        current.run()
    finally:
        _RUN.active = before
