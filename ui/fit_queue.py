"""Background fits for many sessions at once: shortest first, and an express lane for short ones.

One server serves a class. With one worker in first-come order, a 1,000-point UMAP map (2 s alone)
appeared after 13 s behind 5,000- and 10,000-point fits of other sessions. Here:

- the queue is ordered by each fit's estimated seconds (shortest first; equal estimates in order of
  arrival), so a short fit never waits behind a long one that has not started;
- when the machine has a second core, an *express* worker takes only fits estimated under
  ``express_s``, so a short fit does not wait behind a long one that is already running either;
- ``position(job)`` says how many fits are ahead and when this one should start, by playing the
  queue forward with the estimates (``start_times``), so a waiting session can say so honestly.

Fits are not pre-empted: a running fit runs to its end. Streamlit-free; threads only.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

EXPRESS_S = 8.0  # fits estimated at most this long may take the express lane


@dataclass
class Job:
    estimate_s: float
    fn: Callable[[], object]
    future: Future = field(default_factory=Future)
    queued_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    express: bool = False  # ran on the express lane


def start_times(busy_until: list[float], express_until: float | None, queued: list[float],
                express_s: float) -> list[float]:
    """When each queued fit (estimates in queue order) should start, in seconds from now.

    ``busy_until``: for each general worker, seconds until its running fit ends (0 when idle);
    ``express_until``: the same for the express worker, or None when there is none. A fit goes to
    whichever eligible worker frees first (the express worker only takes fits ≤ ``express_s``)."""
    general = list(busy_until)
    express = express_until
    out = []
    for est in queued:
        g = min(range(len(general)), key=general.__getitem__) if general else None
        use_express = express is not None and est <= express_s and (g is None or express <= general[g])
        if use_express:
            out.append(express)
            express += est
        elif g is not None:
            out.append(general[g])
            general[g] += est
        else:  # no general worker and too long for the express lane: it would never start
            out.append(float("inf"))
    return out


class FitQueue:
    """A priority queue of fits on ``workers`` general threads plus an optional express thread."""

    def __init__(self, workers: int = 1, express: bool = False, express_s: float = EXPRESS_S,
                 name: str = "fit"):
        self.express_s = express_s
        self._heap: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self._running: dict[str, Job | None] = {}
        self._cv = threading.Condition()
        lanes = [f"{name}-{k}" for k in range(workers)] + ([f"{name}-express"] if express else [])
        for lane in lanes:
            self._running[lane] = None
            threading.Thread(target=self._work, args=(lane,), name=lane, daemon=True).start()

    def submit(self, fn: Callable[[], object], estimate_s: float) -> Job:
        job = Job(float(estimate_s), fn)
        with self._cv:
            heapq.heappush(self._heap, (job.estimate_s, next(self._seq), job))
            self._cv.notify_all()
        return job

    def _take(self, lane: str) -> Job | None:
        """The shortest queued fit this lane may run (the express lane: only short ones)."""
        if not self._heap:
            return None
        if lane.endswith("-express") and self._heap[0][0] > self.express_s:
            return None
        return heapq.heappop(self._heap)[2]

    def _work(self, lane: str) -> None:
        while True:
            with self._cv:
                job = self._take(lane)
                while job is None:
                    self._cv.wait()
                    job = self._take(lane)
                job.started_at, job.express = time.monotonic(), lane.endswith("-express")
                self._running[lane] = job
            if job.future.set_running_or_notify_cancel():
                try:
                    job.future.set_result(job.fn())
                except BaseException as e:  # noqa: BLE001 — the page shows the fit's error
                    job.future.set_exception(e)
            with self._cv:
                self._running[lane] = None
                self._cv.notify_all()

    def position(self, job: Job) -> tuple[int, float]:
        """(fits ahead of this one, estimated seconds until it starts); (0, 0.0) once it runs."""
        with self._cv:
            if job.started_at is not None or job.future.done():
                return 0, 0.0
            order = [j for _, _, j in sorted(self._heap)]
            if job not in order:
                return 0, 0.0
            now = time.monotonic()

            def left(j: Job | None) -> float:
                return 0.0 if j is None else max(0.0, j.estimate_s - (now - j.started_at))

            general = [left(j) for lane, j in self._running.items() if not lane.endswith("-express")]
            express = next((left(j) for lane, j in self._running.items() if lane.endswith("-express")), None)
            k = order.index(job)
            return k, start_times(general, express, [j.estimate_s for j in order[:k + 1]], self.express_s)[k]
