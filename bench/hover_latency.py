"""Hover → preview image drawn, against click → image decoded on the server, in headless Chromium.

    python bench/hover_latency.py [--moves 50] [--clicks 10] [--checkpoints DIR]

On the latent grid page of one `streamlit run app.py`, in one page:

- click: ``click_latency.bench_grid``, the time from a click on a grid cell to the cell's image decoded
  live on the server being loaded (a round trip), median over N clicks;
- hover: the pointer moved over the grid to M fine cells in turn (a fixed random order, each one
  another cell). Two numbers per move: in the page, from the pointermove event's time stamp to the
  cell drawn into the preview canvas (``window.__hoverLatency``, recorded by pages/latent_grid/hover.html in
  the animation frame that draws it); and from this process, from sending the move to seeing the new
  cell in the canvas (Playwright's CDP round trips included, as the click number includes them).

Prints medians and the ratio click / hover; asserts nothing. Target: hover ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT.parent), str(ROOT.parent / "tests"), str(ROOT)]

from click_latency import app_page, bench_grid  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from conftest import JS_POINT_PX, wait_idle  # noqa: E402
from ui.texts import table  # noqa: E402

EN = table("en")

JS_STATE = """() => { const p = document.getElementById('preview');
  return [Number(p.dataset.count || 0), p.dataset.cell || '', window.__hoverLatency ?? null]; }"""


def hover_frame(page):
    el = page.locator(f'iframe[title="{EN["latent_grid.hover_title"]}"]')
    el.wait_for()
    frame = el.element_handle().content_frame()
    frame.wait_for_function("document.body.dataset.ready === '1' && document.body.dataset.mode === 'grid'")
    return frame


def bench_hover(page, moves: int, n: int = 15) -> tuple[list[float], list[float], dict]:
    """(in-page ms, from-Playwright ms, the sprite's facts) over ``moves`` pointer moves on the grid."""
    frame = hover_frame(page)
    cfg = frame.evaluate("() => { const c = JSON.parse(document.getElementById('cfg').textContent);"
                         " return {nf: c.nf, tile: c.tile, bytes: c.sprite.length}; }")
    nf, tile = cfg["nf"], cfg["tile"]
    rng = random.Random(0)
    cells, last = [], None
    while len(cells) < moves:
        cell = (rng.randrange(nf), rng.randrange(nf))
        if cell != last:
            cells.append(cell)
            last = cell

    def to_px(i: int) -> float:  # a fine cell's centre → mosaic pixels (the inverse of hover.mosaic_fraction)
        return (i / (nf - 1) * (n - 1) + 0.5) * tile - 0.5

    in_page, outside = [], []
    for r, c in cells:
        px, py = page.evaluate(JS_POINT_PX, [to_px(c), to_px(r), 0])
        count, shown, _ = frame.evaluate(JS_STATE)
        if shown == f"{r},{c}":  # already there (the last click's cell): a move would draw nothing
            continue
        t0 = time.perf_counter()
        page.mouse.move(px, py)
        try:
            frame.wait_for_function("(k) => Number(document.getElementById('preview').dataset.count || 0) > k",
                                    arg=count, polling="raf", timeout=10_000)
        except PlaywrightTimeout:
            print(f"  no new preview within 10 s for cell {r},{c}", file=sys.stderr)
            continue
        outside.append((time.perf_counter() - t0) * 1000)
        _, shown, ms = frame.evaluate(JS_STATE)
        if shown != f"{r},{c}":
            print(f"  moved to {r},{c} but the preview shows {shown}", file=sys.stderr)
        in_page.append(ms)
        page.wait_for_timeout(30)
    return in_page, outside, cfg


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=50)
    ap.add_argument("--clicks", type=int, default=10)
    ap.add_argument("--checkpoints", default=None, help="default: checkpoints/ when it has models, else tiny fixtures")
    a = ap.parse_args()
    with app_page(a.checkpoints, height=1300) as (ck, server, page):  # the whole grid in view
        clicks, _ = bench_grid(page, server.url, a.clicks)  # opens the grid page
        wait_idle(page)
        in_page, outside, cfg = bench_hover(page, a.moves)
    click, hov, out = statistics.median(clicks), statistics.median(in_page), statistics.median(outside)
    print(f"models: {ck}")
    print(f"sprite sheet: {cfg['nf']}×{cfg['nf']} cells of {cfg['tile']} px, {cfg['bytes'] / 1e6:.2f} MB as a data URI")
    print(f"grid click → decoded image (server round trip): median {click:6.1f} ms  (n={len(clicks)})")
    print(f"grid hover → preview drawn, in the page:         median {hov:6.1f} ms  (p90 "
          f"{statistics.quantiles(in_page, n=10, method='inclusive')[-1]:.1f}, max {max(in_page):.1f}, n={len(in_page)})  "
          f"ratio click/hover {click / hov:.1f}×")
    print(f"grid hover → preview drawn, seen from Playwright: median {out:6.1f} ms  (max {max(outside):.1f})  "
          f"ratio click/hover {click / out:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
