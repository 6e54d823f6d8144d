"""Platform-neutral message types: what arrives (Incoming) and what the bot answers (Reply).

Reply text is a small HTML subset (<b>, <i>, <code>, <a href>) with every piece of data escaped;
Telegram and Matrix send it as HTML, the console renders it as plain text.
"""

from __future__ import annotations

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

    @property
    def address(self) -> Address:
        return Address(self.platform, self.chat_id)


@dataclass(frozen=True)
class Button:
    """A tappable choice; pressing it is the same as sending `command`."""

    label: str
    command: str


@dataclass(frozen=True)
class TextReply:
    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    reactions: Mapping[str, str] = field(default_factory=dict, hash=False)
    """emoji -> the command a reaction to this message means ({"👍": "/vote q7"}), where the
    platform has reactions (Matrix)."""


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
