"""Home's diagram (Streamlit-free)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from ui.logic.figures import _layout


def diagram(*, tx: Mapping[str, str]) -> go.Figure:
    """prior p(z) → decoder p(x|z) → x (generation) and x → encoder q(z|x) → z (inference)."""
    fig = go.Figure()
    boxes = {"z": (0, tx["home.dia_z"]), "dec": (1, tx["home.dia_dec"]), "x": (2, tx["home.dia_x"]),
             "enc": (1, tx["home.dia_enc"])}
    rows = {"z": 1, "dec": 1, "x": 1, "enc": 0}
    for k, (col, text) in boxes.items():
        fig.add_annotation(x=col, y=rows[k], text=text, showarrow=False, bgcolor="#eef3fb",
                           bordercolor="#4c78a8", borderwidth=1.5, borderpad=8, font=dict(size=14, color="#1f2d3d"))
    arrows = [((0.2, 1), (0.75, 1)), ((1.25, 1), (1.8, 1)), ((2, 0.85), (1.3, 0.1)), ((0.7, 0.1), (0, 0.85))]
    for (ax, ay), (x, y) in arrows:
        fig.add_annotation(x=x, y=y, ax=ax, ay=ay, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=1.6, arrowcolor="#4c78a8")
    fig.add_annotation(x=1, y=1.35, text=tx["home.dia_generation"], showarrow=False, font=dict(color="#555"))
    fig.add_annotation(x=1, y=-0.35, text=tx["home.dia_inference"], showarrow=False, font=dict(color="#555"))
    fig.update_xaxes(visible=False, range=[-0.5, 2.5])
    fig.update_yaxes(visible=False, range=[-0.6, 1.6])
    return _layout(fig, 260, showlegend=False, dragmode=False, plot_bgcolor="white")
