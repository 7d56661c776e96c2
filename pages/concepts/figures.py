"""Plotly builders for the Concepts page (no Streamlit import). Clickable charts carry an
invisible grid of markers whose plain-list customdata is the point [x₁, x₂] they stand for, so
a click anywhere picks a point (``concepts.clicked_xy`` reads it back). Contour grids stay numpy
arrays: plotly sends them as typed arrays, several times faster than lists of floats."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from pages.concepts.logic import Grid
from ui.logic.figures import PALETTE, png_data_uri, title_below_toolbar, title_top

CLICK_CELLS = 30  # the invisible click grid is CLICK_CELLS × CLICK_CELLS markers
WHITE_MIX = 0.55  # how much of a class colour a fully confident region gets (the rest is white)


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)


def blend(probs: np.ndarray) -> np.ndarray:
    """(…, K) class probabilities → (…, 3) uint8 colours: Σ_k p_k·colour_k, mixed with white, so
    certain regions are tinted by their class and uncertain ones are in between."""
    cols = np.stack([_rgb(PALETTE[k % len(PALETTE)]) for k in range(probs.shape[-1])])
    mix = probs @ cols
    return np.clip(255 * (1 - WHITE_MIX) + WHITE_MIX * mix, 0, 255).astype(np.uint8)


def _plane(fig: go.Figure, grid: Grid, title: str, height: int, *, tx: Mapping[str, str]) -> go.Figure:
    x0, x1, y0, y1 = grid.bounds
    fig.update_xaxes(range=[x0, x1], title_text=tx["concepts.axis_x1"], showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(range=[y0, y1], title_text=tx["concepts.axis_x2"], showgrid=False, zeroline=False,
                     scaleanchor="x", scaleratio=1, constrain="domain")
    fig.update_layout(title=(tt := title_below_toolbar(title)), height=height + title_top(tt) - 36,
                      margin=dict(l=10, r=10, t=title_top(tt), b=10), hovermode="closest",
                      dragmode="pan", plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="top", y=-0.15, itemsizing="constant"))
    return fig


def _click_grid(grid: Grid, extra: np.ndarray | None = None, template: str | None = None, *, tx: Mapping[str, str]) -> go.Scatter:
    """Invisible markers over the plane; customdata [x₁, x₂, *extra] (plain lists)."""
    pts = click_points(grid)
    cd = np.round(pts, 3) if extra is None else np.column_stack([np.round(pts, 3), np.round(extra, 4)])
    return go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", customdata=cd.tolist(),
                      marker=dict(symbol="square", size=16, opacity=0, color="white"), showlegend=False,
                      hovertemplate=(template or tx["concepts.hover_point"]) + "<extra></extra>")


def click_points(grid: Grid) -> np.ndarray:
    """The points of the invisible click grid (to compute hover values for them)."""
    n = CLICK_CELLS
    return Grid(np.linspace(grid.xs[0], grid.xs[-1], n), np.linspace(grid.ys[0], grid.ys[-1], n)).points


def _data(X: np.ndarray, y: np.ndarray, class_names: list[str], clickable: bool = False, size: int = 6,
          opacity: float = 0.9, *, tx: Mapping[str, str]) -> list[go.Scatter]:
    out = []
    for k in np.unique(y):
        m = y == k
        out.append(go.Scatter(
            x=X[m, 0], y=X[m, 1], mode="markers", name=class_names[k],
            customdata=np.round(X[m], 3).tolist() if clickable else None,
            hovertemplate=(tx["concepts.hover_point"] if clickable else class_names[k]) + "<extra></extra>",
            marker=dict(size=size, color=PALETTE[int(k) % len(PALETTE)], opacity=opacity,
                        line=dict(width=0.6, color="white"))))
    return out


def _star(point: tuple[float, float] | None, *, tx: Mapping[str, str]) -> list[go.Scatter]:
    if point is None:
        return []
    return [go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name=tx["concepts.selected"], hoverinfo="skip",
                       marker=dict(size=18, symbol="star", color="black", line=dict(width=2, color="white")))]


def _boundaries(grid: Grid, probs: np.ndarray, name: str) -> list[go.Contour | go.Scatter]:
    """Dashed lines where the argmax of ``probs`` changes: for each pair (i, j), the zero level of
    p_i − p_j where i and j are the two most likely classes (NaN elsewhere)."""
    K = probs.shape[1]
    top2 = np.sort(np.argsort(-probs, 1)[:, :2], 1)
    out: list = []
    for i in range(K):
        for j in range(i + 1, K):
            z = np.where((top2[:, 0] == i) & (top2[:, 1] == j), probs[:, i] - probs[:, j], np.nan)
            if np.all(np.isnan(z)):
                continue
            out.append(go.Contour(x=grid.xs, y=grid.ys, z=grid.image(z), showscale=False,
                                  contours=dict(start=0, end=0, size=1, coloring="none"), hoverinfo="skip",
                                  line=dict(color="black", width=1.6, dash="dash"), connectgaps=False,
                                  showlegend=False))
    if out:  # one legend entry for all the pieces
        out.append(go.Scatter(x=[None], y=[None], mode="lines", name=name,
                              line=dict(color="black", width=1.6, dash="dash")))
    return out


def regions(grid: Grid, probs: np.ndarray, X: np.ndarray, y: np.ndarray, class_names: list[str], title: str,
            hover_probs: np.ndarray | None = None, point: tuple[float, float] | None = None,
            boundary: tuple[np.ndarray, str] | None = None, clickable: bool = False,
            height: int = 440, *, tx: Mapping[str, str]) -> go.Figure:
    """p(y|x) over the plane as a colour blend of the classes (the decision regions), the data on
    top, an optional second model's decision boundary (dashed), and the hover grid: it shows p(y|x)
    when ``hover_probs`` (the probabilities at ``click_points(grid)``) is given. ``clickable``: the
    data points carry customdata [x₁, x₂] too (the grid always does)."""
    img = blend(grid.image(probs))
    dx, dy = grid.xs[1] - grid.xs[0], grid.ys[1] - grid.ys[0]
    fig = go.Figure(go.Image(source=png_data_uri(img), x0=float(grid.xs[0]), dx=float(dx), y0=float(grid.ys[0]),
                             dy=float(dy), hoverinfo="skip"))  # a PNG: a tenth of the JSON of z=[[[r, g, b]]]
    template = tx["concepts.hover_point"]
    if hover_probs is not None:
        template += "".join("<br>" + tx["concepts.hover_class_p"].format(name=n, i=2 + k) for k, n in enumerate(class_names))
    fig.add_trace(_click_grid(grid, hover_probs, template, tx=tx))
    for t in _data(X, y, class_names, clickable=clickable, tx=tx):
        fig.add_trace(t)
    if boundary is not None:
        for t in _boundaries(grid, *boundary):
            fig.add_trace(t)
    for t in _star(point, tx=tx):
        fig.add_trace(t)
    fig = _plane(fig, grid, title, height, tx=tx)
    fig.update_yaxes(autorange=False)  # an image would otherwise flip the y axis
    return fig


def density(grid: Grid, dens: np.ndarray, X: np.ndarray, samples: np.ndarray, title: str,
            height: int = 440, *, tx: Mapping[str, str]) -> go.Figure:
    """p(x) as filled contours, the (unlabelled) data in grey and samples drawn from the model."""
    fig = go.Figure(go.Contour(x=grid.xs, y=grid.ys, z=grid.image(dens),
                               colorscale="Blues", ncontours=14, line=dict(width=0.5), name=tx["concepts.density"],
                               colorbar=dict(title=dict(text="p(x)"), thickness=12),
                               hovertemplate=tx["concepts.hover_density"] + "<extra></extra>"))
    fig.add_trace(go.Scatter(x=X[:, 0].round(4).tolist(), y=X[:, 1].round(4).tolist(), mode="markers",
                             name=tx["concepts.data"], hoverinfo="skip",
                             marker=dict(size=4, color="rgba(60,60,60,0.45)")))
    fig.add_trace(go.Scatter(x=samples[:, 0].round(4).tolist(), y=samples[:, 1].round(4).tolist(), mode="markers",
                             name=tx["concepts.samples"], hoverinfo="skip",
                             marker=dict(size=6, symbol="x", color="#d62728")))
    return _plane(fig, grid, title, height, tx=tx)


def class_densities(grid: Grid, dens: np.ndarray, X: np.ndarray, y: np.ndarray, class_names: list[str],
                    means: np.ndarray, chosen: int, samples: np.ndarray, title: str, height: int = 440, *, tx: Mapping[str, str]) -> go.Figure:
    """Each class density p(x|y=k) as contour lines in its colour (the chosen class filled), the
    class means, the data and samples x ~ p(x|y=chosen)."""
    fig = go.Figure()
    for k in range(dens.shape[1]):
        colour = PALETTE[k % len(PALETTE)]
        z = grid.image(dens[:, k])
        filled = k == chosen
        fig.add_trace(go.Contour(
            x=grid.xs, y=grid.ys, z=z, showscale=False, ncontours=8,
            contours=dict(coloring="fill" if filled else "lines", start=float(z.max()) * 0.05,
                          end=float(z.max()), size=float(z.max()) * 0.9 / 7),
            colorscale=[[0, "rgba(255,255,255,0)"], [1, colour]] if filled else [[0, colour], [1, colour]],
            opacity=0.55 if filled else 0.9, line=dict(width=1.2, color=colour), name=class_names[k], showlegend=True,
            hovertemplate=tx["concepts.hover_class_density"].format(name=class_names[k]) + "<extra></extra>"))
    for t in _data(X, y, class_names, size=4, opacity=0.35, tx=tx):
        t.showlegend = False
        fig.add_trace(t)
    fig.add_trace(go.Scatter(x=means[:, 0].tolist(), y=means[:, 1].tolist(), mode="markers", name=tx["concepts.means"],
                             hoverinfo="skip", marker=dict(size=13, symbol="diamond", color="white",
                                                           line=dict(width=2, color="black"))))
    fig.add_trace(go.Scatter(x=samples[:, 0].round(4).tolist(), y=samples[:, 1].round(4).tolist(), mode="markers",
                             name=tx["concepts.samples_of"].format(name=class_names[chosen]), hoverinfo="skip",
                             marker=dict(size=7, symbol="x", color="black")))
    return _plane(fig, grid, title, height, tx=tx)


def lvm_plane(grid: Grid, dens: np.ndarray, curve: np.ndarray, samples: np.ndarray,
              point: tuple[float, float] | None, title: str, height: int = 400, *, tx: Mapping[str, str]) -> go.Figure:
    """Data space of the toy latent variable model: the marginal p(x) (filled contours), the decoder's
    curve f(z), samples x ~ p(x|z), z ~ p(z), the chosen x; clickable anywhere."""
    fig = go.Figure(go.Contour(x=grid.xs, y=grid.ys, z=grid.image(dens),
                               colorscale="Blues", ncontours=14, line=dict(width=0.4), showscale=False,
                               hoverinfo="skip"))
    fig.add_trace(_click_grid(grid, tx=tx))
    fig.add_trace(go.Scatter(x=samples[:, 0].round(4).tolist(), y=samples[:, 1].round(4).tolist(), mode="markers",
                             name=tx["concepts.lvm_samples"], hoverinfo="skip",
                             marker=dict(size=4, color="#ff7f0e", opacity=0.7)))
    fig.add_trace(go.Scatter(x=curve[:, 0].tolist(), y=curve[:, 1].tolist(), mode="lines", name=tx["concepts.lvm_curve"],
                             hoverinfo="skip", line=dict(color="black", width=1.5)))
    for t in _star(point, tx=tx):
        fig.add_trace(t)
    return _plane(fig, grid, title, height, tx=tx)


def lvm_latent(zs: np.ndarray, prior: np.ndarray, post: np.ndarray, q: np.ndarray, z_draws: np.ndarray,
               title: str, height: int = 300, *, tx: Mapping[str, str]) -> go.Figure:
    """The latent axis: prior p(z), exact posterior p(z|x), its Gaussian stand-in q(z|x), and the
    importance draws z_k ~ q(z|x) as a rug."""
    fig = go.Figure()
    for ys, name, style in ((prior, tx["concepts.lvm_prior"], dict(color="#7f7f7f", width=2)),
                            (post, tx["concepts.lvm_post"], dict(color="#1f77b4", width=2.5)),
                            (q, tx["concepts.lvm_q"], dict(color="#d62728", width=2, dash="dash"))):
        fig.add_trace(go.Scatter(x=zs.round(4).tolist(), y=ys.round(5).tolist(), mode="lines", name=name, line=style))
    shown = z_draws[:200]
    fig.add_trace(go.Scatter(x=shown.round(4).tolist(), y=[0.0] * len(shown), mode="markers", name=tx["concepts.lvm_draws"],
                             hoverinfo="skip", marker=dict(symbol="line-ns-open", size=12, color="#d62728")))
    fig.update_xaxes(title_text="z", range=[-4, 4])
    fig.update_yaxes(title_text=tx["concepts.axis_density"], rangemode="tozero")
    fig.update_layout(title=(tt := title_below_toolbar(title)), height=height + title_top(tt) - 36,
                      margin=dict(l=10, r=10, t=title_top(tt), b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="top", y=-0.25))
    return fig


def hourglass(names: list[str], sizes: list[int], bottleneck: int, height: int = 320, *, tx: Mapping[str, str]) -> go.Figure:
    """Numbers per image after each layer: the input, down to the bottleneck, back up."""
    colours = ["#d62728" if i == bottleneck else "#4c78a8" for i in range(len(sizes))]
    fig = go.Figure(go.Bar(x=names, y=sizes, marker_color=colours, hovertemplate="%{x}: %{y:,}<extra></extra>"))
    fig.update_yaxes(title_text=tx["concepts.ae_numbers"], tickformat=",")
    fig.update_layout(title=(tt := title_below_toolbar(tx["concepts.ae_hourglass"])), height=height + title_top(tt) - 36,
                      margin=dict(l=10, r=10, t=title_top(tt), b=10),
                      plot_bgcolor="white", showlegend=False)
    return fig


def reparam(zs: np.ndarray, prior: np.ndarray, q: np.ndarray, z: np.ndarray, mu: float, title: str,
            height: int = 320, *, tx: Mapping[str, str]) -> go.Figure:
    """q(z|x) = N(μ, σ²) against the prior N(0, 1), and draws z = μ + σ·ε for fixed ε."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=zs.round(4).tolist(), y=prior.round(5).tolist(), mode="lines", name=tx["concepts.vae_prior"],
                             line=dict(color="#7f7f7f", width=2)))
    fig.add_trace(go.Scatter(x=zs.round(4).tolist(), y=q.round(5).tolist(), mode="lines", name=tx["concepts.vae_q"],
                             fill="tozeroy", fillcolor="rgba(214,39,40,0.12)", line=dict(color="#d62728", width=2)))
    fig.add_trace(go.Scatter(x=z.round(4).tolist(), y=[0.0] * len(z), mode="markers", name=tx["concepts.vae_draws"],
                             hoverinfo="skip", marker=dict(symbol="line-ns-open", size=12, color="#d62728")))
    fig.add_vline(x=mu, line=dict(color="#d62728", dash="dot", width=1))
    fig.update_xaxes(title_text="z", range=[float(zs[0]), float(zs[-1])])
    fig.update_yaxes(title_text=tx["concepts.axis_density"], rangemode="tozero")
    fig.update_layout(title=(tt := title_below_toolbar(title)), height=height + title_top(tt) - 36,
                      margin=dict(l=10, r=10, t=title_top(tt), b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="top", y=-0.25))
    return fig
