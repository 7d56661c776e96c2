"""Browser end-to-end: Playwright drives Chromium against `streamlit run app.py` on 127.0.0.1.

One server per module (fixture checkpoints, an empty data dir). Real clicks on real charts:
a point on the latent map decodes its image; two grid cells decode two different images; the
Train page trains one epoch on digits. Screenshots of every page go to tests/_artifacts/screens/ (docs/
with UPDATE_DOCS_SCREENSHOTS=1; from the shipped
checkpoints when checkpoints/*.safetensors exist, else from the fixtures).
Skipped without a browser unless REQUIRE_E2E=1.
"""

from __future__ import annotations

import os
import re

import pytest

from conftest import (
    JS_ISOLATED_POINT,
    JS_POINT_PX,
    ROOT,
    Server,
    launch_chromium,
    require_e2e,
    shipped_checkpoints,
    wait_idle,
    wait_new_image,
)
from ui.core.pagelist import PAGES as PAGE_SPECS
from ui.core.pagelist import URLS
from ui.logic.text import T

pytestmark = pytest.mark.e2e
PAGES = URLS
# Screenshots go to tests/_artifacts/ (git-ignored); UPDATE_DOCS_SCREENSHOTS=1 writes the README's docs/ instead.
DOCS = ROOT / ("docs" if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1" else "tests/_artifacts/screens")


def _skip_or_fail(reason: str):
    if require_e2e():
        pytest.fail(f"{reason} (REQUIRE_E2E=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("playwright is not installed")
    with sync_playwright() as p:
        b = launch_chromium(p)
        if b is None:
            _skip_or_fail("no Chromium: install Debian's chromium (/usr/bin/chromium)")
        yield b
        b.close()


def _env(checkpoints, tmp) -> dict:
    (tmp / "data").mkdir(exist_ok=True)
    return {"VAE_EXPLORER_CHECKPOINTS": str(checkpoints), "VAE_EXPLORER_DATA": str(tmp / "data"),
            "VAE_EXPLORER_USER_MODELS": str(tmp / "user_models"), "VAE_EXPLORER_CACHE": str(tmp / "cache")}


@pytest.fixture(scope="module")
def server(tiny_checkpoints, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    s = Server(_env(tiny_checkpoints, tmp), tmp / "streamlit.log")
    yield s
    s.stop()


@pytest.fixture()
def page(browser, server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


def open_page(pg, server, path: str = "") -> None:
    pg.goto(f"{server.url}/{path}")
    pg.wait_for_selector('[data-testid="stSidebar"]')
    pg.wait_for_selector("h1")
    wait_idle(pg)


def test_home_opens(page, server):
    open_page(page, server)
    assert page.get_by_role("heading", name="AE/VAE Latent Explorer").is_visible()
    assert page.get_by_label("Autoencoder (AE)").input_value().startswith("digits-ae-2d")
    assert page.get_by_label("Variational autoencoder (VAE)").input_value().startswith("digits-vae-2d")


def test_click_a_point_on_the_latent_map(page, server):
    open_page(page, server, "latent_map")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point, .js-plotly-plot canvas")
    x, y, idx = page.evaluate(JS_ISOLATED_POINT, [0, []])
    px, py = page.evaluate(JS_POINT_PX, [x, y, 0])
    page.mouse.click(px, py)
    page.get_by_text(re.compile(rf"index: {idx}\b")).first.wait_for()
    src = wait_new_image(page, "decoded from its latent", "")
    assert src
    page.get_by_text(re.compile(r"The \d+ nearest neighbours in latent space: #\d+")).first.wait_for()


# the most isolated visible point of one split on a map of both splits: [x, y, index]
JS_ISOLATED_SPLIT_POINT = """(code) => { const gd = document.querySelectorAll('.js-plotly-plot')[0];
  const fl = gd._fullLayout, pts = [];
  for (const t of gd._fullData) { if (t.mode !== 'markers' || !t.customdata) continue;
    for (let i = 0; i < t.x.length; i++) pts.push([t.x[i], t.y[i], t.customdata[i][0], t.customdata[i][1]]); }
  const px = pts.map(p => [fl.xaxis.l2p(p[0]), fl.yaxis.l2p(p[1])]);
  const W = fl.xaxis._length, H = fl.yaxis._length;
  let best = null, bestD = -1;
  for (let i = 0; i < pts.length; i++) {
    if (pts[i][3] !== code) continue;
    const [a, b] = px[i]; if (a < 20 || b < 20 || a > W - 20 || b > H - 20) continue;
    let d = 1e9; for (let j = 0; j < pts.length; j++) { if (j === i) continue;
      const dx = px[j][0] - a, dy = px[j][1] - b; d = Math.min(d, dx * dx + dy * dy); }
    if (d > bestD) { bestD = d; best = pts[i].slice(0, 3); } }
  return best; }"""


def test_click_a_train_point_on_a_map_of_train_and_test(page, server):
    """Points from train + test: WebGL-or-SVG typed-array customdata [index, split] survives the
    browser; a click on a train point names it as a train image and decodes it."""
    open_page(page, server, "latent_map")
    page.get_by_text("train + test", exact=True).click()
    page.wait_for_function("() => { const gd = document.querySelector('.js-plotly-plot');"
                           " return gd && gd.layout && gd.layout.title.text.includes('(train + test)'); }")
    wait_idle(page)
    x, y, idx = page.evaluate(JS_ISOLATED_SPLIT_POINT, 1)
    page.mouse.click(*page.evaluate(JS_POINT_PX, [x, y, 0]))
    page.get_by_text(f"index: {idx} (train)", exact=True).wait_for()
    assert wait_new_image(page, "decoded from its latent", "")


def test_click_two_points_and_see_their_interpolation(page, server):
    """Generate page: the first click on the map sets image A, the second image B; the AE and VAE
    rows then decode the path from A to B."""
    open_page(page, server, "generate")
    page.get_by_role("tab", name="Interpolation").click()
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some(p => p.offsetWidth > 0)")
    nth = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].findIndex(p => p.offsetWidth > 0)")
    chosen = []
    for _ in range(2):
        x, y, idx = page.evaluate(JS_ISOLATED_POINT, [nth, chosen + [0, 1]])
        page.mouse.click(*page.evaluate(JS_POINT_PX, [x, y, nth]))
        chosen.append(idx)
        page.get_by_text(f"{'AB'[len(chosen) - 1]}: #{idx}", exact=True).wait_for()
        wait_idle(page)
        page.wait_for_timeout(400)  # not a plotly double-click
    a, b = chosen
    for kind in ("AE", "VAE"):
        for method in ("linear", "spherical (slerp)"):
            page.get_by_text(f"{kind} · {method} · from #{a} to #{b}", exact=True).wait_for()


def nav(page):
    """The sidebar's page navigation (the home page has links of the same names in its cards)."""
    return page.locator('[data-testid="stSidebarNav"]')


def test_choices_survive_a_visit_to_another_page(page, server):
    """Streamlit forgets the widgets a run does not draw; the app keeps every page's choices."""
    open_page(page, server, "latent_map")
    page.get_by_text("AE · digits-ae-2d", exact=True).click()
    wait_idle(page)
    nav(page).get_by_role("link", name="Latent grid").click()
    page.wait_for_selector('[data-testid="stSlider"]')
    wait_idle(page)
    thumb = page.get_by_role("slider", name="Grid size n")  # an <input type=range>
    thumb.focus()
    for _ in range(2):
        thumb.press("ArrowRight")
    wait_idle(page)
    assert thumb.input_value() == "17"
    nav(page).get_by_role("link", name="Home").click()
    page.get_by_role("heading", name="AE/VAE Latent Explorer").wait_for()
    wait_idle(page)
    nav(page).get_by_role("link", name="Latent map").click()
    page.wait_for_selector(".js-plotly-plot")
    wait_idle(page)
    assert page.get_by_role("radio", name="AE · digits-ae-2d").is_checked()
    nav(page).get_by_role("link", name="Latent grid").click()
    page.wait_for_selector('[data-testid="stSlider"]')
    wait_idle(page)
    assert page.get_by_role("slider", name="Grid size n").input_value() == "17"


def test_click_two_grid_cells(page, server):
    open_page(page, server, "latent_grid")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point")
    n = 15  # the default grid size
    srcs = []
    for r, c in [(2, 3), (11, 9)]:
        x = (c + 0.5) * 28 - 0.5
        y = (r + 0.5) * 28 - 0.5
        px, py = page.evaluate(JS_POINT_PX, [x, y, 0])
        page.mouse.click(px, py)
        page.get_by_text(f"cell: ({r}, {c})").wait_for()
        srcs.append(wait_new_image(page, "decoded live", srcs[-1] if srcs else ""))
        page.wait_for_timeout(400)  # not a plotly double-click
    assert srcs[0] != srcs[1]
    assert n == 15


def test_train_one_epoch_on_digits(page, server):
    open_page(page, server, "train")
    epochs = page.get_by_label("Epochs")
    epochs.fill("1")
    epochs.press("Tab")
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(re.compile(r"Saved digits-vae-conv-2d-1ep(-\d{8}-\d{6})?\.safetensors")).wait_for(timeout=180_000)
    wait_idle(page)
    chosen = page.get_by_label("Variational autoencoder (VAE)").input_value()
    assert re.match(r"digits-vae-conv-2d-1ep", chosen), chosen


def test_upload_a_bad_file_then_a_good_one(page, server, tiny_checkpoints, tmp_path):
    open_page(page, server, "models")
    bad = tmp_path / "weights.pt"
    bad.write_bytes(b"\x80\x04\x95 not really a pickle")
    page.set_input_files('[data-testid="stFileUploader"] input[type=file]', str(bad))
    page.get_by_text(re.compile(r"Not kept: weights\.pt: .*pickle")).wait_for()
    good = tiny_checkpoints / "digits-ae-2d.safetensors"
    page.set_input_files('[data-testid="stFileUploader"] input[type=file]', str(good))
    page.get_by_text(re.compile(r"Kept digits-ae-2d(-\d+)?\.safetensors")).wait_for()
    wait_idle(page)
    assert "yours" in page.get_by_label("Autoencoder (AE)").input_value()


def _screenshot_every_page(browser, server) -> None:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1500})
    pg = ctx.new_page()
    pg.set_default_timeout(120_000)
    try:
        for name in PAGES:
            # a new session per page; Concepts in 中文 (the README shows it)
            open_page(pg, server, {"home": "", "concepts": "concepts?lang=zh"}.get(name, name))
            if name == "latent_map":
                pg.wait_for_selector(".js-plotly-plot")
                x, y, _ = pg.evaluate(JS_ISOLATED_POINT, [0, []])
                pg.mouse.click(*pg.evaluate(JS_POINT_PX, [x, y, 0]))
                wait_new_image(pg, "decoded from its latent", "")
            elif name == "latent_grid":
                pg.wait_for_selector(".js-plotly-plot .scatterlayer .point")
                pg.mouse.click(*pg.evaluate(JS_POINT_PX, [5 * 28 + 13.5, 4 * 28 + 13.5, 0]))
                wait_new_image(pg, "decoded live", "")
            elif name == "compare":
                pg.wait_for_selector(".js-plotly-plot")
                x, y, idx = pg.evaluate(JS_ISOLATED_POINT, [0, []])
                pg.mouse.click(*pg.evaluate(JS_POINT_PX, [x, y, 0]))
                pg.get_by_text(f"index: {idx}").first.wait_for()
            elif name == "train":
                pg.get_by_label("Epochs").fill("3")
                pg.get_by_label("Epochs").press("Tab")
                pg.get_by_role("button", name="Train", exact=True).click()
                pg.get_by_text(re.compile(r"Saved .*\.safetensors")).wait_for(timeout=180_000)
            wait_idle(pg)
            pg.wait_for_timeout(500)
            pg.screenshot(path=str(DOCS / f"{name}.png"))
    finally:
        ctx.close()


def test_screenshots_of_every_page(browser, server, tmp_path_factory):
    """docs/<page>.png, taken from the shipped models when there are any."""
    DOCS.mkdir(parents=True, exist_ok=True)
    shipped = shipped_checkpoints()
    if shipped is None or os.environ.get("E2E_SCREENSHOTS_FROM_FIXTURES") == "1":
        _screenshot_every_page(browser, server)
    else:
        tmp = tmp_path_factory.mktemp("shots")
        env = _env(shipped, tmp)
        env["VAE_EXPLORER_DATA"] = os.environ.get("VAE_EXPLORER_DATA") or env["VAE_EXPLORER_DATA"]
        real = Server(env, tmp / "streamlit.log")
        try:
            _screenshot_every_page(browser, real)
        finally:
            real.stop()
    for name in PAGES:
        assert (DOCS / f"{name}.png").stat().st_size > 10_000


@pytest.mark.parametrize("url", PAGES)
def test_cold_deep_link_opens_the_page_with_the_sidebar(browser, tiny_checkpoints, tmp_path, url):
    """The very first request to a fresh server is a deep link. Streamlit then runs pages/<url>.py
    in its legacy pages/ mode, without app.py; the page must still come with the app's sidebar
    (ui.core.widgets.header runs the app through the public st.navigation). One fresh server per
    url, since only a server's first run is in that mode. Home is the default page, served at /."""
    fresh = Server(_env(tiny_checkpoints, tmp_path), tmp_path / "streamlit.log")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        pg = ctx.new_page()
        pg.set_default_timeout(60_000)
        path = "" if url == "home" else url
        open_page(pg, fresh, path)
        spec = next(p for p in PAGE_SPECS if p.url == url)
        assert pg.get_by_role("heading", name=T[f"{spec.id}_title"], level=1).is_visible()
        assert pg.url.rstrip("/") == f"{fresh.url}/{path}".rstrip("/")
        assert pg.get_by_text("Page not found").count() == 0
        sidebar = pg.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_label("Dataset").is_visible()
        assert sidebar.get_by_label("Dataset").input_value() == "digits"
        assert pg.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx.close()
        fresh.stop()
