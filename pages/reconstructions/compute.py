"""Reconstructions' own cached computation."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.i18n import spinning
from ui.refs import DataRef, ModelRef
from vae_core.metrics import reconstruction_errors


@spinning("shared.spin_errors")
@st.cache_data(max_entries=16, show_spinner=False)
def recon_errors(m: ModelRef, d: DataRef) -> np.ndarray:
    data = d.data
    return reconstruction_errors(m.model, data.x_test, data.y_test).numpy()
