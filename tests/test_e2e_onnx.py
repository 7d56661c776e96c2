"""Browser end-to-end on imported ONNX models (issue 19): a real click on the latent map and on the
latent grid of an imported digits VAE decodes a real image (onnxruntime behind the same pages).
Screenshots of the Models page and of the map with a point selected go to tests/_artifacts/screens/."""

from __future__ import annotations

import re

import pytest

from conftest import (
    JS_ISOLATED_POINT,
    JS_POINT_PX,
    ROOT,
    Server,
    open_page,
    wait_idle,
    wait_new_image,
)
from tests.test_app_onnx import imported_checkpoints  # noqa: F401  (the fixture)
from ui.texts import Texts

T = Texts("en")
pytestmark = pytest.mark.e2e
SHOTS = ROOT / "tests/_artifacts/screens"


@pytest.fixture(scope="module")
def server(imported_checkpoints, tmp_path_factory):  # noqa: F811
    tmp = tmp_path_factory.mktemp("e2e_onnx")
    (tmp / "data").mkdir()
    env = {"VAE_EXPLORER_CHECKPOINTS": str(imported_checkpoints), "VAE_EXPLORER_DATA": str(tmp / "data"),
           "VAE_EXPLORER_USER_MODELS": str(tmp / "user_models"), "VAE_EXPLORER_CACHE": str(tmp / "cache")}
    s = Server(env, tmp / "streamlit.log")
    yield s
    s.stop()


@pytest.fixture()
def page(browser, server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 2400})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


def test_models_page_of_imported_models(page, server):
    open_page(page, server, "models")
    assert page.get_by_label("Variational autoencoder (VAE)").input_value().startswith("vae-2d")  # the sidebar drops the dataset prefix
    page.get_by_text(T["models.no_history_imported"]).first.wait_for()
    page.get_by_text(re.compile(r"This model runs in onnxruntime")).first.wait_for()
    page.wait_for_selector('[data-testid="stDataFrame"] canvas')  # the metrics recorded at export
    page.wait_for_timeout(1000)  # the grid draws its cells after the canvas appears
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "onnx_models.png"), full_page=True)


def test_click_the_latent_map_of_an_imported_model(page, server):
    open_page(page, server, "latent_map")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point, .js-plotly-plot canvas")
    x, y, idx = page.evaluate(JS_ISOLATED_POINT, [0, []])
    px, py = page.evaluate(JS_POINT_PX, [x, y, 0])
    page.mouse.click(px, py)
    page.get_by_text(re.compile(rf"index: {idx}\b")).first.wait_for()
    assert wait_new_image(page, "decoded from its latent", "")
    page.get_by_text(re.compile(r"The \d+ nearest neighbours in latent space: #\d+")).first.wait_for()
    wait_idle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "onnx_latent_map.png"), full_page=True)


def test_click_two_grid_cells_of_an_imported_model(page, server):
    open_page(page, server, "latent_grid")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point")
    srcs = []
    for r, c in [(2, 3), (11, 9)]:
        px, py = page.evaluate(JS_POINT_PX, [(c + 0.5) * 28 - 0.5, (r + 0.5) * 28 - 0.5, 0])
        page.mouse.click(px, py)
        page.get_by_text(f"cell: ({r}, {c})").wait_for()
        srcs.append(wait_new_image(page, "decoded live", srcs[-1] if srcs else ""))
        page.wait_for_timeout(400)  # not a plotly double-click
    assert srcs[0] and srcs[1] and srcs[0] != srcs[1]
