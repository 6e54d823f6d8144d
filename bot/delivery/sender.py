"""The durable outbox: every pushed message (reminder, change notice, broadcast) is a row.

Messages are rendered in the recipient's language when queued; a dispatcher per platform
delivers them at that platform's pace, retries what failed for a passing reason, stops at
people who blocked the bot, and drops what has become pointless (a reminder after the start).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.core.logids import who
from bot.core.messages import Address, Button, FileReply, LocationReply, Reply, TextReply
from bot.storage import OutboxRecord, OutboxStatus, Store
from bot.storage.outbox import DEFAULT_LEASE

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class DeliveryError(Exception):
    """Delivery failed for a reason that may pass (network, rate limit, server error)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RecipientGone(Exception):
    """The recipient blocked the bot or no longer exists: never retry, stop writing to them."""


class Deliver(Protocol):
    def __call__(self, address: Address, replies: list[Reply], *,
                 message_id: int | None = None) -> Awaitable[None]:
        """Send pushed replies; raise DeliveryError or RecipientGone."""


def encode(replies: list[Reply]) -> str:
    items: list[dict[str, object]] = []
    for reply in replies:
        if isinstance(reply, TextReply):
            item: dict[str, object] = {"type": "text", "html": str(reply.html), "buttons": [
                [{"label": b.label, "command": b.command, "private": b.private} for b in row]
                for row in reply.buttons]}
            if reply.reactions:
                item["reactions"] = dict(reply.reactions)
            items.append(item)
        elif isinstance(reply, LocationReply):
            items.append({"type": "location", "latitude": reply.latitude,
                          "longitude": reply.longitude, "title": reply.title,
                          "address": reply.address})
        elif isinstance(reply, FileReply):
            items.append({"type": "file", "filename": reply.filename,
                          "content": base64.b64encode(reply.content).decode("ascii"),
                          "mime_type": reply.mime_type, "caption": reply.caption})
    return json.dumps(items, ensure_ascii=False)


def decode(payload: str) -> list[Reply]:
    replies: list[Reply] = []
    for item in json.loads(payload):
        if item["type"] == "text":
            buttons = tuple(tuple(Button(b["label"], b["command"], b.get("private", False))
                                  for b in row) for row in item["buttons"])
            replies.append(TextReply(item["html"], buttons, item.get("reactions") or {}))
        elif item["type"] == "location":
            replies.append(LocationReply(item["latitude"], item["longitude"], item["title"],
                                         item["address"]))
        elif item["type"] == "file":
            replies.append(FileReply(item["filename"], base64.b64decode(item["content"]),
                                     item["mime_type"], item["caption"]))
    return replies


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … seconds, at most 5 minutes."""
    return timedelta(seconds=min(300, 2 ** attempts))


class OutboxSender:
    """Drains one platform's queued messages through that platform's deliver function."""

    def __init__(self, store: Store, clock: Clock, platform: str, deliver: Deliver,
                 *, batch: int = 20, idle_seconds: float = 1.0, chat_id: str | None = None,
                 lease: timedelta = DEFAULT_LEASE,
                 on_done: Callable[[OutboxRecord], None] | None = None) -> None:
        self.store, self.clock, self.platform, self.deliver = store, clock, platform, deliver
        self.batch = batch
        self.chat_id = chat_id
        """Only this chat's messages (the console serves one person)."""
        self.on_done = on_done or (lambda message: None)
        """Called once a message reached a final status (sent, failed, blocked, expired)."""
        self.idle_seconds = idle_seconds
        self.lease = lease
        """How long a claim holds its messages unless renewed (see OutboxStore.claim)."""
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def drain_once(self) -> int:
        """Deliver what is due now; return how many messages were handled."""
        handled = 0
        while True:
            now = self.clock.now()
            claim = self.store.outbox.claim(self.platform, now, self.batch, self.chat_id,
                                            lease=self.lease)
            if not claim.messages:
                return handled
            if claim.reclaimed:
                log.warning("platform=%s: %d message(s) were being sent by a process that "
                            "stopped; their lease ran out, so they are queued again",
                            self.platform, claim.reclaimed)
            lease_ends = now + self.lease
            for message in claim.messages:
                now = self.clock.now()
                if lease_ends - now < self.lease / 2:  # keep what this claim still holds
                    lease_ends = now + self.lease
                    self.store.outbox.extend(claim.token, lease_ends)
                final = await self._send(message)
                handled += 1
                if final:
                    self.on_done(message)

    def _finish(self, message: OutboxRecord, status: OutboxStatus, *, now: datetime,
                error: str | None = None, retry_at: datetime | None = None) -> None:
        if not self.store.outbox.finish(message.id, status, now=now, error=error,
                                        retry_at=retry_at, token=message.claim_token):
            log.warning("platform=%s outbox=%d: its claim had run out and another sender "
                        "took it; outcome %s not recorded", self.platform, message.id, status)

    async def _send(self, message: OutboxRecord) -> bool:
        """Try one message; True when its status is final."""
        now = self.clock.now()
        where = f"platform={message.platform} chat={who(message.platform, message.chat_id)} " \
                f"outbox={message.id} " \
                f"kind={message.kind} key={message.dedupe_key}"
        if message.expires_at is not None and now >= message.expires_at:
            log.info("%s: dropped, too late to matter (expired %s)", where,
                     message.expires_at.isoformat())
            self._finish(message, OutboxStatus.EXPIRED, now=now,
                                     error="expired before delivery")
            return True
        try:
            await self.deliver(Address(message.platform, message.chat_id),
                               decode(message.payload), message_id=message.id)
        except RecipientGone as error:
            log.warning("%s: recipient gone (%s); not retrying, user marked inactive", where,
                        error)
            self._finish(message, OutboxStatus.BLOCKED, now=now, error=str(error))
            if message.user_id is not None:
                self.store.users.set_active(message.user_id, False)
            return True
        except Exception as error:  # a failed send must never stop the dispatcher
            return self._retry_or_fail(message, where, error, now)
        self._finish(message, OutboxStatus.SENT, now=self.clock.now())
        log.info("%s: sent (attempt %d)", where, message.attempts)
        return True

    def _retry_or_fail(self, message: OutboxRecord, where: str, error: Exception,
                       now: datetime) -> bool:
        text = f"{error.__class__.__name__}: {error}"
        if message.attempts >= MAX_ATTEMPTS:
            log.error("%s: failed for good after %d attempts: %s", where, message.attempts, text)
            self._finish(message, OutboxStatus.FAILED, now=now, error=text)
            return True
        wait = getattr(error, "retry_after", None)
        retry_at = now + (timedelta(seconds=wait) if wait else backoff(message.attempts))
        log.warning("%s: attempt %d failed (%s); retrying at %s", where, message.attempts, text,
                    retry_at.isoformat())
        self._finish(message, OutboxStatus.QUEUED, now=now, error=text,
                                 retry_at=retry_at)
        return False

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until stopped, waking early whenever something is queued."""
        while not stop.is_set():
            try:
                await self.drain_once()
            except Exception:
                log.exception("platform=%s: the outbox dispatcher failed; retrying",
                              self.platform)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.idle_seconds)
