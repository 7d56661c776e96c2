"""The 70,000-point latent map in a real browser: first view, click → decoded image, hover, pan.

    VAE_EXPLORER_DATA=../shared/data python bench/map_browser.py [--models mnist-ae-16d,mnist-vae-16d]
        [--clicks 5] [--screenshot docs/latent_map_70k.png]

Starts ``streamlit run app.py`` with only the given shipped models (so the sidebar opens on them) and an
empty disk cache, opens the Latent map in headless Chromium (1400 px wide), chooses "train + test" and
"all" points, then measures, in that page:

- first view: from choosing "all" until the chart holds every point and Streamlit is idle (cold caches:
  encoding 70,000 images, PCA, the figure, sending it, plotly drawing it with WebGL);
- the same choice again after a detour through 2,000 points (cached view, end to end in the browser);
- click → decoded image: an isolated point clicked, until its new decoded image is loaded (median), on
  the 70,000-point map and, before it, on the 2,000-point map of both splits;
- hover: mouse moved onto a point, until plotly's hover label shows (median);
- pan: a drag across the plot in 30 mouse steps; the intervals between animation frames meanwhile;
- with ``--umap``: then UMAP of the 70,000 points in this fresh server (its first UMAP fit, so numba's
  compilation included), from the click on "UMAP" until the map is drawn, and the status's own line.

Headless Chromium here draws WebGL in software (SwiftShader, no GPU), so the browser-side numbers are
an upper bound of what a desktop browser does. Reference, measured in the same page: a full rerun of
the page at 2,000 points ("r"). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from click_latency import app_page  # noqa: E402

from conftest import JS_IMAGE_SRC, JS_ISOLATED_POINT, JS_POINT_PX, wait_idle  # noqa: E402

JS_N_POINTS = """() => { const gd = document.querySelector('.js-plotly-plot'); if (!gd || !gd._fullData) return 0;
  return gd._fullData.filter(t => t.mode === 'markers').reduce((s, t) => s + (t.x ? t.x.length : 0), 0); }"""

JS_FRAMES = """() => { window._frames = []; window._rec = true;
  const f = (t) => { window._frames.push(t); if (window._rec) requestAnimationFrame(f); };
  requestAnimationFrame(f); }"""


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    box.locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()


def wait_points(page, n: int, timeout: float = 300_000) -> None:
    page.wait_for_function(f"() => ({JS_N_POINTS})() === {n}", timeout=timeout)
    wait_idle(page, timeout)


def click_times(page, n: int, skip: list) -> tuple[list[float], list]:
    """Seconds from a click on an isolated point to its new decoded image, n times."""
    out = []
    for _ in range(n):
        x, y, idx = page.evaluate(JS_ISOLATED_POINT, [0, skip])
        skip.append(idx)
        old = page.evaluate(JS_IMAGE_SRC, "decoded from its latent")
        px, py = page.evaluate(JS_POINT_PX, [x, y, 0])
        t = time.perf_counter()
        page.mouse.click(px, py)
        page.wait_for_function(f"(old) => {{ const s = ({JS_IMAGE_SRC})('decoded from its latent');"
                               " return s && s !== old; }", arg=old)
        out.append(time.perf_counter() - t)
        page.get_by_text(f"index: {idx}", exact=False).first.wait_for()
        wait_idle(page)
        page.wait_for_timeout(400)  # not a double click
    return out, skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="mnist-ae-16d,mnist-vae-16d")
    ap.add_argument("--clicks", type=int, default=5)
    ap.add_argument("--screenshot", default=str(ROOT / "tests" / "_artifacts" / "latent_map_70k.png"))
    ap.add_argument("--umap", action="store_true", help="also time UMAP of the 70,000 points (about a minute)")
    a = ap.parse_args()
    if not os.environ.get("VAE_EXPLORER_DATA"):
        raise SystemExit("set VAE_EXPLORER_DATA to the folder with mnist.npz")
    print(f"load average before: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="map-browser-") as t:
        ck = Path(t) / "checkpoints"  # only the models this bench needs: the catalogue stays small
        ck.mkdir()
        for name in a.models.split(","):
            shutil.copy(ROOT / "checkpoints" / f"{name}.safetensors", ck)
        with app_page(str(ck), height=1500) as (_, server, page):
            page.set_default_timeout(300_000)
            page.goto(f"{server.url}/latent_map")
            page.wait_for_selector(".js-plotly-plot")
            wait_idle(page)
            page.get_by_text("train + test", exact=True).click()
            wait_points(page, 2000)

            clicks_2k, _ = click_times(page, a.clicks, [])

            # reference: a full rerun at 2,000 points
            refs = []
            for _ in range(3):
                page.evaluate("() => document.activeElement && document.activeElement.blur()")
                t = time.perf_counter()
                page.keyboard.press("r")
                wait_idle(page)
                refs.append(time.perf_counter() - t)
            ref = statistics.median(refs)

            t = time.perf_counter()
            choose(page, "Points", "all")
            wait_points(page, 70_000)
            first = time.perf_counter() - t
            choose(page, "Points", "2,000")
            wait_points(page, 2000)
            t = time.perf_counter()
            choose(page, "Points", "all")
            wait_points(page, 70_000)
            again = time.perf_counter() - t
            n_webgl = page.evaluate("() => document.querySelectorAll('.js-plotly-plot canvas').length")

            clicks, skip = click_times(page, a.clicks, [])
            hovers = []
            for _ in range(5):
                x, y, idx = page.evaluate(JS_ISOLATED_POINT, [0, skip])
                skip.append(idx)
                px, py = page.evaluate(JS_POINT_PX, [x, y, 0])
                page.mouse.move(px + 40, py + 40)
                page.wait_for_timeout(300)
                t = time.perf_counter()
                page.mouse.move(px, py)
                page.wait_for_function(f"() => [...document.querySelectorAll('.hoverlayer .hovertext')]"
                                       f".some(e => e.textContent.includes('index: {idx}'))")
                hovers.append(time.perf_counter() - t)

            box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(cx, cy)
            page.evaluate(JS_FRAMES)
            page.mouse.down()
            t = time.perf_counter()
            page.mouse.move(cx + 200, cy + 120, steps=30)
            page.mouse.up()
            drag = time.perf_counter() - t
            page.wait_for_timeout(300)
            frames = page.evaluate("() => { window._rec = false; return window._frames; }")
            gaps = sorted(b - a for a, b in itertools.pairwise(frames))
            wait_idle(page)
            page.keyboard.press("Escape")
            page.mouse.dblclick(cx, cy)  # autorange back for the picture
            wait_idle(page)
            x, y, idx = page.evaluate(JS_ISOLATED_POINT, [0, []])
            page.mouse.click(*page.evaluate(JS_POINT_PX, [x, y, 0]))
            page.get_by_text(f"index: {idx}", exact=False).first.wait_for()
            wait_idle(page)
            page.wait_for_timeout(500)
            Path(a.screenshot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=a.screenshot)
            umap = None
            if a.umap:
                t = time.perf_counter()
                page.get_by_text("UMAP", exact=True).first.click()
                page.get_by_text("UMAP of 70,000 points done in").first.wait_for(timeout=600_000)
                wait_points(page, 70_000)
                umap = (time.perf_counter() - t, page.get_by_text("UMAP of 70,000 points done in").first.inner_text())
                page.screenshot(path=str(Path(a.screenshot).with_name(Path(a.screenshot).stem + "_umap.png")))
    print(f"reference: full page rerun at 2,000 points: {ref * 1000:.0f} ms")
    print(f"first view of 70,000 points (cold caches, in the browser): {first:.2f} s = {first / ref:.1f}× ref")
    print(f"the same view again (cached): {again * 1000:.0f} ms = {again / ref:.1f}× ref; WebGL canvases: {n_webgl}")
    print(f"click → decoded image, median of {len(clicks)}: {statistics.median(clicks) * 1000:.0f} ms "
          f"= {statistics.median(clicks) / ref:.1f}× ref (all: {', '.join(f'{c * 1000:.0f}' for c in clicks)})")
    print(f"the same at 2,000 points (train + test): {statistics.median(clicks_2k) * 1000:.0f} ms")
    print(f"hover → label, median of {len(hovers)}: {statistics.median(hovers) * 1000:.0f} ms")
    print(f"pan: 30 mouse steps in {drag * 1000:.0f} ms; frame intervals median {statistics.median(gaps):.0f} ms, "
          f"90th percentile {gaps[int(0.9 * (len(gaps) - 1))]:.0f} ms, max {gaps[-1]:.0f} ms ({len(gaps)} frames)")
    if umap is not None:
        print(f"UMAP of 70,000 points, first fit of the server (numba's compilation included): {umap[0]:.1f} s "
              f"in the browser; the page said: {umap[1]!r}")
    print(f"screenshot: {a.screenshot}")
    print(f"load average after: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
