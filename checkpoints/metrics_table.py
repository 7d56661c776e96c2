"""Print the markdown table of test metrics for every shipped checkpoint.

    VAE_EXPLORER_DATA=../shared/data python checkpoints/metrics_table.py            # runs evaluate
    python checkpoints/metrics_table.py --from-metadata                              # no data needed
    python checkpoints/metrics_table.py --from-json checkpoints/metrics.jsonl         # saved evaluate output

By default it runs ``python -m vae_core evaluate FILE --json`` (full test split, nll_k=100)
for every file, one at a time, and writes the raw JSON lines to ``--json-out``. With
``--from-metadata`` it reads the metrics that training stored in each file instead; they come
from the same function with the same seed (``vae_core.metrics.evaluate``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from vae_core.checkpoint import info  # noqa: E402
from vae_core.zoo import ZOO  # noqa: E402


def _fmt(v, nd=2):
    return "—" if v is None else f"{v:.{nd}f}"


def row(file: str, m: dict, meta: dict) -> str:
    e = next((z for z in ZOO if z.file == file), None)
    mod = meta["model"]
    latent = mod["latent_dim"] or "96×2×2"
    kind = mod["kind"].upper()
    epochs = len(meta.get("history", {}).get("epoch", []))
    secs = (meta.get("metrics") or {}).get("train_seconds")
    knn = m.get("knn_acc")
    return (f"| `{file}` | {kind} | {latent} | {mod['backbone']} | {','.join(map(str, mod['channels']))} | "
            f"{mod['num_params']:,} | "
            f"{meta['file_bytes'] / 1e6:.2f} | {epochs} | {e.seed if e else meta['train']['seed']} | "
            f"{_fmt(secs, 0)} | {_fmt(m['loss'])} | {_fmt(m['recon'])} | {_fmt(m['kl'])} | {m['mse']:.5f} | "
            f"{_fmt(m['psnr'])} | {_fmt(None if knn is None else 100 * knn, 1)} | "
            f"{_fmt(m.get('nll_is'))} |")


HEADER = ("| file | model | latent | backbone | channels | params | MB | epochs | seed | train s | loss | recon | KL | "
          "MSE/pixel | PSNR dB | 5-NN acc % | NLL (IS, K=100) |\n"
          "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", default=str(HERE), help="checkpoint folder (default: this one)")
    p.add_argument("--from-metadata", action="store_true", help="use the metrics stored in each file")
    p.add_argument("--json-out", default=None, help="write evaluate's JSON lines here")
    p.add_argument("--from-json", default=None, help="read evaluate's JSON lines from this file instead")
    a = p.parse_args(argv)
    saved = {}
    if a.from_json:
        for line in Path(a.from_json).read_text().splitlines():
            if line.strip():
                m = json.loads(line)
                saved[Path(m["file"]).name] = m
    order = {z.file: i for i, z in enumerate(ZOO)}
    files = sorted(Path(a.dir).glob("*.safetensors"), key=lambda f: (order.get(f.name, 99), f.name))
    rows, lines = [], []
    for f in files:
        meta = info(f)
        if a.from_metadata:
            m = meta["metrics"]
        elif a.from_json:
            m = saved[f.name]
        else:
            out = subprocess.run([sys.executable, "-m", "vae_core", "evaluate", str(f), "--json"],
                                 check=True, capture_output=True, text=True, cwd=HERE.parent).stdout
            m = json.loads(out)
            m["file"] = f.name
            lines.append(json.dumps(m))
            print(f"evaluated {f.name}", file=sys.stderr, flush=True)
        rows.append(row(f.name, m, meta))
    if a.json_out:
        Path(a.json_out).write_text("\n".join(lines) + "\n")
    print(HEADER)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
