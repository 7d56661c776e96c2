"""The reconstructions page body: originals with each model's reconstruction and error under them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages.reconstructions import compute, figures
from ui import shared_compute, widgets
from ui import state as S
from ui.i18n import T
from ui.logic import clicks
from ui.sidebar import Context
from vae_core import latent as lat

MODES = ("first", "random", "indices")  # then "worst_<kind>" for every model shown


def errors(ctx: Context) -> dict[str, np.ndarray]:
    out = {}
    for kind in ctx.kinds:
        out[kind] = compute.recon_errors(ctx.ref(kind), ctx.data_ref)
    return out


def mode_name(mode: str) -> str:
    return T["reconstructions.mode_worst"].format(kind=mode[6:].upper()) if mode.startswith("worst_") else T[f"reconstructions.mode_{mode}"]


def controls(ctx: Context, errs: dict) -> list[int]:
    modes = [*MODES, *(f"worst_{k}" for k in errs)]
    c1, c2, c3 = st.columns([1, 2, 2])
    n = c1.slider(T["reconstructions.n"], 1, 16, key=S.REC_N, persist_state=S.keep(S.REC_N))
    mode = c2.radio(T["reconstructions.mode"], modes, key=S.REC_MODE,
                    persist_state=S.keep(S.REC_MODE), format_func=mode_name, horizontal=True)
    text = ""
    if mode == "indices":
        text = c3.text_input(T["reconstructions.indices"], key=S.REC_INDICES, persist_state=S.keep(S.REC_INDICES))
    elif mode == "random" and c3.button(T["reconstructions.shuffle"], key="rec_shuffle"):
        st.session_state[S.REC_SEED] += 1
    return clicks.choose_indices(mode, n, len(ctx.data.x_test), errs, text, st.session_state[S.REC_SEED])


def gallery(ctx: Context, idx: list[int], errs: dict) -> None:
    if not idx:
        st.warning(T["reconstructions.none"])
        return
    x = ctx.data.x_test
    originals = lat.to_uint8_images(x[idx])
    st.markdown(f"**{T['reconstructions.row_original']}**")
    widgets.image_row(list(originals), [f"#{i} ({widgets.label_md(ctx, ctx.data.y_test[i])})" for i in idx])
    for kind, e in errs.items():
        recs = shared_compute.reconstructions(ctx.ref(kind), ctx.data_ref, tuple(idx))
        st.markdown(f"**{T['reconstructions.row_model'].format(kind=kind.upper(), name=widgets.plain(ctx.model(kind).name))}**")
        widgets.image_row(list(recs), [T["reconstructions.err"].format(e=e[i]) for i in idx])


def histogram(errs: dict) -> None:
    st.plotly_chart(figures.error_histogram({k.upper(): v for k, v in errs.items()}, tx=T), config=widgets.plotly_config(), key="rec_hist")
