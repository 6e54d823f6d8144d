"""Helpers shared by the tests: building the bot as `confbot run` does, free ports, waiting."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from bot.app import Application
from bot.clock import Clock
from bot.lexicon import Lexicon
from bot.programme import Conference
from bot.storage import Store
from bot.wiring import build_application


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
