"""Uses: what autoencoders are good for, one tab per use, each with a measured number. Only the
open tab runs (its numbers are computed once, then cached)."""

import streamlit as st

from ui.core import state as S
from ui.core import widgets
from ui.logic.text import T
from ui.views import uses

widgets.header("use")
ctx = widgets.context()
widgets.require(ctx, kinds=("ae", "vae", "cvae"))

tabs = st.tabs([T[f"use_tab_{t}"] for t in uses.TABS], key=S.USE_TAB, on_change="rerun")
bodies = (uses.compression_tab, uses.denoise_tab, uses.fill_tab, uses.anomaly_tab, uses.features_tab,
          uses.augment_tab)
for tab, body in zip(tabs, bodies):
    if tab.open:
        with tab:
            body(ctx)
