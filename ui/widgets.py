"""Small page building blocks shared by several pages (headers, guards, image rows)."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from ui import nav, pagelist, sidebar, texts
from ui import state as S
from ui.i18n import T, language
from ui.logic.figures import plotly_config as _plotly_config
from ui.logic.figures import png_data_uri
from ui.logic.plain import md as plain  # text from a file or a user, for any place Streamlit renders Markdown
from ui.sidebar import Context
from vae_core.kinds import kind as kind_of


def header(page: str) -> None:
    """The page's title and intro. A page file run without ``app.py`` (a test harness running the
    file by itself) runs the app instead and stops the bare run: the app's ``st.navigation``
    (public API) finds the page by its url and runs this file again with the sidebar. (A fresh
    server's first run goes through Streamlit's legacy mode, which finds a deep link's page as the
    file ``pages/<url>.py``: that is why each page's script sits beside its package. Home stays the default page: a default page's url
    is /, so making another page the default would answer /latent_map with "Page not found".)"""
    if not nav.active():
        nav.main()
        st.stop()
    st.title(T[f"{page}.title"])
    st.caption(T[f"{page}.intro"])


def context() -> Context:
    """The sidebar's Context for this run (drawn here when no one drew it yet)."""
    if st.session_state.get(S.CONTEXT) is None:
        return sidebar.render()
    return st.session_state[S.CONTEXT]


def require(ctx: Context, kinds: tuple[str, ...] = ("ae", "vae"), need_all: bool = False) -> list[str]:
    """The kinds of model available; stops the page with a message when the page cannot run."""
    have = [k for k in kinds if ctx.model(k) is not None]
    if not have or (need_all and len(have) < len(kinds)):
        st.info(T["shared.need_models"].format(dataset=plain(ctx.dataset), kinds=" + ".join(k.upper() for k in kinds)))
        pagelist.link("train", T["shared.sb_go_train"])
        st.stop()
    if ctx.data is None:
        st.error(T["shared.need_data"].format(dataset=plain(ctx.dataset), err=ctx.data_error_md))
        st.stop()
    return have


def kind_picker(ctx: Context, kinds: list[str] | None = None, key: str = S.MODEL_KIND) -> str:
    """One of the chosen models (AE, VAE, CVAE) for the pages that look at one model at a time."""
    have = kinds or ctx.kinds
    if st.session_state.get(key) not in have:
        st.session_state[key] = have[-1] if "vae" not in have else "vae"
    return st.radio(T["shared.pick_model"], have, key=key, persist_state=S.keep(key), horizontal=True,
                    format_func=lambda k: T["shared.kind_name"].format(kind=k.upper(), name=plain(ctx.model(k).name)))


def enlarge(img: np.ndarray, size: int) -> np.ndarray:
    """The image with its longer side exactly ``size`` pixels: nearest-neighbour upscaling by a whole
    factor (crisp pixels), then an area-averaging resize to the exact size."""
    h, w = img.shape[:2]
    k = max(1, -(-size // max(h, w)))
    big = Image.fromarray(img).resize((w * k, h * k), Image.NEAREST)
    f = size / max(h, w)
    target = (max(1, round(w * f)), max(1, round(h * f)))
    return np.asarray(big if big.size == target else big.resize(target, Image.BOX))


def image(img: np.ndarray, size: int, caption: str | None = None, where=st) -> None:
    """A small image at a readable size (longer side ``size`` px), never wider than its column
    (``width="content"`` caps it; a fixed pixel width overflowed narrow columns), sent inline as a PNG
    data URI: no media request, so a click that changes it shows the new image in the message that carries it."""
    where.image(png_data_uri(enlarge(img, size)), caption=caption, width="content")


def image_row(images, captions: list[str], size: int = 84, per_row: int | None = None) -> None:
    """A row (or rows) of small images with a caption under each."""
    per_row = per_row or max(1, len(images))
    for start in range(0, len(images), per_row):
        cols = st.columns(per_row)
        for col, img, cap in zip(cols, images[start:start + per_row], captions[start:start + per_row]):
            image(img, size, cap, where=col)


def label_picker(ctx: Context, kind: str, key: str = S.GRID_LABEL) -> int | None:
    """The class a conditional model decodes with (None for the other kinds)."""
    if not kind_of(kind).conditional:
        return None
    classes = list(range(len(ctx.data.classes)))
    if st.session_state.get(key) not in classes:
        st.session_state[key] = 0
    return st.selectbox(T["shared.pick_label"], classes, key=key,
                        persist_state=S.keep(key), format_func=lambda y: label_name(ctx, y))


def label_name(ctx: Context, y: int) -> str:
    """A class's name as plain text (selectbox options, tables); a folder dataset's names are its folders'."""
    return texts.class_name(T, ctx.dataset, ctx.data.classes, y)


def label_md(ctx: Context, y: int) -> str:
    """A class's name for a Markdown place (captions, alerts, ``st.markdown``)."""
    return plain(label_name(ctx, y))


def plotly_config(**options) -> dict:
    """The config every ``st.plotly_chart`` gets: the toolbar's tooltips in the session's language."""
    return _plotly_config(language(), tx=T, **options)
