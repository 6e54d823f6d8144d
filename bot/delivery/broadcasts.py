"""Organiser broadcasts: who receives them, how each language group sees them, queueing them
in the outbox (one row per recipient), and the delivery report when they are done."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup, escape

from bot.chat.services import Services
from bot.chat.views import WRITTEN_IN
from bot.core.logids import who
from bot.core.messages import TextReply
from bot.delivery.sender import encode
from bot.language.i18n import N_, Catalogue, native_name, reply_language
from bot.programme.model import Conference
from bot.storage import MessageKind, OutboxStatus, UserRecord

log = logging.getLogger(__name__)

PLATFORMS = ("telegram", "matrix", "console")
HEADER = N_("📢 <b>From the organisers</b>")


@dataclass(frozen=True)
class Draft:
    """An announcement before it is sent: its versions and its audience."""

    texts: dict[str, str]
    source_language: str
    audience: str = "all"


def parse_audience(conference: Conference, value: str) -> str | None:
    """'all', 'lang:uk', 'session:s12', 'platform:telegram' — or None when not valid."""
    value = value.strip().lower()
    kind, _, what = value.partition(":")
    if value == "all":
        return "all"
    if kind == "lang" and what in conference.languages:
        return value
    if kind == "session" and what in conference.sessions:
        return value
    if kind == "platform" and what in PLATFORMS:
        return value
    return None


def reader_language(conference: Conference, user: UserRecord) -> str:
    return reply_language(conference.languages, user)


def recipients(services: Services, audience: str) -> list[tuple[UserRecord, str]]:
    """Everyone the audience covers, each with the language they will read it in."""
    kind, _, what = audience.partition(":")
    if kind == "session":
        people = [user for user, _ in services.store.subscriptions.subscribers(what)
                  if user.chat_id]
    else:
        people = services.store.users.active(what if kind == "platform" else None)
    chosen = [(user, reader_language(services.conference, user)) for user in people]
    if kind == "lang":
        chosen = [(user, lang) for user, lang in chosen if lang == what]
    return chosen


def announcement_text(catalogue: Catalogue, draft: Draft, lang: str) -> TextReply:
    """The announcement as a reader of `lang` sees it, with a note when it is not in their
    language."""
    t = catalogue[lang]
    text = draft.texts.get(lang)
    lines = [Markup(t.gettext(HEADER))]
    if text is None:
        text = draft.texts[draft.source_language]
        lines.append(escape(t.gettext(WRITTEN_IN,
                                      language=native_name(draft.source_language))))
    lines.append(escape(text))
    return TextReply(Markup("\n").join(lines))


def queue(services: Services, draft: Draft, *, author_platform: str, author_chat: str | None,
          author_user_id: int | None) -> tuple[int, int]:
    """Store the announcement and queue one outbox row per recipient; (id, recipients)."""
    now = services.clock.now()
    announcement_id = services.store.outbox.create_announcement(
        author_platform=author_platform, author_chat=author_chat,
        author_user_id=author_user_id, texts=json.dumps(draft.texts, ensure_ascii=False),
        source_language=draft.source_language, audience=draft.audience, now=now)
    payloads = {lang: encode([announcement_text(services.catalogue, draft, lang)])
                for lang in services.conference.languages}
    rows = [{"dedupe_key": f"broadcast:{announcement_id}:{user.id}", "kind": MessageKind.BROADCAST,
             "platform": user.platform, "chat_id": user.chat_id, "user_id": user.id,
             "payload": payloads[lang], "lang": lang, "announcement_id": announcement_id}
            for user, lang in recipients(services, draft.audience)]
    count = services.store.outbox.enqueue_many(rows, now)
    every_version = TextReply(Markup("\n\n").join(
        announcement_text(services.catalogue, Draft(draft.texts, lang, draft.audience), lang).html
        for lang in services.conference.languages if lang in draft.texts))
    for platform, room in services.announce_rooms.items():
        services.store.outbox.enqueue(
            dedupe_key=f"announce-room:{announcement_id}:{platform}",
            kind=MessageKind.ANNOUNCE_ROOM, platform=platform, chat_id=room, user_id=None,
            payload=encode([every_version]), now=now, announcement_id=announcement_id)
    log.info("announcement %d by %s:%s queued for %d recipient(s), audience %s",
             announcement_id, author_platform, who(author_platform, author_chat), count,
             draft.audience)
    if count == 0:
        finish(services, announcement_id)
    services.notify_queued()
    return announcement_id, count


def finish(services: Services, announcement_id: int) -> bool:
    """When nothing of a broadcast is left to send: mark it done and report to its author."""
    if services.store.outbox.pending(announcement_id):
        return False
    counts = services.store.outbox.delivery_counts(announcement_id)
    if not all(OutboxStatus(status).final for (_, _, status) in counts):
        return False
    if not services.store.outbox.finish_announcement(announcement_id, services.clock.now()):
        return False
    announcement = services.store.outbox.announcement(announcement_id)
    if announcement is None or not announcement.author_chat or announcement.author_user_id is None:
        return True
    author = services.store.users.get(announcement.author_user_id)
    if author is None:
        return True
    report = services.messages.broadcast_report(services.speaker_for(author), announcement,
                                                counts)
    services.store.outbox.enqueue(
        dedupe_key=f"report:{announcement_id}", kind=MessageKind.REPORT,
        platform=announcement.author_platform, chat_id=announcement.author_chat,
        user_id=author.id, payload=encode(report), now=services.clock.now())
    services.notify_queued()
    return True


def summarise(counts: dict[tuple[str, str, str], int]
              ) -> dict[tuple[str, str], dict[str, int]]:
    """(platform, language) -> {status: count}."""
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (platform, lang, status), n in counts.items():
        table[(platform, lang)][status] += n
    return {key: dict(value) for key, value in sorted(table.items())}
