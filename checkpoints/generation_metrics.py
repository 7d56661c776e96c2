"""Generation numbers of the shipped models, judged by the shipped classifiers
(checkpoints/classifiers/<dataset>.safetensors, trained on the real training images):

- CVAE: the share of samples asked for class y (N per class, T = 1) that the classifier labels y;
- AE / VAE "holes": the share of prior samples (z ~ N(0, I)) labelled with confidence ≥ 0.9, and
  how many classes their labels cover (exp of the entropy of the predicted-label histogram).

    python checkpoints/generation_metrics.py [--n 1000] [--json-out checkpoints/generation.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this vae_core, from any folder
from vae_core import classifier  # noqa: E402
from vae_core.checkpoint import load  # noqa: E402
from vae_core.generate import confident_share, effective_classes  # noqa: E402

CKPT = Path(__file__).resolve().parent


def measure(n: int = 1000, seed: int = 0) -> dict:
    torch.set_num_threads(1)
    out: dict = {"classifiers": {}, "cvae": {}, "holes": {}, "n": n, "seed": seed}
    for f in sorted((CKPT / "classifiers").glob("*.safetensors")):
        _, meta = classifier.load(f)
        out["classifiers"][f.stem] = meta["test_acc"]
    for f in sorted(CKPT.glob("*.safetensors")):
        ck = load(f)
        ds = ck.meta["dataset"]["name"]
        judge_file = CKPT / "classifiers" / f"{ds}.safetensors"
        if not judge_file.is_file() or ck.model_config.latent_dim is None:
            continue
        judge, _ = classifier.load(judge_file)
        g = torch.Generator().manual_seed(seed)
        with torch.inference_mode():
            if ck.model.conditional:
                k = ck.model_config.num_classes
                y = torch.arange(n * k) % k
                probs = classifier.probabilities(judge, ck.model.sample(n * k, g, y))
                per_class = [float((probs[y == c].argmax(1) == c).float().mean()) for c in range(k)]
                out["cvae"][f.name] = {"accuracy": float((probs.argmax(1) == y).float().mean()),
                                       "per_class": per_class, "confident": confident_share(probs.numpy())}
            else:
                probs = classifier.probabilities(judge, ck.model.sample(n, g)).numpy()
                out["holes"][f.name] = {"confident": confident_share(probs), "classes": effective_classes(probs)}
        print(f.name, out["cvae"].get(f.name) or out["holes"].get(f.name), file=sys.stderr, flush=True)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000, help="samples per class (CVAE) or per model")
    p.add_argument("--json-out", default=None)
    a = p.parse_args()
    res = measure(a.n)
    text = json.dumps(res, indent=1)
    if a.json_out:
        Path(a.json_out).write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
