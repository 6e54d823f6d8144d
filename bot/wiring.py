"""The one place that decides what the bot is made of: which features (handlers) and which
transports. Everything below it receives what it needs; nothing below imports upwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.app import Application
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.language.lexicon import Lexicon
from bot.programme.model import Conference
from bot.storage import Store

if TYPE_CHECKING:
    from bot.ops.serving import Transport
    from bot.web.server import HttpServer


def build_application(conference: Conference, lexicon: Lexicon, store: Store, clock: Clock,
                      organisers: frozenset[str] = frozenset()) -> Application:
    """The application with every feature of `handlers/`."""
    import handlers

    return Application(conference, lexicon, store, clock, handlers.FEATURES,
                       organisers=organisers)


def platform_transports(app: Application, settings: Settings,
                        http: HttpServer | None = None) -> list[Transport]:
    """The Telegram and Matrix transports the settings turn on (none: use the console); a
    Telegram webhook is served on `http`, the process's one HTTP server, when there is one."""
    transports: list[Transport] = []
    if settings.telegram is not None:
        from bot.transports.telegram import TelegramTransport

        telegram = settings.telegram
        transports.append(TelegramTransport(
            app, telegram.token, base_url=telegram.base_url, webhook_url=telegram.webhook_url,
            webhook_secret=telegram.webhook_secret, webhook_listen=telegram.webhook_listen,
            webhook_port=telegram.webhook_port, http=http))
    if settings.matrix is not None:
        from bot.transports.matrix import MatrixTransport

        matrix = settings.matrix
        transports.append(MatrixTransport(
            app, matrix.homeserver, matrix.user_id, password=matrix.password,
            access_token=matrix.access_token, device_id=matrix.device_id,
            organiser_room=matrix.organiser_room, announce_room=matrix.announce_room))
    return transports


def http_server(settings: Settings) -> HttpServer | None:
    """The process's one HTTP server (CONFBOT_HTTP_PORT, else the webhook's port), or None.
    Parts that serve pages or APIs add their routes to it here, before it starts."""
    port = settings.serves_http
    if port is None:
        return None
    from bot.web.server import HttpServer

    listen = (settings.telegram.webhook_listen
              if settings.http_port is None and settings.telegram is not None
              else settings.http_listen)
    return HttpServer(port, listen)
