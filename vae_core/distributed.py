"""Several processes training one model: DistributedDataParallel under torchrun.

    torchrun --standalone --nproc_per_node=N -m vae_core train ...

torchrun starts N copies of the command and gives each RANK, WORLD_SIZE, LOCAL_RANK (and the
rendezvous address). :func:`init` turns them into a :class:`DistContext` and joins the process
group: backend ``nccl`` on CUDA (process LOCAL_RANK uses GPU LOCAL_RANK), ``gloo`` on the CPU.
``fit(..., dist=ctx)`` then trains this process's shard of every epoch with the model wrapped
in DDP (gradients averaged across processes); the CLI lets rank 0 alone print, evaluate and
write the checkpoint. Without torchrun nothing here runs and ``fit`` is single-process.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import torch
import torch.distributed as tdist
from torch import nn

from .device import resolve_device
from .errors import TrainingError

ENV = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


def launched() -> bool:
    """True in a process started by torchrun (or by a launcher that sets the same variables)."""
    if not tdist.is_available():
        return False
    return tdist.is_torchelastic_launched() or all(k in os.environ for k in ENV)


@dataclass(frozen=True)
class DistContext:
    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: str

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def wrap(self, model: nn.Module) -> nn.Module:
        """The model in DistributedDataParallel (its parameters are broadcast from rank 0)."""
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids)

    def sum_floats(self, values: list[float], count: float) -> tuple[list[float], float]:
        """Sums over all processes of some numbers and a count (float64, one all-reduce)."""
        t = torch.tensor([*values, count], dtype=torch.float64,
                         device=self.device if self.backend == "nccl" else "cpu")
        tdist.all_reduce(t)
        *v, c = t.tolist()
        return v, c

    def describe(self) -> dict:
        return {"world_size": self.world_size, "backend": self.backend}


def init(device_name: str = "auto") -> DistContext:
    """Join the process group torchrun prepared. ``device_name`` as for training (auto/cpu/cuda)."""
    try:
        rank, world, local = (int(os.environ[k]) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))
    except (KeyError, ValueError):
        raise TrainingError("distributed training needs RANK, WORLD_SIZE and LOCAL_RANK (start it with torchrun)") from None
    device = resolve_device(device_name)
    if device.type == "cuda":
        if local >= torch.cuda.device_count():
            raise TrainingError(f"process {local} on this machine has no GPU ({torch.cuda.device_count()} visible): "
                                "use at most one process per GPU")
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
        backend = "nccl"
    elif device.type == "cpu":
        backend = "gloo"
    else:
        raise TrainingError(f"distributed training runs on cuda or cpu, not {device.type}; pass --device cpu")
    tdist.init_process_group(backend, device_id=device if backend == "nccl" else None)
    return DistContext(rank, world, local, device, backend)


def shutdown(ctx: DistContext | None) -> None:
    """Every rank leaves together: the others wait for rank 0, which alone evaluates and writes the
    file. A rank that tore its process group down while rank 0 still held the connection was once
    aborted by the C++ runtime ("terminate called without an active exception", exit -6) in a
    full test run; the same abort still came later, at interpreter exit, which :func:`leave` skips."""
    if ctx is not None and tdist.is_initialized():
        tdist.barrier()
        tdist.destroy_process_group()


def leave(code: int) -> None:
    """End a torchrun process with ``code`` once its command has returned (its process group is
    destroyed, rank 0's file written and closed): flush stdout and stderr, then skip the interpreter's
    teardown (``os._exit``). With another process busy on a core, 3 of 15 two-process runs had a rank
    aborted after its last Python line ("terminate called without an active exception", exit -6;
    faulthandler showed no Python frame: a C++ thread still joinable when the runtime's statics were
    destroyed), and torchrun then reported the whole run failed although the file was written."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
