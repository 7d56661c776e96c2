"""Home's diagram (Streamlit-free)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from ui.logic.figures import _layout, wrap_title

# Boxes are shapes in data coordinates (they scale with the chart, as the arrows do); their texts wrap
# to BOX_COLS columns, which fit a box at 390 px (about 85 px wide there, 12-px font).
BOX_W, BOX_H, BOX_COLS = 0.72, 0.4, 10
CENTRES = {"z": (0.0, 1.0), "dec": (1.0, 1.0), "x": (2.0, 1.0), "enc": (1.0, 0.0)}


def box(key: str) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a box."""
    cx, cy = CENTRES[key]
    return cx - BOX_W / 2, cy - BOX_H / 2, cx + BOX_W / 2, cy + BOX_H / 2


def arrows() -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(tail, head) of each arrow, both on a box's edge: z → decoder → x → encoder → z."""
    z, dec, x, enc = box("z"), box("dec"), box("x"), box("enc")
    return [((z[2], 1.0), (dec[0], 1.0)),  # right edge of z → left edge of the decoder
            ((dec[2], 1.0), (x[0], 1.0)),  # decoder → image
            ((2.0, x[1]), (enc[2], 0.05)),  # bottom of the image → right edge of the encoder
            ((enc[0], 0.05), (0.0, z[1]))]  # left edge of the encoder → bottom of z


def diagram(*, tx: Mapping[str, str]) -> go.Figure:
    """prior p(z) → decoder p(x|z) → x (generation) and x → encoder q(z|x) → z (inference)."""
    fig = go.Figure()
    for k, text in {"z": tx["home.dia_z"], "dec": tx["home.dia_dec"], "x": tx["home.dia_x"],
                    "enc": tx["home.dia_enc"]}.items():
        x0, y0, x1, y1 = box(k)
        fig.add_shape(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, xref="x", yref="y", fillcolor="#eef3fb",
                      line=dict(color="#4c78a8", width=1.5), layer="below")
        fig.add_annotation(x=CENTRES[k][0], y=CENTRES[k][1], text=wrap_title(text, BOX_COLS), showarrow=False,
                           font=dict(size=12, color="#1f2d3d"))
    for (ax, ay), (x, y) in arrows():
        fig.add_annotation(x=x, y=y, ax=ax, ay=ay, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=1.6, arrowcolor="#4c78a8")
    fig.add_annotation(x=1, y=1.42, text=tx["home.dia_generation"], showarrow=False, font=dict(color="#555"))
    fig.add_annotation(x=1, y=-0.38, text=tx["home.dia_inference"], showarrow=False, font=dict(color="#555"))
    fig.update_xaxes(visible=False, range=[-0.45, 2.45], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-0.6, 1.6], fixedrange=True)
    return _layout(fig, 260, showlegend=False, dragmode=False, plot_bgcolor="white")
