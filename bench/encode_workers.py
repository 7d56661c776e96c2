"""Big encodes and decodes: one OpenMP team (torch's threads) against independent single-threaded
workers (``vae_core.latent.in_batches``), on a quiet machine and with another process busy on one core.

    VAE_EXPLORER_DATA=../shared/data python bench/encode_workers.py [--model checkpoints/mnist-vae-16d.safetensors]
        [--n 70000] [--decode-model checkpoints/mnist-vae-2d.safetensors] [--repeats 2]

Encode: a big map's images (the test split first, then train), batches of ``ui.threads.ENCODE_BATCH``.
Arms: ``1 thread`` (the app's map encoding before: half of the 2 CPUs), ``N threads`` (torch's default
team), ``N workers`` (the app now). Decode: the latent grid's hover sheet, 48 × 48 latents over the
plane [-3, 3]² of a 2-D model. Arms: one batch on ``1 thread`` and on ``N threads`` (the app before),
``N workers`` on batches of 256 (the app now). The reference is the ``1 thread`` arm of the same task
and condition in the same run: every line prints its ratio to it, and whether it gave the reference's
bits. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.decode_threads import busy_core  # noqa: E402
from vae_core import latent as lat  # noqa: E402
from vae_core.checkpoint import load  # noqa: E402
from vae_core.data import load_dataset  # noqa: E402

BATCH = 512  # ui.threads.ENCODE_BATCH (not imported: that module imports streamlit)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "checkpoints" / "mnist-vae-16d.safetensors"))
    ap.add_argument("--n", type=int, default=70_000, help="images: the test split first, then train")
    ap.add_argument("--decode-model", default=str(ROOT / "checkpoints" / "mnist-vae-2d.safetensors"))
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    ck = load(a.model)
    data = load_dataset(ck.dataset, os.environ["VAE_EXPLORER_DATA"], download=False)
    x = torch.cat([data.x_test, data.x_train])[: a.n]
    y = torch.cat([data.y_test, data.y_train])[: a.n]
    cpus = os.cpu_count() or 1
    torch.set_num_threads(cpus)

    def team(threads: int):
        torch.set_num_threads(threads)
        try:
            return lat.encode_dataset(ck.model, x, y, batch_size=BATCH)
        finally:
            torch.set_num_threads(cpus)

    def decode(model, z, threads: int | None = None, workers: int = 1):
        if threads is not None:
            torch.set_num_threads(threads)
        try:
            return lat.decode_points(model, z, workers=workers).numpy()
        finally:
            torch.set_num_threads(cpus)

    dec = load(a.decode_model).model
    g = np.linspace(-3, 3, 48, dtype=np.float32)
    z = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    tasks = {
        f"encode {len(x):,} images, {Path(a.model).name}": {
            "1 thread": lambda: team(1)[0], f"{cpus} threads": lambda: team(cpus)[0],
            f"{cpus} workers": lambda: lat.encode_dataset(ck.model, x, y, batch_size=BATCH, workers=cpus)[0]},
        f"decode the 48x48 hover sheet, {Path(a.decode_model).name}": {
            "1 thread": lambda: decode(dec, z, 1), f"{cpus} threads": lambda: decode(dec, z, cpus),
            f"{cpus} workers": lambda: decode(dec, z, workers=cpus)},
    }
    print(f"{cpus} CPUs, median of {a.repeats} (interleaved)")
    for task, arms in tasks.items():
        ref_out = arms["1 thread"]()
        for condition in ("quiet", "busy"):
            times: dict[str, list[float]] = {k: [] for k in arms}
            same = {k: True for k in arms}
            with busy_core() if condition == "busy" else contextlib.nullcontext():
                load_avg = os.getloadavg()[0]
                for _ in range(a.repeats):
                    for name, fn in arms.items():
                        t0 = time.perf_counter()
                        out = fn()
                        times[name].append(time.perf_counter() - t0)
                        same[name] &= bool(np.array_equal(out, ref_out))
            ref = statistics.median(times["1 thread"])
            print(f"\n{task}: {condition} (another process spinning on one core: {condition == 'busy'}; "
                  f"load {load_avg:.1f})")
            for name, ts in times.items():
                m = statistics.median(ts)
                print(f"  {name:12s} {m:7.3f} s   {ref / m:5.2f}x the 1-thread arm   same bits: {same[name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
