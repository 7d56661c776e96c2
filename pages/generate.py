"""Generate: generation (prior samples, CVAE classes, interpolation, traversal) and inference
(the posterior of one image, KL per dimension, the β trade-off)."""

import streamlit as st

from pages.generate import view as gen
from ui import widgets
from ui.i18n import T

widgets.header("generate")
ctx = widgets.context()
widgets.require(ctx, kinds=("ae", "vae", "cvae"))

prior, cond, sliders, interp, trav, post, beta = st.tabs(
    [T[f"generate.tab_{t}"] for t in ("prior", "cvae", "sliders", "interp", "traverse", "posterior", "beta")])
with prior:
    gen.prior_tab(ctx)
with cond:
    gen.cvae_tab(ctx)
with sliders:
    gen.sliders_tab(ctx, widgets.kind_picker(ctx, key="gen_kind_sliders"))
with interp:
    gen.interp_tab(ctx)
with trav:
    gen.traverse_tab(ctx, widgets.kind_picker(ctx, key="gen_kind_traverse"))
with post:
    variational = [k for k in ctx.kinds if k != "ae"]
    if variational:
        gen.posterior_tab(ctx, widgets.kind_picker(ctx, kinds=variational, key="gen_kind_posterior"))
    else:
        st.info(T["generate.need_vae"].format(dataset=widgets.plain(ctx.dataset)))
with beta:
    if ctx.model("vae") is not None:
        gen.beta_tab(ctx, "vae")
    else:
        st.info(T["generate.need_vae"].format(dataset=widgets.plain(ctx.dataset)))
