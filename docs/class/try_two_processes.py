"""Run once on the development machine: `python docs/class/try_two_processes.py .` (needs Debian nginx and
Chromium). Two app processes behind Debian's nginx (docs/class/nginx.conf), one shared model folder: a model
uploaded through the proxy is the user's on the other process too (same ?u= key)."""
import os, re, shutil, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
repo = Path(sys.argv[1]); sys.path[:0] = [str(repo), str(repo / "tests")]
from conftest import launch_chromium, wait_idle
from playwright.sync_api import sync_playwright
tmp = Path(tempfile.mkdtemp()); models = tmp / "models"; models.mkdir()
env = {**os.environ, "VAE_EXPLORER_MODE": "shared", "VAE_EXPLORER_USER_MODELS": str(models),
       "VAE_EXPLORER_CACHE": str(tmp / "cache"), "VAE_EXPLORER_WARM_UMAP": "0", "VAE_EXPLORER_WARM_DECODER": "0"}
procs = []
for port in (8601, 8602):
    procs.append(subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=repo, env=env, stdout=open(tmp / f"{port}.log", "wb"), stderr=subprocess.STDOUT))
def healthy(url):
    for _ in range(150):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read().strip() == b"ok": return
        except OSError: time.sleep(0.2)
    raise SystemExit("no health at " + url)
for port in (8601, 8602): healthy(f"http://127.0.0.1:{port}")
subprocess.run(["nginx", "-c", str(repo / "docs/class/nginx.conf")], check=True)
try:
    healthy("http://127.0.0.1:8600")
    with sync_playwright() as p:
        b = launch_chromium(p)
        pg = b.new_page(viewport={"width": 1400, "height": 1600}); pg.set_default_timeout(120_000)
        pg.goto("http://127.0.0.1:8600/models"); pg.wait_for_selector("h1"); wait_idle(pg)
        key = re.search(r"[?&]u=([0-9a-f]{32})", pg.url).group(1)
        print("through nginx:", pg.url)
        up = tmp / "my-first-ae.safetensors"; shutil.copy(repo / "checkpoints/mnist-ae-2d.safetensors", up)
        pg.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(up))
        pg.get_by_text("my-first-ae", exact=False).first.wait_for(); wait_idle(pg)
        print("kept:", sorted(str(f.relative_to(models)) for f in models.rglob("*.safetensors")))
        for port in (8601, 8602):  # each process directly, a fresh session with the same URL key
            q = b.new_page(viewport={"width": 1400, "height": 1600}); q.set_default_timeout(120_000)
            q.goto(f"http://127.0.0.1:{port}/models?u={key}"); q.wait_for_selector("h1"); wait_idle(q)
            sb = q.locator('[data-testid="stSidebar"]').inner_text()
            opts = q.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').all_inner_texts()
            q.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1).click()
            listed = q.locator('[role="option"]').all_inner_texts(); q.keyboard.press("Escape")
            print(f"process {port}, same key: AE choices {listed}")
            q2 = b.new_page(); q2.goto(f"http://127.0.0.1:{port}/models"); q2.wait_for_selector("h1"); wait_idle(q2)
            q2.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1).click()
            print(f"process {port}, another user: AE choices {q2.locator('[role=option]').all_inner_texts()}")
        b.close()
finally:
    subprocess.run(["nginx", "-c", str(repo / "docs/class/nginx.conf"), "-s", "stop"])
    for pr in procs: pr.terminate(); pr.wait(10)
