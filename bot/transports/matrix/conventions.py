"""Matrix conversation conventions, as plain functions of event content: whether a message in
a room is addressed to the bot (m.mentions, a pill, the full user id, or the bot's name as the
first word followed by a colon or comma), and how a reply relates to the question (a rich
reply, in the question's thread)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PILL = re.compile(r'<a href="https://matrix\.to/#/([^"?]+)[^"]*">(.*?)</a>', re.DOTALL)


def mentioned_ids(content: Mapping[str, Any]) -> set[str]:
    """The user ids a message mentions: m.mentions, or else the pills in its HTML."""
    mentions = content.get("m.mentions")
    if isinstance(mentions, Mapping):
        ids = mentions.get("user_ids")
        return {i for i in ids if isinstance(i, str)} if isinstance(ids, list) else set()
    formatted = content.get("formatted_body")
    if not isinstance(formatted, str):
        return set()
    return {_unquote(user) for user, _ in PILL.findall(formatted)}


def _unquote(user: str) -> str:
    return user.replace("%40", "@").replace("%3A", ":").replace("%3a", ":")


def addressed_text(content: Mapping[str, Any], bot_id: str, names: tuple[str, ...]
                   ) -> str | None:
    """The text of a room message meant for the bot, with the address taken out; None when it
    is not meant for the bot. A word that happens to be the bot's name, in the middle of a
    sentence, is not an address."""
    body = content.get("body")
    text = body.strip() if isinstance(body, str) else ""
    if text.startswith("!"):
        return text
    called = sorted({bot_id, *(n for n in names if n)}, key=len, reverse=True)
    leading = re.compile(r"^@?(?:" + "|".join(re.escape(n) for n in called) + r")\s*[:,]\s*",
                         re.IGNORECASE)
    if bot_id in mentioned_ids(content) or bot_id in text:
        text = leading.sub("", text, count=1)
        return re.sub(r"\s{2,}", " ", text.replace(bot_id, "")).strip()
    if leading.match(text):
        return leading.sub("", text, count=1).strip()
    return None


def thread_root(content: Mapping[str, Any]) -> str | None:
    """The thread a message was written in (its root event), if any."""
    relates = content.get("m.relates_to")
    if isinstance(relates, Mapping) and relates.get("rel_type") == "m.thread":
        root = relates.get("event_id")
        return root if isinstance(root, str) else None
    return None


def reply_relation(question: str | None, thread: str | None, *, rich: bool
                   ) -> dict[str, object] | None:
    """m.relates_to for an answer: in the question's thread, and a rich reply to the question
    when `rich` (rooms with more than two members)."""
    if thread:
        relation: dict[str, object] = {"rel_type": "m.thread", "event_id": thread,
                                       "is_falling_back": not rich}
        if question:
            relation["m.in_reply_to"] = {"event_id": question}
        return relation
    if rich and question:
        return {"m.in_reply_to": {"event_id": question}}
    return None
