"""The classic PyTorch VAE example (pytorch/examples, vae/main.py), as the speed reference.

Faithful to the original: torchvision's ``datasets.MNIST`` with ``transforms.ToTensor()`` (a PIL
image per item), ``DataLoader(batch_size=128, shuffle=True)`` (no workers on the CPU), the
784-400-20 MLP VAE, Adam 1e-3, loss = BCE summed over pixels + KL, ``loss.item()`` every step,
a log line every 10 batches, a test pass after every epoch and the two ``save_image`` calls
(reconstructions and 64 prior samples) per epoch. The only change: MNIST comes from our
``mnist.npz`` (written once as the idx files torchvision reads), because nothing is downloaded here.

    VAE_EXPLORER_DATA=../shared/data python bench/classic_vae.py --epochs 3 [--mnist-root DIR]

The last line printed is ``====> Test set loss: X`` (nats per image), as in the original.
``bench/train_speed.py`` runs it as a whole process and imports its pieces to time one epoch.
"""

from __future__ import annotations

import argparse
import os
import struct
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F
from torchvision import datasets, transforms
from torchvision.utils import save_image


def write_mnist_idx(root: str | os.PathLike, npz: str | os.PathLike | None = None) -> Path:
    """Write ``root/MNIST/raw/*-ubyte`` (the idx files torchvision.datasets.MNIST reads) from our npz."""
    npz = Path(npz or Path(os.environ.get("VAE_EXPLORER_DATA") or "data") / "mnist.npz")
    raw = Path(root) / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    with np.load(npz) as d:
        for prefix, split in (("train", "train"), ("t10k", "test")):
            x, y = d[f"x_{split}"].astype(np.uint8), d[f"y_{split}"].astype(np.uint8)
            (raw / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 0x803, *x.shape) + x.tobytes())
            (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x801, len(y)) + y.tobytes())
    return Path(root)


def loaders(root: str | os.PathLike, batch_size: int = 128, **kwargs):
    train_loader = torch.utils.data.DataLoader(
        datasets.MNIST(root, train=True, download=False, transform=transforms.ToTensor()),
        batch_size=batch_size, shuffle=True, **kwargs)
    test_loader = torch.utils.data.DataLoader(
        datasets.MNIST(root, train=False, transform=transforms.ToTensor()),
        batch_size=batch_size, shuffle=False, **kwargs)
    return train_loader, test_loader


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    # see Appendix B from VAE paper: Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def train(model, optimizer, train_loader, epoch, device="cpu", log_interval=10, quiet=False):
    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        if batch_idx % log_interval == 0 and not quiet:
            print("Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item() / len(data)))
    if not quiet:
        print("====> Epoch: {} Average loss: {:.4f}".format(epoch, train_loss / len(train_loader.dataset)))
    return train_loss / len(train_loader.dataset)


def test(model, test_loader, epoch, results: Path, batch_size=128, device="cpu"):
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            if i == 0:
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n], recon_batch.view(batch_size, 1, 28, 28)[:n]])
                save_image(comparison.cpu(), results / f"reconstruction_{epoch}.png", nrow=n)
    test_loss /= len(test_loader.dataset)
    print("====> Test set loss: {:.4f}".format(test_loss))
    return test_loss


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="VAE MNIST Example")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--mnist-root", default=None, help="a folder holding MNIST/raw/*-ubyte (default: written "
                        "from $VAE_EXPLORER_DATA/mnist.npz into a temporary folder)")
    parser.add_argument("--results", default=None, help="where the PNGs go (default: a temporary folder)")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.mnist_root or write_mnist_idx(Path(tmp) / "mnist")
        results = Path(args.results or Path(tmp) / "results")
        results.mkdir(parents=True, exist_ok=True)
        train_loader, test_loader = loaders(root, args.batch_size)
        model = VAE().to(device)
        optimizer = optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(1, args.epochs + 1):
            train(model, optimizer, train_loader, epoch, device, args.log_interval)
            test(model, test_loader, epoch, results, args.batch_size, device)
            with torch.no_grad():
                sample = torch.randn(64, 20).to(device)
                sample = model.decode(sample).cpu()
                save_image(sample.view(64, 1, 28, 28), results / f"sample_{epoch}.png")


if __name__ == "__main__":
    main()
