"""A throwaway Streamlit script that mounts the latent decoder component (ui/browser_decode.py) for
the browser tests and bench/browser_decode.py:

    BD_MODEL=FILE streamlit run tests/browser_decode_app.py   then  /?mode=sliders|plane|interp[&force=1][&lang=zh]
                                                            [&model=FILE][&cap=BYTES][&start=INDEX]

plane: the PCA plane (or the 2-D latent itself) of the digits test set's encodings, shaded with
the prior and aggregate-posterior densities. ``setup`` is importable, so a test computes the same
plane as the page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from ui import browser_decode as bdm  # noqa: E402
from ui import decoder_component as dcm  # noqa: E402
from ui.texts import Texts  # noqa: E402


def load(path: str):
    from vae_core.model_file import load_model_file

    return load_model_file(path)


def setup(ck, n: int = 500) -> dict:
    """Encodings of the first n digits test images, their PCA (or identity) plane, bounds, KL order."""
    from vae_core.data import load_dataset
    from vae_core.latent import encode_dataset, fit_projection

    data = load_dataset(ck.dataset or "digits")
    mu, logvar = encode_dataset(ck.model, data.x_test[:n])
    proj = fit_projection(mu, "pca")
    plane = bdm.plane_map(proj)
    kl = bdm.kl_per_dim(mu, logvar) if logvar is not None else None
    return {"mu": mu, "logvar": logvar, "plane": plane, "bounds": proj.bounds(), "kl": kl}


def server_decode(model, z: np.ndarray) -> np.ndarray:
    from vae_core.latent import to_uint8_images

    with torch.inference_mode():
        return to_uint8_images(model.decode_flat(torch.as_tensor(z, dtype=torch.float32).reshape(1, -1)))[0]


if __name__ == "__main__":
    import streamlit as st

    qp = st.query_params
    path = qp.get("model") or os.environ["BD_MODEL"]
    mode, force, lang = qp.get("mode", "sliders"), qp.get("force") == "1", qp.get("lang", "en")
    cap = int(qp.get("cap", bdm.CAP_BYTES))

    @st.cache_resource
    def _ck(p: str):
        return load(p)

    @st.cache_resource
    def _spec(p: str, c: int):
        return bdm.decoder_spec(p, cap=c)

    @st.cache_resource
    def _setup(p: str):
        return setup(_ck(p))

    ck, spec, s = _ck(path), _spec(path, cap), _setup(path)
    texts = dcm.texts_for(Texts(lang), spec)
    d = spec.latent_dim
    st.write(f"model: {Path(path).name}")
    kw: dict = {}
    if mode == "sliders":
        dims = bdm.slider_order(d, s["kl"])
        labels = [f"z{j}" + (f" · KL {s['kl'][j]:.2f}" if s["kl"] is not None else "") for j in dims]
        z0 = s["mu"][int(qp.get("start", 0))] if "start" in qp else None
        kw = {"dims": dims, "dim_labels": labels, "z0": z0,
              "ranges": bdm.slider_ranges(d, s["mu"], s["logvar"] is not None, z0)}
    elif mode == "plane":
        lp, lq = bdm.plane_densities(s["plane"], s["bounds"], 48, s["mu"], s["logvar"])
        kw = {"plane": s["plane"], "bounds": s["bounds"], "background": bdm.png_data_url(bdm.density_shading(lp, lq)),
              "note": texts["shading"]}
    else:
        kw = {"z_a": s["mu"][0], "z_b": s["mu"][1]}

    @st.fragment
    def panel():
        value = dcm.decoder_panel(spec, mode, lambda z: server_decode(ck.model, z), key="bd", texts=texts,
                                  force_server=force, **kw)
        st.caption(f"value: {value}" if value is None else f"backend: {value.get('backend')}")

    panel()
