"""What a crash costs the people asking: a real `confbot run` is killed (SIGKILL) during a
burst of questions, by long polling and by webhook, then started again.

Printed per mode: how many were answered, never answered, and answered twice.
Usage: .venv/bin/python bench/intake_crash.py [--burst 300]
A benchmark, not a test. Target: all answered, at most one twice.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import bot_environment, free_port, post_update, start_bot, stop, text_update
from tests.telegram_standin import BotApiStandIn

FIRST = 20_000
SECRET = "s3cret"


def answered(api: BotApiStandIn) -> Counter[str]:
    return Counter(c.chat_id for c in api.sent(method="sendMessage"))


def wait(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def settle(api: BotApiStandIn, burst: int) -> Counter[str]:
    wait(lambda: len(answered(api)) >= burst, 90)
    last = -1
    while (count := len(api.sent(method="sendMessage"))) != last:
        last = count
        time.sleep(1.0)
    return answered(api)


def run(mode: str, burst: int, folder: Path) -> tuple[int, int, int, int]:
    api = BotApiStandIn(latency=0.005).start()
    extra: dict[str, str] = {}
    url = ""
    if mode == "webhook":
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        extra = {"TELEGRAM_WEBHOOK_URL": url, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                 "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1", "TELEGRAM_WEBHOOK_PORT": str(port)}
    env = bot_environment(DATABASE_URL=f"sqlite:///{folder / (mode + '.sqlite3')}",
                          TELEGRAM_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url,
                          CONFBOT_RETENTION_DAYS="36500", **extra)
    log = folder / f"{mode}.log"
    bot: subprocess.Popen[bytes] = start_bot(env, log)
    try:
        wait(lambda: "running as @" in log.read_text(), 60)
        updates = [text_update(n + 1, FIRST + n, "/help") for n in range(burst)]
        if mode == "polling":
            for n in range(burst):
                api.send_text(FIRST + n, "/help")
            wait(lambda: len(answered(api)) >= burst // 10, 60)
            os.kill(bot.pid, signal.SIGKILL)
            again: list[dict[str, object]] = []
        else:
            with ThreadPoolExecutor(8) as pool:
                futures = [pool.submit(post_update, url, body, SECRET) for body in updates]
                wait(lambda: len(answered(api)) >= burst // 10, 60)
                os.kill(bot.pid, signal.SIGKILL)
                acknowledged = [future.result() == 200 for future in futures]
            again = [b for b, ok in zip(updates, acknowledged, strict=True) if not ok]
        bot.wait(10)
        at_kill = len(answered(api))
        bot = start_bot(env, log)
        wait(lambda: log.read_text().count("running as @") >= 2, 60)
        for body in again:  # Telegram delivers again what was not acknowledged
            wait(lambda body=body: post_update(url, body, SECRET) == 200, 30)
        counts = settle(api, burst)
    finally:
        stop(bot)
        api.stop()
    never = burst - len(counts)
    twice = sum(1 for n in counts.values() if n > 1)
    return at_kill, len(counts), never, twice


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny burst: does it still run? (figures not meant)")
    args = parser.parse_args()
    if args.smoke:
        args.burst = 20
    with tempfile.TemporaryDirectory() as folder:
        for mode in ("polling", "webhook"):
            at_kill, answered_, never, twice = run(mode, args.burst, Path(folder))
            print(f"{mode}: SIGKILL after {at_kill} of {args.burst} answered; after the restart "
                  f"{answered_} answered, {never} never, {twice} twice  (target: 0 never, "
                  f"at most 1 twice)")


if __name__ == "__main__":
    main()
