"""What a model or a model file can do beyond encode/decode, asked in one place.

Every model kind behind the verb interface (``vae_core.models``) encodes and decodes; where it
came from (``source``, ``vae_core.kinds.SOURCES``) decides the rest: a model trained here has
weights (so it can be trained further, summarised layer by layer, saved as .safetensors) and a
training history; an imported ONNX model (``vae_core.onnx_model``) has neither. Callers ask
``has_weights(model)`` or a loaded file's ``has_weights`` / ``has_history`` / ``source`` and never
branch on the class; functions that need weights call ``require_weights`` and refuse in one line.
"""

from __future__ import annotations

from .errors import VaeCoreError


class NeedsWeightsError(VaeCoreError, ValueError):
    """An operation needs a model's torch weights, and the model has none (an imported model)."""


def has_weights(model: object) -> bool:
    """False for a model run by another runtime (OnnxModel); True for our torch models."""
    return bool(getattr(model, "has_weights", True))


def source(model: object) -> str:
    """Where a model came from: "vae_core" (trained here) or "onnx" (imported)."""
    return str(getattr(model, "source", "vae_core"))


def require_weights(model: object, what: str) -> None:
    """Raise NeedsWeightsError (one line) when ``what`` (e.g. "training") cannot run on ``model``."""
    if not has_weights(model):
        raise NeedsWeightsError(f"{what} needs the model's torch weights; an imported model does not have them "
                                "(it runs in onnxruntime: encode, decode, sample and the metrics work)")
