"""Matrix through matrix-nio's AsyncClient: logging in, syncing, and receiving.

On start the bot logs in (keeping the access token and device in the database, so a restart
does not create a new device), skips the room history with one initial sync before its
callbacks are attached, and from then on keeps `next_batch` in the database, stored only
after the events it acknowledges are in the inbox (bot/transports/matrix/receiving.py): after
a crash the inbox is drained first and the sync resumes where it stopped, so no message is
missed and none answered twice.
In a direct chat it answers everything; in a room only `!commands` and messages addressed
to it (bot/transports/matrix/conventions.py). Each person's events are answered in order,
through the shared intake's fair slots; a room's replies are sent one answer at a time, so
one room waiting for the homeserver holds up no other.
A revoked access token (M_UNKNOWN_TOKEN) means a new password login; a room upgrade moves
the bot and the people's addresses to the new room.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import OrderedDict

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ForwardedRoomKeyEvent,
    InviteMemberEvent,
    JoinError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    ReactionEvent,
    RedactionEvent,
    RoomKeyEvent,
    RoomMessageText,
    RoomUpgradeEvent,
    SyncError,
)

from bot.app import Application
from bot.core.config import ConfigError
from bot.core.logids import who
from bot.core.messages import Reply
from bot.delivery.sender import DeliveryError, RecipientGone
from bot.ops.leadership import process_name
from bot.storage.matrix_keys import KeyTable
from bot.transports.edits import Meanings
from bot.transports.intake import InboxIntake
from bot.transports.matrix.conventions import addressed_text, thread_root
from bot.transports.matrix.keystore import DatabaseKeyStore
from bot.transports.matrix.receiving import LRU, Receiving
from bot.transports.matrix.roomkeys import RoomKeys
from bot.transports.matrix.sending import Answering, Sending

log = logging.getLogger(__name__)

PLATFORM = "matrix"
ORGANISER_LEVEL = 50
KEYS_WAIT = 60.0
"""Seconds to wait for the room key of a message the bot could not decrypt."""
PICKLE_KEY = "confbot-matrix-keys"
"""Encrypts the pickled keys in the database; as secret as the database itself."""


class MatrixTransport(Receiving, Sending, RoomKeys):
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
        self._reactions: OrderedDict[str, dict[str, str]] = OrderedDict()
        """What a reaction to each recently sent message means (event id -> emoji -> command)."""
        self._rooms: dict[str, asyncio.Lock] = {}
        """One lock per room: a room's messages are answered in order, rooms side by side."""
        self._arrived: list[tuple[int, str, str]] = []
        """Events of the sync under way, recorded in the inbox before its token is stored."""
        self.inbox = InboxIntake(app, PLATFORM, self._answer_item, self._apologise,
                                 owner=f"{process_name()}:{secrets.token_hex(4)}"[:64])
        self.intake = self.inbox.intake
        self._meanings = Meanings(app)
        self._threads: LRU = LRU()
        self._reacted: LRU = LRU()
        """Recent reactions that were commands: event id -> [sender, command] (JSON)."""
        """The thread of each recent question, for answering its edits there."""
        if announce_room:
            app.announce_rooms[PLATFORM] = announce_room

    def _key_store(self, user_id: str, device_id: str, *_: object) -> DatabaseKeyStore:
        """nio's store factory: this account's and device's rows of `matrix_keys`."""
        return DatabaseKeyStore(KeyTable(self.app.store, f"{user_id}/{device_id}"), PICKLE_KEY)

    # --- lifecycle ----------------------------------------------------------------------

    async def run(self) -> None:
        try:
            await self._login()
            self._load_reactions()
            await self._crypto_chores()  # our device keys, before anyone needs them
            since = self.app.store.state.get(self._key("next_batch"))
            if since is None:
                first = await self.client.sync(timeout=0, full_state=True)
                if getattr(first, "status_code", None) == "M_UNKNOWN_TOKEN":
                    await self._token_revoked()
                    first = await self.client.sync(timeout=0, full_state=True)
                if isinstance(first, SyncError):
                    raise DeliveryError(f"the first sync failed: {first}")
                self._save_position(first.next_batch)
                log.info("platform=matrix: first start; the room history was skipped")
            self.client.add_event_callback(self._on_message, RoomMessageText)
            self.client.add_event_callback(self._on_invite, InviteMemberEvent)
            self.client.add_event_callback(self._on_undecryptable, MegolmEvent)
            self.client.add_event_callback(self._on_reaction, ReactionEvent)
            self.client.add_event_callback(self._on_redaction, RedactionEvent)
            self.client.add_event_callback(self._on_upgrade, RoomUpgradeEvent)
            self.client.add_to_device_callback(self._on_room_key,
                                               (RoomKeyEvent, ForwardedRoomKeyEvent))
            if since is not None:
                # Resuming: the rooms' state (who is in them, which are encrypted) is needed
                # before anything is sent, and what arrived meanwhile is answered now.
                self.client.next_batch = since
                self.inbox.take_over(everything=True)  # the single syncer: drain it first
                await self._sync_once(timeout_ms=0, full_state=True)
            keeping = asyncio.create_task(self.inbox.keep())
            self._timers.add(keeping)
            for room_id in list(self.client.invited_rooms):
                await self._join(room_id)
            self.ready.set()
            log.info("platform=matrix: running as %s device %s on %s", self.user_id,
                     self.client.device_id, self.homeserver)
            while not self._stop.is_set():
                await self._sync_once()
        finally:
            await self._drain(timeout=10)  # answers under way are finished, not cut off
            await self.inbox.close()  # what is left stays open in the inbox, for the next start
            for timer in self._timers:
                timer.cancel()
            await self.client.close()

    def stop(self) -> None:
        self._stop.set()

    async def _drain(self, timeout: float) -> None:
        """Let the answers under way (and queued) finish, for up to `timeout` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.intake.busy and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)

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
        previous = self.client.next_batch
        response = sync.result()
        if isinstance(response, SyncError):
            if getattr(response, "status_code", None) == "M_UNKNOWN_TOKEN":
                await self._token_revoked()
                return
            log.warning("platform=matrix: sync failed (%s); retrying", response)
            await asyncio.sleep(2)
            return
        if not self._take_in_arrived():  # not in the inbox: not acknowledged; they come again
            self.client.next_batch = previous
            await asyncio.sleep(1)
            return
        try:
            self._save_position(response.next_batch)
        except Exception as error:  # the events are in the inbox; a repeat finds its row
            log.warning("platform=matrix: sync position not stored (%s)", error)
        await self._crypto_chores()
        await self._update_organisers()

    async def _token_revoked(self) -> None:
        """The access token was revoked: log in again with the password (a new device), or
        stop with a clear error when there is none."""
        if not self.password:
            raise ConfigError("MATRIX_PASSWORD", f"the access token of {self.user_id} was "
                              "revoked (M_UNKNOWN_TOKEN) and there is no password to log in "
                              "again; set MATRIX_PASSWORD or a new MATRIX_ACCESS_TOKEN")
        log.warning("platform=matrix: the access token was revoked (M_UNKNOWN_TOKEN); "
                    "logging in again with the password")
        self.app.store.state.delete(self._key("session"))
        self.access_token = None
        self.client.device_id = ""
        await self._password_login()
        await self._crypto_chores()

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
        await self._password_login()

    async def _password_login(self) -> None:
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

    def _is_direct(self, room: MatrixRoom) -> bool:
        return bool(room.member_count <= 2)

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.user_id:
            return
        content = event.source.get("content", {})
        question, edited = event.event_id, False
        relates = content.get("m.relates_to") or {}
        if relates.get("rel_type") == "m.replace" and isinstance(content.get("m.new_content"),
                                                                 dict):
            question, edited = relates.get("event_id") or question, True
            content = {**content["m.new_content"], "m.relates_to": None}
        direct = self._is_direct(room)
        text = str(content.get("body") or "")
        if not direct:
            names = (room.user_name(self.user_id) or "", self.user_id.split(":")[0].lstrip("@"))
            addressed = addressed_text(content, self.user_id, names)
            if addressed is None:
                return
            text = addressed
        if not self._meanings.is_new((room.room_id, question), text, edited):
            return  # an edit that changed no meaning: answered already
        answering = Answering(question, event.sender, thread_root(content) or
                              self._threads.get(question), rich=not direct or edited)
        self._threads[question] = answering.thread
        self._arrive(room.room_id, text, answering, key=event.event_id)

    async def _reply(self, room_id: str, sender: str, replies: list[Reply],
                     answering: Answering, txn: str | None = None) -> None:
        try:
            user = self.app.store.users.known(PLATFORM, sender)
        except Exception:  # the database is away: the replies are made; send them anyway
            log.debug("platform=matrix: the person's language is not available", exc_info=True)
            user = None
        translator = self.app.speaker_for(user).t if user is not None else None
        try:
            await self._send(room_id, replies, txn, answering=answering,
                             translator=translator)
        except (DeliveryError, RecipientGone) as error:
            log.error("platform=matrix user=%s chat=%s message=%s: reply dropped: %s",
                      who(PLATFORM, sender), who(PLATFORM, room_id), answering.event_id, error)

    async def _on_upgrade(self, room: MatrixRoom, event: RoomUpgradeEvent) -> None:
        """A room upgrade: join the new room, and move the people who talk to the bot in the
        old one there."""
        new_room = event.replacement_room
        if not new_room:
            return
        await self._join(new_room)
        moved = 0
        for member in room.users:
            user = self.app.store.users.known(PLATFORM, member)
            if user is not None and user.chat_id == room.room_id:
                self.app.store.users.touch(PLATFORM, member, now=self.app.clock.now(),
                                           chat_id=new_room)
                moved += 1
        log.info("platform=matrix room=%s: upgraded to %s; followed, %d address(es) moved",
                 who(PLATFORM, room.room_id), who(PLATFORM, new_room), moved)
