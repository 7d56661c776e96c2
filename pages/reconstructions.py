"""Reconstructions: test images with the AE's and the VAE's reconstructions and errors under them."""

import streamlit as st

from ui.core import widgets
from ui.logic.text import T
from ui.views import recon as recon_views

widgets.header("rec")
ctx = widgets.context()
widgets.require(ctx)

errs = recon_views.errors(ctx)
idx = recon_views.controls(ctx, errs)
recon_views.gallery(ctx, idx, errs)
st.divider()
st.caption(T["rec_hist_caption"])
recon_views.histogram(errs)
