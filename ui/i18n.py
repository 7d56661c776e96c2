"""The Streamlit side of the texts: the session's language, ``T`` (the session's ``Texts``), spinners
worded in it, and ``error_text`` for the library's errors.

The language is read here, explicitly, from the session (``state.LANG``, set by ``ui.nav`` from
``?lang=`` or the sidebar). Streamlit-free code never reads it: it is handed a ``Texts`` (``T`` is one).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui import state as S
from ui.logic.plain import md
from ui.texts import DEFAULT_LANGUAGE, LANGUAGES, Texts

# The language outside a script run. AppTest formats a selectbox's or a radio's options (their
# ``format_func`` reads ``T``) in the test's own thread, where there is no session: a test that
# sends values back in another language sets this for that call.
outside_run_language = DEFAULT_LANGUAGE


def language() -> str:
    """The session's language (a code of ``LANGUAGES``)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return outside_run_language
    lang = st.session_state.get(S.LANG, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def texts() -> Texts:
    return Texts(language())


class _SessionTexts(Mapping):
    """``T[key]``: ``Texts(language())[key]``, looked up at each call (the session may switch)."""

    def __getitem__(self, key: str) -> str:
        return texts()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(texts())

    def __len__(self) -> int:
        return len(texts())


T = _SessionTexts()


def error_text(e: BaseException, tx: Mapping | None = None, markdown: bool = False) -> str:
    """An error in the session's language: an app refusal by its text key (``catalog.refusal``); a library
    error by its ``code`` and ``params`` (``vae_core.errors``) from the ``[errors]`` table; else ``str(e)``
    (a code the language has no wording for, or an error from before codes). ``markdown``: for a place
    Streamlit renders as Markdown — the values (file names, paths, dataset names) and an unworded line are
    made plain (``ui.logic.plain.md``), the wording is kept."""
    tx = T if tx is None else tx
    esc = md if markdown else (lambda v: v)
    key = getattr(e, "text_key", None)
    if key is not None:
        return tx[key].format(**{k: esc(v) if isinstance(v, (str, list, tuple)) else v for k, v in e.text_params.items()})
    code, params = getattr(e, "code", None), getattr(e, "params", None) or {}
    template = tx.get(f"errors.{code}") if isinstance(code, str) else None
    if template is not None:
        try:
            return template.format(**{k: esc(v) if isinstance(v, (str, list, tuple)) else v for k, v in params.items()})
        except (KeyError, IndexError, ValueError):  # params that do not fit this wording
            pass
    return esc(str(e))


class Recent:
    """The last ``kept`` argument sets a cached function ran with, fewer than its cache keeps, so a call
    among them is a cache hit: it can skip ``st.spinner``, which starts a timer thread and sends a
    message even when it shows nothing (under 0.5 s), on every rerun and click (issue 22)."""

    def __init__(self, kept: int = 8):
        self.kept, self._keys, self._lock = kept, OrderedDict(), threading.Lock()

    @staticmethod
    def key(args: tuple, kwargs: dict):
        """The call's arguments as one hashable key, or None (unhashable: treated as never seen)."""
        try:
            k = (args, tuple(sorted(kwargs.items())))
            hash(k)
            return k
        except TypeError:
            return None

    def seen(self, k) -> bool:
        with self._lock:
            if k is None or k not in self._keys:
                return False
            self._keys.move_to_end(k)
            return True

    def add(self, k) -> None:
        if k is None:
            return
        with self._lock:
            self._keys[k] = True
            while len(self._keys) > self.kept:
                self._keys.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()


def spinning(key: str):
    """Show ``T[key]`` — in the session's language, which a decorator argument fixed at import could
    not follow — while the wrapped call runs; a call it ran lately (``Recent``: a cache hit) runs
    without a spinner."""
    def wrap(fn):
        recent = Recent()

        @functools.wraps(fn)
        def run(*args, **kwargs):
            k = Recent.key(args, kwargs)
            if recent.seen(k):
                return fn(*args, **kwargs)
            with st.spinner(T[key]):
                out = fn(*args, **kwargs)
            recent.add(k)
            return out

        def clear(*a, **kw):
            recent.clear()
            return fn.clear(*a, **kw)

        run.clear = clear  # st.cache_* functions can be cleared
        return run
    return wrap
