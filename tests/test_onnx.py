"""Imported ONNX models (issue 19): the pytorch/examples VAE recipe end to end, export → import round
trips of our own kinds, and hostile files that must each be refused in one line (exit 2).

Hostile graphs are built with ``onnx.helper`` (milliseconds, no exporter); the CLI runs in-process
through ``vae_core.__main__.main`` (the same code path as ``python -m vae_core``) except for the
recipe test, which runs it as a user does, in a subprocess.
"""

from __future__ import annotations

import json
import math
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from vae_core.__main__ import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "vae_core", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


def run_main(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def refused(capsys, *args: str) -> str:
    """Run the CLI in-process; assert exit 2 and exactly one line on stderr, no traceback; return it."""
    code, err = run_main(capsys, *args)
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


# ------------------------------------------------------------------ the pytorch/examples VAE recipe

class ClassicVAE(nn.Module):
    """pytorch/examples vae/main.py: 784-400-20, flattened input, Bernoulli decoder."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))


class Enc(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, x):
        return self.vae.encode(x)


class Dec(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, z):
        return self.vae.decode(z)


@pytest.fixture(scope="module")
def mnist_small(tmp_path_factory) -> Path:
    """600 train / 200 test MNIST images as an npz: dataset (digits if MNIST is not there)."""
    src = Path(os.environ.get("VAE_EXPLORER_DATA", "data")) / "mnist.npz"
    out = tmp_path_factory.mktemp("data") / "mnist-small.npz"
    if src.exists():
        with np.load(src) as d:
            np.savez(out, x_train=d["x_train"][:600], y_train=d["y_train"][:600], x_test=d["x_test"][:200],
                     y_test=d["y_test"][:200])
    else:
        from vae_core.data import load_dataset

        d = load_dataset("digits")
        np.savez(out, x_train=d.x_train[:600, 0].numpy(), y_train=d.y_train[:600].numpy(),
                 x_test=d.x_test[:200, 0].numpy(), y_test=d.y_test[:200].numpy())
    return out


def test_pytorch_examples_vae_exported_imported_and_evaluated_like_its_own_computation(mnist_small, tmp_path):
    torch.manual_seed(0)
    with np.load(mnist_small) as d:
        x_tr = torch.from_numpy(d["x_train"]).float().div(255).reshape(-1, 784)
        x_te = torch.from_numpy(d["x_test"]).float().div(255).reshape(-1, 784)
    vae = ClassicVAE()
    opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
    for step in range(40):  # a few steps: enough to be a model, not a random one
        x = x_tr[(step * 64) % 576:(step * 64) % 576 + 64]
        mu, logvar = vae.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        loss = F.binary_cross_entropy(vae.decode(z), x, reduction="sum") - 0.5 * torch.sum(
            1 + logvar - mu.pow(2) - logvar.exp())
        opt.zero_grad()
        loss.backward()
        opt.step()
    vae.eval()
    # the README's recipe: both exporters work; the encoder with torch.export (dynamo), the decoder with the
    # TorchScript one, so both paths are covered
    batch = torch.export.Dim("batch", min=1, max=1 << 20)
    torch.onnx.export(Enc(vae).eval(), (torch.rand(2, 784),), tmp_path / "encoder.onnx", dynamo=True, external_data=False,
                      input_names=["x"], output_names=["mu", "logvar"], dynamic_shapes=({0: batch},))
    torch.onnx.export(Dec(vae).eval(), (torch.randn(2, 20),), tmp_path / "decoder.onnx", dynamo=False,
                      input_names=["z"], output_names=["x"], dynamic_axes={"z": {0: "N"}, "x": {0: "N"}})
    ds = f"npz:{mnist_small}"
    r = cli("import-onnx", str(tmp_path / "encoder.onnx"), str(tmp_path / "decoder.onnx"), "--dataset", ds,
            "--out", str(tmp_path / "classic.zip"), "--nll-k", "20", "--eval-images", "0", "--knn-train", "0")
    assert r.returncode == 0, r.stderr
    import io
    from contextlib import redirect_stdout

    with redirect_stdout(io.StringIO()) as out:
        assert main(["info", str(tmp_path / "classic.zip"), "--json"]) == 0
    info = json.loads(out.getvalue())
    assert (info["kind"], info["latent_dim"], info["image_shape"], info["source"]) == ("vae", 20, [1, 28, 28], "onnx")
    assert info["model"]["encoder_input"] == "flat" and info["metrics"]["nll_k"] == 20
    r = cli("evaluate", str(tmp_path / "classic.zip"), "--dataset", ds, "--json", "--nll-k", "50")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert {"loss", "recon", "kl", "mse", "psnr", "knn_acc", "nll_is", "nll_k"} <= set(m)

    # the test's own computation, on the same 200 test images, with its own noise
    with torch.no_grad():
        mu, logvar = vae.encode(x_te)
        own_mse = (vae.decode(mu) - x_te).pow(2).mean(1).mean().item()
        k, gen = 50, torch.Generator().manual_seed(123)
        std = torch.exp(0.5 * logvar)
        log_w = []
        for _ in range(k):
            eps = torch.randn(mu.shape, generator=gen)
            z = mu + std * eps
            r_ = vae.decode(z)
            log_px_z = (x_te * torch.log(r_).clamp_min(-100) + (1 - x_te) * torch.log(1 - r_).clamp_min(-100)).sum(1)
            log_pz = (-0.5 * (z.pow(2) + math.log(2 * math.pi))).sum(1)
            log_qz = (-0.5 * (eps.pow(2) + logvar + math.log(2 * math.pi))).sum(1)
            log_w.append(log_px_z + log_pz - log_qz)
        own_nll = -(torch.logsumexp(torch.stack(log_w), 0) - math.log(k)).mean().item()
    assert m["mse"] == pytest.approx(own_mse, rel=0.01)
    assert m["nll_is"] == pytest.approx(own_nll, rel=0.01)


# ------------------------------------------------------------------ round trips of our own kinds

def _our_checkpoint(path: Path, kind: str, backbone: str, latent_dim: int | None) -> Path:
    from vae_core.checkpoint import save
    from vae_core.config import ModelConfig
    from vae_core.data import load_dataset
    from vae_core.generate import subset
    from vae_core.metrics import evaluate
    from vae_core.models import build_model

    cfg = ModelConfig(kind=kind, backbone=backbone, in_channels=1, image_size=28, latent_dim=latent_dim,
                      num_classes=10 if kind == "cvae" else 0, channels=(8, 16, 16, 16), hidden=64)
    model = build_model(cfg, seed=0).eval()
    data = subset(load_dataset("digits"), 300, 100)
    return save(path, model, None, "digits", {}, evaluate(model, data, "test", nll_k=5))


@pytest.mark.parametrize("kind,backbone,latent", [("ae", "conv", None), ("vae", "resconv", 4), ("cvae", "mlp", 3)])
def test_export_then_import_gives_the_same_latents_and_metrics(tmp_path, capsys, kind, backbone, latent):
    from vae_core.checkpoint import load
    from vae_core.data import load_dataset
    from vae_core.generate import subset
    from vae_core.latent import decode_points, encode_dataset
    from vae_core.metrics import evaluate
    from vae_core.model_file import load_model_file
    from vae_core.onnx_file import import_onnx

    ck_path = _our_checkpoint(tmp_path / f"{kind}.safetensors", kind, backbone, latent)
    code, err = run_main(capsys, "export", str(ck_path), "--out", str(tmp_path / f"{kind}.zip"))
    assert code == 0, err
    native = load(ck_path)
    imported = load_model_file(tmp_path / f"{kind}.zip")
    assert (imported.source, imported.has_weights, imported.has_history, imported.train_config) == \
        ("onnx", False, False, None)
    assert imported.model_config.kind == kind and imported.history == {}
    assert imported.model_config.latent_size == native.model_config.latent_size
    data = subset(load_dataset("digits"), 300, 100)
    y = data.y_test
    mu_n, lv_n = encode_dataset(native.model, data.x_test, y)
    mu_i, lv_i = encode_dataset(imported.model, data.x_test, y, batch_size=32, workers=2)
    assert np.abs(mu_n - mu_i).max() < 1e-4
    assert (lv_n is None) == (lv_i is None) and (lv_n is None or np.abs(lv_n - lv_i).max() < 1e-4)
    lab = 3 if kind == "cvae" else None
    assert (decode_points(native.model, mu_n[:20], lab) - decode_points(imported.model, mu_n[:20], lab,
                                                                        workers=2, batch_size=7)).abs().max() < 1e-4
    if kind == "cvae":  # Generate's class mix (a soft one-hot): our export takes class indices, which cannot
        from vae_core.latent import label_path  # carry a mix: refused in one line, never rounded silently

        soft = label_path(3, 7, 20, 10)
        assert native.model.takes_soft_labels and not imported.model.takes_soft_labels
        with pytest.raises(ValueError, match="not soft labels"):
            decode_points(imported.model, mu_n[:20], soft)
    m_n, m_i = evaluate(native.model, data, nll_k=5), evaluate(imported.model, data, nll_k=5)
    for key in ("loss", "recon", "kl", "mse", "psnr", "knn_acc", "nll_is"):
        if key in m_n:
            assert m_i[key] == pytest.approx(m_n[key], rel=1e-4, abs=1e-6), key
    # the Generate and Uses verbs run unchanged on it and agree with the native model
    from vae_core import uses
    from vae_core.generate import posterior_draws

    g = [torch.Generator().manual_seed(1) for _ in range(2)]
    a, b = (posterior_draws(m.model, data.x_test[:1], y[0], 4, gen) for m, gen in zip((native, imported), g))
    assert all((p - q).abs().max() < 1e-4 for p, q in zip(a, b))
    a, b = (uses.anomaly_scores(m.model, data.x_test[:50], y[:50], seed=0) for m in (native, imported))
    assert np.allclose(a["recon"], b["recon"], atol=1e-5) and (a["elbo"] is None) == (b["elbo"] is None)
    a, b = (uses.compression(m.model, data.x_test[:50], y[:50]) for m in (native, imported))
    assert [r["psnr"] for r in a] == pytest.approx([r["psnr"] for r in b], abs=1e-3)
    # the exported graphs, taken out of the zip, import like any other framework's
    with zipfile.ZipFile(tmp_path / f"{kind}.zip") as z:
        z.extract("encoder.onnx", tmp_path)
        z.extract("decoder.onnx", tmp_path)
    _, again = import_onnx(tmp_path / "encoder.onnx", tmp_path / "decoder.onnx", data, tmp_path / "again.zip",
                           "digits", evaluate_kw=None)
    assert again.model.contract == imported.model.contract
    assert json.loads(zipfile.ZipFile(tmp_path / f"{kind}.zip").read("model.json"))["metrics"]["mse"] == \
        pytest.approx(native.metrics["mse"])


def test_an_imported_model_refuses_what_needs_weights_in_one_line(tmp_path, capsys):
    from vae_core.capabilities import NeedsWeightsError
    from vae_core.config import TrainConfig
    from vae_core.data import load_dataset
    from vae_core.model_file import load_model_file
    from vae_core.train import fit

    zip_path = write_zip(tmp_path / "ae.zip", *mlp_pair())
    ck = load_model_file(zip_path)
    with pytest.raises(NeedsWeightsError, match="an imported model does not have them"):
        fit(ck.model, load_dataset("digits"), TrainConfig(dataset="digits", epochs=1))
    assert "layer table" in refused(capsys, "summary", str(zip_path))
    code, err = run_main(capsys, "sample", str(zip_path), "--n", "3", "--out", str(tmp_path / "s.npz"))
    assert code == 0, err
    assert np.load(tmp_path / "s.npz")["images"].shape == (3, 28, 28)


# ------------------------------------------------------------------ hand-built graphs

def _model(nodes, inputs, outputs, inits, opset=17, domains=()) -> bytes:
    g = helper.make_graph(nodes, "g", inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset),
                                            *(helper.make_opsetid(d, 1) for d in domains)])
    m.ir_version = 9
    return m.SerializeToString()


def _vi(name, dims, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, dims)


def mlp_pair(batch="N", d=2, enc_in=784, dec_out=784, w_value=None) -> tuple[bytes, bytes]:
    """A linear AE: x (batch, 784) → z (batch, d) → sigmoid → (batch, 784)."""
    rng = np.random.default_rng(0)
    w1 = rng.normal(0, 0.05, (enc_in, d)).astype(np.float32)
    if w_value is not None:
        w1[:] = w_value
    w2 = rng.normal(0, 0.05, (d, dec_out)).astype(np.float32)
    enc = _model([helper.make_node("MatMul", ["x", "w1"], ["z"])], [_vi("x", [batch, enc_in])], [_vi("z", [batch, d])],
                 [numpy_helper.from_array(w1, "w1")])
    dec = _model([helper.make_node("MatMul", ["z", "w2"], ["h"]), helper.make_node("Sigmoid", ["h"], ["x"])],
                 [_vi("z", [batch, d])], [_vi("x", [batch, dec_out])], [numpy_helper.from_array(w2, "w2")])
    return enc, dec


def write_zip(path: Path, enc: bytes, dec: bytes, extra: dict | None = None) -> Path:
    """A zip of the pair as import-onnx writes it (on digits)."""
    from vae_core.data import load_dataset
    from vae_core.onnx_file import import_onnx

    (path.parent / "e.onnx").write_bytes(enc)
    (path.parent / "d.onnx").write_bytes(dec)
    out, _ = import_onnx(path.parent / "e.onnx", path.parent / "d.onnx", load_dataset("digits"), path, "digits",
                         evaluate_kw=None)
    return out


def test_a_fixed_batch_of_one_runs_row_by_row_and_matches_a_dynamic_batch(tmp_path):
    from vae_core.data import load_dataset
    from vae_core.onnx_file import import_onnx

    data = load_dataset("digits")
    models = []
    for batch in ("N", 1):
        enc, dec = mlp_pair(batch)
        (tmp_path / "e.onnx").write_bytes(enc)
        (tmp_path / "d.onnx").write_bytes(dec)
        models.append(import_onnx(tmp_path / "e.onnx", tmp_path / "d.onnx", data, tmp_path / f"{batch}.zip",
                                  "digits", evaluate_kw=None)[1].model)
    assert models[1].contract.enc_batch1 and not models[0].contract.enc_batch1
    x = data.x_test[:5].float() / 255
    assert torch.equal(models[0].encode(x).mu, models[1].encode(x).mu)
    assert torch.allclose(models[0].reconstruct(x), models[1].reconstruct(x))


def _hostile(tmp_path: Path, enc: bytes, dec: bytes | None = None) -> list[str]:
    (tmp_path / "enc.onnx").write_bytes(enc)
    (tmp_path / "dec.onnx").write_bytes(dec if dec is not None else mlp_pair()[1])
    return ["import-onnx", str(tmp_path / "enc.onnx"), str(tmp_path / "dec.onnx"), "--dataset", "digits",
            "--out", str(tmp_path / "out.zip"), "--no-eval"]


def _external_data_encoder() -> bytes:
    m = onnx.ModelProto.FromString(mlp_pair()[0])
    t = m.graph.initializer[0]
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", "../../../etc/passwd"), ("offset", "0"), ("length", str(784 * 2 * 4))):
        t.external_data.add(key=k, value=v)
    return m.SerializeToString()


def _custom_op_encoder() -> bytes:
    return _model([helper.make_node("Evil", ["x"], ["z"], domain="com.example.evil")], [_vi("x", ["N", 784])],
                  [_vi("z", ["N", 2])], [], domains=("com.example.evil",))


def _huge_initializer_encoder() -> bytes:
    w = TensorProto(name="w1", data_type=TensorProto.FLOAT, dims=[784, 10**9])  # declared, no data
    return _model([helper.make_node("MatMul", ["x", "w1"], ["z"])], [_vi("x", ["N", 784])], [_vi("z", ["N", 2])], [w])


def _huge_intermediate_encoder() -> bytes:
    """ConstantOfShape of a constant [1000, 1000000] (10⁹ numbers), reduced to nothing and added."""
    shape = numpy_helper.from_array(np.array([1000, 10**6], np.int64), "shape")
    axes = numpy_helper.from_array(np.array([0, 1], np.int64), "axes")
    nodes = [helper.make_node("ConstantOfShape", ["shape"], ["big"]),
             helper.make_node("ReduceSum", ["big", "axes"], ["s"], keepdims=0),
             helper.make_node("MatMul", ["x", "w1"], ["z0"]), helper.make_node("Add", ["z0", "s"], ["z"])]
    w1 = numpy_helper.from_array(np.zeros((784, 2), np.float32), "w1")
    return _model(nodes, [_vi("x", ["N", 784])], [_vi("z", ["N", 2])], [shape, axes, w1])


HOSTILE = {  # name: (encoder bytes, decoder bytes or None for the good one, what the one line must say)
    "external data pointing outside": (_external_data_encoder, None, "external data is refused"),
    "custom-domain op": (_custom_op_encoder, None, "imports operator domain 'com.example.evil'"),
    "declared parameters of 10^9": (_huge_initializer_encoder, None, "parameters"),
    "declared tensor of 10^9": (_huge_intermediate_encoder, None, "numbers per image this library allows"),
    "NaN output": (lambda: mlp_pair(w_value=float("nan"))[0], None, "non-finite z/mu"),
    "input does not fit the dataset": (lambda: mlp_pair(enc_in=1024)[0], None, "flatten to 784 numbers"),
    "output does not fit the dataset": (lambda: mlp_pair()[0], lambda: mlp_pair(dec_out=3 * 784)[1],
                                        "flatten to 784 numbers"),
    "latents disagree": (lambda: mlp_pair()[0], lambda: mlp_pair(d=3)[1], "latent sizes disagree"),
    "fixed batch of 8": (lambda: mlp_pair(batch=8)[0], None, "fixed batch of 8"),
    "0-byte file": (lambda: b"", None, "empty file (0 bytes)"),
    "truncated file": (lambda: mlp_pair()[0][:3000], None, "not an ONNX model"),
    "not probabilities": (lambda: mlp_pair()[0], lambda: _model(
        [helper.make_node("MatMul", ["z", "w2"], ["x"])], [_vi("z", ["N", 2])], [_vi("x", ["N", 784])],
        [numpy_helper.from_array(np.full((2, 784), 5.0, np.float32), "w2")]), "--decoder-output logits"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_onnx_files_are_refused_in_one_line(tmp_path, capsys, case):
    enc, dec, needle = HOSTILE[case]
    line = refused(capsys, *_hostile(tmp_path, enc(), dec() if dec else None))
    assert needle in line, line
    assert not (tmp_path / "out.zip").exists()


def test_each_check_is_the_one_that_stops_its_case():
    """Removing a check lets its case through: the NaN graph passes every static check and only the
    trial run refuses it; the external-data one is valid protobuf that onnx.checker accepts when
    its external file is not looked at, so only our own walk refuses it."""
    from vae_core.onnx_file import build_model
    from vae_core.onnx_model import ImportCheckError, check_graph, check_pair

    enc, dec = mlp_pair(w_value=float("nan"))
    _, es = check_graph(enc, "e")
    _, ds = check_graph(dec, "d")
    check_pair(es, ds, (1, 28, 28), 10)
    with pytest.raises(ImportCheckError, match="trial run"):
        build_model(enc, dec, (1, 28, 28), 10, "bce", "probs")
    onnx.checker.check_model(onnx.ModelProto.FromString(_custom_op_encoder()))  # the plain checker lets it be
    with pytest.raises(ImportCheckError, match="domain"):
        check_graph(_custom_op_encoder(), "e")


# ------------------------------------------------------------------ hostile zips

def _zip(path: Path, entries: dict[str, bytes], link: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for n, b in entries.items():
            z.writestr(n, b)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return path


@pytest.fixture()
def good_entries(tmp_path) -> dict[str, bytes]:
    with zipfile.ZipFile(write_zip(tmp_path / "good.zip", *mlp_pair())) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.mark.parametrize("case,needle", [("dotdot", "climbs out"), ("absolute", "absolute path"),
                                         ("extra", "holds those three only"), ("link", "symbolic link"),
                                         ("missing", "lacks decoder.onnx"), ("bomb", "a zip bomb"),
                                         ("kind lie", "the graphs say kind ae"), ("not a zip", "not a readable zip"),
                                         ("bad json", "model.json is not valid JSON")])
def test_hostile_zips_are_refused_in_one_line(tmp_path, capsys, good_entries, case, needle):
    p = tmp_path / "bad.zip"
    e = dict(good_entries)
    if case == "dotdot":
        _zip(p, {**e, "../encoder.onnx": e["encoder.onnx"]})
    elif case == "absolute":
        _zip(p, {**e, "/tmp/x.onnx": b"x"})
    elif case == "extra":
        _zip(p, {**e, "weights.bin": b"x"})
    elif case == "link":
        _zip(p, {k: v for k, v in e.items() if k != "model.json"}, link="model.json")
    elif case == "missing":
        _zip(p, {k: v for k, v in e.items() if k != "decoder.onnx"})
    elif case == "bomb":  # model.json declares fewer bytes than it holds
        _zip(p, e)
        raw = bytearray(p.read_bytes())
        i = raw.rfind(b"PK\x01\x02")  # the last central-directory entry: model.json's
        assert raw[i + 46:i + 56] == b"model.json"
        raw[i + 24:i + 28] = (10).to_bytes(4, "little")  # uncompressed size
        p.write_bytes(bytes(raw))
    elif case == "kind lie":
        meta = json.loads(e["model.json"])
        meta["model"]["kind"] = "vae"
        _zip(p, {**e, "model.json": json.dumps(meta).encode()})
    elif case == "not a zip":
        p.write_bytes(b"PK\x03\x04" + b"\0" * 50)
    elif case == "bad json":
        _zip(p, {**e, "model.json": b"{not json"})
    for cmd in (["info", str(p)], ["evaluate", str(p), "--dataset", "digits"]):
        line = refused(capsys, *cmd)
        assert needle in line, (cmd[0], line)


def test_model_local_functions_are_inlined_at_import_and_then_checked(tmp_path, capsys):
    """jax2onnx's @onnx_function (and some exporters) wrap layers in functions of their own domain:
    import-onnx inlines them (standard operators inside: accepted; a custom one inside: refused)."""
    def with_function(inner_op: str, inner_domain: str = "") -> bytes:
        fn = helper.make_function("mylib", "Linear", ["a", "w"], ["b"],
                                  [helper.make_node(inner_op, ["a", "w"], ["b"], domain=inner_domain)],
                                  [helper.make_opsetid("", 17), *([helper.make_opsetid(inner_domain, 1)]
                                                                 if inner_domain else [])])
        g = helper.make_graph([helper.make_node("Linear", ["x", "w1"], ["z"], domain="mylib")], "g",
                              [_vi("x", ["N", 784])], [_vi("z", ["N", 2])],
                              [numpy_helper.from_array(np.full((784, 2), 0.01, np.float32), "w1")])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("mylib", 1),
                                                *([helper.make_opsetid(inner_domain, 1)] if inner_domain else [])],
                              functions=[fn])
        m.ir_version = 9
        return m.SerializeToString()

    code, err = run_main(capsys, *_hostile(tmp_path, with_function("MatMul")))
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "out.zip") as z:
        stored = onnx.ModelProto.FromString(z.read("encoder.onnx"))
    assert not stored.functions and {o.domain for o in stored.opset_import} == {""}
    (tmp_path / "out.zip").unlink()
    assert "domain 'com.evil'" in refused(capsys, *_hostile(tmp_path, with_function("Evil", "com.evil")))


def test_a_single_onnx_file_is_pointed_to_import_onnx(tmp_path, capsys):
    (tmp_path / "m.onnx").write_bytes(mlp_pair()[0])
    assert "import-onnx" in refused(capsys, "info", str(tmp_path / "m.onnx"))
