"""The Latent map's Streamlit-free logic: the CSV of a map."""

from __future__ import annotations

import io

import numpy as np


def latents_csv(idx: np.ndarray, labels: np.ndarray, coords: np.ndarray, mu: np.ndarray,
                split: np.ndarray | None = None) -> bytes:
    """index, label, plane x, y, then the latent z0..z(d-1), one row per point. With ``split``
    (0 test, 1 train per point) a "split" column (test / train) follows the index."""
    cols = ["index", "label", "x", "y"] + [f"z{i}" for i in range(mu.shape[1])]
    data = np.column_stack([idx, labels, coords, mu])
    buf = io.StringIO()
    np.savetxt(buf, data, delimiter=",", header=",".join(cols), comments="",
               fmt=["%d", "%d"] + ["%.6g"] * (data.shape[1] - 2))
    if split is None:
        return buf.getvalue().encode()
    head, *rows = buf.getvalue().splitlines()
    names = np.where(np.asarray(split) == 1, "train", "test")
    rows = [r.replace(",", f",{s},", 1) for r, s in zip(rows, names)]
    return "\n".join([head.replace("index,", "index,split,", 1), *rows, ""]).encode()
