"""What the command-line tools share: logging, the data source named, the privacy policy and
the time zone."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from bot.core.config import ConfigError, Settings
from bot.core.logids import configure as configure_log_ids
from bot.ops.logs import add_secret, configure_logging
from bot.ops.watcher import load_programme
from bot.programme.yaml_data import DataError
from bot.storage.privacy import PrivacyPolicy, log_key

if TYPE_CHECKING:
    from bot.app import Application


def setup_logging(settings: Settings | None, default: str) -> None:
    """One handler for every logger, secrets redacted (bot.ops.logs)."""
    level = (settings.log_level if settings and settings.log_level else default)
    configure_logging(level, settings.log_format if settings else "text",
                      secrets=settings.secrets if settings else ())


def source(settings: Settings) -> str:
    if settings.schedule is None:
        return str(settings.data_dir)
    overlay = settings.schedule.overlay_dir
    return settings.schedule.location + (f" with {overlay}" if overlay else "")


def apply_privacy(app: Application, settings: Settings) -> None:
    """The privacy contact and retention rule from the configuration; pseudonymous log ids."""
    app.privacy = PrivacyPolicy(contact=settings.privacy_contact,
                                retention_days=settings.retention_days)
    key = log_key(app.store.state, settings.log_key)
    add_secret(key)
    configure_log_ids(key, reveal=settings.log_level == "DEBUG")


def display_zone(settings: Settings) -> tzinfo:
    """The conference's time zone, for the times the command-line tools print."""
    try:
        return load_programme(settings).conference.timezone
    except (DataError, ConfigError, OSError):
        from datetime import UTC

        return UTC
