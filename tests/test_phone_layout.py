"""Issue 20 item 7: what a phone (390 px) showed wrong: the AE vs VAE metrics table showed only its row
labels, the home diagram's arrows crossed its boxes, sidebar model names were cut."""

from __future__ import annotations

import numpy as np

from pages.home.figures import diagram
from ui import texts
from ui.logic.figures import display_width


def _on_edge(p, rect, tol=1e-9) -> bool:
    x, y = p
    x0, y0, x1, y1 = rect
    inside = x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol
    return inside and min(abs(x - x0), abs(x - x1), abs(y - y0), abs(y - y1)) <= tol


def _strictly_inside(p, rect) -> bool:
    return rect[0] < p[0] < rect[2] and rect[1] < p[1] < rect[3]


def test_the_home_diagrams_arrows_start_and_end_on_box_edges_and_cross_no_box():
    """Boxes drawn as text annotations kept their pixel size while the arrows scaled with the chart:
    at 390 px the arrows ran through the boxes. Boxes and arrows now share data coordinates."""
    for lang in ("en", "zh"):
        fig = diagram(tx=texts.Texts(lang)).to_dict()["layout"]
        rects = [(s["x0"], s["y0"], s["x1"], s["y1"]) for s in fig.get("shapes", []) if s["type"] == "rect"]
        assert len(rects) == 4
        arrows = [a for a in fig["annotations"] if a.get("showarrow")]
        assert len(arrows) == 4 and all(a["axref"] == "x" and a["xref"] == "x" for a in arrows)
        for a in arrows:
            tail, head = (a["ax"], a["ay"]), (a["x"], a["y"])
            assert any(_on_edge(tail, r) for r in rects) and any(_on_edge(head, r) for r in rects), a
            for t in np.linspace(0.02, 0.98, 49):  # the shaft crosses no box
                p = (tail[0] + t * (head[0] - tail[0]), tail[1] + t * (head[1] - tail[1]))
                assert not any(_strictly_inside(p, r) for r in rects), (a, p)
        labels = [a["text"] for a in fig["annotations"] if not a.get("showarrow") and a["text"]][:4]
        assert all(display_width(line) <= 10 for t in labels for line in t.split("<br>")), labels


def test_the_ae_vs_vae_metrics_are_a_table_that_wraps(app_env):
    from test_i18n import start

    at = start("compare", "en")
    assert not at.dataframe  # a dataframe kept the row labels and scrolled the numbers out of a phone
    table = at.table[0].value
    assert table.shape[1] == 2 and any("PSNR" in str(i) for i in table.index)


def test_sidebar_model_labels_drop_the_dataset_and_fit_the_sidebar(repo_root):
    """ "fashion-mnist-ae-2d (2-D, shipped)" was cut to "fashion-mnist-ae-2d (2-D, shippe" even at 1400 px:
    a sidebar select box holds about 28 columns of text."""
    from ui.logic import catalog

    entries, _ = catalog.scan([(repo_root / "checkpoints", catalog.SHIPPED)])
    assert any(e.name == "fashion-mnist-ae-2d" for e in entries)
    for lang in ("en", "zh"):
        labels = {e.name: e.label(texts.Texts(lang)) for e in entries}
        assert labels["fashion-mnist-ae-2d"].startswith("ae-2d") and "mnist" not in labels["fashion-mnist-ae-2d"]
        too_long = [x for x in labels.values() if display_width(x) > 28]
        assert not too_long, too_long
