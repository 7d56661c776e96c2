"""How long the 2-D projections take, against what the app tells the user beforehand (issue 11 item 5).

    VAE_EXPLORER_DATA=../shared/data python bench/wait_estimates.py [--sizes 1000 2000 5000 10000]
        [--methods pca umap tsne] [--umap-default-too] [--skip-first]

Part 1, first UMAP after a server start: two fresh subprocesses fit UMAP on 2,000 and then 5,000
latents of the shipped MNIST 16-D VAE (both with NN-descent, which ``fit_projection`` forces); one of
them first runs ``vae_core.latent.warm_umap`` (what the server does in the background at start).
Prints the first fits' times with and without the warm-up and their ratio.

Part 2, in this process after a warm-up: each method at each size, the measured time next to the
app's estimate (``ui.logic.waits.WaitModel`` with its starting rates) and measured / estimate.
Prints numbers, asserts nothing; the machine's load is printed with them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL = ROOT / "checkpoints" / "mnist-vae-16d.safetensors"

CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
from vae_core import checkpoint as ckpt, latent as lat
from vae_core.data import load_with_fallback
c = ckpt.load({model!r})
ds, _ = load_with_fallback("mnist", {data!r}, {samples!r})
mu, _ = lat.encode_dataset(c.model, ds.x_test, ds.y_test)
warm = 0.0
if {warm}:
    t = time.perf_counter(); lat.warm_umap(); warm = time.perf_counter() - t
out = [warm]
for n in (2000, 5000):
    t = time.perf_counter(); lat.fit_projection(mu[:n], "umap", reproducible=False); out.append(time.perf_counter() - t)
print("RESULT", *out)
"""


def child(warm: bool, data: str) -> list[float]:
    code = CHILD.format(root=str(ROOT), model=str(MODEL), data=data, samples=str(ROOT / "checkpoints" / "samples"),
                        warm=warm)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [float(v) for v in out.split("RESULT", 1)[1].split()]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    ap.add_argument("--methods", nargs="+", default=["pca", "umap", "tsne"], choices=["pca", "umap", "tsne"])
    ap.add_argument("--umap-default-too", action="store_true",
                    help="also time UMAP with umap-learn's own neighbour search (exact below 4,096 points): "
                         "the code before")
    ap.add_argument("--skip-first", action="store_true", help="skip part 1 (two fresh processes)")
    args = ap.parse_args()
    data = os.environ.get("VAE_EXPLORER_DATA", "data")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    if not args.skip_first:
        cold = child(False, data)
        warm = child(True, data)
        print("\nfirst UMAP fits in a fresh process (s)   no warm-up   after warm-up   ratio")
        for i, n in enumerate((2000, 5000), start=1):
            print(f"  {n:>6,} points                          {cold[i]:>8.1f}      {warm[i]:>8.1f}      "
                  f"{cold[i] / warm[i]:>5.1f}x")
        print(f"  (the warm-up itself took {warm[0]:.1f} s, in the server's background thread)")

    from ui.logic import waits
    from ui.threads import map_threads
    from vae_core import checkpoint as ckpt
    from vae_core import latent as lat
    from vae_core.data import load_with_fallback

    c = ckpt.load(str(MODEL))
    ds, _ = load_with_fallback("mnist", data, ROOT / "checkpoints" / "samples")
    mu, _ = lat.encode_dataset(c.model, ds.x_test, ds.y_test)
    lat.warm_umap()
    if args.umap_default_too:  # compile umap-learn's exact path too, outside the timings
        import umap

        umap.UMAP(n_components=2, n_epochs=20).fit_transform(mu[:300])
    model = waits.WaitModel()
    print("\nwarm, one fit at a time          measured (s)   app's estimate (s)   measured / estimate")
    for method in args.methods:
        for n in args.sizes:
            if n > len(mu):
                continue
            with map_threads() if method == "tsne" else contextlib.nullcontext():  # as the app runs each
                s = timed(lambda: lat.fit_projection(mu[:n], method, reproducible=False))
            est = model.estimate(method, n)
            print(f"  {method:<5} {n:>6,} points          {s:>8.2f}        {est:>8.2f}            {s / est:>5.2f}")
            if method == "umap" and args.umap_default_too:
                d = timed(lambda: umap.UMAP(n_components=2).fit_transform(mu[:n]))
                print(f"        umap-learn's own neighbour search (exact below 4,096 points): {d:.2f} s = {d / s:.1f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
