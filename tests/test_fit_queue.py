"""The background fit queue: a short fit does not wait behind long ones (issue 22, item 3)."""

from __future__ import annotations

import threading

import pytest

from ui.fit_queue import FitQueue, start_times


def test_start_times_shortest_first_and_express_lane():
    # one general worker busy for 10 s more; queued fits of 1 s and 5 s (queue order)
    assert start_times([10.0], None, [1.0, 5.0], express_s=8) == [10.0, 11.0]
    # an idle express lane takes the short fit at once; the long one waits for the general worker
    assert start_times([10.0], 0.0, [1.0, 20.0], express_s=8) == [0.0, 10.0]
    # the express lane is busy longer than the general worker: the short fit goes where it starts first
    assert start_times([2.0], 6.0, [1.0], express_s=8) == [2.0]
    assert start_times([], None, [3.0], express_s=8) == [float("inf")]


def _blocking(started: list, name: str, gate: threading.Event | None = None):
    def run():
        started.append(name)
        if gate is not None:
            assert gate.wait(10)
        return name
    return run


def test_short_fit_runs_before_a_longer_queued_one():
    """One worker, no express lane: queued fits start shortest first, not in order of arrival."""
    q = FitQueue(workers=1, express=False, name="t1")
    started: list[str] = []
    gate = threading.Event()
    long = q.submit(_blocking(started, "long", gate), 60.0)
    while not started:
        threading.Event().wait(0.01)
    medium = q.submit(_blocking(started, "medium"), 10.0)
    short = q.submit(_blocking(started, "short"), 1.0)
    assert q.position(short) == (0, pytest.approx(60.0, abs=1.0))
    assert q.position(medium) == (1, pytest.approx(61.0, abs=1.0))
    gate.set()
    for j in (long, medium, short):
        j.future.result(timeout=10)
    assert started == ["long", "short", "medium"]


def test_express_lane_serves_a_short_fit_while_a_long_one_runs():
    q = FitQueue(workers=1, express=True, express_s=8.0, name="t2")
    started: list[str] = []
    gate = threading.Event()
    long = q.submit(_blocking(started, "long", gate), 60.0)
    while not started:  # the general worker holds the long fit
        threading.Event().wait(0.01)
    long2 = q.submit(_blocking(started, "long2"), 30.0)  # too long for the express lane: waits
    short = q.submit(_blocking(started, "short"), 2.0)
    assert short.future.result(timeout=10) == "short"  # while "long" still holds the general worker
    assert short.express and not long.future.done() and not long2.future.done()
    assert q.position(long2)[0] == 0
    gate.set()
    assert long2.future.result(timeout=10) == "long2" and not long2.express


def test_a_failing_fit_reports_its_error_and_the_queue_goes_on():
    q = FitQueue(workers=1, name="t3")

    def boom():
        raise RuntimeError("no")

    bad = q.submit(boom, 1.0)
    good = q.submit(lambda: 42, 1.0)
    with pytest.raises(RuntimeError):
        bad.future.result(timeout=10)
    assert good.future.result(timeout=10) == 42


def test_the_servers_umap_queue_has_an_express_lane_where_numba_allows():
    """On this 2-core machine numba's omp layer is thread-safe, so short UMAP fits get their own lane."""
    import os

    from ui import projections

    assert isinstance(projections.UMAP_QUEUE, FitQueue)
    lanes = [t.name for t in threading.enumerate() if t.name.startswith("umap-")]
    expect_express = (os.cpu_count() or 1) >= 2 and projections.numba_threadsafe()
    assert ("umap-express" in lanes) == expect_express, lanes
    assert "umap-0" in lanes
