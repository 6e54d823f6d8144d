"""What a database outage costs the people asking: PostgreSQL (a throwaway cluster) stops for
15 s during a burst of questions to a real `confbot run` (long polling), then starts again.

Printed: questions answered, apologies, whether the process exited, and how long the last
answer took after the database came back.
Usage: .venv/bin/python bench/db_outage.py [--burst 300] [--outage 15]
A benchmark, not a test. Target: all answered, 0 apologies, no exit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import bot_environment, start_bot, stop
from tests.postgres_server import Databases, PostgresServer, find_bindir
from tests.telegram_standin import BotApiStandIn

FIRST = 30_000
APOLOGIES = ("Sorry", "Przepraszam", "Вибачте")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--outage", type=float, default=15.0)
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny burst, a short outage: does it run? (figures not meant)")
    args = parser.parse_args()
    if args.smoke:
        args.burst, args.outage = 10, 1.0
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl)")
    server = PostgresServer(bindir)
    api = BotApiStandIn(latency=0.005).start()
    server.start()
    try:
        databases = Databases(server.admin_url)
        url = databases.url(databases.create())
        databases.close()
        env = bot_environment(DATABASE_URL=url, TELEGRAM_TOKEN=api.token,
                              TELEGRAM_BASE_URL=api.base_url, CONFBOT_RETENTION_DAYS="36500")
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "bot.log"
            bot = start_bot(env, log)

            def answered() -> Counter[str]:
                return Counter(c.chat_id for c in api.sent(method="sendMessage"))

            try:
                while "running as @" not in log.read_text():
                    time.sleep(0.05)
                half = args.burst // 2
                for n in range(half):
                    api.send_text(FIRST + n, "/help", language_code=("pl", "uk", "en")[n % 3])
                while len(answered()) < min(10, half):
                    time.sleep(0.01)
                server.halt()
                for n in range(half, args.burst):
                    api.send_text(FIRST + n, "/help", language_code=("pl", "uk", "en")[n % 3])
                time.sleep(args.outage)  # the outage itself
                exited_during = bot.poll() is not None
                server.resume()
                back = time.monotonic()
                deadline = back + 180
                while len(answered()) < args.burst and time.monotonic() < deadline:
                    time.sleep(0.05)
                recovered = time.monotonic() - back
                exited = bot.poll() is not None
            finally:
                stop(bot)
        texts = [str(c.params.get("text", "")) for c in api.sent(method="sendMessage")]
        apologies = sum(1 for t in texts if t.startswith(APOLOGIES))
        print(f"PostgreSQL stopped {args.outage:g} s during a burst of {args.burst}: "
              f"{len(answered())} answered, {apologies} apologies, process exited: "
              f"{exited_during or exited}; all answered {recovered:.1f} s after the database "
              f"came back  (target: all, 0, no)")
    finally:
        api.stop()
        server.stop()


if __name__ == "__main__":
    main()
