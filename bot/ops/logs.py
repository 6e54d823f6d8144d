"""Logging for every logger of the process, with secrets redacted in one place.

`configure_logging` installs one handler on the root logger (plain text by default, one JSON
object per line with CONFBOT_LOG_FORMAT=json) and a log-record factory that redacts every
record of every logger (ours, httpx, httpcore, telegram, nio, sqlalchemy, alembic,
apscheduler) before any handler sees it: the known secrets (`add_secret`: the bot token,
database passwords, Matrix tokens and passwords, the webhook secret, the log key) and the
shapes of secrets (`bot<token>` in Bot API URLs, `user:password@` in URLs, `access_token=`).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy.engine import make_url

MASK = "***"
MIN_SECRET_LENGTH = 4
"""Shorter values are not redacted (they would blank out ordinary words)."""

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # a Bot API URL path: /bot123456:ABC-xyz/getMe
    (re.compile(r"bot\d+:[A-Za-z0-9_-]+"), f"bot{MASK}"),
    # a bare bot token: 123456:AAH…
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), MASK),
    # a password in a URL: scheme://user:password@host
    (re.compile(r"(\w+://[^/\s:@]+:)[^@\s/]+(@)"), rf"\g<1>{MASK}\g<2>"),
    # a token in a query string (?access_token=…) or in JSON ("password": "…")
    (re.compile(r"(?i)(\b(?:access_token|password|secret_token)=)[^\s&]+"), rf"\g<1>{MASK}"),
    (re.compile(r"(?i)([\"'](?:access_token|password|secret_token)[\"']\s*:\s*[\"'])"
                r"[^\"']+"), rf"\g<1>{MASK}"),
    (re.compile(r"(?i)(authorization[\"']?\s*[=:]\s*[\"']?bearer\s+)[^\s\"',}]+"),
     rf"\g<1>{MASK}"),
)


class Redactor:
    """Replaces known secrets and secret-shaped text by ***."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, *secrets: str | None) -> None:
        with self._lock:
            for secret in secrets:
                if secret and len(secret) >= MIN_SECRET_LENGTH:
                    self._secrets.add(secret)
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = (re.compile("|".join(re.escape(s) for s in ordered))
                             if ordered else None)

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        for shape, replacement in _PATTERNS:
            text = shape.sub(replacement, text)
        return text


REDACT = Redactor()
"""The process's one redactor."""


def add_secret(*secrets: str | None) -> None:
    """Never log these values (from now on, from any logger)."""
    REDACT.add(*secrets)


def database_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except Exception:
        return None


def safe_url(url: str) -> str:
    """A database URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return REDACT(url)


_factory_installed = False


def _install_factory() -> None:
    """Redact every record when it is made, whichever logger and handler it goes to."""
    global _factory_installed
    if _factory_installed:
        return
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it later as usual
            return record
        record.msg, record.args = REDACT(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = REDACT(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = REDACT(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


class PlainFormatter(logging.Formatter):
    """`time level logger: message`, redacted once more as a whole."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return REDACT(super().format(record))


CONTEXT_FIELDS = ("platform", "user", "chat", "message", "intent")
_CONTEXT = re.compile(r"\b(" + "|".join(CONTEXT_FIELDS) + r")=([^\s,;]+)")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, text, the context fields our lines
    carry as `key=value` (platform, user, chat, message, intent), and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "text": text}
        for key, value in _CONTEXT.findall(text):
            entry.setdefault(key, value.rstrip(":."))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return REDACT(json.dumps(entry, ensure_ascii=False))


LOG_FORMATS = ("text", "json")
QUIET_AT_INFO = ("httpx", "httpcore", "apscheduler", "aiohttp.access", "alembic.runtime.migration",
                 "pymorphy3")
"""Libraries whose INFO lines are noise (a line per HTTP request, per job run): shown from
WARNING unless the level is DEBUG."""


def configure_logging(level: str, fmt: str = "text", *, stream: TextIO | None = None,
                      secrets: Iterable[str | None] = ()) -> None:
    """The root logger's one handler, the level, the format and the redaction."""
    add_secret(*secrets)
    _install_factory()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet = logging.WARNING if logging.getLevelName(level) != logging.DEBUG else logging.DEBUG
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(max(quiet, root.level))
