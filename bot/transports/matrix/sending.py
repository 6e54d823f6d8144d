"""Sending to Matrix rooms: replies as rich replies in the question's thread, pushed messages
with transaction ids from the outbox, files uploaded (encrypted in encrypted rooms), the rate
limit honoured per room, and what a reaction to each sent message means remembered."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from markupsafe import Markup
from nio import (
    AsyncClient,
    LocalProtocolError,
    MatrixRoom,
    OlmTrustError,
    RoomSendResponse,
    UploadResponse,
)

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Address, FileReply, LocationReply, Reply, TextReply
from bot.delivery.sender import DeliveryError, RecipientGone
from bot.language.i18n import Translator
from bot.transports.matrix.conventions import reply_relation
from bot.transports.matrix.render import bang_commands, location_content, text_content

log = logging.getLogger(__name__)
PLATFORM = "matrix"
MAX_ATTEMPTS = 6
REACTIONS_KEPT = 4096
"""Sent messages whose reactions the bot remembers (the most recent ones; kept in the `state`
table, with nothing about any person: an event id and the command a reaction means)."""


@dataclass(frozen=True)
class Answering:
    """The message a reply answers: the reply attaches to it and mentions its sender."""

    event_id: str
    sender: str
    thread: str | None = None
    rich: bool = False
    """A rich reply (rooms with more than two members)."""


class Sending:
    """The part of MatrixTransport that sends (a mixin)."""

    app: Application
    client: AsyncClient
    ready: asyncio.Event
    _reactions: OrderedDict[str, dict[str, str]]

    async def deliver(self, address: Address, replies: list[Reply],
                      message_id: int | None = None) -> None:
        """A pushed message; the transaction id comes from its outbox row, so a resend after a
        crash is recognised by the server as the same message (encrypted or not)."""
        if not self.ready.is_set():  # the rooms (and which are encrypted) are not known yet
            raise DeliveryError("not connected to the homeserver yet", retry_after=2)
        await self._send(address.chat_id, replies,
                         txn=f"confbot-outbox-{message_id}" if message_id else None)

    async def _send(self, room_id: str, replies: list[Reply], txn: str | None = None, *,
                    answering: Answering | None = None,
                    translator: Translator | None = None) -> None:
        room = await self._known_room(room_id)
        t = translator or self.app.catalogue[self.app.conference.languages[0]]
        for index, reply in enumerate(replies):
            content = await self._content(reply, t, encrypted=room.encrypted)
            if answering is not None:
                relation = reply_relation(answering.event_id, answering.thread,
                                          rich=answering.rich and index == 0)
                if relation:
                    content["m.relates_to"] = relation
                content["m.mentions"] = ({"user_ids": [answering.sender]}
                                         if answering.rich and index == 0 else {})
            else:
                content["m.mentions"] = {}
            tx_id = f"{txn}-{index}" if txn else uuid.uuid4().hex
            event_id = await self._send_one(room_id, content, tx_id)
            if isinstance(reply, TextReply) and reply.reactions:
                self._remember_reactions(event_id, dict(reply.reactions))

    def _reactions_key(self, event_id: str = "") -> str:
        return f"matrix:{self.client.user_id}:reaction:{event_id}"

    def _remember_reactions(self, event_id: str, meanings: dict[str, str]) -> None:
        """Keep what reactions to a sent message mean, in the database too (a restart
        forgets nothing); the oldest beyond REACTIONS_KEPT are dropped."""
        self._reactions[event_id] = meanings
        self.app.store.state.set(self._reactions_key(event_id), json.dumps(meanings))
        while len(self._reactions) > REACTIONS_KEPT:
            oldest, _ = self._reactions.popitem(last=False)
            self.app.store.state.delete(self._reactions_key(oldest))

    def _load_reactions(self) -> None:
        """What reactions to the messages sent before a restart mean."""
        prefix = self._reactions_key()
        for key, value in self.app.store.state.items(prefix).items():
            self._reactions[key[len(prefix):]] = json.loads(value)

    async def _send_one(self, room_id: str, content: dict[str, object], tx_id: str) -> str:
        """Send one event and return its id; a rate limit waits for this room only."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            response = await self._room_send(room_id, content, tx_id)
            if isinstance(response, RoomSendResponse):
                return str(response.event_id)
            code = getattr(response, "status_code", None)
            if code == "M_LIMIT_EXCEEDED" and attempt < MAX_ATTEMPTS:
                wait = (getattr(response, "retry_after_ms", None) or 1000) / 1000
                log.warning("platform=matrix room=%s: rate limited; retrying in %.1f s "
                            "(same transaction)", who(PLATFORM, room_id), wait)
                await asyncio.sleep(wait)
                continue
            if code in ("M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN"):
                raise RecipientGone(f"{code}: {response}")
            raise DeliveryError(f"{code or 'error'}: {response}",
                                retry_after=(getattr(response, "retry_after_ms", None)
                                             or 0) / 1000 or None)
        raise DeliveryError(f"rate limited {MAX_ATTEMPTS} times in room {room_id}")

    async def _known_room(self, room_id: str, wait: float = 5.0) -> MatrixRoom:
        """The room as synced (whether it is encrypted, who is in it); a room joined a moment
        ago is waited for, since sending before knowing could mean plain text in an encrypted
        room."""
        deadline = time.monotonic() + wait
        while room_id not in self.client.rooms and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        room = self.client.rooms.get(room_id)
        if room is not None:
            return room
        joined = await self.client.joined_rooms()
        if room_id in getattr(joined, "rooms", [room_id]):
            raise DeliveryError(f"room {room_id} is joined but not synced yet", retry_after=2)
        raise RecipientGone(f"the bot is not in room {room_id}")

    async def _room_send(self, room_id: str, content: dict[str, object], tx_id: str
                         ) -> object:
        """Send one message, encrypted when the room is: its keys go to every device of the
        room's members, verified or not (trust on first use)."""
        try:
            return await self.client.room_send(room_id, "m.room.message", content,
                                               tx_id=tx_id, ignore_unverified_devices=True)
        except (LocalProtocolError, OlmTrustError) as error:
            raise DeliveryError(f"could not encrypt for room {room_id}: "
                                f"{error.__class__.__name__}: {error}") from error
        except Exception as error:  # nio's encryption errors: never a crash, always a retry
            if "Encryption" not in error.__class__.__name__:
                raise
            raise DeliveryError(f"could not encrypt for room {room_id}: "
                                f"{error.__class__.__name__}: {error}") from error

    async def _content(self, reply: Reply, t: Translator, encrypted: bool = False
                       ) -> dict[str, object]:
        if isinstance(reply, TextReply):
            notes = [Markup.escape(t.gettext("React %(emoji)s to send %(command)s", emoji=emoji,
                                             command=bang_commands(command)))
                     for emoji, command in reply.reactions.items()]
            return text_content(reply, notes, self.client.user_id)
        if isinstance(reply, LocationReply):
            return location_content(reply)
        assert isinstance(reply, FileReply)
        upload, keys = await self.client.upload(io.BytesIO(reply.content),
                                                content_type=reply.mime_type,
                                                filename=reply.filename,
                                                filesize=len(reply.content), encrypt=encrypted)
        if not isinstance(upload, UploadResponse):
            raise DeliveryError(f"upload of {reply.filename} failed: {upload}")
        content: dict[str, object] = {
            "msgtype": "m.file", "body": reply.filename, "filename": reply.filename,
            "info": {"mimetype": reply.mime_type, "size": len(reply.content)}}
        if keys is not None:  # an encrypted room: the file is encrypted, its key in the event
            content["file"] = {"url": upload.content_uri, **keys}
        else:
            content["url"] = upload.content_uri
        return content
