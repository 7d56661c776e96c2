"""Pure functions behind the clicks: selection event → index, click → grid cell, plane point → latent."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from ui import projections, threads
from ui.logic import catalog, clicks, user_files
from ui.texts import Texts
from vae_core import latent as lat
from vae_core.checkpoint import CheckpointError

ENGLISH = Texts("en")


def ev(*points, box=(), lasso=()):
    return {"selection": {"points": list(points), "point_indices": [p.get("point_index") for p in points],
                          "box": list(box), "lasso": list(lasso)}}


@pytest.mark.parametrize("cd, want", [(None, []), (7, [7]), ([3, 4], [3, 4]), ({"1": 9, "0": 8}, [8, 9]),
                                      ((1,), [1]), (np.array([2, 5]), [2, 5])])
def test_customdata_values_normalises_every_shape(cd, want):
    assert clicks.customdata_values(cd) == want


def test_event_index_reads_customdata_then_point_index():
    assert clicks.event_index(ev({"point_index": 0, "customdata": [42]})) == 42
    assert clicks.event_index(ev({"point_index": 0, "customdata": {"0": 17}})) == 17
    assert clicks.event_index(ev({"point_index": 9})) == 9


def test_event_index_none_for_empty_or_many_or_garbage():
    assert clicks.event_index(None) is None
    assert clicks.event_index({}) is None
    assert clicks.event_index(ev()) is None
    assert clicks.event_index(ev({"customdata": [1]}, {"customdata": [2]})) is None
    assert clicks.event_index({"selection": "nope"}) is None


def test_event_indices_box_selection_keeps_order_without_repeats():
    e = ev({"customdata": [5]}, {"customdata": [3]}, {"customdata": [5]}, {"point_index": 1})
    assert clicks.event_indices(e) == [5, 3, 1]


def test_event_cell_from_customdata_list_and_typed_array():
    assert clicks.event_cell(ev({"customdata": [2, 3, 0.1, 0.2], "x": 0, "y": 0}), n=10, tile=28) == (2, 3)
    assert clicks.event_cell(ev({"customdata": {"0": 4, "1": 1}}), n=10, tile=28) == (4, 1)


def test_event_cell_falls_back_to_pixel_position():
    # pixel (x=60, y=30) of 28-px tiles is column 2, row 1
    assert clicks.event_cell(ev({"x": 60.0, "y": 30.0}), n=10, tile=28) == (1, 2)
    assert clicks.event_cell(ev({"customdata": [99, 99], "x": 5.0, "y": 5.0}), n=10, tile=28) == (0, 0)
    assert clicks.event_cell(ev(), n=10, tile=28) is None


@pytest.mark.parametrize("px, py, want", [(0, 0, (0, 0)), (27.9, 0, (0, 0)), (28, 0, (0, 1)),
                                          (279, 279, (9, 9)), (-3, 500, (9, 0))])
def test_cell_of_pixel_clamps(px, py, want):
    assert clicks.cell_of_pixel(px, py, 10, 28) == want


def test_cell_centres_match_the_mosaic_layout():
    xs, ys, cd = clicks.cell_centres_px(3, 28)
    assert len(xs) == 9 and cd[5] == [1, 2]
    assert clicks.cell_of_pixel(xs[5], ys[5], 3, 28) == (1, 2)


def test_cell_centre_matches_grid_points_and_cell_of_point():
    bounds, n = (-2.0, 4.0, -1.0, 3.0), 7
    pts = lat.grid_points(bounds, n)
    for r in range(n):
        for c in range(n):
            p = lat.cell_centre(bounds, n, r, c)
            np.testing.assert_allclose(p, pts[r * n + c], atol=1e-5)
            assert lat.cell_of_point(*p, bounds, n) == (r, c)


def test_plane_to_pixel_inverts_cell_centre():
    bounds, n, tile = (-1.0, 1.0, -2.0, 2.0), 5, 28
    xs, ys, cd = clicks.cell_centres_px(n, tile)
    plane = np.array([lat.cell_centre(bounds, n, r, c) for r, c in cd])
    np.testing.assert_allclose(clicks.plane_to_pixel(plane, bounds, n, tile), np.c_[xs, ys], atol=1e-6)


def test_latent_of_cell_is_the_inverse_of_the_cell_centre():
    rng = np.random.RandomState(0)
    z = rng.randn(300, 6).astype(np.float32)
    proj = lat.fit_projection(z, "pca")
    bounds, n = proj.bounds(), 6
    grid = proj.inverse(lat.grid_points(bounds, n))
    r, c = 2, 4
    want = proj.inverse(np.array([lat.cell_centre(bounds, n, r, c)]))[0]
    np.testing.assert_allclose(clicks.latent_of_cell(grid, n, r, c), want, atol=1e-5)


def test_zoom_bounds_stays_inside_and_shrinks():
    full = (0.0, 10.0, 0.0, 20.0)
    assert clicks.zoom_bounds(full, 1.0, 0.5, 0.5) == pytest.approx(full)
    b = clicks.zoom_bounds(full, 4.0, 1.0, 0.0)  # pushed into the corner
    assert b == pytest.approx((7.5, 10.0, 0.0, 5.0))


def test_posterior_cov_identity_and_pca():
    logvar = np.log(np.array([[4.0, 1.0], [1.0, 9.0]]))
    cov = clicks.posterior_cov_2d(logvar, None)
    np.testing.assert_allclose(cov[1], np.diag([1.0, 9.0]))
    comps = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    cov3 = clicks.posterior_cov_2d(np.log(np.array([[4.0, 2.0, 9.0]])), comps)
    np.testing.assert_allclose(cov3[0], np.diag([4.0, 9.0]))


def test_ellipse_path_radius_and_separators():
    xs, ys = clicks.ellipse_path(np.array([[1.0, 2.0]]), np.array([np.diag([4.0, 1.0])]), n_pts=9)
    assert xs[-1] is None and len(xs) == 10
    x = np.array(xs[:-1]) - 1
    y = np.array(ys[:-1]) - 2
    assert np.abs(x).max() == pytest.approx(2.0) and np.abs(y).max() == pytest.approx(1.0, abs=0.02)


def test_sample_indices():
    from ui.logic import points

    assert points.sample_indices(5, None).tolist() == [0, 1, 2, 3, 4]
    s = points.sample_indices(1000, 10)
    assert len(s) == 10 and (np.diff(s) > 0).all() and (s == points.sample_indices(1000, 10)).all()


def test_parse_and_choose_indices():
    assert clicks.parse_indices("3, 10-12 7 x 999", 100) == [3, 10, 11, 12, 7]
    errs = {"ae": np.array([0.1, 0.9, 0.5]), "vae": np.array([0.3, 0.2, 0.1])}
    assert clicks.choose_indices("worst_ae", 2, 3, errs) == [1, 2]
    assert clicks.choose_indices("worst_vae", 3, 3, errs) == [0, 1, 2]
    assert clicks.choose_indices("first", 5, 3) == [0, 1, 2]
    assert clicks.choose_indices("indices", 2, 3, text="2 1 0") == [2, 1]
    r = clicks.choose_indices("random", 2, 50, seed=1)
    assert len(r) == 2 and r == clicks.choose_indices("random", 2, 50, seed=1)


def test_safe_stem():
    assert user_files.safe_stem("../../etc/pass wd.safetensors") == "pass-wd"
    assert user_files.safe_stem("...") == "model"


def test_catalog_defaults_prefer_mnist_2d_shipped(tiny_checkpoints):
    entries, problems = catalog.scan([(tiny_checkpoints, catalog.SHIPPED)])
    assert problems == [] and {e.kind for e in entries} == {"ae", "vae"}
    assert catalog.default_dataset(entries) == "digits"
    defaults = catalog.default_models(entries, "digits")
    ae, vae = defaults.get("ae"), defaults.get("vae")
    assert ae.endswith("digits-ae-2d.safetensors") and vae.endswith("digits-vae-2d.safetensors")
    fake = [catalog.ModelEntry(f"/x/{n}", n, catalog.SHIPPED, k, "conv", "mnist", d, (1, 28, 28), 1, 0.0, d)
            for n, k, d in [("mnist-vae-16d", "vae", 16), ("mnist-vae-2d", "vae", 2), ("mnist-ae-16d", "ae", 16),
                            ("mnist-ae-2d", "ae", 2), ("mnist-cvae-16d", "cvae", 16), ("mnist-cvae-2d", "cvae", 2)]]
    assert catalog.default_dataset(entries + fake) == "mnist"
    defaults = catalog.default_models(fake, "mnist")
    assert (defaults.get("ae"), defaults.get("vae")) == ("/x/mnist-ae-2d", "/x/mnist-vae-2d")
    assert catalog.default_models(fake, "mnist")["cvae"] == "/x/mnist-cvae-2d"  # follows the pair's latent size


def test_accept_upload_validates_and_never_overwrites(tiny_checkpoints, tmp_path):
    good = (tiny_checkpoints / "digits-vae-2d.safetensors").read_bytes()
    other = (tiny_checkpoints / "digits-ae-2d.safetensors").read_bytes()
    out1, e1, existed1 = user_files.accept_upload("digits-vae-2d.safetensors", good, tmp_path)
    out2, _, existed2 = user_files.accept_upload("digits-vae-2d.safetensors", other, tmp_path)  # same name, other bytes
    assert out1.name == "digits-vae-2d.safetensors" and out2.name == "digits-vae-2d-2.safetensors"
    assert not existed1 and not existed2 and out2.read_bytes() == other
    assert e1.kind == "vae" and e1.dataset == "digits" and e1.source == catalog.YOURS
    for name, data in [("model.pt", b"\x80\x04garbage"), ("x.safetensors", b"not a checkpoint at all"),
                       ("t.safetensors", good[: len(good) // 2])]:
        with pytest.raises(CheckpointError) as err:
            user_files.accept_upload(name, data, tmp_path)
        assert name in str(err.value) and "\n" not in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digits-vae-2d-2.safetensors", "digits-vae-2d.safetensors"]


def test_accept_upload_refuses_big_files(tmp_path, monkeypatch):
    monkeypatch.setattr(user_files, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(CheckpointError, match="limit"):
        user_files.accept_upload("big.safetensors", b"0" * 11, tmp_path)


def test_compact_keeps_four_significant_digits_of_the_scale():
    from ui.logic.figures import compact

    assert compact(np.array([0.123456, -2.34567, 13.1])) == [0.12, -2.35, 13.1]
    assert compact(np.array([0.0012345, 0.0001])) == [0.001234, 0.0001]
    assert compact(np.zeros(2)) == [0.0, 0.0]


def test_wait_estimates_grow_with_the_points_and_learn_this_machine():
    from ui.logic import points, waits

    w = waits.WaitModel()
    assert w.estimate("tsne", 1000) < w.estimate("tsne", 10_000)
    assert w.estimate("umap", 5000, compiled=False) == pytest.approx(w.estimate("umap", 5000) + points.UMAP_COMPILE_S)
    before = w.estimate("tsne", 10_000)
    w.record("tsne", 2000, 3 * waits.predicted("tsne", 2000))  # this server is 3x slower than the curve
    assert w.estimate("tsne", 10_000) == pytest.approx(3 * before)
    assert w.estimate("tsne", 10_000) > waits.LONG_S and not w.estimate("pca", 10_000) > waits.LONG_S
    w.record("umap", 2000, 500.0, compiled=False)  # a fit that compiled teaches nothing about the speed
    assert w.estimate("umap", 2000) == waits.WaitModel().estimate("umap", 2000)


def test_the_umap_warm_up_compiles_without_error_and_marks_umap_compiled():
    """What the server runs in the background at start (``VAE_EXPLORER_WARM_UMAP``): the real
    ``vae_core.latent.warm_umap``: a fit with NN-descent and an inverse transform."""
    

    projections._UMAP_FITTED.clear()  # an earlier test's UMAP fit in this process must not answer for the warm-up
    w = projections.UmapWarmup()
    t = threading.Thread(target=w.run)  # as the server does
    t.start()
    t.join()
    assert w.done.is_set() and w.error is None
    # numba's workers, started by the warm-up, serve every later fit: none may run at a lowered priority
    # (at nice 19 a 70,000-point map's first step took 165 s instead of 8.5 s beside one busy core)
    niced = {tid: os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in os.listdir("/proc/self/task")}
    assert not {tid: n for tid, n in niced.items() if n > os.getpriority(os.PRIO_PROCESS, 0)}, niced
    assert projections.umap_compiled()
    assert projections.WAITS.estimate("umap", 1000, projections.umap_compiled()) < projections.WAITS.estimate("umap", 1000, False)


def test_metric_rows_read_like_words_with_units_and_fold_in_their_counts():
    from ui.logic import metric_rows

    m = {"split": "test", "n": 10000, "loss": 1818.39168, "recon": 1818.39, "kl": 0.0, "mse": 0.0177883,
         "psnr": 18.049, "knn_acc": 0.3538, "knn_k": 5, "train_seconds": 139.41, "nll_is": 1844.17, "nll_k": 100,
         "kl_per_dim": [1.0, 2.0]}
    rows = metric_rows.rows(m, tx=ENGLISH)
    assert rows["5-NN accuracy of the latents (%)"] == "35.4"
    assert rows["Training time"] == "2 min 20 s"
    assert rows["−log p(x), importance sampled with K = 100 (nats per image)"] == "1,844.17"
    assert rows["PSNR (dB, higher is better)"] == "18.05"
    assert not any("_" in name for name in rows)  # no knn_acc / train_seconds codes
    assert metric_rows.measured_on(m, tx=ENGLISH) == "measured on 10,000 test images"
    ae = metric_rows.rows({"loss": 1.0}, keep_missing=False, tx=ENGLISH)
    assert list(ae) == ["Loss: reconstruction + β·KL (nats per image)"]
    assert metric_rows.value("knn_acc", None, tx=ENGLISH) == "—" and metric_rows.value("psnr", float("nan"), tx=ENGLISH) == "—"
    assert "only the shipped test sample of mnist" in metric_rows.why_missing("knn_acc", "vae", "mnist", "sample", tx=ENGLISH)
    assert "no probability" in metric_rows.why_missing("nll_is", "ae", "mnist", "full", tx=ENGLISH)
    assert metric_rows.why_missing("nll_is", "vae", "mnist", "full", tx=ENGLISH) is None


def test_cells_far_from_data_marks_only_cells_with_no_point_nearby():
    bounds, n = (0.0, 4.0, 0.0, 4.0), 5  # cell centres at 0, 1, 2, 3, 4 on both axes
    pts = np.array([[0.1, 3.9], [1.0, 3.0]])  # near the top-left corner (row 0 = largest y)
    far = lat.cells_far_from_data(pts, bounds, n).reshape(n, n)
    near = ~far
    assert near[:3, :3].all() and far[3:, :].all() and far[:, 3:].all()  # only the 3x3 around (0,0)-(1,1)
    # the mask is in grid_points order: a cell is near iff some point is within one cell of its centre
    centres = lat.grid_points(bounds, n)
    cheb = np.abs(centres[:, None, :] - pts[None, :, :]).max(-1).min(1)
    assert (lat.cells_far_from_data(pts, bounds, n) == (cheb > 1.5)).all()
    assert lat.cells_far_from_data(np.array([[5.0, 2.0]]), bounds, n).reshape(n, n)[:, 4].tolist() == [
        True, False, False, False, True]  # a point one cell outside the bounds still counts
    assert lat.cells_far_from_data(np.empty((0, 2)), bounds, n).all()


def test_images_are_enlarged_to_exactly_the_size_asked_for():
    """Issue 11 item 6: a 28-px digit asked at 112 px is a pixel-exact 4x nearest-neighbour copy; a
    mosaic asked at 512 px is 512 px wide (shown with width="content", so a narrow column caps it)."""
    from ui.widgets import enlarge

    digit = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)
    assert (enlarge(digit, 112) == np.kron(digit, np.ones((4, 4), np.uint8))).all()
    mosaic = np.zeros((2 * 30, 8 * 30, 3), np.uint8)
    assert enlarge(mosaic, 512).shape == (128, 512, 3)
    assert enlarge(np.zeros((32, 32, 3), np.uint8), 84).shape == (84, 84, 3)


# ------------------------------------------------------------------ the grid's hover preview (pages.latent_grid.hover)

def test_fine_grid_size_keeps_the_sprite_sheet_small():
    from pages.latent_grid import hover

    assert hover.fine_n(28, 1) == hover.HOVER_N == 48  # MNIST, Fashion-MNIST: 1344² grey pixels
    assert hover.fine_n(32, 3) == 32  # CIFAR-10: 1024² RGB pixels
    assert hover.fine_n(256, 3) == 4 and hover.fine_n(4096, 3) == 2  # never fewer than 2
    for tile, ch in [(28, 1), (32, 3), (64, 3)]:
        assert hover.fine_n(tile, ch) ** 2 * tile * tile * ch <= hover.HOVER_VALUES


def test_pad_cell_is_the_tile_drawn_under_the_pointer():
    from pages.latent_grid import hover

    nf = 48
    for r, c in [(0, 0), (3, 40), (47, 47)]:  # a tile's centre and its corners on the pad
        for du, dv in [(0.5, 0.5), (0.01, 0.01), (0.99, 0.99)]:
            assert hover.pad_cell((c + du) / nf, (r + dv) / nf, nf) == (r, c)
    assert hover.pad_cell(-0.2, 1.0, nf) == (47, 0)  # off the pad: clamped to the edge


def test_mosaic_fraction_inverts_plane_to_pixel():
    """The pointer over the clickable mosaic → the plane point under it: the inverse of where the
    grid draws a plane point (clicks.plane_to_pixel), so cell centres land on their plane points."""
    from pages.latent_grid import hover

    bounds, n, tile = (-3.0, 2.0, -1.0, 4.0), 15, 28
    pts = np.random.RandomState(0).uniform([-3, -1], [2, 4], size=(50, 2))
    px = clicks.plane_to_pixel(pts, bounds, n, tile)
    fx = [hover.mosaic_fraction(p, n, tile) for p in px[:, 0]]
    fy = [hover.mosaic_fraction(p, n, tile) for p in px[:, 1]]
    np.testing.assert_allclose(fx, (pts[:, 0] + 3) / 5, atol=1e-9)
    np.testing.assert_allclose(fy, (4 - pts[:, 1]) / 5, atol=1e-9)  # from the top
    assert hover.mosaic_fraction(13.5, 1, 28) == 0.5


def test_nearest_cell_agrees_with_the_grid_geometry():
    """The fine cell shown for a plane point is the one lat.cell_of_point finds, and a fine cell's own
    centre maps back to it (ties aside: Python rounds halves to even, the JavaScript up)."""
    from pages.latent_grid import hover

    bounds, nf = (-3.0, 2.0, -1.0, 4.0), 48
    rng = np.random.RandomState(1)
    for x, y in rng.uniform([-3.5, -1.5], [2.5, 4.5], size=(200, 2)):
        fx, fy = (x + 3) / 5, (4 - y) / 5
        assert hover.nearest_cell(fx, fy, nf) == lat.cell_of_point(x, y, bounds, nf)
    for r, c in [(0, 0), (5, 17), (47, 47)]:
        x, y = lat.cell_centre(bounds, nf, r, c)
        assert hover.nearest_cell((x + 3) / 5, (4 - y) / 5, nf) == (r, c)
    assert hover.nearest_cell(0.5 / 47, 0.5 / 47, nf) == (1, 1)  # a half rounds up, as Math.round
    assert hover.nearest_cell(0.7, 0.2, 1) == (0, 0)


def test_sprite_cell_reads_back_what_tile_laid_out():
    from pages.latent_grid import hover

    imgs = np.random.RandomState(2).randint(0, 256, size=(9, 5, 5, 3), dtype=np.uint8)
    sheet = lat.tile(imgs, 3)
    for i in range(9):
        assert np.array_equal(hover.sprite_cell(sheet, 3, *divmod(i, 3)), imgs[i])


def test_component_html_carries_its_config_and_cannot_be_broken_out_of():
    from pages.latent_grid import figures, hover

    texts = {"title": "t", "pad": "p", "idle": "</script><b>x", "cell": "({r}, {c}) ({x}, {y})"}
    html = hover.component_html("data:image/png;base64,AAAA", 16, 28, (-1.5, 2.0, -3.0, 0.5), texts)
    cfg = hover.config_of(html)
    assert cfg == {"sprite": "data:image/png;base64,AAAA", "nf": 16, "tile": 28, "k": 8,
                   "bounds": [-1.5, 2.0, -3.0, 0.5], "texts": texts}
    assert html.count("</script>") == 2  # the template's two scripts, nothing from the texts
    assert "http://" not in html and "https://" not in html and "src=" not in html  # nothing fetched
    with pytest.raises(ValueError):
        hover.component_html("", 2, 28, (0, 1, 0, 1), texts, template="<html></html>")
    fig = figures.latent_grid(np.zeros((56, 56), np.uint8), 2, 28, (-1.5, 2.0, -3.0, 0.5), tx=ENGLISH)
    assert fig.layout.meta == hover.grid_meta(2, 28, (-1.5, 2.0, -3.0, 0.5))  # how the preview finds the grid


# ---------------------------------------------------------------- maps of train + test (ui.logic.points)

def test_sample_points_of_the_test_split_alone_are_the_old_sample():
    from ui.logic import points

    for n_max in (None, 50, 500):
        idx, split = points.sample_points(300, 0, n_max)
        assert np.array_equal(idx, points.sample_indices(300, n_max)) and not split.any()


def test_sample_points_of_both_splits_test_first_each_sorted():
    from ui.logic import points

    idx, split = points.sample_points(30, 70, None)
    assert np.array_equal(idx, np.r_[np.arange(30), np.arange(70)]) and np.array_equal(split, np.r_[[0] * 30, [1] * 70])
    idx, split = points.sample_points(30, 70, 40, seed=1)
    assert len(idx) == 40 and 0 < split.sum() < 40
    assert np.all(np.diff(split.astype(int)) >= 0)  # test points first
    assert np.all(np.diff(idx[split == 0]) > 0) and np.all(np.diff(idx[split == 1]) > 0)
    assert idx[split == 0].max() < 30 and idx[split == 1].max() < 70
    assert np.all(np.diff(points.keys(idx, split)) > 0)  # sorted keys: binary search works


def test_positions_find_a_point_by_index_and_split():
    from ui.logic import points

    idx, split = np.array([2, 5, 9, 2, 3]), np.array([0, 0, 0, 1, 1])
    assert points.positions(idx, split, [(2, 1), (2, 0), (3, 1)]).tolist() == [3, 0, 4]
    assert points.positions(idx, split, [(3, 0), (9, 1), (100, 1)]).tolist() == []  # not shown
    assert points.positions(idx[:0], split[:0], [(1, 0)]).tolist() == []


def test_gather_takes_each_row_from_its_split():
    import torch

    from ui.logic import points

    x_test, x_train = torch.arange(10) * 10, torch.arange(20) * 100
    got = points.gather(x_test, x_train, np.array([1, 4, 0, 7]), np.array([0, 0, 1, 1]))
    assert got.tolist() == [10, 40, 0, 700]
    assert points.gather(x_test, x_train, np.array([3, 2]), np.array([0, 0])).tolist() == [30, 20]


def test_event_points_read_the_split_from_customdata():
    e = ev({"customdata": [5]}, {"customdata": {"0": 7, "1": 1}}, {"customdata": [7, 0]}, {"customdata": [7, 1]},
           {"point_index": 3})
    assert clicks.event_points(e) == [(5, 0), (7, 1), (7, 0), (3, 0)]
    assert clicks.event_points(ev({"customdata": [4, "x"]})) == [(4, 0)]
    assert clicks.event_points(None) == []


def test_point_names_carry_the_split_only_on_a_map_of_both():
    from ui.logic import points

    assert points.point_name(12, 1, False, tx=ENGLISH) == "index: 12"
    assert points.point_name(12, 1, True, tx=ENGLISH) == "index: 12 (train)"
    assert points.point_name(12, 0, True, tx=ENGLISH) == "index: 12 (test)"
    assert points.short_name(3, 1, True, tx=ENGLISH) == "#3 (train)" and points.short_name(3, 1, False, tx=ENGLISH) == "#3"


def test_latents_csv_has_a_split_column_for_a_map_of_both():
    from pages.latent_map import logic as map_logic

    csv = map_logic.latents_csv(np.array([4, 2]), np.array([1, 7]), np.array([[0.5, 1.0], [2.0, 3.0]]),
                             np.array([[0.1], [0.2]]), split=np.array([0, 1])).decode().splitlines()
    assert csv == ["index,split,label,x,y,z0", "4,test,1,0.5,1,0.1", "2,train,7,2,3,0.2"]
    assert map_logic.latents_csv(np.array([4]), np.array([1]), np.array([[0.5, 1.0]]),
                              np.array([[0.1]])).decode().splitlines()[0] == "index,label,x,y,z0"


def test_point_menu_tsne_limit_and_estimates():
    from ui.logic import points

    assert points.point_choices(10_000) == [1000, 2000, 5000, points.ALL_POINTS]  # the test split: as before
    assert points.point_choices(70_000) == [1000, 2000, 5000, 10_000, 20_000, 50_000, points.ALL_POINTS]
    assert [points.n_max_of(c) for c in (points.ALL_POINTS, None, 5000)] == [None, None, 5000]
    assert points.tsne_offered(10_000) and not points.tsne_offered(10_001)
    assert points.tsne_seconds(70_000) > 7 * points.tsne_seconds(10_000)  # n log n
    g10, l10 = points.umap_seconds(10_000)
    g70, l70 = points.umap_seconds(70_000)
    assert g70 == pytest.approx(7 * g10) and l70 < 7 * l10  # 200 layout epochs above 10,000 points, 500 below


def test_umap_fraction_moves_forward_and_ends_at_one():
    from ui.logic import points

    n = 70_000
    graph, layout = points.umap_seconds(n)
    share = graph / (graph + layout)
    before = [points.umap_fraction(t, n, 0, 0) for t in (0, graph / 2, graph, 10 * graph)]
    assert before[0] == 0 and before == sorted(before) and before[-1] < share  # an estimate never claims step 2
    during = [points.umap_fraction(graph, n, e, 200) for e in (0, 50, 200)]
    assert during[0] == pytest.approx(share) and during == sorted(during) and during[-1] == pytest.approx(1.0)


def test_latent_scatter_of_both_splits_is_webgl_typed_and_one_legend_entry_per_class():
    from ui.logic import figures, points

    rng = np.random.default_rng(0)
    idx, split = points.sample_points(1000, 3000, None)
    labels = rng.integers(0, 3, len(idx))
    fig = figures.latent_scatter(rng.normal(size=(len(idx), 2)), labels, ("a", "b", "c"), idx, "t", split=split, tx=ENGLISH)
    traces = fig.data
    assert {t.type for t in traces} == {"scattergl"} and len(traces) == 6  # 3 classes × 2 splits
    assert [t.name for t in traces if t.showlegend] == ["a", "b", "c"]
    for t in traces:
        cd = np.asarray(t.customdata)
        assert cd.dtype == np.uint16 and cd.shape[1] == 2 and np.asarray(t.x).dtype == np.float32
        code = int(cd[0, 1])
        assert np.all(cd[:, 1] == code) and ("(train)" if code else "(test)") in t.hovertemplate
        sel = (split == code) & (labels == "abc".index(t.name))
        assert np.array_equal(cd[:, 0], idx[sel])  # each point keeps its own index
    spec = fig.to_plotly_json()["data"][0]
    assert isinstance(fig.to_json(), str) and "customdata" in spec
    single = figures.latent_scatter(rng.normal(size=(50, 2)), labels[:50], ("a", "b", "c"), np.arange(50), "t", tx=ENGLISH)
    assert all(np.asarray(t.customdata).shape[1] == 1 and t.type == "scatter" for t in single.data)
    assert "(test)" not in single.data[0].hovertemplate


def test_umap_reports_its_layout_epochs():
    z = np.random.default_rng(0).normal(size=(60, 3)).astype(np.float32)
    seen = []
    p = lat.fit_projection(z, "umap", n_neighbors=5, on_epoch=lambda done, total: seen.append((done, total)))
    assert p.coords.shape == (60, 2)
    assert seen and seen[0][0] == 0 and seen[-1] == (lat.umap_epochs(60), lat.umap_epochs(60))


def test_n_shown_counts_the_points_a_map_shows():
    from ui.logic import points

    assert points.n_shown(10_000, 60_000, None, points.TEST_ONLY) == 10_000
    assert points.n_shown(10_000, 60_000, None, points.TRAIN_AND_TEST) == 70_000
    assert points.n_shown(10_000, 60_000, 20_000, points.TRAIN_AND_TEST) == 20_000
    assert points.n_shown(10_000, 60_000, 20_000, points.TEST_ONLY) == 10_000


def test_one_thread_decodes_on_one_torch_thread_in_this_thread_only_and_puts_the_count_back():
    """A click's single decode runs on one torch thread (``threads.one_thread``); the thread that
    serves another session keeps its own count, and the count comes back afterwards."""
    import torch

    

    saved = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        inside, other = [], []
        entered, leave = threading.Event(), threading.Event()

        def click():
            torch.set_num_threads(2)
            with threads.one_thread():
                inside.append(torch.get_num_threads())
                entered.set()
                leave.wait(5)
            inside.append(torch.get_num_threads())

        t = threading.Thread(target=click)
        t.start()
        entered.wait(5)
        other.append(torch.get_num_threads())  # this thread, while the other one decodes
        leave.set()
        t.join()
        assert inside == [1, 2] and other == [2]
    finally:
        torch.set_num_threads(saved)


def test_the_server_config_turns_off_the_full_gc_after_every_script_run():
    """runner.postScriptGC held the GIL for ~90 ms after every click's run (see .streamlit/config.toml)."""
    import tomllib
    from pathlib import Path

    cfg = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert cfg["runner"]["postScriptGC"] is False


def test_umap_of_a_small_map_uses_nn_descent_and_finds_the_true_neighbours():
    """Below 4,096 points umap-learn would take its slow exact path (see vae_core.latent); every fit
    forces NN-descent, whose neighbour graph must still be (nearly) the exact one."""
    from sklearn.neighbors import NearestNeighbors
    from umap.umap_ import nearest_neighbors

    z = np.random.default_rng(0).standard_normal((1500, 8)).astype(np.float32)
    p = lat.fit_projection(z, "umap")
    assert p._umap._small_data is False and p.coords.shape == (1500, 2)
    exact = NearestNeighbors(n_neighbors=15).fit(z).kneighbors(z, return_distance=False)
    approx = nearest_neighbors(z, 15, "euclidean", {}, False, np.random.RandomState(0))[0]
    recall = np.mean([len(set(a) & set(b)) / 15 for a, b in zip(approx, exact)])
    assert recall > 0.97


def test_map_threads_limits_torch_in_this_thread_only_and_puts_it_back():
    """A map's encoding and t-SNE run on MAP_THREADS (half the CPUs) torch threads; the count is per
    thread: set and put back by each user, and two users at once each get the limit (a process-wide
    reference count gave the second one all the threads)."""
    import torch

    

    saved = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        inside = []

        def user():
            torch.set_num_threads(2)
            with threads.map_threads():
                inside.append(torch.get_num_threads())

        with threads.map_threads():
            t = threading.Thread(target=user)  # a second user while the first is inside
            t.start()
            t.join()
            inside.append(torch.get_num_threads())
        assert inside == [min(threads.MAP_THREADS, 2)] * 2 and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(saved)


def test_kept_pick_survives_an_emptied_selection_of_the_same_chart_only():
    """plotly may rerun a click's fragment with an empty selection right after the click: the grid keeps
    showing the last pick of the same chart; a new pick replaces it; another chart starts empty."""
    from ui.logic.clicks import kept_pick

    chart = ("sha", "pca", 15, (0.0, 1.0, 0.0, 1.0), None)
    shown, mem = kept_pick((2, 3), None, chart)
    assert shown == (2, 3)
    shown, mem = kept_pick(None, mem, chart)  # the empty rerun just after the click
    assert shown == (2, 3)
    shown, mem = kept_pick((11, 9), mem, chart)
    assert shown == (11, 9) and kept_pick(None, mem, chart)[0] == (11, 9)
    other = ("sha", "pca", 20, (0.0, 1.0, 0.0, 1.0), None)  # another grid size: a new chart
    assert kept_pick(None, mem, other) == (None, None)
    assert kept_pick(None, None, chart) == (None, None)


def test_a_frozen_figure_gives_the_same_dict_once():
    """st.plotly_chart calls to_dict() on every fragment rerun; a frozen (cached) figure makes it once."""
    import json

    import numpy as np
    import plotly.graph_objects as go
    import plotly.io

    from ui.logic import figures

    fig = go.Figure(go.Scatter(x=np.arange(500.0), y=np.arange(500.0) ** 0.5, mode="markers"))
    fig.update_layout(title="t")
    f = figures.frozen(fig)
    first = f.to_dict()
    assert f.to_dict() is first  # made once
    assert json.loads(plotly.io.to_json(first, validate=False)) == json.loads(plotly.io.to_json(fig.to_dict(), validate=False))


@pytest.fixture()
def spinner_texts(monkeypatch) -> list[str]:
    """The text of every ``st.spinner`` opened while the test runs (recorded, not drawn)."""
    import contextlib

    import streamlit as st

    said: list[str] = []

    @contextlib.contextmanager
    def spinner(msg, *a, **k):
        said.append(msg)
        yield

    monkeypatch.setattr(st, "spinner", spinner)
    return said


def test_an_encoding_estimate_comes_from_a_probe_then_from_what_was_measured():
    from ui.logic import waits

    pace = waits.EncodePace()
    assert not pace.known("m")
    assert pace.estimate("m", 70_000, probe_s_per_image=4e-4, workers=2) == pytest.approx(14.0)  # shared by 2 workers
    pace.record("m", 100, 50.0)  # a small encoding says little (fixed costs): not learned
    assert not pace.known("m")
    pace.record("m", 70_000, 7.0)
    assert pace.known("m") and pace.estimate("m", 10_000) == pytest.approx(1.0)  # the probe is no longer asked


def test_a_fresh_big_encoding_says_how_many_images_and_how_long(app_env, tiny_checkpoints, monkeypatch,
                                                                 spinner_texts):
    """Issue 20 item 8: the map's encoding of every image said nothing about its wait. A fresh encoding
    of many images shows "Encoding N images: about T"; the same one again (cached) shows no spinner."""
    from ui import refs
    from ui.logic import points, waits

    said = spinner_texts
    monkeypatch.setattr(projections, "ENCODES", waits.EncodePace())
    monkeypatch.setattr(projections, "_ENCODED", projections.Recent())
    projections._latents.clear()
    m = refs.ModelRef.of(str(tiny_checkpoints / "digits-vae-2d.safetensors"), "vae")
    d = refs.DataRef.of("digits", app_env["VAE_EXPLORER_DATA"])
    n = d.n_test + d.n_train
    assert n >= waits.ENCODE_SAY_N
    def encoding_said(*args) -> list[str]:
        said.clear()
        projections.latents(m, d, *args)
        return [s for s in said if s.startswith("Encoding")]  # (loading the model has a spinner too)

    [msg] = encoding_said(None, points.TRAIN_AND_TEST)
    assert msg.startswith(f"Encoding {n:,} images: about ") and msg.endswith(" on this server…"), msg
    assert projections.ENCODES.known(m.sha)  # measured: the next estimate for this model uses it
    assert encoding_said(None, points.TRAIN_AND_TEST) == []  # cached: no spinner at all (issue 22)
    assert encoding_said(100) == ["Encoding the images…"]  # a hundred points: no probe, no estimate


def test_the_features_estimate_counts_the_work_the_probes_do_and_learns_this_server(app_env):
    """Issue 20 item 8: Uses › Features took up to 49 s with no estimate. The estimate's pixel work is
    exactly the images × pixels the raw-pixel classifiers train on (an identity with use_probe's rows)."""
    from pages.uses import compute
    from ui import refs
    from ui.logic import waits

    d = refs.DataRef.of("digits", app_env["VAE_EXPLORER_DATA"])
    rows = compute.use_probe(None, d)["rows"]
    assert rows and compute.probe_pixel_work(d) == sum(r["n_train"] for r in rows) * int(np.prod(d.data.image_shape))
    pace = waits.FeaturePace()
    mnist = 11_100 * 784  # 10, 100 and 1,000 labels per class of MNIST's ten
    assert pace.estimate(mnist, 7) == pytest.approx(waits.FeaturePace.predicted(mnist, 7))
    pace.record(mnist, 7, 2 * waits.FeaturePace.predicted(mnist, 7))  # this server is twice as slow
    assert pace.estimate(mnist, 7) == pytest.approx(1.5 * waits.FeaturePace.predicted(mnist, 7))  # learned halfway


def test_a_metrics_estimate_comes_from_the_probe_and_the_kind_then_from_what_was_measured():
    from ui.logic import waits

    pace = waits.MetricsPace()
    vae, ae = pace.estimate("v", True, 1e-4), pace.estimate("a", False, 1e-4)
    assert vae == pytest.approx(1e-4 * waits.METRICS_PROBE_IMAGES[True]) and vae > ae  # the NLL's decodes
    pace.record("v", 3.0)
    assert pace.known("v") and pace.estimate("v", True) == 3.0 and not pace.known("a")


def test_a_recent_cached_call_runs_without_a_spinner(spinner_texts):
    """Issue 22 item 2: st.spinner starts a timer thread and sends a message on every call, cache hit
    or not. spinning() remembers the latest argument sets; a repeat runs without one, an unhashable
    call and a cleared cache get the spinner again."""
    from ui import i18n

    spun = spinner_texts
    calls = []

    def f(*args, **kwargs):
        calls.append(args)
        return len(calls)

    f.clear = calls.clear
    run = i18n.spinning("shared.spin_metrics")(f)
    run(1, x=2)
    run(1, x=2)
    run([1])  # unhashable: never remembered
    run([1])
    assert (len(spun), len(calls)) == (3, 4)
    for i in range(2, 2 + i18n.Recent().kept):  # pushes (1, x=2) out of the remembered ones
        run(i)
    spun.clear()
    run(1, x=2)
    assert spun  # no longer known to be cached: the spinner again
    run.clear()
    spun.clear()
    run(1, x=2)
    assert spun
