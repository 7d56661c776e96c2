"""A small image classifier trained on real labelled images: the judge of generated images.

It turns two lessons into numbers:
- the "holes" of an AE's latent space: the share of decoded prior samples that the classifier
  labels with confidence ≥ 0.9 (``generate.confident_share``) — low where samples look like no class;
- conditional generation: the share of a CVAE's samples of class y that it labels y.

Architecture (LeNet-like): conv 3×3 (32) → ReLU → maxpool 2 → conv 3×3 (64) → ReLU →
adaptive avg-pool 4×4 → Linear(1024, 128) → ReLU → Linear(128, K). About 160k parameters.
Saved as one .safetensors file with JSON metadata (dataset, classes, test accuracy); loading
never unpickles.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .data import Dataset, to_float
from .errors import ClassifierError
from .files import atomic_write

FORMAT = "vae-explorer-classifier"
META_KEY = "vae_explorer_classifier"


class SmallCNN(nn.Module):
    def __init__(self, in_channels: int, n_classes: int):
        super().__init__()
        self.in_channels, self.n_classes = in_channels, n_classes
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4),
            nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Linear(128, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, H, W) in [0, 1] → logits (B, K)
        return self.net(x)


def train_classifier(data: Dataset, epochs: int = 2, batch_size: int = 128, lr: float = 1e-3,
                     seed: int = 0) -> tuple[SmallCNN, float]:
    """Train on data.x_train / y_train with Adam (local generators only); returns (model, test accuracy)."""
    from .models import init_weights

    c = data.image_shape[0]
    model = init_weights(SmallCNN(c, len(data.classes)), torch.Generator().manual_seed(seed))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    n = len(data.x_train)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(model(to_float(data.x_train[idx])), data.y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    model.eval()
    return model, accuracy(model, data.x_test, data.y_test)


@torch.inference_mode()
def probabilities(model: SmallCNN, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Class probabilities (N, K) of float images in [0, 1] or uint8 images."""
    model.eval()
    out = []
    for i in range(0, len(images), batch_size):
        x = images[i:i + batch_size]
        x = to_float(x) if x.dtype == torch.uint8 else x.float()
        out.append(F.softmax(model(x), 1))
    return torch.cat(out) if out else torch.zeros((0, model.n_classes))


def accuracy(model: SmallCNN, images: torch.Tensor, labels: torch.Tensor) -> float:
    if len(images) == 0:
        return math.nan
    return float((probabilities(model, images).argmax(1) == labels).float().mean())


def save(path: str | Path, model: SmallCNN, dataset: str, classes: tuple[str, ...], test_acc: float,
         extra: dict | None = None) -> Path:
    from safetensors.torch import save as serialize

    path = Path(path)
    meta = {"format": FORMAT, "dataset": dataset, "classes": list(classes), "in_channels": model.in_channels,
            "test_acc": test_acc, **(extra or {})}
    data = serialize({k: v.contiguous() for k, v in model.state_dict().items()}, metadata={META_KEY: json.dumps(meta)})
    return atomic_write(path, lambda f: f.write(data), error=ClassifierError)


def load(path: str | Path) -> tuple[SmallCNN, dict]:
    """(model in eval mode, metadata). Only safetensors is read; shapes are checked against the
    architecture the metadata names before the weights are used."""
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    try:
        with safe_open(str(path), "pt") as f:
            meta = json.loads((f.metadata() or {}).get(META_KEY, "null"))
            if not (isinstance(meta, dict) and meta.get("format") == FORMAT
                    and isinstance(meta.get("classes"), list) and meta.get("in_channels") in (1, 3)):
                raise ClassifierError(f"{path.name}: not a vae_core classifier file")
            model = SmallCNN(meta["in_channels"], len(meta["classes"]))
            want = {k: tuple(v.shape) for k, v in model.state_dict().items()}
            state = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, OSError, json.JSONDecodeError) as e:
        raise ClassifierError(f"{path.name}: cannot read ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    if {k: tuple(v.shape) for k, v in state.items()} != want:
        raise ClassifierError(f"{path.name}: tensors do not match the classifier architecture")
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.eval(), meta
