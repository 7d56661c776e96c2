"""The first visitor of a fresh server must never see an error box.

The race this guards (issue 22): the first page run starts the background UMAP warm-up, whose
``import umap`` imports pandas; plotly looks pandas up in ``sys.modules`` without importing it
(``get_module("pandas", should_load=False)``), so a figure built meanwhile found a half-imported
pandas and failed with "partially initialized module 'pandas' has no attribute 'Series'". The fix
imports those modules before any thread of ours starts; these tests check that invariant and
then start the real server cold many times, with another process spinning on a core.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, Server, launch_chromium, require_e2e

PLOTLY_PROBE = re.compile(r'get_module\(\s*"([\w.]+)",\s*should_load=False\)')


def plotly_probed_modules() -> set[str]:
    """Every module plotly reads from sys.modules without importing it (from plotly's own source)."""
    import _plotly_utils
    import plotly

    names: set[str] = set()
    for pkg in (plotly, _plotly_utils):
        for f in Path(pkg.__file__).parent.rglob("*.py"):
            names.update(PLOTLY_PROBE.findall(f.read_text(encoding="utf-8", errors="replace")))
    return names


def app_entry_modules() -> list[str]:
    """The modules app.py imports (its first statements run before any page or thread)."""
    mods = []
    for node in ast.parse((ROOT / "app.py").read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            mods += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            mods += [a.name for a in node.names]
    return mods


# What our background threads import: the UMAP warm-up and fit pool (umap), a training job (vae_core.train).
THREAD_IMPORTS = ("umap", "vae_core.train", "vae_core.latent", "vae_core.metrics")


def test_plotly_still_probes_what_the_app_preloads():
    """If plotly starts peeking at another module, the preload list must follow (or this race returns)."""
    from ui import nav

    probed = plotly_probed_modules()
    assert {"pandas", "numpy"} <= probed, probed  # the scan itself works
    assert probed - {"sage.all"} <= set(nav.PROBED_BY_PLOTLY), probed


def test_background_imports_add_no_module_plotly_peeks_at():
    """After app.py's own imports, what the background threads import adds no module plotly reads from
    sys.modules without importing (so no page can find one half-initialised)."""
    probed = sorted(plotly_probed_modules())
    code = f"""
import importlib, sys, json
for m in {app_entry_modules()!r}:
    try:
        importlib.import_module(m)
    except ModuleNotFoundError:
        importlib.import_module(m.rsplit('.', 1)[0])
before = set(sys.modules)
for m in {THREAD_IMPORTS!r}:
    importlib.import_module(m)
print(json.dumps(sorted((set(sys.modules) - before) & set({probed!r}))))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


@pytest.mark.e2e
def test_cold_server_first_page_many_times():
    """Start the server cold COLD_STARTS times (default 30) with another process spinning on one core;
    every first page shows its diagram and no error box."""
    from playwright.sync_api import sync_playwright

    from conftest import wait_idle

    n = int(os.environ.get("COLD_STARTS", "30"))
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    failures = []
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as t:
            browser = launch_chromium(p)
            if browser is None:
                if require_e2e():
                    pytest.fail("no Chromium for the e2e tests (REQUIRE_E2E=1)")
                pytest.skip("no Chromium (apt-get install chromium)")
            for k in range(n):
                (Path(t) / "data").mkdir(exist_ok=True)
                env = {"VAE_EXPLORER_CACHE": str(Path(t) / f"cache{k}"),
                       "VAE_EXPLORER_USER_MODELS": str(Path(t) / f"user{k}")}
                server = Server(env, Path(t) / f"log{k}")
                try:
                    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = ctx.new_page()
                    page.set_default_timeout(120_000)
                    t0 = time.time()
                    page.goto(server.url)
                    # the home page is done when its diagram is drawn or an error box is shown
                    page.wait_for_selector('.js-plotly-plot, [data-testid="stException"]')
                    wait_idle(page)
                    errors = page.locator('[data-testid="stException"]')
                    if errors.count():
                        failures.append(f"start {k}: {errors.first.inner_text()[:300]}")
                    elif not page.locator(".js-plotly-plot").count():
                        failures.append(f"start {k}: no diagram after {time.time() - t0:.1f} s")
                    ctx.close()
                finally:
                    server.stop()
            browser.close()
    finally:
        spinner.kill()
        spinner.wait()
    assert not failures, f"{len(failures)} of {n} cold starts failed: {failures}"
