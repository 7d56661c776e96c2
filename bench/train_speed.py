"""Training speed against the classic PyTorch VAE example (bench/classic_vae.py): two ratios, one run.

(a) whole process: ``python -m vae_core train --dataset mnist --model vae --backbone mlp --latent-dim 20
    --epochs 3`` (every other flag at its default: final metrics included) against
    ``python bench/classic_vae.py --epochs 3`` (DataLoader + ToTensor, a test pass per epoch), each a
    subprocess; wall time (and the CPU time the subprocess used), and the test loss each reports.
(b) one epoch of 60,000 MNIST images in this process: ``vae_core.train.fit`` against the classic
    ``train()``, plus a bare in-memory loop doing fit's work (what fit costs on top of it).

Runs are interleaved (classic, ours, classic, ours, ...), each measurement is repeated and the
medians are printed with their ratios (higher = faster than the classic example).

    VAE_EXPLORER_DATA=../shared/data python bench/train_speed.py [--repeats 2] [--threads 1]
        [--other-repo DIR]   # also time another checkout (e.g. `git worktree add DIR main`): before/after

``--threads N`` (default 1) gives every arm the same number of torch threads (OMP_NUM_THREADS for the
subprocesses): on a shared 2-core machine two spinning threads ran up to 8x slower than one, which
would measure the neighbours rather than the code. ``--threads 0`` leaves torch's default.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
CLI = ["train", "--dataset", "mnist", "--model", "vae", "--backbone", "mlp", "--latent-dim", "20"]


def _import_repo(repo: Path) -> None:
    sys.path.insert(0, str(repo))
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # classic_vae


def child_env(threads: int, repo: Path = ROOT) -> dict:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    return env


def timed_run(cmd: list[str], env: dict, cwd: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the child, result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), r


def checkpoint_test_loss(path: Path) -> float:
    from vae_core.checkpoint import info

    return float(info(path)["metrics"]["loss"])


def head(data, n: int = 2048):
    """The first n training images (for an untimed warm-up)."""
    from vae_core.data import Dataset

    return Dataset(data.name, data.x_train[:n], data.y_train[:n], data.x_test[:10], data.y_test[:10], data.classes)


def fit_epoch(data, **train) -> tuple[float, float]:
    """One epoch of vae_core.fit (whichever vae_core is imported), no per-epoch test pass."""
    from vae_core.config import ModelConfig, TrainConfig
    from vae_core.models import build_model
    from vae_core.train import fit

    model = build_model(ModelConfig(kind="vae", backbone="mlp", in_channels=1, image_size=28, latent_dim=20), seed=0)
    tcfg = TrainConfig(dataset="mnist", epochs=1, batch_size=128, lr=1e-3, eval_every_epoch=False, device="cpu",
                       **train)
    c, t = time.process_time(), time.perf_counter()
    fit(model, data, tcfg)
    return time.perf_counter() - t, time.process_time() - c


def bare_epoch(data) -> tuple[float, float]:
    """fit's work and nothing else: index slices, forward, loss, backward, the same optimizer."""
    from vae_core.config import ModelConfig, TrainConfig
    from vae_core.data import to_float
    from vae_core.losses import loss_parts
    from vae_core.models import build_model
    from vae_core.train import make_optimizer

    model = build_model(ModelConfig(kind="vae", backbone="mlp", in_channels=1, image_size=28, latent_dim=20), seed=0)
    opt = make_optimizer(model, TrainConfig(dataset="mnist", batch_size=128, lr=1e-3, device="cpu"))
    order, noise = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    c, t = time.process_time(), time.perf_counter()
    perm = torch.randperm(len(data.x_train), generator=order)
    for i in range(0, len(perm), 128):
        x = to_float(data.x_train[perm[i:i + 128]])
        out = model(x, None, noise)
        loss = loss_parts(out.recon, x, out.mu, out.logvar)["loss"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - t, time.process_time() - c


def classic_epoch(train_loader, seed: int) -> tuple[float, float]:
    import classic_vae

    torch.manual_seed(seed)
    model = classic_vae.VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    c, t = time.process_time(), time.perf_counter()
    classic_vae.train(model, opt, train_loader, 1, quiet=True)
    return time.perf_counter() - t, time.process_time() - c


def epoch_worker(repo: Path, threads: int) -> None:
    """--epoch-worker: time one fit epoch of another checkout; prints JSON."""
    _import_repo(repo)
    if threads:
        torch.set_num_threads(threads)
    from vae_core.data import load_dataset

    data = load_dataset("mnist", download=False)
    fit_epoch(head(data))  # warm-up, as in the main process
    wall, cpu = fit_epoch(data)
    print(json.dumps({"wall": wall, "cpu": cpu}))


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="torch threads for every arm (0: torch's default)")
    ap.add_argument("--epochs", type=int, default=3, help="epochs of the whole-process runs (a)")
    ap.add_argument("--other-repo", type=Path, default=None, help="another checkout to time as a third arm")
    ap.add_argument("--skip-whole", action="store_true", help="only (b)")
    ap.add_argument("--bf16", action="store_true", help="also time vae_core with --precision bf16")
    ap.add_argument("--epoch-worker", type=Path, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.epoch_worker:
        return epoch_worker(a.epoch_worker, a.threads)
    _import_repo(ROOT)
    if a.threads:
        torch.set_num_threads(a.threads)
    import classic_vae

    from vae_core.data import load_dataset

    data = load_dataset("mnist", download=False)
    arms = ["classic", "ours"] + (["bf16"] if a.bf16 else []) + (["other"] if a.other_repo else [])
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = classic_vae.write_mnist_idx(tmp / "mnist")
        train_loader, _ = classic_vae.loaders(root, 128)
        warm = torch.utils.data.DataLoader(torch.utils.data.Subset(train_loader.dataset, range(2048)), 128)
        warm_model = classic_vae.VAE()
        classic_vae.train(warm_model, torch.optim.Adam(warm_model.parameters()), warm, 0, quiet=True)
        fit_epoch(head(data))  # warm-ups, untimed
        bare_epoch(head(data))

        # (b) one epoch, in this process (the other checkout in a worker process)
        ep = {k: [] for k in arms + ["bare"]}
        for r in range(a.repeats):
            ep["classic"].append(classic_epoch(train_loader, r))
            ep["ours"].append(fit_epoch(data))
            ep["bare"].append(bare_epoch(data))
            if a.bf16:
                ep["bf16"].append(fit_epoch(data, precision="bf16"))
            if a.other_repo:
                _, _, res = timed_run([sys.executable, __file__, "--epoch-worker", str(a.other_repo.resolve()),
                                       "--threads", str(a.threads)], child_env(a.threads), tmp)
                w = json.loads(res.stdout.strip().splitlines()[-1])
                ep["other"].append((w["wall"], w["cpu"]))

        # (a) whole processes
        whole = {k: [] for k in arms}
        losses = {k: [] for k in arms}
        for r in range(0 if a.skip_whole else a.repeats):
            wall, cpu, res = timed_run([sys.executable, str(Path(__file__).parent / "classic_vae.py"), "--epochs",
                                        str(a.epochs), "--mnist-root", str(root)], child_env(a.threads), tmp)
            whole["classic"].append((wall, cpu))
            losses["classic"].append(float(re.findall(r"Test set loss: ([\d.]+)", res.stdout)[-1]))
            for arm, repo, extra in (("ours", ROOT, []), ("bf16", ROOT, ["--precision", "bf16"]),
                                     ("other", a.other_repo, [])):
                if arm not in arms:
                    continue
                out = tmp / f"{arm}{r}.safetensors"
                wall, cpu, _ = timed_run([sys.executable, "-m", "vae_core", *CLI, "--epochs", str(a.epochs), *extra,
                                          "--out", str(out)], child_env(a.threads, repo.resolve()), tmp)
                whole[arm].append((wall, cpu))
                losses[arm].append(checkpoint_test_loss(out))
    load1 = os.getloadavg()

    n = len(data.x_train)
    print(f"MLP VAE d=20 on MNIST, batch 128, torch threads {a.threads or torch.get_num_threads()}, "
          f"{a.repeats} repeats, medians; load average {load0[0]:.1f} -> {load1[0]:.1f} on {os.cpu_count()} CPUs")
    names = {"classic": "classic example", "ours": "vae_core", "bf16": "vae_core --precision bf16",
             "other": f"vae_core at {a.other_repo}", "bare": "bare loop (fit's work only)"}
    print(f"(b) one epoch of {n:,} images, in process     wall s    cpu s   classic/this (wall, cpu)")
    cw, cc = med([x[0] for x in ep["classic"]]), med([x[1] for x in ep["classic"]])
    for k, v in ep.items():
        w, c = med([x[0] for x in v]), med([x[1] for x in v])
        print(f"    {names[k]:38s} {w:7.2f}  {c:7.2f}   {cw / w:5.2f}x  {cc / c:5.2f}x")
    fo = med([x[1] for x in ep["ours"]]) / med([x[1] for x in ep["bare"]])
    print(f"    fit's overhead over the bare loop (cpu): {100 * (fo - 1):+.1f}%")
    if not a.skip_whole:
        print(f"(a) whole process, {a.epochs} epochs                 wall s    cpu s   classic/this (wall, cpu)   test loss")
        cw, cc = med([x[0] for x in whole["classic"]]), med([x[1] for x in whole["classic"]])
        for k, v in whole.items():
            w, c = med([x[0] for x in v]), med([x[1] for x in v])
            print(f"    {names[k]:38s} {w:7.2f}  {c:7.2f}   {cw / w:5.2f}x  {cc / c:5.2f}x   "
                  f"{' / '.join(f'{x:.2f}' for x in losses[k])}")
        d = med(losses["ours"]) - med(losses["classic"])
        print(f"    test loss, vae_core - classic: {d:+.2f} nats ({'within' if abs(d) <= 1 else 'NOT within'} 1 nat)")


if __name__ == "__main__":
    main()
