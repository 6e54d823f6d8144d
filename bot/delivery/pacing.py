"""Keeping within a platform's sending limits: overall, per chat, and per group chat.

Replies and pushed messages share the overall budget: while both wait, pushed messages may use
`push_share` of it (a third) and replies the rest, so a flow of replies never holds up a
reminder until it expires, and a broadcast never delays answers by more than its share.
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
                 group_interval: float = 3.0, reply_burst: int = 3,
                 push_share: float = 1 / 3) -> None:
        self.per_second = per_second
        self.push_share = push_share
        self._sent: list[float] = []
        self._sent_by: dict[bool, list[float]] = {True: [], False: []}
        """The same moments, for replies (True) and pushed messages (False)."""
        """When the messages of the last second were (to be) sent: a sliding window, like the
        limit itself, so a stall (a slow database write) is made up for, never exceeded."""
        self.chat_interval = chat_interval
        self.group_interval = group_interval
        self.reply_burst = reply_burst
        self._next_chat: dict[str, float] = {}
        self._reply_credit: dict[str, tuple[int, float]] = {}
        self._replying = 0
        self._pushing = 0
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
        for window in (self._sent, *self._sent_by.values()):
            while window and window[0] <= now - 1.0:
                window.pop(0)
        for window, limit in ((self._sent, int(self.per_second)),
                              (self._sent_by[reply], self._limit(reply))):
            earlier = [moment for moment in window if moment <= at]
            if len(earlier) >= limit:
                at = max(at, earlier[len(earlier) - limit] + 1.0)
        insort(self._sent, at)
        insort(self._sent_by[reply], at)
        self._next_chat[chat] = at + interval
        return at - now

    def _limit(self, reply: bool) -> int:
        """How many of the last second's messages may be of this kind: all of the budget when
        the other kind is not waiting, else its share."""
        pushes = max(1, round(self.per_second * self.push_share))
        if reply:
            return max(1, int(self.per_second) - (pushes if self._pushing else 0))
        return pushes if self._replying else int(self.per_second)

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
        self._pushing += 1
        try:
            async with self._lock:
                wait = self._slot(chat, is_group=is_group, reply=False)
            if wait > 0:
                await asyncio.sleep(wait)
            yield
        finally:
            self._pushing -= 1
