"""The reconstructions page body: originals with each model's reconstruction and error under them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from vae_core import latent as lat

from . import cache, figures, logic, widgets
from . import state as S
from .sidebar import Context
from .text import T

MODES = ("first", "random", "indices", "worst_ae", "worst_vae")


def errors(ctx: Context) -> dict[str, np.ndarray]:
    out = {}
    for kind in ctx.kinds:
        model, sha = widgets.model(ctx, kind)
        out[kind] = cache.recon_errors(model, sha, ctx.data_key, ctx.data.x_test)
    return out


def controls(ctx: Context, errs: dict) -> list[int]:
    modes = [m for m in MODES if not m.startswith("worst_") or m[6:] in errs]
    c1, c2, c3 = st.columns([1, 2, 2])
    n = c1.slider(T["rec_n"], 1, 16, key=S.REC_N)
    mode = c2.radio(T["rec_mode"], modes, key=S.REC_MODE, format_func=lambda m: T[f"rec_mode_{m}"], horizontal=True)
    text = ""
    if mode == "indices":
        text = c3.text_input(T["rec_indices"], key=S.REC_INDICES)
    elif mode == "random" and c3.button(T["rec_shuffle"], key="rec_shuffle"):
        st.session_state[S.REC_SEED] += 1
    return logic.choose_indices(mode, n, len(ctx.data.x_test), errs, text, st.session_state[S.REC_SEED])


def gallery(ctx: Context, idx: list[int], errs: dict) -> None:
    if not idx:
        st.warning(T["rec_none"])
        return
    x = ctx.data.x_test
    originals = lat.to_uint8_images(x[idx])
    st.markdown(f"**{T['rec_row_original']}**")
    widgets.image_row(list(originals), [f"#{i} ({widgets.label_name(ctx, ctx.data.y_test[i])})" for i in idx])
    for kind, e in errs.items():
        model, sha = widgets.model(ctx, kind)
        recs = cache.reconstructions(model, sha, ctx.data_key, x, tuple(idx))
        st.markdown(f"**{T['rec_row_model'].format(kind=kind.upper(), name=ctx.model(kind).name)}**")
        widgets.image_row(list(recs), [T["rec_err"].format(e=e[i]) for i in idx])


def histogram(errs: dict) -> None:
    st.plotly_chart(figures.error_histogram({k.upper(): v for k, v in errs.items()}), key="rec_hist")
