"""A layer table computed from the module itself (forward hooks on leaf modules),
in the format torchsummary prints: ``Conv2d-1  [-1, 12, 16, 16]  588``."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class LayerRow:
    name: str  # "Conv2d-1"
    output_shape: tuple[int, ...]  # with -1 for the batch
    params: int


def layer_table(model: nn.Module, input_shape: tuple[int, ...]) -> list[LayerRow]:
    """Run one forward pass on zeros of (2, *input_shape) and record every leaf module."""
    from .capabilities import require_weights

    require_weights(model, "the layer table")  # an imported model's layers live in its ONNX graph
    rows: list[LayerRow] = []
    hooks = []

    def hook(module: nn.Module, _inp, out) -> None:
        t = out[0] if isinstance(out, (tuple, list)) else out
        shape = (-1, *t.shape[1:])
        n = sum(p.numel() for p in module.parameters(recurse=False))
        rows.append(LayerRow(f"{type(module).__name__}-{len(rows) + 1}", shape, n))

    for m in model.modules():
        if not list(m.children()) and not isinstance(m, nn.Identity):
            hooks.append(m.register_forward_hook(hook))
    was_training = model.training
    try:
        model.eval()
        dev = next(model.parameters()).device
        with torch.no_grad():
            model(torch.zeros((2, *input_shape), device=dev), torch.zeros(2, dtype=torch.long, device=dev))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return rows


def format_table(rows: list[LayerRow], model: nn.Module) -> str:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    w = max([len("Layer (type)")] + [len(r.name) for r in rows]) + 2
    shapes = [str(list(r.output_shape)) for r in rows]
    sw = max([len("Output Shape")] + [len(s) for s in shapes]) + 2
    line = "-" * (w + sw + 12)
    out = [line, f"{'Layer (type)':<{w}}{'Output Shape':<{sw}}{'Param #':>10}", "=" * len(line)]
    out += [f"{r.name:<{w}}{s:<{sw}}{r.params:>10,}" for r, s in zip(rows, shapes)]
    out += [
        "=" * len(line),
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        line,
    ]
    return "\n".join(out)
