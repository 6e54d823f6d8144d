"""Two processes on one PostgreSQL database take the same votes at the same time: each
person's vote counts once (the unique pair decides, not a read before the write)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot import PROJECT_ROOT
from bot.storage import Store
from tests.conftest import warsaw
from tests.helpers import bot_environment

pytestmark = pytest.mark.slow
PEOPLE = 25

VOTER = """
import sys
from bot.core.clock import FakeClock
from bot.core.messages import Incoming
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.wiring import build_application
from bot import PROJECT_ROOT
from datetime import datetime
from zoneinfo import ZoneInfo

conference, lexicon = load_conference(PROJECT_ROOT / "tests" / "fixtures" / "conference")
clock = FakeClock(datetime(2023, 11, 30, 11, 30, tzinfo=ZoneInfo("Europe/Warsaw")))
app = build_application(conference, lexicon, Store(sys.argv[1]), clock)
sys.stdin.readline()  # both processes start voting together
counted = 0
for n in range(int(sys.argv[2])):
    for _ in range(2):
        (reply,) = app.handle(Incoming("console", f"u{n}", f"u{n}", f"/vote q{sys.argv[3]}",
                                       client_language="en"))
        counted += "counts" in reply.html
app.store.close()
print(counted)
"""


def test_two_processes_on_postgresql_count_each_vote_once(pg_url: str):
    store = Store(pg_url)
    try:
        question = store.questions.ask("s20", None, "Who funds community centres?", "en",
                                       warsaw("2023-11-30T11:20"), approved=True)
    finally:
        store.close()
    processes = [subprocess.Popen([sys.executable, "-c", VOTER, pg_url, str(PEOPLE),
                                   str(question.id)], env=bot_environment(), cwd=PROJECT_ROOT,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for process in processes:  # both are loaded and waiting; go
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [process.communicate(timeout=120) for process in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    said_counted = sum(int(out.strip()) for out, _ in results)
    store = Store(pg_url)
    try:
        assert store.questions.get(question.id).votes == PEOPLE  # type: ignore[union-attr]
    finally:
        store.close()
    assert said_counted == PEOPLE  # each person was told "counts" exactly once
