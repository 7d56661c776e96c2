"""How many threads the app's torch and BLAS work may use, per calling thread (other sessions keep theirs)."""

from __future__ import annotations

import contextlib
import os

import torch
from threadpoolctl import threadpool_limits

ENCODE_BATCH = 512  # images per encoder batch: fits the CPU caches better than 1,000+ (same numbers)

MAP_THREADS = max(1, (os.cpu_count() or 1) // 2)

CPU_WORKERS = os.cpu_count() or 1  # big encodes/decodes: single-threaded workers (no team waiting for a busy core)


@contextlib.contextmanager
def torch_threads(n: int):
    """At most n torch threads in this thread while the block runs, then the count it had. The count
    is OpenMP's, kept per thread: other sessions' threads keep theirs."""
    saved = torch.get_num_threads()
    torch.set_num_threads(min(n, saved))
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def one_thread():
    """Torch on one thread while one image is decoded. A single small decode gains nothing from
    more threads, and a thread whose partner core is busy makes every parallel region wait for it
    (the README's click measurements; ``bench/decode_threads.py``)."""
    return torch_threads(1)


@contextlib.contextmanager
def map_threads():
    """Torch and BLAS/OpenMP limited to MAP_THREADS (half the CPUs) in this thread while a t-SNE or
    a PCA is fitted: threads that spin while they wait for a core another process holds slow the
    whole fit down (a map's encoding shares its batches among CPU_WORKERS single-threaded workers
    instead, ``vae_core.latent.encode_dataset``). Each user sets and puts back its own torch count
    (``torch_threads``). UMAP (numba) keeps all its threads: they help on a quiet machine, which a
    user's machine more often is. The measurements behind both choices are in the README."""
    with torch_threads(MAP_THREADS), threadpool_limits(limits=MAP_THREADS):
        yield
