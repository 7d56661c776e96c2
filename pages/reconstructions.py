"""Reconstructions: test images with the AE's and the VAE's reconstructions and errors under them."""

import streamlit as st

from pages.reconstructions import view as recon_views
from ui import widgets
from ui.i18n import T

widgets.header("reconstructions")
ctx = widgets.context()
widgets.require(ctx)

errs = recon_views.errors(ctx)
idx = recon_views.controls(ctx, errs)
recon_views.gallery(ctx, idx, errs)
st.divider()
st.caption(T["reconstructions.hist_caption"])
recon_views.histogram(errs)
