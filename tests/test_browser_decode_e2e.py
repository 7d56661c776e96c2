"""Browser end-to-end for the latent decoder component: Chromium against tests/browser_decode_app.py.

The decoder runs in the page (onnxruntime-web, WebAssembly): a dragged slider redraws the canvas while
dragging; the page's pixels equal the server's torch decode within 2/255 for every backbone; hovering
a PCA plane decodes the exact point under the pointer; an interpolation plays at ≥ 30 frames per
second; without WebAssembly (deleted, or its binary blocked) or over the cap the page decodes on the
server and says so in one line, in English and 中文. Skipped without a browser unless REQUIRE_E2E=1.
"""

from __future__ import annotations

import urllib.parse

import numpy as np
import pytest

from conftest import Server, _train, decoder_frame
from ui import browser_decode as bdm
from ui import decoder_component as dcm  # noqa: E402
from ui.texts import Texts

pytestmark = pytest.mark.e2e
APP = "tests/browser_decode_app.py"


@pytest.fixture(scope="module")
def models(tiny_checkpoints, tiny_checkpoints_4d, tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("bd_models")
    return {"conv": tiny_checkpoints / "digits-vae-2d.safetensors",
            "mlp": _train(d / "digits-vae-3d-mlp.safetensors", "vae", latent_dim=3, backbone="mlp"),
            "resconv": _train(d / "digits-ae-2d-resconv.safetensors", "ae", latent_dim=2, backbone="resconv"),
            "pca": tiny_checkpoints_4d / "digits-ae-4d.safetensors"}


@pytest.fixture(scope="module")
def server(models, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bd_server")
    srv = Server({"BD_MODEL": str(models["conv"]), "VAE_EXPLORER_CACHE": str(tmp / "cache")}, tmp / "server.log",
                 script=APP)
    yield srv
    srv.stop()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 1100})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def open_component(page, server, **query):
    """Load the test app with these query parameters; the component's frame once it drew (or fell back)."""
    page.goto(f"{server.url}/?{urllib.parse.urlencode({k: str(v) for k, v in query.items()})}")
    page.wait_for_selector("iframe", timeout=60_000)
    return decoder_frame(page)


def model_of(path):
    from vae_core.model_file import load_model_file

    return load_model_file(path).model.eval()


def server_decode(model, z) -> np.ndarray:
    from browser_decode_app import server_decode as dec

    return dec(model, np.asarray(z, dtype=np.float32)).astype(int)


def canvas(frame, shape) -> np.ndarray:
    """The component's native-size canvas as uint8 (H, W) grey or (H, W, 3)."""
    c, h, w = shape
    px = np.array(frame.evaluate("() => window.__bd.pixels()"), dtype=int).reshape(h, w, 4)
    return px[..., 0] if c == 1 else px[..., :3]


@pytest.mark.parametrize("backbone", ["conv", "mlp", "resconv"])
def test_browser_decode_equals_server_decode(page, server, models, backbone):
    path = models[backbone]
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    frame = open_component(page, server, mode="sliders", model=path)
    assert frame.evaluate("() => window.__bd.backend") == "wasm"
    elsewhere = [u for u in asked if not u.startswith(server.url) and not u.startswith("data:")]
    assert not elsewhere, elsewhere  # offline: the runtime and the decoder come from the app itself
    model = model_of(path)
    d = model.config.latent_size
    for z in np.random.default_rng(0).standard_normal((4, d)) * 1.5:
        frame.evaluate("(z) => window.__bd.show(z)", z.tolist())
        got = canvas(frame, model.config.image_shape)
        want = server_decode(model, z)
        assert np.abs(got - want).max() <= 2, backbone
    assert np.abs(got - want).max() <= 2 and want.std() > 0


def test_dragging_a_slider_redraws_while_dragging(page, server, models):
    frame = open_component(page, server, mode="sliders", model=models["conv"])
    model = model_of(models["conv"])
    before = canvas(frame, model.config.image_shape)
    slider = frame.locator("#sliders input[type=range]").first
    box = slider.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2  # z0 = 0: the thumb is in the middle
    draws0 = frame.evaluate("() => window.__bd.draws")
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + i * box["width"] * 0.04, y)
        page.wait_for_timeout(30)
    during = frame.evaluate("() => window.__bd.draws") - draws0
    page.mouse.up()
    assert during >= 5, f"only {during} redraws while dragging"
    frame.wait_for_function("() => !window.__bd.busy", timeout=5_000)
    page.wait_for_timeout(100)
    last = frame.evaluate("() => window.__bd.last")
    dim = int(slider.get_attribute("data-dim"))
    assert last["z"][dim] > 0.5 and all(v == 0 for j, v in enumerate(last["z"]) if j != dim)
    after = canvas(frame, model.config.image_shape)
    assert np.abs(after - before).max() > 10
    assert np.abs(after - server_decode(model, last["z"])).max() <= 2
    # the z text follows; Reset goes back to z0
    assert frame.locator("#ztext").input_value().startswith("[")
    frame.locator("#reset").click()
    frame.wait_for_function("() => window.__bd.last.z.every(v => v === 0)", timeout=5_000)


def test_hover_decodes_the_exact_point_of_a_pca_plane(page, server, models):
    from browser_decode_app import load, setup

    path = models["pca"]
    s = setup(load(path))
    plane, (x0, x1, y0, y1) = s["plane"], s["bounds"]
    frame = open_component(page, server, mode="plane", model=path)
    assert frame.locator("#note").inner_text().strip() == dcm.texts_for(Texts("en"))["shading"]
    model = model_of(path)
    box = frame.locator("#plane").bounding_box()
    images = []
    for fx, fy in ((0.27, 0.31), (0.71, 0.64)):
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        want_xy = (x0 + fx * (x1 - x0), y1 - fy * (y1 - y0))
        frame.wait_for_function(
            "([x, y, tx, ty]) => { const l = window.__bd.last; return l && l.xy && Math.abs(l.xy[0] - x) < tx "
            "&& Math.abs(l.xy[1] - y) < ty; }",
            arg=[*want_xy, (x1 - x0) / 100, (y1 - y0) / 100], timeout=10_000)
        frame.wait_for_function("() => !window.__bd.busy", timeout=5_000)
        last = frame.evaluate("() => window.__bd.last")
        z = plane.to_latent(np.array([last["xy"]]))[0]
        np.testing.assert_allclose(last["z"], z, atol=1e-5)  # the exact point, not a grid cell
        got = canvas(frame, model.config.image_shape)
        assert np.abs(got - server_decode(model, z)).max() <= 2
        images.append(got)
    assert np.abs(images[0] - images[1]).max() > 10


def test_interpolation_plays_at_30_fps_and_scrubs(page, server, models):
    from browser_decode_app import load, setup

    path = models["conv"]
    s = setup(load(path))
    za, zb = s["mu"][0].astype(np.float64), s["mu"][1].astype(np.float64)
    frame = open_component(page, server, mode="interp", model=path)
    frame.locator("#play").click()
    page.wait_for_timeout(300)
    t0 = frame.evaluate("() => performance.now()")
    page.wait_for_timeout(2000)
    t1, frames = frame.evaluate("() => [performance.now(), window.__bd.frames.length]")
    n = frame.evaluate("([a, b]) => window.__bd.frames.filter(t => t >= a && t <= b).length", [t0, t1])
    fps = n / ((t1 - t0) / 1000)
    frame.locator("#play").click()  # pause
    assert fps >= 30, f"{fps:.1f} frames per second"
    model = model_of(path)
    for method in ("linear", "slerp"):
        frame.locator(f"#m-{method}").check()
        frame.evaluate("() => { const s = document.getElementById('scrub'); s.value = '500'; "
                       "s.dispatchEvent(new Event('input')); }")
        frame.wait_for_function("() => window.__bd.last.t === 0.5 && !window.__bd.busy", timeout=5_000)
        page.wait_for_timeout(50)
        from vae_core.latent import interpolate

        z = interpolate(za, zb, 3, method)[1]
        np.testing.assert_allclose(frame.evaluate("() => window.__bd.last.z"), z, atol=1e-4)
        assert np.abs(canvas(frame, model.config.image_shape) - server_decode(model, z)).max() <= 2


@pytest.mark.parametrize("how,lang,reason", [("no_wasm", "en", "no_wasm"), ("blocked", "zh", "failed"),
                                              ("cap", "en", "too_big")])
def test_fallback_to_the_server_says_so(page, server, models, how, lang, reason, tmp_path):
    if how == "no_wasm":
        page.add_init_script("delete window.WebAssembly;")
    elif how == "blocked":
        page.route("**/*.wasm*", lambda route: route.abort())
    query = {"mode": "sliders", "model": models["conv"], "lang": lang, **({"cap": 1000} if how == "cap" else {})}
    frame = open_component(page, server, **query)
    assert frame.evaluate("() => [window.__bd.backend, window.__bd.reason]") == ["server", reason]
    spec = bdm.decoder_spec(models["conv"], cache_dir=tmp_path, cap=1000 if how == "cap" else bdm.CAP_BYTES)
    line = dcm.texts_for(Texts(lang), spec)[f"fallback_{reason}"]
    page.get_by_text(line).wait_for(timeout=30_000)
    assert frame.locator("#status").inner_text() == dcm.texts_for(Texts(lang))["backend_server"]
    # a wanted latent still reaches the canvas, decoded on the server
    model = model_of(models["conv"])
    z = [0.7, -1.2]
    frame.evaluate("(z) => window.__bd.show(z)", z)
    assert frame.evaluate("() => window.__bd.last.backend") == "server"
    assert np.abs(canvas(frame, model.config.image_shape) - server_decode(model, z)).max() <= 2


# ------------------------------------------------------------------ in the app

@pytest.fixture(scope="module")
def app_server(tiny_checkpoints, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bd_app")
    (tmp / "data").mkdir()
    srv = Server({"VAE_EXPLORER_CHECKPOINTS": str(tiny_checkpoints), "VAE_EXPLORER_DATA": str(tmp / "data"),
                  "VAE_EXPLORER_USER_MODELS": str(tmp / "user_models"), "VAE_EXPLORER_CACHE": str(tmp / "cache")},
                 tmp / "app.log")
    yield srv
    srv.stop()


def test_the_grid_page_decodes_the_exact_point_under_the_pointer(page, app_server, tiny_checkpoints):
    """The app's latent grid (a 2-D latent: its own plane): the pointer over the grid draws the decode of
    the exact plane point under it, in the browser, without running the script."""
    from conftest import JS_POINT_PX, wait_idle

    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{app_server.url}/latent_grid")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=90_000)
    frame = decoder_frame(page)
    assert frame.evaluate("() => window.__bd.backend") == "wasm"
    frame.wait_for_function("() => window.__bd.followingGrid === true", timeout=10_000)
    wait_idle(page)
    page.evaluate("""() => { window._ran = false; const app = document.querySelector('[data-testid="stApp"]');
      new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window._ran = true; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
    model = model_of(tiny_checkpoints / "digits-vae-2d.safetensors")
    meta = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[0].layout.meta.latent_grid")
    n, tile, (x0, x1, y0, y1) = meta["n"], meta["tile"], meta["bounds"]
    for px, py in ((2.3 * tile, 3.6 * tile), (10.1 * tile, 8.4 * tile)):  # mosaic pixels, between cell centres
        page.mouse.move(*page.evaluate(JS_POINT_PX, [px, py, 0]))
        fx, fy = ((px + 0.5) / tile - 0.5) / (n - 1), ((py + 0.5) / tile - 0.5) / (n - 1)
        want = (x0 + fx * (x1 - x0), y1 - fy * (y1 - y0))
        frame.wait_for_function(
            "([x, y, e]) => { const l = window.__bd.last; return l && l.xy && Math.abs(l.xy[0] - x) < e[0] "
            "&& Math.abs(l.xy[1] - y) < e[1] && !window.__bd.busy; }",
            arg=[*want, [(x1 - x0) / 200, (y1 - y0) / 200]], timeout=10_000)
        last = frame.evaluate("() => window.__bd.last")
        np.testing.assert_allclose(last["z"], last["xy"], atol=1e-6)  # a 2-D latent: z is the plane point
        assert np.abs(canvas(frame, model.config.image_shape) - server_decode(model, last["z"])).max() <= 2
    assert page.evaluate("window._ran") is False  # no round trip
