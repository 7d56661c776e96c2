"""Generation numbers of the shipped models, judged by the shipped classifiers
(checkpoints/classifiers/<dataset>.safetensors, trained on the real training images):

- CVAE: the share of samples asked for class y (N per class, T = 1) that the classifier labels y;
- AE / VAE "holes": the share of prior samples (z ~ N(0, I)) labelled with confidence ≥ 0.9, and
  how many classes their labels cover (exp of the entropy of the predicted-label histogram).

    python checkpoints/generation_metrics.py [--n 1000] [--json-out checkpoints/generation.json]
    python checkpoints/generation_metrics.py --only checkpoints/mnist-cvae-16d.safetensors \\
        --json-out checkpoints/generation.json      # one model, the others' entries kept
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


def measure_file(f: Path, n: int = 1000, seed: int = 0) -> tuple[str, dict] | None:
    """("cvae" | "holes", numbers) for one checkpoint, or None where its dataset has no judge."""
    torch.set_num_threads(1)
    ck = load(f)
    ds = ck.meta["dataset"]["name"]
    judge_file = CKPT / "classifiers" / f"{ds}.safetensors"
    if not judge_file.is_file() or ck.model_config.latent_dim is None:
        return None
    judge, _ = classifier.load(judge_file)
    g = torch.Generator().manual_seed(seed)
    with torch.inference_mode():
        if ck.model.conditional:
            k = ck.model_config.num_classes
            y = torch.arange(n * k) % k
            probs = classifier.probabilities(judge, ck.model.sample(n * k, g, y))
            per_class = [float((probs[y == c].argmax(1) == c).float().mean()) for c in range(k)]
            return "cvae", {"accuracy": float((probs.argmax(1) == y).float().mean()),
                            "per_class": per_class, "confident": confident_share(probs.numpy())}
        probs = classifier.probabilities(judge, ck.model.sample(n, g)).numpy()
        return "holes", {"confident": confident_share(probs), "classes": effective_classes(probs)}


def measure(n: int = 1000, seed: int = 0, files: list[Path] | None = None, into: dict | None = None) -> dict:
    """Every shipped checkpoint (or only ``files``, any path, keyed by file name), merged into ``into``
    (a previous output with the same n and seed) when given."""
    torch.set_num_threads(1)
    out: dict = into if into is not None else {"classifiers": {}, "cvae": {}, "holes": {}}
    if (out.get("n", n), out.get("seed", seed)) != (n, seed):
        raise SystemExit(f"error: the output to update was measured with n={out['n']}, seed={out['seed']}")
    out.update(n=n, seed=seed)
    for f in sorted((CKPT / "classifiers").glob("*.safetensors")):
        _, meta = classifier.load(f)
        out["classifiers"][f.stem] = meta["test_acc"]
    for f in files if files is not None else sorted(CKPT.glob("*.safetensors")):
        res = measure_file(Path(f), n, seed)
        if res is None:
            continue
        out[res[0]][Path(f).name] = res[1]
        print(Path(f).name, res[1], file=sys.stderr, flush=True)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000, help="samples per class (CVAE) or per model")
    p.add_argument("--json-out", default=None)
    p.add_argument("--only", nargs="+", metavar="FILE", default=None,
                   help="measure only these checkpoints and update --json-out's other entries in place")
    a = p.parse_args()
    into = None
    if a.only and a.json_out and Path(a.json_out).is_file():
        into = json.loads(Path(a.json_out).read_text())
    res = measure(a.n, files=a.only, into=into)
    text = json.dumps(res, indent=1)
    if a.json_out:
        Path(a.json_out).write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
