"""Reconstructions' figure (Streamlit-free)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from ui.logic.figures import _layout


def error_histogram(errors: dict[str, np.ndarray], *, tx: Mapping[str, str]) -> go.Figure:
    fig = go.Figure([go.Histogram(x=e.tolist(), name=name, opacity=0.6, nbinsx=60) for name, e in errors.items()])
    return _layout(fig, 260, barmode="overlay", title=tx["reconstructions.hist_title"], xaxis_title=tx["reconstructions.err_axis"])
