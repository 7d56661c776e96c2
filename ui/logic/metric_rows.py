"""Metrics as a person reads them: a name with its unit, a formatted value, and for a "—" the
reason (issue 11 item 7). One place for the Models page (metrics a file recorded at training time)
and the AE vs VAE page (metrics measured live); Streamlit-free.

The keys are those of ``vae_core.metrics.evaluate`` (and ``train_seconds`` of a CLI/app run).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ui.logic import waits

# the rows shown, in order; the counts they depend on (knn_k, nll_k, n, split) are folded into them
ROWS = ("loss", "recon", "kl", "mse", "psnr", "knn_acc", "nll_is", "train_seconds")
NATS = ("loss", "recon", "kl", "nll_is")  # per image, in nats (the training units)


def name(key: str, metrics: dict, *, tx: Mapping[str, str]) -> str:
    """The row's name with its unit, e.g. "5-NN accuracy of the latents (%)"."""
    return tx[f"shared.metric_{key}"].format(k=metrics.get("knn_k" if key == "knn_acc" else "nll_k", "?"))


def value(key: str, v, *, tx: Mapping[str, str]) -> str:
    """The value in the row's unit; "—" for a value that is not there."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if key == "knn_acc":
        return f"{100 * v:.1f}"
    if key == "train_seconds":
        return waits.format_duration(v, tx=tx)
    if key in NATS:
        return f"{v:,.2f}"
    if key == "psnr":
        return f"{v:.2f}"
    return f"{v:.4g}"


def why_missing(key: str, kind: str, dataset: str, data_mode: str | None, *, tx: Mapping[str, str]) -> str | None:
    """Why a row says "—": a sentence for the caption under the table, or None."""
    if key == "knn_acc" and data_mode == "sample":
        return tx["shared.metric_none_knn_sample"].format(dataset=dataset)
    if key == "knn_acc":
        return tx["shared.metric_none_knn"]
    if key == "nll_is" and kind == "ae":
        return tx["shared.metric_none_nll_ae"]
    return None


def measured_on(metrics: dict, *, tx: Mapping[str, str]) -> str | None:
    """ "10,000 test images" for a file's metrics (``n`` and ``split``), else None."""
    n, split = metrics.get("n"), metrics.get("split")
    if not isinstance(n, int):
        return None
    return tx["shared.metric_on_train" if split == "train" else "shared.metric_on_test"].format(n=n)


def rows(metrics: dict, keys: tuple[str, ...] = ROWS, keep_missing: bool = True, *, tx: Mapping[str, str]) -> dict[str, str]:
    """{name with unit: formatted value} for ``keys``; absent ones are "—" (or left out)."""
    out = {}
    for k in keys:
        if k not in metrics and not keep_missing:
            continue
        out[name(k, metrics, tx=tx)] = value(k, metrics.get(k), tx=tx)
    return out
