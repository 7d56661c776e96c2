"""Plotly figures of the Generate page (no Streamlit): the pick-two-points map, the posterior on
a plane, KL per dimension, the rate–distortion plane."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from ui.logic import clicks
from ui.logic.figures import PALETTE, _layout, compact, plane_axes


def pick_map(coords: np.ndarray, labels: np.ndarray, classes: tuple[str, ...], idx: np.ndarray,
             chosen: tuple[int, int], title: str, method: str = "pca", height: int = 420, *, tx: Mapping[str, str]) -> go.Figure:
    """Test images on a plane, one trace per class (customdata = test index), A and B marked."""
    fig = go.Figure()
    for c in np.unique(labels):
        m = labels == c
        name = classes[c] if 0 <= c < len(classes) else str(c)
        fig.add_trace(go.Scatter(x=compact(coords[m, 0]), y=compact(coords[m, 1]), mode="markers", name=name,
                                 marker=dict(size=6, color=PALETTE[int(c) % len(PALETTE)], opacity=0.75),
                                 customdata=[[int(i)] for i in idx[m]],
                                 hovertemplate=f"{tx['shared.index_of'].format(i='%{customdata[0]}')}<br>{name}"
                                               "<extra></extra>"))
    for tag, i in zip("AB", chosen):
        pos = np.nonzero(idx == i)[0]
        if len(pos):
            p = int(pos[0])
            fig.add_trace(go.Scatter(x=[float(coords[p, 0])], y=[float(coords[p, 1])], mode="markers+text",
                                     text=[tag], textposition="top center", name=tag, customdata=[[int(i)]],
                                     marker=dict(size=16, symbol="star", color="black", line=dict(width=1, color="white")),
                                     hovertemplate=tx["shared.index_of"].format(i="%{customdata[0]}") + "<extra></extra>",
                                     showlegend=False))
    ax = plane_axes(method, tx=tx)
    return _layout(fig, height, title=title, dragmode="pan", xaxis_title=ax[0], yaxis_title=ax[1])


def posterior_plane(proj, background: np.ndarray, mu: np.ndarray, logvar: np.ndarray, draws: np.ndarray,
                    title: str, height: int = 420, *, tx: Mapping[str, str]) -> go.Figure:
    """Other images' μ in grey, this image's μ, its 1σ and 2σ ellipses of q(z|x), and its draws."""
    comps = proj._components if proj.method == "pca" else None
    cov = clicks.posterior_cov_2d(np.asarray(logvar)[None], comps)
    centre = proj.transform(np.asarray(mu)[None])
    fig = go.Figure()
    bg = proj.transform(background)
    fig.add_trace(go.Scattergl(x=compact(bg[:, 0]), y=compact(bg[:, 1]), mode="markers", name=tx["generate.post_points"],
                               marker=dict(size=4, color="rgba(120,120,120,0.35)"), hoverinfo="skip"))
    for n_std, dash in ((1.0, "solid"), (2.0, "dot")):
        xs, ys = clicks.ellipse_path(centre, cov, n_std=n_std, n_pts=64)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"{n_std:g}σ", line=dict(color="#d62728", dash=dash)))
    d = proj.transform(draws)
    fig.add_trace(go.Scatter(x=d[:, 0].tolist(), y=d[:, 1].tolist(), mode="markers", name=tx["generate.post_draw"],
                             marker=dict(size=6, color="#1f77b4", symbol="x")))
    fig.add_trace(go.Scatter(x=[float(centre[0, 0])], y=[float(centre[0, 1])], mode="markers", name=tx["generate.post_mu"],
                             marker=dict(size=10, color="black", symbol="star-open")))
    ax = plane_axes(proj.method, tx=tx)
    fig = _layout(fig, height, title=title, xaxis_title=ax[0], yaxis_title=ax[1])
    # start zoomed on the posterior (3× its 2σ extent, at least 3% of the data's spread): at the data's
    # scale q(z|x) is a dot; double-click shows everything
    half = max(3 * 2 * float(np.sqrt(np.linalg.eigvalsh(cov[0]).max())), 0.03 * float(np.ptp(bg, 0).max()))
    cx, cy = float(centre[0, 0]), float(centre[0, 1])
    fig.update_xaxes(range=[cx - half, cx + half])
    fig.update_yaxes(range=[cy - half, cy + half], scaleanchor="x")
    return fig


def kl_bars(kl: list[float], title: str, height: int = 320, *, tx: Mapping[str, str]) -> go.Figure:
    """Mean KL per latent dimension; dimensions below 0.01 nats (collapsed) in grey."""
    kl = np.asarray(kl, dtype=float)
    colors = ["#4c78a8" if v > 0.01 else "#bbbbbb" for v in kl]
    fig = go.Figure(go.Bar(x=[f"z{j + 1}" for j in range(len(kl))], y=kl.tolist(), marker_color=colors,
                           hovertemplate="%{x}: %{y:.3f} " + tx["generate.kl_axis"] + "<extra></extra>"))
    return _layout(fig, height, title=title, xaxis_title=tx["generate.kl_dim"], yaxis_title=tx["generate.kl_axis"])


def rate_distortion(sweep: list[dict], shipped: list[dict], epochs: int, height: int = 420, *, tx: Mapping[str, str]) -> go.Figure:
    """Rate (KL) against distortion (reconstruction), one point per β of the sweep (joined, labelled
    β = …), and the chosen models as stars."""
    fig = go.Figure()
    if sweep:
        fig.add_trace(go.Scatter(x=[s["rate"] for s in sweep], y=[s["distortion"] for s in sweep],
                                 mode="lines+markers+text", text=[f"β={s['beta']:g}" for s in sweep],
                                 textposition="top right", name=tx["generate.beta_sweep"].format(epochs=epochs)))
    if shipped:
        fig.add_trace(go.Scatter(x=[s["rate"] for s in shipped], y=[s["distortion"] for s in shipped],
                                 mode="markers", text=[s["name"] for s in shipped], name=tx["generate.beta_shipped"],
                                 marker=dict(size=14, symbol="star", color="black"), showlegend=True,  # alone too
                                 hovertemplate="%{text}<br>R=%{x:,.2f}, D=%{y:,.1f}<extra></extra>"))
    fig = _layout(fig, height, title=tx["generate.beta_fig"], xaxis_title=tx["generate.beta_rate"],
                  yaxis_title=tx["generate.beta_distortion"])
    # one number format per axis: plotly's default wrote "1937" on one tick and "1,937.5" on the next
    fig.update_yaxes(tickformat=",.1f")
    fig.update_xaxes(tickformat=",.2~f")
    return fig
