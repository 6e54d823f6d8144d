"""`confbot status`: which processes run (the leader, the standbys), what waits in the
outbox, when the last message went out. A health check: exit status 1 without a live leader."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.ops.leadership import PROCESS_PREFIX
from bot.storage import Store

STALE = timedelta(seconds=20)
"""A process whose heartbeat (every 5 s) is older than this is taken for dead."""


def print_status(database_url: str, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    store = Store(database_url)
    try:
        processes = store.state.items(PROCESS_PREFIX)
        backlog = store.outbox.backlog()
        last_sent = store.outbox.last_sent()
    finally:
        store.close()
    leaders = 0
    if not processes:
        print("No confbot process is running.")
    for key, value in sorted(processes.items()):
        beat = json.loads(value)
        seen = datetime.fromisoformat(beat["seen"])
        alive = now - seen <= STALE
        leaders += alive and beat["role"] == "leader"
        print(f"{key.removeprefix(PROCESS_PREFIX):50} {beat['role']:8} "
              f"{'alive' if alive else 'silent'}, last heartbeat {seen:%Y-%m-%d %H:%M:%S}")
    if not backlog:
        print("Outbox: nothing waiting.")
    for platform, count in sorted(backlog.items()):
        print(f"Outbox {platform}: {count} message(s) waiting")
    for platform, when in sorted(last_sent.items()):
        print(f"Last delivery {platform}: {when:%Y-%m-%d %H:%M:%S} UTC")
    print(f"Leader: {'yes' if leaders else 'NONE'}")
    return 0 if leaders else 1
