"""Models' own cached computation."""

from __future__ import annotations

import streamlit as st

from ui.refs import ModelRef
from vae_core.summary import format_table
from vae_core.summary import layer_table as rows


@st.cache_data(max_entries=16, show_spinner=False)
def layer_table(m: ModelRef) -> str:
    """The CLI's text table (torchsummary's English headers)."""
    model = m.model
    return format_table(rows(model, model.config.image_shape), model)


@st.cache_data(max_entries=16, show_spinner=False)
def layer_rows(m: ModelRef) -> dict:
    """{"rows": [(layer, output shape, parameters)], "total", "trainable"}: the layer table as data, for
    a table whose headers the page words in its language."""
    model = m.model
    table = [(r.name, str(list(r.output_shape)), int(r.params)) for r in rows(model, model.config.image_shape)]
    return {"rows": table, "total": sum(p.numel() for p in model.parameters()),
            "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad)}
