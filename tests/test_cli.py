"""The command line, run as a user runs it: ``python -m vae_core ...`` in a subprocess."""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

REFERENCE_ROWS = """\
Conv2d-1           [-1, 12, 16, 16]      588
ReLU-2             [-1, 12, 16, 16]        0
Conv2d-3           [-1, 24, 8, 8]      4,632
ReLU-4             [-1, 24, 8, 8]          0
Conv2d-5           [-1, 48, 4, 4]     18,480
ReLU-6             [-1, 48, 4, 4]          0
Conv2d-7           [-1, 96, 2, 2]     73,824
ReLU-8             [-1, 96, 2, 2]          0
ConvTranspose2d-9  [-1, 48, 4, 4]     73,776
ReLU-10            [-1, 48, 4, 4]          0
ConvTranspose2d-11 [-1, 24, 8, 8]     18,456
ReLU-12            [-1, 24, 8, 8]          0
ConvTranspose2d-13 [-1, 12, 16, 16]    4,620
ReLU-14            [-1, 12, 16, 16]        0
ConvTranspose2d-15 [-1, 3, 32, 32]       579
Sigmoid-16         [-1, 3, 32, 32]         0"""


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "vae_core", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def norm(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip())


def test_summary_matches_the_reference_row_by_row():
    r = cli("summary", "--model", "ae", "--backbone", "conv")
    assert r.returncode == 0, r.stderr
    rows = [norm(l) for l in r.stdout.splitlines() if re.match(r"^\w+-\d+\s", l)]
    assert rows == [norm(l) for l in REFERENCE_ROWS.splitlines()]
    assert "Total params: 194,955" in r.stdout


def test_summary_of_other_models_is_computed_from_the_module():
    r = cli("summary", "--model", "vae", "--backbone", "mlp", "--in-channels", "1", "--image-size", "28",
            "--latent-dim", "20")
    assert r.returncode == 0, r.stderr
    assert "Linear-2" in r.stdout and "[-1, 400]" in r.stdout and "[-1, 1, 28, 28]" in r.stdout
    assert "Total params: 652,824" in r.stdout  # the classic PyTorch example's VAE


def test_backbone_choices_come_from_the_config():
    from vae_core.__main__ import build_parser
    from vae_core.config import BACKBONES

    p = build_parser()
    for b in BACKBONES:
        assert p.parse_args(["summary", "--backbone", b]).backbone == b
    assert p.parse_args(["summary"]).backbone == "conv"
    r = cli("summary", "--model", "vae", "--backbone", "resconv", "--in-channels", "1", "--image-size", "28",
            "--latent-dim", "16", "--channels", "16,32,64,128")
    assert r.returncode == 0, r.stderr
    assert "Total params: 1,156,289" in r.stdout and "[-1, 1, 32, 32]" in r.stdout  # padded 28 → 32 inside
    r = cli("summary", "--model", "ae", "--backbone", "resconv", "--latent-dim", "0")
    assert r.returncode == 2 and "only for a conv AE" in r.stderr and "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "d.safetensors"
    r = cli("train", "--dataset", "digits", "--model", "vae", "--backbone", "conv", "--latent-dim", "2",
            "--epochs", "1", "--batch-size", "64", "--lr", "1e-3", "--seed", "0", "--out", str(out),
            "--nll-k", "4", "--threads", "1")
    assert r.returncode == 0, r.stderr
    assert "epoch   1" in r.stderr and "step" in r.stderr  # the progress bar and the epoch line
    return out


def test_train_writes_a_file_and_evaluate_json_parses(trained):
    assert trained.is_file()
    r = cli("evaluate", str(trained), "--dataset", "digits", "--json", "--nll-k", "4")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    for k in ("loss", "recon", "kl", "mse", "psnr", "knn_acc", "nll_is", "nll_k"):
        assert isinstance(m[k], (int, float)), k
    assert m["nll_k"] == 4 and m["kind"] == "vae" and m["n"] == 359


def test_info_json(trained):
    r = cli("info", str(trained), "--json")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert (m["kind"], m["backbone"], m["latent_dim"], m["image_shape"], m["epochs"]) == \
        ("vae", "conv", 2, [1, 28, 28], 1)
    assert m["dataset"]["name"] == "digits" and "loss" in m["metrics"]
    # what the final metrics were computed on (train's defaults: <= 2,000 images, <= 10,000 neighbours)
    assert (m["metrics"]["nll_k"], m["metrics"]["nll_n"], m["metrics"]["knn_n"]) == (4, 359, 1438)
    human = cli("info", str(trained))
    assert human.returncode == 0 and "vae/conv" in human.stdout


def test_evaluate_reproduces_the_recorded_metrics_and_takes_the_same_sizes(trained):
    rec = json.loads(cli("info", str(trained), "--json").stdout)["metrics"]
    r = cli("evaluate", str(trained), "--json", "--nll-k", "4", "--threads", "1")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    for k in ("loss", "nll_is", "knn_acc", "nll_n", "knn_n"):
        assert m[k] == pytest.approx(rec[k], rel=1e-6), k
    r = cli("evaluate", str(trained), "--json", "--nll-k", "4", "--eval-images", "100", "--knn-train", "500")
    m = json.loads(r.stdout)
    assert (m["nll_n"], m["knn_n"], m["n"]) == (100, 500, 359)


@pytest.mark.parametrize("args,needle", [
    (["train", "--dataset", "digits", "--out", "x.safetensors", "--epochs", "zero"], "--epochs"),
    (["train", "--dataset", "digits", "--out", "x.pt"], ".safetensors"),
    (["train", "--dataset", "nope", "--out", "x.safetensors"], "unknown dataset"),
    (["train", "--dataset", "digits", "--model", "vae", "--latent-dim", "0", "--out", "x.safetensors"], "latent_dim"),
    (["summary", "--model", "gan"], "invalid choice"),
    (["evaluate", "missing.safetensors"], "missing.safetensors"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, needle):
    r = cli(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert needle in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not list(tmp_path.glob("x.*"))


def test_missing_dataset_offline_exits_2(tmp_path):
    r = cli("train", "--dataset", "cifar10", "--no-download", "--data-dir", str(tmp_path), "--out",
            str(tmp_path / "c.safetensors"))
    assert r.returncode == 2 and "cifar10.npz" in r.stderr and "Traceback" not in r.stderr


class Payload:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


MARKER = ""


@pytest.mark.parametrize("name", ["evil.pt", "evil.safetensors"])
def test_info_on_a_crafted_pickle_exits_2_and_runs_nothing(tmp_path, name):
    global MARKER
    MARKER = str(tmp_path / "PWNED")
    p = tmp_path / name
    p.write_bytes(pickle.dumps(Payload()))
    for cmd in (["info", str(p)], ["evaluate", str(p), "--dataset", "digits"], ["summary", str(p)]):
        r = cli(*cmd)
        assert r.returncode == 2, r.stderr
        assert "pickle" in r.stderr and "Traceback" not in r.stderr
    assert not Path(MARKER).exists()


def test_evaluate_refuses_a_dataset_of_another_shape(trained, tmp_path):
    import numpy as np

    np.savez(tmp_path / "rgb.npz", x_train=np.zeros((6, 32, 32, 3), np.uint8), y_train=np.zeros(6, np.uint8),
             x_test=np.zeros((6, 32, 32, 3), np.uint8), y_test=np.zeros(6, np.uint8))
    r = cli("evaluate", str(trained), "--dataset", f"npz:{tmp_path / 'rgb.npz'}")
    assert r.returncode == 2 and "expects images" in r.stderr
