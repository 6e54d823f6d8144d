"""Pseudonymous ids for the logs: one helper every log line that names a person or a chat
goes through.

At INFO and above a platform id or chat id is logged as a keyed hash (HMAC-SHA256, cut to
12 hex digits): lines about the same person can still be followed, but the log does not name
anyone. The key comes from CONFBOT_LOG_KEY or a random secret kept in the database (see
`bot.storage.privacy.log_key`); until it is configured, a random per-process key is used. With
CONFBOT_LOG_LEVEL=DEBUG the real ids are logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_key: bytes = secrets.token_bytes(32)
_reveal = False


def configure(key: str | bytes | None = None, *, reveal: bool = False) -> None:
    """Set the key of the hash (None: keep the current one) and whether ids appear as they are."""
    global _key, _reveal
    if key is not None:
        _key = key.encode() if isinstance(key, str) else key
    _reveal = reveal


def who(*parts: object) -> str:
    """A person or chat as the logs may show it: who("telegram", 123) -> 'id:3fa2b1c9d0e4'."""
    value = ":".join(str(part) for part in parts if part is not None)
    if _reveal or not value:
        return value or "-"
    return "id:" + hmac.new(_key, value.encode(), hashlib.sha256).hexdigest()[:12]
