"""Replies as plain text: what the console prints, and the fallback body of the other
transports (Matrix's `body`, Telegram when its HTML is refused)."""

from __future__ import annotations

import html
import re

from bot.core.messages import FileReply, LocationReply, Reply, TextReply

_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def plain_text(reply: Reply) -> str:
    """Plain text for a reply, as the console shows it."""
    if isinstance(reply, TextReply):
        text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", reply.html)
        text = html.unescape(_TAG.sub("", text))
        for row in reply.buttons:
            text += "\n" + "   ".join(f"[{b.label} → {b.command}]" for b in row)
        return text
    if isinstance(reply, LocationReply):
        osm = (f"https://www.openstreetmap.org/?mlat={reply.latitude:.5f}"
               f"&mlon={reply.longitude:.5f}#map=17/{reply.latitude:.5f}/{reply.longitude:.5f}")
        return (f"📍 {reply.title}, {reply.address}\n"
                f"   {reply.latitude:.5f}, {reply.longitude:.5f} — {osm}")
    if isinstance(reply, FileReply):
        line = f"📎 {reply.filename} ({len(reply.content)} bytes) {reply.caption}".rstrip()
        if reply.mime_type == "application/json":  # short, readable data (/mydata): show it
            return line + "\n" + reply.content.decode("utf-8", errors="replace")
        return line
    raise TypeError(f"unknown reply type {type(reply).__name__}")
