"""Models: the chosen models' architecture, training curves and metrics; upload and download."""

import streamlit as st

from ui.core import widgets
from ui.logic.text import T
from ui.views import models as model_views

widgets.header("mod")
ctx = widgets.context()

kinds = ctx.kinds
if kinds:
    labels = [T["kind_name"].format(kind=k.upper(), name=ctx.model(k).name) for k in kinds]
    for tab, kind in zip(st.tabs(labels), kinds):
        with tab:
            model_views.model_card(ctx.model(kind))
else:
    st.info(T["need_models"].format(dataset=ctx.dataset, kinds="AE + VAE"))

st.subheader(T["hard_manage_title"])
model_views.manage_box(ctx.entries)

st.subheader(T["mod_upload_title"])
model_views.upload_box()
