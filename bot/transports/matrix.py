"""Matrix through matrix-nio's AsyncClient: the only module that imports `nio`.

On start the bot logs in (keeping the access token and device in the database, so a restart
does not create a new device), skips the room history with one initial sync before its
callbacks are attached, and from then on keeps `next_batch` in the database, so after a
restart it resumes exactly where it stopped: no message answered twice, none missed.
In a direct chat it answers everything; in a room only `!commands` and mentions of itself.
End-to-end encryption is not supported: in an encrypted room the bot says so in plain text.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import uuid

from markupsafe import Markup
from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    JoinError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomMessageText,
    RoomSendResponse,
    SyncError,
    UploadResponse,
)

from bot.app import Application
from bot.i18n import native_name
from bot.logids import who
from bot.messages import Address, FileReply, Incoming, LocationReply, Reply, TextReply
from bot.outbox import DeliveryError, RecipientGone
from bot.plaintext import plain_text

log = logging.getLogger(__name__)

PLATFORM = "matrix"
ORGANISER_LEVEL = 50
_SLASH_COMMAND = re.compile(r"(?<![\w/:.])/([a-z][a-z0-9_]*)")
MAX_ATTEMPTS = 6


def bang_commands(text: str) -> str:
    """Element takes a leading / for its own commands, so Matrix users type !now."""
    return _SLASH_COMMAND.sub(r"!\1", text)


class MatrixTransport:
    platform = PLATFORM
    outbox_chat: str | None = None

    def __init__(self, app: Application, homeserver: str, user_id: str, *,
                 password: str | None = None, access_token: str | None = None,
                 device_id: str | None = None, organiser_room: str | None = None,
                 announce_room: str | None = None, sync_timeout_ms: int = 30_000) -> None:
        self.app = app
        self.homeserver, self.user_id = homeserver, user_id
        self.password, self.access_token, self.device_id = password, access_token, device_id
        self.organiser_room, self.announce_room = organiser_room, announce_room
        self.sync_timeout_ms = sync_timeout_ms
        self.client = AsyncClient(homeserver, user_id, device_id=device_id or "",
                                  config=AsyncClientConfig(encryption_enabled=False,
                                                           store_sync_tokens=False))
        self._stop = asyncio.Event()
        self.ready = asyncio.Event()
        self._warned_encrypted: set[str] = set()
        self._creators: set[str] | None = None
        if announce_room:
            app.announce_rooms[PLATFORM] = announce_room

    # --- lifecycle ----------------------------------------------------------------------

    async def run(self) -> None:
        try:
            await self._login()
            since = self.app.store.state.get(self._key("next_batch"))
            if since is None:
                first = await self.client.sync(timeout=0, full_state=True)
                if isinstance(first, SyncError):
                    raise DeliveryError(f"the first sync failed: {first}")
                self._save_position(first.next_batch)
                log.info("platform=matrix: first start; the room history was skipped")
            else:
                self.client.next_batch = since
            for room_id in list(self.client.invited_rooms):
                await self._join(room_id)
            self.client.add_event_callback(self._on_message, RoomMessageText)
            self.client.add_event_callback(self._on_invite, InviteMemberEvent)
            self.client.add_event_callback(self._on_encrypted, MegolmEvent)
            self.ready.set()
            log.info("platform=matrix: running as %s on %s", self.user_id, self.homeserver)
            while not self._stop.is_set():
                await self._sync_once()
        finally:
            await self.client.close()

    def stop(self) -> None:
        self._stop.set()

    async def _sync_once(self) -> None:
        sync = asyncio.create_task(self.client.sync(timeout=self.sync_timeout_ms,
                                                    since=self.client.next_batch))
        stopped = asyncio.create_task(self._stop.wait())
        done, _ = await asyncio.wait({sync, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if sync not in done:
            sync.cancel()
            return
        stopped.cancel()
        response = sync.result()
        if isinstance(response, SyncError):
            log.warning("platform=matrix: sync failed (%s); retrying", response)
            await asyncio.sleep(2)
            return
        self._save_position(response.next_batch)
        await self._update_organisers()

    def _key(self, name: str) -> str:
        return f"matrix:{self.user_id}:{name}"

    def _save_position(self, next_batch: str) -> None:
        self.client.next_batch = next_batch
        self.app.store.state.set(self._key("next_batch"), next_batch)

    async def _login(self) -> None:
        if self.access_token:
            self.client.restore_login(self.user_id, self.device_id or "", self.access_token)
            return
        stored = self.app.store.state.get(self._key("session"))
        if stored:
            session = json.loads(stored)
            self.client.restore_login(self.user_id, session["device_id"],
                                      session["access_token"])
            log.info("platform=matrix: resumed the session of device %s", session["device_id"])
            return
        response = await self.client.login(self.password or "", device_name="confbot")
        if not isinstance(response, LoginResponse):
            raise DeliveryError(f"MATRIX_PASSWORD: login as {self.user_id} failed: {response}")
        self.app.store.state.set(self._key("session"), json.dumps(
            {"device_id": response.device_id, "access_token": response.access_token}))
        log.info("platform=matrix: logged in; device %s kept for later starts",
                 response.device_id)

    async def _update_organisers(self) -> None:
        """People with power level >= 50 in the organiser room may broadcast."""
        room = self.client.rooms.get(self.organiser_room or "")
        if room is None:
            return
        if self._creators is None:
            self._creators = await self._room_creators(room.room_id)
        self.app.room_organisers = frozenset(
            f"{PLATFORM}:{user}" for user in room.users
            if user in self._creators  # room version 12: creators outrank every power level
            or room.power_levels.get_user_level(user) >= ORGANISER_LEVEL)

    async def _room_creators(self, room_id: str) -> set[str]:
        state = await self.client.room_get_state(room_id)
        for event in getattr(state, "events", []):
            if event.get("type") == "m.room.create":
                content = event.get("content", {})
                return {event.get("sender", ""), content.get("creator", ""),
                        *content.get("additional_creators", [])} - {""}
        return set()

    # --- receiving ----------------------------------------------------------------------

    async def _join(self, room_id: str) -> None:
        result = await self.client.join(room_id)
        if isinstance(result, JoinError):
            log.warning("platform=matrix room=%s: could not join: %s", who(PLATFORM, room_id),
                        result)
        else:
            log.info("platform=matrix room=%s: joined on invitation", who(PLATFORM, room_id))

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == self.user_id and event.membership == "invite":
            await self._join(room.room_id)

    async def _on_encrypted(self, room: MatrixRoom, event: MegolmEvent) -> None:
        """Never fail silently: tell the room once that encryption is not supported."""
        if room.room_id in self._warned_encrypted:
            return
        self._warned_encrypted.add(room.room_id)
        log.warning("platform=matrix room=%s: an encrypted message; end-to-end encryption is "
                    "not supported", who(PLATFORM, room.room_id))
        lang = self.app.conference.languages[0]
        text = self.app.catalogue[lang].gettext(
            "I cannot read encrypted messages. Please write to me in a room without "
            "end-to-end encryption.")
        await self._send(room.room_id, [TextReply(Markup.escape(text))])

    def _is_direct(self, room: MatrixRoom) -> bool:
        return bool(room.member_count <= 2)

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.user_id:
            return
        text = event.body or ""
        direct = self._is_direct(room)
        if not direct:
            text = self._addressed(room, event)
            if text is None:
                return
        new_person = self.app.store.users.known(PLATFORM, event.sender) is None
        incoming = Incoming(platform=PLATFORM, user_id=event.sender, chat_id=room.room_id,
                            text=text,
                            message_id=event.event_id, is_group=not direct)
        replies = self.app.handle(incoming)
        if new_person and direct:
            replies.append(self._language_offer(incoming))
        where = (f"platform=matrix user={who(PLATFORM, event.sender)} "
                 f"chat={who(PLATFORM, room.room_id)} "
                 f"message={event.event_id}")
        try:
            await self._send(room.room_id, replies)
        except (DeliveryError, RecipientGone) as error:
            log.error("%s: reply dropped: %s", where, error)

    def _addressed(self, room: MatrixRoom, event: RoomMessageText) -> str | None:
        """In a room: a !command, or a message that mentions the bot (mention removed)."""
        text = (event.body or "").strip()
        if text.startswith("!"):
            return text
        name = room.user_name(self.user_id) or self.user_id
        localpart = self.user_id.split(":")[0].lstrip("@")
        formatted = getattr(event, "formatted_body", None) or ""
        for mention in (self.user_id, name, localpart):
            if mention and (mention.lower() in text.lower() or self.user_id in formatted):
                cleaned = re.sub(re.escape(mention) + r":?", "", text, flags=re.IGNORECASE)
                return cleaned.strip()
        return None

    def _language_offer(self, incoming: Incoming) -> TextReply:
        user = self.app.store.users.known(PLATFORM, incoming.user_id)
        assert user is not None  # handle() has just met them
        ctx = self.app.speaker_for(user)
        choices = " · ".join(f"{native_name(lang)}: !lang {lang}"
                             for lang in self.app.conference.languages)
        return TextReply(Markup("%s<br>%s") % (ctx._("I answer in the language you write in. "
                                                     "To choose one:"), choices))

    # --- sending ------------------------------------------------------------------------

    async def deliver(self, address: Address, replies: list[Reply],
                      message_id: int | None = None) -> None:
        """A pushed message; the transaction id comes from its outbox row, so a resend after a
        crash is recognised by the server as the same message."""
        await self._send(address.chat_id, replies,
                         txn=f"confbot-outbox-{message_id}" if message_id else None)

    async def _send(self, room_id: str, replies: list[Reply], txn: str | None = None) -> None:
        for index, reply in enumerate(replies):
            content = await self._content(reply)
            tx_id = f"{txn}-{index}" if txn else uuid.uuid4().hex
            for attempt in range(1, MAX_ATTEMPTS + 1):
                response = await self.client.room_send(room_id, "m.room.message", content,
                                                       tx_id=tx_id)
                if isinstance(response, RoomSendResponse):
                    break
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

    async def _content(self, reply: Reply) -> dict[str, object]:
        if isinstance(reply, TextReply):
            lines = [bang_commands(str(reply.html))]
            plain = [bang_commands(plain_text(TextReply(reply.html)))]
            for row in reply.buttons:
                commands = [bang_commands(b.command) for b in row]
                lines.append(" · ".join(f"{Markup.escape(b.label)}: <code>{Markup.escape(c)}"
                                        "</code>" for b, c in zip(row, commands, strict=True)))
                plain.append(" · ".join(f"{b.label}: {c}"
                                        for b, c in zip(row, commands, strict=True)))
            return {"msgtype": "m.notice", "body": "\n".join(plain),
                    "format": "org.matrix.custom.html",
                    "formatted_body": "<br>".join(lines).replace("\n", "<br>")}
        if isinstance(reply, LocationReply):
            geo = f"geo:{reply.latitude:.5f},{reply.longitude:.5f}"
            description = f"{reply.title}, {reply.address}".strip(", ")
            return {"msgtype": "m.location", "body": f"{description} ({geo})", "geo_uri": geo,
                    "org.matrix.msc3488.location": {"uri": geo, "description": description},
                    "org.matrix.msc3488.asset": {"type": "m.pin"},
                    "org.matrix.msc1767.text": description}
        assert isinstance(reply, FileReply)
        upload, _ = await self.client.upload(io.BytesIO(reply.content),
                                             content_type=reply.mime_type,
                                             filename=reply.filename,
                                             filesize=len(reply.content))
        if not isinstance(upload, UploadResponse):
            raise DeliveryError(f"upload of {reply.filename} failed: {upload}")
        return {"msgtype": "m.file", "body": reply.filename, "filename": reply.filename,
                "url": upload.content_uri,
                "info": {"mimetype": reply.mime_type, "size": len(reply.content)}}
