"""Settings from environment variables (and an optional .env file), validated at start-up."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot import DATA_DIR

DEFAULT_DATABASE_URL = "sqlite:///confbot.sqlite3"
DEFAULT_RETENTION_DAYS = 30  # bot.storage.privacy has the same default
MATRIX_VARIABLES = ("MATRIX_HOMESERVER", "MATRIX_USER_ID", "MATRIX_PASSWORD",
                    "MATRIX_ACCESS_TOKEN", "MATRIX_DEVICE_ID", "MATRIX_ORGANISER_ROOM",
                    "MATRIX_ANNOUNCE_ROOM")


def normalise_database_url(url: str) -> str:
    """`postgres://` (what hosting platforms hand out) and `postgresql://` mean the psycopg 3
    driver, which is installed; every other URL is left as given."""
    scheme, separator, rest = url.partition("://")
    if separator and scheme.lower() in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


class ConfigError(Exception):
    """A setting is wrong; the message names the variable and the problem."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"configuration: {variable}: {problem}")


def derive_webhook_secret(token: str) -> str:
    """The webhook's secret when TELEGRAM_WEBHOOK_SECRET is unset: an HMAC of the token, so
    every process (and machine) with the same token agrees on it, and it reveals nothing."""
    return hmac.new(token.encode(), b"confbot telegram webhook secret",
                    hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8080


@dataclass(frozen=True)
class MatrixSettings:
    homeserver: str
    user_id: str
    password: str | None = None
    access_token: str | None = None
    device_id: str | None = None
    organiser_room: str | None = None
    announce_room: str | None = None


@dataclass(frozen=True)
class ScheduleSettings:
    """CONFBOT_SCHEDULE: the programme comes from a frab XML / C3VOC JSON file or URL."""

    location: str
    poll_seconds: float = 300.0
    overlay_dir: Path | None = None
    """CONFBOT_DATA_DIR when given and present: what `data/` adds to the schedule."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    log_level: str | None
    telegram: TelegramSettings | None = None
    matrix: MatrixSettings | None = None
    organisers: frozenset[str] = frozenset()
    """Who may broadcast, as platform:id (telegram:123456, matrix:@anna:example.org)."""
    schedule: ScheduleSettings | None = None
    privacy_contact: str | None = None
    """Whom to ask about personal data (PRIVACY_CONTACT): an e-mail address or a handle."""
    retention_days: int = DEFAULT_RETENTION_DAYS
    """Personal data is deleted this many days after the conference ends."""
    log_key: str | None = None
    """The key of the pseudonymous ids in the logs (CONFBOT_LOG_KEY)."""
    log_format: str = "text"
    """CONFBOT_LOG_FORMAT: text (default) or json (one object per line)."""
    http_port: int | None = None
    """CONFBOT_HTTP_PORT: /healthz, /readyz, /metrics (and the Telegram webhook) on this port."""
    http_listen: str = "0.0.0.0"
    """CONFBOT_HTTP_LISTEN: the address the HTTP server binds to."""

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """Every configured value that must never appear in a log line."""
        from sqlalchemy.engine import make_url as parse

        telegram, matrix = self.telegram, self.matrix
        return (parse(self.database_url).password,
                telegram.token if telegram else None,
                telegram.token.partition(":")[2] if telegram else None,
                telegram.webhook_secret if telegram else None,
                derive_webhook_secret(telegram.token) if telegram else None,
                matrix.password if matrix else None, matrix.access_token if matrix else None,
                self.log_key)

    @property
    def serves_http(self) -> int | None:
        """The port of the one HTTP server: CONFBOT_HTTP_PORT, else the webhook's; None: off."""
        if self.http_port is not None:
            return self.http_port
        if self.telegram is not None and self.telegram.webhook_url:
            return self.telegram.webhook_port
        return None
    dialogue_minutes: int = 30
    """After this many quiet minutes a conversation starts afresh (CONFBOT_DIALOGUE_MINUTES)."""


def load_settings(environ: Mapping[str, str] | None = None,
                  env_file: Path | None = Path(".env")) -> Settings:
    """Read settings: the process environment wins over a .env file in the working folder."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    database_url = normalise_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    try:
        make_url(database_url)
    except ArgumentError:
        raise ConfigError("DATABASE_URL", f"'{database_url}' is not a database URL "
                          "(e.g. sqlite:///confbot.sqlite3 or "
                          "postgresql://user:password@host/db)") from None

    data_dir = Path(get("CONFBOT_DATA_DIR") or DATA_DIR)
    schedule = _schedule(get)
    if schedule is not None:
        overlay = Path(given) if (given := get("CONFBOT_DATA_DIR")) else None
        schedule = ScheduleSettings(schedule.location, schedule.poll_seconds,
                                    overlay if overlay and overlay.is_dir() else None)
    elif not data_dir.is_dir():
        raise ConfigError("CONFBOT_DATA_DIR", f"'{data_dir}' is not a folder")

    log_level = get("CONFBOT_LOG_LEVEL")
    if log_level and not isinstance(logging.getLevelName(log_level.upper()), int):
        raise ConfigError("CONFBOT_LOG_LEVEL", f"'{log_level}' is not one of "
                          "DEBUG, INFO, WARNING, ERROR")

    log_format = (get("CONFBOT_LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise ConfigError("CONFBOT_LOG_FORMAT", f"'{log_format}' is not text or json")
    http_port = get("CONFBOT_HTTP_PORT")
    if http_port is not None and (not http_port.isdigit() or not 0 < int(http_port) < 65536):
        raise ConfigError("CONFBOT_HTTP_PORT", f"'{http_port}' is not a port number")

    retention = get("CONFBOT_RETENTION_DAYS") or str(DEFAULT_RETENTION_DAYS)
    if not retention.isdigit():
        raise ConfigError("CONFBOT_RETENTION_DAYS", f"'{retention}' is not a number of days")

    dialogue = get("CONFBOT_DIALOGUE_MINUTES") or "30"
    if not dialogue.isdigit() or int(dialogue) == 0:
        raise ConfigError("CONFBOT_DIALOGUE_MINUTES", f"'{dialogue}' is not a number of minutes "
                          "(1 or more)")

    return Settings(database_url=database_url, data_dir=data_dir,
                    log_level=log_level.upper() if log_level else None,
                    telegram=_telegram(get), matrix=_matrix(get),
                    organisers=_organisers(get("ORGANISERS")), schedule=schedule,
                    privacy_contact=get("PRIVACY_CONTACT"), retention_days=int(retention),
                    log_key=get("CONFBOT_LOG_KEY"), log_format=log_format,
                    http_port=int(http_port) if http_port else None,
                    http_listen=get("CONFBOT_HTTP_LISTEN") or "0.0.0.0",
                    dialogue_minutes=int(dialogue))


def _matrix(get: Callable[[str], str | None]) -> MatrixSettings | None:
    if not any(get(name) for name in MATRIX_VARIABLES):
        return None
    homeserver, user_id = get("MATRIX_HOMESERVER"), get("MATRIX_USER_ID")
    if homeserver is None:
        raise ConfigError("MATRIX_HOMESERVER", "is required when any MATRIX_* variable is set")
    if user_id is None:
        raise ConfigError("MATRIX_USER_ID", "is required when any MATRIX_* variable is set")
    if not get("MATRIX_PASSWORD") and not get("MATRIX_ACCESS_TOKEN"):
        raise ConfigError("MATRIX_PASSWORD", "set MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN")
    if not homeserver.startswith(("http://", "https://")):
        raise ConfigError("MATRIX_HOMESERVER", "must be a URL starting with https://")
    return MatrixSettings(homeserver, user_id, password=get("MATRIX_PASSWORD"),
                          access_token=get("MATRIX_ACCESS_TOKEN"),
                          device_id=get("MATRIX_DEVICE_ID"),
                          organiser_room=get("MATRIX_ORGANISER_ROOM"),
                          announce_room=get("MATRIX_ANNOUNCE_ROOM"))


def _schedule(get: Callable[[str], str | None]) -> ScheduleSettings | None:
    location = get("CONFBOT_SCHEDULE")
    poll = get("CONFBOT_SCHEDULE_POLL")
    if location is None:
        if poll:
            raise ConfigError("CONFBOT_SCHEDULE", "is required when CONFBOT_SCHEDULE_POLL is set")
        return None
    if not location.startswith(("http://", "https://")) and not Path(location).is_file():
        raise ConfigError("CONFBOT_SCHEDULE", f"'{location}' is neither a file nor an "
                                              "http(s) URL")
    seconds = 300.0
    if poll:
        try:
            seconds = float(poll)
        except ValueError:
            seconds = 0
        if not seconds > 0:
            raise ConfigError("CONFBOT_SCHEDULE_POLL", f"'{poll}' is not a number of seconds "
                                                       "greater than 0 (e.g. 300)")
    return ScheduleSettings(location, seconds)


ORGANISER_PLATFORMS = ("telegram", "matrix", "console")


def _organisers(value: str | None) -> frozenset[str]:
    entries = set()
    for entry in (value or "").replace(",", " ").split():
        platform, _, identity = entry.partition(":")
        if platform not in ORGANISER_PLATFORMS or not identity:
            raise ConfigError("ORGANISERS", f"'{entry}' is not platform:id (e.g. telegram:123456 "
                                            "or matrix:@anna:example.org)")
        entries.add(f"{platform}:{identity}")
    return frozenset(entries)


def _telegram(get: Callable[[str], str | None]) -> TelegramSettings | None:
    token = get("TELEGRAM_TOKEN")
    if token is None:
        for name in ("TELEGRAM_BASE_URL", "TELEGRAM_WEBHOOK_URL"):
            if get(name):
                raise ConfigError("TELEGRAM_TOKEN", f"is required when {name} is set")
        return None
    if ":" not in token:
        raise ConfigError("TELEGRAM_TOKEN", "does not look like a bot token (123456:ABC…) "
                                            "from @BotFather")
    for name in ("TELEGRAM_BASE_URL", "TELEGRAM_WEBHOOK_URL"):
        value = get(name)
        if value and not value.startswith(("http://", "https://")):
            raise ConfigError(name, f"'{value}' must be a URL starting with https://")
    port = get("TELEGRAM_WEBHOOK_PORT") or "8080"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError("TELEGRAM_WEBHOOK_PORT", f"'{port}' is not a port number")
    return TelegramSettings(token=token, base_url=get("TELEGRAM_BASE_URL"),
                            webhook_url=get("TELEGRAM_WEBHOOK_URL"),
                            webhook_secret=get("TELEGRAM_WEBHOOK_SECRET"),
                            webhook_listen=get("TELEGRAM_WEBHOOK_LISTEN") or "0.0.0.0",
                            webhook_port=int(port))
