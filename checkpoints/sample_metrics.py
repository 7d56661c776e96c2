"""Metrics of every shipped checkpoint on its dataset's shipped test sample (2,000 images), with
``evaluate(..., nll_k=5)``: a fingerprint that any later version of the code must reproduce
(tests/test_shipped.py compares). The values of the 13 files shipped before the model-kind
refactor were recorded with that earlier code (commit c469a25); the new code gives them bit for bit.

    python checkpoints/sample_metrics.py checkpoints > checkpoints/sample_metrics.json
"""
import json
import sys
from pathlib import Path
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this vae_core, from any folder
from vae_core.checkpoint import load
from vae_core.data import BUILTIN, load_npz
from vae_core.metrics import evaluate
torch.set_num_threads(1)
ck_dir = Path(sys.argv[1])
out = {}
for f in sorted(ck_dir.glob("*.safetensors")):
    ck = load(f)
    name = ck.meta["dataset"]["name"]
    data = load_npz(ck_dir / "samples" / f"{name}.npz", name, BUILTIN[name].classes, require_train=False)
    beta = ck.train_config.beta if ck.train_config else 1.0
    m = evaluate(ck.model, data, "test", beta, nll_k=5)
    out[f.name] = {k: m[k] for k in ("loss", "recon", "kl", "mse", "psnr", "nll_is") if m.get(k) is not None}
    print(f.name, out[f.name], file=sys.stderr, flush=True)
print(json.dumps(out, indent=1, sort_keys=True))
