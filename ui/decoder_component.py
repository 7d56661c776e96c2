"""The Streamlit component that decodes in the page (``ui/components/latent_decoder/``: onnxruntime-web,
vendored in its ``ort/`` folder and served by the app, draws on a canvas at pointer speed), its texts in
the session's language, and the server round trip as its fallback. The Streamlit-free half (decoder
bytes, plane maps, slider order, densities) is ``ui.browser_decode``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ui.browser_decode import COMPONENT_DIR, MODES, DecoderSpec, PlaneMap, slider_order, slider_ranges, spec_for

# ------------------------------------------------------------------ the component (Streamlit side)

_component: Any = None


def _declare():
    global _component
    if _component is None:
        import streamlit.components.v1 as components

        _component = components.declare_component("latent_decoder", path=str(COMPONENT_DIR))
    return _component


def _floats(a) -> list[float] | None:
    return None if a is None else [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def latent_decoder(spec: DecoderSpec, mode: str, *, key: str, texts: dict[str, str], z0=None,
                   dims: list[int] | None = None, dim_labels: list[str] | None = None,
                   ranges: list[list[float]] | None = None, plane: PlaneMap | None = None,
                   bounds: tuple[float, float, float, float] | None = None, background: str | None = None,
                   z_a=None, z_b=None, label: int | None = None, scale: int = 6, server_image: np.ndarray | None = None,
                   server_seq: int = -1, force_server: bool = False, seed: int = 0,
                   note: str | None = None, follow_grid: bool = False) -> dict | None:
    """Mount the decoder component and return its value:
    ``{"backend": "wasm" | "server" | None, "reason": str | None, "have": sha | None, "seq": int, "z": [...] }``.

    mode "sliders": one slider per entry of ``dims`` (``slider_order``), labelled ``dim_labels``,
      within ``ranges`` (``slider_ranges``), starting at ``z0`` (default 0); Reset, random from the prior,
      z as text. mode "plane": ``plane`` (PlaneMap) over ``bounds`` (x0, x1, y0, y1) drawn with ``background``
      (a data URL: a sheet, ``density_shading``); the decode of the exact point under the pointer.
      mode "interp": ``z_a`` → ``z_b``, linear or slerp, plays, with a scrubber.
    ``follow_grid``: in "plane" mode, also follow the pointer over the page's latent grid (the plotly
    figure whose ``layout.meta.latent_grid`` has these ``bounds``), decoding the exact point under it.
    ``note``: one line shown under the plane (e.g. ``texts["shading"]`` when ``background`` is the shading).
    ``texts``: every word the component shows (``TEXT_KEYS``), in the page's language.
    ``server_image`` / ``server_seq``: the server's decode of the value's ``z`` for request ``seq``
    (the fallback draws it on the same canvas). The bytes travel once: while the value says the page
    holds this sha, they are left out."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    import streamlit as st

    prev = st.session_state.get(key)
    have = prev.get("have") if isinstance(prev, dict) else None
    d = spec.latent_dim
    z0 = np.zeros(d) if z0 is None else np.asarray(z0, dtype=np.float64).ravel()
    cfg = {"mode": mode, "spec": spec.args(), "texts": dict(texts), "z0": _floats(z0),
           "dims": list(dims) if dims is not None else slider_order(d), "dim_labels": dim_labels,
           "ranges": ranges if ranges is not None else slider_ranges(d, z0=z0),
           "plane": plane.args() if plane is not None else None, "bounds": list(bounds) if bounds else None,
           "background": background, "z_a": _floats(z_a), "z_b": _floats(z_b), "label": label, "scale": int(scale),
           "force_server": bool(force_server), "seed": int(seed), "server_seq": int(server_seq), "note": note,
           "follow_grid": bool(follow_grid)}
    kwargs: dict[str, Any] = {"config": cfg}
    if spec.onnx is not None and have != spec.sha and not force_server:
        kwargs["model"] = spec.onnx
    if server_image is not None:
        kwargs["server_pixels"] = np.ascontiguousarray(server_image, dtype=np.uint8).tobytes()
    return _declare()(key=key, default=None, **kwargs)


TEXT_KEYS = ("reset", "random", "copy", "copied", "z_text", "play", "pause", "linear", "slerp", "position",
             "loading", "hover_hint", "backend_wasm", "backend_server", "fallback_no_wasm", "fallback_too_big",
             "fallback_failed", "fallback_forced", "shading")


def fallback_line(value: dict | None, texts: dict[str, str]) -> str | None:
    """The one line a page shows when the component fell back to the server (else None)."""
    if not isinstance(value, dict) or value.get("backend") != "server":
        return None
    return texts.get(f"fallback_{value.get('reason') or 'failed'}", texts["fallback_failed"])


def texts_for(tx: Mapping[str, str], spec: DecoderSpec | None = None) -> dict[str, str]:
    """The component's words from a ``ui.texts.Texts`` (``shared.decoder_<key>`` of ``TEXT_KEYS``), with
    the decoder's size and the cap filled in ({mb}, {cap}: MB)."""
    t = {k: tx[f"shared.decoder_{k}"] for k in TEXT_KEYS}
    if spec is not None:
        t = {k: v.replace("{mb}", f"{spec.nbytes / 1e6:.1f}").replace("{cap}", f"{spec.cap / 1e6:.0f}")
             for k, v in t.items()}
    return t


def decoder_panel(spec: DecoderSpec, mode: str, decode: Any, *, key: str, texts: dict[str, str],
                  **kwargs: Any) -> dict | None:
    """``latent_decoder`` with the server fallback wired: when the component's value asks for a
    latent (``backend`` "server"), ``decode(z)`` (z float32 (d,) → uint8 (H, W) or (H, W, 3)) runs here and
    its pixels go back to the same canvas; the page then says in one line why it is on the server.
    Put it in an ``@st.fragment`` so a round trip reruns only this part."""
    import streamlit as st

    prev = st.session_state.get(key)
    image, seq = None, -1
    if isinstance(prev, dict) and prev.get("backend") == "server" and prev.get("z") is not None:
        image, seq = decode(np.asarray(prev["z"], dtype=np.float32)), int(prev.get("seq", -1))
    value = latent_decoder(spec, mode, key=key, texts=texts, server_image=image, server_seq=seq, **kwargs)
    line = fallback_line(value, texts)
    if line:
        st.caption(line)
    return value


# ------------------------------------------------------------------ the app's pages

def slider_setup(d: int, kl: np.ndarray | None = None, mu: np.ndarray | None = None, variational: bool = True,
                 z0: np.ndarray | None = None) -> dict:
    """The sliders' keyword arguments for ``latent_decoder``: dims by KL (the first 32), their labels
    (``z3 · KL 1.25``), ranges, the start."""
    dims = slider_order(d, kl)
    labels = [f"z{j}" + (f" · KL {float(kl[j]):.2f}" if kl is not None else "") for j in dims]
    return {"dims": dims, "dim_labels": labels, "ranges": slider_ranges(d, mu, variational, z0), "z0": z0}


def model_decoder(ref, mode: str, *, key: str, label: int | None = None, **kwargs: Any) -> dict | None:
    """The decoder component for a model of the app (a ``ui.refs.ModelRef``: ours or imported), in the
    session's language, with the server round trip (``ui.refs.decode_one``) as its fallback."""
    import streamlit as st

    from ui import i18n
    from ui.refs import decode_one

    with st.spinner(i18n.T["shared.decoder_preparing"]):  # the first time per file: the ONNX export
        spec = spec_for(ref.path)
    texts = texts_for(i18n.texts(), spec)
    return decoder_panel(spec, mode, lambda z: decode_one(ref, z, label), key=key, texts=texts, label=label,
                         **kwargs)
