"""Running the whole bot (a transport, its outbox, reminders) in an event loop of its own,
in a thread, so that a synchronous test can talk to it as a person would."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from bot.app import Application
from bot.ops.serving import serve


class RunningBot:
    def __init__(self, app: Application, transport: Any, start_timeout: float = 30,
                 on_stop: Callable[[], object] = lambda: None) -> None:
        """`on_stop` runs once the transport is told to stop (e.g. the Bot API stand-in's
        `release_pollers`, so stopping waits for no long poll)."""
        self.app, self.transport = app, transport
        self.start_timeout = start_timeout
        self.on_stop = on_stop
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=lambda: self.loop.run_until_complete(serve(app, [transport])), daemon=True)

    def __enter__(self) -> RunningBot:
        self.thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.transport.ready.is_set():
            assert time.monotonic() < deadline and self.thread.is_alive(), (
                f"the {self.transport.platform} transport did not start")
            time.sleep(0.02)
        return self

    def call(self, function: Callable[[], object]) -> None:
        """Run something inside the bot's event loop (e.g. a reminder tick)."""
        done = threading.Event()

        def call_then_tell() -> None:
            function()
            done.set()

        self.loop.call_soon_threadsafe(call_then_tell)
        done.wait(5)

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Await something inside the bot's event loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.transport.stop)
        self.on_stop()
        self.thread.join(30)
