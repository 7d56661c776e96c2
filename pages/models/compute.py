"""Models' own cached computation."""

from __future__ import annotations

import streamlit as st

from ui.refs import ModelRef
from vae_core.summary import format_table
from vae_core.summary import layer_table as rows


@st.cache_data(max_entries=16, show_spinner=False)
def layer_table(m: ModelRef) -> str:
    model = m.model
    return format_table(rows(model, model.config.image_shape), model)
