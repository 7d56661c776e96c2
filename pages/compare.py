"""AE vs VAE: the same images through both models."""

import streamlit as st

from ui.core import state as S
from ui.core import widgets
from ui.logic.text import T
from ui.views import compare as compare_views

widgets.header("cmp")
ctx = widgets.context()
widgets.require(ctx, need_all=True)

st.subheader(T["cmp_metrics"])
st.caption(T["cmp_metrics_caption"])
table, notes = compare_views.metrics_table(ctx)
st.dataframe(table)
for note in notes:
    st.caption(note)

st.subheader(T["cmp_maps"])
compare_views.linked_maps(ctx)

st.subheader(T["cmp_prior"])
st.markdown(T["cmp_prior_explain"])
if st.button(T["cmp_prior_new"], key="prior_new"):
    st.session_state[S.PRIOR_SEED] += 1
compare_views.prior_samples(ctx, st.session_state[S.PRIOR_SEED])

st.subheader(T["cmp_interp"])
a, b = compare_views.index_inputs(ctx)
compare_views.interpolations(ctx, a, b, st.session_state[S.INTERP_METHOD])
