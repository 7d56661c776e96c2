"""Concepts: the ideas of the tutorial this app accompanies, each as an explanation with its formula
beside a live picture and a number, on toy data (no trained model needed)."""

import streamlit as st

from pages.concepts import view as concept_views
from ui import widgets
from ui.i18n import T

widgets.header("concepts")
widgets.context()  # a deep link's first run goes through app.py; the page itself needs no model

models, lvm, ae, vae = st.tabs([T["concepts.tab_models"], T["concepts.tab_lvm"], T["concepts.tab_ae"], T["concepts.tab_vae"]])
with models:
    st.markdown(T["concepts.models_intro"])
    kind, n, noise = concept_views.toy_controls()
    concept_views.three_models(kind, n, noise)
with lvm:
    st.markdown(T["concepts.lvm_intro"])
    concept_views.latent_variable_model()
with ae:
    st.markdown(T["concepts.ae_intro"])
    concept_views.autoencoder()
with vae:
    st.markdown(T["concepts.vae_intro"])
    concept_views.vae()
