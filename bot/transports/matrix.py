"""Matrix through matrix-nio's AsyncClient: the only module that imports `nio`.

On start the bot logs in (keeping the access token and device in the database, so a restart
does not create a new device), skips the room history with one initial sync before its
callbacks are attached, and from then on keeps `next_batch` in the database, so after a
restart it resumes exactly where it stopped: no message answered twice, none missed.
In a direct chat it answers everything; in a room only `!commands` and mentions of itself.

End-to-end encryption is on: encrypted rooms work like plain ones. nio's key store (olm
account, olm and megolm sessions, devices, trust) lives in our database (`DatabaseKeyStore`,
table `matrix_keys`), written through as nio changes it. Keys are shared with every device
in a room without interactive verification (trust on first use). A message whose room key
has not arrived is answered when the key comes; after `keys_wait` seconds without it the
bot asks, once, to send it again.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
import uuid
from datetime import datetime

from markupsafe import Markup
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ForwardedRoomKeyEvent,
    InviteMemberEvent,
    JoinError,
    KeysQueryResponse,
    KeysUploadResponse,
    LocalProtocolError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    OlmTrustError,
    RoomKeyEvent,
    RoomMessageText,
    RoomSendResponse,
    SyncError,
    UploadResponse,
)
from nio.crypto import (
    DeviceStore,
    GroupSessionStore,
    InboundGroupSession,
    OlmAccount,
    OlmDevice,
    OutgoingKeyRequest,
    Session,
    SessionStore,
    TrustState,
)

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Address, FileReply, Incoming, LocationReply, Reply, TextReply
from bot.core.plaintext import plain_text
from bot.delivery.sender import DeliveryError, RecipientGone
from bot.language.i18n import native_name
from bot.storage.matrix_keys import KeyTable

log = logging.getLogger(__name__)

PLATFORM = "matrix"
ORGANISER_LEVEL = 50
_SLASH_COMMAND = re.compile(r"(?<![\w/:.])/([a-z][a-z0-9_]*)")
MAX_ATTEMPTS = 6
KEYS_WAIT = 60.0
"""Seconds to wait for the room key of a message the bot could not decrypt."""
PICKLE_KEY = "confbot-matrix-keys"
"""Encrypts the pickled keys in the database; as secret as the database itself."""


def bang_commands(text: str) -> str:
    """Element takes a leading / for its own commands, so Matrix users type !now."""
    return _SLASH_COMMAND.sub(r"!\1", text)


class MatrixTransport:
    platform = PLATFORM
    outbox_chat: str | None = None

    def __init__(self, app: Application, homeserver: str, user_id: str, *,
                 password: str | None = None, access_token: str | None = None,
                 device_id: str | None = None, organiser_room: str | None = None,
                 announce_room: str | None = None, sync_timeout_ms: int = 30_000,
                 keys_wait: float = KEYS_WAIT) -> None:
        self.app = app
        self.homeserver, self.user_id = homeserver, user_id
        self.password, self.access_token, self.device_id = password, access_token, device_id
        self.organiser_room, self.announce_room = organiser_room, announce_room
        self.sync_timeout_ms = sync_timeout_ms
        self.keys_wait = keys_wait
        # nio insists on a store path; our store keeps everything in the database instead.
        self.client = AsyncClient(homeserver, user_id, device_id=device_id or "",
                                  store_path="database",
                                  config=AsyncClientConfig(encryption_enabled=True,
                                                           store_sync_tokens=False,
                                                           store=self._key_store,
                                                           pickle_key=PICKLE_KEY))
        self._stop = asyncio.Event()
        self.ready = asyncio.Event()
        self._creators: set[str] | None = None
        self._undecrypted: dict[str, list[tuple[MatrixRoom, MegolmEvent]]] = {}
        """Messages waiting for their room key, by megolm session id."""
        self._asked_again: dict[str, float] = {}
        """When each room was last asked to resend a message (at most once per keys_wait)."""
        self._timers: set[asyncio.Task[None]] = set()
        if announce_room:
            app.announce_rooms[PLATFORM] = announce_room

    def _key_store(self, user_id: str, device_id: str, *_: object) -> DatabaseKeyStore:
        """nio's store factory: this account's and device's rows of `matrix_keys`."""
        return DatabaseKeyStore(KeyTable(self.app.store, f"{user_id}/{device_id}"), PICKLE_KEY)

    # --- lifecycle ----------------------------------------------------------------------

    async def run(self) -> None:
        try:
            await self._login()
            await self._crypto_chores()  # our device keys, before anyone needs them
            since = self.app.store.state.get(self._key("next_batch"))
            if since is None:
                first = await self.client.sync(timeout=0, full_state=True)
                if isinstance(first, SyncError):
                    raise DeliveryError(f"the first sync failed: {first}")
                self._save_position(first.next_batch)
                log.info("platform=matrix: first start; the room history was skipped")
            self.client.add_event_callback(self._on_message, RoomMessageText)
            self.client.add_event_callback(self._on_invite, InviteMemberEvent)
            self.client.add_event_callback(self._on_undecryptable, MegolmEvent)
            self.client.add_to_device_callback(self._on_room_key,
                                               (RoomKeyEvent, ForwardedRoomKeyEvent))
            if since is not None:
                # Resuming: the rooms' state (who is in them, which are encrypted) is needed
                # before anything is sent, and what arrived meanwhile is answered now.
                self.client.next_batch = since
                await self._sync_once(timeout_ms=0, full_state=True)
            for room_id in list(self.client.invited_rooms):
                await self._join(room_id)
            self.ready.set()
            log.info("platform=matrix: running as %s device %s on %s", self.user_id,
                     self.client.device_id, self.homeserver)
            while not self._stop.is_set():
                await self._sync_once()
        finally:
            for timer in self._timers:
                timer.cancel()
            await self.client.close()

    def stop(self) -> None:
        self._stop.set()

    async def _sync_once(self, timeout_ms: int | None = None, full_state: bool = False
                         ) -> None:
        sync = asyncio.create_task(self.client.sync(
            timeout=self.sync_timeout_ms if timeout_ms is None else timeout_ms,
            since=self.client.next_batch, full_state=full_state))
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
        await self._crypto_chores()
        await self._update_organisers()

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
            keys = KeyTable(self.app.store, f"{self.user_id}/{session['device_id']}")
            if keys.get("account", "account") is not None:
                self.client.restore_login(self.user_id, session["device_id"],
                                          session["access_token"])
                log.info("platform=matrix: resumed the session of device %s",
                         session["device_id"])
                return
            log.warning("platform=matrix: device %s has no end-to-end keys in the database "
                        "(lost, or kept by a version without encryption); logging in as a new "
                        "device", session["device_id"])
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
        crash is recognised by the server as the same message (encrypted or not)."""
        if not self.ready.is_set():  # the rooms (and which are encrypted) are not known yet
            raise DeliveryError("not connected to the homeserver yet", retry_after=2)
        await self._send(address.chat_id, replies,
                         txn=f"confbot-outbox-{message_id}" if message_id else None)

    async def _send(self, room_id: str, replies: list[Reply], txn: str | None = None) -> None:
        room = await self._known_room(room_id)
        for index, reply in enumerate(replies):
            content = await self._content(reply, encrypted=room.encrypted)
            tx_id = f"{txn}-{index}" if txn else uuid.uuid4().hex
            for attempt in range(1, MAX_ATTEMPTS + 1):
                response = await self._room_send(room_id, content, tx_id)
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

    async def _content(self, reply: Reply, encrypted: bool = False) -> dict[str, object]:
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


# --- the key store --------------------------------------------------------------------------

_TRUST = {TrustState.verified: "verified", TrustState.blacklisted: "blacklisted",
          TrustState.ignored: "ignored"}


def _device_name(device: OlmDevice) -> str:
    return f"{device.user_id}|{device.id}|{device.ed25519}"


class DatabaseKeyStore:
    """nio's end-to-end key store (what its SqliteStore keeps in a local file) as rows of our
    own database, written through as nio changes them: the keys live as long as the database,
    PostgreSQL on a platform with an ephemeral disk included."""

    def __init__(self, table: KeyTable, pickle_key: str) -> None:
        self.table, self.pickle_key = table, pickle_key
        self._trust = {name: TrustState[state] for name, state in table.load("trust").items()}

    # account and olm sessions
    def load_account(self) -> OlmAccount | None:
        """The olm account (identity and one-time keys), or None before the first start."""
        raw = self.table.get("account", "account")
        if raw is None:
            return None
        data = json.loads(raw)
        return OlmAccount.from_pickle(data["pickle"].encode(), self.pickle_key, data["shared"])

    def save_account(self, account: OlmAccount) -> None:
        """Keep the account (after key uploads and every new olm session)."""
        self.table.put("account", {"account": json.dumps({
            "pickle": account.pickle(self.pickle_key).decode(), "shared": account.shared})})

    def load_sessions(self) -> SessionStore:
        """Every olm session, by the other device's curve25519 key."""
        sessions = SessionStore()
        for raw in self.table.load("olm").values():
            data = json.loads(raw)
            sessions.add(data["sender_key"], Session.from_pickle(
                data["pickle"].encode(), datetime.fromisoformat(data["created"]),
                self.pickle_key, datetime.fromisoformat(data["used"])))
        return sessions

    def save_session(self, curve_key: str, session: Session) -> None:
        """Keep one olm session (after every message it encrypted or decrypted)."""
        self.table.put("olm", {f"{curve_key}|{session.id}": json.dumps({
            "sender_key": curve_key, "pickle": session.pickle(self.pickle_key).decode(),
            "created": session.creation_time.isoformat(), "used": session.use_time.isoformat()})})

    # megolm room keys
    def load_inbound_group_sessions(self) -> GroupSessionStore:
        """Every megolm key received for reading room messages."""
        sessions = GroupSessionStore()
        for raw in self.table.load("megolm").values():
            data = json.loads(raw)
            sessions.add(InboundGroupSession.from_pickle(
                data["pickle"].encode(), data["ed25519"], data["sender_key"], data["room_id"],
                self.pickle_key, data["forwarding_chain"]))
        return sessions

    def save_inbound_group_session(self, session: InboundGroupSession) -> None:
        """Keep one megolm key, as soon as it arrives."""
        self.table.put("megolm", {f"{session.room_id}|{session.sender_key}|{session.id}":
                                  json.dumps({
                                      "pickle": session.pickle(self.pickle_key).decode(),
                                      "ed25519": session.ed25519,
                                      "sender_key": session.sender_key,
                                      "room_id": session.room_id,
                                      "forwarding_chain": session.forwarding_chain})})

    # devices and trust
    def load_device_keys(self) -> DeviceStore:
        """The devices of the people the bot shares rooms with, with their trust state."""
        devices = DeviceStore()
        for raw in self.table.load("device").values():
            data = json.loads(raw)
            device = OlmDevice(data["user_id"], data["device_id"], data["keys"],
                               display_name=data["display_name"], deleted=data["deleted"])
            device.trust_state = self._trust.get(_device_name(device), TrustState.unset)
            devices.add(device)
        return devices

    def save_device_keys(self, device_keys: dict[str, dict[str, OlmDevice]]) -> None:
        """Keep the devices a key query returned."""
        self.table.put("device", {f"{user}|{device_id}": json.dumps({
            "user_id": user, "device_id": device_id, "keys": device.keys,
            "display_name": device.display_name, "deleted": device.deleted})
            for user, devices in device_keys.items() for device_id, device in devices.items()})

    def _set_trust(self, devices: list[OlmDevice], state: TrustState,
                   only_from: TrustState | None = None) -> bool:
        changed: dict[str, str] = {}
        for device in devices:
            name = _device_name(device)
            current = self._trust.get(name, TrustState.unset)
            if current == state or (only_from is not None and current != only_from):
                continue
            changed[name] = _TRUST.get(state, "unset")
            device.trust_state = state
            if state == TrustState.unset:
                self._trust.pop(name, None)
                self.table.delete("trust", name)
            else:
                self._trust[name] = state
        self.table.put("trust", {n: s for n, s in changed.items() if s != "unset"})
        return bool(changed)

    def verify_device(self, device: OlmDevice) -> bool:
        """Mark a device verified."""
        return self._set_trust([device], TrustState.verified)

    def unverify_device(self, device: OlmDevice) -> bool:
        """Take back a verification."""
        return self._set_trust([device], TrustState.unset, TrustState.verified)

    def blacklist_device(self, device: OlmDevice) -> bool:
        """Never share keys with a device."""
        return self._set_trust([device], TrustState.blacklisted)

    def unblacklist_device(self, device: OlmDevice) -> bool:
        """Take a device off the blacklist."""
        return self._set_trust([device], TrustState.unset, TrustState.blacklisted)

    def ignore_device(self, device: OlmDevice) -> bool:
        """Share keys with an unverified device (trust on first use)."""
        return self._set_trust([device], TrustState.ignored)

    def unignore_device(self, device: OlmDevice) -> bool:
        """Take back an ignore."""
        return self._set_trust([device], TrustState.unset, TrustState.ignored)

    def ignore_devices(self, devices: list[OlmDevice]) -> None:
        """Share keys with these unverified devices (trust on first use)."""
        self._set_trust(devices, TrustState.ignored)

    def is_device_verified(self, device: OlmDevice) -> bool:
        """Whether the device was verified."""
        return bool(self._trust.get(_device_name(device)) == TrustState.verified)

    def is_device_blacklisted(self, device: OlmDevice) -> bool:
        """Whether the device is blacklisted."""
        return bool(self._trust.get(_device_name(device)) == TrustState.blacklisted)

    def is_device_ignored(self, device: OlmDevice) -> bool:
        """Whether the device is trusted on first use."""
        return bool(self._trust.get(_device_name(device)) == TrustState.ignored)

    # rooms, key requests, sync token
    def load_encrypted_rooms(self) -> set[str]:
        """The rooms known to be encrypted (never sent to in plain text again)."""
        return set(self.table.load("room"))

    def save_encrypted_rooms(self, rooms: set[str]) -> None:
        """Remember rooms that are encrypted."""
        self.table.put("room", dict.fromkeys(rooms, ""))

    def delete_encrypted_room(self, room: str) -> None:
        """Forget a room the bot left."""
        self.table.delete("room", room)

    def load_outgoing_key_requests(self) -> dict[str, OutgoingKeyRequest]:
        """Key requests sent and not yet answered."""
        return {request_id: OutgoingKeyRequest(**json.loads(raw))
                for request_id, raw in self.table.load("key_request").items()}

    def add_outgoing_key_request(self, key_request: OutgoingKeyRequest) -> None:
        """Remember a key request sent out."""
        self.table.put("key_request", {key_request.request_id: json.dumps({
            "request_id": key_request.request_id, "session_id": key_request.session_id,
            "room_id": key_request.room_id, "algorithm": key_request.algorithm})})

    def remove_outgoing_key_request(self, key_request: OutgoingKeyRequest) -> None:
        """Forget an answered key request."""
        self.table.delete("key_request", key_request.request_id)

    def save_sync_token(self, token: str) -> None:
        """Unused: the transport keeps `next_batch` itself, beside the answered messages."""
        self.table.put("sync", {"token": token})

    def load_sync_token(self) -> str | None:
        """Unused: see save_sync_token."""
        return self.table.get("sync", "token")
