"""Input corruption for denoising: pure functions, no global RNG.

A spec is a string ``KIND:STRENGTH``:

- ``gaussian:σ``   x̃ = clamp(x + σ·ε, 0, 1),  ε ~ N(0, I)        (0 < σ ≤ 1)
- ``saltpepper:p`` each pixel is, with probability p, replaced by 0 or 1 (half each);
                   the others are kept                           (0 < p ≤ 1)

A denoising autoencoder (Vincent et al., 2008) is trained on pairs (x̃, x): the corrupted image in,
the clean image as the target, so it must learn what digits look like rather than the identity
(``TrainConfig.noise``; ``python -m vae_core train ... --noise gaussian:0.3``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .errors import ConfigError

NOISE_KINDS = ("gaussian", "saltpepper")


@dataclass(frozen=True)
class NoiseSpec:
    kind: str  # gaussian | saltpepper
    strength: float  # σ (gaussian) or p (saltpepper)

    def __str__(self) -> str:
        return f"{self.kind}:{self.strength:g}"


def parse_noise(spec: str) -> NoiseSpec:
    """``"gaussian:0.3"`` → NoiseSpec("gaussian", 0.3). Raises ConfigError (one line) for anything
    else: an unknown kind, a missing or non-numeric strength, a strength outside (0, 1]."""
    if not isinstance(spec, str) or ":" not in spec:
        raise ConfigError(f"noise must look like gaussian:0.3 or saltpepper:0.2, got {spec!r}")
    kind, _, value = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in NOISE_KINDS:
        raise ConfigError(f"noise kind must be one of {', '.join(NOISE_KINDS)}, got {kind!r}")
    try:
        strength = float(value)
    except ValueError:
        raise ConfigError(f"noise strength must be a number, got {value!r}") from None
    if not 0.0 < strength <= 1.0:  # also refuses nan and inf
        raise ConfigError(f"noise strength must be in (0, 1], got {value.strip()}")
    return NoiseSpec(kind, strength)


def _uniform(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    if generator is None:
        return torch.rand_like(x)
    return torch.rand(x.shape, generator=generator, device=generator.device, dtype=x.dtype).to(x.device)


def _normal(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    if generator is None:
        return torch.randn_like(x)
    return torch.randn(x.shape, generator=generator, device=generator.device, dtype=x.dtype).to(x.device)


def corrupt(x: torch.Tensor, spec: NoiseSpec | str, generator: torch.Generator | None = None) -> torch.Tensor:
    """A corrupted copy of float images ``x`` in [0, 1] (any shape), clamped to [0, 1]; ``x`` itself is
    not changed. gaussian: x̃ = clamp(x + σ·ε); saltpepper: with probability p a pixel becomes 0 or 1.
    Draws come from ``generator`` (on its device) when given."""
    if isinstance(spec, str):
        spec = parse_noise(spec)
    if spec.kind == "gaussian":
        return (x + spec.strength * _normal(x, generator)).clamp_(0.0, 1.0)
    u = _uniform(x, generator)
    hit = u < spec.strength
    salt = u < spec.strength / 2  # within the hit pixels, half become 1 (salt), half 0 (pepper)
    return torch.where(hit, salt.to(x.dtype), x).clamp_(0.0, 1.0)
