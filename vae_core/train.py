"""Training: ``fit(model, data, cfg, callback, cancel, dist) -> History``.

Batches are index slices of the in-memory uint8 tensors, converted to float on the batch
(no DataLoader, no per-item transforms). On the CPU, the same seed gives the same weights.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import torch

from .capabilities import require_weights
from .config import TrainConfig
from .data import Dataset, check_compatible, to_float
from .device import resolve_device
from .distributed import DistContext
from .errors import TrainingError
from .losses import cosine_lr, kl_weight, loss_parts
from .models import AE
from .noise import NoiseSpec, corrupt, parse_noise

PARTS = ("loss", "recon", "kl")


@dataclass
class History:
    """Per-epoch means of the loss parts, for the train and the test split."""

    epoch: list[int] = field(default_factory=list)
    train: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in PARTS})
    test: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in PARTS})
    seconds: list[float] = field(default_factory=list)  # wall time at the end of each epoch
    cancelled: bool = False

    def to_dict(self) -> dict:
        return {"epoch": self.epoch, "train": self.train, "test": self.test,
                "seconds": self.seconds, "cancelled": self.cancelled}

    @classmethod
    def from_dict(cls, d: dict) -> "History":
        h = cls()
        h.epoch = [int(e) for e in d.get("epoch", [])]
        for split in ("train", "test"):
            src = d.get(split, {})
            getattr(h, split).update({k: [float(v) for v in src.get(k, [])] for k in PARTS})
        h.seconds = [float(s) for s in d.get("seconds", [])]
        h.cancelled = bool(d.get("cancelled", False))
        return h


@dataclass(frozen=True)
class Progress:
    """What a callback receives. ``event`` is "step" or "epoch"."""

    event: str
    epoch: int  # 1-based
    epochs: int
    step: int  # 1-based within the epoch
    steps_per_epoch: int
    losses: dict[str, float]  # this step's (step) or this epoch's train means (epoch)
    history: History
    images_per_second: float

    @property
    def fraction(self) -> float:
        return ((self.epoch - 1) * self.steps_per_epoch + self.step) / (self.epochs * self.steps_per_epoch)


@torch.inference_mode()
def batch_means(model: AE, x_u8: torch.Tensor, y: torch.Tensor | None = None, beta: float = 1.0,
                batch_size: int = 1000, device: torch.device | None = None,
                generator: torch.Generator | None = None) -> dict[str, float]:
    """Mean loss parts over a split (one posterior sample per image for a variational kind,
    drawn from ``generator``). ``y``: the labels, used by conditional kinds."""
    device = device or next(model.parameters()).device
    was = model.training
    model.eval()
    sums = dict.fromkeys(PARTS, 0.0)
    for i in range(0, len(x_u8), batch_size):
        x = to_float(x_u8[i:i + batch_size].to(device))
        yb = None if y is None else y[i:i + batch_size].to(device)
        out = model(x, yb, generator)
        parts = loss_parts(out.recon, x, out.mu, out.logvar, model.config.recon_loss, beta)
        for k in PARTS:
            sums[k] += parts[k].item() * len(x)
    model.train(was)
    n = max(1, len(x_u8))
    return {k: v / n for k, v in sums.items()}


def diverged(epoch: int, step: int, lr: float) -> TrainingError:
    return TrainingError(f"the loss diverged at epoch {epoch}, step {step}: lower the learning rate (now {lr:g})")


def check_labels(model: AE, data: Dataset) -> None:
    """A conditional model needs every label of the data below its num_classes."""
    if not model.conditional:
        return
    k = model.config.num_classes
    ys = torch.cat([data.y_train, data.y_test])
    if len(ys) and (int(ys.min()) < 0 or int(ys.max()) >= k):
        raise TrainingError(f"the {model.config.kind} knows labels 0..{k - 1} but {data.name} has labels "
                            f"{int(ys.min())}..{int(ys.max())}")


def make_optimizer(model: AE, cfg: TrainConfig) -> torch.optim.Adam:
    """Adam, with PyTorch's fused kernel where the device has one: one pass over each parameter
    instead of about ten tensor ops (on the CPU a large share of an MLP VAE's step). Same update rule;
    the rounding differs from the unfused loop in the last bits, and is deterministic."""
    device = next(model.parameters()).device
    return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay,
                            fused=True if device.type in FUSED_ADAM_DEVICES else None)


FUSED_ADAM_DEVICES = ("cpu", "cuda", "mps")


def noise_seed(seed: int, rank: int) -> int:
    """The seed of the ε generator of one process: ``seed`` itself for a single process (rank 0),
    distinct streams for the other ranks of a distributed run."""
    return seed if rank == 0 else (seed + 0x9E3779B97F4A7C15 * rank) % 2**63


def fit(model: AE, data: Dataset, cfg: TrainConfig,
        callback: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        dist: DistContext | None = None) -> History:
    """Train ``model`` on ``data.x_train`` (and its labels) with Adam; returns the per-epoch history.

    The callback is called after every step and every epoch. Setting ``cancel`` stops at the
    next step; the history then has ``cancelled=True`` and the model keeps its weights.
    Randomness comes from two generators seeded with ``cfg.seed`` (batch order, and ε), never
    from the global RNG, so trainings running at once in other threads do not disturb each other.
    ``cfg.precision == "bf16"`` runs the forward pass under ``torch.autocast`` in bfloat16 (the
    loss, the gradients' accumulation in the fp32 weights and the test means stay fp32).

    The loss parts stay on the device during an epoch (no host sync per step) and are read once
    at its end; only a callback makes fit read each step's values. A non-finite loss is reported
    with its epoch and step when it is read (at once with a callback, else at the epoch's end).

    ``dist`` (a :class:`vae_core.distributed.DistContext`, under torchrun): every process takes
    its shard ``perm[rank::world]`` of each epoch's permutation (the same on every rank; the
    last ``n % world`` images of it are left out so the shards are equal) in batches of
    ``batch_size // world``, so the global batch stays ``batch_size``; DistributedDataParallel
    averages the gradients. The history's train means cover all ranks; the per-epoch test
    means are computed by rank 0 only. Give the callback to rank 0 only; ``cancel`` is for a
    single process. Without ``dist`` nothing of this runs.
    """
    run = _Run.start(model, data, cfg, dist)
    hist = History()
    t0 = time.perf_counter()
    for epoch in range(1, cfg.epochs + 1):
        perm = run.epoch_order()
        t_epoch = time.perf_counter()
        done = 0  # images this process has trained on this epoch
        for step in range(1, run.steps + 1):
            if cancel is not None and cancel.is_set():
                hist.cancelled = True
                model.eval()
                return hist
            done += run.train_step(perm, epoch, step)
            if callback is not None:
                vals = run.step_losses(epoch, step)
                ips = done * run.world / max(1e-9, time.perf_counter() - t_epoch)
                callback(Progress("step", epoch, cfg.epochs, step, run.steps, vals, hist, ips))
        tr, seen = run.epoch_means(epoch)
        run.record_epoch(hist, epoch, tr)
        hist.seconds.append(time.perf_counter() - t0)
        if callback is not None:
            callback(Progress("epoch", epoch, cfg.epochs, run.steps, run.steps, tr, hist,
                              seen / max(1e-9, time.perf_counter() - t_epoch)))
    model.eval()
    return hist


@dataclass
class _Run:
    """One training run's state, built once by :meth:`start`; fit's loop calls its steps in order.
    Randomness: ``order_gen`` gives each epoch's permutation (the same on every rank), ``noise_gen``
    every ε draw (corruption, reparameterisation, the per-epoch test means), in that order."""

    model: AE
    net: torch.nn.Module  # what the steps run through (DDP syncs gradients)
    data: Dataset
    cfg: TrainConfig
    dist: DistContext | None
    rank: int
    world: int
    device: torch.device
    opt: torch.optim.Adam
    order_gen: torch.Generator
    noise_gen: torch.Generator
    spec: NoiseSpec | None  # denoising: corrupted input, clean target
    x_all: torch.Tensor  # uint8 (N, C, H, W) on the device
    y_all: torch.Tensor
    n_local: int  # images per process and epoch (all of them for a single process)
    batch: int
    steps: int
    sizes: list[int]  # images in each step
    parts_buf: torch.Tensor  # (steps, 3) each step's loss parts, read once per epoch

    @classmethod
    def start(cls, model: AE, data: Dataset, cfg: TrainConfig, dist: DistContext | None) -> "_Run":
        """Check the data against the model, put both on the device, make the optimiser and generators."""
        require_weights(model, "training")  # an imported model has no weights to train
        check_compatible(model, data, TrainingError)
        if len(data.x_train) == 0:
            raise TrainingError(f"dataset {data.name} has no training images")
        check_labels(model, data)
        rank, world = (0, 1) if dist is None else (dist.rank, dist.world_size)
        device = resolve_device(cfg.device) if dist is None else dist.device
        model.to(device).train()
        net = model if dist is None else dist.wrap(model)
        opt = make_optimizer(model, cfg)
        order_gen = torch.Generator().manual_seed(cfg.seed)
        noise_gen = torch.Generator(device=device).manual_seed(noise_seed(cfg.seed, rank))
        spec = parse_noise(cfg.noise) if cfg.noise else None
        x_all = data.x_train.to(device)  # uint8 stays small on the device
        y_all = data.y_train.to(device)
        n = len(x_all)
        batch = cfg.batch_size // world
        if batch < 1 or n < world:
            raise TrainingError(f"{world} processes need a batch size and a training set of at least {world}")
        n_local = n // world
        steps = math.ceil(n_local / batch)
        sizes = [min(batch, n_local - i * batch) for i in range(steps)]
        parts_buf = torch.zeros((steps, len(PARTS)), device=device)
        return cls(model, net, data, cfg, dist, rank, world, device, opt, order_gen, noise_gen, spec, x_all, y_all,
                   n_local, batch, steps, sizes, parts_buf)

    def epoch_order(self) -> torch.Tensor:
        """This process's share of the epoch's permutation, on the device."""
        perm = torch.randperm(len(self.x_all), generator=self.order_gen)
        if self.world > 1:
            perm = perm[: self.n_local * self.world][self.rank::self.world]
        return perm.to(self.device)

    def train_step(self, perm: torch.Tensor, epoch: int, step: int) -> int:
        """One optimiser step on the step-th batch of ``perm``; its loss parts stay on the device
        (``parts_buf``). Returns the batch size."""
        cfg, model = self.cfg, self.model
        idx = perm[(step - 1) * self.batch: step * self.batch]
        x = to_float(self.x_all[idx])  # (B, C, H, W)
        x_in = corrupt(x, self.spec, self.noise_gen) if self.spec else x
        beta = (kl_weight(cfg.beta, epoch - 1 + (step - 1) / self.steps, cfg.kl_warmup_epochs)
                if model.variational else 0.0)
        bf16 = cfg.precision == "bf16"
        with torch.autocast(self.device.type, dtype=torch.bfloat16) if bf16 else contextlib.nullcontext():
            out = self.net(x_in, self.y_all[idx] if model.conditional else None, self.noise_gen)
        recon, mu, logvar = out.recon, out.mu, out.logvar
        if bf16:  # the loss in fp32
            recon = recon.float()
            mu, logvar = (None, None) if mu is None else (mu.float(), logvar.float())
        try:
            parts = loss_parts(recon, x, mu, logvar, model.config.recon_loss, beta)
        except RuntimeError:  # BCE (off the CPU) refuses NaN outputs: a diverged model, not a bug
            if torch.isfinite(recon).all():
                raise
            raise diverged(epoch, step, cfg.lr) from None
        if cfg.lr_schedule == "cosine":
            lr = cosine_lr(cfg.lr, ((epoch - 1) * self.steps + step - 1) / (cfg.epochs * self.steps))
            for group in self.opt.param_groups:
                group["lr"] = lr
        self.opt.zero_grad(set_to_none=True)
        parts["loss"].backward()
        self.opt.step()
        self.parts_buf[step - 1] = torch.stack([parts[k].detach() for k in PARTS])
        return len(x)

    def step_losses(self, epoch: int, step: int) -> dict[str, float]:
        """The step's loss parts read from the device (a host sync); a non-finite loss raises."""
        vals = dict(zip(PARTS, self.parts_buf[step - 1].tolist()))
        if not math.isfinite(vals["loss"]):
            raise diverged(epoch, step, self.cfg.lr)
        return vals

    def epoch_means(self, epoch: int) -> tuple[dict[str, float], int]:
        """(train means of the loss parts over all ranks, images they cover). The loss is recomputed
        at the full beta, so train and test curves are in the same units."""
        sums = dict.fromkeys(PARTS, 0.0)
        for step, (row, size) in enumerate(zip(self.parts_buf.tolist(), self.sizes), 1):
            if not math.isfinite(row[0]):
                raise diverged(epoch, step, self.cfg.lr)
            for k, v in zip(PARTS, row):
                sums[k] += v * size
        seen = self.n_local
        if self.dist is not None:
            total, seen = self.dist.sum_floats([sums[k] for k in PARTS], seen)
            sums = dict(zip(PARTS, total))
        tr = {k: sums[k] / seen for k in PARTS}
        tr["loss"] = tr["recon"] + self.cfg.beta * tr["kl"]
        return tr, seen

    def record_epoch(self, hist: History, epoch: int, tr: dict[str, float]) -> None:
        """Append the epoch's train means and (rank 0, if asked) the test split's means."""
        hist.epoch.append(epoch)
        for k in PARTS:
            hist.train[k].append(tr[k])
        if self.cfg.eval_every_epoch and self.rank == 0:
            te = batch_means(self.model, self.data.x_test, self.data.y_test, self.cfg.beta, device=self.device,
                             generator=self.noise_gen)
            for k in PARTS:
                hist.test[k].append(te[k])
