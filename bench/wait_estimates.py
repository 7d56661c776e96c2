"""How long the 2-D projections take, against what the app tells the user beforehand (issue 11 item 5).

    VAE_EXPLORER_DATA=../shared/data python bench/wait_estimates.py [--sizes 1000 2000 5000 10000]
        [--methods pca umap tsne] [--umap-default-too] [--skip-first]

Part 1, first UMAP after a server start: two fresh subprocesses fit UMAP on 2,000 and then 5,000
latents of the shipped MNIST 16-D VAE (both with NN-descent, which ``fit_projection`` forces); one of
them first runs ``vae_core.latent.warm_umap`` (what the server does in the background at start).
Prints the first fits' times with and without the warm-up and their ratio.

Part 2, in this process after a warm-up: each method at each size, the measured time next to the
app's estimate (``ui.logic.waits.WaitModel`` with its starting rates) and measured / estimate.
Part 3 (``--steps``), UMAP's two steps at larger sizes (up to all 70,000 MNIST images, train + test): step 1
(the neighbour graph and the initial layout, until umap-learn reports its first epoch) and step 2 (the
layout epochs), each next to the app's estimate (``points.umap_seconds``).

Part 4 (``--encode``), encoding a map's images: the app's estimate before a model's first big encoding
(``ui.logic.waits.EncodePace``: a timed probe of ``ENCODE_PROBE`` images on one thread, shared among the
workers) next to the measured encoding of 10,000 and all train + test images, for the shipped MNIST and
CIFAR-10 models.

Part 6 (``--features``), Uses › Features: the app's estimate (``ui.logic.waits.FeaturePace`` with its
starting rates) next to the measured time of the raw-pixel classifiers plus one probe per shipped model
with a latent vector, for MNIST and CIFAR-10 (cold caches, as a first visit).

Part 7 (``--metrics``), a model's metrics (AE vs VAE, Generate's β chart): the app's estimate before a
model's first evaluation (``ui.logic.waits.MetricsPace``: the encoding probe × images-equivalent of its
kind) next to the measured ``ui.shared_compute.metrics``, for six shipped models.

Part 5 (``--nice``), why the warm-up runs at normal priority: two fresh processes warm UMAP up in a
background thread (one at nice 19, as the app did before, one not), then fit all 70,000 MNIST latents
while a third process spins on one core; prints step 1 and the whole fit for each.

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

import numpy as np

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


NICE_CHILD = r"""
import os, subprocess, sys, threading, time
sys.path.insert(0, {root!r})
import torch
from vae_core import checkpoint as ckpt, latent as lat
from vae_core.data import load_dataset
c = ckpt.load({model!r})
ds = load_dataset("mnist", {data!r})
mu, _ = lat.encode_dataset(c.model, torch.cat([ds.x_test, ds.x_train]), batch_size=512, workers=2)

def warm():
    if {nice}:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    lat.warm_umap()

t = threading.Thread(target=warm); t.start(); t.join()
hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
try:
    marks = []
    t0 = time.perf_counter()
    lat.fit_projection(mu, "umap", reproducible=False,
                       on_epoch=lambda done, total: marks.append(time.perf_counter()) if not marks else None)
    print("RESULT", marks[0] - t0, time.perf_counter() - t0)
finally:
    hog.kill()
"""


def features(data: str) -> None:
    from pages.uses import compute
    from ui import refs
    from ui.logic import waits

    print("\nUses › Features, first visit   models   measured (s)   estimate (s)   measured / estimate")
    for dataset in ("mnist", "cifar10"):
        d = refs.DataRef.of(dataset, data)
        models = []
        for f in sorted((ROOT / "checkpoints").glob(f"{dataset}-*.safetensors")):
            c = refs.checkpoint(str(f))
            if c.model_config.latent_dim:
                models.append(refs.ModelRef.of(str(f), c.model_config.kind))
        est = waits.FeaturePace().estimate(compute.probe_pixel_work(d), len(models))
        s = timed(lambda: [compute.use_probe(m, d) for m in [None, *models]])
        print(f"  {dataset:<28} {len(models):>4}     {s:>8.1f}        {est:>8.1f}          {s / est:>5.2f}")


def metrics_estimates(data: str) -> None:
    from ui import projections, refs, shared_compute
    from ui.logic import waits

    print("\nmetrics, first evaluation       measured (s)   estimate (s)   measured / estimate")
    for name, dataset in (("mnist-vae-16d", "mnist"), ("mnist-cvae-16d", "mnist"), ("mnist-ae-2d", "mnist"),
                          ("cifar10-vae-16d", "cifar10"), ("cifar10-ae-16d", "cifar10"),
                          ("fashion-mnist-vae-2d", "fashion-mnist")):
        path = str(ROOT / "checkpoints" / f"{name}.safetensors")
        m = refs.ModelRef.of(path, refs.checkpoint(path).model_config.kind)
        d = refs.DataRef.of(dataset, data)
        est = waits.MetricsPace().estimate(name, m.model.variational, projections.probe_encode(m, d))
        s = timed(lambda: shared_compute._metrics(m, d))
        print(f"  {name:<28} {s:>8.2f}       {est:>8.2f}          {s / est:>5.2f}")


def nice_warmup(data: str) -> None:
    print("\n70,000-point UMAP beside one busy core, after a warm-up thread at   step 1 (s)   whole fit (s)")
    for nice in (True, False):
        code = NICE_CHILD.format(root=str(ROOT), model=str(MODEL), data=data, nice=nice)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        step1, total = (float(v) for v in out.split("RESULT", 1)[1].split())
        print(f"  {'nice 19 (before)' if nice else 'normal priority (now)':<62} {step1:>8.1f}     {total:>8.1f}")


def child(warm: bool, data: str) -> list[float]:
    code = CHILD.format(root=str(ROOT), model=str(MODEL), data=data, samples=str(ROOT / "checkpoints" / "samples"),
                        warm=warm)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [float(v) for v in out.split("RESULT", 1)[1].split()]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def umap_steps(mu, sizes, model) -> None:
    from ui.logic import points
    from vae_core import latent as lat

    print("\nUMAP's steps, warm (s)        step 1 measured  estimate  ratio    step 2 measured  estimate  ratio")
    for n in sizes:
        if n > len(mu):
            continue
        marks = []
        t = time.perf_counter()
        lat.fit_projection(mu[:n], "umap", reproducible=False,
                           on_epoch=lambda done, total: marks.append(time.perf_counter()) if not marks else None)
        total = time.perf_counter() - t
        step1 = (marks[0] if marks else time.perf_counter()) - t
        g, lay = points.umap_seconds(n)
        print(f"  {n:>6,} points               {step1:>8.2f}      {g:>7.2f}   {step1 / g:>5.2f}     "
              f"{total - step1:>8.2f}      {lay:>7.2f}   {(total - step1) / lay:>5.2f}")


def encode_estimates(data: str) -> None:
    import torch

    from ui.logic import waits
    from ui.threads import CPU_WORKERS, ENCODE_BATCH, torch_threads
    from vae_core import checkpoint as ckpt
    from vae_core import latent as lat
    from vae_core.data import load_dataset

    print(f"\nencoding (s), {CPU_WORKERS} workers      images   measured   estimate (probe)   measured / estimate")
    for name, dataset in (("mnist-vae-16d", "mnist"), ("mnist-ae-2d", "mnist"), ("cifar10-vae-16d", "cifar10"),
                          ("cifar10-ae-reference", "cifar10")):
        c = ckpt.load(str(ROOT / "checkpoints" / f"{name}.safetensors"))
        ds = load_dataset(dataset, data)
        x, y = torch.cat([ds.x_test, ds.x_train]), torch.cat([ds.y_test, ds.y_train])
        with torch_threads(1):  # the app's probe (ui.projections.probe_encode), after one warm-up batch
            lat.encode_dataset(c.model, x[:16], y[:16], batch_size=16)
            probe = timed(lambda: lat.encode_dataset(c.model, x[:waits.ENCODE_PROBE], y[:waits.ENCODE_PROBE],
                                                     batch_size=waits.ENCODE_PROBE)) / waits.ENCODE_PROBE
        for n in (10_000, len(x)):
            est = waits.EncodePace().estimate(name, n, probe, CPU_WORKERS)
            s = timed(lambda: lat.encode_dataset(c.model, x[:n], y[:n], batch_size=ENCODE_BATCH, workers=CPU_WORKERS))
            print(f"  {name:<22} {n:>8,}   {s:>7.2f}    {est:>7.2f}             {s / est:>5.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    ap.add_argument("--methods", nargs="+", default=["pca", "umap", "tsne"], choices=["pca", "umap", "tsne"])
    ap.add_argument("--umap-default-too", action="store_true",
                    help="also time UMAP with umap-learn's own neighbour search (exact below 4,096 points): "
                         "the code before")
    ap.add_argument("--skip-first", action="store_true", help="skip part 1 (two fresh processes)")
    ap.add_argument("--skip-warm", action="store_true", help="skip part 2 (each method at --sizes)")
    ap.add_argument("--steps", type=int, nargs="*", help="part 3 at these sizes (e.g. 10000 20000 40000 70000)")
    ap.add_argument("--encode", action="store_true", help="part 4: encoding estimates")
    ap.add_argument("--nice", action="store_true", help="part 5: the warm-up's priority and later fits")
    ap.add_argument("--features", action="store_true", help="part 6: Uses › Features")
    ap.add_argument("--metrics", action="store_true", help="part 7: a model's metrics")
    args = ap.parse_args()
    data = os.environ.get("VAE_EXPLORER_DATA", "data")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    if args.nice:
        nice_warmup(data)
    if args.features:
        features(data)
    if args.metrics:
        metrics_estimates(data)
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
    if args.encode:
        encode_estimates(data)
    model = waits.WaitModel()
    if args.steps:
        umap_steps(np.concatenate([mu, lat.encode_dataset(c.model, ds.x_train, ds.y_train)[0]]), args.steps, model)
    if args.skip_warm:
        return
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
