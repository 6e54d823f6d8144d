"""How soon a broadcast's first message leaves: after an organiser's /send (in the chat), and
after typing `confbot announce … --yes` (another process queues it: the running bot learns of
it by PostgreSQL LISTEN/NOTIFY, or on SQLite by a look at the newest outbox id every 0.25 s).

The bot is a real `confbot run` against a Bot API stand-in in its own process.
Usage: .venv/bin/python bench/announce_latency.py [--database URL | --postgres] [--recipients 30]
[--rounds 3]   (--postgres: a throwaway PostgreSQL cluster, as the tests start one)
Targets (issue 20): /send -> first delivery < 0.5 s; typing announce -> first delivery < 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert  # noqa: E402
from standin_process import RemoteStandIn  # noqa: E402

from bot.storage import Store  # noqa: E402
from bot.storage.models import User  # noqa: E402

ORGANISER = 777


def add_people(database: str, count: int) -> None:
    now = datetime.now(UTC)
    store = Store(database)
    with store.engine.begin() as connection:
        connection.execute(insert(User), [
            {"platform": "telegram", "external_id": str(10_000 + n), "chat_id": str(10_000 + n),
             "client_language": "pl", "created_at": now, "last_seen_at": now,
             "reminder_minutes": 15, "active": True} for n in range(1, count + 1)])
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database URL (default: a new SQLite file)")
    parser.add_argument("--postgres", action="store_true",
                        help="start a throwaway PostgreSQL (tests/postgres_server.py)")
    parser.add_argument("--recipients", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true",
                        help="one round to three people: does it still run? (figures not meant)")
    args = parser.parse_args()
    if args.smoke:
        args.recipients, args.rounds = 3, 1
    folder = Path(tempfile.mkdtemp(prefix="confbot-announce-"))
    server = None
    if args.postgres:
        from tests.postgres_server import Databases, PostgresServer, find_bindir

        bindir = find_bindir()
        assert bindir is not None, "no PostgreSQL binaries here"
        server = PostgresServer(bindir)
        server.start()
        databases = Databases(server.admin_url)
        args.database = databases.url(databases.create())
    database = args.database or f"sqlite:///{folder / 'bench.sqlite3'}"
    add_people(database, args.recipients)
    api = RemoteStandIn()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CONFBOT_"))}
    env.update(DATABASE_URL=database, TELEGRAM_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url,
               ORGANISERS=f"telegram:{ORGANISER}", CONFBOT_RETENTION_DAYS="36500",
               CONFBOT_LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
               PYTHONPATH=str(ROOT))
    log = folder / "bot.log"
    bot = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=folder,
                           stdin=subprocess.DEVNULL, stderr=log.open("ab"))
    sent = 0

    def first_broadcast_after(start_count: int) -> float:
        """Wait for the next sendMessage to a recipient; its stand-in time."""
        nonlocal sent
        while True:
            answer = api.wait("sendMessage", sent + 1, since=sent, timeout=30)
            for at, chat in zip(answer["times"], answer["chats"], strict=True):
                sent += 1
                if chat != str(ORGANISER) and sent > start_count:
                    return float(at)

    def organiser(text: str) -> None:
        """Write, then read every reply (they are paced: a preview takes a few seconds)."""
        before = api.wait("sendMessage", 0)["count"]
        api.push([{"user": ORGANISER, "text": text}])
        count = api.wait("sendMessage", before + 1, timeout=30)["count"]
        while (now := api.wait("sendMessage", count + 1, timeout=1.5)["count"]) > count:
            count = now

    try:
        api.wait("getUpdates", 1, timeout=60)
        chat_figures, cli_figures = [], []
        for round_ in range(args.rounds):
            for text in ("/announce", f"Obiad o 14:30 ({round_})", "/skip", "/skip", "/to all"):
                organiser(text)
            sent = api.wait("sendMessage", 0)["count"]
            (pushed,) = api.push([{"user": ORGANISER, "text": "/send"}])
            chat_figures.append(first_broadcast_after(sent) - pushed)
            api.wait("sendMessage", sent + args.recipients, timeout=60)
            sent = api.wait("sendMessage", 0)["count"]
            typed = time.monotonic()
            subprocess.run([sys.executable, "-m", "bot", "announce", "--pl",
                            f"Kawa o 16:00 ({round_})", "--yes"], env=env, cwd=folder,
                           check=True, capture_output=True)
            cli_figures.append(first_broadcast_after(sent) - typed)
            api.wait("sendMessage", sent + args.recipients, timeout=60)
            sent = api.wait("sendMessage", 0)["count"]
        print(f"database: {database.split(':')[0]}, {args.recipients} recipients, "
              f"{args.rounds} rounds")
        print(f"/send -> first delivery:            median {statistics.median(chat_figures):.3f} s,"
              f" max {max(chat_figures):.3f} s (target < 0.5 s)")
        print(f"typing announce -> first delivery:  median {statistics.median(cli_figures):.3f} s,"
              f" max {max(cli_figures):.3f} s (target < 2 s)")
    finally:
        bot.terminate()
        bot.wait(20)
        print(f"(log: {log})")
        api.stop()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
