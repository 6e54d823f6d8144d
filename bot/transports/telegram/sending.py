"""Sending to Telegram: replies and pushed messages as units within Telegram's limits (long
text split at line ends), HTML with inline keyboards (each button carries its command as
callback data), venues and documents; paced (bot.delivery.pacing), honouring RetryAfter,
retrying network and server errors, and telling the caller when a person blocked the bot."""

from __future__ import annotations

import asyncio
import io
import logging
import os
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.app import Application
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
from bot.delivery.sender import DeliveryError, RecipientGone
from bot.ops import metrics

log = logging.getLogger(__name__)
# Opt in to RetryAfter.retry_after as a timedelta (PTB's coming default); seconds() takes both.
os.environ.setdefault("PTB_TIMEDELTA", "1")

PLATFORM = "telegram"
MAX_REPLY_ATTEMPTS = 4
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for a button's data


@dataclass(frozen=True)
class Where:
    """Where in a chat a message goes: a reply to a message, into a forum topic."""

    reply_to: int | None = None
    thread: int | None = None
    is_group: bool = False


class Sender:
    """Sends replies and pushed messages through one bot, at the pacer's pace."""

    def __init__(self, app: Application, bot: Bot, pacer: Pacer) -> None:
        self.app = app
        self.bot = bot
        self.pacer = pacer

    async def reply(self, incoming: Incoming, replies: list[Reply],
                    reply_to: int | None = None) -> None:
        """Answer a message; a failure is logged (and a person who blocked the bot is
        marked inactive), never raised."""
        where = (f"platform=telegram user={who(PLATFORM, incoming.user_id)} "
                 f"chat={who(PLATFORM, incoming.chat_id)} "
                 f"message={incoming.message_id}")
        try:
            await self.send(int(incoming.chat_id), replies, pushed=False,
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

    async def deliver(self, address: Address, replies: list[Reply]) -> None:
        """Send a pushed message (outbox); errors tell the outbox what to do next."""
        chat_id = int(address.chat_id)
        await self.send(chat_id, replies, pushed=True, is_group=chat_id < 0)

    async def send(self, chat_id: int, replies: list[Reply], *, pushed: bool,
                   is_group: bool, reply_to: int | None = None,
                   thread: int | None = None) -> None:
        for index, unit in enumerate(units(replies)):
            where = Where(reply_to if index == 0 else None, thread, is_group)
            await self._send_unit(chat_id, unit, pushed=pushed, where=where)

    async def _send_unit(self, chat_id: int, unit: Reply, *, pushed: bool,
                         where: Where | None = None) -> None:
        where = where or Where()
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
                    wait = seconds(error.retry_after)
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

    async def _call(self, chat_id: int, unit: Reply, where: Where, *,
                    plain: bool = False) -> None:
        bot = self.bot
        placed: dict[str, Any] = {"message_thread_id": where.thread}
        if where.reply_to is not None:
            placed["reply_parameters"] = ReplyParameters(where.reply_to,
                                                         allow_sending_without_reply=True)
        if isinstance(unit, TextReply):
            keyboard = _keyboard(unit.buttons, self.username() if where.is_group else None)
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

    def username(self) -> str | None:
        """The bot's user name (for deep links), remembered where handlers can find it."""
        try:
            username = self.bot.username
        except RuntimeError:  # not initialised yet
            return None
        if username:
            self.app.bot_usernames[PLATFORM] = username
        return username or None


def seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


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


def units(replies: list[Reply]) -> list[Reply]:
    """Split text longer than Telegram's limit at line ends; buttons stay on the last part."""
    out: list[Reply] = []
    limit = MessageLimit.MAX_TEXT_LENGTH
    for reply in replies:
        if not isinstance(reply, TextReply) or len(reply.html) <= limit:
            out.append(reply)
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
        out.extend(TextReply(part) for part in parts[:-1])
        out.append(replace(reply, html=parts[-1]))
    return out
