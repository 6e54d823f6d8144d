"""Keeping within a platform's sending limits: overall, per chat, and per group chat.

Replies to people go first: a pushed message waits while replies are being sent.
"""

from __future__ import annotations

import asyncio
import time
from bisect import insort
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Pacer:
    """Telegram allows about 30 messages a second overall; 29 leaves room for jitter."""

    def __init__(self, *, per_second: float = 29.0, chat_interval: float = 1.0,
                 group_interval: float = 3.0, reply_burst: int = 3) -> None:
        self.per_second = per_second
        self._sent: list[float] = []
        """When the messages of the last second were (to be) sent: a sliding window, like the
        limit itself, so a stall (a slow database write) is made up for, never exceeded."""
        self.chat_interval = chat_interval
        self.group_interval = group_interval
        self.reply_burst = reply_burst
        self._next_chat: dict[str, float] = {}
        self._reply_credit: dict[str, tuple[int, float]] = {}
        self._replying = 0
        self._lock = asyncio.Lock()
        self._in_flight = asyncio.Lock()
        """One reply on its way at a time: its sender marks it done before the next leaves,
        so a crash repeats at most the one reply in flight."""

    def _slot(self, chat: str, *, is_group: bool, reply: bool) -> float:
        """Reserve the next moment this message may go; return how long to wait for it."""
        now = time.monotonic()
        interval = self.group_interval if is_group else self.chat_interval
        chat_ready = self._next_chat.get(chat, 0.0)
        if reply and not is_group:
            credit, since = self._reply_credit.get(chat, (self.reply_burst, now))
            regained = int((now - since) / self.chat_interval) if self.chat_interval else 1
            credit = min(self.reply_burst, credit + regained)
            if credit > 0:
                chat_ready = now  # a short answer of a few messages goes out at once
                self._reply_credit[chat] = (credit - 1, now)
        at = max(now, chat_ready)
        while self._sent and self._sent[0] <= now - 1.0:
            self._sent.pop(0)
        earlier = [moment for moment in self._sent if moment <= at]
        if len(earlier) >= self.per_second:
            at = max(at, earlier[len(earlier) - int(self.per_second)] + 1.0)
        insort(self._sent, at)
        self._next_chat[chat] = at + interval
        return at - now

    @asynccontextmanager
    async def reply(self, chat: str, *, is_group: bool = False) -> AsyncIterator[None]:
        self._replying += 1
        try:
            async with self._lock:
                wait = self._slot(chat, is_group=is_group, reply=True)
            if wait > 0:
                await asyncio.sleep(wait)
            async with self._in_flight:
                yield
        finally:
            self._replying -= 1

    @asynccontextmanager
    async def push(self, chat: str, *, is_group: bool = False) -> AsyncIterator[None]:
        while self._replying:
            await asyncio.sleep(0.005)
        async with self._lock:
            wait = self._slot(chat, is_group=is_group, reply=False)
        if wait > 0:
            await asyncio.sleep(wait)
        yield
