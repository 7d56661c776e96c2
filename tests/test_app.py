"""AppTest: every page runs on tiny checkpoints with an empty data dir; clicks are simulated by
writing the chart's selection event into session state (see TESTING.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import refs
from ui.pagelist import URLS
from ui.texts import Texts

ENGLISH = Texts("en")

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = URLS


def start(page: str | None = None) -> AppTest:
    """The whole app (navigation, sidebar, page) starting on ``page``. AppTest.switch_page runs the
    page file alone (no sidebar), so the harness makes the wanted page the navigation's default."""
    if page is None:
        at = AppTest.from_file(APP, default_timeout=120)
    else:
        at = AppTest.from_string(f"from ui import nav\nnav.main({page!r})\n", default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts)


def selection(*points) -> dict:
    return {"selection": {"points": list(points), "point_indices": [p.get("point_index", 0) for p in points],
                          "box": [], "lasso": []}}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(app_env, page):
    at = start(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value


def test_sidebar_picks_the_fixture_pair(app_env):
    at = start()
    by_label = {s.label: s for s in at.selectbox}
    assert by_label["Dataset"].value == "digits"
    assert Path(by_label["Autoencoder (AE)"].value).name == "digits-ae-2d.safetensors"
    assert Path(by_label["Variational autoencoder (VAE)"].value).name == "digits-vae-2d.safetensors"


@pytest.mark.parametrize("page", PAGES)
def test_pages_without_any_checkpoint_say_so(app_env, tmp_path, monkeypatch, page):
    empty = tmp_path / "no_checkpoints"
    empty.mkdir()
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(empty))
    at = start(page)
    assert not at.exception, at.exception
    shown = texts(at) + "\n".join(i.value for i in at.sidebar.info)
    assert "Train" in shown or "train" in shown


def test_missing_dataset_gets_a_message(app_env):
    at = start("latent_map")
    at.selectbox(key="sb_dataset").set_value("cifar10").run()
    assert not at.exception, at.exception
    assert any("cifar10" in e.value for e in at.error) or "cifar10" in texts(at)


def test_latent_map_click_shows_decoded_image_and_neighbours(app_env):
    at = start("latent_map")
    at.session_state["latent_scatter"] = selection({"point_index": 0, "customdata": [5]})
    at.run()
    assert not at.exception, at.exception
    assert "index: 5" in texts(at)
    images = [str(i.proto) for i in at.get("image")]
    assert len(images) == 3  # original, decoded, the 8 neighbours in one strip
    assert any("decoded from its latent" in i for i in images)
    assert any("8 nearest neighbours" in i and i.count("#") >= 8 for i in images)


def test_latent_map_typed_array_customdata_and_box_selection(app_env):
    at = start("latent_map")
    at.session_state["latent_scatter"] = selection({"point_index": 3, "customdata": {"0": 7}})
    at.run()
    assert "index: 7" in texts(at)
    at.session_state["latent_scatter"] = selection(*({"point_index": i, "customdata": [i]} for i in range(10)))
    at.run()
    assert not at.exception, at.exception
    assert "10 points selected" in texts(at)
    # the gallery of a box selection says each image's label (digits: the class names are the digits)
    ctx = at.session_state["ctx"]
    captions = " ".join(str(i.proto) for i in at.get("image"))
    for i in range(10):
        assert f"#{i} \302\267 {int(ctx.data.y_test[i])}" in captions or f"#{i} · {int(ctx.data.y_test[i])}" in captions


def test_latent_map_vae_sigma_and_tsne(app_env, tiny_checkpoints_4d, monkeypatch):
    """σ ellipses on the PCA plane; on t-SNE (no linear map to the plane) the option is not offered."""
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_4d))
    at = start("latent_map")
    at.checkbox(key="map_sigma").check().run()
    assert not at.exception, at.exception
    at.radio(key="map_method").set_value("tsne").run()
    assert not at.exception, at.exception
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert "t-SNE" in layout["title"]["text"] and layout["xaxis"]["title"]["text"] == "t-SNE 1"
    # the title sits under the toolbar's row, not beneath its icons (issue 11 item 6)
    assert layout["title"]["pad"]["t"] >= 30 and layout["margin"]["t"] >= layout["title"]["pad"]["t"] + 30
    assert not any(c.key == "map_sigma" for c in at.checkbox)


def test_a_long_tsne_asks_first_with_an_estimate_from_the_points(app_env, tiny_checkpoints_4d, monkeypatch):
    """Issue 11 item 5: a t-SNE estimated to take long is started by a button that says how long; once
    computed it shows at once. The estimate follows this server's observed rate (here: 1 s per point)."""
    from ui import projections
    from ui.logic import waits

    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_4d))
    slow = waits.WaitModel()
    slow.record("tsne", 100, 1000 * waits.predicted("tsne", 100))  # as if this server were 1000x slower
    monkeypatch.setattr(projections, "WAITS", slow)
    monkeypatch.setattr(projections, "_FITTED", set())
    at = start("latent_map")
    at.radio(key="map_method").set_value("tsne").run()
    assert not at.exception, at.exception
    n = len(at.session_state["ctx"].data.x_test)
    [warning] = [w.value for w in at.warning]
    assert f"t-SNE of {n:,} points takes about {waits.format_duration(slow.estimate('tsne', n), tx=ENGLISH)}" in warning
    assert not at.get("plotly_chart")  # nothing started yet
    at.button(key="map_tsne_go").click().run()
    assert not at.exception, at.exception
    assert not at.warning and at.get("plotly_chart")
    assert "t-SNE" in json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    at.radio(key="map_method").set_value("pca").run()
    at.radio(key="map_method").set_value("tsne").run()  # computed before: no question asked again
    assert not at.warning and at.get("plotly_chart")


def test_a_2d_latent_offers_no_projection(app_env):
    at = start("latent_map")
    assert not any(r.key == "map_method" for r in at.radio)
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == ("z₁", "z₂")


def test_grid_click_decodes_the_cell(app_env):
    at = start("latent_grid")
    at.session_state["grid_chart"] = selection({"point_index": 7, "customdata": [0, 7, 0.0, 0.0]})
    at.run()
    assert not at.exception, at.exception
    first = texts(at)
    assert "cell: (0, 7)" in first and "plane point" in first
    at.session_state["grid_chart"] = selection({"point_index": 30, "customdata": {"0": 2, "1": 0}})
    at.run()
    second = texts(at)
    assert "cell: (2, 0)" in second and second != first


def test_grid_size_zoom_and_overlay(app_env):
    at = start("latent_grid")
    at.slider(key="grid_n").set_value(30).run()
    at.checkbox(key="grid_overlay").check().run()
    at.slider(key="grid_zoom").set_value(3.0).run()
    assert not at.exception, at.exception
    at.session_state["grid_chart"] = selection({"point_index": 0, "customdata": [29, 29]})
    at.run()
    assert "cell: (29, 29)" in texts(at)


def test_compare_click_in_one_map_stars_it_in_both(app_env):
    at = start("compare")
    assert len(at.table) == 1  # a static table (it wraps on a phone)
    at.session_state["compare_map_ae"] = selection({"point_index": 0, "customdata": [11]})
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["compare_pick"] == 11
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert sum('"symbol":"star"' in s.replace(" ", "") for s in specs) == 2


def test_compare_metrics_have_units_and_say_why_a_cell_is_empty(app_env, monkeypatch):
    """Issue 11 item 7: offline with only MNIST's shipped test sample, the k-NN row is "—" and a caption
    says why; the AE's −log p(x) is "—" with its reason; names carry units, not codes like knn_acc."""
    from conftest import shipped_checkpoints

    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(shipped_checkpoints()))  # MNIST; the data dir is empty
    at = start("compare")
    assert at.session_state["ctx"].data_mode == "sample"
    df = at.table[0].value
    assert "knn_acc" not in df.index and "5-NN accuracy of the latents (%)" in df.index
    assert (df.loc["5-NN accuracy of the latents (%)"] == "—").all()
    nll = df.loc["−log p(x), importance sampled with K = 20 (nats per image)"]
    assert nll.iloc[0] == "—" and float(nll.iloc[1].replace(",", "")) > 0  # AE: none; VAE: a number
    captions = [c.value for c in at.caption]
    assert any("only the shipped test sample of mnist" in c for c in captions)
    assert any("plain autoencoder defines no probability" in c for c in captions)


def test_models_page_metrics_have_readable_names(app_env, monkeypatch):
    from conftest import shipped_checkpoints

    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(shipped_checkpoints()))
    at = start("models")
    df = next(d.value for d in at.dataframe if "Training time" in d.value.index)  # the metrics, not the layers
    assert "Training time" in df.index and not any("_" in str(i) for i in df.index)
    assert "measured on 10,000 test images" in "\n".join(m.value for m in at.markdown)


def test_reconstructions_sorted_by_error(app_env):
    at = start("reconstructions")
    at.radio(key="rec_mode").set_value("worst_vae").run()
    assert not at.exception, at.exception
    at.radio(key="rec_mode").set_value("indices").run()
    at.text_input(key="rec_indices").input("5, 9").run()
    assert not at.exception, at.exception
    assert any("#5 (" in str(i.proto) for i in at.get("image"))


def train_from_form(kind: str, epochs: int = 1, timeout: float = 240, schedule: str | None = None):
    """Submit the Train form for ``kind`` on digits, wait for the job to end, rerun; (AppTest, job)."""
    at = start("train")
    at.number_input(key="train_epochs").set_value(epochs)
    at.radio(key="train_kind").set_value(kind)
    if schedule is not None:
        at.radio(key="train_lr_schedule").set_value(schedule)
    at.button[0].click().run()
    assert not at.exception, at.exception
    job = at.session_state["train_job"]
    deadline = time.time() + timeout
    while not job.finished and time.time() < deadline:
        time.sleep(0.2)  # polls the worker thread's state, ends as soon as the job does
    assert job.status == "done", job.message
    at.run()
    return at, job


def test_train_one_epoch_makes_the_model_selectable(app_env):
    at, job = train_from_form("ae")
    assert not at.exception, at.exception
    new = Path(job.path)
    assert new.parent == Path(app_env["VAE_EXPLORER_USER_MODELS"]) and new.is_file()
    ae_box = at.selectbox(key="sb_ae")
    assert ae_box.value == str(new)
    shown = new.stem.removeprefix("digits-")  # the sidebar drops the dataset already chosen above it
    assert any(label.startswith(shown) for label in ae_box.options), ae_box.options


def test_train_a_pair_with_identical_settings_in_one_job(app_env):
    """AE + VAE: both trained with the same settings in one job (here the cosine learning-rate schedule
    the form offers), both selected in the sidebar."""
    from vae_core.checkpoint import info

    at, job = train_from_form("ae+vae", schedule="cosine")
    assert len(job.paths) == 2
    assert not at.exception, at.exception
    ae, vae = at.selectbox(key="sb_ae").value, at.selectbox(key="sb_vae").value
    assert (ae, vae) == tuple(job.paths)
    metas = [info(p) for p in (ae, vae)]
    assert [m["model"]["kind"] for m in metas] == ["ae", "vae"]
    same = ("backbone", "latent_dim", "channels")
    assert all(metas[0]["model"][k] == metas[1]["model"][k] for k in same)
    assert metas[0]["train"] == metas[1]["train"]  # identical training settings
    assert metas[0]["train"]["lr_schedule"] == "cosine"
    assert any("(cosine)" in c.value for c in at.caption)  # the job's settings name it


def test_train_a_cvae_from_the_form(app_env):
    at, job = train_from_form("cvae")
    assert at.selectbox(key="sb_cvae").value == job.paths[0]


def test_models_page_shows_architecture_and_metrics(app_env):
    at = start("models")
    layers = [d.value for d in at.dataframe if "Conv2d-1" in d.value.to_string()]
    assert layers, "no layer table"
    assert any(c.value.startswith("Total parameters") for c in at.caption)
    assert len(at.dataframe) >= 2  # the layers and the metrics


def test_train_cancel_stops_without_saving(app_env):
    at = start("train")
    at.number_input(key="train_epochs").set_value(200)
    at.button[0].click().run()
    job = at.session_state["train_job"]
    assert job.status == "running"
    at.run()
    at.button(key="train_cancel").click().run()
    deadline = time.time() + 60
    while not job.finished and time.time() < deadline:
        time.sleep(0.1)
    assert job.status == "cancelled"
    at.run()
    assert not at.exception, at.exception
    assert any("cancelled" in w.value for w in at.warning)
    assert not Path(app_env["VAE_EXPLORER_USER_MODELS"]).exists() or not any(
        Path(app_env["VAE_EXPLORER_USER_MODELS"]).glob("*.safetensors"))


def test_train_needs_the_full_dataset(app_env):
    at = start("train")
    at.selectbox(key="train_dataset").set_value("mnist")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["train_job"] is None
    assert any("mnist" in e.value for e in at.error)


def test_grid_on_a_pca_plane_decodes_the_cell_latent(app_env, tiny_checkpoints_4d, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_4d))
    at = start("latent_grid")
    assert at.radio(key="grid_method").value == "pca"
    at.session_state["grid_chart"] = selection({"point_index": 0, "customdata": [1, 2]})
    at.run()
    assert not at.exception, at.exception
    assert "cell: (1, 2)" in texts(at)


def test_grid_on_a_umap_plane(app_env, tiny_checkpoints_4d, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_4d))
    at = start("latent_grid")
    at.slider(key="grid_n").set_value(5).run()
    at.radio(key="grid_method").set_value("umap").run()
    assert not at.exception, at.exception
    at.session_state["grid_chart"] = selection({"point_index": 0, "customdata": [4, 0]})
    at.run()
    assert "cell: (4, 0)" in texts(at)
    assert any(p.name.startswith("umapgrid-") for p in Path(app_env["VAE_EXPLORER_CACHE"]).iterdir())
    # a finer grid: the cells between UMAP's clusters of digits, far from every point, are marked
    at.slider(key="grid_n").set_value(15).run()
    assert not at.exception, at.exception
    [note] = [c.value for c in at.caption if c.value.startswith("⊠")]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    [marked] = [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "square-x-open"]
    assert 0 < len(marked["x"]) < 225 and note.startswith(f"⊠ {len(marked['x'])} of 225 cells")


def _hover_component(at: AppTest):
    frames = at.get("iframe")
    assert len(frames) == 1, frames
    return frames[0].proto


def _png(uri: str):
    import base64
    import io

    import numpy as np
    from PIL import Image

    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def browser_cannot_decode(at, key: str = "dec_grid_plane") -> None:
    """The value the decoder component sends where WebAssembly is missing (ui/browser_decode.py)."""
    at.session_state[key] = {"backend": "server", "reason": "no_wasm", "have": None, "seq": 0, "z": None}
    at.run()
    assert not at.exception, at.exception


@pytest.mark.parametrize("fixture, file, kind, method", [("tiny_checkpoints", "digits-ae-2d", "ae", "identity"),
                                                         ("tiny_checkpoints_16d", "digits-vae-16d", "vae", "pca")])
def test_grid_hover_preview_holds_the_decoded_fine_grid(app_env, request, monkeypatch, fixture, file, kind, method):
    """The grid page sends the hover preview: a sprite sheet of nf² cells over the grid's own plane and
    bounds, each the decoded image of its fine-grid latent (recomputed here from the checkpoint: encode
    the test images, the plane, its inverse), equal to decoding that latent alone up to uint8 rounding."""
    import numpy as np

    from pages.latent_grid import hover
    from vae_core import latent as lat
    from vae_core.checkpoint import load
    from vae_core.data import load_dataset

    ck = request.getfixturevalue(fixture)
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(ck))
    at = start("latent_grid")
    browser_cannot_decode(at)  # on a linear plane the sheet is the fallback of the exact, in-browser decode
    if kind == "ae":  # the tiny 2-D VAE decodes nearly one image everywhere; its AE does not
        at.radio(key="page_model_kind").set_value("ae").run()
    planes = [r.value for r in at.radio if r.key == "grid_method"]
    assert planes == (["pca"] if method == "pca" else [])  # a 2-D latent is its own plane
    proto = _hover_component(at)
    assert proto.alt == "Hover preview"
    cfg = hover.config_of(proto.srcdoc)
    nf, tile = cfg["nf"], cfg["tile"]
    assert (nf, tile) == (hover.HOVER_N, 28)
    meta = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["meta"]["latent_grid"]
    assert meta == {"n": 15, "tile": 28, "bounds": cfg["bounds"]}  # the clickable grid's plane and bounds

    sheet = _png(cfg["sprite"])
    assert sheet.shape == (nf * tile, nf * tile) and sheet.dtype == np.uint8

    path = ck / f"{file}.safetensors"
    model = load(path).model
    data = load_dataset("digits")
    proj = lat.fit_projection(lat.encode_dataset(model, data.x_test, data.y_test)[0], "pca")
    assert proj.method == method
    np.testing.assert_allclose(cfg["bounds"], proj.bounds(), atol=1e-5)  # zoom 1: the full plane
    z = proj.inverse(lat.grid_points(tuple(cfg["bounds"]), nf))  # (nf², d), row-major, top row first
    ref = refs.ModelRef.of(str(path), kind)
    for r, c in [(0, 0), (0, nf - 1), (nf // 2, 7), (nf - 1, nf - 1)]:
        one = refs.decode_one(ref, z[r * nf + c]).astype(int)
        assert np.abs(hover.sprite_cell(sheet, nf, r, c).astype(int) - one).max() <= 1, (r, c)
    corners = hover.sprite_cell(sheet, nf, 0, 0).astype(int) - hover.sprite_cell(sheet, nf, nf - 1, nf - 1)
    assert np.abs(corners).max() > 4  # cells differ by more than the tolerance: the order is checked too

    at.session_state["grid_chart"] = selection({"point_index": 0, "customdata": [1, 2]})
    at.run()  # a click reruns the fragment: the same component, byte for byte (the browser keeps it)
    assert not at.exception, at.exception
    assert "cell: (1, 2)" in texts(at) and _hover_component(at).srcdoc == proto.srcdoc


def test_grid_hover_preview_of_a_cvae_decodes_with_the_chosen_label(app_env, tiny_checkpoints_cvae, monkeypatch):
    """A conditional model's preview decodes the fine grid with the label the page decodes the grid with."""
    import numpy as np

    from pages.latent_grid import hover
    from vae_core import latent as lat

    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_cvae))
    at = start("latent_grid")
    browser_cannot_decode(at)
    at.radio(key="page_model_kind").set_value("cvae").run()
    sheets = {}
    for label in (1, 7):
        at.selectbox(key="grid_label").set_value(label).run()
        assert not at.exception, at.exception
        cfg = hover.config_of(_hover_component(at).srcdoc)
        sheets[label] = _png(cfg["sprite"])
    nf, bounds = cfg["nf"], tuple(cfg["bounds"])
    assert not np.array_equal(sheets[1], sheets[7])
    ref = refs.ModelRef.of(str(tiny_checkpoints_cvae / "digits-cvae-2d.safetensors"), "cvae")
    r, c = nf // 3, nf // 2
    z = np.array(lat.cell_centre(bounds, nf, r, c), np.float32)  # a 2-D latent is its own plane
    one = refs.decode_one(ref, z, 7).astype(int)
    assert np.abs(hover.sprite_cell(sheets[7], nf, r, c).astype(int) - one).max() <= 1


def test_map_sigma_ellipses_on_a_pca_plane(app_env, tiny_checkpoints_4d, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_4d))
    at = start("latent_map")
    at.checkbox(key="map_sigma").check().run()
    assert not at.exception, at.exception
    names = [t.get("name") for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert "σ (1 std)" in names, names


def test_a_replaced_checkpoint_file_is_reloaded(app_env, tiny_checkpoints, tmp_path, monkeypatch):
    import os
    import shutil

    

    d = tmp_path / "ck"
    d.mkdir()
    f = d / "m.safetensors"
    shutil.copy(tiny_checkpoints / "digits-ae-2d.safetensors", f)
    first = refs.checkpoint(str(f)).model_config.kind
    shutil.copy(tiny_checkpoints / "digits-vae-2d.safetensors", f)
    os.utime(f, (1e9, 1e9))  # a different mtime
    assert (first, refs.checkpoint(str(f)).model_config.kind) == ("ae", "vae")


@pytest.mark.parametrize("page", ["latent_map", "latent_grid", "generate", "compare", "reconstructions"])
def test_a_1d_latent_is_drawn_not_a_traceback(app_env, tiny_checkpoints_1d, monkeypatch, page):
    """A 1-D latent: the map draws it against the class, the grid as a row; no page raises."""
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_1d))
    at = start(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if page == "latent_map":
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert spec["layout"]["yaxis"]["title"]["text"] == "class (jittered)"
        at.session_state["latent_scatter"] = selection({"point_index": 0, "customdata": [5]})
        at.run()
        assert not at.exception and "index: 5" in texts(at)
    if page == "latent_grid":
        assert at.slider(key="grid_n").value == 15 and len(at.get("image")) == 2  # the row and one live decode


def test_the_map_offers_only_point_counts_the_dataset_has(app_env):
    """digits has 359 test images: 1,000 / 2,000 / … would be lies; only "all" is offered."""
    from ui.texts import table

    EN = table("en")

    at = start("latent_map")
    assert at.selectbox(key="map_points").options == [EN["latent_map.points_all"]]


def _shown_images(at: AppTest) -> dict:
    """caption → uint8 array of every st.image on the page (they are sent inline as PNG data URIs)."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    out = {}
    for el in at.get("image"):
        for img in el.proto.imgs:
            if img.url.startswith("data:image/png;base64,"):
                raw = base64.b64decode(img.url.split(",", 1)[1])
                out[img.caption] = np.asarray(Image.open(io.BytesIO(raw)))
    return out


def test_latent_map_of_train_and_test_decodes_a_train_point(app_env, tiny_checkpoints):
    """Points from train + test: a click on a train point shows that train image (not the test image
    of the same index), its label, and the decoding of its own latent."""
    import numpy as np
    import torch

    from vae_core import checkpoint as ckpt
    from vae_core import latent as lat
    from vae_core.data import load_dataset

    at = start("latent_map")
    at.radio(key="map_source").set_value("all").run()
    at.selectbox(key="map_points").set_value(0).run()  # "all"
    assert not at.exception, at.exception
    data = load_dataset("digits")
    n = len(data.x_test) + len(data.x_train)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"].endswith(f"{n:,} images (train + test)")
    assert sum(1 for t in spec["data"] if t.get("showlegend")) == 10  # one legend entry per class
    hovers = {t["hovertemplate"].split("<br>")[0] for t in spec["data"]}
    assert hovers == {"index: %{customdata[0]} (train)", "index: %{customdata[0]} (test)"}
    # a train index whose test image of the same number looks different and has another label
    j = next(i for i in range(len(data.x_test))
             if data.y_train[i] != data.y_test[i] and not torch.equal(data.x_train[i], data.x_test[i]))
    at.session_state["latent_scatter"] = selection({"point_index": 0, "customdata": {"0": j, "1": 1}})
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert f"index: {j} (train)" in shown and f"label: {int(data.y_train[j])}" in shown
    imgs = _shown_images(at)
    orig = imgs["original"]
    k = orig.shape[0] // 28
    assert np.array_equal(orig[::k, ::k], data.x_train[j, 0].numpy())  # the train image, enlarged
    model = ckpt.load(tiny_checkpoints / "digits-vae-2d.safetensors").model
    z, _ = lat.encode_dataset(model, data.x_train[j:j + 1])
    want = lat.to_uint8_images(lat.decode_points(model, z))[0]
    got = imgs["decoded from its latent"]
    assert np.abs(got[::k, ::k].astype(int) - want.astype(int)).max() <= 1  # the decoding of its own latent
    neighbours = next(c for c in imgs if c.startswith("The 8 nearest neighbours"))
    assert "(train)" in neighbours or "(test)" in neighbours
    # the same index in the test split is another point
    at.session_state["latent_scatter"] = selection({"point_index": 0, "customdata": [j, 0]})
    at.run()
    assert f"index: {j} (test)" in texts(at) and f"label: {int(data.y_test[j])}" in texts(at)
    assert np.array_equal(_shown_images(at)["original"][::k, ::k], data.x_test[j, 0].numpy())


def test_latent_map_defaults_to_the_test_split_and_keeps_the_choice(app_env):
    from ui import state as S

    at = start("latent_map")
    assert at.radio(key="map_source").value == "test"
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert title.endswith("test images")
    at.radio(key="map_source").set_value("all").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="map_points").options == ["1,000", "all"]  # digits: 1,797 points in all
    assert S.MAP_SOURCE in S.PERSISTENT  # kept across pages like the other map choices


def test_latent_map_umap_of_train_and_test_shows_progress_then_the_map(app_env, tiny_checkpoints_4d, monkeypatch):
    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_4d))
    at = start("latent_map")
    at.radio(key="map_source").set_value("all").run()
    at.selectbox(key="map_points").set_value(0).run()  # "all"
    at.radio(key="map_method").set_value("umap").run()
    assert not at.exception, at.exception
    assert any(e.label.startswith("UMAP of 1,797 points done in") for e in at.status)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "UMAP" in spec["layout"]["title"]["text"]
    cache_dir = Path(app_env["VAE_EXPLORER_CACHE"])
    assert any(p.name.startswith("umap-") for p in cache_dir.iterdir())
    at.run()  # the coordinates come from the disk now: no progress shown
    assert not any(e.label.startswith("UMAP of") for e in at.status)
    at.session_state["latent_scatter"] = selection({"point_index": 0, "customdata": [3, 1]})
    at.run()
    assert "index: 3 (train)" in texts(at)
