"""Hardening ("Nothing lost, no one in"): one error base, strict metadata, bounded resources,
robust files. Every test here failed before the change it covers."""

from __future__ import annotations

import io
import json
import os
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from vae_core import __main__ as cli_main
from vae_core import checkpoint, data
from vae_core.checkpoint import CheckpointError, load, save
from vae_core.config import ConfigError, ModelConfig, TrainConfig
from vae_core.data import DataError, load_folder, load_npz
from vae_core.models import build_model


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (fast); an uncaught exception fails the test like a traceback would."""
    rc = cli_main.main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line_error(rc: int, err: str, needle: str) -> None:
    assert rc == 2, err
    assert err.startswith("error: ") and needle in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


# ------------------------------------------------------------------ 1. one error base

def test_library_errors_share_one_base_and_keep_their_old_bases():
    from vae_core.errors import VaeCoreError

    assert issubclass(CheckpointError, VaeCoreError) and issubclass(CheckpointError, ValueError)
    assert issubclass(DataError, VaeCoreError) and issubclass(DataError, RuntimeError)
    assert issubclass(ConfigError, VaeCoreError) and issubclass(ConfigError, ValueError)
    assert VaeCoreError.__doc__ and "one line" in VaeCoreError.__doc__


def test_cli_turns_any_library_error_into_exit_2_with_one_line(capsys, monkeypatch):
    from vae_core.errors import VaeCoreError

    class NewError(VaeCoreError):  # a future error class, unknown to the CLI by name
        pass

    def boom(a):
        raise NewError("first line\nsecond line")

    monkeypatch.setitem(cli_main.COMMANDS, "info", boom)
    rc, _, err = run_cli(capsys, "info", "x.safetensors")
    assert_one_line_error(rc, err, "first line second line")
