"""Denoising, measured: mean PSNR against the clean image of the noisy input (the identity, "no model")
and of each model's reconstruction of it, on the first 1,000 MNIST test images, with the same noise
(one generator seeded 0) for every model (``vae_core.uses.denoise``).

    VAE_EXPLORER_DATA=../shared/data python checkpoints/denoise_metrics.py
    python checkpoints/denoise_metrics.py --noise saltpepper:0.2 --models mnist-dae-16d mnist-vae-16d

Without the full MNIST file in the data dir it uses the shipped test sample (and says so).
"""
import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this vae_core, from any folder
from vae_core.checkpoint import load  # noqa: E402
from vae_core.data import load_with_fallback  # noqa: E402
from vae_core.uses import denoise  # noqa: E402

CK = Path(__file__).resolve().parent
p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--noise", nargs="+", default=["gaussian:0.3"])
p.add_argument("--models", nargs="+", default=["mnist-ae-16d", "mnist-dae-16d"])
p.add_argument("--n", type=int, default=1000)
p.add_argument("--data-dir", default=None)
a = p.parse_args()
torch.set_num_threads(1)
data, source = load_with_fallback("mnist", a.data_dir, CK / "samples")
x, y = data.x_test[:a.n], data.y_test[:a.n]
print(f"MNIST {source} test split, first {len(x):,} images, noise seed 0\n")
print("| noise | input | PSNR dB vs clean | gain dB |")
print("|---|---|---:|---:|")
for spec in a.noise:
    rows = []
    for name in a.models:
        t = time.perf_counter()
        r = denoise(load(CK / f"{name}.safetensors").model, x, y, spec, seed=0)
        rows.append((name, r))
        print(f"{name}: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    print(f"| {spec} | noisy input (no model) | {rows[0][1]['noisy']:.2f} | — |")
    for name, r in rows:
        print(f"| {spec} | `{name}` reconstruction | {r['recon']:.2f} | {r['recon'] - r['noisy']:+.2f} |")
