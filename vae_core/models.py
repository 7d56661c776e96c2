"""Backbones (conv, resconv, mlp) and the model kinds (AE, VAE, CVAE) with one verb interface:
``encode``, ``decode``, ``forward``, ``sample``, ``reconstruct``, ``latent``.

The conv backbone is the reference autoencoder: every conv has kernel 4, stride 2,
padding 1; widths 3→12→24→48→96 and back with ConvTranspose2d; ReLU after every
layer but the last, Sigmoid at the end (194,955 parameters for 3×32×32). Inputs whose
size is not a multiple of 2**len(channels) (28×28 MNIST) are zero-padded inside the
model and the output is cropped back, so losses stay at native size.

The resconv backbone is the conv backbone with one residual block (He, Zhang, Ren & Sun, 2016,
"Deep Residual Learning for Image Recognition"; the pre-activation form of He et al., 2016,
"Identity Mappings in Deep Residual Networks") after every stride-2 conv, mirrored in the
decoder; same widths, same padding and cropping. Per stage of width c:
    encoder: Conv2d(c_in, c, 4, 2, 1) → ReLU → ResBlock(c)
    decoder: ResBlock(c) → ConvTranspose2d(c, c_out, 4, 2, 1) → ReLU (Sigmoid after the last)
    ResBlock(c): y = x + Conv3(ReLU(GN(Conv3(ReLU(GN(x)))))),  Conv3 = Conv2d(c, c, 3, 1, 1)
GN is GroupNorm (Wu & He, 2018) with gcd(c, 8) groups: it normalises each image on its own, so
one image decodes as it does in a batch of 900 and train and eval modes compute the same
function (batch norm would do neither). Without it the same blocks trained far slower than the
plain conv backbone (MNIST 16-D VAE, test loss after 7 epochs 113.9 against 100.5). With widths
16,32,64,128 and a 16-D VAE bottleneck on 1×28×28 it has 1,156,289 parameters (conv: 370,049).

With a latent size d the same backbone gets a linear bottleneck; the kinds share every
other layer, so comparing them is fair:
    AE  : features (F) → Linear(F, d) = z                     → Linear(d, F) → ReLU → decoder
    VAE : features (F) → Linear(F, d) = μ, Linear(F, d) = log σ²; z = μ + σ·ε → Linear(d, F) …
    CVAE: [features, onehot(y)] → μ, log σ²;                 [z, onehot(y)] → Linear(d + K, F) …

One contract for every kind (labels are accepted everywhere and used by conditional kinds):
    encode(x, y=None)  -> Encoding(mu, logvar)   mu (B, *latent_shape); logvar (B, d) or None (AE)
    decode(z, y=None)  -> (B, C, H, W) in [0, 1]
    forward(x, y=None, generator=None) -> ModelOutput(recon, z, mu, logvar)
Random draws (ε) take an optional ``torch.Generator``; nothing here touches the global seed.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .config import CONV_BACKBONES, ModelConfig, conv_padded_size  # noqa: F401  (conv_padded_size re-exported)
from .errors import ConfigError
from .kinds import KINDS, Kind

MAX_PARAMS = 50_000_000  # the largest shipped model has 1.2 M; 50 M float32 is 200 MB


class Encoding(NamedTuple):
    mu: torch.Tensor  # (B, *latent_shape): the AE's code, or the posterior mean μ
    logvar: torch.Tensor | None  # (B, d) log σ² of q(z|x); None for a deterministic AE


class ModelOutput(NamedTuple):
    recon: torch.Tensor  # (B, C, H, W) in [0, 1]
    z: torch.Tensor  # (B, d) — the latent that was decoded
    mu: torch.Tensor | None  # (B, d) variational kinds only
    logvar: torch.Tensor | None  # (B, d) variational kinds only


class ResBlock(nn.Module):
    """y = x + W₂ ∗ ReLU(GN(W₁ ∗ ReLU(GN(x)))), W₁, W₂ 3×3 convs that keep the width and size:
    the pre-activation residual block (He et al., 2016, "Identity Mappings in Deep Residual
    Networks", fig. 4e) with GroupNorm (Wu & He, 2018) in place of batch norm. The identity path
    carries x unchanged, so the block only has to learn a correction to it."""

    def __init__(self, c: int):
        super().__init__()
        g = math.gcd(c, 8)  # groups must divide c; 8 for the usual widths
        self.body = nn.Sequential(nn.GroupNorm(g, c), nn.ReLU(), nn.Conv2d(c, c, 3, 1, 1),
                                  nn.GroupNorm(g, c), nn.ReLU(), nn.Conv2d(c, c, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)  # (B, c, H, W)


def _conv_backbone(cfg: ModelConfig, residual: bool = False) -> tuple[nn.Sequential, nn.Sequential, tuple[int, ...]]:
    """The reference conv stages; ``residual`` (resconv) adds a ResBlock after every downsampling
    conv and before every upsampling one: the conv layers in the same order, the blocks between them."""
    chans = (cfg.in_channels, *cfg.channels)
    enc: list[nn.Module] = []
    for cin, cout in zip(chans[:-1], chans[1:]):
        enc += [nn.Conv2d(cin, cout, 4, 2, 1), nn.ReLU(), *([ResBlock(cout)] if residual else [])]
    dec: list[nn.Module] = []
    rev = chans[::-1]
    for i, (cin, cout) in enumerate(zip(rev[:-1], rev[1:])):
        dec += [*([ResBlock(cin)] if residual else []), nn.ConvTranspose2d(cin, cout, 4, 2, 1)]
        dec.append(nn.Sigmoid() if i == len(rev) - 2 else nn.ReLU())
    side = conv_padded_size(cfg.image_size, len(cfg.channels)) // 2 ** len(cfg.channels)
    return nn.Sequential(*enc), nn.Sequential(*dec), (cfg.channels[-1], side, side)


def _mlp_backbone(cfg: ModelConfig) -> tuple[nn.Sequential, nn.Sequential, tuple[int, ...]]:
    c, h, w = cfg.image_shape
    enc = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, cfg.hidden), nn.ReLU())
    dec = nn.Sequential(nn.Linear(cfg.hidden, c * h * w), nn.Sigmoid(), nn.Unflatten(1, (c, h, w)))
    return enc, dec, (cfg.hidden,)


BACKBONE_BUILDERS = {"conv": _conv_backbone, "resconv": functools.partial(_conv_backbone, residual=True),
                     "mlp": _mlp_backbone}


def gaussian_noise(like: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """ε ~ N(0, I) shaped like ``like``, drawn from ``generator`` (on its device) when given."""
    if generator is None:
        return torch.randn_like(like)
    return torch.randn(like.shape, generator=generator, dtype=like.dtype, device=generator.device).to(like.device)


class AE(nn.Module):
    """Deterministic autoencoder: z = f(x), x̂ = g(z)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.config = cfg
        self.encoder, self.decoder, self.feature_shape = BACKBONE_BUILDERS[cfg.backbone](cfg)
        self._pad = 0
        if cfg.backbone in CONV_BACKBONES:
            padded = conv_padded_size(cfg.image_size, len(cfg.channels))
            self._pad = padded - cfg.image_size
        feat = math.prod(self.feature_shape)
        if cfg.latent_dim is None:  # reference AE: the feature map is the latent
            self.to_features = nn.Identity()
        else:
            self.to_features = nn.Sequential(
                nn.Linear(cfg.latent_dim + self.label_width, feat), nn.ReLU(), nn.Unflatten(1, self.feature_shape)
            )
        self._build_head(feat)

    # -- what kind of model this is (vae_core.kinds) --
    @property
    def spec(self) -> Kind:
        return KINDS[self.config.kind]

    @property
    def variational(self) -> bool:
        return self.spec.variational

    @property
    def conditional(self) -> bool:
        return self.spec.conditional

    @property
    def label_width(self) -> int:
        """Width of the one-hot label joined to the features and to z (0 for unconditional kinds)."""
        return self.config.num_classes if KINDS[self.config.kind].conditional else 0

    @property
    def takes_soft_labels(self) -> bool:
        """A conditional kind reads a soft one-hot (a mix of classes) as its label."""
        return bool(self.label_width)

    def _with_label(self, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """[h, onehot(y)] for a conditional kind; h unchanged otherwise. ``y``: (B,) class indices, or
        (B, K) floats, a soft one-hot (rows summing to 1: a mix of classes, as an interpolation's label)."""
        if not self.label_width:
            return h
        if y is None:
            raise ValueError(f"a {self.config.kind} model needs class labels y")
        if y.dim() == 2 and y.is_floating_point():
            if y.shape[1] != self.label_width:
                raise ValueError(f"soft labels must have {self.label_width} columns, not {y.shape[1]}")
            return torch.cat([h, y.to(h.device, h.dtype)], 1)
        return torch.cat([h, F.one_hot(y.long(), self.label_width).to(h.dtype)], 1)

    # -- bottleneck: the only part where the kinds differ --
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

    def encode(self, x: torch.Tensor, y: torch.Tensor | None = None) -> Encoding:
        h = self.features(x)
        return Encoding(h if self.fc_z is None else self.fc_z(h), None)

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        x = self.decoder(self.to_features(self._with_label(z, y)))
        if self._pad:
            a, s = self._pad // 2, self.config.image_size
            x = x[..., a : a + s, a : a + s]
        return x

    def draw(self, enc: Encoding, generator: torch.Generator | None = None) -> torch.Tensor:
        """One z from q(z|x): the code itself for an AE; μ + σ·ε for a variational kind."""
        return enc.mu

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None,
                generator: torch.Generator | None = None) -> ModelOutput:
        enc = self.encode(x, y)
        z = self.draw(enc, generator)
        return ModelOutput(self.decode(z, y), z, enc.mu if self.variational else None, enc.logvar)

    def latent(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The point estimate of z used for maps and grids (a VAE's μ), flattened to (B, d)."""
        return self.encode(x, y).mu.flatten(1)

    def reconstruct(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Decode the point estimate (a VAE's μ, no noise)."""
        return self.decode(self.encode(x, y).mu, y)

    def prior_draw(self, n: int, generator: torch.Generator | None = None, temperature: float = 1.0) -> torch.Tensor:
        """n latents z = T·ε, ε ~ N(0, I), drawn on the CPU (so a seed gives the same z on every device)."""
        z = torch.randn((n, *self.latent_shape), generator=generator) * temperature
        return z.to(next(self.parameters()).device)

    def sample(self, n: int, generator: torch.Generator | None = None, y: torch.Tensor | None = None,
               temperature: float = 1.0) -> torch.Tensor:
        """Decode n draws from the prior N(0, T²I). For an AE this shows the holes in its latent space."""
        if y is not None:
            y = y.to(next(self.parameters()).device)
        return self.decode(self.prior_draw(n, generator, temperature), y)

    def decode_flat(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Decode (B, d_flat) latents, reshaping for a feature-map latent."""
        return self.decode(z.reshape(z.shape[0], *self.latent_shape), y)


class VAE(AE):
    """Variational autoencoder (Kingma & Welling, 2013): q(z|x) = N(μ, diag σ²), p(z) = N(0, I)."""

    def _build_head(self, feat: int) -> None:
        d = self.config.latent_dim
        self.flatten = nn.Flatten()
        self.fc_mu = nn.Linear(feat + self.label_width, d)
        self.fc_logvar = nn.Linear(feat + self.label_width, d)

    def encode(self, x: torch.Tensor, y: torch.Tensor | None = None) -> Encoding:
        h = self._with_label(self.flatten(self.features(x)), y)  # (B, F [+ K])
        return Encoding(self.fc_mu(h), self.fc_logvar(h))

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor,
                       generator: torch.Generator | None = None) -> torch.Tensor:
        """z = μ + σ·ε with ε ~ N(0, I): the sample stays differentiable in μ and σ."""
        return mu + torch.exp(0.5 * logvar) * gaussian_noise(mu, generator)

    def draw(self, enc: Encoding, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.reparameterize(enc.mu, enc.logvar, generator)


class CVAE(VAE):
    """Conditional VAE (Sohn, Lee & Yan, 2015, "Learning Structured Output Representation using
    Deep Conditional Generative Models"): q(z|x, y) = N(μ, diag σ²), p(x|z, y), prior p(z) = N(0, I).

    Where the label enters (our choice, the common one for image CVAEs): the one-hot y is
    concatenated to the flattened encoder features before the μ / log σ² layers, and to z before
    the decoder's first Linear. The conv layers stay label-free, so a CVAE shares every conv
    weight shape with the AE and the VAE of the same backbone; the latent z is then free to
    hold what the label does not say — the *style* — which the Generate page shows by decoding
    one z with every label. The prior does not depend on y (Sohn et al. also learn p(z|y);
    a fixed N(0, I) keeps the KL comparable with the VAE's).
    """


MODEL_CLASSES: dict[str, type[AE]] = {"ae": AE, "vae": VAE, "cvae": CVAE}


def init_weights(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """PyTorch's default initialisation of every Linear / Conv / ConvTranspose layer (Kaiming
    uniform with a = √5, bias U(±1/√fan_in)), in module order, drawn from ``generator``: the same
    numbers ``torch.manual_seed(seed)`` before construction gives, without touching the global RNG."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=generator)
                if m.bias is not None:
                    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(m.weight)
                    if fan_in != 0:
                        bound = 1 / math.sqrt(fan_in)
                        nn.init.uniform_(m.bias, -bound, bound, generator=generator)
    return model


def build_model(cfg: ModelConfig, seed: int | None = None) -> AE:
    """Build the model a config describes. With a seed, weights come from a local generator
    seeded with it (the reference AE's default seed is 172); the global RNG is never reseeded,
    so concurrent trainings stay reproducible."""
    model = MODEL_CLASSES[cfg.kind](cfg)
    if seed is not None:
        init_weights(model, torch.Generator().manual_seed(seed))
    return model


def count_parameters(cfg: ModelConfig) -> int:
    """The parameter count of ``build_model(cfg)``, from a build on the ``meta`` device (shapes
    only, no memory, no weights initialised)."""
    with torch.device("meta"):
        return sum(p.numel() for p in build_model(cfg).parameters())


def check_size(cfg: ModelConfig, limit: int = MAX_PARAMS) -> int:
    """The parameter count of the model ``cfg`` describes; ConfigError (code ``too_large``) over
    ``limit``, before anything is allocated (training such a model would write a file that
    ``checkpoint.load`` then refuses)."""
    n = count_parameters(cfg)
    if n > limit:
        raise ConfigError(f"the {cfg.kind}/{cfg.backbone} model these sizes describe has {n:,} parameters, over the "
                          f"{limit:,} this library loads; lower --hidden, --channels or --latent-dim",
                          code="too_large", params={"count": n, "limit": limit, "path": None})
    return n


def reference_config() -> ModelConfig:
    """The reference conv autoencoder for 3×32×32 inputs (no bottleneck)."""
    return ModelConfig(kind="ae", backbone="conv", in_channels=3, image_size=32, latent_dim=None)


REFERENCE_SEED = 172
