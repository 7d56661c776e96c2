"""Models: the chosen models' architecture, training curves and metrics; upload and download."""

import streamlit as st

from pages.models import view as model_views
from ui import widgets
from ui.i18n import T

widgets.header("models")
ctx = widgets.context()

kinds = ctx.kinds
if kinds:
    labels = [T["shared.kind_name"].format(kind=k.upper(), name=widgets.plain(ctx.model(k).name)) for k in kinds]
    for tab, kind in zip(st.tabs(labels), kinds):
        with tab:
            model_views.model_card(ctx.model(kind))
else:
    st.info(T["shared.need_models"].format(dataset=widgets.plain(ctx.dataset), kinds="AE + VAE"))

st.subheader(T["models.manage_title"])
model_views.manage_box(ctx.entries)

st.subheader(T["models.upload_title"])
model_views.upload_box(ctx)

st.subheader(T["models.data_title"])
model_views.data_box()
