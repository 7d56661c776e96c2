"""Right after a server start, on a busy machine: how long until the Latent map is drawn, and how long its
CSV download takes (issue 20 item 9: a download that spun for over 60 s right after a start).

    VAE_EXPLORER_DATA=../shared/data python bench/busy_start.py [--repo PATH ...] [--hogs 2] [--limit 180]

For each ``--repo`` (default: this checkout; give a ``git worktree`` of an older commit too, for a before
and after in the same run): a fresh ``streamlit run app.py`` with an empty decoder cache and the
background decoder export on (the product's default), ``--hogs`` processes spinning on a core each from
the moment the server is up, one headless Chromium opening ``/latent_map`` (which chooses a model and so
starts its decoder's export), then a click on "Download CSV". Prints both times, or "not within
--limit s"; asserts nothing. The spinning processes are separate programs (``python -c``), not forks of
this one: a fork of a process that drives Playwright stalled its downloads here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, JS_IDLE, Server, shipped_checkpoints  # noqa: E402


def once(repo: Path, hogs: int, limit: float, data: str) -> tuple[str, str]:
    def took(t0: float) -> str:
        return f"{time.perf_counter() - t0:.1f} s"

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as t:
        env = {"VAE_EXPLORER_CHECKPOINTS": str(shipped_checkpoints() or ROOT / "checkpoints"),
               "VAE_EXPLORER_CACHE": f"{t}/cache", "VAE_EXPLORER_WARM_DECODER": "1", "VAE_EXPLORER_DATA": data,
               "VAE_EXPLORER_USER_MODELS": f"{t}/user_models"}
        server = Server(env, Path(t) / "streamlit.log", cwd=repo)
        spinning = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(hogs)]
        page_s, csv_s = f"not within {limit:.0f} s", "-"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    **({"executable_path": CHROMIUM} if Path(CHROMIUM).exists() else {}), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                t0 = time.perf_counter()
                page.goto(f"{server.url}/latent_map")
                page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=limit * 1000)
                page.wait_for_timeout(150)
                page.wait_for_function(JS_IDLE, timeout=limit * 1000)
                page_s, csv_s = took(t0), f"not within {limit:.0f} s"
                t0 = time.perf_counter()
                with page.expect_download(timeout=limit * 1000) as download:
                    page.locator('[data-testid="stDownloadButton"] button').first.click()
                download.value.path()
                csv_s = took(t0)
                browser.close()
        except Exception:  # noqa: BLE001 — a timeout is the measurement
            pass
        finally:
            for h in spinning:
                h.kill()
            server.stop()
        return page_s, csv_s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", nargs="+", default=[str(ROOT)], help="checkouts whose app.py is served, in turn")
    ap.add_argument("--hogs", type=int, default=os.cpu_count() or 2, help="processes spinning on a core each")
    ap.add_argument("--limit", type=float, default=180.0, help="seconds to wait for the page, then the download")
    a = ap.parse_args()
    data = os.environ.get("VAE_EXPLORER_DATA") or str(ROOT / "data")
    print(f"{a.hogs} spinning processes from the server's start; load {os.getloadavg()[0]:.1f}")
    print(f"{'checkout':<40} {'map drawn':>18} {'CSV download':>18}")
    for repo in a.repo:
        page_s, csv_s = once(Path(repo).resolve(), a.hogs, a.limit, data)
        print(f"{repo:<40} {page_s:>18} {csv_s:>18}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
