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
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    MaybeInaccessibleMessage,
    Message,
    ReplyParameters,
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
from bot.core.config import derive_webhook_secret
from bot.core.logids import who
from bot.core.messages import (
    Address,
    Button,
    FileReply,
    Incoming,
    LocationReply,
    Reply,
    TextReply,
    start_payload,
)
from bot.core.plaintext import plain_text
from bot.delivery.pacing import Pacer
from bot.delivery.sender import DeliveryError, RecipientGone, decode, encode
from bot.ops import metrics
from bot.ops.leadership import process_name
from bot.ops.logs import add_secret
from bot.ops.startup import with_retries
from bot.storage.database import unreachable
from bot.transports.edits import Meanings
from bot.transports.intake import (
    SLOTS,
    SLOW_DOWN,
    UNAVAILABLE,
    InboxIntake,
    Pending,
    TryLater,
    fallback_text,
)
from bot.transports.telegram_inline import answer_inline
from bot.web.server import HttpServer

log = logging.getLogger(__name__)
# Opt in to RetryAfter.retry_after as a timedelta (PTB's coming default); _seconds takes both.
os.environ.setdefault("PTB_TIMEDELTA", "1")

PLATFORM = "telegram"
MAX_REPLY_ATTEMPTS = 4
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for a button's data
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]
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
        self._meanings = Meanings(app)
        self.inbox = InboxIntake(app, PLATFORM, self._answer_item, self._apologise,
                                 owner=f"{process_name()}:{secrets.token_hex(4)}"[:64])
        self.intake = self.inbox.intake
        self.wrong_secret = 0
        """Webhook calls refused for a wrong secret (logged at most once a minute)."""
        self._wrong_secret_logged: tuple[float, int] = (float("-inf"), 0)
        self._stop = asyncio.Event()
        self._setting_webhook: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        self._conflict_reported = False

    # --- lifecycle ----------------------------------------------------------------------

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
        self._username()  # known from getMe: /link and deep links can use it from now on
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
        if not self._take_in([update]):
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
                                   for u in updates],
                                  uncounted=frozenset(u.update_id for u in updates
                                                      if u.callback_query or u.inline_query))

    def _incoming(self, update: Update
                  ) -> tuple[Incoming | None, CallbackQuery | None, int | None]:
        """The message for the core (None: nothing for us), the button press to answer, and
        the message the answer quotes (in a group, and for an edit)."""
        query = update.callback_query
        if query is not None:
            chat_id = str(query.message.chat.id) if query.message else str(query.from_user.id)
            is_group = bool(query.message and query.message.chat.type in (ChatType.GROUP,
                                                                           ChatType.SUPERGROUP))
            return Incoming(platform=PLATFORM, user_id=str(query.from_user.id), chat_id=chat_id,
                            text=query.data or "", client_language=query.from_user.language_code,
                            message_id=query.id, is_group=is_group,
                            thread_id=_topic(query.message)), query, None
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None or user.is_bot:
            return None, None, None
        is_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        text = message.text or message.caption or ""
        if is_group:
            addressed = self._group_text(message, text)
            if addressed is None:
                return None, None, None
            text = addressed
        location = ((message.location.latitude, message.location.longitude)
                    if message.location else None)
        if not text and location is None:
            return None, None, None
        edited = update.edited_message is not None
        if not self._meanings.is_new((chat.id, message.message_id), text, edited):
            return None, None, None  # an edit that changed no meaning: answered already
        incoming = Incoming(platform=PLATFORM, user_id=str(user.id), chat_id=str(chat.id),
                            text=text, client_language=user.language_code,
                            message_id=str(message.message_id),
                            is_group=is_group, location=location, thread_id=_topic(message))
        return incoming, None, message.message_id if is_group or edited else None

    async def _answer_item(self, item: Pending) -> Callable[[], Awaitable[None]]:
        """Answer an update from the inbox (in an intake slot); return how to send it."""
        update = Update.de_json(json.loads(item.payload), self.ptb.bot)
        if update.inline_query is not None:
            inline = update.inline_query

            async def share() -> None:
                await answer_inline(self.app, inline, self._username())
                await self.inbox.finish(item.update_id)

            return share
        incoming, query, reply_to = self._incoming(update)
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
        return self._sender(item, incoming, query, replies, reply_to)

    async def _apologise(self, item: Pending) -> Callable[[], Awaitable[None]]:
        """The database stayed away too long: say so, in the person's language."""
        update = Update.de_json(json.loads(item.payload), self.ptb.bot)
        incoming, query, _ = self._incoming(update)
        if incoming is None:
            return lambda: self.inbox.finish(item.update_id)
        return self._sender(item, incoming, query,
                            [fallback_text(self.app, incoming, UNAVAILABLE)])

    def _sender(self, item: Pending, incoming: Incoming, query: CallbackQuery | None,
                replies: list[Reply], reply_to: int | None = None
                ) -> Callable[[], Awaitable[None]]:
        async def send() -> None:
            if query is not None:
                first = replies[0] if replies and isinstance(replies[0], TextReply) else None
                await self._answer(query, _toast(first))
                if (first is not None and first.toggle is not None and first.toast
                        and len(replies) == 1 and await self._toggle(query, first.toggle)):
                    await self.inbox.finish(item.update_id)  # changed in place; toast said it
                    return
            await self._reply(incoming, replies, reply_to=reply_to)
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

    async def _toggle(self, query: CallbackQuery, toggle: Button) -> bool:
        """Replace the tapped button with `toggle` in the tapped message's keyboard."""
        message = query.message
        markup = message.reply_markup if isinstance(message, Message) else None
        if message is None or markup is None:
            return False
        rows, found = [], False
        for row in markup.inline_keyboard:
            buttons = []
            for button in row:
                if button.callback_data == query.data and not found:
                    found = True
                    button = InlineKeyboardButton(toggle.label[:64],
                                                  callback_data=toggle.command)
                buttons.append(button)
            rows.append(buttons)
        if not found:
            return False
        try:
            await self.ptb.bot.edit_message_reply_markup(
                message.chat.id, message.message_id, reply_markup=InlineKeyboardMarkup(rows))
        except TelegramError as error:
            log.warning("platform=telegram chat=%s: keyboard not changed in place (%s); "
                        "answering with a message", who(PLATFORM, message.chat.id), error)
            return False
        return True

    @staticmethod
    async def _answer(query: CallbackQuery, toast: str = "") -> None:
        try:
            await query.answer(toast[:200] or None)
        except TelegramError as error:
            log.warning("platform=telegram user=%s: callback %s not answered: %s",
                        who(PLATFORM, query.from_user.id), query.id, error)

    # --- sending ------------------------------------------------------------------------

    async def _reply(self, incoming: Incoming, replies: list[Reply],
                     reply_to: int | None = None) -> None:
        where = (f"platform=telegram user={who(PLATFORM, incoming.user_id)} "
                 f"chat={who(PLATFORM, incoming.chat_id)} "
                 f"message={incoming.message_id}")
        try:
            await self._send(int(incoming.chat_id), replies, pushed=False,
                             is_group=incoming.is_group, reply_to=reply_to,
                             thread=int(incoming.thread_id) if incoming.thread_id else None)
        except RecipientGone as error:
            if incoming.is_group:  # the bot was removed from the group: nobody left it
                log.warning("%s: reply not delivered to the group (%s)", where, error)
                return
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
                    is_group: bool, reply_to: int | None = None,
                    thread: int | None = None) -> None:
        for index, unit in enumerate(_units(replies)):
            where = _Where(reply_to if index == 0 else None, thread, is_group)
            await self._send_unit(chat_id, unit, pushed=pushed, where=where)

    async def _send_unit(self, chat_id: int, unit: Reply, *, pushed: bool,
                         where: _Where | None = None) -> None:
        where = where or _Where()
        is_group = where.is_group
        attempt = 0
        plain = False
        while True:
            attempt += 1
            pace = self.pacer.push if pushed else self.pacer.reply
            async with pace(str(chat_id), is_group=is_group):
                try:
                    await self._call(chat_id, unit, where, plain=plain)
                    return
                except RetryAfter as error:
                    metrics.RATE_LIMITED.labels(PLATFORM).inc()
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
                    metrics.RETRIES.labels(PLATFORM).inc()
                    log.warning("platform=telegram chat=%s: %s; retrying in %g s",
                                who(PLATFORM, chat_id), error, delay)
            await asyncio.sleep(delay)

    async def _call(self, chat_id: int, unit: Reply, where: _Where, *,
                    plain: bool = False) -> None:
        bot = self.ptb.bot
        placed: dict[str, Any] = {"message_thread_id": where.thread}
        if where.reply_to is not None:
            placed["reply_parameters"] = ReplyParameters(where.reply_to,
                                                         allow_sending_without_reply=True)
        if isinstance(unit, TextReply):
            keyboard = _keyboard(unit.buttons, self._username() if where.is_group else None)
            if plain:
                await bot.send_message(chat_id, plain_text(TextReply(unit.html)),
                                       reply_markup=keyboard, **placed)
            else:
                await bot.send_message(chat_id, unit.html, parse_mode=ParseMode.HTML,
                                       reply_markup=keyboard,
                                       link_preview_options=LinkPreviewOptions(is_disabled=True),
                                       **placed)
        elif isinstance(unit, LocationReply):
            await bot.send_venue(chat_id, latitude=unit.latitude, longitude=unit.longitude,
                                 title=unit.title[:256], address=(unit.address or unit.title)[:256],
                                 **placed)
        elif isinstance(unit, FileReply):
            await bot.send_document(chat_id, InputFile(io.BytesIO(unit.content),
                                                       filename=unit.filename),
                                    caption=unit.caption[:1024] or None, **placed)

    def _username(self) -> str | None:
        """The bot's user name (for deep links), remembered where handlers can find it."""
        try:
            username = self.ptb.bot.username
        except RuntimeError:  # not initialised yet
            return None
        if username:
            self.app.bot_usernames[PLATFORM] = username
        return username or None


def _transient(error: Exception) -> bool:
    """A network error or a 5xx answer passes; a rejected token (401/404) does not."""
    return (isinstance(error, RetryAfter)
            or (isinstance(error, NetworkError) and not isinstance(error, BadRequest)))


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass(frozen=True)
class _Where:
    """Where in a chat a message goes: a reply to a message, into a forum topic."""

    reply_to: int | None = None
    thread: int | None = None
    is_group: bool = False


def _toast(reply: TextReply | None, limit: int = 60) -> str:
    """What a tap shows at once: the reply's own toast, else its first line, shortened."""
    if reply is None:
        return ""
    if reply.toast:
        return reply.toast
    line = next((line.strip() for line in plain_text(TextReply(reply.html)).splitlines()
                 if line.strip()), "")
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def _topic(message: MaybeInaccessibleMessage | None) -> str | None:
    """The forum topic a message is in (None outside forum topics)."""
    if isinstance(message, Message) and message.is_topic_message and message.message_thread_id:
        return str(message.message_thread_id)
    return None


def _keyboard(rows: tuple[tuple[Button, ...], ...],
              username: str | None = None) -> InlineKeyboardMarkup | None:
    """Buttons carry their command as callback data; in a group, a button for the private
    chat is a deep link (t.me/<bot>?start=remind_s12) that completes it there."""
    keyboard = []
    for row in rows:
        buttons = []
        for button in row:
            payload = start_payload(button.command) if button.private and username else None
            if payload is not None:
                buttons.append(InlineKeyboardButton(
                    button.label[:64], url=f"https://t.me/{username}?start={payload}"))
                continue
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
        units.append(replace(reply, html=parts[-1]))
    return units
