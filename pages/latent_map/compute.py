"""The Latent map's own cached computation: the CSV of a map."""

from __future__ import annotations

import streamlit as st

from pages.latent_map import logic
from ui.logic import points
from ui.projections import latents, projection
from ui.refs import DataRef, ModelRef


@st.cache_data(max_entries=8, show_spinner=False)
def latents_csv(m: ModelRef, d: DataRef, n_max: int | None, method: str, reproducible: bool,
                source: str = points.TEST_ONLY) -> bytes:
    enc = latents(m, d, n_max, source)
    proj = projection(m, d, n_max, method, reproducible, source=source)
    return logic.latents_csv(enc["idx"], enc["labels"], proj.coords, enc["mu"],
                              None if source == points.TEST_ONLY else enc["split"])
