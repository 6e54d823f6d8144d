"""Memory and start time against the number of users: 0, 10,000 and 100,000 people (each with
three chosen sessions), filled in bulk into a fresh SQLite database (or DATABASE_URL's
PostgreSQL with --postgres URL). For each, a fresh `python -m bot run` process with the console
transport (stdin closed at once after one question) reports its peak RSS and how long it took
from start to its first answer.

Usage: .venv/bin/python bench/memory.py [--users 0 10000 100000] [--postgres URL]
A benchmark, not a test: it prints figures. Target: < 130 MB at 100,000 users, start < 2 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.storage import Store  # noqa: E402
from bot.storage.models import Subscription, User  # noqa: E402

SESSIONS = ["s12", "s20", "s21"]


def fill(url: str, users: int) -> None:
    store = Store(url)
    now = datetime(2023, 11, 29, 9, tzinfo=UTC)
    try:
        with store.engine.begin() as connection:
            for start in range(0, users, 10_000):
                batch = range(start + 1, min(users, start + 10_000) + 1)
                connection.execute(insert(User), [
                    {"id": n, "platform": "telegram", "external_id": str(n), "chat_id": str(n),
                     "client_language": "pl", "created_at": now, "last_seen_at": now,
                     "reminder_minutes": 15, "active": True} for n in batch])
                connection.execute(insert(Subscription), [
                    {"user_id": n, "session_id": s, "created_at": now}
                    for n in batch for s in SESSIONS])
    finally:
        store.close()


def measure(url: str) -> tuple[float, float]:
    """(peak RSS in MB, seconds from start to the first answer) of one bot process."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "MATRIX_", "CONFBOT_"))}
    env.update(DATABASE_URL=url, PYTHONPATH=str(ROOT), CONFBOT_LOG_LEVEL="WARNING")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--now",
                                "2023-11-30T10:05"], cwd=ROOT, env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("/now\n")
    process.stdin.flush()
    process.stdout.readline()
    answered = time.monotonic() - started
    process.stdin.close()
    process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = status
    return usage.ru_maxrss / 1024, answered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, nargs="+", default=[0, 10_000, 100_000])
    parser.add_argument("--postgres", help="a PostgreSQL server URL with CREATE DATABASE rights")
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny run (seconds): the benchmark still works; figures mean little")
    args = parser.parse_args()
    if args.smoke:
        args.users = [0, 50]
    print(f"{'users':>8} {'peak RSS':>10} {'first answer':>13}")
    for users in args.users:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'memory.sqlite3'}"
            if args.postgres:
                import psycopg

                name = f"confbot_memory_{users}"
                plain = args.postgres.replace("postgresql+psycopg://", "postgresql://")
                with psycopg.connect(plain, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                    connection.execute(f'CREATE DATABASE "{name}"')
                url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
            fill(url, users)
            rss, answered = measure(url)
            print(f"{users:>8} {rss:>8.0f} MB {answered:>11.2f} s", flush=True)


if __name__ == "__main__":
    main()
