"""AE vs VAE: the same images through both models."""

import streamlit as st

from pages.compare import view as compare_views
from ui import state as S
from ui import widgets
from ui.i18n import T

widgets.header("compare")
ctx = widgets.context()
widgets.require(ctx, need_all=True)

st.subheader(T["compare.metrics"])
st.caption(T["compare.metrics_caption"])
table, notes = compare_views.metrics_table(ctx)
st.table(table)  # a static table wraps its cells: a dataframe showed only the row labels at 390 px
for note in notes:
    st.caption(note)

st.subheader(T["compare.maps"])
compare_views.linked_maps(ctx)

st.subheader(T["compare.prior"])
st.markdown(T["compare.prior_explain"])
if st.button(T["compare.prior_new"], key="prior_new"):
    st.session_state[S.PRIOR_SEED] += 1
compare_views.prior_samples(ctx, st.session_state[S.PRIOR_SEED])

st.subheader(T["compare.interp"])
a, b = compare_views.index_inputs(ctx)
compare_views.interpolations(ctx, a, b, st.session_state[S.INTERP_METHOD])
