"""Which points a latent map shows (no Streamlit here): the test split or train + test, how many,
how a point is named (its split and its index in that split), and what projecting that many
points is expected to cost.

A map's points come as two parallel arrays, ``idx`` (index within its split) and ``split``
(``TEST`` = 0, ``TRAIN`` = 1), test points first and each split in increasing index order, so that
``keys(idx, split)`` is sorted and a point is found by binary search.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import torch

from vae_core.latent import umap_epochs

TEST_ONLY, TRAIN_AND_TEST = "test", "all"  # the "Points from" choice
SOURCES = (TEST_ONLY, TRAIN_AND_TEST)
TEST, TRAIN = 0, 1  # split codes of single points
SIZES = (1000, 2000, 5000, 10_000, 20_000, 50_000)  # the Points menu, before "all"
ALL_POINTS = 0  # "all" in the Points menu (a selectbox shows None as "nothing chosen")
TSNE_MAX_POINTS = 10_000  # t-SNE is offered up to this many points

# Measured on the 2-core development machine when it was quiet (bench/map_times.py, shipped MNIST 16-D VAE,
# UMAP "fast"); a busy machine took 2-3x longer. UMAP: the neighbour graph + initial layout, and one layout
# epoch, in seconds per 1,000 points (70,000 points: 5.0 s + 200 epochs in 11.7 s).
UMAP_GRAPH_S_PER_1K = 0.07
UMAP_EPOCH_S_PER_1K = 0.00085
UMAP_COMPILE_S = 30.0  # the first UMAP fit of a process also compiles umap-learn's numba code (not cached on disk)
TSNE_S_PER_1K = 6.5  # scikit-learn's Barnes-Hut t-SNE of 10,000 points took 66 s; it grows as n log n


def sample_indices(n_total: int, n_max: int | None, seed: int = 0) -> np.ndarray:
    """All indices when n_max is None or ≥ n_total, else a sorted random subset (fixed seed)."""
    if n_max is None or n_max >= n_total:
        return np.arange(n_total)
    return np.sort(np.random.RandomState(seed).choice(n_total, n_max, replace=False))


def point_choices(n_total: int) -> list[int]:
    """The Points menu: the sizes smaller than the number of points available, then "all" (ALL_POINTS)."""
    return [n for n in SIZES if n < n_total] + [ALL_POINTS]


def n_max_of(choice: int | None) -> int | None:
    """The menu's choice → the ``n_max`` of the cached functions (None: all points)."""
    return None if choice in (None, ALL_POINTS) else int(choice)


def n_shown(n_test: int, n_train: int, n_max: int | None, source: str) -> int:
    """How many points a map of ``source`` with at most ``n_max`` points shows (None: all there are)."""
    available = n_test + (n_train if source == TRAIN_AND_TEST else 0)
    return available if n_max is None else min(n_max, available)


def sample_points(n_test: int, n_train: int, n_max: int | None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(idx, split) of up to ``n_max`` points drawn without replacement from the test split and
    the train split together (all of them when n_max is None); test points first. With
    ``n_train = 0`` the points are exactly ``sample_indices(n_test, n_max, seed)``."""
    pos = sample_indices(n_test + n_train, n_max, seed)
    train = pos >= n_test
    return np.where(train, pos - n_test, pos).astype(np.int64), train.astype(np.uint8)


def keys(idx: np.ndarray, split: np.ndarray) -> np.ndarray:
    """One int64 per point, increasing along a map's points: split · 2³² + index."""
    return (np.asarray(split, dtype=np.int64) << 32) | np.asarray(idx, dtype=np.int64)


def positions(idx: np.ndarray, split: np.ndarray, picks: list[tuple[int, int]]) -> np.ndarray:
    """Positions in the map's arrays of the picked (index, split) points that it shows, in the
    order picked; the others are left out."""
    k = keys(idx, split)
    want = keys(np.array([i for i, _ in picks], dtype=np.int64), np.array([s for _, s in picks], dtype=np.int64))
    pos = np.searchsorted(k, want)
    ok = (pos < len(k)) & (k[np.minimum(pos, len(k) - 1)] == want) if len(k) else np.zeros(len(want), bool)
    return pos[ok]


def gather(x_test: torch.Tensor, x_train: torch.Tensor, idx: np.ndarray, split: np.ndarray) -> torch.Tensor:
    """The rows of the points (idx, split), in their order, from the test and train tensors."""
    split = np.asarray(split)
    te, tr = torch.from_numpy(np.nonzero(split == TEST)[0]), torch.from_numpy(np.nonzero(split == TRAIN)[0])
    if len(tr) == 0:
        return x_test[torch.from_numpy(np.asarray(idx, dtype=np.int64))]
    out = torch.empty((len(idx), *x_test.shape[1:]), dtype=x_test.dtype)
    ii = torch.from_numpy(np.asarray(idx, dtype=np.int64))
    out[te] = x_test[ii[te]]
    out[tr] = x_train[ii[tr]]
    return out


def split_name(code: int, *, tx: Mapping[str, str]) -> str:
    return tx["shared.split_train"] if int(code) == TRAIN else tx["shared.split_test"]


def index_label(i, code: int, mixed: bool, *, tx: Mapping[str, str]) -> str:
    """"12" on a test-only map; "12 (train)" / "12 (test)" on a map of both splits."""
    return f"{i}{tx['shared.split_tag'].format(split=split_name(code, tx=tx))}" if mixed else f"{i}"


def point_name(i, code: int, mixed: bool, *, tx: Mapping[str, str]) -> str:
    """"index: 12" on a test-only map, "index: 12 (train)" on a map of both splits."""
    return tx["shared.index_of"].format(i=index_label(i, code, mixed, tx=tx))


def short_name(i, code: int, mixed: bool, *, tx: Mapping[str, str]) -> str:
    """"#12", or "#12 (train)" on a map of both splits (neighbour and selection captions)."""
    return f"#{index_label(i, code, mixed, tx=tx)}"


def index_dtype(max_index: int) -> np.dtype:
    """The smallest unsigned integer type that holds the indices: the customdata sent to the browser."""
    return np.dtype(np.uint16) if max_index < 2**16 else np.dtype(np.uint32)


def umap_seconds(n: int, first: bool = False) -> tuple[float, float]:
    """Expected seconds of a UMAP fit of n points on the development machine: (the neighbour
    graph and initial layout, the layout epochs). ``first``: the process's first fit, which also
    compiles umap-learn's code (counted in the first part)."""
    k = n / 1000
    return UMAP_GRAPH_S_PER_1K * k + (UMAP_COMPILE_S if first else 0.0), UMAP_EPOCH_S_PER_1K * k * umap_epochs(n)


def tsne_seconds(n: int) -> float:
    """Expected seconds of a t-SNE of n points, scaled as n log n from the rate near 10,000 points."""
    return TSNE_S_PER_1K * 10 * (n * math.log(max(n, 2))) / (10_000 * math.log(10_000))


def tsne_offered(n: int) -> bool:
    return n <= TSNE_MAX_POINTS


def umap_fraction(elapsed: float, n: int, epoch: int, n_epochs: int, first: bool = False) -> float:
    """Progress of a UMAP fit in [0, 1]: before the layout epochs (n_epochs = 0) an estimate from
    the elapsed time and the point count, kept below the graph's share; then the graph's share
    plus the share of epochs done."""
    graph, layout = umap_seconds(n, first)
    share = graph / (graph + layout) if graph + layout > 0 else 0.0
    if n_epochs <= 0:
        return share * min(0.95, max(0.0, elapsed) / graph) if graph > 0 else 0.0
    return share + (1 - share) * min(1.0, max(0, epoch) / n_epochs)
