"""Issue 20, the Train page's items and their neighbours: the Train button's state, a reload finding its
job, collapse checks of pairs, estimates of long waits, small wording, Home's first step, unwritable model
folders, and two environment variables (``VAE_EXPLORER_MAX_JOBS=inf``, ``VAE_EXPLORER_DATA=""``)."""

from __future__ import annotations

import logging

import pytest

from ui.logic import paths, settings


@pytest.mark.parametrize("raw", ["inf", "-inf", "nan", "1e400", "two", "0"])
def test_max_jobs_refuses_non_finite_and_invalid_values_with_a_logged_default(monkeypatch, caplog, raw):
    monkeypatch.setenv(settings.MAX_JOBS_ENV, raw)
    with caplog.at_level(logging.WARNING, logger=settings.__name__):
        assert settings.max_jobs() == settings.DEFAULT_MAX_JOBS
    assert settings.MAX_JOBS_ENV in caplog.text
    monkeypatch.setenv(settings.JOB_TIMEOUT_ENV, raw)
    assert settings.job_timeout_s() == settings.DEFAULT_JOB_TIMEOUT_S


def test_max_jobs_reads_a_valid_value(monkeypatch, caplog):
    monkeypatch.setenv(settings.MAX_JOBS_ENV, " 3 ")
    with caplog.at_level(logging.WARNING, logger=settings.__name__):
        assert settings.max_jobs() == 3
    assert not caplog.text


@pytest.mark.parametrize("raw", ["", "   "])
def test_an_empty_data_variable_counts_as_unset(monkeypatch, raw):
    monkeypatch.setenv("VAE_EXPLORER_DATA", raw)
    assert paths.default_data_dir() == "data"
