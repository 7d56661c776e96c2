"""Configuration objects. The constructor arguments are the config; they validate
themselves and round-trip through JSON (``to_dict`` / ``from_dict``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError
from .kinds import KIND_NAMES as KINDS  # the registry of model kinds lives in kinds.py
from .kinds import kind as _kind
from .noise import parse_noise

BACKBONES = ("conv", "resconv", "mlp")  # resconv: conv + residual blocks (vae_core.models)
CONV_BACKBONES = ("conv", "resconv")  # halve the image len(channels) times, padded to fit (28 → 32)
RECON_LOSSES = ("bce", "mse")
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("fp32", "bf16")
LR_SCHEDULES = ("constant", "cosine")  # cosine: vae_core.losses.cosine_lr, per step towards 0
REFERENCE_CHANNELS = (12, 24, 48, 96)


def conv_padded_size(image_size: int, n_layers: int) -> int:
    """Smallest size >= image_size that halves cleanly n_layers times (28 → 32 for 4)."""
    m = 2**n_layers
    return -(-image_size // m) * m


def _from_dict(cls, d: dict[str, Any]):
    if not isinstance(d, dict):
        raise ConfigError(f"{cls.__name__} must be a JSON object, got {type(d).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise ConfigError(f"{cls.__name__}: unknown field(s) {', '.join(unknown)}")
    try:
        return cls(**d)
    except TypeError as e:  # wrong value types that __post_init__ did not catch
        raise ConfigError(f"{cls.__name__}: {e}") from None


def _check_int(name: str, v: Any, lo: int, hi: int) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}], got {v!r}")


def _check_float(name: str, v: Any, lo: float, hi: float) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
        raise ConfigError(f"{name} must be a number in [{lo}, {hi}], got {v!r}")


@dataclass(frozen=True)
class ModelConfig:
    """What a model is. ``latent_dim=None`` (conv AE only) means no linear bottleneck:
    the latent is the last conv feature map, as in the reference autoencoder."""

    kind: str = "vae"  # ae | vae | cvae (vae_core.kinds)
    backbone: str = "conv"  # conv | resconv | mlp
    in_channels: int = 1
    image_size: int = 28  # square images, native size (28 MNIST, 32 CIFAR)
    latent_dim: int | None = 16
    channels: tuple[int, ...] = REFERENCE_CHANNELS  # conv / resconv widths, encoder order
    hidden: int = 400  # mlp hidden width
    recon_loss: str = "bce"  # the likelihood p(x|z): Bernoulli (bce) or Gaussian (mse)
    num_classes: int = 0  # conditional kinds only: the number of labels y can take


    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ConfigError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.backbone not in BACKBONES:
            raise ConfigError(f"backbone must be one of {', '.join(BACKBONES)}, got {self.backbone!r}")
        if self.recon_loss not in RECON_LOSSES:
            raise ConfigError(f"recon_loss must be one of {', '.join(RECON_LOSSES)}, got {self.recon_loss!r}")
        _check_int("in_channels", self.in_channels, 1, 4)
        _check_int("image_size", self.image_size, 4, 512)
        _check_int("hidden", self.hidden, 1, 1 << 16)
        if _kind(self.kind).conditional:
            _check_int("num_classes", self.num_classes, 2, 1000)
        elif self.num_classes != 0:
            raise ConfigError(f"num_classes is for conditional kinds only; a {self.kind} has none")
        if self.latent_dim is None:
            if self.kind != "ae" or self.backbone != "conv":
                raise ConfigError("latent_dim=None (no bottleneck) is only for a conv AE")
        else:
            _check_int("latent_dim", self.latent_dim, 1, 4096)
        chans = tuple(self.channels)
        if not 1 <= len(chans) <= 6:
            raise ConfigError(f"channels must list 1 to 6 widths, got {len(chans)}")
        for c in chans:
            _check_int("each channel width", c, 1, 2048)
        object.__setattr__(self, "channels", chans)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return (self.in_channels, self.image_size, self.image_size)

    @property
    def latent_size(self) -> int:
        """Numbers in one latent: d, or for the reference AE its whole last feature map (96×2×2 = 384)."""
        if self.latent_dim is not None:
            return self.latent_dim
        side = conv_padded_size(self.image_size, len(self.channels)) // 2 ** len(self.channels)
        return self.channels[-1] * side * side

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["channels"] = list(self.channels)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ModelConfig":
        d = dict(d)
        if isinstance(d.get("channels"), list):
            d["channels"] = tuple(d["channels"])
        return _from_dict(cls, d)


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained. Loss per image = recon + beta * KL (VAE)."""

    dataset: str = "digits"
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    lr_schedule: str = "constant"  # constant | cosine (per step, from lr along half a cosine towards 0)
    seed: int = 0
    beta: float = 1.0
    kl_warmup_epochs: float = 0.0  # linear ramp of beta from 0 over this many epochs
    weight_decay: float = 0.0
    device: str = "auto"
    eval_every_epoch: bool = True  # test-split loss parts in the history each epoch
    noise: str = ""  # denoising: corrupt the input, keep the clean target ("gaussian:0.3", vae_core.noise)
    precision: str = "fp32"  # bf16: the forward pass under autocast (opt-in; the loss stays fp32)

    def __post_init__(self) -> None:
        if not isinstance(self.dataset, str) or not self.dataset:
            raise ConfigError("dataset must be a non-empty name")
        _check_int("epochs", self.epochs, 1, 100_000)
        _check_int("batch_size", self.batch_size, 1, 1 << 16)
        _check_float("lr", self.lr, 1e-12, 10.0)
        if self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError(f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}, got {self.lr_schedule!r}")
        _check_int("seed", self.seed, 0, 2**63 - 1)
        _check_float("beta", self.beta, 0.0, 1e4)
        _check_float("kl_warmup_epochs", self.kl_warmup_epochs, 0.0, 1e5)
        _check_float("weight_decay", self.weight_decay, 0.0, 1.0)
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.noise != "":
            parse_noise(self.noise)  # raises ConfigError
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TrainConfig":
        return _from_dict(cls, d)
