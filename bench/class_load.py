"""A class on one server: N browser sessions clicking the latent map and grid at once.

    VAE_EXPLORER_DATA=../shared/data python bench/class_load.py [--sessions 1,4,8,16] [--clicks 6]
        [--pace-ms 2000] [--bursts 3] [--repo PATH] [--checkpoints DIR] [--nice-browsers]

One ``streamlit run app.py`` in shared mode (``VAE_EXPLORER_MODE=shared``), started from ``--repo``
(default: this checkout; point it at a ``git worktree`` of an older commit to compare), and one
headless Chromium with a browser context (its own Streamlit session) per student. Half the
students sit on the latent map, half on the latent grid. For each class size N it measures:

- **first**: every student's first click, at a normal pace (on the map it mounts the in-page decoder:
  the model's ONNX decoder goes to the page, onnxruntime-web's wasm is compiled there);
- **pace**: every student then clicks ``--clicks`` times, each after a random pause around ``--pace-ms``
  (a student looking at the result before the next click);
- **burst**: every student clicks at the same instant, ``--bursts`` times;
- **switch**: every student switches page (map ↔ grid) through the sidebar at the same instant.

For each action: end to end (mouse click → the new decoded image loaded on screen, or the new
page idle) and server side (the first websocket frame the page sends after the click → the last
frame it receives before the page is idle, timed in the page with ``performance.now()``, so the
browsers' own rendering is left out). Server CPU per action is the server process's user+system
time over each phase divided by the actions in it; "of busy" is the server's share of all the CPU the
machine spent in the phase (the rest is mostly the N headless Chromium pages, which here share the
server's cores, where a class's browsers would run on the students' own machines); RSS is read from
``/proc`` after each phase. ``--nice-browsers`` runs the browsers (and the bench) at nice 19, so that
the server has the cores first: closer to a class, whose browsers run on the students' own machines.
The reference, in the same run: one student alone (N = 1). Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    JS_IDLE,
    JS_IMAGE_SRC,
    JS_ISOLATED_POINT,
    JS_POINT_PX,
    Server,
    shipped_checkpoints,
)

# every websocket frame of the page, with performance.now(): 's' sent, 'r' received
WS_RECORDER = """(() => { window._ws = []; const Orig = window.WebSocket;
  window.WebSocket = class extends Orig {
    constructor(...a) { super(...a); this.addEventListener('message', () => window._ws.push(['r', performance.now()])); }
    send(d) { window._ws.push(['s', performance.now()]); return super.send(d); } }; })();"""

SERVER_MS_JS = """(t0) => { const f = window._ws.filter(x => x[1] >= t0);
  const s = f.find(x => x[0] === 's'); if (!s) return null;
  const r = f.filter(x => x[0] === 'r' && x[1] >= s[1]); return r.length ? r[r.length - 1][1] - s[1] : null; }"""

MAP, GRID = "latent_map", "latent_grid"
# scroll the chart's scrolling ancestor (Streamlit's main area, not the window) by dy pixels
JS_SCROLL_BY = """(dy) => { let el = document.querySelector('.js-plotly-plot');
  while (el && !(el.scrollHeight > el.clientHeight && /auto|scroll/.test(getComputedStyle(el).overflowY)))
    el = el.parentElement;
  (el || document.scrollingElement).scrollBy(0, dy); }"""
HEADER_PX = 80  # Streamlit's fixed header covers the top of the viewport
SLOW_MS = 1000  # a click slower than this end to end is listed with its frames (SLOW)
SLOW: list[str] = []
LOST: list[str] = []  # one line per click whose image did not come (Student.why_lost)
GRID_N = 15  # the latent grid's default size


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


class Proc:
    """CPU seconds and RSS of the server process, from /proc (Linux)."""

    def __init__(self, pid: int):
        self.pid, self.tick = pid, os.sysconf("SC_CLK_TCK")

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def both(self) -> tuple[float, float]:
        """(this server's CPU seconds, the whole machine's busy CPU seconds: server, browsers, the rest)."""
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        return self.cpu(), busy / self.tick

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


class Student:
    """One browser context = one Streamlit session, on the map or the grid."""

    def __init__(self, context, url: str, where: str, seed: int):
        self.context, self.url, self.where = context, url, where
        self.rng = random.Random(seed)
        self.used: list[int] = []
        self.old = ""
        self.cell = seed

    async def open(self, where: str | None = None) -> None:
        self.where = where or self.where
        self.page = await self.context.new_page()
        self.page.set_default_timeout(60_000)
        await self.page.add_init_script(WS_RECORDER)
        await self.page.goto(f"{self.url}/{self.where}")
        try:
            await self.page.wait_for_selector(".js-plotly-plot .scatterlayer .point")
        except Exception:
            print((await self.page.inner_text("body"))[:800], file=sys.stderr)
            raise
        await self.idle()

    async def idle(self) -> None:
        await self.page.wait_for_timeout(150)
        await self.page.wait_for_function(JS_IDLE, timeout=180_000)

    async def target(self) -> tuple[float, float, str, str]:
        """Pixel position of the next click, the text that proves it was served, the image's caption.
        A target outside the view is scrolled into it first, as a student would: a click outside the
        viewport reaches nothing (the grid's bottom rows are below 1,000 px), nor does one under
        Streamlit's fixed header."""
        if self.where == MAP:
            x, y, idx = await self.page.evaluate(JS_ISOLATED_POINT, [0, self.used])
            self.used.append(idx)
            text, caption = f"index: {idx}", "decoded from its latent"
        else:
            size = await self.page.evaluate(
                "() => document.querySelectorAll('.js-plotly-plot')[0]._fullLayout.xaxis.range[1] + 0.5")
            tile = size / GRID_N
            self.cell += 1
            r, c = 1 + self.cell % (GRID_N - 2), (self.cell * 7 + 3) % GRID_N
            x, y = (c + 0.5) * tile - 0.5, (r + 0.5) * tile - 0.5
            text, caption = f"cell: ({r}, {c})", "decoded live"
        px, py = await self.page.evaluate(JS_POINT_PX, [x, y, 0])
        height = await self.page.evaluate("() => window.innerHeight")
        if not HEADER_PX <= py < height - 10:
            await self.page.evaluate(JS_SCROLL_BY, py - height / 2)
            await self.page.wait_for_timeout(300)
            px, py = await self.page.evaluate(JS_POINT_PX, [x, y, 0])
        return px, py, text, caption

    async def click(self, aim: tuple[float, float, str, str] | None = None) -> tuple[float, float] | None:
        """Click; (end-to-end ms, server ms) once the new image is on screen, None on a missed click."""
        px, py, text, caption = aim or await self.target()
        t_page = await self.page.evaluate("() => performance.now()")
        t0 = time.perf_counter()
        await self.page.mouse.click(px, py)
        try:
            self.old = await (await self.page.wait_for_function(
                "([old, text]) => { const t = document.body.innerText.includes(text);"
                f" const s = ({JS_IMAGE_SRC})({caption!r}); return t && s && s !== old ? s : null; }}",
                arg=[self.old, text], polling="raf", timeout=60_000)).json_value()
        except Exception:  # noqa: BLE001 — a missed click is counted, not fatal
            LOST.append(await self.why_lost(t_page, text, caption))
            return None
        e2e = (time.perf_counter() - t0) * 1000
        await self.idle()
        server = await self.page.evaluate(SERVER_MS_JS, t_page)
        if e2e > SLOW_MS:
            SLOW.append(f"{self.where}: {text}: {e2e:.0f} ms end to end, {server or float('nan'):.0f} ms server side; "
                        + await self.frames_after(t_page))
        await self.page.wait_for_timeout(400)  # two clicks closer than ~300 ms are a plotly double-click
        return e2e, server if server is not None else float("nan")

    async def frames_after(self, t_page: float) -> str:
        sent, received = await self.page.evaluate(
            "(t0) => { const f = window._ws.filter(x => x[1] >= t0);"
            " return [f.filter(x => x[0] === 's').length, f.filter(x => x[0] === 'r').length]; }", t_page)
        return f"frames after the click: {sent} sent, {received} received"

    async def why_lost(self, t_page: float, text: str, caption: str) -> str:
        """One line on a click whose image did not come: where, what was aimed at, what the page shows,
        and whether a rerun went to the server and came back."""
        body = await self.page.inner_text("body")
        shown = "image" if await self.page.evaluate(f"() => !!({JS_IMAGE_SRC})({caption!r})") else "no image"
        frames = await self.frames_after(t_page)
        return f"{self.where}: aimed at {text!r}; page shows it: {text in body}; {shown}; {frames}"

    async def switch(self) -> tuple[float, float]:
        """Switch page (map ↔ grid) through the sidebar's navigation; ms until the new page is idle."""
        to = GRID if self.where == MAP else MAP
        t_page = await self.page.evaluate("() => performance.now()")
        t0 = time.perf_counter()
        await self.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{to}"]').first.click()
        await self.page.wait_for_url(f"**/{to}**")
        await self.page.wait_for_selector(".js-plotly-plot .scatterlayer .point")
        await self.idle()
        e2e = (time.perf_counter() - t0) * 1000
        server = await self.page.evaluate(SERVER_MS_JS, t_page)
        self.where, self.used, self.old = to, [], ""
        await self.page.wait_for_timeout(400)
        return e2e, server if server is not None else float("nan")


async def run_class(browser, url: str, proc: Proc, n: int, clicks: int, pace_ms: float, bursts: int,
                    only: str | None = None) -> dict:
    contexts = [await browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(n)]
    students = [Student(c, url, only or (MAP if k % 2 == 0 else GRID), seed=k) for k, c in enumerate(contexts)]
    for s in students:  # one after the other: the first visit of each is not what is measured
        await s.open()
    out: dict = {"n": n}

    async def paced(s: Student) -> list:
        res = []
        for _ in range(clicks):
            await asyncio.sleep(s.rng.uniform(0.5, 1.5) * pace_ms / 1000)
            res.append(await s.click())
        return res

    def spent(c0: tuple[float, float]) -> np.ndarray:
        return np.subtract(proc.both(), c0)

    async def first(s: Student):
        await asyncio.sleep(s.rng.uniform(0.5, 1.5) * pace_ms / 1000)
        return await s.click()

    c0 = proc.both()  # each student's first click on a page mounts the in-page decoder (its ONNX bytes, the wasm)
    out["first"] = summarise(list(await asyncio.gather(*(first(s) for s in students))), spent(c0))

    c0 = proc.both()
    results = [r for rs in await asyncio.gather(*(paced(s) for s in students)) for r in rs]
    out["pace"] = summarise(results, spent(c0))

    results, cpu = [], np.zeros(2)
    for _ in range(bursts):
        aims = [await s.target() for s in students]  # aim first, so that all clicks leave together
        c0 = proc.both()
        results += await asyncio.gather(*(s.click(a) for s, a in zip(students, aims)))
        cpu += spent(c0)
    out["burst"] = summarise(results, cpu)

    c0 = proc.both()
    results = await asyncio.gather(*(s.switch() for s in students))
    out["switch"] = summarise(list(results), spent(c0))
    out["rss_mb"] = proc.rss_mb()
    for c in contexts:
        await c.close()
    return out


def summarise(results: list, cpu: np.ndarray) -> dict:
    """Percentiles of the actions that came through; ``cpu``: (server, machine) CPU seconds of the phase."""
    ok = [r for r in results if r is not None]
    e2e, server = [r[0] for r in ok], [r[1] for r in ok if r[1] == r[1]]
    return {"n": len(results), "missed": len(results) - len(ok), "e2e50": pct(e2e, 50), "e2e95": pct(e2e, 95),
            "max": max(e2e, default=float("nan")), "srv50": pct(server, 50), "srv95": pct(server, 95),
            "cpu_ms": 1000 * cpu[0] / max(1, len(ok)), "server_share": cpu[0] / max(cpu[1], 1e-9)}


async def main_async(a) -> None:
    from playwright.async_api import async_playwright

    repo = Path(a.repo).resolve()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        ck = a.checkpoints or shipped_checkpoints() or raise_no_models()
        env = {"VAE_EXPLORER_CHECKPOINTS": str(ck), "VAE_EXPLORER_MODE": "shared",
               "VAE_EXPLORER_WARM_DECODER": "1",  # the product's default (tests/conftest.py turns it off)
               "VAE_EXPLORER_USER_MODELS": str(tmp / "user_models"), "VAE_EXPLORER_CACHE": str(tmp / "cache"),
               "VAE_EXPLORER_DATA": os.environ.get("VAE_EXPLORER_DATA") or str(tmp / "data")}
        server = Server(env, tmp / "streamlit.log", cwd=repo)
        url, proc = server.url, Proc(server.proc.pid)
        if a.nice_browsers:  # the browsers (started below, from this thread) inherit it; the server does not
            os.setpriority(os.PRIO_PROCESS, 0, 19)
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(
                    **({"executable_path": CHROMIUM} if Path(CHROMIUM).exists() else {}), args=CHROMIUM_ARGS)
                print(f"server {url} from {repo} (shared mode), models {ck}; load {os.getloadavg()[0]:.1f}"
                      + ("; browsers at nice 19" if a.nice_browsers else ""))
                print(f"{'N':>3} {'action':7} {'n':>4} {'lost':>4} {'e2e p50':>8} {'p95':>6} {'max':>6} "
                      f"{'server p50':>10} {'p95':>6} {'CPU/action':>10} {'of busy':>7} {'RSS':>7}")
                ref = None
                for n in a.sessions:
                    r = await run_class(browser, url, proc, n, a.clicks, a.pace_ms, a.bursts, a.only)
                    ref = ref or r
                    for action in ("first", "pace", "burst", "switch"):
                        s = r[action]
                        ratio = s["e2e95"] / ref[action]["e2e95"]
                        print(f"{n:>3} {action:7} {s['n']:>4} {s['missed']:>4} {s['e2e50']:>6.0f}ms {s['e2e95']:>4.0f}ms "
                              f"{s['max']:>4.0f}ms {s['srv50']:>8.0f}ms {s['srv95']:>4.0f}ms {s['cpu_ms']:>8.1f}ms "
                              f"{100 * s['server_share']:>6.0f}% "
                              f"{r['rss_mb']:>5.0f}MB  p95 ×{ratio:.2f} of N={ref['n']}", flush=True)
                for line in LOST:
                    print("lost:", line)
                for line in SLOW:
                    print(f"over {SLOW_MS} ms:", line)
                await browser.close()
        finally:
            server.stop()


def raise_no_models():
    raise SystemExit("no shipped models in checkpoints/: pass --checkpoints DIR")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=lambda s: [int(x) for x in s.split(",")], default=[1, 4, 8, 16])
    ap.add_argument("--clicks", type=int, default=6, help="clicks per student at a normal pace")
    ap.add_argument("--pace-ms", type=float, default=2000.0, help="mean pause between a student's clicks")
    ap.add_argument("--bursts", type=int, default=3, help="times every student clicks at the same instant")
    ap.add_argument("--repo", default=str(ROOT), help="the checkout whose app.py is served (e.g. a worktree)")
    ap.add_argument("--checkpoints", default=None)
    ap.add_argument("--only", choices=(MAP, GRID), default=None,
                    help="every student on this page (default: half on the map, half on the grid)")
    ap.add_argument("--nice-browsers", action="store_true",
                    help="run the bench and its browsers at nice 19, so that the server has the cores first, as if "
                         "the students' browsers ran on their own machines")
    asyncio.run(main_async(ap.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
