"""Training throughput: vae_core.fit against the classic PyTorch VAE example's input pipeline,
measured in the same process on the same data, model and optimizer.

Reference = pytorch/examples vae/main.py's way: a Dataset that builds a PIL image per item and
applies transforms.ToTensor(), batched by torch.utils.data.DataLoader(shuffle=True).
Ours      = vae_core.train.fit: uint8 tensors in memory, batches are index slices.

    VAE_EXPLORER_DATA=../shared/data python bench/train_speed.py [--images 30000] [--backbone mlp]
Prints images/s for both and the ratio (higher is better for us).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from PIL import Image
from torch.utils.data import DataLoader
from torchvision import transforms

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from vae_core.config import ModelConfig, TrainConfig
from vae_core.data import Dataset, load_dataset
from vae_core.losses import loss_parts
from vae_core.models import build_model
from vae_core.train import fit


class PerItemPIL(torch.utils.data.Dataset):
    """What torchvision.datasets.MNIST.__getitem__ does: uint8 → PIL → ToTensor, per item."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor):
        self.x, self.y, self.t = x[:, 0].numpy(), y, transforms.ToTensor()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.t(Image.fromarray(self.x[i], mode="L")), int(self.y[i])


def reference_epoch(model, data: Dataset, batch_size: int, lr: float) -> float:
    loader = DataLoader(PerItemPIL(data.x_train, data.y_train), batch_size=batch_size, shuffle=True)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    t0 = time.perf_counter()
    for x, _ in loader:
        out = model(x)
        loss = loss_parts(out.recon, x, out.mu, out.logvar)["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=30000)
    ap.add_argument("--backbone", choices=("mlp", "conv"), default="mlp")
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    full = load_dataset("mnist", download=False)
    data = Dataset("mnist", full.x_train[: a.images], full.y_train[: a.images], full.x_test[:10], full.y_test[:10],
                   full.classes)
    cfg = ModelConfig(kind="vae", backbone=a.backbone, in_channels=1, image_size=28, latent_dim=20)
    tcfg = TrainConfig(dataset="mnist", epochs=1, batch_size=128, lr=1e-3, eval_every_epoch=False, device="cpu")
    ref, ours = [], []
    for r in range(a.repeats):  # interleaved, so drift on a shared machine hits both
        ref.append(reference_epoch(build_model(cfg, seed=r), data, 128, 1e-3))
        t0 = time.perf_counter()
        fit(build_model(cfg, seed=r), data, tcfg)
        ours.append(time.perf_counter() - t0)
    n = len(data.x_train)
    rb, ob = min(ref), min(ours)
    print(f"{a.backbone} VAE d=20, {n} MNIST images/epoch, batch 128, torch threads {torch.get_num_threads()}")
    print(f"  reference (DataLoader + PIL + ToTensor): {rb:6.2f} s/epoch  {n / rb:8,.0f} img/s")
    print(f"  vae_core.fit (in-memory uint8 slices):   {ob:6.2f} s/epoch  {n / ob:8,.0f} img/s")
    print(f"  speed-up: {rb / ob:.2f}x")


if __name__ == "__main__":
    main()
