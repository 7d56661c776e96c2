"""Decoding in the browser, the Python half (ui/browser_decode.py) and the vendored runtime:
file hashes, the decoder export and its disk cache, plane maps, slider order, densities, texts."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re

import numpy as np
import pytest
import torch

from ui import browser_decode as bdm
from ui import decoder_component as dcm  # noqa: E402
from ui.texts import Texts, table


def TEXTS(lang: str) -> dict[str, str]:  # noqa: N802 - the component's words in one language
    return dcm.texts_for(Texts(lang))


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


# ------------------------------------------------------------------ the vendored runtime

def test_vendored_runtime_matches_its_manifest():
    man = json.loads((bdm.ORT_DIR / "MANIFEST.json").read_text())
    assert man["package"] == "onnxruntime-web"
    assert (bdm.ORT_DIR / "VERSION").read_text().strip() == man["version"]
    for name, want in man["files"].items():
        data = (bdm.ORT_DIR / name).read_bytes()
        assert _sha(data) == want["sha256"], name
        assert len(data) == want["bytes"], name
    wasm = gzip.decompress((bdm.ORT_DIR / "ort-wasm-simd-threaded.wasm.gz").read_bytes())
    assert _sha(wasm) == man["wasm_uncompressed"]["sha256"]
    assert len(wasm) == man["wasm_uncompressed"]["bytes"]
    assert wasm[:4] == b"\0asm"
    # nothing vendored that the manifest does not name (besides the script and the manifest)
    extra = {p.name for p in bdm.ORT_DIR.iterdir()} - set(man["files"]) - {"MANIFEST.json", "VERSION", "update.sh"}
    assert not extra
    assert "MIT License" in (bdm.ORT_DIR / "LICENSE").read_text()


def test_component_loads_only_vendored_files():
    js = (bdm.COMPONENT_DIR / "main.js").read_text()
    html = (bdm.COMPONENT_DIR / "index.html").read_text()
    assert not re.search(r"https?://", js + html)  # no CDN: everything comes from the app
    for ref in re.findall(r'"\./([^"]+)"', js) + re.findall(r'src="\./([^"]+)"', html):
        assert (bdm.COMPONENT_DIR / ref).is_file(), ref


def test_component_words_come_from_python_in_both_languages():
    for lang in ("en", "zh"):  # every word is in both locale files (their parity tests check the rest)
        assert set(TEXTS(lang)) == set(dcm.TEXT_KEYS)
        assert all(f"shared.decoder_{k}" in table(lang) for k in dcm.TEXT_KEYS)
    js = (bdm.COMPONENT_DIR / "main.js").read_text()
    used = set(re.findall(r"\bt\.([a-z_]+)", js))
    assert used <= set(dcm.TEXT_KEYS)
    # every fallback reason the component can report has its line
    for reason in set(re.findall(r'(?:fallback\(|reason = )"([a-z_]+)"', js)):
        assert f"fallback_{reason}" in dcm.TEXT_KEYS, reason
    for lang in ("en", "zh"):
        for v in TEXTS(lang).values():
            assert v.strip()


def test_texts_fill_the_sizes_and_fallback_line():
    spec = bdm.DecoderSpec(sha="x", onnx=None, nbytes=25_000_000, cap=bdm.CAP_BYTES, latent_dim=2,
                           image_shape=(1, 28, 28))
    t = dcm.texts_for(Texts("zh"), spec)
    assert "25.0" in t["fallback_too_big"] and "20 MB" in t["fallback_too_big"]
    assert dcm.texts_for(Texts("xx"))["reset"] == TEXTS("en")["reset"] == "Reset"
    assert dcm.fallback_line({"backend": "server", "reason": "no_wasm"}, t) == t["fallback_no_wasm"]
    assert dcm.fallback_line({"backend": "server", "reason": "odd"}, t) == t["fallback_failed"]
    assert dcm.fallback_line({"backend": "wasm"}, t) is None
    assert dcm.fallback_line(None, t) is None


# ------------------------------------------------------------------ the decoder's bytes

def _ort_decode(spec: bdm.DecoderSpec, z: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    s = ort.InferenceSession(spec.onnx, providers=["CPUExecutionProvider"])
    (out,) = s.run(None, {spec.input_name: z.astype(np.float32)})
    return out.reshape(len(z), *spec.image_shape)


def test_decoder_spec_exports_once_per_file_and_matches_torch(tiny_checkpoints, tmp_path, monkeypatch):
    from vae_core.checkpoint import load

    path = tiny_checkpoints / "digits-vae-2d.safetensors"
    spec = bdm.decoder_spec(path, cache_dir=tmp_path)
    assert spec.sha == bdm.file_sha256(path) and not spec.too_big
    assert spec.latent_dim == 2 and spec.image_shape == (1, 28, 28) and spec.input_name == "z"
    assert spec.label is None and not spec.logits and spec.nbytes == len(spec.onnx)
    z = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    model = load(path).model.eval()
    with torch.inference_mode():
        want = model.decode_flat(torch.from_numpy(z)).numpy()
    assert np.abs(_ort_decode(spec, z) - want).max() < 1e-4
    # the second time comes from the disk cache: no export
    monkeypatch.setattr(bdm, "export_decoder", lambda p: pytest.fail("exported twice"))
    again = bdm.decoder_spec(path, cache_dir=tmp_path)
    assert again.onnx == spec.onnx
    # over the cap: no bytes, the page decodes on the server
    small = bdm.decoder_spec(path, cache_dir=tmp_path, cap=1000)
    assert small.too_big and small.onnx is None and small.nbytes == spec.nbytes
    assert small.args()["too_big"] is True and json.dumps(small.args())


def test_decoder_spec_rebuilds_a_damaged_cache(tiny_checkpoints, tmp_path):
    path = tiny_checkpoints / "digits-ae-2d.safetensors"
    spec = bdm.decoder_spec(path, cache_dir=tmp_path)
    (f,) = tmp_path.glob("browser-decoder-*.onnx")
    f.write_bytes(b"not onnx")
    assert bdm.decoder_spec(path, cache_dir=tmp_path).onnx == spec.onnx


def test_decoder_spec_of_an_imported_zip_is_its_own_decoder(tiny_checkpoints, tmp_path):
    from vae_core.checkpoint import load
    from vae_core.onnx_file import export_checkpoint, read_zip

    zp, _ = export_checkpoint(load(tiny_checkpoints / "digits-vae-2d.safetensors"), tmp_path / "m.zip")
    spec = bdm.decoder_spec(zp, cache_dir=tmp_path / "c")
    assert spec.onnx == read_zip(zp)[1]
    assert spec.latent_dim == 2 and spec.image_shape == (1, 28, 28) and spec.label is None


# ------------------------------------------------------------------ planes, sliders, densities

def test_plane_map_is_the_projection_inverse():
    from vae_core.latent import fit_projection

    rng = np.random.default_rng(0)
    z = rng.standard_normal((200, 6)).astype(np.float32) * np.arange(1, 7)
    proj = fit_projection(z, "pca")
    plane = bdm.plane_map(proj)
    xy = rng.standard_normal((7, 2)).astype(np.float32)
    np.testing.assert_allclose(plane.to_latent(xy), proj.inverse(xy), atol=1e-5)
    a = plane.args()
    assert len(a["origin"]) == len(a["v1"]) == len(a["v2"]) == 6
    ident = bdm.plane_map(fit_projection(z[:, :2], "pca"))
    np.testing.assert_allclose(ident.to_latent([[0.5, -2.0]]), [[0.5, -2.0]])
    assert bdm.plane_map(type(proj)("umap", proj.coords)) is None
    assert bdm.plane_map(fit_projection(z[:, :1], "pca")) is None  # a 1-D strip is no plane


def test_kl_per_dim_is_the_analytic_kl():
    rng = np.random.default_rng(1)
    mu, lv = rng.standard_normal((50, 4)), rng.standard_normal((50, 4))
    q = torch.distributions.Normal(torch.tensor(mu), torch.tensor(np.exp(0.5 * lv)))
    want = torch.distributions.kl_divergence(q, torch.distributions.Normal(0.0, 1.0)).mean(0).numpy()
    np.testing.assert_allclose(bdm.kl_per_dim(mu, lv), want, rtol=1e-9)


def test_slider_order_by_kl_first_32():
    kl = np.array([0.1, 3.0, 0.0, 2.0])
    assert bdm.slider_order(4, kl) == [1, 3, 0, 2]
    assert bdm.slider_order(4) == [0, 1, 2, 3]
    assert bdm.slider_order(40, np.arange(40.0)) == list(range(39, 7, -1))
    assert len(bdm.slider_order(100)) == 32
    with pytest.raises(ValueError):
        bdm.slider_order(3, kl)


def test_slider_ranges():
    assert bdm.slider_ranges(2) == [[-3.0, 3.0], [-3.0, 3.0]]
    r = bdm.slider_ranges(2, z0=[5.0, -4.0])
    assert r[0][1] == 5.0 and r[1][0] == -4.0
    mu = np.column_stack([np.linspace(0, 10, 101), np.linspace(-1, 1, 101)])
    r = bdm.slider_ranges(2, mu, variational=False)
    assert r[0][0] < 0.05 and r[0][1] > 9.95 and r[0][1] < 11.5


def test_plane_densities_on_a_2d_latent():
    plane = bdm.PlaneMap(np.zeros(2), np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    bounds = (-2.0, 2.0, -2.0, 2.0)
    mu = np.array([[1.0, 1.0]])
    lp, lq = bdm.plane_densities(plane, bounds, 4, mu, np.zeros((1, 2)))
    assert lp.shape == lq.shape == (4, 4)
    # cell centres ±0.5, ±1.5; rows top (y = 1.5) to bottom
    assert lp[1, 1] == pytest.approx(-math.log(2 * math.pi) - 0.25)
    assert lq[0, 2] == pytest.approx(-math.log(2 * math.pi) - 0.25)  # (0.5, 1.5) is 0.5 from (1, 1) each way
    assert np.unravel_index(lq.argmax(), lq.shape) in {(0, 2), (0, 3), (1, 2), (1, 3)}
    # an AE (no σ): a kernel density, still normalised
    lp2, lq2 = bdm.plane_densities(plane, (-6, 6, -6, 6), 96, np.random.default_rng(0).standard_normal((300, 2)))
    assert np.exp(lq2).sum() * (12 / 96) ** 2 == pytest.approx(1.0, abs=0.02)
    assert np.exp(lp2).sum() * (12 / 96) ** 2 == pytest.approx(1.0, abs=0.01)


def test_plane_densities_on_a_pca_plane_are_the_projected_ones():
    rng = np.random.default_rng(2)
    d = 5
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    plane = bdm.PlaneMap(rng.standard_normal(d), q[:, 0], q[:, 1])
    mu = rng.standard_normal((3, d))
    lv = rng.standard_normal((3, d)) * 0.3
    lp, lq = bdm.plane_densities(plane, (-1, 1, -1, 1), 2, mu, lv)
    # the cell centre (−0.5, 0.5) by brute force: the mixture of the projected Gaussians
    xy = np.array([-0.5, 0.5])
    V = np.column_stack([plane.v1, plane.v2])
    dens = 0.0
    for m, v in zip(mu, np.exp(lv)):
        c, cov = (m - plane.origin) @ V, V.T @ np.diag(v) @ V
        r = xy - c
        dens += np.exp(-0.5 * r @ np.linalg.solve(cov, r)) / (2 * np.pi * np.sqrt(np.linalg.det(cov))) / 3
    assert lq[0, 0] == pytest.approx(math.log(dens), rel=1e-9)
    r = xy + plane.origin @ V
    assert lp[0, 0] == pytest.approx(-0.5 * r @ r - math.log(2 * math.pi))


def test_shading_and_traces():
    plane = bdm.PlaneMap(np.zeros(2), np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    lp, lq = bdm.plane_densities(plane, (-3, 3, -3, 3), 16, np.random.default_rng(0).standard_normal((50, 2)))
    img = bdm.density_shading(lp, lq)
    assert img.shape == (16, 16, 4) and img.dtype == np.uint8
    assert img[..., 3].max() > 150 and img[0, 0, 3] < img[8, 8, 3]  # faint at the corner, strong in the middle
    assert bdm.png_data_url(img).startswith("data:image/png;base64,")
    tr = bdm.density_traces(lp, lq, (-3, 3, -3, 3), ("prior", "data"))
    assert [t.type for t in tr] == ["heatmap", "contour"] and tr[0].name == "data" and tr[1].name == "prior"
    assert len(tr[0].x) == 16 and tr[0].y[0] > tr[0].y[-1]


# ------------------------------------------------------------------ the component in an AppTest

def _component(at):
    (el,) = [e for e in at.main if type(e).__name__ == "UnknownElement" and e.proto.component_name.endswith(
        "latent_decoder")]
    cfg = json.loads(el.proto.json_args)["config"]
    special = {a.key: a.bytes for a in el.proto.special_args}
    return cfg, special


def test_apptest_component_handshake_and_server_fallback(tiny_checkpoints, tmp_path, monkeypatch):
    from browser_decode_app import load, server_decode
    from streamlit.testing.v1 import AppTest

    path = tiny_checkpoints / "digits-vae-2d.safetensors"
    monkeypatch.setenv("BD_MODEL", str(path))
    monkeypatch.setenv("VAE_EXPLORER_CACHE", str(tmp_path))
    at = AppTest.from_file(str(bdm.ROOT / "tests" / "browser_decode_app.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    cfg, special = _component(at)
    assert cfg["mode"] == "sliders" and cfg["texts"] == dcm.texts_for(Texts("zh"), bdm.decoder_spec(path, tmp_path))
    assert sorted(cfg["dims"]) == [0, 1] and len(cfg["dim_labels"]) == 2
    assert special["model"] == bdm.decoder_spec(path, tmp_path).onnx  # the bytes, while the page lacks them
    # the page says it holds this decoder: the bytes are not sent again
    at.session_state["bd"] = {"backend": "wasm", "reason": None, "have": cfg["spec"]["sha"], "seq": 0, "z": None}
    at.run()
    cfg, special = _component(at)
    assert "model" not in special and not [c for c in at.caption if c.value in TEXTS("zh").values()]
    # no WebAssembly: the page asks for z; the server decodes it, hands the pixels back, says why in one line
    z = [0.4, -0.9]
    at.session_state["bd"] = {"backend": "server", "reason": "no_wasm", "have": None, "seq": 3, "z": z}
    at.run()
    cfg, special = _component(at)
    assert cfg["server_seq"] == 3
    want = server_decode(load(path).model, np.array(z, np.float32))
    assert special["server_pixels"] == want.astype(np.uint8).tobytes()
    assert TEXTS("zh")["fallback_no_wasm"] in [c.value for c in at.caption]


def test_prepare_exports_in_the_background_once_per_file(tiny_checkpoints, tmp_path, monkeypatch):
    """Choosing a model starts its decoder's export in a background thread (once per file), so the
    first click finds the spec ready: the disk cache appears, and a second prepare starts nothing."""
    import shutil
    import threading

    from ui import browser_decode as bd

    monkeypatch.setenv("VAE_EXPLORER_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "m.safetensors"
    shutil.copy(tiny_checkpoints / "digits-ae-2d.safetensors", path)
    bd.prepare(path)
    threads = [t for t in threading.enumerate() if t.name == "decoder-export"]
    assert threads, "no background export started"
    for t in threads:
        t.join(120)
    assert list((tmp_path / "cache").glob("browser-decoder-*.onnx")), "the export did not reach the disk cache"
    bd.prepare(path)
    assert not [t for t in threading.enumerate() if t.name == "decoder-export"], "a second export started"
    assert bd.spec_for(path).onnx  # now a cache hit


def _blocking_export(monkeypatch, slow_name: str):
    """Replace the export: the file named ``slow_name`` blocks until ``release`` is set (recording the
    priority of the thread that exports it); any other file exports at once."""
    import os
    import threading

    from ui import browser_decode as bd

    started, release, seen = threading.Event(), threading.Event(), {}

    def fake(path, cache_dir=None, cap=bd.CAP_BYTES, sha=None):
        if os.path.basename(path) == slow_name:
            seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            started.set()
            release.wait(60)
        return bd.DecoderSpec(sha=str(path), onnx=b"x", nbytes=1, cap=cap, latent_dim=2, image_shape=(1, 8, 8))

    monkeypatch.setattr(bd, "decoder_spec", fake)
    monkeypatch.setattr(bd, "_READY", {})
    monkeypatch.setattr(bd, "_PREPARING", set())
    return started, release, seen


def test_prepare_exports_at_the_servers_own_priority(tmp_path, monkeypatch):
    """The background export holds the interpreter lock while it works: at a lowered priority beside busy
    cores it stalled every other thread of the server (bench/niced_thread.py, two busy cores: the main
    thread's delay per wake was 192.8 ms at p50 beside the nice-19 export, 5.2 ms beside a normal one)."""
    import os

    from ui import browser_decode as bd

    started, release, seen = _blocking_export(monkeypatch, "slow.safetensors")
    (tmp_path / "slow.safetensors").write_bytes(b"model")
    try:
        bd.prepare(tmp_path / "slow.safetensors")
        assert started.wait(60), "the background export did not start"
        assert seen["nice"] == os.getpriority(os.PRIO_PROCESS, 0), seen
    finally:
        release.set()


def test_a_ready_decoder_does_not_wait_for_another_files_export(tmp_path, monkeypatch):
    """A click on a model whose decoder is ready is served while another model's export (3-9 s) runs."""
    import threading

    from ui import browser_decode as bd

    started, release, _ = _blocking_export(monkeypatch, "slow.safetensors")
    for name in ("slow.safetensors", "ready.safetensors"):
        (tmp_path / name).write_bytes(name.encode())
    ready = bd.spec_for(tmp_path / "ready.safetensors")
    try:
        bd.prepare(tmp_path / "slow.safetensors")
        assert started.wait(60), "the background export did not start"
        got = []
        t = threading.Thread(target=lambda: got.append(bd.spec_for(tmp_path / "ready.safetensors")), daemon=True)
        t.start()
        t.join(30)  # a guard against a hang, not a timing: it returns at once or waits for `release`
        assert got == [ready], "a ready decoder waited for another file's export"
    finally:
        release.set()
