"""Plotly figure builders. Every chart in the app is one of these (hover, zoom, PNG export).
Clickable charts carry plain-list customdata: the dataset index of a point, [row, col] of a cell."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.logic import clicks, hover, points
from ui.logic.text import T
from vae_core import latent as lat

WEBGL_FROM = 2500  # points; above this the scatter is drawn with WebGL
HUGE_FROM = 20_000  # points; above this the markers are smaller and lighter (less overdraw)
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
GRID_PX = 640  # on-screen size of the latent grid


TOOLBAR_PX = 34  # the plotly toolbar's row at the top of a chart: titles go below it, never under it


def title_below_toolbar(title) -> dict:
    """A chart title placed under the toolbar's row (the toolbar used to cover titles, worst at 390 px)."""
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    return dict(text=text, x=0, xanchor="left", xref="paper", y=1, yref="container", yanchor="top",
                pad=dict(t=TOOLBAR_PX, l=0))


def _layout(fig: go.Figure, height: int = 420, **kw) -> go.Figure:
    kw.setdefault("margin", dict(l=10, r=10, t=40, b=10))
    if kw.get("title"):
        kw["title"] = title_below_toolbar(kw["title"])
        kw["margin"] = {**kw["margin"], "t": max(kw["margin"].get("t", 0), TOOLBAR_PX + 36)}
    fig.update_layout(height=height + (TOOLBAR_PX if kw.get("title") else 0), hovermode="closest",
                      legend=dict(itemsizing="constant"), **kw)
    return fig


def compact(a: np.ndarray, digits: int = 4) -> list[float]:
    """Coordinates rounded to ~``digits`` significant digits of the data's scale: a third of the
    JSON a click re-sends, with no visible difference."""
    a = np.asarray(a, dtype=np.float64)
    scale = float(np.max(np.abs(a))) if a.size else 1.0
    dec = int(max(0, digits - np.floor(np.log10(scale if scale > 0 else 1.0)) - 1))
    return np.round(a, dec).tolist()


def plane_axes(method: str) -> tuple[str, str]:
    """Axis titles of a 2-D map: z₁ / z₂ for a 2-D latent, PC 1 / PC 2, UMAP 1 / 2, t-SNE 1 / 2."""
    names = {"identity": ("z₁", "z₂"), "pca": ("PC 1", "PC 2"), "umap": ("UMAP 1", "UMAP 2"),
             "tsne": ("t-SNE 1", "t-SNE 2"), "strip": ("z₁", T["map_axis_class"])}
    return names.get(method, ("", ""))


def latent_scatter(coords: np.ndarray, labels: np.ndarray, classes: tuple[str, ...], idx: np.ndarray,
                   title: str, ellipses: tuple[list, list] | None = None, highlight: int | None = None,
                   height: int = 520, axis_titles: tuple[str, str] = ("", ""),
                   split: np.ndarray | None = None) -> go.Figure:
    """One trace per class; customdata = [index]; hover shows index and label. With ``split``
    (a map of both splits: 0 test, 1 train per point) one trace per class and split, one legend
    entry per class, customdata = [index, split] and the split in the hover.

    Coordinates go out as float32 and customdata as the smallest integer type that holds it:
    plotly sends numpy arrays as typed arrays (base64), so 70,000 points are about 1 MB."""
    many = len(coords) > WEBGL_FROM
    huge = len(coords) > HUGE_FROM
    Scatter = go.Scattergl if many else go.Scatter
    fig = go.Figure()
    if ellipses is not None:
        fig.add_trace(go.Scatter(x=ellipses[0], y=ellipses[1], mode="lines", hoverinfo="skip",
                                 line=dict(width=0.6, color="rgba(80,80,80,0.35)"), name=T["map_sigma_trace"]))
    xy = np.asarray(coords, dtype=np.float32)
    idx = np.asarray(idx)
    mixed = split is not None
    codes = (points.TEST, points.TRAIN) if mixed else (None,)
    cd_type = points.index_dtype(int(idx.max()) if len(idx) else 0)
    for c in np.unique(labels):
        name = classes[c] if 0 <= c < len(classes) else str(c)
        first = True
        for code in codes:
            m = labels == c if code is None else (labels == c) & (split == code)
            if not m.any():
                continue
            cd = idx[m, None] if code is None else np.column_stack([idx[m], np.full(int(m.sum()), code)])
            who = points.point_name("%{customdata[0]}", code or 0, mixed)
            fig.add_trace(Scatter(
                x=xy[m, 0], y=xy[m, 1], mode="markers", name=name, legendgroup=name, showlegend=first,
                marker=dict(size=3 if huge else 5 if many else 6, color=PALETTE[int(c) % len(PALETTE)],
                            opacity=0.6 if huge else 0.8),
                customdata=cd.astype(cd_type),
                hovertemplate=f"{who}<br>{T['label_of'].format(label=name)}<extra></extra>"))
            first = False
    if highlight is not None:
        pos = np.nonzero((idx == highlight) & (split == points.TEST if mixed else True))[0]
        if len(pos):
            p = int(pos[0])
            fig.add_trace(go.Scatter(x=[float(coords[p, 0])], y=[float(coords[p, 1])], mode="markers",
                                     name=T["map_selected"], customdata=[[int(highlight)]],
                                     marker=dict(size=18, symbol="star", color="black", line=dict(width=2, color="white")),
                                     hovertemplate=T["index_of"].format(i="%{customdata[0]}") + "<extra></extra>"))
    return _layout(fig, height, title=title, dragmode="pan", xaxis_title=axis_titles[0], yaxis_title=axis_titles[1])


def png_bytes(img: np.ndarray) -> bytes:
    """A uint8 image (H, W) or (H, W, 3) as lossless PNG bytes."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def png_data_uri(img: np.ndarray | bytes) -> str:
    """A uint8 image (or PNG bytes) as a data: URI."""
    data = img if isinstance(img, bytes) else png_bytes(img)
    return "data:image/png;base64," + base64.b64encode(data).decode()


def latent_grid(mosaic: np.ndarray, n: int, tile: int, bounds: tuple, overlay: tuple | None = None,
                far: np.ndarray | None = None) -> go.Figure:
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
        hovertemplate=T["grid_cell"].format(r="%{customdata[0]}", c="%{customdata[1]}")
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


def training_curves(history: dict, steps: dict | None = None, height: int = 340) -> go.Figure:
    """Left: the loss (train/test per epoch; per step while training). Right: reconstruction and KL."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(T["curve_loss"], T["curve_parts"]))
    ep = history.get("epoch") or []
    colors = {"train": "#1f77b4", "test": "#ff7f0e"}
    if steps and steps.get("x"):
        fig.add_trace(go.Scatter(x=steps["x"], y=steps["loss"], mode="lines", name=T["curve_train_step"],
                                 line=dict(color="rgba(31,119,180,0.35)")), 1, 1)
        fig.add_trace(go.Scatter(x=steps["x"], y=steps["recon"], mode="lines", name=T["curve_recon_step"],
                                 line=dict(color="rgba(44,160,44,0.35)")), 1, 2)
        fig.add_trace(go.Scatter(x=steps["x"], y=steps["kl"], mode="lines", name=T["curve_kl_step"],
                                 line=dict(color="rgba(214,39,40,0.35)")), 1, 2)
    for split in ("train", "test"):
        h = history.get(split) or {}
        if h.get("loss"):
            fig.add_trace(go.Scatter(x=ep, y=h["loss"], mode="lines+markers", name=T[f"curve_{split}_loss"],
                                     line=dict(color=colors[split])), 1, 1)
        for part, dash in (("recon", "solid"), ("kl", "dot")):
            if h.get(part):
                fig.add_trace(go.Scatter(x=ep, y=h[part], mode="lines+markers", name=T[f"curve_{split}_{part}"],
                                         line=dict(color=colors[split], dash=dash)), 1, 2)
    fig.update_xaxes(title_text=T["curve_epoch"])
    return _layout(fig, height)


def error_histogram(errors: dict[str, np.ndarray]) -> go.Figure:
    fig = go.Figure([go.Histogram(x=e.tolist(), name=name, opacity=0.6, nbinsx=60) for name, e in errors.items()])
    return _layout(fig, 260, barmode="overlay", title=T["rec_hist_title"], xaxis_title=T["rec_err_axis"])


def diagram() -> go.Figure:
    """prior p(z) → decoder p(x|z) → x (generation) and x → encoder q(z|x) → z (inference)."""
    fig = go.Figure()
    boxes = {"z": (0, T["dia_z"]), "dec": (1, T["dia_dec"]), "x": (2, T["dia_x"]),
             "enc": (1, T["dia_enc"])}
    rows = {"z": 1, "dec": 1, "x": 1, "enc": 0}
    for k, (col, text) in boxes.items():
        fig.add_annotation(x=col, y=rows[k], text=text, showarrow=False, bgcolor="#eef3fb",
                           bordercolor="#4c78a8", borderwidth=1.5, borderpad=8, font=dict(size=14, color="#1f2d3d"))
    arrows = [((0.2, 1), (0.75, 1)), ((1.25, 1), (1.8, 1)), ((2, 0.85), (1.3, 0.1)), ((0.7, 0.1), (0, 0.85))]
    for (ax, ay), (x, y) in arrows:
        fig.add_annotation(x=x, y=y, ax=ax, ay=ay, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=1.6, arrowcolor="#4c78a8")
    fig.add_annotation(x=1, y=1.35, text=T["dia_generation"], showarrow=False, font=dict(color="#555"))
    fig.add_annotation(x=1, y=-0.35, text=T["dia_inference"], showarrow=False, font=dict(color="#555"))
    fig.update_xaxes(visible=False, range=[-0.5, 2.5])
    fig.update_yaxes(visible=False, range=[-0.6, 1.6])
    return _layout(fig, 260, showlegend=False, dragmode=False, plot_bgcolor="white")
