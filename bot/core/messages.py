"""Platform-neutral message types: what arrives (Incoming) and what the bot answers (Reply).

Reply text is a small HTML subset (<b>, <i>, <code>, <a href>) with every piece of data escaped;
Telegram and Matrix send it as HTML, the console renders it as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

COMMAND_PREFIXES = ("/", "!")
"""A leading / is a command (Telegram, the console); ! too (Element keeps / for itself)."""


@dataclass(frozen=True)
class Address:
    """Where a message comes from or goes to: one chat on one platform."""

    platform: str
    chat_id: str


@dataclass(frozen=True)
class Incoming:
    """A message from a person, as every transport delivers it to the core."""

    platform: str
    user_id: str
    chat_id: str
    text: str
    client_language: str | None = None
    message_id: str | None = None
    is_group: bool = False
    location: tuple[float, float] | None = None
    """A position the person shared (latitude, longitude), if this message is one."""
    thread_id: str | None = None
    """The thread or forum topic the message was written in; the answer stays there."""

    @property
    def address(self) -> Address:
        return Address(self.platform, self.chat_id)


@dataclass(frozen=True)
class Button:
    """A tappable choice; pressing it is the same as sending `command`."""

    label: str
    command: str
    private: bool = False
    """The command is done in the private chat with the bot (a reminder asked for in a
    group): pressing opens that chat and completes it there (a Telegram deep link)."""


@dataclass(frozen=True)
class TextReply:
    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    reactions: Mapping[str, str] = field(default_factory=dict, hash=False)
    """emoji -> the command a reaction to this message means ({"🔔": "/remind s12"}), for
    platforms where people react rather than tap (Matrix)."""
    toast: str = ""
    """A short confirmation for a button tap (Telegram's callback answer), in plain text."""
    toggle: Button | None = None
    """Answering a tap: the button that replaces the tapped one in place (Remind ↔ Don't
    remind). With a toast and a toggle, a tap changes the tapped message and sends nothing."""


@dataclass(frozen=True)
class LocationReply:
    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True)
class FileReply:
    filename: str
    content: bytes
    mime_type: str
    caption: str = ""


Reply = TextReply | LocationReply | FileReply


_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def start_payload(command: str) -> str | None:
    """A command as a deep-link payload (`/remind s12` -> `remind_s12`, `/s12` -> `s12`), or
    None when it cannot be one (Telegram allows 64 letters, digits, _ and -)."""
    payload = "_".join(command.lstrip("/!").split())
    return payload if _PAYLOAD.fullmatch(payload) else None


def payload_command(payload: str) -> str:
    """The command a deep-link payload stands for (`remind_s12` -> `/remind s12`)."""
    name, _, argument = payload.partition("_")
    return f"/{name} {argument.replace('_', ' ')}".strip()
