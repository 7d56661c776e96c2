"""Backbones (conv, mlp) and the two models (AE, VAE) with one verb interface:
``encode``, ``decode``, ``forward``, ``sample``, ``reconstruct``.

The conv backbone is the reference autoencoder: every conv has kernel 4, stride 2,
padding 1; widths 3→12→24→48→96 and back with ConvTranspose2d; ReLU after every
layer but the last, Sigmoid at the end (194,955 parameters for 3×32×32). Inputs whose
size is not a multiple of 2**len(channels) (28×28 MNIST) are zero-padded inside the
model and the output is cropped back, so losses stay at native size.

With a latent size d the same backbone gets a linear bottleneck; AE and VAE share every
other layer, so comparing them is fair:
    AE : features (F) → Linear(F, d) → z → Linear(d, F) → ReLU → decoder
    VAE: features (F) → Linear(F, d) = μ, Linear(F, d) = log σ²;  z = μ + σ·ε
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig


class ModelOutput(NamedTuple):
    recon: torch.Tensor  # (B, C, H, W) in [0, 1]
    z: torch.Tensor  # (B, d) — the latent that was decoded
    mu: torch.Tensor | None  # (B, d) VAE only
    logvar: torch.Tensor | None  # (B, d) VAE only


def conv_padded_size(image_size: int, n_layers: int) -> int:
    """Smallest size >= image_size that halves cleanly n_layers times (28 → 32 for 4)."""
    m = 2**n_layers
    return math.ceil(image_size / m) * m


def _conv_backbone(cfg: ModelConfig) -> tuple[nn.Sequential, nn.Sequential, tuple[int, ...]]:
    chans = (cfg.in_channels, *cfg.channels)
    enc: list[nn.Module] = []
    for cin, cout in zip(chans[:-1], chans[1:]):
        enc += [nn.Conv2d(cin, cout, 4, 2, 1), nn.ReLU()]
    dec: list[nn.Module] = []
    rev = chans[::-1]
    for i, (cin, cout) in enumerate(zip(rev[:-1], rev[1:])):
        dec.append(nn.ConvTranspose2d(cin, cout, 4, 2, 1))
        dec.append(nn.Sigmoid() if i == len(rev) - 2 else nn.ReLU())
    side = conv_padded_size(cfg.image_size, len(cfg.channels)) // 2 ** len(cfg.channels)
    return nn.Sequential(*enc), nn.Sequential(*dec), (cfg.channels[-1], side, side)


def _mlp_backbone(cfg: ModelConfig) -> tuple[nn.Sequential, nn.Sequential, tuple[int, ...]]:
    c, h, w = cfg.image_shape
    enc = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, cfg.hidden), nn.ReLU())
    dec = nn.Sequential(nn.Linear(cfg.hidden, c * h * w), nn.Sigmoid(), nn.Unflatten(1, (c, h, w)))
    return enc, dec, (cfg.hidden,)


class AE(nn.Module):
    """Deterministic autoencoder: z = f(x), x̂ = g(z)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.config = cfg
        build = _conv_backbone if cfg.backbone == "conv" else _mlp_backbone
        self.encoder, self.decoder, self.feature_shape = build(cfg)
        self._pad = 0
        if cfg.backbone == "conv":
            padded = conv_padded_size(cfg.image_size, len(cfg.channels))
            self._pad = padded - cfg.image_size
        feat = math.prod(self.feature_shape)
        if cfg.latent_dim is None:  # reference AE: the feature map is the latent
            self.to_features = nn.Identity()
        else:
            self.to_features = nn.Sequential(
                nn.Linear(cfg.latent_dim, feat), nn.ReLU(), nn.Unflatten(1, self.feature_shape)
            )
        self._build_head(feat)

    # -- bottleneck: the only part where AE and VAE differ --
    def _build_head(self, feat: int) -> None:
        d = self.config.latent_dim
        self.fc_z = None if d is None else nn.Sequential(nn.Flatten(), nn.Linear(feat, d))

    @property
    def latent_shape(self) -> tuple[int, ...]:
        d = self.config.latent_dim
        return self.feature_shape if d is None else (d,)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        if self._pad:  # (B, C, H, W) → (B, C, H+p, W+p), split as evenly as possible
            a = self._pad // 2
            x = F.pad(x, (a, self._pad - a, a, self._pad - a))
        return self.encoder(x)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x)
        return h if self.fc_z is None else self.fc_z(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        x = self.decoder(self.to_features(z))
        if self._pad:
            a, s = self._pad // 2, self.config.image_size
            x = x[..., a : a + s, a : a + s]
        return x

    def forward(self, x: torch.Tensor) -> ModelOutput:
        z = self.encode(x)
        return ModelOutput(self.decode(z), z, None, None)

    def latent(self, x: torch.Tensor) -> torch.Tensor:
        """The point estimate of z used for maps and grids (the VAE's μ), flattened to (B, d)."""
        return self.encode(x).flatten(1)

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Decode n draws from the prior N(0, I). For an AE this shows the holes in its latent space."""
        dev = next(self.parameters()).device
        z = torch.randn((n, *self.latent_shape), generator=generator, device="cpu").to(dev)
        return self.decode(z)

    def decode_flat(self, z: torch.Tensor) -> torch.Tensor:
        """Decode (B, d_flat) latents, reshaping for a feature-map latent."""
        return self.decode(z.reshape(z.shape[0], *self.latent_shape))


class VAE(AE):
    """Variational autoencoder (Kingma & Welling, 2013): q(z|x) = N(μ, diag σ²), p(z) = N(0, I)."""

    def _build_head(self, feat: int) -> None:
        d = self.config.latent_dim
        self.flatten = nn.Flatten()
        self.fc_mu = nn.Linear(feat, d)
        self.fc_logvar = nn.Linear(feat, d)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:  # type: ignore[override]
        h = self.flatten(self.features(x))
        return self.fc_mu(h), self.fc_logvar(h)

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        """z = μ + σ·ε with ε ~ N(0, I): the sample stays differentiable in μ and σ."""
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)

    def forward(self, x: torch.Tensor) -> ModelOutput:
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return ModelOutput(self.decode(z), z, mu, logvar)

    def latent(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)[0]

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x)[0])


MODEL_CLASSES = {"ae": AE, "vae": VAE}


def build_model(cfg: ModelConfig, seed: int | None = None) -> AE:
    """Build the model a config describes. With a seed, weights are initialised from
    ``torch.manual_seed(seed)`` (the reference AE's default seed is 172)."""
    if seed is not None:
        torch.manual_seed(seed)
    return MODEL_CLASSES[cfg.kind](cfg)


def reference_config() -> ModelConfig:
    """The reference conv autoencoder for 3×32×32 inputs (no bottleneck)."""
    return ModelConfig(kind="ae", backbone="conv", in_channels=3, image_size=32, latent_dim=None)


REFERENCE_SEED = 172
