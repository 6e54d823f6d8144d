"""The organisers' web console: a live view of the event, served by the bot's HTTP server.

Mount it with `setup_console(aiohttp_app, ConsoleDeps(application, public_url, secret))`."""

from bot.web.console.auth import ConsoleDeps, cookie_key, login_link
from bot.web.console.routes import console_routes, setup_console

__all__ = ["ConsoleDeps", "console_routes", "cookie_key", "login_link", "setup_console"]
