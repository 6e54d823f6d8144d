"""The Telegram transport's lifecycle: start-up with retries, the command menus, receiving by
webhook on the shared HTTP server (the leader alone sets it) or by long polling, and stop."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from urllib.parse import urlparse

from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ApplicationBuilder

from bot.app import Application
from bot.core.config import derive_webhook_secret
from bot.core.messages import Address, Reply
from bot.delivery.pacing import Pacer
from bot.ops.leadership import process_name
from bot.ops.logs import add_secret
from bot.ops.startup import with_retries
from bot.transports.intake import SLOTS
from bot.transports.telegram.receiving import Receiver
from bot.transports.telegram.sending import PLATFORM, Sender
from bot.web.server import HttpServer

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]
WRONG_SECRET_LOG_EVERY = 60.0


class TelegramTransport:
    platform = PLATFORM
    outbox_chat: str | None = None

    def __init__(self, app: Application, token: str, *, base_url: str | None = None,
                 webhook_url: str | None = None, webhook_secret: str | None = None,
                 webhook_listen: str = "0.0.0.0", webhook_port: int = 8080,
                 pacer: Pacer | None = None, poll_timeout: int = 10,
                 http: HttpServer | None = None) -> None:
        self.app = app
        self.pacer = pacer or Pacer()
        self.poll_timeout = poll_timeout
        self.webhook_url = webhook_url
        # every process with this token derives the same secret (several processes, machines)
        self.webhook_secret = webhook_secret or (derive_webhook_secret(token) if webhook_url
                                                 else None)
        add_secret(token, self.webhook_secret)
        self.webhook_listen, self.webhook_port = webhook_listen, webhook_port
        self.leading: asyncio.Event | None = None
        """Set by `serve`: only the leader calls setWebhook. None (alone): this process does."""
        self._own_http = http is None
        self.http = http or HttpServer(webhook_port, webhook_listen)
        if webhook_url:
            self.http.add_route("POST", str(urlparse(webhook_url).path) or "/", self._receive)
        builder = (ApplicationBuilder().token(token).job_queue(None)
                   .connection_pool_size(SLOTS + 16))
        if base_url:
            builder = builder.base_url(base_url).base_file_url(
                base_url.replace("/bot", "/file/bot", 1))
        self.ptb = builder.build()
        self.sender = Sender(app, self.ptb.bot, self.pacer)
        self.receiver = Receiver(app, self.ptb.bot, self.sender,
                                 owner=f"{process_name()}:{secrets.token_hex(4)}"[:64])
        self.inbox = self.receiver.inbox
        self.intake = self.inbox.intake
        self.wrong_secret = 0
        """Webhook calls refused for a wrong secret (logged at most once a minute)."""
        self._wrong_secret_logged: tuple[float, int] = (float("-inf"), 0)
        self._stop = asyncio.Event()
        self._setting_webhook: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        self._conflict_reported = False

    async def run(self) -> None:
        await with_retries("Telegram (TELEGRAM_TOKEN, TELEGRAM_BASE_URL)", self.ptb.initialize,
                           transient=_transient)
        async with self.ptb:
            await self._set_menus()
            tasks: list[asyncio.Task[object]] = []
            try:
                if self.webhook_url:
                    await self._start_webhook()
                else:
                    await with_retries("Telegram deleteWebhook", self.ptb.bot.delete_webhook,
                                       transient=_transient)
                    self.inbox.take_over(everything=True)  # the single poller: drain it first
                    tasks.append(asyncio.create_task(self._poll()))
                tasks.append(asyncio.create_task(self.inbox.keep()))
                log.info("platform=telegram: running as @%s (%s)", self.ptb.bot.username,
                         "webhook" if self.webhook_url else "long polling")
                self.ready.set()
                stopping = asyncio.create_task(self._stop.wait())
                tasks.append(stopping)
                done, _ = await asyncio.wait([stopping, *tasks],
                                             return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is not stopping:
                        task.result()  # a poller that ended: its error ends the transport
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                if self.webhook_url and self._own_http:
                    await self.http.stop()
                if self._setting_webhook is not None:
                    self._setting_webhook.cancel()
                await self.inbox.close()

    def stop(self) -> None:
        self._stop.set()

    @property
    def needs_leader(self) -> bool:
        """Long polling runs in the leader only (Telegram allows one getUpdates per token);
        with a webhook, any process receives."""
        return self.webhook_url is None

    def _polling_failed(self, error: TelegramError) -> None:
        """python-telegram-bot retries with a growing pause (1 s, 1.5 s, … 30 s)."""
        if isinstance(error, Conflict):
            if not self._conflict_reported:
                self._conflict_reported = True
                log.error("platform=telegram: 409 Conflict: another instance is running with "
                          "this token (Telegram allows one getUpdates at a time); backing off "
                          "and trying again, up to 30 s apart. Run one poller per token, or "
                          "use a webhook.")
            return
        self._conflict_reported = False
        log.warning("platform=telegram: polling for updates failed (%s); retrying", error)

    async def _set_menus(self) -> None:
        """The command menu and descriptions in every language, plus a default."""
        self.sender.username()  # known from getMe: /link and deep links can use it from now on
        if not self.ptb.bot.supports_inline_queries:
            log.warning("platform=telegram: inline mode is off, so sessions cannot be shared "
                        "with @%s; turn it on with BotFather: /setinline", self.ptb.bot.username)
        conference, catalogue = self.app.conference, self.app.catalogue
        long, short = self.app.features.descriptions
        for lang in (None, *conference.languages):
            t = catalogue[lang or conference.languages[0]]
            name = conference.short_name[t.lang]
            try:
                await self.ptb.bot.set_my_commands(
                    [BotCommand(command, t.gettext(text)[:256])
                     for command, text in self.app.features.command_menu], language_code=lang)
                await self.ptb.bot.set_my_description(t.gettext(long, name=name)[:512],
                                                      language_code=lang)
                await self.ptb.bot.set_my_short_description(t.gettext(short, name=name)[:120],
                                                            language_code=lang)
            except TelegramError as error:
                log.warning("platform=telegram: could not set the menu for language=%s: %s",
                            lang or "default", error)

    async def _receive(self, request: web.Request) -> web.Response:
        """A webhook delivery: recorded in the inbox before the 200 (503 when it cannot be
        recorded, so Telegram delivers it again); a repeated one is answered at most once."""
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != self.webhook_secret:
            self._refused(request.remote)
            return web.Response(status=403)
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
            return web.Response(status=400)
        try:
            update = Update.de_json(body, self.ptb.bot)
        except Exception:  # not an update we understand: Telegram need not repeat it
            log.warning("platform=telegram: webhook update %s not understood; ignored",
                        body.get("update_id"), exc_info=True)
            return web.Response(text="ok")
        if not self.receiver.take_in([update]):
            return web.Response(status=503)  # not recorded: Telegram delivers it again
        return web.Response(text="ok")

    async def _start_webhook(self) -> None:
        """Receive on the shared HTTP server (started here when the transport runs alone);
        the leader alone tells Telegram where to send (every process derives one secret)."""
        if self._own_http:
            await self.http.start()
        if self.leading is None:
            await self._set_webhook()
        else:
            self._setting_webhook = asyncio.create_task(self._set_webhook_when_leading(
                self.leading))

    async def _set_webhook_when_leading(self, leading: asyncio.Event) -> None:
        await leading.wait()
        try:
            await with_retries("Telegram setWebhook", self._set_webhook, transient=_transient)
        except Exception:
            log.exception("platform=telegram: setWebhook failed; updates may not arrive")

    async def _set_webhook(self) -> None:
        await self.ptb.bot.set_webhook(url=self.webhook_url or "", secret_token=self.webhook_secret,
                                       allowed_updates=ALLOWED_UPDATES)
        log.info("platform=telegram: webhook set to %s", self.webhook_url)

    def _refused(self, remote: str | None) -> None:
        """Count a wrong-secret webhook call; log the count at most once a minute."""
        self.wrong_secret += 1
        now = time.monotonic()
        last, count = self._wrong_secret_logged
        if now - last >= WRONG_SECRET_LOG_EVERY:
            log.warning("platform=telegram: %d webhook call(s) with a wrong secret refused "
                        "(%d since the last report; the latest from %s)", self.wrong_secret,
                        self.wrong_secret - count, remote)
            self._wrong_secret_logged = (now, self.wrong_secret)

    async def _poll(self) -> None:
        """Long polling: updates are recorded in the inbox before the next getUpdates confirms
        them to Telegram (its offset); an update not recorded is fetched again."""
        offset: int | None = None
        pause = 1.0
        while True:
            try:
                updates = await self.ptb.bot.get_updates(
                    offset=offset, timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES)
            except InvalidToken:
                raise
            except TelegramError as error:
                self._polling_failed(error)
                await asyncio.sleep(pause)
                pause = min(pause * 1.5, 30.0)
                continue
            pause = 1.0
            if not updates:
                continue
            while not self.receiver.take_in(list(updates)):
                await asyncio.sleep(pause)  # the database is away: wait, keep the offset
                pause = min(pause * 2, 5.0)
            pause = 1.0
            offset = max(update.update_id for update in updates) + 1

    async def deliver(self, address: Address, replies: list[Reply],
                      message_id: int | None = None) -> None:
        """Send a pushed message (outbox); errors tell the outbox what to do next."""
        await self.sender.deliver(address, replies)


def _transient(error: Exception) -> bool:
    """A network error or a 5xx answer passes; a rejected token (401/404) does not."""
    return (isinstance(error, RetryAfter)
            or (isinstance(error, NetworkError) and not isinstance(error, BadRequest)))
