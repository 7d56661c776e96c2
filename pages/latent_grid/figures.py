"""The Latent grid's figure (Streamlit-free)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from pages.latent_grid import hover
from ui.logic import clicks
from ui.logic.figures import GRID_PX, PALETTE, png_data_uri
from vae_core import latent as lat


def latent_grid(mosaic: np.ndarray, n: int, tile: int, bounds: tuple, overlay: tuple | None = None,
                far: np.ndarray | None = None, *, tx: Mapping[str, str]) -> go.Figure:
    """The decoded mosaic as one go.Image, with an invisible square marker at each cell centre
    (customdata [row, col]) so that a click anywhere on a cell selects it. ``overlay`` =
    (pixel positions (M, 2), labels (M,)) of data points drawn on top; ``far`` (n*n bools, grid
    order) shades the cells far from every data point."""
    size = n * tile
    fig = go.Figure(go.Image(source=png_data_uri(mosaic), x0=0, y0=0, dx=1, dy=1, hoverinfo="skip"))
    xs, ys, cd = clicks.cell_centres_px(n, tile)
    if far is not None and far.any():
        fx, fy = np.asarray(xs)[far], np.asarray(ys)[far]
        fig.add_trace(go.Scatter(x=fx.tolist(), y=fy.tolist(), mode="markers", hoverinfo="skip", showlegend=False,
                                 marker=dict(symbol="square-x-open", size=max(4, GRID_PX / n * 0.9),
                                             color="rgba(128,128,128,0.9)", line=dict(width=1))))
    plane = lat.grid_points(bounds, n).tolist()  # same row-major order as cd
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", customdata=[[r, c, px, py] for (r, c), (px, py) in zip(cd, plane)],
        marker=dict(symbol="square", size=max(4, GRID_PX / n * 0.95), opacity=0, color="white"),
        hovertemplate=tx["latent_grid.cell"].format(r="%{customdata[0]}", c="%{customdata[1]}")
        + "<br>x=%{customdata[2]:.3f}, y=%{customdata[3]:.3f}<extra></extra>", showlegend=False))
    if overlay is not None:
        pts, labels = overlay
        keep = (pts[:, 0] >= 0) & (pts[:, 0] <= size) & (pts[:, 1] >= 0) & (pts[:, 1] <= size)
        fig.add_trace(go.Scatter(x=pts[keep, 0].tolist(), y=pts[keep, 1].tolist(), mode="markers", hoverinfo="skip",
                                 marker=dict(size=4, color=[PALETTE[int(c) % 10] for c in labels[keep]], opacity=0.6),
                                 showlegend=False))
    ticks = np.linspace(0, size - 1, 5)
    x0, x1, y0, y1 = bounds
    dec = int(max(0, 2 - np.floor(np.log10(max(1e-9, min(x1 - x0, y1 - y0))))))
    fig.update_xaxes(range=[-0.5, size - 0.5], showgrid=False, zeroline=False, tickvals=ticks.tolist(),
                     ticktext=[f"{v:.{dec}f}" for v in np.linspace(x0, x1, 5)])
    # constraintoward: on a screen narrower than the figure the square sits at the top (app.css then
    # cuts the figure's height to its width, so no blank band is left above or below it)
    fig.update_yaxes(range=[size - 0.5, -0.5], showgrid=False, zeroline=False, scaleanchor="x", constraintoward="top",
                     tickvals=ticks.tolist(), ticktext=[f"{v:.{dec}f}" for v in np.linspace(y1, y0, 5)])
    fig.update_layout(width=GRID_PX + 60, height=GRID_PX + 40, margin=dict(l=50, r=10, t=10, b=30),
                      hovermode="closest", dragmode="pan", meta=hover.grid_meta(n, tile, bounds))
    return fig
