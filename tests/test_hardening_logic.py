"""Unit tests of the hardening rules (no Streamlit): settings, job limits, ETA and posterior collapse."""

from __future__ import annotations

import pytest

from ui.logic import jobs, settings
from ui.logic.text import T

# ---------------------------------------------------------------- 3, 6, 7. settings, job rules, ETA, collapse

def test_settings_mode_and_limits(monkeypatch, tmp_path):
    for env in (settings.MODE_ENV, settings.MAX_JOBS_ENV, settings.JOB_TIMEOUT_ENV, settings.JOB_IDLE_ENV):
        monkeypatch.delenv(env, raising=False)
    assert settings.mode() == "local"
    assert (settings.max_jobs(), settings.job_timeout_s(), settings.job_idle_s()) == (2, 7200.0, 120.0)
    monkeypatch.setenv(settings.MODE_ENV, " Shared ")
    assert settings.mode() == "shared"
    monkeypatch.setenv(settings.MODE_ENV, "public")  # unknown: the careful one
    assert settings.mode() == "shared"
    monkeypatch.setenv(settings.MAX_JOBS_ENV, "0")
    monkeypatch.setenv(settings.JOB_TIMEOUT_ENV, "soon")
    monkeypatch.setenv(settings.JOB_IDLE_ENV, "0.5")
    assert (settings.max_jobs(), settings.job_timeout_s(), settings.job_idle_s()) == (2, 7200.0, 0.5)
    assert settings.user_folder(tmp_path, "ab12" * 4, "local") == tmp_path
    assert settings.user_folder(tmp_path, "ab12" * 4, "shared") == tmp_path / "session-ab12ab12ab12ab12"
    with pytest.raises(ValueError):
        settings.user_folder(tmp_path, "../../etc", "shared")


def test_stop_reason():
    assert jobs.stop_reason(started=0, heartbeat=90, now=100, timeout_s=200, idle_s=20) is None
    assert jobs.stop_reason(started=0, heartbeat=90, now=100, timeout_s=50, idle_s=20) == jobs.TIMEOUT
    assert jobs.stop_reason(started=0, heartbeat=70, now=100, timeout_s=200, idle_s=20) == jobs.GONE


def test_eta_and_durations():
    assert jobs.eta_seconds(0.0, 10) is None and jobs.eta_seconds(1.0, 10) is None
    assert jobs.eta_seconds(0.25, 30) == pytest.approx(90)
    assert jobs.eta_seconds(0.5, 0) is None
    assert [jobs.format_duration(s) for s in (0, 12.2, 200, 3600, 4000)] == [
        "0 s", "13 s", "3 min 20 s", "1 h 00 min", "1 h 07 min"]


def test_collapse_rule():
    assert jobs.collapsed(True, 0.2) and not jobs.collapsed(True, 0.5) and not jobs.collapsed(True, 3.0)
    assert not jobs.collapsed(False, 0.0) and not jobs.collapsed(True, None) and not jobs.collapsed(True, float("nan"))
    assert "train longer, lower β, or use KL warm-up" in T["hard_collapse"]
