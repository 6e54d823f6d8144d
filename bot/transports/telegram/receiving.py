"""Receiving from Telegram: updates recorded in the inbox and answered from it (per person, in
fair turns: bot.transports.intake), turned into `Incoming` messages for the core (in a group
only what is addressed to the bot; an edit only when it changes the meaning); a button press
gets its toast, and a toggle changes the tapped button in place; inline queries get cards."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.app import Application
from bot.core.logids import who
from bot.core.messages import Button, Incoming, Reply, TextReply
from bot.core.plaintext import plain_text
from bot.transports.edits import Meanings
from bot.transports.intake import (
    UNAVAILABLE,
    InboxIntake,
    Pending,
    fallback_text,
)
from bot.transports.telegram.inline import answer_inline
from bot.transports.telegram.sending import PLATFORM, Sender

log = logging.getLogger(__name__)


class Receiver:
    """Takes updates into the inbox and answers them from it through the `Sender`."""

    def __init__(self, app: Application, bot: Bot, sender: Sender, owner: str) -> None:
        self.app = app
        self.bot = bot
        self.sender = sender
        self._meanings = Meanings(app)
        self.inbox = InboxIntake(app, PLATFORM, self._answer_item, self._apologise,
                                 owner=owner)

    def take_in(self, updates: list[Update]) -> bool:
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
        update = Update.de_json(json.loads(item.payload), self.bot)
        if update.inline_query is not None:
            inline = update.inline_query

            async def share() -> None:
                await answer_inline(self.app, inline, self.sender.username())
                await self.inbox.finish(item.update_id)

            return share
        incoming, query, reply_to = self._incoming(update)
        if incoming is None:
            return lambda: self.inbox.finish(item.update_id)
        replies = self.inbox.replies(item, incoming)
        return self._sending(item, incoming, query, replies, reply_to)

    async def _apologise(self, item: Pending) -> Callable[[], Awaitable[None]]:
        """The database stayed away too long: say so, in the person's language."""
        update = Update.de_json(json.loads(item.payload), self.bot)
        incoming, query, _ = self._incoming(update)
        if incoming is None:
            return lambda: self.inbox.finish(item.update_id)
        return self._sending(item, incoming, query,
                            [fallback_text(self.app, incoming, UNAVAILABLE)])

    def _sending(self, item: Pending, incoming: Incoming, query: CallbackQuery | None,
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
            await self.sender.reply(incoming, replies, reply_to=reply_to)
            await self.inbox.finish(item.update_id, dropped=item.slow_down)

        return send

    def _group_text(self, message: Message, text: str) -> str | None:
        """In a group, only commands, mentions and replies to the bot are for us."""
        username = (self.bot.username or "").lower()
        first = text.split(maxsplit=1)[0] if text else ""
        if first.startswith("/"):
            addressed_to = first.partition("@")[2].lower()
            return text if addressed_to in ("", username) else None
        mention = f"@{username}"
        replying = (message.reply_to_message is not None
                    and message.reply_to_message.from_user is not None
                    and message.reply_to_message.from_user.id == self.bot.id)
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
            await self.bot.edit_message_reply_markup(
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


def _person(update: Update) -> str:
    if update.effective_user is not None:
        return str(update.effective_user.id)
    if update.effective_chat is not None:
        return f"chat:{update.effective_chat.id}"
    return f"update:{update.update_id}"


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
