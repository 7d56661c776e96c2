"""The model kinds, in one registry. No torch here: the config, the CLI and the app read it.

A kind says two things the rest of the library needs, so nothing else branches on its name:

- ``variational``: the encoder gives q(z|x) = N(μ, diag σ²) and the prior is p(z) = N(0, I);
  the loss has a KL term and the importance-sampled NLL applies.
- ``conditional``: the model takes a class label y (encode(x, y), decode(z, y)), as in
  p(x|z, y); labels then flow through ``fit``, the metrics and the latent tools.

Where a model came from is not a kind: an imported ONNX autoencoder is an ``ae``, an imported VAE a
``vae`` (it sits in the app's slot of its kind), and its ``Source`` says what it lacks beside
encode/decode (weights to train or summarise, a training history). See ``vae_core.capabilities``.

Adding a kind: one ``Kind`` line here, one class in ``models.py`` (``MODEL_CLASSES``), and a
row in the README's recipe. See "Add a model kind" in the README.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    variational: bool
    conditional: bool
    title: str
    reference: str


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("ae", False, False, "autoencoder", "Hinton & Salakhutdinov, 2006"),
    Kind("vae", True, False, "variational autoencoder", "Kingma & Welling, 2013"),
    Kind("cvae", True, True, "conditional variational autoencoder", "Sohn, Lee & Yan, 2015"),
)}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def kind(name: str) -> Kind:
    """The registry entry of a kind; a ValueError names the kinds there are."""
    try:
        return KINDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown model kind {name!r}; choose from {', '.join(KIND_NAMES)}") from None


@dataclass(frozen=True)
class Source:
    """Where a model came from, and what that gives beyond encode/decode."""
    name: str
    title: str
    suffix: str  # the file it lives in
    has_weights: bool  # torch weights: training, the layer table, saving as .safetensors
    has_history: bool  # training curves and the train config


SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("vae_core", "trained with vae_core", ".safetensors", True, True),
    Source("onnx", "imported ONNX encoder and decoder", ".zip", False, False),
)}
