"""Shared fixtures: tiny checkpoints trained on digits (seconds), and environment for the app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `ui` and `vae_core` importable however pytest is started
    sys.path.insert(0, str(ROOT))
# The servers and AppTests here are short-lived: no background UMAP compile in each (a test that
# wants it sets VAE_EXPLORER_WARM_UMAP=1 itself).
os.environ.setdefault("VAE_EXPLORER_WARM_UMAP", "0")
os.environ.setdefault("VAE_EXPLORER_WARM_DECODER", "0")  # no background ONNX exports behind every test


def _train(out: Path, kind: str, latent_dim: int | None = 2, epochs: int = 1, backbone: str = "conv") -> Path:
    import torch

    from vae_core.checkpoint import save
    from vae_core.config import ModelConfig, TrainConfig
    from vae_core.data import load_dataset
    from vae_core.metrics import evaluate
    from vae_core.models import build_model
    from vae_core.train import fit

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a busy 2-core runner makes 2 spinning threads much slower than 1
    try:
        data = load_dataset("digits")
        mcfg = ModelConfig(kind=kind, backbone=backbone, in_channels=1, image_size=28, latent_dim=latent_dim,
                           num_classes=10 if kind == "cvae" else 0)
        tcfg = TrainConfig(dataset="digits", epochs=epochs, batch_size=64, lr=2e-3, seed=0, device="cpu")
        model = build_model(mcfg, seed=0)
        hist = fit(model, data, tcfg)
        metrics = evaluate(model, data, "test", tcfg.beta, nll_k=5)
        return save(out, model, tcfg, "digits", hist.to_dict(), metrics)
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory) -> Path:
    """A folder with a digits AE and VAE (conv, latent 2, one epoch): digits-ae-2d / digits-vae-2d."""
    d = tmp_path_factory.mktemp("checkpoints")
    _train(d / "digits-ae-2d.safetensors", "ae")
    _train(d / "digits-vae-2d.safetensors", "vae")
    return d


@pytest.fixture(scope="session")
def tiny_checkpoints_4d(tmp_path_factory) -> Path:
    """Like tiny_checkpoints with a 4-D latent (the grid then needs a PCA or UMAP plane)."""
    d = tmp_path_factory.mktemp("checkpoints4d")
    _train(d / "digits-ae-4d.safetensors", "ae", latent_dim=4)
    _train(d / "digits-vae-4d.safetensors", "vae", latent_dim=4)
    return d


@pytest.fixture(scope="session")
def tiny_checkpoints_16d(tmp_path_factory) -> Path:
    """A digits VAE with a 16-D latent (conv, one epoch), alone: a PCA or UMAP plane of a wide latent."""
    d = tmp_path_factory.mktemp("checkpoints16d")
    _train(d / "digits-vae-16d.safetensors", "vae", latent_dim=16)
    return d


@pytest.fixture(scope="session")
def tiny_checkpoints_1d(tmp_path_factory) -> Path:
    """A digits AE and VAE with a 1-D latent (MLP, one epoch): no plane to project to."""
    d = tmp_path_factory.mktemp("checkpoints1d")
    _train(d / "digits-ae-1d.safetensors", "ae", latent_dim=1, backbone="mlp")
    _train(d / "digits-vae-1d.safetensors", "vae", latent_dim=1, backbone="mlp")
    return d


@pytest.fixture(scope="session")
def tiny_checkpoints_cvae(tiny_checkpoints, tmp_path_factory) -> Path:
    """The tiny AE and VAE plus a digits CVAE (MLP, latent 2, 15 epochs) and a digits classifier
    under classifiers/ (as shipped for the real datasets)."""
    import shutil

    import torch

    from vae_core import classifier
    from vae_core.data import load_dataset

    d = tmp_path_factory.mktemp("checkpoints_cvae")
    for f in tiny_checkpoints.glob("*.safetensors"):
        shutil.copy(f, d / f.name)
    _train(d / "digits-cvae-2d.safetensors", "cvae", epochs=15, backbone="mlp")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        data = load_dataset("digits")
        model, acc = classifier.train_classifier(data, epochs=4)
        classifier.save(d / "classifiers" / "digits.safetensors", model, "digits", data.classes, acc)
    finally:
        torch.set_num_threads(threads)
    return d


@pytest.fixture()
def app_env(tiny_checkpoints, tmp_path, monkeypatch) -> dict:
    """Environment for an AppTest: fixture checkpoints, an empty data dir, a fresh user-models dir."""
    env = {
        "VAE_EXPLORER_CHECKPOINTS": str(tiny_checkpoints),
        "VAE_EXPLORER_DATA": str(tmp_path / "data"),
        "VAE_EXPLORER_USER_MODELS": str(tmp_path / "user_models"),
        "VAE_EXPLORER_CACHE": str(tmp_path / "cache"),
    }
    (tmp_path / "data").mkdir()
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def require_e2e() -> bool:
    return os.environ.get("REQUIRE_E2E") == "1"


# ---------------------------------------------------------------- browser end-to-end helpers
# Used by tests/test_e2e.py and bench/click_latency.py (one server per session, Debian Chromium).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` (or another ``script``) on 127.0.0.1 with the given environment, from this
    checkout or ``cwd`` (bench/class_load.py serves an older worktree); stopped with SIGTERM."""

    def __init__(self, env: dict, log: Path, timeout: float = 60.0, script: str = "app.py", cwd: Path = ROOT):
        import subprocess
        import time
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log)
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=cwd, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}; see {log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    if r.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f}s; see {log}")

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


def launch_chromium(playwright):
    """Debian Chromium when present, else Playwright's own browser; None when there is neither."""
    from playwright.sync_api import Error as PlaywrightError

    if Path(CHROMIUM).exists():
        return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        return playwright.chromium.launch(args=CHROMIUM_ARGS)
    except PlaywrightError:
        return None



def _skip_or_fail(reason: str):
    if require_e2e():
        pytest.fail(f"{reason} (REQUIRE_E2E=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (the e2e files share this; a missing browser fails under REQUIRE_E2E=1)."""
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test says what the page showed and what the server logged (CI prints the report,
    not the files): the page's text, a screenshot beside the test's files, the server log's last lines."""
    report = yield
    if report.when == "call" and report.failed:
        args = getattr(item, "funcargs", {})
        pg, server = args.get("page"), args.get("server")
        if pg is not None:
            try:
                shot = Path(item.funcargs.get("tmp_path") or Path.cwd()) / "failure.png"
                pg.screenshot(path=str(shot), full_page=True)
                text = pg.locator("body").inner_text(timeout=5_000)
                report.sections.append(("page at failure", f"{pg.url}\nscreenshot: {shot}\n{text[-3000:]}"))
            except Exception as e:  # the page may be gone; the report still stands
                report.sections.append(("page at failure", f"unreadable: {e}"))
        if isinstance(server, Server) and server.log.exists():
            tail = server.log.read_text(errors="replace").splitlines()[-40:]
            report.sections.append(("server log (last 40 lines)", "\n".join(tail)))
    return report


def open_page(pg, server, path: str = "") -> None:
    """Go to a page of the app and wait until it has drawn (sidebar, title) and is idle."""
    pg.goto(f"{server.url}/{path}")
    pg.wait_for_selector('[data-testid="stSidebar"]')
    pg.wait_for_selector("h1")
    wait_idle(pg)

def shipped_checkpoints() -> Path | None:
    """The real checkpoints folder when it holds models (for the docs screenshots)."""
    d = ROOT / "checkpoints"
    return d if any(d.glob("*.safetensors")) else None


# JavaScript run in the page ------------------------------------------------------------
JS_POINT_PX = """([x, y, nth]) => { const gd = document.querySelectorAll('.js-plotly-plot')[nth],
  fl = gd._fullLayout, r = gd.getBoundingClientRect();
  return [r.left + fl.xaxis._offset + fl.xaxis.l2p(x), r.top + fl.yaxis._offset + fl.yaxis.l2p(y)]; }"""

# the most isolated visible marker of a scatter (so the nearest-point hover cannot pick a neighbour);
# returns [x, y, customdata[0]]; `skip` lists indices already used
JS_ISOLATED_POINT = """([nth, skip]) => { const gd = document.querySelectorAll('.js-plotly-plot')[nth];
  const fl = gd._fullLayout, pts = [];
  for (const t of gd._fullData) { if (t.mode !== 'markers' || !t.customdata) continue;
    for (let i = 0; i < t.x.length; i++) pts.push([t.x[i], t.y[i], t.customdata[i][0]]); }
  const px = pts.map(p => [fl.xaxis.l2p(p[0]), fl.yaxis.l2p(p[1])]);
  const W = fl.xaxis._length, H = fl.yaxis._length;
  let best = null, bestD = -1;
  for (let i = 0; i < pts.length; i++) {
    if (skip.includes(pts[i][2])) continue;
    const [a, b] = px[i]; if (a < 20 || b < 20 || a > W - 20 || b > H - 20) continue;
    let d = 1e9; for (let j = 0; j < pts.length; j++) { if (j === i) continue;
      const dx = px[j][0] - a, dy = px[j][1] - b; d = Math.min(d, dx * dx + dy * dy); }
    if (d > bestD) { bestD = d; best = pts[i]; } }
  return best; }"""

# src of the st.image whose caption is the given text ('' when absent)
JS_IMAGE_SRC = """(caption) => { for (const el of document.querySelectorAll('[data-testid="stImage"]')) {
  if (el.innerText.trim() === caption) { const img = el.querySelector('img');
    return img && img.complete && img.naturalWidth > 0 ? img.src : ''; } } return ''; }"""

JS_IDLE = """() => { const app = document.querySelector('[data-testid="stApp"]');
  return app && app.dataset.testScriptState !== 'running' && !document.querySelector('[data-testid="stSpinner"]'); }"""


def wait_idle(page, timeout: float = 60_000) -> None:
    page.wait_for_timeout(150)
    page.wait_for_function(JS_IDLE, timeout=timeout)


def decoder_frame(page, n: int = 1):
    """The n-th decoder component frame on the page (ui/components/latent_decoder) once it drew, or
    fell back to the server."""
    frames = []
    for _ in range(900):
        frames = [f for f in page.frames if "latent_decoder" in f.url]
        if len(frames) >= n:
            break
        page.wait_for_timeout(100)
    frame = frames[n - 1]
    frame.wait_for_function("() => window.__bd && (window.__bd.draws > 0 || window.__bd.backend === 'server')",
                            timeout=90_000)
    return frame


def wait_new_image(page, caption: str, old: str, timeout: float = 30_000) -> str:
    """Wait until the image with this caption is loaded with a src other than ``old``; return it."""
    h = page.wait_for_function(f"(old) => {{ const s = ({JS_IMAGE_SRC})({caption!r}); return s && s !== old ? s : null; }}",
                               arg=old, timeout=timeout)
    return h.json_value()
