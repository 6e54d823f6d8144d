"""Helpers shared by the tests: the conference folders, building the bot as `confbot run`
does, free ports, waiting."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import PROJECT_ROOT
from bot.app import Application
from bot.core.clock import Clock
from bot.language.lexicon import Lexicon
from bot.programme.model import Conference
from bot.storage import Store
from bot.wiring import build_application

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
DATA_DIR = FIXTURES / "conference"
"""The tests' copy of MIEJSCA OTWARTE 2023: the tests never read the shipped data/."""
SYNTHETIC_DIR = FIXTURES / "synthetic"
"""Harbour Days 2025: one day in Tokyo, for tests that the bot is not bound to one conference."""


def start_app(conference: Conference, lexicon: Lexicon, store: Store, clock: Clock,
              organisers: frozenset[str] = frozenset()) -> Application:
    """The application with every feature, its programme applied, as `confbot run` starts it."""
    app = build_application(conference, lexicon, store, clock, organisers=organisers)
    app.apply_programme()
    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll until `condition()` is true; fail the test naming what did not happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def start_bot(env: dict[str, str], log: Path, *args: str,
              cwd: Path = PROJECT_ROOT) -> subprocess.Popen[bytes]:
    """A real `confbot run` process, its log (stderr) appended to `log`."""
    return subprocess.Popen([sys.executable, "-m", "bot", "run", *args], env=env, cwd=cwd,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(log, "ab"))


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a bot process cleanly if it still runs (SIGTERM, then SIGKILL after 15 s)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def bot_environment(**env: str) -> dict[str, str]:
    """This process's environment without the bot's settings, plus `env`. The bot runs from
    this checkout, whatever an editable install of the virtualenv points at, on the tests'
    conference (CONFBOT_DATA_DIR=tests/fixtures/conference unless `env` says otherwise)."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "MATRIX_", "CONFBOT_", "DATABASE_URL"))}
    environment["CONFBOT_DATA_DIR"] = str(DATA_DIR)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    environment.update(env)
    return environment


def text_update(update_id: int, user: int, text: str) -> dict[str, Any]:
    """A Telegram update: `text` sent by `user` in a private chat (a command marked as one)."""
    message: dict[str, Any] = {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "T", "language_code": "en"},
        "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def post_update(url: str, update: dict[str, Any], secret: str) -> int:
    """One webhook delivery as Telegram makes it: the HTTP status, 0 when nothing answered."""
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
    try:
        return int(urllib.request.urlopen(request, timeout=10).status)
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def title(conference: Conference, session_id: str, lang: str) -> str:
    """A session's title in a language, as the answers show it."""
    return str(conference.sessions[session_id].title[lang])
