"""Matrix through the inbox: each event the bot will answer (a message, an edit, a reaction) is
recorded in the inbox before the sync token that acknowledges it is stored, and answered from
there by the shared intake (bot/transports/intake.py): per-person order, a few answering
slots, "please slow down" past the rate, patience while the database is away, and replies
kept with the event so a crash between answering and sending never answers it twice; the
replies' transaction ids come from the inbox row, so a reply sent just before a crash and sent
again after it is dropped by the homeserver (same device, same transaction id).

Events are keyed by a 63-bit hash of their room and event id (the inbox's `update_id` is an
integer; Matrix event ids are strings): a repeated delivery finds its row. The order of the
events of one sync is kept by the inbox's `received_at`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection

from markupsafe import Markup
from nio import AsyncClient, MatrixRoom, ReactionEvent, RedactionEvent

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Incoming, Reply, TextReply
from bot.language.i18n import native_name
from bot.transports.intake import (
    UNAVAILABLE,
    InboxIntake,
    Pending,
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


class LRU(OrderedDict[str, str | None]):
    """A bounded map: the oldest entries go."""

    def __setitem__(self, key: str, value: str | None) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > 2048:
            self.popitem(last=False)


def undoing(command: str, known: Collection[str]) -> str | None:
    """The command that undoes `command`: the same with "un" before its name, if it exists."""
    name, _, rest = command.lstrip("/!").partition(" ")
    undo = f"un{name}"
    return f"/{undo} {rest}".rstrip() if undo in known else None


class Receiving:
    """The part of MatrixTransport that takes events in and answers them (a mixin)."""

    app: Application
    client: AsyncClient
    inbox: InboxIntake
    _arrived: list[tuple[int, str, str]]
    _rooms: dict[str, asyncio.Lock]
    _reactions: OrderedDict[str, dict[str, str]]
    _reacted: OrderedDict[str, str | None]
    user_id: str

    async def _reply(self, room_id: str, sender: str, replies: list[Reply],
                     answering: Answering, txn: str | None = None) -> None:
        raise NotImplementedError

    def _is_direct(self, room: MatrixRoom) -> bool:
        raise NotImplementedError

    async def _on_reaction(self, room: MatrixRoom, event: ReactionEvent) -> None:
        """A reaction to one of the bot's messages: the command that reaction means."""
        meanings = self._reactions.get(event.reacts_to, {})
        command = meanings.get(event.key) or meanings.get(event.key.rstrip("\ufe0f"))
        if event.sender == self.user_id or command is None:
            return
        answering = Answering(event.event_id, event.sender, None, rich=not self._is_direct(room))
        self._reacted[event.event_id] = json.dumps([event.sender, command])
        self._arrive(room.room_id, command, answering, key=event.event_id)

    async def _on_redaction(self, room: MatrixRoom, event: RedactionEvent) -> None:
        """A reaction taken back by its sender: the command that undoes what it did, when
        there is one (`/vote q7` -> `/unvote q7`). Reactions are remembered in memory only
        (who reacted is personal): one taken back after a restart is not seen."""
        remembered = self._reacted.pop(event.redacts, None)
        if remembered is None:
            return
        sender, command = json.loads(remembered)
        undo = undoing(command, self.app.dispatcher.commands)
        if event.sender != sender or undo is None:
            return
        answering = Answering(event.event_id, sender, None, rich=not self._is_direct(room))
        self._arrive(room.room_id, undo, answering, key=event.event_id)

    def _arrive(self, room_id: str, text: str, answering: Answering, *, key: str) -> None:
        """An event (`key`: its id) to answer, recorded with the rest of its sync, before
        the token that acknowledges it."""
        self._arrived.append((event_key(room_id, key), answering.sender,
                              payload(room_id, text, answering)))

    def _take_in_arrived(self) -> bool:
        """Record the events of this sync in the inbox and queue them; False when the database
        refused (then the sync token must not be stored: the events come again)."""
        rows = list({row[0]: row for row in self._arrived}.values())  # a sync come again
        self._arrived = []
        if not rows:
            return True
        if self.inbox.take_in(rows):
            return True
        self._arrived = rows + self._arrived  # some arrive outside a sync (late room keys)
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
        def answer() -> list[Reply]:  # a newcomer in a direct chat also hears the languages
            new_person = self.app.store.users.known(PLATFORM, answering.sender) is None
            replies = self.app.handle(incoming, patient=True)
            if new_person and not answering.rich:
                replies.append(self._language_offer(incoming))
            return replies

        replies = self.inbox.replies(item, incoming, answer)
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
                    # the transaction id comes from the inbox row: a reply resent after a
                    # crash (sent, not yet marked done) is dropped by the server as a repeat
                    await self._reply(room_id, answering.sender, replies, answering,
                                      f"confbot-reply-{item.update_id}")
            finally:
                try:
                    await self.client.room_typing(room_id, False)
                except Exception:  # the answer is what matters
                    log.debug("platform=matrix: typing off failed", exc_info=True)
            await self.inbox.finish(item.update_id, dropped=item.slow_down)

        return send

    def _language_offer(self, incoming: Incoming) -> TextReply:
        user = self.app.store.users.known(PLATFORM, incoming.user_id)
        assert user is not None  # handle() has just met them
        ctx = self.app.speaker_for(user)
        choices = " · ".join(f"{native_name(lang)}: !lang {lang}"
                             for lang in self.app.conference.languages)
        return TextReply(Markup("%s<br>%s") % (ctx._("I answer in the language you write in. "
                                                     "To choose one:"), choices))
