"""Plotly figures and small image helpers of the Uses page (no Streamlit): rate–distortion, PSNR
before/after denoising, fill error per iteration, ROC curves, few-label accuracy."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from ui.logic.figures import PALETTE, _layout

MISSING_RGB = (220, 40, 40)  # missing pixels drawn in red


def show_mask(img: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """uint8 (H, W) grey or (H, W, 3) image → RGB with the missing pixels (mask 0) in red."""
    rgb = np.repeat(img[..., None], 3, -1) if img.ndim == 2 else img.copy()
    rgb[np.asarray(mask) < 0.5] = MISSING_RGB
    return rgb


SYMBOLS = {32: "circle", 8: "square", 4: "diamond"}


def _log_ticks(values: list[float]) -> list[float]:
    """1-2-5 ticks covering the values (a log axis reads better with them than with plotly's 2 and 5)."""
    lo, hi = min(values), max(values)
    ticks = [m * 10 ** e for e in range(-1, 6) for m in (1, 2, 5)]
    return [t for t in ticks if lo / 1.5 <= t <= hi * 1.5]


def rate_distortion(rows: dict[str, list[dict]], axis: str = "bytes", image_bytes: int | None = None,
                    height: int = 420, *, tx: Mapping[str, str]) -> go.Figure:
    """PSNR against bytes per image (or compression ratio), one line per model through its
    precisions; the marker says the bits (● float32, ■ 8-bit, ◆ 4-bit)."""
    fig = go.Figure()
    xs = []
    for k, (name, rs) in enumerate(rows.items()):
        rs = sorted(rs, key=lambda r: r["bytes"])
        xs += [r[axis] for r in rs]
        fig.add_trace(go.Scatter(
            x=[r[axis] for r in rs], y=[r["psnr"] for r in rs], mode="lines+markers", name=name,
            marker=dict(size=9, symbol=[SYMBOLS.get(r["bits"], "circle") for r in rs]),
            line=dict(color=PALETTE[k % len(PALETTE)]),
            customdata=[[r["bytes"], r["ratio"], r["bits"]] for r in rs],
            hovertemplate=tx["uses.cmp_hover"].format(name=name) + "<extra></extra>"))
    title = tx["uses.cmp_fig"] + (tx["uses.cmp_fig_raw"].format(b=image_bytes) if image_bytes else "")
    fig.update_xaxes(type="log", tickvals=_log_ticks(xs) if xs else None)
    return _layout(fig, height, title=title, xaxis_title=tx[f"uses.cmp_axis_{axis}"], yaxis_title=tx["uses.psnr_axis"])


def denoise_bars(results: dict[str, dict], height: int = 360, *, tx: Mapping[str, str]) -> go.Figure:
    """Mean PSNR of the noisy input (one grey bar: the same for every model) and of each model's
    reconstruction of it (green where it beats the noisy input, red where it is worse), horizontal."""
    names = list(results)
    fig = go.Figure()
    if names:
        noisy = results[names[0]]["noisy"]
        fig.add_trace(go.Bar(y=[tx["uses.dn_identity"]], x=[noisy], orientation="h", marker_color="#999999",
                             hovertemplate="%{x:.2f} dB<extra></extra>"))
        fig.add_vline(x=noisy, line=dict(color="#999999", dash="dot"))
    fig.add_trace(go.Bar(y=names, x=[results[n]["recon"] for n in names], orientation="h",
                         marker_color=["#2ca02c" if results[n]["recon"] > results[n]["noisy"] else "#d62728"
                                       for n in names],
                         hovertemplate="%{y}: %{x:.2f} dB<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height, title=tx["uses.dn_fig"], xaxis_title=tx["uses.psnr_axis"], showlegend=False)


def fill_curve(per_iter: dict[str, list[float]], height: int = 340, *, tx: Mapping[str, str]) -> go.Figure:
    """Masked-region MSE after each iteration (iteration 0 = the mean fill), one line per model."""
    fig = go.Figure()
    for k, (name, ys) in enumerate(per_iter.items()):
        fig.add_trace(go.Scatter(x=list(range(len(ys))), y=ys, mode="lines+markers", name=name,
                                 line=dict(color=PALETTE[k % len(PALETTE)]),
                                 hovertemplate=tx["uses.fill_hover"] + "<extra></extra>"))
    return _layout(fig, height, title=tx["uses.fill_fig"], xaxis_title=tx["uses.fill_iter_axis"],
                   yaxis_title=tx["uses.fill_mse_axis"])


def roc(curves: dict[str, tuple[np.ndarray, np.ndarray, float]], title: str, height: int = 400, *, tx: Mapping[str, str]) -> go.Figure:
    """ROC curves {label: (fpr, tpr, auc)} with the chance diagonal."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=tx["uses.an_chance"],
                             line=dict(color="#aaaaaa", dash="dot"), hoverinfo="skip"))
    for k, (name, (fpr, tpr, a)) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=np.round(fpr, 4).tolist(), y=np.round(tpr, 4).tolist(), mode="lines",
                                 name=f"{name} (AUC {a:.3f})", line=dict(color=PALETTE[k % len(PALETTE)], width=2),
                                 hovertemplate=tx["uses.an_hover"] + "<extra></extra>"))
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    fig = _layout(fig, height, title=title, xaxis_title=tx["uses.an_fpr"], yaxis_title=tx["uses.an_tpr"])
    return fig.update_layout(legend=dict(x=0.98, y=0.02, xanchor="right", yanchor="bottom"))


def score_histogram(scores: dict[str, np.ndarray], title: str, axis: str, height: int = 300) -> go.Figure:
    """Overlaid histograms of one anomaly score for the model's own test images and another dataset's."""
    fig = go.Figure([go.Histogram(x=np.asarray(s, float).tolist(), name=name, opacity=0.6, nbinsx=60,
                                  histnorm="percent") for name, s in scores.items()])
    return _layout(fig, height, barmode="overlay", title=title, xaxis_title=axis, yaxis_title="%")


def few_labels(results: dict[str, list[dict]], height: int = 380, *, tx: Mapping[str, str]) -> go.Figure:
    """Test accuracy against labelled images per class (log axis), one line per feature set."""
    fig = go.Figure()
    for k, (name, rows) in enumerate(results.items()):
        fig.add_trace(go.Scatter(x=[r["per_class"] for r in rows], y=[r["acc"] for r in rows], mode="lines+markers",
                                 name=name, line=dict(color="#555555" if k == 0 else PALETTE[(k - 1) % len(PALETTE)],
                                                      dash="dash" if k == 0 else "solid"),
                                 hovertemplate=tx["uses.feat_hover"] + "<extra></extra>"))
    fig.update_xaxes(type="log", tickvals=sorted({r["per_class"] for rows in results.values() for r in rows}))
    fig.update_yaxes(tickformat=".0%")
    return _layout(fig, height, title=tx["uses.feat_fig"], xaxis_title=tx["uses.feat_axis"], yaxis_title=tx["uses.feat_acc"])
