"""Telegram through python-telegram-bot v22: the only module that imports `telegram`.

Updates become `Incoming` messages for the core; replies become messages (HTML), inline
keyboards (each button carries its command as callback data), venues and documents.
Sending keeps within Telegram's limits (bot.delivery.pacing), honours RetryAfter, retries network
and server errors, and stops writing to people who blocked the bot.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlparse

from aiohttp import web
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ApplicationBuilder

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Address, Button, FileReply, Incoming, LocationReply, Reply, TextReply
from bot.core.plaintext import plain_text
from bot.delivery.pacing import Pacer
from bot.delivery.sender import DeliveryError, RecipientGone, decode, encode
from bot.ops.leadership import process_name
from bot.storage.database import unreachable
from bot.transports.intake import (
    SLOTS,
    SLOW_DOWN,
    UNAVAILABLE,
    InboxIntake,
    Pending,
    TryLater,
    fallback_text,
)

log = logging.getLogger(__name__)
# Opt in to RetryAfter.retry_after as a timedelta (PTB's coming default); _seconds takes both.
os.environ.setdefault("PTB_TIMEDELTA", "1")

PLATFORM = "telegram"
MAX_REPLY_ATTEMPTS = 4
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for a button's data
ALLOWED_UPDATES = ["message", "callback_query"]
WRONG_SECRET_LOG_EVERY = 60.0


def _person(update: Update) -> str:
    if update.effective_user is not None:
        return str(update.effective_user.id)
    if update.effective_chat is not None:
        return f"chat:{update.effective_chat.id}"
    return f"update:{update.update_id}"


class TelegramTransport:
    platform = PLATFORM
    outbox_chat: str | None = None

    def __init__(self, app: Application, token: str, *, base_url: str | None = None,
                 webhook_url: str | None = None, webhook_secret: str | None = None,
                 webhook_listen: str = "0.0.0.0", webhook_port: int = 8080,
                 pacer: Pacer | None = None, poll_timeout: int = 10) -> None:
        self.app = app
        self.pacer = pacer or Pacer()
        self.poll_timeout = poll_timeout
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret or (secrets.token_urlsafe(32) if webhook_url
                                                 else None)
        self.webhook_listen, self.webhook_port = webhook_listen, webhook_port
        builder = (ApplicationBuilder().token(token).job_queue(None)
                   .connection_pool_size(SLOTS + 16))
        if base_url:
            builder = builder.base_url(base_url).base_file_url(
                base_url.replace("/bot", "/file/bot", 1))
        self.ptb = builder.build()
        self.inbox = InboxIntake(app, PLATFORM, self._answer_item, self._apologise,
                                 owner=f"{process_name()}:{secrets.token_hex(4)}"[:64])
        self.intake = self.inbox.intake
        self.wrong_secret = 0
        """Webhook calls refused for a wrong secret (logged at most once a minute)."""
        self._wrong_secret_logged: tuple[float, int] = (float("-inf"), 0)
        self._stop = asyncio.Event()
        self._webhook: web.AppRunner | None = None
        self.ready = asyncio.Event()
        self._conflict_reported = False

    # --- lifecycle ----------------------------------------------------------------------

    async def run(self) -> None:
        async with self.ptb:
            await self._set_menus()
            tasks: list[asyncio.Task[object]] = []
            try:
                if self.webhook_url:
                    await self._start_webhook()
                else:
                    await self.ptb.bot.delete_webhook()
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
                if self._webhook is not None:
                    await self._webhook.cleanup()
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

    async def _start_webhook(self) -> None:
        path = str(urlparse(self.webhook_url or "").path) or "/"

        async def receive(request: web.Request) -> web.Response:
            if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != self.webhook_secret:
                self._refused(request.remote)
                return web.Response(status=403)
            try:
                body = await request.json()
            except ValueError:
                return web.Response(status=400)
            if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
                return web.Response(status=400)
            try:
                update = Update.de_json(body, self.ptb.bot)
            except Exception:  # not an update we understand: Telegram need not repeat it
                log.warning("platform=telegram: webhook update %s not understood; ignored",
                            body.get("update_id"), exc_info=True)
                return web.Response(text="ok")
            if not self._take_in([update]):
                return web.Response(status=503)  # not recorded: Telegram delivers it again
            return web.Response(text="ok")

        server = web.Application()
        server.router.add_post(path, receive)
        self._webhook = web.AppRunner(server, access_log=None)
        await self._webhook.setup()
        await web.TCPSite(self._webhook, self.webhook_listen, self.webhook_port).start()
        await self.ptb.bot.set_webhook(url=self.webhook_url or "", secret_token=self.webhook_secret,
                                       allowed_updates=["message", "callback_query"])

    # --- receiving ----------------------------------------------------------------------

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
            while not self._take_in(list(updates)):
                await asyncio.sleep(pause)  # the database is away: wait, keep the offset
                pause = min(pause * 2, 5.0)
            pause = 1.0
            offset = max(update.update_id for update in updates) + 1

    def _take_in(self, updates: list[Update]) -> bool:
        """Record updates in the inbox and queue the new ones; False if not recorded."""
        return self.inbox.take_in([(u.update_id, _person(u),
                                    json.dumps(u.to_dict(), ensure_ascii=False))
                                   for u in updates])

    def _incoming(self, update: Update) -> tuple[Incoming | None, CallbackQuery | None]:
        """The message for the core (None: nothing for us), and the button press to answer."""
        query = update.callback_query
        if query is not None:
            chat_id = str(query.message.chat.id) if query.message else str(query.from_user.id)
            is_group = bool(query.message and query.message.chat.type in (ChatType.GROUP,
                                                                           ChatType.SUPERGROUP))
            return Incoming(platform=PLATFORM, user_id=str(query.from_user.id), chat_id=chat_id,
                            text=query.data or "", client_language=query.from_user.language_code,
                            message_id=query.id, is_group=is_group), query
        message, user, chat = update.message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None or user.is_bot:
            return None, None
        is_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        text = message.text or message.caption or ""
        if is_group:
            addressed = self._group_text(message, text)
            if addressed is None:
                return None, None
            text = addressed
        location = ((message.location.latitude, message.location.longitude)
                    if message.location else None)
        if not text and location is None:
            return None, None
        return Incoming(platform=PLATFORM, user_id=str(user.id), chat_id=str(chat.id),
                        text=text, client_language=user.language_code,
                        message_id=str(message.message_id),
                        is_group=is_group, location=location), None

    async def _answer_item(self, item: Pending) -> Callable[[], Awaitable[None]]:
        """Answer an update from the inbox (in an intake slot); return how to send it."""
        update = Update.de_json(json.loads(item.payload), self.ptb.bot)
        incoming, query = self._incoming(update)
        if incoming is None:
            return lambda: self.inbox.finish(item.update_id)
        if item.replies is not None:  # answered before a restart: send, never answer twice
            replies = decode(item.replies)
        elif item.slow_down:
            replies = [fallback_text(self.app, incoming, SLOW_DOWN)]
        else:
            try:
                replies = self.app.handle(incoming, patient=True)
                self.app.store.inbox.answered(PLATFORM, item.update_id, encode(replies))
            except Exception as error:
                if unreachable(error):
                    raise TryLater(str(error).splitlines()[0]) from error
                raise
        return self._sender(item, incoming, query, replies)

    async def _apologise(self, item: Pending) -> Callable[[], Awaitable[None]]:
        """The database stayed away too long: say so, in the person's language."""
        update = Update.de_json(json.loads(item.payload), self.ptb.bot)
        incoming, query = self._incoming(update)
        if incoming is None:
            return lambda: self.inbox.finish(item.update_id)
        return self._sender(item, incoming, query,
                            [fallback_text(self.app, incoming, UNAVAILABLE)])

    def _sender(self, item: Pending, incoming: Incoming, query: CallbackQuery | None,
                replies: list[Reply]) -> Callable[[], Awaitable[None]]:
        async def send() -> None:
            if query is not None:
                await self._answer(query)
            await self._reply(incoming, replies)
            await self.inbox.finish(item.update_id, dropped=item.slow_down)

        return send

    def _group_text(self, message: Message, text: str) -> str | None:
        """In a group, only commands, mentions and replies to the bot are for us."""
        username = (self.ptb.bot.username or "").lower()
        first = text.split(maxsplit=1)[0] if text else ""
        if first.startswith("/"):
            addressed_to = first.partition("@")[2].lower()
            return text if addressed_to in ("", username) else None
        mention = f"@{username}"
        replying = (message.reply_to_message is not None
                    and message.reply_to_message.from_user is not None
                    and message.reply_to_message.from_user.id == self.ptb.bot.id)
        if mention in text.lower():
            return re.sub(re.escape(mention), "", text, flags=re.IGNORECASE).strip()
        return text if replying else None

    @staticmethod
    async def _answer(query: CallbackQuery) -> None:
        try:
            await query.answer()
        except TelegramError as error:
            log.warning("platform=telegram user=%s: callback %s not answered: %s",
                        who(PLATFORM, query.from_user.id), query.id, error)

    # --- sending ------------------------------------------------------------------------

    async def _reply(self, incoming: Incoming, replies: list[Reply]) -> None:
        where = (f"platform=telegram user={who(PLATFORM, incoming.user_id)} "
                 f"chat={who(PLATFORM, incoming.chat_id)} "
                 f"message={incoming.message_id}")
        try:
            await self._send(int(incoming.chat_id), replies, pushed=False,
                             is_group=incoming.is_group)
        except RecipientGone as error:
            log.warning("%s: reply not delivered, the person blocked the bot (%s)", where, error)
            self.app.store.users.deactivate(PLATFORM, incoming.user_id)
        except (TelegramError, DeliveryError) as error:
            log.error("%s: reply dropped after %d attempts: %s", where, MAX_REPLY_ATTEMPTS, error)

    async def deliver(self, address: Address, replies: list[Reply],
                      message_id: int | None = None) -> None:
        """Send a pushed message (outbox); errors tell the outbox what to do next."""
        chat_id = int(address.chat_id)
        await self._send(chat_id, replies, pushed=True, is_group=chat_id < 0)

    async def _send(self, chat_id: int, replies: list[Reply], *, pushed: bool,
                    is_group: bool) -> None:
        for unit in _units(replies):
            await self._send_unit(chat_id, unit, pushed=pushed, is_group=is_group)

    async def _send_unit(self, chat_id: int, unit: Reply, *, pushed: bool,
                         is_group: bool) -> None:
        attempt = 0
        plain = False
        while True:
            attempt += 1
            pace = self.pacer.push if pushed else self.pacer.reply
            async with pace(str(chat_id), is_group=is_group):
                try:
                    await self._call(chat_id, unit, plain=plain)
                    return
                except RetryAfter as error:
                    wait = _seconds(error.retry_after)
                    if pushed or attempt >= MAX_REPLY_ATTEMPTS:
                        raise DeliveryError(f"429 Too Many Requests (retry after {wait:g} s)",
                                            retry_after=wait) from error
                    log.warning("platform=telegram chat=%s: flood control, waiting %g s",
                                who(PLATFORM, chat_id), wait)
                    delay = wait
                except Forbidden as error:
                    raise RecipientGone(str(error)) from error
                except BadRequest as error:
                    if isinstance(unit, TextReply) and not plain:
                        log.warning("platform=telegram chat=%s: HTML refused (%s); sending as "
                                    "plain text", who(PLATFORM, chat_id), error)
                        plain = True
                        continue
                    raise DeliveryError(f"400 Bad Request: {error}") from error
                except NetworkError as error:  # also 5xx answers and time-outs
                    if pushed or attempt >= MAX_REPLY_ATTEMPTS:
                        raise DeliveryError(f"{error.__class__.__name__}: {error}") from error
                    delay = 0.25 * 2 ** attempt
                    log.warning("platform=telegram chat=%s: %s; retrying in %g s",
                                who(PLATFORM, chat_id), error, delay)
            await asyncio.sleep(delay)

    async def _call(self, chat_id: int, unit: Reply, *, plain: bool = False) -> None:
        bot = self.ptb.bot
        if isinstance(unit, TextReply):
            if plain:
                await bot.send_message(chat_id, plain_text(TextReply(unit.html)),
                                       reply_markup=_keyboard(unit.buttons))
            else:
                await bot.send_message(chat_id, unit.html, parse_mode=ParseMode.HTML,
                                       reply_markup=_keyboard(unit.buttons),
                                       link_preview_options=LinkPreviewOptions(is_disabled=True))
        elif isinstance(unit, LocationReply):
            await bot.send_venue(chat_id, latitude=unit.latitude, longitude=unit.longitude,
                                 title=unit.title[:256], address=(unit.address or unit.title)[:256])
        elif isinstance(unit, FileReply):
            await bot.send_document(chat_id, InputFile(io.BytesIO(unit.content),
                                                       filename=unit.filename),
                                    caption=unit.caption[:1024] or None)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    keyboard = []
    for row in rows:
        buttons = []
        for button in row:
            if len(button.command.encode()) > CALLBACK_DATA_LIMIT:
                log.warning("platform=telegram: button %r left out: its command is over %d "
                            "bytes", button.command, CALLBACK_DATA_LIMIT)
                continue
            buttons.append(InlineKeyboardButton(button.label[:64], callback_data=button.command))
        if buttons:
            keyboard.append(buttons)
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def _units(replies: list[Reply]) -> list[Reply]:
    """Split text longer than Telegram's limit at line ends; buttons stay on the last part."""
    units: list[Reply] = []
    limit = MessageLimit.MAX_TEXT_LENGTH
    for reply in replies:
        if not isinstance(reply, TextReply) or len(reply.html) <= limit:
            units.append(reply)
            continue
        parts, current = [], ""
        for line in reply.html.split("\n"):
            while len(line) > limit:  # one enormous line: cut it (rare; data paragraphs)
                if current:
                    parts.append(current)
                    current = ""
                parts.append(line[:limit])
                line = line[limit:]
            if len(current) + len(line) + 1 > limit:
                parts.append(current)
                current = line
            else:
                current = f"{current}\n{line}" if current else line
        parts.append(current)
        units.extend(TextReply(part) for part in parts[:-1])
        units.append(TextReply(parts[-1], reply.buttons))
    return units
