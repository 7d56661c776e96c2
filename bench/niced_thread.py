"""Why no thread of the app runs at a lowered priority (issue 20 item 9: a CSV download that spun
for over 60 s right after a server start).

    python bench/niced_thread.py [--hogs 2] [--wakes 200] [--model checkpoints/mnist-vae-16d.safetensors]

A Python thread holds the interpreter lock while it runs. Lowered to nice 19, it is scheduled rarely
while other processes keep the cores busy, and each time it is descheduled holding the lock, every
other thread of the process (the server's event loop, a download, a page's rerun) waits until it runs
again: priority inversion. Until now the app exported each chosen model's decoder to ONNX in such a
thread (``ui.browser_decode.prepare``), 3-9 s of mostly Python work, right when a server starts.

In this process, beside ``--hogs`` processes that spin on a core each, the main thread does what a
server's event loop does: it sleeps 10 ms, wakes and runs about 1 ms of Python, ``--wakes`` times; the
time from the planned wake to the end of that work, less the 1 ms measured alone, is the delay.
Measured three ways: ``--wakes`` wakes with no other thread (the reference), then every wake while a
thread exports the model's decoder once at normal priority (the app now), then at nice 19 (the app
before; at most ``--window`` seconds). Prints p50/p95/max of the delay, the wakes delayed over 100 ms,
p95 as a ratio of the reference and how long the export took; asserts nothing. Linux only
(per-thread nice).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def spin() -> None:
    while True:
        pass


def python_work() -> None:
    s = 0
    for i in range(20_000):
        s += i


def delays(alone_ms: float, wakes: int = 0, until: threading.Event | None = None, window: float = 0.0) -> list[float]:
    """Delays (ms) of ``wakes`` wakes, or of every wake until ``until`` is set or ``window`` seconds pass."""
    out, end = [], time.perf_counter() + window
    while len(out) < wakes if until is None else not until.is_set() and time.perf_counter() < end:
        t = time.perf_counter()
        time.sleep(0.010)
        python_work()
        out.append(max(0.0, (time.perf_counter() - t) * 1000 - 10.0 - alone_ms))
    return sorted(out)


def exporter(model: Path, nice: bool, done: threading.Event) -> None:
    from ui.browser_decode import export_decoder

    if nice:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    export_decoder(model)
    done.set()


def pct(xs: list[float], q: float) -> float:
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hogs", type=int, default=os.cpu_count() or 2, help="processes spinning on a core each")
    ap.add_argument("--wakes", type=int, default=200, help="wakes of the reference")
    ap.add_argument("--window", type=float, default=60.0, help="at most this many seconds per export")
    ap.add_argument("--model", default=str(ROOT / "checkpoints" / "mnist-vae-16d.safetensors"))
    a = ap.parse_args()
    model = Path(a.model)

    from ui.browser_decode import export_decoder

    t = time.perf_counter()
    export_decoder(model)  # imports torch.onnx and onnxscript once, outside the measurement
    print(f"one export of {model.name}'s decoder alone: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    for _ in range(50):
        python_work()
    alone = (time.perf_counter() - t) * 1000 / 50
    print(f"the main thread's work alone: {alone:.2f} ms; {a.hogs} spinning processes")

    hogs = [mp.Process(target=spin, daemon=True) for _ in range(a.hogs)]
    for h in hogs:
        h.start()
    try:
        rows = [("no other thread (reference)", delays(alone, wakes=a.wakes), None)]
        for label, nice in (("export thread, normal priority (now)", False), ("export thread, nice 19 (before)", True)):
            done = threading.Event()
            t = time.perf_counter()
            threading.Thread(target=exporter, args=(model, nice, done), daemon=True).start()
            d = delays(alone, until=done, window=a.window)
            rows.append((label, d, f"{time.perf_counter() - t:.1f} s" + ("" if done.is_set() else " (not done)")))
    finally:
        for h in hogs:
            h.terminate()
    ref = rows[0][1]
    out = sys.__stdout__  # torch.onnx.export redirects sys.stdout while it runs, and the nice-19 one may still run
    print(f"{'main thread delay per wake':<38} {'wakes':>6} {'p50':>7} {'p95':>8} {'max':>8} {'> 100 ms':>9}"
          f" {'p95 ×':>6}  export took", file=out)
    for label, d, took in rows:
        print(f"{label:<38} {len(d):>6} {pct(d, 50):>5.1f}ms {pct(d, 95):>6.1f}ms {d[-1]:>6.1f}ms "
              f"{sum(x > 100 for x in d):>9} {pct(d, 95) / max(pct(ref, 95), 0.01):>6.1f}  {took or ''}", file=out)
    out.flush()
    os._exit(0)  # a nice-19 export still running is left behind, not waited for


if __name__ == "__main__":
    sys.exit(main())
