"""Where the console is served: CONFBOT_HTTP_PORT (off when unset) and the links'
CONFBOT_PUBLIC_URL. `confbot run` mounts it on the bot's one HTTP server (bot/web/server.py);
`start_console` serves it alone (tests)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from dotenv import dotenv_values

from bot.app import Application
from bot.core.config import ConfigError
from bot.web.console.auth import ConsoleDeps, cookie_key
from bot.web.console.routes import setup_console

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsoleSettings:
    port: int
    public_url: str


def console_settings(environ: Mapping[str, str] | None = None,
                     env_file: Path | None = Path(".env")) -> ConsoleSettings | None:
    """CONFBOT_HTTP_PORT and CONFBOT_PUBLIC_URL (default http://localhost:<port>); None when
    no port is set."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    port = values.get("CONFBOT_HTTP_PORT", "").strip()
    if not port:
        return None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError("CONFBOT_HTTP_PORT", f"'{port}' is not a port number (1–65535)")
    url = values.get("CONFBOT_PUBLIC_URL", "").strip().rstrip("/")
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError("CONFBOT_PUBLIC_URL", f"'{url}' is not an http(s):// address")
    return ConsoleSettings(int(port), url or f"http://localhost:{port}")


def console_deps(app: Application, public_url: str, secret: str | None = None) -> ConsoleDeps:
    """The console of `app`, its links under `public_url`; turns /web on."""
    app.console_url = public_url.rstrip("/")
    return ConsoleDeps(app, app.console_url, cookie_key(app.store.state, secret))


async def start_console(deps: ConsoleDeps, host: str, port: int) -> web.AppRunner:
    """An HTTP server with the console alone (tests)."""
    web_app = web.Application()
    setup_console(web_app, deps)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
