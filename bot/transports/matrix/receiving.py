"""Matrix through the inbox: each event the bot will answer (a message, an edit, a reaction) is
recorded in the inbox before the sync token that acknowledges it is stored, and answered from
there by the shared intake (bot/transports/intake.py): per-person order, a few answering
slots, "please slow down" past the rate, patience while the database is away, and replies
kept with the event so a crash between answering and sending never answers it twice.

Events are keyed by a 63-bit hash of their room and event id (the inbox's `update_id` is an
integer; Matrix event ids are strings): a repeated delivery finds its row. The order of the
events of one sync is kept by the inbox's `received_at`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable

from nio import AsyncClient

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Incoming, Reply, TextReply
from bot.delivery.sender import decode, encode
from bot.storage.database import unreachable
from bot.transports.intake import (
    SLOW_DOWN,
    UNAVAILABLE,
    InboxIntake,
    Pending,
    TryLater,
    fallback_text,
)
from bot.transports.matrix.sending import Answering

log = logging.getLogger(__name__)
PLATFORM = "matrix"
TYPING_MS = 10_000


def event_key(room_id: str, event_id: str) -> int:
    """A stable positive 63-bit id for a Matrix event (the inbox's integer key)."""
    digest = hashlib.sha256(f"{room_id}\n{event_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def payload(room_id: str, text: str, answering: Answering) -> str:
    """What answering an event needs, decided when it arrived (addressing, thread, richness)."""
    return json.dumps({"room": room_id, "text": text, "event": answering.event_id,
                       "sender": answering.sender, "thread": answering.thread,
                       "rich": answering.rich})


def unpack(item: Pending) -> tuple[str, str, Answering]:
    data = json.loads(item.payload)
    return data["room"], data["text"], Answering(data["event"], data["sender"],
                                                 data["thread"], bool(data["rich"]))


class Receiving:
    """The part of MatrixTransport that takes events in and answers them (a mixin)."""

    app: Application
    client: AsyncClient
    inbox: InboxIntake
    _arrived: list[tuple[int, str, str]]
    _rooms: dict[str, asyncio.Lock]

    async def _reply(self, room_id: str, sender: str, replies: list[Reply],
                     answering: Answering) -> None:
        raise NotImplementedError

    def _language_offer(self, incoming: Incoming) -> TextReply:
        raise NotImplementedError

    def _arrive(self, room_id: str, text: str, answering: Answering, *, key: str) -> None:
        """An event (`key`: its id) to answer, recorded with the rest of its sync, before
        the token that acknowledges it."""
        self._arrived.append((event_key(room_id, key), answering.sender,
                              payload(room_id, text, answering)))

    def _take_in_arrived(self) -> bool:
        """Record the events of this sync in the inbox and queue them; False when the database
        refused (then the sync token must not be stored: the events come again)."""
        rows, self._arrived = self._arrived, []
        if not rows:
            return True
        if self.inbox.take_in(rows):
            return True
        self._arrived = rows + self._arrived
        return False

    def _incoming(self, room_id: str, text: str, answering: Answering) -> Incoming:
        return Incoming(platform=PLATFORM, user_id=answering.sender, chat_id=room_id, text=text,
                        message_id=answering.event_id, is_group=answering.rich,
                        thread_id=answering.thread)

    async def _answer_item(self, item: Pending) -> Callable[[], Awaitable[None]]:
        """Answer an event from the inbox (in an intake slot); return how to send it."""
        room_id, text, answering = unpack(item)
        incoming = self._incoming(room_id, text, answering)
        await self._notice(room_id, answering)
        if item.replies is not None:  # answered before a restart: send, never answer twice
            replies = decode(item.replies)
        elif item.slow_down:
            replies = [fallback_text(self.app, incoming, SLOW_DOWN)]
        else:
            try:
                new_person = self.app.store.users.known(PLATFORM, answering.sender) is None
                replies = self.app.handle(incoming, patient=True)
                if new_person and not answering.rich:
                    replies.append(self._language_offer(incoming))
                self.app.store.inbox.answered(PLATFORM, item.update_id, encode(replies))
            except Exception as error:
                if unreachable(error):
                    raise TryLater(str(error).splitlines()[0]) from error
                raise
        return self._sender(item, room_id, answering, replies)

    async def _apologise(self, item: Pending) -> Callable[[], Awaitable[None]]:
        """The database stayed away too long: say so, in the person's language."""
        room_id, text, answering = unpack(item)
        incoming = self._incoming(room_id, text, answering)
        return self._sender(item, room_id, answering,
                            [fallback_text(self.app, incoming, UNAVAILABLE)])

    async def _notice(self, room_id: str, answering: Answering) -> None:
        """Read receipt and typing notice (best effort)."""
        try:
            await self.client.update_receipt_marker(room_id, answering.event_id)
            await self.client.room_typing(room_id, True, timeout=TYPING_MS)
        except Exception as error:
            log.warning("platform=matrix chat=%s: receipt or typing failed (%s)",
                        who(PLATFORM, room_id), error)

    def _sender(self, item: Pending, room_id: str, answering: Answering,
                replies: list[Reply]) -> Callable[[], Awaitable[None]]:
        async def send() -> None:
            lock = self._rooms.setdefault(room_id, asyncio.Lock())
            try:
                async with lock:  # one room's replies never interleave
                    await self._reply(room_id, answering.sender, replies, answering)
            finally:
                try:
                    await self.client.room_typing(room_id, False)
                except Exception:  # the answer is what matters
                    log.debug("platform=matrix: typing off failed", exc_info=True)
            await self.inbox.finish(item.update_id, dropped=item.slow_down)

        return send
