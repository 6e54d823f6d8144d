"""`confbot links`: the Telegram deep link of every session (opening it, and setting its
reminder), for posters and QR codes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from bot.core.config import ConfigError, Settings
from bot.programme.model import Conference
from handlers.links import session_links


def telegram_username(settings: Settings, given: str | None) -> str:
    """The bot's user name: as given (--bot), or asked from Telegram with TELEGRAM_TOKEN."""
    if given:
        return given.lstrip("@")
    if settings.telegram is None:
        raise ConfigError("TELEGRAM_TOKEN", "is needed to learn the bot's user name; or give "
                                            "it with --bot")
    base = settings.telegram.base_url or "https://api.telegram.org/bot"
    try:
        with urllib.request.urlopen(f"{base}{settings.telegram.token}/getMe",
                                    timeout=15) as response:
            username = json.load(response).get("result", {}).get("username")
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ConfigError("TELEGRAM_TOKEN", f"Telegram did not say the bot's user name "
                                            f"({error.__class__.__name__}); give it with --bot"
                          ) from None
    if not username:
        raise ConfigError("TELEGRAM_TOKEN", "Telegram did not say the bot's user name; give "
                                            "it with --bot")
    return str(username)


def links_table(conference: Conference, username: str) -> str:
    """One tab-separated line per session: id, title, link, reminder link."""
    lang = conference.languages[0]
    return "\n".join("\t".join(row) for row in session_links(conference, username, lang))
