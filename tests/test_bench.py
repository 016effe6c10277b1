"""The benchmarks run at a tiny size, so their code cannot rot; no test here asserts a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench"


@pytest.mark.slow
def test_benchmark_runner_prints_every_figure() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--units",
            "10",
            "--files",
            "4",
            "--extra",
            "10",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for figure in (
        "sha256sum of the 40 input files",
        "3. versionbot bump, cold",
        "1. versionbot check --head index, no-op, warm",
        "4. peak memory of the no-op check",
        "2. check --base main --head HEAD, full repository",
        "5. versionbot verify --dir (no git)",
    ):
        assert figure in result.stdout
    assert "x (target <=" in result.stdout


@pytest.mark.slow
def test_lock_benchmark_prints_both_methods() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "locks.py"), "--packages", "20", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for figure in ("no-op check, semantic", "check after one upgrade, semantic"):
        assert figure in result.stdout
    assert "x (target <= 3.0x" in result.stdout


@pytest.mark.slow
def test_history_benchmark_prints_its_figure() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / "history.py"), "--commits", "40", "--versions", "5", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "versionbot log app" in result.stdout
    assert "x (target <= 2.0x" in result.stdout
