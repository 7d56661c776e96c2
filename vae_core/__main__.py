"""The command line: ``python -m vae_core {summary,train,evaluate,info,sample,import-onnx,export}``.

``evaluate``, ``info``, ``sample`` (and ``summary``, which refuses it) take a ``.safetensors`` checkpoint
or an imported-model ``.zip`` (vae_core.model_file dispatches by suffix).

Errors (bad arguments, missing data, bad files) exit with code 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import __version__
from .config import BACKBONES, DEVICES, KINDS, LR_SCHEDULES, PRECISIONS, RECON_LOSSES, ModelConfig, TrainConfig


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints the whole usage)
        raise UsageError(f"{self.prog}: {message}")


def _channels(s: str) -> tuple[int, ...]:
    try:
        return tuple(int(c) for c in s.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 12,24,48,96, got {s!r}") from None


def _positive(kind):
    def parse(s: str):
        try:
            v = kind(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {s!r}") from None
        if v <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {s}")
        return v
    return parse


def _count(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (all) or more, got {s}")
    return v


MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed takes a signed 64-bit integer


def _seed(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        v = None
    if v is None or not 0 <= v <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be a whole number in 0..{MAX_SEED}, got {s!r}")
    return v


def _add_eval_size_args(p: argparse.ArgumentParser, eval_images: int, knn_train: int) -> None:
    p.add_argument("--eval-images", type=_count, default=eval_images,
                   help=f"images of the split for the IS-NLL, a seeded random subset; 0 = all (default {eval_images})")
    p.add_argument("--knn-train", type=_count, default=knn_train,
                   help=f"train latents the 5-NN votes among, a seeded random subset; 0 = all (default {knn_train})")


def _eval_sizes(a) -> dict:
    return {"nll_n": a.eval_images or None, "knn_n": a.knn_train or None}


def _add_model_args(p: argparse.ArgumentParser, latent_default: int | None) -> None:
    p.add_argument("--model", choices=KINDS, default="vae", help=" | ".join(KINDS) + " (cvae: conditioned on the label)")
    p.add_argument("--backbone", choices=BACKBONES, default="conv")
    p.add_argument("--latent-dim", type=int, default=latent_default,
                   help="size of the latent vector; 0 = no bottleneck (conv AE: the 96×2×2 map)")
    p.add_argument("--channels", type=_channels, default=None, help="conv / resconv widths (default 12,24,48,96)")
    p.add_argument("--hidden", type=_positive(int), default=400, help="MLP hidden width")
    p.add_argument("--recon-loss", choices=RECON_LOSSES, default="bce")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m vae_core", description="Train, evaluate and inspect AE/VAE checkpoints.")
    p.add_argument("--version", action="version", version=f"vae_core {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("summary", help="print the layer table of a model or a checkpoint")
    s.add_argument("file", nargs="?", help="a .safetensors checkpoint (otherwise build from the options)")
    _add_model_args(s, None)
    s.set_defaults(model="ae")
    s.add_argument("--in-channels", type=int, default=3)
    s.add_argument("--image-size", type=int, default=32)

    t = sub.add_parser("train", help="train a model and save it as .safetensors")
    t.add_argument("--dataset", required=True, help="digits, mnist, fashion-mnist, cifar10, npz:PATH or folder:PATH")
    _add_model_args(t, 16)
    t.add_argument("--epochs", type=_positive(int), default=10)
    t.add_argument("--batch-size", type=_positive(int), default=128)
    t.add_argument("--lr", type=_positive(float), default=1e-3)
    t.add_argument("--lr-schedule", choices=LR_SCHEDULES, default="constant",
                   help="cosine: the learning rate falls per step from --lr along half a cosine towards 0")
    t.add_argument("--seed", type=_seed, default=0)
    t.add_argument("--beta", type=float, default=1.0, help="weight of the KL term (VAE)")
    t.add_argument("--kl-warmup", type=float, default=0.0, help="epochs over which beta ramps up from 0")
    t.add_argument("--out", required=True, help="output FILE.safetensors")
    t.add_argument("--data-dir", default=None)
    t.add_argument("--no-download", action="store_true", help="fail instead of downloading a missing dataset")
    t.add_argument("--device", choices=DEVICES, default="auto")
    t.add_argument("--precision", choices=PRECISIONS, default="fp32",
                   help="bf16: forward pass under autocast in bfloat16 (opt-in; see README, Performance)")
    t.add_argument("--image-size", type=int, default=None, help="folder:/digits datasets: resize to this")
    t.add_argument("--in-channels", type=int, choices=(1, 3), default=None, help="folder: datasets: 1 grey or 3 RGB")
    t.add_argument("--nll-k", type=_positive(int), default=100, help="importance samples for the final NLL")
    _add_eval_size_args(t, 2000, 10_000)  # final metrics cheaper than the training; `evaluate` measures all
    t.add_argument("--threads", type=_positive(int), default=None,
                   help="CPU threads for torch (default: torch's choice; 1 is faster on a shared machine)")
    t.add_argument("--no-eval", action="store_true", help="skip the final test metrics")
    t.add_argument("--noise", default="", metavar="KIND:STRENGTH",
                   help="denoising: train on corrupted inputs with the clean image as the target "
                        "(gaussian:0.3 or saltpepper:0.2)")

    e = sub.add_parser("evaluate", help="metrics of a checkpoint on a dataset split")
    e.add_argument("file")
    e.add_argument("--dataset", default=None, help="default: the dataset it was trained on")
    e.add_argument("--split", choices=("train", "test"), default="test")
    e.add_argument("--json", action="store_true")
    e.add_argument("--nll-k", type=_positive(int), default=100)
    _add_eval_size_args(e, 0, 0)
    e.add_argument("--data-dir", default=None)
    e.add_argument("--no-download", action="store_true")
    e.add_argument("--device", choices=DEVICES, default="auto")
    e.add_argument("--threads", type=_positive(int), default=None, help="CPU threads for torch")

    i = sub.add_parser("info", help="what a checkpoint holds, without running anything from it")
    i.add_argument("file")
    i.add_argument("--json", action="store_true")

    g = sub.add_parser("sample", help="decode draws from the prior N(0, T²I) and save them as uint8 images")
    g.add_argument("file")
    g.add_argument("--n", type=_positive(int), default=16, help="how many images (at most 100,000)")
    g.add_argument("--label", type=int, default=None,
                   help="conditional models: the class to generate (default: cycle through every class)")
    g.add_argument("--temperature", type=float, default=1.0, help="the scale T of ε (z = T·ε); 0 ≤ T ≤ 10")
    g.add_argument("--seed", type=_seed, default=0)
    g.add_argument("--out", required=True, help="output X.npz: images (uint8 N×H×W or N×H×W×C) [, labels]")
    g.add_argument("--device", choices=DEVICES, default="cpu")

    m = sub.add_parser("import-onnx", help="check an ONNX encoder/decoder pair and write it as one .zip")
    m.add_argument("encoder", help="ENCODER.onnx: images (N,C,H,W) or (N,C·H·W) [, label] → z, or mu and logvar")
    m.add_argument("decoder", help="DECODER.onnx: z (N,d) [, label] → images (N,C,H,W) or (N,C·H·W)")
    m.add_argument("--dataset", required=True, help="the data it models: digits, mnist, fashion-mnist, cifar10, "
                                                    "npz:PATH or folder:PATH")
    m.add_argument("--out", required=True, help="output FILE.zip")
    m.add_argument("--name", default=None, help="a name to show (default: the file name)")
    m.add_argument("--decoder-output", choices=("probs", "logits"), default="probs",
                   help="probs: images in [0, 1] (default); logits: a sigmoid is applied here")
    m.add_argument("--recon-loss", choices=RECON_LOSSES, default=None,
                   help="the likelihood for the metrics: bce (Bernoulli, default for 1 channel) or mse (Gaussian)")
    m.add_argument("--nll-k", type=_positive(int), default=100)
    _add_eval_size_args(m, 2000, 10_000)
    m.add_argument("--no-eval", action="store_true", help="skip measuring the metrics")
    m.add_argument("--data-dir", default=None)
    m.add_argument("--no-download", action="store_true")
    m.add_argument("--image-size", type=int, default=None, help="folder:/digits datasets: resize to this")
    m.add_argument("--in-channels", type=int, choices=(1, 3), default=None, help="folder: datasets: 1 grey or 3 RGB")
    m.add_argument("--threads", type=_positive(int), default=None, help="CPU threads for torch and onnxruntime")

    x = sub.add_parser("export", help="write a .safetensors model as an ONNX encoder/decoder .zip")
    x.add_argument("file", help="a .safetensors checkpoint (ae, vae or cvae; any backbone)")
    x.add_argument("--out", required=True, help="output FILE.zip")
    x.add_argument("--name", default=None, help="a name to show (default: the file name)")
    return p


def _model_config(a, in_channels: int, image_size: int, num_classes: int = 10) -> ModelConfig:
    from .config import REFERENCE_CHANNELS
    from .kinds import kind

    latent = None if a.latent_dim == 0 else a.latent_dim
    return ModelConfig(kind=a.model, backbone=a.backbone, in_channels=in_channels, image_size=image_size,
                       latent_dim=latent, channels=a.channels or REFERENCE_CHANNELS, hidden=a.hidden,
                       recon_loss=a.recon_loss, num_classes=num_classes if kind(a.model).conditional else 0)


def cmd_summary(a) -> int:
    from .models import build_model
    from .summary import format_table, layer_table

    if a.file:
        from .model_file import load_model_file

        model = load_model_file(a.file).model  # an imported model: layer_table refuses it in one line
    else:
        if a.latent_dim is None:
            a.latent_dim = 0 if (a.model == "ae" and a.backbone == "conv") else 16
        model = build_model(_model_config(a, a.in_channels, a.image_size))
    print(format_table(layer_table(model, model.config.image_shape), model))
    return 0


def _load_data(name: str, a, image_size: int | None = None, channels: int | None = None):
    from .data import load_dataset

    return load_dataset(name, a.data_dir, download=not a.no_download, image_size=image_size, channels=channels)


def cmd_train(a) -> int:
    """Train and save. Under torchrun (``vae_core.distributed``) every process trains its shard with
    DDP; rank 0 alone prints, evaluates and writes the checkpoint, the others write nothing."""
    from . import distributed
    from .checkpoint import check_writable
    from .data import check_image_args

    check_image_args(a.image_size, a.in_channels)  # before anything is read or allocated
    out = Path(a.out)
    if out.suffix != ".safetensors":
        raise UsageError(f"--out must end in .safetensors, got {out.name}")
    check_writable(out)  # fail now, not after training
    tcfg = TrainConfig(dataset=a.dataset, epochs=a.epochs, batch_size=a.batch_size, lr=a.lr,
                       lr_schedule=a.lr_schedule, seed=a.seed, beta=a.beta, kl_warmup_epochs=a.kl_warmup,
                       device=a.device, precision=a.precision, noise=a.noise)
    data = _load_data(a.dataset, a, a.image_size, a.in_channels)
    c, h, w = data.image_shape
    if h != w:
        raise UsageError(f"images must be square, {a.dataset} has {h}×{w}")
    ctx = distributed.init(a.device) if distributed.launched() else None
    try:
        return _train(a, out, tcfg, data, ctx)
    finally:
        distributed.shutdown(ctx)


def _train(a, out: Path, tcfg: TrainConfig, data, ctx) -> int:
    from tqdm import tqdm

    from .checkpoint import save
    from .device import resolve_device
    from .metrics import evaluate
    from .models import build_model, check_size
    from .train import fit

    c, h, _ = data.image_shape
    mcfg = _model_config(a, c, h, len(data.classes))
    check_size(mcfg)  # the parameter cap, from a meta-device build, before any weight is allocated
    model = build_model(mcfg, seed=a.seed)  # the same weights on every rank (DDP broadcasts rank 0's anyway)
    if ctx is not None and not ctx.is_main:  # a worker: train its shard, print and write nothing
        fit(model, data, tcfg, dist=ctx)
        return 0
    device = resolve_device(a.device) if ctx is None else ctx.device
    world = 1 if ctx is None else ctx.world_size
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{mcfg.kind}/{mcfg.backbone} latent={mcfg.latent_dim or 'feature map'} params={n_params:,} "
          f"on {a.dataset} {tuple(data.image_shape)} train={len(data.x_train):,} test={len(data.x_test):,} "
          f"device={device}" + (f" processes={world} ({ctx.backend}, {a.batch_size // world} images each per step)"
                                if ctx is not None else ""), file=sys.stderr)
    steps = -(-(len(data.x_train) // world) // max(1, a.batch_size // world))
    bar = tqdm(total=a.epochs * steps, unit="step", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)

    def progress(p):
        if p.event == "step":
            bar.update(1)
            bar.set_postfix(epoch=f"{p.epoch}/{p.epochs}", loss=f"{p.losses['loss']:.2f}", refresh=False)
        else:
            te = p.history.test["loss"][-1] if p.history.test["loss"] else float("nan")
            bar.write(f"epoch {p.epoch:3d}  train {p.losses['loss']:.3f} (recon {p.losses['recon']:.3f} "
                      f"kl {p.losses['kl']:.3f})  test {te:.3f}  {p.images_per_second:,.0f} img/s", file=sys.stderr)

    t0 = time.perf_counter()
    try:
        hist = fit(model, data, tcfg, progress, dist=ctx)
    finally:
        bar.close()
    train_s = time.perf_counter() - t0
    metrics = {}
    if not a.no_eval:
        metrics = evaluate(model, data, "test", tcfg.beta, nll_k=a.nll_k, **_eval_sizes(a))
    metrics["train_seconds"] = round(train_s, 2)
    save(out, model, tcfg, a.dataset, hist.to_dict(), metrics,
         extra=None if ctx is None else {"distributed": ctx.describe()})
    shown = {k: round(v, 4) for k, v in metrics.items() if isinstance(v, float)}
    print(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB) in {train_s:.1f}s  {shown}", file=sys.stderr)
    return 0


def cmd_evaluate(a) -> int:
    from .data import check_compatible
    from .device import resolve_device
    from .metrics import evaluate
    from .model_file import load_model_file

    ck = load_model_file(a.file, resolve_device(a.device), threads=a.threads or 1)
    name = a.dataset or ck.dataset
    if not name:
        raise UsageError(f"{Path(a.file).name} does not record its dataset; pass --dataset")
    cfg = ck.model_config
    data = _load_data(name, a, cfg.image_size if name == "digits" or name.startswith("folder:") else None,
                      cfg.in_channels if name.startswith("folder:") else None)
    check_compatible(cfg, data)
    beta = ck.train_config.beta if ck.train_config else 1.0
    m = evaluate(ck.model, data, a.split, beta, nll_k=a.nll_k, **_eval_sizes(a))
    m = {"file": str(a.file), "dataset": name, "kind": cfg.kind, **m}
    if a.json:
        print(json.dumps(m))
    else:
        for k, v in m.items():
            if k != "kl_per_dim":
                print(f"{k:>10}  {v:.4f}" if isinstance(v, float) else f"{k:>10}  {v}")
    return 0


def cmd_info(a) -> int:
    from .model_file import model_file_info

    meta = model_file_info(a.file)
    m = meta["model"]
    meta = {**meta, "kind": m.get("kind"), "backbone": m.get("backbone"), "latent_dim": m.get("latent_dim"),
            "image_shape": meta["dataset"].get("image_shape"), "epochs": len(meta.get("history", {}).get("epoch", [])),
            "source": "onnx" if m.get("backbone") == "onnx" else "vae_core"}  # vae_core.kinds.SOURCES
    if a.json:
        print(json.dumps(meta))
        return 0
    print(f"{Path(a.file).name}: {m['kind']}/{m['backbone']}, latent {m['latent_dim'] or 'feature map'}, "
          f"{m.get('num_params', 0):,} parameters, {meta['file_bytes'] / 1e6:.2f} MB")
    made = (f"{meta['epochs']} epochs" if meta["source"] == "vae_core"
            else f"ONNX via {meta.get('origin')}, opset {meta.get('onnx', {}).get('encoder', {}).get('opset')}")
    print(f"  dataset {meta['dataset'].get('name')} {meta['image_shape']}, {made}, "
          f"created {meta.get('created')}, vae_core {meta.get('library_version')}")
    if not meta["weights_finite"]:
        print(f"  WARNING: tensor {meta['non_finite_tensor']} holds NaN or infinite weights: this model cannot run "
              "and cannot be loaded; the metrics below were recorded before")
    for k, v in (meta.get("metrics") or {}).items():
        if isinstance(v, (int, float)):
            print(f"  {k:>14}  {v:.4f}" if isinstance(v, float) else f"  {k:>14}  {v}")
    return 0


MAX_SAMPLES = 100_000


def cmd_sample(a) -> int:
    import numpy as np
    import torch

    from .device import resolve_device
    from .files import atomic_write
    from .latent import to_uint8_images
    from .model_file import load_model_file

    out = Path(a.out)
    if out.suffix != ".npz":
        raise UsageError(f"--out must end in .npz, got {out.name}")
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder; give a file name ending in .npz")
    blocked = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise UsageError(f"--out {out}: {blocked} is a file, not a folder")
    if a.n > MAX_SAMPLES:
        raise UsageError(f"--n must be at most {MAX_SAMPLES:,}, got {a.n:,}")
    if not 0 <= a.temperature <= 10:
        raise UsageError(f"--temperature must be in [0, 10], got {a.temperature}")
    ck = load_model_file(a.file, resolve_device(a.device))
    model, cfg = ck.model, ck.model_config
    labels = None
    if model.conditional:
        if a.label is not None and not 0 <= a.label < cfg.num_classes:
            raise UsageError(f"--label must be in 0..{cfg.num_classes - 1} for this model, got {a.label}")
        labels = (torch.full((a.n,), a.label) if a.label is not None else torch.arange(a.n) % cfg.num_classes)
    elif a.label is not None:
        raise UsageError(f"--label needs a conditional model; {Path(a.file).name} is a {cfg.kind}")
    gen = torch.Generator().manual_seed(a.seed)
    images = []
    with torch.inference_mode():
        for i in range(0, a.n, 1000):  # bounded memory; the z draws follow one generator, so batching changes nothing
            y = None if labels is None else labels[i:i + 1000]
            images.append(to_uint8_images(model.sample(min(1000, a.n - i), gen, y, a.temperature).cpu()))
    arrays = {"images": np.concatenate(images)}
    if labels is not None:
        arrays["labels"] = labels.numpy().astype(np.int64)
    atomic_write(out, lambda f: np.savez(f, **arrays))  # a unique temp file, then os.replace
    print(f"saved {out}: {a.n} images {arrays['images'].shape[1:]}"
          + (f", labels {sorted(set(arrays['labels'].tolist()))}" if labels is not None else ""), file=sys.stderr)
    return 0


def cmd_import_onnx(a) -> int:
    from .onnx_file import import_onnx

    out = Path(a.out)
    if out.suffix != ".zip":
        raise UsageError(f"--out must end in .zip, got {out.name}")
    data = _load_data(a.dataset, a, a.image_size, a.in_channels)
    kw = None if a.no_eval else {"nll_k": a.nll_k, **_eval_sizes(a)}
    t0 = time.perf_counter()
    path, ck = import_onnx(a.encoder, a.decoder, data, out, a.dataset, a.name, a.decoder_output, a.recon_loss, kw,
                           threads=a.threads or 1)
    cfg = ck.model_config
    shown = {k: round(v, 4) for k, v in ck.metrics.items() if isinstance(v, float)}
    print(f"imported a {cfg.kind}, latent {cfg.latent_dim}, images {list(cfg.image_shape)}: saved {path} "
          f"({path.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - t0:.1f}s  {shown}", file=sys.stderr)
    return 0


def cmd_export(a) -> int:
    from .checkpoint import load
    from .onnx_file import export_checkpoint

    out = Path(a.out)
    if out.suffix != ".zip":
        raise UsageError(f"--out must end in .zip, got {out.name}")
    if Path(a.file).suffix.lower() != ".safetensors":
        raise UsageError(f"export takes a .safetensors checkpoint, got {Path(a.file).name}")
    path, diff = export_checkpoint(load(a.file), out, a.name)
    print(f"saved {path} ({path.stat().st_size / 1e6:.2f} MB); onnxruntime's latents match torch's within "
          f"{diff:.1e}", file=sys.stderr)
    return 0


COMMANDS = {"summary": cmd_summary, "train": cmd_train, "evaluate": cmd_evaluate, "info": cmd_info,
            "sample": cmd_sample, "import-onnx": cmd_import_onnx, "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    from .errors import VaeCoreError

    try:
        a = build_parser().parse_args(argv)
        if getattr(a, "threads", None):
            import torch

            torch.set_num_threads(a.threads)
        return COMMANDS[a.command](a)
    except (UsageError, VaeCoreError) as e:  # every error of vae_core (vae_core.errors)
        print("error: " + " ".join(str(e).split("\n")).replace("\r", " "), file=sys.stderr)  # one line, always
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    code = main()
    from . import distributed

    if distributed.launched():
        distributed.leave(code)  # a torchrun process: no interpreter teardown (see there)
    sys.exit(code)
