"""One click's decode (one latent → one image) on all torch threads against one thread, with and
without another process busy on a core (as on a shared server, or a laptop doing other work).

    python bench/decode_threads.py [--model checkpoints/mnist-vae-2d.safetensors] [--n 50]

Prints the median, mean and 90th percentile of N decodes for each arm and the ratio of means to the
one-thread arm in the same run; asserts nothing. ``ui.refs.decode_one`` runs on one thread
(``threads.one_thread``): a single small decode gains nothing from more threads, and a thread whose
partner core is busy makes every parallel region wait for it.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vae_core import latent as lat  # noqa: E402
from vae_core.checkpoint import load  # noqa: E402


@contextlib.contextmanager
def busy_core():
    """Another process spinning on one core for as long as the block runs."""
    p = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        yield
    finally:
        p.kill()
        p.wait()


def decode_ms(model, threads: int, n: int, seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    d = model.config.latent_dim
    torch.set_num_threads(threads)
    out = []
    for _ in range(n + 3):  # three warm-up decodes
        z = rng.standard_normal((1, d)).astype(np.float32)
        t0 = time.perf_counter()
        with torch.inference_mode():
            lat.to_uint8_images(lat.decode_points(model, z))
        out.append((time.perf_counter() - t0) * 1000)
    return out[3:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "checkpoints" / "mnist-vae-2d.safetensors"))
    ap.add_argument("--n", type=int, default=50)
    a = ap.parse_args()
    model = load(a.model).model
    all_threads = torch.get_num_threads()
    print(f"{Path(a.model).name}: one decode, median / mean / p90 of {a.n} (torch threads available: {all_threads})")
    for busy in (False, True):
        with busy_core() if busy else contextlib.nullcontext():
            one = decode_ms(model, 1, a.n)
            many = decode_ms(model, all_threads, a.n)
        ref = statistics.fmean(one)
        where = "another process busy on a core" if busy else "quiet"
        for name, ts in ((f"{all_threads} threads", many), ("1 thread", one)):
            med, mean, p90 = statistics.median(ts), statistics.fmean(ts), float(np.percentile(ts, 90))
            print(f"  {where:31s} {name:10s} {med:7.2f} / {mean:7.2f} / {p90:7.2f} ms   "
                  f"mean ÷ 1 thread's {mean / ref:6.1f}")
    torch.set_num_threads(all_threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
