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


@st.cache_data(max_entries=8, show_spinner=False)
def density_grids(m: ModelRef, d: DataRef, n_max: int | None, method: str, source: str, bounds: tuple,
                  n: int = 64) -> tuple | None:
    """(log p, log q) on an n×n grid over ``bounds`` of a linear plane (``ui.browser_decode.plane_densities``);
    None where the plane's inverse is not linear."""
    from ui import browser_decode

    proj = projection(m, d, n_max, method, source=source)
    plane = browser_decode.plane_map(proj)
    if plane is None:
        return None
    enc = latents(m, d, n_max, source)
    return browser_decode.plane_densities(plane, bounds, n, enc["mu"], enc["logvar"])
