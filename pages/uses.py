"""Uses: what autoencoders are good for, one tab per use, each with a measured number. Only the
open tab runs (its numbers are computed once, then cached)."""

import streamlit as st

from pages.uses import view as uses
from ui import state as S
from ui import widgets
from ui.i18n import T

widgets.header("uses")
ctx = widgets.context()
widgets.require(ctx, kinds=("ae", "vae", "cvae"))

tabs = st.tabs([T[f"uses.tab_{t}"] for t in uses.TABS], key=S.USE_TAB, on_change="rerun")
bodies = (uses.compression_tab, uses.denoise_tab, uses.fill_tab, uses.anomaly_tab, uses.features_tab,
          uses.augment_tab)
for tab, body in zip(tabs, bodies):
    if tab.open:
        with tab:
            body(ctx)
