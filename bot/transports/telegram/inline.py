"""Telegram's inline mode: `@<bot> lunch` or `@<bot> s12` in any chat offers matching
sessions as cards to share (title, day and time, place, deep links), in the person's
language. Nothing is stored about who asked."""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.app import Application
from bot.chat.speaker import Speaker
from bot.language.i18n import negotiate
from handlers.links import session_cards

log = logging.getLogger(__name__)
CACHE_SECONDS = 60


async def answer_inline(app: Application, query: InlineQuery, username: str | None) -> None:
    """Answer one inline query with session cards."""
    if not username:
        return
    known = app.store.users.known("telegram", str(query.from_user.id))
    if known is not None:  # the language the person chose or writes in
        speaker = app.speaker_for(known)
    else:
        lang = negotiate(app.conference.languages, client=query.from_user.language_code)
        speaker = Speaker(app.catalogue[lang], app.conference, app.clock)
    results = [
        InlineQueryResultArticle(
            id=card.session_id, title=card.title[:256], description=card.description[:512],
            input_message_content=InputTextMessageContent(
                str(card.html)[:4096], parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True)),
            reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton(card.open_label[:64], url=card.opens),
                InlineKeyboardButton(card.remind_label[:64], url=card.reminds)]]))
        for card in session_cards(speaker, app.understanding, query.query, username)]
    try:
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
    except TelegramError as error:
        log.warning("platform=telegram: inline query not answered: %s", error)
