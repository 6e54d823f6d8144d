"""Matrix users for the tests: `Person` speaks the client-server API in plain rooms;
`EncryptedPerson` has an encrypting nio client of their own, as Element would be: creates
encrypted DMs, sends encrypted messages, and reads the bot's replies only by decrypting them."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    Event,
    MegolmEvent,
    RoomCreateResponse,
    RoomPreset,
    RoomSendResponse,
)
from nio.crypto import decrypt_attachment

from tests.synapse_server import Synapse

SPEC_TAGS = {
    "font", "del", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol", "sup",
    "sub", "li", "b", "i", "u", "strong", "em", "s", "code", "hr", "br", "div", "table", "thead",
    "tbody", "tr", "th", "td", "caption", "pre", "span", "img", "details", "summary", "mx-reply"}
"""The HTML tags the Matrix specification allows in formatted_body (written out here from the
specification, not imported from the code under test)."""
SPEC_ATTRIBUTES = {"font": {"data-mx-bg-color", "data-mx-color", "color"},
                   "span": {"data-mx-bg-color", "data-mx-color", "data-mx-spoiler",
                            "data-mx-maths"},
                   "a": {"target", "href"}, "img": {"width", "height", "alt", "title", "src"},
                   "ol": {"start"}, "code": {"class"}, "div": {"data-mx-maths"}}
VOID = {"br", "hr", "img"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SPEC_TAGS:
            self.problems.append(f"<{tag}> is not a Matrix tag")
        for name, _ in attrs:
            if name not in SPEC_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"<{tag} {name}=…> is not allowed")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"<![{data}]>")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"<!--{data}-->")  # what `<!b>` and the like parse as


def html_problems(formatted_body: str) -> list[str]:
    """Why a formatted_body is not valid Matrix HTML (empty when it is)."""
    checker = _Checker()
    checker.feed(formatted_body)
    checker.close()
    return checker.problems + [f"<{tag}> never closed" for tag in checker.open]


def assert_valid_matrix_html(content: dict[str, Any]) -> None:
    """Every message the tests see from the bot passes through here."""
    formatted = content.get("formatted_body")
    if formatted is None:
        return
    assert content.get("format") == "org.matrix.custom.html"
    problems = html_problems(formatted)
    assert not problems, f"{problems} in {formatted!r}"

ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class Person:
    """A Matrix user driven over the client-server API, as a test would click in Element."""

    def __init__(self, synapse: Synapse, name: str) -> None:
        self.synapse = synapse
        account = synapse.register(f"{name}-{uuid.uuid4().hex[:6]}", "password")
        self.user_id, self.token = account["user_id"], account["access_token"]

    def call(self, method: str, path: str, body: dict | None = None) -> dict:  # type: ignore[type-arg]
        return self.synapse.request(method, "/_matrix/client/v3" + path, body, self.token)

    def room(self, *invite: str, direct: bool = True) -> str:
        return self.call("POST", "/createRoom", {
            "invite": list(invite), "is_direct": direct,
            "preset": "trusted_private_chat" if direct else "private_chat"})["room_id"]

    def join(self, room: str) -> None:
        self.call("POST", f"/join/{urllib.parse.quote(room)}", {})

    def say(self, room: str, text: str, **content: Any) -> str:
        """Send a text (with more content: m.mentions, m.relates_to …); its event id."""
        return str(self.send(room, "m.room.message", {"msgtype": "m.text", "body": text,
                                                      **content}))

    def send(self, room: str, event_type: str, content: dict[str, Any]) -> str:
        return str(self.call("PUT", f"/rooms/{urllib.parse.quote(room)}/send/{event_type}/"
                                    f"{uuid.uuid4().hex}", content)["event_id"])

    def react(self, room: str, event_id: str, key: str) -> str:
        return self.send(room, "m.reaction", {"m.relates_to": {
            "rel_type": "m.annotation", "event_id": event_id, "key": key}})

    def receipts(self, room: str) -> dict[str, Any]:
        """The read receipts in a room, as a sync shows them (event id -> type -> user)."""
        sync = self.call("GET", "/sync?timeout=0")
        joined = sync["rooms"]["join"].get(room, {})
        found: dict[str, Any] = {}
        for event in joined.get("ephemeral", {}).get("events", []):
            if event["type"] == "m.receipt":
                found.update(event["content"])
        return found

    def events_from(self, room: str, sender: str) -> list[dict]:  # type: ignore[type-arg]
        chunk = self.call("GET", f"/rooms/{urllib.parse.quote(room)}/messages?dir=b&limit=100"
                          )["chunk"]
        events = [e for e in reversed(chunk)
                  if e["sender"] == sender and e["type"] == "m.room.message"]
        for event in events:
            assert_valid_matrix_html(event["content"])
        return events

    def wait_for(self, room: str, sender: str, count: int, timeout: float = 20
                 ) -> list[dict]:  # type: ignore[type-arg]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.events_from(room, sender)
            if len(events) >= count:
                return events
            time.sleep(0.1)
        got = [e["content"].get("body", "")[:50] for e in self.events_from(room, sender)]
        raise AssertionError(f"expected {count} message(s) from {sender}; got {got}")

    def wait_joined(self, room: str, user: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            members = self.call("GET", f"/rooms/{urllib.parse.quote(room)}/joined_members")
            if user in members["joined"]:
                return
            time.sleep(0.1)
        raise AssertionError(f"{user} did not join {room}")


@dataclass
class Seen:
    """A room message as this person's client shows it."""

    room_id: str
    sender: str
    content: dict[str, Any]
    decrypted: bool
    readable: bool
    at: float


class EncryptedPerson:
    def __init__(self, synapse: Synapse, name: str, folder: Path) -> None:
        self.synapse = synapse
        account = synapse.register(f"{name}-{uuid.uuid4().hex[:6]}", "password")
        self.user_id, self.token = account["user_id"], account["access_token"]
        folder.mkdir(parents=True, exist_ok=True)
        self.loop = asyncio.new_event_loop()
        self.client = AsyncClient(synapse.url, self.user_id, store_path=str(folder),
                                  config=AsyncClientConfig(encryption_enabled=True,
                                                           store_sync_tokens=False))
        self.seen: list[Seen] = []
        self._late_key: list[dict[str, Any]] = []
        self.client.add_event_callback(self._record, Event)  # type: ignore[arg-type]
        login = self.run(self.client.login("password", device_name="element-like"))
        assert login.device_id, login
        self.run(self.client.sync(timeout=0, full_state=True))
        self.run(self._chores())

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        self.run(self.client.close())
        self.loop.close()

    async def _record(self, room: Any, event: Event) -> None:
        content = event.source.get("content", {})
        if isinstance(event, MegolmEvent):
            self.seen.append(Seen(room.room_id, event.sender, content, False, False,
                                  time.monotonic()))
        elif "msgtype" in content:
            self.seen.append(Seen(room.room_id, event.sender, content,
                                  bool(getattr(event, "decrypted", False)), True,
                                  time.monotonic()))

    async def _chores(self) -> None:
        client = self.client
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()

    def sync(self, timeout_ms: int = 0) -> None:
        self.run(self.client.sync(timeout=timeout_ms, since=self.client.next_batch))
        self.run(self._chores())

    def dm(self, bot: str, *others: str, direct: bool = True) -> str:
        """An encrypted room, `m.room.encryption` in its initial state, as Element makes DMs."""
        created = self.run(self.client.room_create(
            is_direct=direct, invite=[bot, *others], initial_state=[ENCRYPTION],
            preset=RoomPreset.trusted_private_chat if direct else RoomPreset.private_chat))
        assert isinstance(created, RoomCreateResponse), created
        return created.room_id

    def wait_joined(self, room: str, user: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sync(200)
            known = self.client.rooms.get(room)
            if known is not None and user in known.users and user not in known.invited_users:
                return
        raise AssertionError(f"{user} did not join {room}")

    def say(self, room: str, text: str) -> str:
        """Send an encrypted message (keys shared with every device, as Element does)."""
        self.sync()
        sent = self.run(self.client.room_send(room, "m.room.message",
                                              {"msgtype": "m.text", "body": text},
                                              ignore_unverified_devices=True))
        assert isinstance(sent, RoomSendResponse), sent
        return sent.event_id

    def say_without_key(self, room: str, text: str) -> str:
        """Send a message encrypted with a fresh room key the bot has not been given; the
        key's to-device messages are kept for `release_late_key`, as if delayed in transit."""
        self.sync()
        olm = self.client.olm
        assert olm is not None
        olm.create_outbound_group_session(room)
        self._late_key = [to_device for _, to_device in olm.share_group_session_parallel(
            room, list(self.client.rooms[room].users), ignore_unverified_devices=True)]
        olm.outbound_group_sessions[room].shared = True  # so room_send does not share it
        return self.say(room, text)

    def release_late_key(self) -> None:
        """Deliver the delayed room key of the last say_without_key (sendToDevice)."""
        for to_device in self._late_key:
            self.synapse.request("PUT", "/_matrix/client/v3/sendToDevice/m.room.encrypted/"
                                 + uuid.uuid4().hex, to_device, self.token)

    def rotate_key(self, room: str) -> None:
        """Drop the current room key: the next message shares a new one."""
        olm = self.client.olm
        assert olm is not None
        olm.outbound_group_sessions.pop(room, None)

    def from_(self, room: str, sender: str) -> list[Seen]:
        seen = [s for s in self.seen if s.room_id == room and s.sender == sender]
        for message in seen:
            assert_valid_matrix_html(message.content)
        return seen

    def wait_for(self, room: str, sender: str, count: int, timeout: float = 30) -> list[Seen]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.from_(room, sender)
            if len(got) >= count:
                return got
            self.sync(300)
        got = [s.content.get("body", "")[:50] for s in self.from_(room, sender)]
        raise AssertionError(f"expected {count} message(s) from {sender}; got {got}")

    def raw_types(self, room: str, sender: str) -> list[str]:
        """The event types the server holds (what anyone without the keys would see)."""
        chunk = self.synapse.request(
            "GET", f"/_matrix/client/v3/rooms/{urllib.parse.quote(room)}/messages"
                   "?dir=b&limit=100", token=self.token)["chunk"]
        return [e["type"] for e in reversed(chunk) if e["sender"] == sender
                and e["type"] in ("m.room.message", "m.room.encrypted")]

    def download_file(self, content: dict[str, Any]) -> bytes:
        """Fetch an encrypted m.file and decrypt it with the key in the event."""
        file = content["file"]
        response = self.run(self.client.download(mxc=file["url"]))
        return decrypt_attachment(response.body, file["key"]["k"], file["hashes"]["sha256"],
                                  file["iv"])
