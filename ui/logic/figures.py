"""Plotly figure builders several pages use (a page's own are in its ``figures.py``); every chart in the
app is plotly (hover, zoom, PNG export). Clickable charts carry plain-list customdata: the dataset index
of a point, [row, col] of a cell. Texts come in as ``tx`` (a ``ui.texts.Texts``)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from ui.logic import points

WEBGL_FROM = 2500  # points; above this the scatter is drawn with WebGL
HUGE_FROM = 20_000  # points; above this the markers are smaller and lighter (less overdraw)
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
GRID_PX = 640  # on-screen size of the latent grid


TOOLBAR_PX = 34  # the plotly toolbar's row at the top of a chart: titles go below it, never under it


class FrozenFigure(go.Figure):
    """A figure that is never changed once built (a cached one), whose plotly dict is made once.

    ``st.plotly_chart`` turns the figure into a dict (``to_dict``: a deep copy with every array
    base64-encoded) on every run of the fragment that draws it, so each click on the latent map or
    grid re-encoded the whole chart; a frozen figure keeps that dict."""

    def to_dict(self) -> dict:
        frozen = getattr(self, "_frozen_dict", None)
        if frozen is None:
            frozen = super().to_dict()
            self._frozen_dict = frozen
        return frozen


def frozen(fig: go.Figure) -> FrozenFigure:
    """The same figure, frozen (for a cache: it must not be changed afterwards)."""
    return FrozenFigure(fig)


TITLE_COLS = 40  # a title line's budget in display columns (a CJK character takes two): it fits a chart
# in a half-width column at 1400 px and a full-width one at 390 px (about 340 px of plot, 14-px font)
TITLE_FONT_PX = 14
TITLE_LINE_PX = 18


def display_width(text: str) -> int:
    """Columns a text takes on screen: a wide (CJK, full-width) character counts two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def wrap_title(text: str, cols: int = TITLE_COLS) -> str:
    """The text broken into lines of at most ``cols`` display columns, joined by plotly's <br>:
    between words for spaced scripts, anywhere between wide characters (Chinese has no spaces)."""
    lines: list[str] = []
    for para in text.split("<br>"):
        line = ""
        for token in _tokens(para):
            if line and display_width(line + token) > cols:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return "<br>".join(lines)


def _tokens(text: str) -> list[str]:
    """Words with their leading space; every wide character alone (a break may come before it)."""
    import re
    import unicodedata

    out: list[str] = []
    for word in re.findall(r"\s*\S+", text):
        part = ""
        for c in word:
            if unicodedata.east_asian_width(c) in ("W", "F"):
                if part.strip():
                    out.append(part)
                    part = ""
                out.append(part + c)
                part = ""
            else:
                part += c
        if part:
            out.append(part)
    return out


def title_below_toolbar(title) -> dict:
    """A chart title placed under the toolbar's row (the toolbar used to cover titles, worst at 390 px),
    wrapped to TITLE_COLS columns a line so it fits a half-width column or a phone."""
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    return dict(text=wrap_title(text), x=0, xanchor="left", xref="container", y=1, yref="container", yanchor="top",
                pad=dict(t=TOOLBAR_PX, l=10), font=dict(size=TITLE_FONT_PX))


def title_top(title: dict) -> int:
    """The top margin a (wrapped) title needs: the toolbar's row, then its lines."""
    return TOOLBAR_PX + 18 + TITLE_LINE_PX * (title.get("text", "").count("<br>") + 1)


LEGEND_BELOW = dict(orientation="h", x=0, xanchor="left", y=-0.2, yanchor="top", itemsizing="constant")


def _layout(fig: go.Figure, height: int = 420, **kw) -> go.Figure:
    """Common layout: the title under the toolbar (its lines add to the height), a horizontal legend
    below the plot (a legend on the right took 40% of a half-width chart)."""
    kw.setdefault("margin", dict(l=10, r=10, t=40, b=10))
    extra = 0
    if kw.get("title"):
        kw["title"] = title_below_toolbar(kw["title"])
        top = title_top(kw["title"])
        kw["margin"] = {**kw["margin"], "t": max(kw["margin"].get("t", 0), top)}
        extra = top - 36
    fig.update_layout(height=height + extra, hovermode="closest", legend=LEGEND_BELOW, **kw)
    return fig


# The plotly toolbar's tooltips (plotly.js's English strings) → their text keys in [shared]. Streamlit's
# plotly bundle registers no locale but passes the chart's config through, and plotly.js looks a
# string up in config.locales[lang].dictionary first: the app hands it its own words.
PLOTLY_STRINGS = {
    "Zoom": "plotly_zoom", "Pan": "plotly_pan", "Box Select": "plotly_box", "Lasso Select": "plotly_lasso",
    "Zoom in": "plotly_zoom_in", "Zoom out": "plotly_zoom_out", "Autoscale": "plotly_autoscale",
    "Reset axes": "plotly_reset", "Reset view": "plotly_reset_view", "Download plot as a PNG": "plotly_png",
    "Download plot": "plotly_download", "Produced with Plotly.js": "plotly_produced",
    "Double-click to zoom back out": "plotly_dblclick", "Show closest data on hover": "plotly_closest",
    "Compare data on hover": "plotly_compare", "Toggle Spike Lines": "plotly_spikes",
}


def plotly_config(lang: str, *, tx: Mapping[str, str], **options) -> dict:
    """A chart's plotly config in a language: the toolbar's tooltips from the texts (English keeps
    plotly's own), plus plotly config ``options`` (e.g. displayModeBar=False)."""
    config = {"locale": lang, **options}
    if lang != "en":
        config["locales"] = {lang: {"dictionary": {en: tx[f"shared.{key}"] for en, key in PLOTLY_STRINGS.items()}}}
    return config


def compact(a: np.ndarray, digits: int = 4) -> list[float]:
    """Coordinates rounded to ~``digits`` significant digits of the data's scale: a third of the
    JSON a click re-sends, with no visible difference."""
    a = np.asarray(a, dtype=np.float64)
    scale = float(np.max(np.abs(a))) if a.size else 1.0
    dec = int(max(0, digits - np.floor(np.log10(scale if scale > 0 else 1.0)) - 1))
    return np.round(a, dec).tolist()


def plane_axes(method: str, *, tx: Mapping[str, str]) -> tuple[str, str]:
    """Axis titles of a 2-D map: z₁ / z₂ for a 2-D latent, PC 1 / PC 2, UMAP 1 / 2, t-SNE 1 / 2."""
    names = {"identity": ("z₁", "z₂"), "pca": ("PC 1", "PC 2"), "umap": ("UMAP 1", "UMAP 2"),
             "tsne": ("t-SNE 1", "t-SNE 2"), "strip": ("z₁", tx["shared.axis_class"])}
    return names.get(method, ("", ""))


def latent_scatter(coords: np.ndarray, labels: np.ndarray, classes: tuple[str, ...], idx: np.ndarray,
                   title: str, ellipses: tuple[list, list] | None = None, highlight: int | None = None,
                   height: int = 520, axis_titles: tuple[str, str] = ("", ""),
                   split: np.ndarray | None = None, *, tx: Mapping[str, str]) -> go.Figure:
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
                                 line=dict(width=0.6, color="rgba(80,80,80,0.35)"), name=tx["shared.sigma_trace"]))
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
            who = points.point_name("%{customdata[0]}", code or 0, mixed, tx=tx)
            fig.add_trace(Scatter(
                x=xy[m, 0], y=xy[m, 1], mode="markers", name=name, legendgroup=name, showlegend=first,
                marker=dict(size=3 if huge else 5 if many else 6, color=PALETTE[int(c) % len(PALETTE)],
                            opacity=0.6 if huge else 0.8),
                customdata=cd.astype(cd_type),
                hovertemplate=f"{who}<br>{tx['shared.label_of'].format(label=name)}<extra></extra>"))
            first = False
    if highlight is not None:
        pos = np.nonzero((idx == highlight) & (split == points.TEST if mixed else True))[0]
        if len(pos):
            p = int(pos[0])
            fig.add_trace(go.Scatter(x=[float(coords[p, 0])], y=[float(coords[p, 1])], mode="markers",
                                     name=tx["shared.selected"], customdata=[[int(highlight)]],
                                     marker=dict(size=18, symbol="star", color="black", line=dict(width=2, color="white")),
                                     hovertemplate=tx["shared.index_of"].format(i="%{customdata[0]}") + "<extra></extra>"))
    return _layout(fig, height, title=title, dragmode="pan", xaxis_title=axis_titles[0], yaxis_title=axis_titles[1])


def png_bytes(img: np.ndarray) -> bytes:
    """A uint8 image (H, W) or (H, W, 3) as lossless PNG bytes."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def png_data_uri(img: np.ndarray | bytes) -> str:
    """A uint8 image (or PNG bytes) as a data: URI."""
    data = img if isinstance(img, bytes) else png_bytes(img)
    return "data:image/png;base64," + base64.b64encode(data).decode()


def training_curves(history: dict, steps: dict | None = None, height: int = 340, *, tx: Mapping[str, str]) -> go.Figure:
    """Left: the loss (train/test per epoch; per step while training). Right: reconstruction and KL."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(tx["shared.curve_loss"], tx["shared.curve_parts"]))
    ep = history.get("epoch") or []
    colors = {"train": "#1f77b4", "test": "#ff7f0e"}
    if steps and steps.get("x"):
        fig.add_trace(go.Scatter(x=steps["x"], y=steps["loss"], mode="lines", name=tx["shared.curve_train_step"],
                                 line=dict(color="rgba(31,119,180,0.35)")), 1, 1)
        fig.add_trace(go.Scatter(x=steps["x"], y=steps["recon"], mode="lines", name=tx["shared.curve_recon_step"],
                                 line=dict(color="rgba(44,160,44,0.35)")), 1, 2)
        fig.add_trace(go.Scatter(x=steps["x"], y=steps["kl"], mode="lines", name=tx["shared.curve_kl_step"],
                                 line=dict(color="rgba(214,39,40,0.35)")), 1, 2)
    for split in ("train", "test"):
        h = history.get(split) or {}
        if h.get("loss"):
            fig.add_trace(go.Scatter(x=ep, y=h["loss"], mode="lines+markers", name=tx[f"shared.curve_{split}_loss"],
                                     line=dict(color=colors[split])), 1, 1)
        for part, dash in (("recon", "solid"), ("kl", "dot")):
            if h.get(part):
                fig.add_trace(go.Scatter(x=ep, y=h[part], mode="lines+markers", name=tx[f"shared.curve_{split}_{part}"],
                                         line=dict(color=colors[split], dash=dash)), 1, 2)
    fig.update_xaxes(title_text=tx["shared.curve_epoch"])
    return _layout(fig, height)
