"""AE vs VAE: the metrics table, linked latent maps, prior samples and interpolations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui import maps, shared_compute, widgets
from ui import state as S
from ui.i18n import T
from ui.logic import clicks, metric_rows
from ui.sidebar import Context
from vae_core import latent as lat

METRIC_ROWS = ("loss", "recon", "kl", "mse", "psnr", "knn_acc", "nll_is")
MAP_POINTS = 2000


COMPARED = ("ae", "vae")  # this page puts the two unconditional kinds side by side


def compared(ctx: Context) -> list[str]:
    return [k for k in COMPARED if ctx.model(k) is not None]


def metrics_table(ctx: Context) -> tuple[pd.DataFrame, list[str]]:
    """The table (names with units) and, for each "—" in it, a sentence that says why."""
    cols, notes, counts = {}, [], {}
    for kind in compared(ctx):
        e = ctx.model(kind)
        m = shared_compute.metrics(ctx.ref(kind), ctx.data_ref)
        counts.update({k: m[k] for k in ("knn_k", "nll_k") if k in m})  # an AE has no nll_k: take the VAE's
        cols[T["shared.kind_name"].format(kind=kind.upper(), name=e.name)] = [metric_rows.value(k, m.get(k), tx=T) for k in METRIC_ROWS]
        for k in METRIC_ROWS:
            why = metric_rows.why_missing(k, kind, ctx.dataset, ctx.data_mode, tx=T) if m.get(k) is None else None
            if why and why not in notes:
                notes.append(why)
    return pd.DataFrame(cols, index=[metric_rows.name(k, counts, tx=T) for k in METRIC_ROWS]), notes


def _pick_from_events(events: dict) -> int | None:
    """The index most recently clicked in either map (a map whose selection just emptied is ignored)."""
    last = st.session_state[S.COMPARE_LAST]
    for kind, ev in events.items():
        idx = clicks.event_index(ev)
        if idx is not None and clicks.event_index(last.get(kind)) != idx:
            st.session_state[S.COMPARE_PICK] = idx
    st.session_state[S.COMPARE_LAST] = dict(events)
    return st.session_state[S.COMPARE_PICK]


@st.fragment
def linked_maps(ctx: Context) -> None:
    """Both latent maps side by side; a point clicked in one is starred in the other."""
    shown = {k: maps.map_data(ctx, k, "pca", MAP_POINTS) for k in compared(ctx)}
    keys = {"ae": S.COMPARE_AE, "vae": S.COMPARE_VAE}
    # the selections arrive in session state before the charts are drawn: pick first, then star it
    pick = _pick_from_events({k: st.session_state.get(keys[k]) for k in shown})
    for col, (kind, m) in zip(st.columns(len(shown)), shown.items()):
        with col:
            fig = maps.scatter_figure(m, highlight=pick, height=420)
            st.plotly_chart(fig, config=widgets.plotly_config(), key=keys[kind], on_select="rerun", selection_mode=("points",))
    if pick is None:
        st.info(T["compare.click_hint"])
        return
    orig = lat.to_uint8_images(ctx.data.x_test[pick:pick + 1])[0]
    imgs, caps = [orig], [T["shared.index_of"].format(i=pick)]
    for kind, m in shown.items():
        rec = shared_compute.reconstructions(m.ref, m.dref, (pick,))[0]
        imgs.append(rec)
        caps.append(T["compare.recon_by"].format(kind=kind.upper()))
    widgets.image_row(imgs, caps, size=112, per_row=4)


def prior_samples(ctx: Context, seed: int) -> None:
    kinds = compared(ctx)
    for col, kind in zip(st.columns(len(kinds)), kinds):
        imgs = shared_compute.prior_samples(ctx.ref(kind), 16, seed)
        widgets.image(lat.tile(imgs, 8, pad=2), 8 * 64, where=col, caption=T[f"compare.prior_{kind}"])


def interpolations(ctx: Context, a: int, b: int, method: str, steps: int = 10) -> None:
    for kind in compared(ctx):
        imgs = shared_compute.interpolation(ctx.ref(kind), ctx.data_ref, a, b, steps, method)
        widgets.image(lat.tile(imgs, steps, pad=2), steps * 64,
                      caption=T["compare.interp_caption"].format(kind=kind.upper(), a=a, b=b))


def index_inputs(ctx: Context) -> tuple[int, int]:
    hi = len(ctx.data.x_test) - 1
    for k in (S.INTERP_A, S.INTERP_B):
        st.session_state[k] = int(np.clip(st.session_state[k], 0, hi))
    c1, c2, c3 = st.columns(3)
    a = c1.number_input(T["compare.interp_a"], 0, hi, key=S.INTERP_A, persist_state=S.keep(S.INTERP_A))
    b = c2.number_input(T["compare.interp_b"], 0, hi, key=S.INTERP_B, persist_state=S.keep(S.INTERP_B))
    c3.radio(T["compare.interp_method"], ["linear", "slerp"], key=S.INTERP_METHOD,
             persist_state=S.keep(S.INTERP_METHOD), horizontal=True,
             format_func=lambda m: T[f"compare.method_{m}"])
    return int(a), int(b)
