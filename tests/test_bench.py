"""Every benchmark still runs: each once, in its tiny smoke mode (`--smoke`), so a changed
signature breaks `make test`, not the next measurement. Figures are printed, not asserted."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot import PROJECT_ROOT
from tests.helpers import bot_environment

pytestmark = pytest.mark.slow  # each benchmark is a process of its own, some start servers

BENCHMARKS = sorted(p.stem for p in (PROJECT_ROOT / "bench").glob("*.py")
                    if p.stem != "standin_process")  # a helper the others start


@pytest.mark.parametrize("name", BENCHMARKS)
def test_the_benchmark_runs_in_smoke_mode(name: str):
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "bench" / f"{name}.py"), "--smoke"],
                          capture_output=True, text=True, timeout=240, cwd=PROJECT_ROOT,
                          env=bot_environment())
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), f"{name} printed no figures"
