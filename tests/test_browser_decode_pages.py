"""AppTest: the browser decoder where the pages use it — the Generate page's latent sliders and the
interpolation that plays, sliders beside a clicked point of the latent map, exact hover on the grid's
linear planes (UMAP keeps its sheet), the density shading; in both languages."""

from __future__ import annotations

import json

import numpy as np
from test_app import selection, start

from ui import browser_decode as bdm
from ui import decoder_component as dcm  # noqa: E402
from ui.texts import Texts


def components(at) -> dict:
    """{key suffix: (config, special args)} of the decoder components on the page."""
    out = {}
    for el in _walk(at._tree):
        p = getattr(el, "proto", None)
        if type(el).__name__ == "UnknownElement" and getattr(p, "component_name", "").endswith("latent_decoder"):
            cfg = json.loads(p.json_args)["config"]
            out[p.id.rsplit("-", 1)[-1]] = (cfg, {a.key: a.bytes for a in p.special_args})
    return out


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def encode_mu(path, index: int) -> np.ndarray:
    from vae_core.data import load_dataset
    from vae_core.latent import encode_dataset
    from vae_core.model_file import load_model_file

    data = load_dataset("digits")
    return encode_dataset(load_model_file(path).model, data.x_test[index:index + 1])[0][0]


def test_generate_has_latent_sliders_ordered_by_kl(app_env, tiny_checkpoints):
    from vae_core.data import load_dataset
    from vae_core.metrics import mean_kl_per_dim
    from vae_core.model_file import load_model_file

    at = start("generate")
    cfg, special = components(at)["dec_gen_sliders"]
    assert cfg["mode"] == "sliders" and cfg["spec"]["latent_dim"] == 2 and "model" in special
    path = tiny_checkpoints / "digits-vae-2d.safetensors"
    data = load_dataset("digits")
    kl = mean_kl_per_dim(load_model_file(path).model, data.x_test[:2000], data.y_test[:2000])
    assert cfg["dims"] == bdm.slider_order(2, np.asarray(kl)) and cfg["z0"] == [0.0, 0.0]
    assert cfg["dim_labels"][0].startswith(f"z{cfg['dims'][0]} · KL")
    # start at a test image's μ
    at.radio(key="gen_sliders_start").set_value("image").run()
    at.number_input(key="gen_sliders_index").set_value(7).run()
    assert not at.exception, at.exception
    cfg, _ = components(at)["dec_gen_sliders"]
    np.testing.assert_allclose(cfg["z0"], encode_mu(path, 7), atol=1e-5)
    assert cfg["texts"]["reset"] == Texts("en")["shared.decoder_reset"]


def test_generate_sliders_in_chinese(app_env):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("from ui import nav\nnav.main('generate')\n", default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    cfg, _ = components(at)["dec_gen_sliders"]
    assert cfg["texts"] == dcm.texts_for(Texts("zh"), bdm.spec_for(cfg_path(at, "vae")))
    assert cfg["texts"]["random"] == "从先验随机抽取"


def cfg_path(at, kind: str) -> str:
    return at.session_state[f"sb_{kind}"]


def test_generate_interpolation_plays_between_the_picked_images(app_env, tiny_checkpoints):
    at = start("generate")
    at.number_input(key="gen_a").set_value(3).run()
    at.number_input(key="gen_b").set_value(11).run()
    assert not at.exception, at.exception
    cfg, _ = components(at)["dec_gen_interp"]
    path = tiny_checkpoints / "digits-vae-2d.safetensors"
    assert cfg["mode"] == "interp"
    np.testing.assert_allclose(cfg["z_a"], encode_mu(path, 3), atol=1e-5)
    np.testing.assert_allclose(cfg["z_b"], encode_mu(path, 11), atol=1e-5)


def test_latent_map_click_gets_sliders_at_its_mu_and_the_shading(app_env, tiny_checkpoints):
    at = start("latent_map")
    assert "dec_map_sliders" not in components(at)
    at.session_state["latent_scatter"] = selection({"point_index": 0, "customdata": [5]})
    at.run()
    assert not at.exception, at.exception
    cfg, _ = components(at)["dec_map_sliders"]
    np.testing.assert_allclose(cfg["z0"], encode_mu(tiny_checkpoints / "digits-vae-2d.safetensors", 5), atol=1e-5)
    # the shading under a linear map: two layers first, then the points; a click still decodes
    at.checkbox(key="map_shade").check().run()
    assert not at.exception, at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["type"] for t in spec["data"][:2]] == ["heatmap", "contour"]
    assert any(t.get("customdata") for t in spec["data"][2:])
    assert Texts("en")["latent_map.shade_line"] in [c.value for c in at.caption]
    at.session_state["latent_scatter"] = selection({"point_index": 0, "customdata": [9]})
    at.run()  # a click on the shaded map still decodes its point (the layers take no clicks)
    assert not at.exception, at.exception
    assert "index: 9" in "\n".join(m.value for m in at.markdown)


def test_grid_hovers_the_exact_point_of_its_linear_plane(app_env, tiny_checkpoints_4d, monkeypatch):
    from vae_core.data import load_dataset
    from vae_core.latent import encode_dataset, fit_projection
    from vae_core.model_file import load_model_file

    monkeypatch.setenv("VAE_EXPLORER_CHECKPOINTS", str(tiny_checkpoints_4d))
    at = start("latent_grid")
    assert not at.exception, at.exception
    cfg, _ = components(at)["dec_grid_plane"]
    meta = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["meta"]["latent_grid"]
    assert cfg["mode"] == "plane" and cfg["follow_grid"] and cfg["bounds"] == meta["bounds"]
    assert not [e for e in at.get("iframe")]  # no sheet while the browser decodes
    path = tiny_checkpoints_4d / "digits-vae-4d.safetensors"
    data = load_dataset("digits")
    proj = fit_projection(encode_dataset(load_model_file(path).model, data.x_test)[0], "pca")
    plane = bdm.plane_map(proj)
    np.testing.assert_allclose(cfg["plane"]["origin"], plane.origin, atol=1e-5)
    np.testing.assert_allclose(np.abs(cfg["plane"]["v1"]), np.abs(plane.v1), atol=1e-5)
    assert cfg["background"] is None
    at.checkbox(key="grid_shade").check().run()
    assert not at.exception, at.exception
    cfg, _ = components(at)["dec_grid_plane"]
    assert cfg["background"].startswith("data:image/png;base64,")
    assert cfg["note"] == Texts("en")["shared.decoder_shading"]
    # (a UMAP plane keeps its sheet: plane_map is None there, tests/test_browser_decode.py)
