"""The organisers' console served for a test: a real aiohttp server on a free loopback port,
in a thread of its own, around an application the test also talks to."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future

from aiohttp import web

from bot.app import Application
from bot.web.console.serving import console_deps, start_console
from tests.helpers import free_port


class ConsoleServer:
    def __init__(self, app: Application, public_url: str | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.deps = console_deps(app, public_url or self.base)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> ConsoleServer:
        self._thread.start()
        future: Future[web.AppRunner] = asyncio.run_coroutine_threadsafe(
            start_console(self.deps, "127.0.0.1", self.port), self._loop)
        self._runner = future.result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
