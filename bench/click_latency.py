"""Click → new decoded image on screen, in headless Chromium against `streamlit run app.py`.

    python bench/click_latency.py [--clicks 10] [--checkpoints DIR]

For the latent map (click a point → its decoded image) and the latent grid (click a cell →
the cell decoded live), the time from the mouse click to the new image being loaded
(src changed, ``complete && naturalWidth > 0``), median over N clicks. The reference,
measured in the same process and page: a plain full rerun of the same page (the "r"
shortcut), from the key press until the script is idle again. Prints numbers, asserts nothing.
Target: ≤ 300 ms median on a 2-core machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from conftest import (  # noqa: E402
    JS_IDLE,
    JS_IMAGE_SRC,
    JS_ISOLATED_POINT,
    JS_POINT_PX,
    Server,
    _train,
    launch_chromium,
    shipped_checkpoints,
    wait_idle,
)


def models_dir(arg: str | None, tmp: Path) -> Path:
    if arg:
        return Path(arg)
    shipped = shipped_checkpoints()
    if shipped is not None:
        return shipped
    d = tmp / "checkpoints"
    d.mkdir()
    print("no shipped checkpoints: training a tiny digits AE/VAE pair (1 epoch)…", file=sys.stderr)
    _train(d / "digits-ae-2d.safetensors", "ae")
    _train(d / "digits-vae-2d.safetensors", "vae")
    return d


def full_rerun_ms(page) -> float:
    """Press "r" (Streamlit's rerun shortcut) and wait until the script ran and is idle again
    (a MutationObserver records the script-state flips, however short the run)."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # "r" must not go to an input
    page.evaluate("""() => { window._ran = false; const app = document.querySelector('[data-testid="stApp"]');
      window._obs && window._obs.disconnect();
      window._obs = new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window._ran = true; });
      window._obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
    t0 = time.perf_counter()
    page.keyboard.press("r")
    page.wait_for_function(f"() => window._ran && ({JS_IDLE})()", polling="raf", timeout=30_000)
    return (time.perf_counter() - t0) * 1000


def reruns(page, n: int = 5) -> list[float]:
    out = []
    for _ in range(n):
        try:
            out.append(full_rerun_ms(page))
        except PlaywrightTimeout:
            print("  a rerun was not seen within 30 s; skipped", file=sys.stderr)
        page.wait_for_timeout(300)
    return out or [float("nan")]


def timed_click(page, px: float, py: float, text: str, caption: str, old: str) -> tuple[float | None, str]:
    """Click at (px, py); ms until the page shows ``text`` and the image captioned ``caption`` has a
    new, loaded source (None on a missed click), and that source. Then wait until Streamlit is idle."""
    t0 = time.perf_counter()
    page.mouse.click(px, py)
    try:
        old = page.wait_for_function(
            "([old, text]) => { const t = document.body.innerText.includes(text);"
            f" const s = ({JS_IMAGE_SRC})({caption!r}); return t && s && s !== old ? s : null; }}",
            arg=[old, text], polling="raf", timeout=10_000).json_value()
    except PlaywrightTimeout:
        print(f"  no new image for {text!r} within 10 s (missed click?)", file=sys.stderr)
        return None, old
    ms = (time.perf_counter() - t0) * 1000
    wait_idle(page)
    page.wait_for_timeout(400)  # two clicks closer than ~300 ms are a plotly double-click
    return ms, old


def bench_map(page, url: str, clicks: int) -> tuple[list[float], list[float]]:
    page.goto(f"{url}/latent_map")
    page.wait_for_selector(".js-plotly-plot")
    wait_idle(page)
    times, used, old = [], [], ""
    for _ in range(clicks):
        x, y, idx = page.evaluate(JS_ISOLATED_POINT, [0, used])
        used.append(idx)
        px, py = page.evaluate(JS_POINT_PX, [x, y, 0])
        ms, old = timed_click(page, px, py, f"index: {idx}", "decoded from its latent", old)
        if ms is not None:
            times.append(ms)
    return times, reruns(page)


def bench_grid(page, url: str, clicks: int) -> tuple[list[float], list[float]]:
    page.goto(f"{url}/latent_grid")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point")
    wait_idle(page)
    n = 15
    size = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[0]._fullLayout.xaxis.range[1] + 0.5")
    tile = size / n
    cells = [(r, (r * 7 + 3) % n) for r in range(1, 1 + clicks)]
    times, old = [], ""
    for r, c in cells:
        px, py = page.evaluate(JS_POINT_PX, [(c + 0.5) * tile - 0.5, (r + 0.5) * tile - 0.5, 0])
        ms, old = timed_click(page, px, py, f"cell: ({r}, {c})", "decoded live", old)
        if ms is not None:
            times.append(ms)
    return times, reruns(page)


@contextlib.contextmanager
def app_page(checkpoints: str | None, height: int = 1000):
    """A fresh ``streamlit run app.py`` over ``checkpoints`` (default: the shipped models, else tiny
    fixtures) and one Chromium page, 1400 px wide, on its home page with the first run done.
    Yields (models folder, server, page); exits with a message when there is no Chromium."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        ck = models_dir(checkpoints, tmp)
        (tmp / "data").mkdir()
        env = {"VAE_EXPLORER_CHECKPOINTS": str(ck), "VAE_EXPLORER_USER_MODELS": str(tmp / "user_models"),
               "VAE_EXPLORER_CACHE": str(tmp / "cache"),
               "VAE_EXPLORER_DATA": os.environ.get("VAE_EXPLORER_DATA") or str(tmp / "data")}
        server = Server(env, tmp / "streamlit.log")
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                if browser is None:
                    raise SystemExit("no Chromium found (apt-get install chromium)")
                page = browser.new_page(viewport={"width": 1400, "height": height})
                page.set_default_timeout(120_000)
                page.goto(server.url)  # the first run of a fresh server: the home page
                page.wait_for_selector("h1")
                wait_idle(page)
                yield ck, server, page
                browser.close()
        finally:
            server.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clicks", type=int, default=10)
    ap.add_argument("--checkpoints", default=None, help="default: checkpoints/ when it has models, else tiny fixtures")
    a = ap.parse_args()
    with app_page(a.checkpoints) as (ck, server, page):
        print(f"models: {ck}")
        for name, fn in (("latent map", bench_map), ("latent grid", bench_grid)):
            times, refs = fn(page, server.url, a.clicks)
            med, ref = statistics.median(times), statistics.median(refs)
            print("  " + " ".join(f"{t:.0f}" for t in times), file=sys.stderr)
            print(f"{name:12s} click → decoded image: median {med:6.0f} ms  (min {min(times):.0f}, "
                  f"max {max(times):.0f}, n={len(times)})  full rerun of the page: median {ref:6.0f} ms  "
                  f"ratio {med / ref:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
