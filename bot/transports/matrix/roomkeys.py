"""Room keys that are late: a message the bot could not decrypt is answered when its key
comes; after `keys_wait` seconds without it the bot asks, once, to send it again. Also the
end-to-end chores sync_forever would do (key upload, device queries, olm sessions)."""

from __future__ import annotations

import asyncio
import logging
import time

from markupsafe import Markup
from nio import (
    AsyncClient,
    ForwardedRoomKeyEvent,
    KeysQueryResponse,
    KeysUploadResponse,
    MatrixRoom,
    MegolmEvent,
    RoomKeyEvent,
    RoomMessageText,
)

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Reply, TextReply
from bot.delivery.sender import DeliveryError, RecipientGone
from bot.language.i18n import Translator
from bot.transports.matrix.sending import Answering

log = logging.getLogger(__name__)
PLATFORM = "matrix"


class RoomKeys:
    """The part of MatrixTransport that waits for room keys (a mixin)."""

    app: Application
    client: AsyncClient
    user_id: str
    keys_wait: float
    _undecrypted: dict[str, list[tuple[MatrixRoom, MegolmEvent]]]
    _asked_again: dict[str, float]
    _timers: set[asyncio.Task[None]]

    async def _send(self, room_id: str, replies: list[Reply], txn: str | None = None, *,
                    answering: Answering | None = None,
                    translator: Translator | None = None) -> None:
        raise NotImplementedError

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        raise NotImplementedError

    async def _crypto_chores(self) -> None:
        """What sync_forever would do: upload our keys, learn people's devices, open olm
        sessions, send queued to-device messages (key requests, key shares)."""
        client = self.client
        try:
            if client.should_upload_keys:
                uploaded = await client.keys_upload()
                if not isinstance(uploaded, KeysUploadResponse):
                    log.warning("platform=matrix device=%s: key upload failed: %s",
                                client.device_id, uploaded)
            if client.should_query_keys:
                queried = await client.keys_query()
                if isinstance(queried, KeysQueryResponse):
                    for user, devices in queried.changed.items():
                        log.info("platform=matrix user=%s: devices now %s (trusted on first "
                                 "use)", who(PLATFORM, user), ", ".join(sorted(devices)) or "none")
                else:
                    log.warning("platform=matrix: device key query failed: %s", queried)
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            if client.outgoing_to_device_messages:
                await client.send_to_device_messages()
        except Exception:  # an odd device or a network hiccup must never stop the bot
            log.exception("platform=matrix: end-to-end key upkeep failed; retried next sync")

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        """A message whose room key has not arrived: ask for it, answer when it comes, and
        after keys_wait seconds without it ask the person to send the message again."""
        if event.sender == self.user_id:
            return
        log.warning("platform=matrix user=%s chat=%s message=%s: cannot decrypt yet (megolm "
                    "session %s from device %s); waiting %.0f s for the key",
                    who(PLATFORM, event.sender), who(PLATFORM, room.room_id), event.event_id,
                    event.session_id, event.device_id, self.keys_wait)
        waiting = self._undecrypted.setdefault(event.session_id, [])
        waiting.append((room, event))
        if len(waiting) == 1:
            if event.session_id not in self.client.outgoing_key_requests:
                try:
                    await self.client.request_room_key(event)
                except Exception as error:  # a failed request still gets the timeout below
                    log.warning("platform=matrix chat=%s: key request failed: %s",
                                who(PLATFORM, room.room_id), error)
            timer = asyncio.create_task(self._give_up_later(event.session_id))
            self._timers.add(timer)
            timer.add_done_callback(self._timers.discard)

    async def _on_room_key(self, event: RoomKeyEvent | ForwardedRoomKeyEvent) -> None:
        """A room key arrived: answer the messages that were waiting for it."""
        for room, undecrypted in self._undecrypted.pop(event.session_id, []):
            try:
                decrypted: object = self.client.decrypt_event(undecrypted)
            except Exception as error:  # e.g. a key that starts after this message
                decrypted = error
            if isinstance(decrypted, RoomMessageText):
                log.info("platform=matrix chat=%s message=%s: decrypted once the key arrived",
                         who(PLATFORM, room.room_id), undecrypted.event_id)
                await self._on_message(room, decrypted)
            else:
                log.warning("platform=matrix chat=%s message=%s: still not readable with the "
                            "key that arrived (%s); waiting on", who(PLATFORM, room.room_id),
                            undecrypted.event_id, decrypted)
                self._undecrypted.setdefault(event.session_id, []).append((room, undecrypted))

    async def _give_up_later(self, session_id: str) -> None:
        await asyncio.sleep(self.keys_wait)
        waiting = self._undecrypted.pop(session_id, [])
        if not waiting:
            return
        room, event = waiting[-1]
        now = time.monotonic()
        if now - self._asked_again.get(room.room_id, -self.keys_wait) < self.keys_wait:
            return  # asked there a moment ago: one notice covers both
        self._asked_again[room.room_id] = now
        log.warning("platform=matrix user=%s chat=%s: no key for %d message(s) after %.0f s; "
                    "asking to send again", who(PLATFORM, event.sender),
                    who(PLATFORM, room.room_id), len(waiting),
                    self.keys_wait)
        user = self.app.store.users.known(PLATFORM, event.sender)
        translator = (self.app.speaker_for(user).t if user is not None
                      else self.app.catalogue[self.app.conference.languages[0]])
        text = translator.gettext("I could not read your last message: its encryption keys "
                                  "did not reach me. Please send it again.")
        try:
            await self._send(room.room_id, [TextReply(Markup.escape(text))])
        except (DeliveryError, RecipientGone) as error:
            log.error("platform=matrix chat=%s: the request to resend was dropped: %s",
                      who(PLATFORM, room.room_id), error)
