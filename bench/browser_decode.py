"""Pointer/slider input → decoded image drawn: the decoder in the page (onnxruntime-web, WebAssembly)
against the server round trip (a Streamlit rerun of the component's fragment), same page, same run.

    VAE_EXPLORER_DATA=../shared/data python bench/browser_decode.py [--n 150] [--models mnist-vae-16d,cifar10-vae-16d]

For each shipped model, in headless Chromium against tests/browser_decode_app.py:
  slider drag   real mouse drags of a latent slider, one move every 20 ms (a 50 Hz pointer);
  plane hover   real pointer moves over the model's PCA plane, one every 20 ms;
  paced         one slider input every 250 ms (nothing queued behind it);
each for the browser and the server backend (``force=1``). Latency: the input event's timestamp →
the canvas drawn ("drawn") and → the next animation frame ("frame"); the newest input wins while a
decode runs, so a superseded input is not counted. Also: the first decode after the page opens
(a fresh browser context: the runtime fetched, inflated and compiled, the model loaded, one run)
and the page weight the component adds (its files + the decoder's ONNX bytes).
Goal (issue 21): browser p50 ≤ 16 ms, p95 ≤ 33 ms for the 16-D MNIST VAE.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402

from conftest import Server, launch_chromium  # noqa: E402
from ui import browser_decode as bdm  # noqa: E402

APP = "tests/browser_decode_app.py"


def pct(a, q):
    return float(np.percentile(np.asarray(a, dtype=float), q)) if len(a) else float("nan")


def open_component(page, url: str, **query):
    t = time.perf_counter()
    page.goto(f"{url}/?{urllib.parse.urlencode({k: str(v) for k, v in query.items()})}")
    page.wait_for_selector("iframe", timeout=120_000)
    frame = None
    while frame is None:
        frame = next((f for f in page.frames if "latent_decoder" in f.url), None)
        page.wait_for_timeout(50)
    frame.wait_for_function("() => window.__bd && window.__bd.draws > 0", timeout=120_000)
    return frame, (time.perf_counter() - t) * 1000


def drag(page, frame, n: int, every_ms: int) -> None:
    slider = frame.locator("#sliders input[type=range]").first
    box = slider.bounding_box()
    x, y, w = box["x"], box["y"] + box["height"] / 2, box["width"]
    page.mouse.move(x + w / 2, y)
    page.mouse.down()
    for i in range(n):  # back and forth across the middle 80 % of the track
        f = 0.1 + 0.8 * abs(((i / 40) % 2) - 1)
        page.mouse.move(x + f * w, y)
        page.wait_for_timeout(every_ms)
    page.mouse.up()


def hover(page, frame, n: int, every_ms: int) -> None:
    box = frame.locator("#plane").bounding_box()
    for i in range(n):
        a = 2 * np.pi * i / 60
        page.mouse.move(box["x"] + box["width"] * (0.5 + 0.35 * np.cos(a)),
                        box["y"] + box["height"] * (0.5 + 0.35 * np.sin(1.3 * a)))
        page.wait_for_timeout(every_ms)


def measure(page, frame, action) -> dict:
    frame.evaluate("() => { window.__bd.lat.length = 0; window.__bd.latFrame.length = 0; }")
    action()
    frame.wait_for_function("() => !window.__bd.busy", timeout=60_000)
    page.wait_for_timeout(100)
    lat, lat_f = frame.evaluate("() => [window.__bd.lat.slice(), window.__bd.latFrame.slice()]")
    return {"n": len(lat), "p50": pct(lat, 50), "p95": pct(lat, 95), "frame_p50": pct(lat_f, 50),
            "frame_p95": pct(lat_f, 95)}


def run_model(browser, url: str, path: Path, n: int) -> dict:
    out: dict = {"model": path.stem}
    spec = bdm.decoder_spec(path)
    comp = sum(f.stat().st_size for f in bdm.COMPONENT_DIR.glob("*.*"))
    ort = sum(v["bytes"] for k, v in json.loads((bdm.ORT_DIR / "MANIFEST.json").read_text())["files"].items()
              if k != "LICENSE")
    out["weight"] = {"runtime_bytes": ort, "component_bytes": comp, "decoder_bytes": spec.nbytes,
                     "wasm_uncompressed_bytes": json.loads((bdm.ORT_DIR / "MANIFEST.json").read_text())
                     ["wasm_uncompressed"]["bytes"]}
    # first decode, in fresh contexts (nothing cached in the browser); the first one also warms the server
    firsts = []
    for i in range(4):
        ctx = browser.new_context(viewport={"width": 1200, "height": 1100})
        page = ctx.new_page()
        frame, wall = open_component(page, url, mode="sliders", model=path)
        f = frame.evaluate("() => ({first: window.__bd.tFirstDraw, ort: window.__bd.tOrtReady, "
                           "session: window.__bd.tSessionReady, backend: window.__bd.backend})")
        if i:
            firsts.append({**f, "page_wall": wall})
        ctx.close()
    out["first_decode"] = {k: float(np.median([f[k] for f in firsts]))
                           for k in ("first", "ort", "session", "page_wall")}
    for backend, force in (("browser", 0), ("server", 1)):
        ctx = browser.new_context(viewport={"width": 1200, "height": 1100})
        page = ctx.new_page()
        frame, _ = open_component(page, url, mode="sliders", model=path, force=force)
        want = "server" if force else "wasm"
        assert frame.evaluate("() => window.__bd.backend") == want
        out[f"{backend}_drag"] = measure(page, frame, lambda: drag(page, frame, n, 20))
        out[f"{backend}_paced"] = measure(page, frame, lambda: drag(page, frame, max(n // 4, 20), 250))
        frame, _ = open_component(page, url, mode="plane", model=path, force=force)
        out[f"{backend}_hover"] = measure(page, frame, lambda: hover(page, frame, n, 20))
        if not force:  # the interpolation playing: frames drawn per second over 3 s
            frame, _ = open_component(page, url, mode="interp", model=path)
            frame.locator("#play").click()
            page.wait_for_timeout(300)
            t0 = frame.evaluate("() => performance.now()")
            page.wait_for_timeout(3000)
            out["interp_fps"] = frame.evaluate(
                "(t0) => { const t1 = performance.now(); "
                "return window.__bd.frames.filter(t => t >= t0).length / ((t1 - t0) / 1000); }", t0)
            frame.locator("#play").click()
        ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=150, help="pointer moves per measurement")
    ap.add_argument("--models", default="mnist-vae-16d,cifar10-vae-16d")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "browser_decode.json")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = [ROOT / "checkpoints" / f"{m}.safetensors" for m in args.models.split(",")]
        env = {"BD_MODEL": str(paths[0]), "VAE_EXPLORER_WARM_UMAP": "0"}
        srv = Server(env, Path(tmp) / "server.log", script=APP)
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                for path in paths:
                    r = run_model(browser, srv.url, path, args.n)
                    results.append(r)
                    report(r)
                browser.close()
        finally:
            srv.stop()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    print(f"\nwritten {args.json}")


def report(r: dict) -> None:
    w, f = r["weight"], r["first_decode"]
    print(f"\n== {r['model']}  (ms; input event → canvas drawn | → next frame)")
    print(f"{'':14}{'browser p50':>12}{'p95':>8}{'server p50':>12}{'p95':>8}{'ratio p50':>11}   n b/s")
    for k in ("drag", "hover", "paced"):
        b, s = r[f"browser_{k}"], r[f"server_{k}"]
        print(f"{k:14}{b['p50']:12.1f}{b['p95']:8.1f}{s['p50']:12.1f}{s['p95']:8.1f}{s['p50'] / b['p50']:10.1f}x"
              f"   {b['n']}/{s['n']}")
        print(f"{'  next frame':14}{b['frame_p50']:12.1f}{b['frame_p95']:8.1f}"
              f"{s['frame_p50']:12.1f}{s['frame_p95']:8.1f}")
    print(f"first decode: {f['first']:.0f} ms after the component's frame opened (runtime ready {f['ort']:.0f}, "
          f"model loaded {f['session']:.0f}); page open → first image {f['page_wall']:.0f} ms")
    print(f"interpolation playing: {r['interp_fps']:.1f} frames drawn per second")
    print(f"page weight: runtime {w['runtime_bytes'] / 1e6:.2f} MB (the wasm inflates to "
          f"{w['wasm_uncompressed_bytes'] / 1e6:.1f} MB) + component {w['component_bytes'] / 1e3:.0f} kB "
          f"+ decoder {w['decoder_bytes'] / 1e6:.2f} MB")


if __name__ == "__main__":
    os.environ.setdefault("VAE_EXPLORER_WARM_UMAP", "0")
    main()
