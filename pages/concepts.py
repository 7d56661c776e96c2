"""Concepts: the ideas of the tutorial this app accompanies, each as an explanation with its formula
beside a live picture and a number, on toy data (no trained model needed)."""

import streamlit as st

from ui.core import widgets
from ui.logic.text import T
from ui.views import concepts as concept_views

widgets.header("con")
widgets.context()  # a deep link's first run goes through app.py; the page itself needs no model

models, lvm, ae, vae = st.tabs([T["con_tab_models"], T["con_tab_lvm"], T["con_tab_ae"], T["con_tab_vae"]])
with models:
    st.markdown(T["con_models_intro"])
    kind, n, noise = concept_views.toy_controls()
    concept_views.three_models(kind, n, noise)
with lvm:
    st.markdown(T["con_lvm_intro"])
    concept_views.latent_variable_model()
with ae:
    st.markdown(T["con_ae_intro"])
    concept_views.autoencoder()
with vae:
    st.markdown(T["con_vae_intro"])
    concept_views.vae()
