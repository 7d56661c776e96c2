"""An imported (onnxruntime) model against the same architecture native (torch), in one process.

    VAE_EXPLORER_DATA=../shared/data python bench/onnx_vs_native.py [--checkpoint FILE] [--n 10000] [--repeats 3]

The checkpoint (default: the shipped MNIST 16-D VAE, resconv) is exported with ``vae_core.onnx_file``
(what ``python -m vae_core export`` does) and loaded back as an imported model. With the app's thread and
worker setup (``ui/core/cache.py``: batches of 512 shared among os.cpu_count() single-threaded workers,
``vae_core.latent.in_batches``; onnxruntime sessions of 1 intra-op thread each), it times:

- map encode: ``encode_dataset`` of the first N test images (the latent map's encode)
- click decode: ``decode_points`` of one latent (a click on the map or the grid), median of 200
- grid decode: ``decode_points`` of a 30×30 grid, batches of 256 on the workers (the hover sheet's way)

Native and imported runs alternate, best of ``--repeats`` each; prints the times and the ratios
imported / native (goal: ≤ 1.5). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vae_core.checkpoint import load  # noqa: E402
from vae_core.data import load_dataset  # noqa: E402
from vae_core.latent import decode_points, encode_dataset  # noqa: E402
from vae_core.onnx_file import export_checkpoint, load_zip  # noqa: E402

ENCODE_BATCH = 512  # ui/core/cache.py
WORKERS = os.cpu_count() or 1  # ui/core/cache.py CPU_WORKERS


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--checkpoint", default=str(ROOT / "checkpoints" / "mnist-vae-16d.safetensors"))
    p.add_argument("--dataset", default=None, help="default: the checkpoint's")
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(1)  # the app's default for small work; the workers set their own
    ck = load(a.checkpoint)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path, diff = export_checkpoint(ck, Path(tmp) / "model.zip")
        export_s = time.perf_counter() - t
        t = time.perf_counter()
        imp = load_zip(path)  # every check and the trial run
        load_s = time.perf_counter() - t
    data = load_dataset(a.dataset or ck.dataset)
    x = data.x_test[:a.n]
    y = data.y_test[:a.n] if ck.model.conditional else None
    models = {"native": ck.model, "imported": imp.model}
    cfg = ck.model_config
    print(f"{Path(a.checkpoint).name}: {cfg.kind}/{cfg.backbone} latent {cfg.latent_size}; export {export_s:.1f}s "
          f"(latents within {diff:.1e}), load + checks + trial run {load_s * 1e3:.0f} ms; {len(x):,} images, "
          f"{WORKERS} workers, torch {torch.__version__}, onnxruntime {__import__('onnxruntime').__version__}")
    z = encode_dataset(ck.model, x[:900], None if y is None else y[:900])[0]
    label = 0 if ck.model.conditional else None
    res: dict[str, dict[str, float]] = {"map encode (s)": {}, "click decode (ms)": {}, "grid 30x30 decode (ms)": {}}
    for name, m in models.items():  # warm-up: first runs allocate
        encode_dataset(m, x[:1024], None if y is None else y[:1024], ENCODE_BATCH, WORKERS)
        decode_points(m, z[:1], label)
    for _ in range(a.repeats):  # alternate, so a busy machine hits both alike
        for name, m in models.items():
            res["map encode (s)"][name] = min(res["map encode (s)"].get(name, np.inf), best(
                lambda: encode_dataset(m, x, y, ENCODE_BATCH, WORKERS), 1))
            res["click decode (ms)"][name] = min(res["click decode (ms)"].get(name, np.inf), median_ms(
                lambda: decode_points(m, z[7:8], label), 200))
            res["grid 30x30 decode (ms)"][name] = min(res["grid 30x30 decode (ms)"].get(name, np.inf), 1e3 * best(
                lambda: decode_points(m, z[:900], label, workers=WORKERS), 1))
    print(f"{'':24s} {'native':>10s} {'imported':>10s} {'ratio':>7s}")
    for what, r in res.items():
        print(f"{what:24s} {r['native']:10.3f} {r['imported']:10.3f} {r['imported'] / r['native']:6.2f}x")


if __name__ == "__main__":
    main()
