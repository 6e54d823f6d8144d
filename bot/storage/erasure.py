"""Erasing one person, exporting what is stored about them, and the retention purge.

Erasure removes every row that names the person (their platform id, their private chat):
their user row, chosen sessions, outbox rows addressed to them, their conversation state, and
any mention in the state values (organiser lists, room mappings kept as JSON); announcements
they wrote keep their text and counts with the author anonymised, and so do the questions
they put to sessions; their votes and ratings go.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from bot.storage.database import rows_affected
from bot.storage.models import (
    Announcement,
    Base,
    ConsoleTopic,
    DialogueState,
    FeedbackOff,
    InboxUpdate,
    LiveEdit,
    LiveEditChange,
    MatrixKey,
    OutboxMessage,
    Question,
    QuestionVote,
    Rating,
    ShownNotice,
    State,
    Subscription,
    User,
    WebLogin,
    WebSession,
)
from bot.storage.outbox import MessageKind, OutboxStatus
from bot.storage.store import Store

CONVERSATION_KEY = re.compile(r"^[\w-]+:(\d+)$")
"""State keys of one person's conversation step: `<feature>:<user id>` (announce:12)."""
ERASED_AUTHOR = "(erased)"
"""Who made a live edit, once the organiser who made it asked to be forgotten."""
PAYLOAD_KEPT = timedelta(days=1)
"""How long a delivered message keeps its text."""
FINAL = tuple(status.value for status in OutboxStatus if status.final)


def _needles(platform: str, ids: Iterable[str | None]) -> set[str]:
    """How a person may be named: their ids, bare and as platform:id."""
    bare = {value for value in ids if value}
    return bare | {f"{platform}:{value}" for value in bare}


def _names(value: str, needles: set[str]) -> bool:
    return value in needles


def _key_names(key: str, needles: set[str]) -> bool:
    return any(key == n or key.endswith(f":{n}") or key.startswith(f"{n}:") or f":{n}:" in key
               for n in needles)


def _scrub(value: Any, needles: set[str]) -> Any:
    """A JSON value without the list items and entries that name the person."""
    if isinstance(value, list):
        return [_scrub(item, needles) for item in value
                if not (isinstance(item, str) and _names(item, needles))]
    if isinstance(value, dict):
        return {key: _scrub(item, needles) for key, item in value.items()
                if not _names(key, needles)
                and not (isinstance(item, str) and _names(item, needles))}
    return value


def _scrub_state(connection: Connection, user_ids: set[int], needles: set[str]) -> int:
    """Remove people's conversation steps and every mention of them in state values."""
    changed = 0
    for key, value in connection.execute(select(State.key, State.value)).all():
        conversation = CONVERSATION_KEY.match(key)
        if (conversation and int(conversation.group(1)) in user_ids) or _key_names(key, needles):
            connection.execute(delete(State).where(State.key == key))
            changed += 1
            continue
        if not any(needle in value for needle in needles):
            continue
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        if isinstance(parsed, str):
            if _names(parsed, needles):
                connection.execute(delete(State).where(State.key == key))
                changed += 1
            continue
        scrubbed = _scrub(parsed, needles)
        if scrubbed != parsed:
            connection.execute(update(State).where(State.key == key)
                               .values(value=json.dumps(scrubbed, ensure_ascii=False)))
            changed += 1
    return changed


def erase(store: Store, platform: str, external_id: str) -> dict[str, int] | None:
    """Delete everything about one person; how many rows per table, or None if unknown."""
    store.users.flush_soft_changes()
    with store.engine.begin() as connection:
        row = connection.execute(select(User.id, User.chat_id).where(
            User.platform == platform, User.external_id == external_id)).first()
        if row is None:
            return None
        user_id, chat_id = row
        ids = {external_id, *([chat_id] if chat_id else [])}
        needles = _needles(platform, ids)
        counts = {
            "outbox": rows_affected(connection.execute(delete(OutboxMessage).where(or_(
                OutboxMessage.user_id == user_id,
                and_(OutboxMessage.platform == platform, OutboxMessage.chat_id.in_(ids)))))),
            "announcements": rows_affected(connection.execute(update(Announcement).where(or_(
                Announcement.author_user_id == user_id,
                and_(Announcement.author_platform == platform,
                     Announcement.author_chat.in_(ids))))
                .values(author_user_id=None, author_chat=None))),
            "subscriptions": rows_affected(connection.execute(
                delete(Subscription).where(Subscription.user_id == user_id))),
            "state": _scrub_state(connection, {user_id}, needles),
            "shown_notices": rows_affected(connection.execute(
                delete(ShownNotice).where(ShownNotice.user_id == user_id))),
            "dialogue_state": rows_affected(connection.execute(
                delete(DialogueState).where(DialogueState.user_id == user_id))),
            "live_edits": rows_affected(connection.execute(
                update(LiveEdit).where(LiveEdit.author.in_([f"{platform}:{i}" for i in ids]))
                .values(author=ERASED_AUTHOR))),
            "live_edit_history": rows_affected(connection.execute(
                update(LiveEditChange).where(LiveEditChange.author.in_(needles))
                .values(author=ERASED_AUTHOR))),
            "web_logins": rows_affected(connection.execute(
                delete(WebLogin).where(WebLogin.person.in_(needles)))),
            "web_sessions": rows_affected(connection.execute(
                delete(WebSession).where(WebSession.person.in_(needles)))),
            "console_topics": rows_affected(connection.execute(
                update(ConsoleTopic).where(ConsoleTopic.author.in_(needles))
                .values(author=ERASED_AUTHOR))),
            "matrix_keys": rows_affected(connection.execute(delete(MatrixKey).where(or_(
                *(MatrixKey.name.contains(i) for i in ids),
                *(MatrixKey.value.contains(i) for i in ids))))) if platform == "matrix" else 0,
            # their questions stay, naming nobody; their votes and ratings go with them
            "questions anonymised": rows_affected(connection.execute(
                update(Question).where(Question.author_id == user_id).values(author_id=None))),
            "question_votes": rows_affected(connection.execute(
                delete(QuestionVote).where(QuestionVote.user_id == user_id))),
            "ratings": rows_affected(connection.execute(
                delete(Rating).where(Rating.user_id == user_id))),
            "feedback_off": rows_affected(connection.execute(
                delete(FeedbackOff).where(FeedbackOff.user_id == user_id))),
            "inbox": rows_affected(connection.execute(delete(InboxUpdate).where(
                InboxUpdate.platform == platform, InboxUpdate.person == external_id))),
            "users": rows_affected(connection.execute(delete(User).where(User.id == user_id))),
        }
    store.users.evict(user_id)
    return counts


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _rows(connection: Connection, table: Any, where: Any) -> list[dict[str, object]]:
    return [{column: _plain(value) for column, value in row.items()}
            for row in connection.execute(select(table).where(where)).mappings()]


def export(store: Store, user_id: int) -> dict[str, object]:
    """Everything stored about one person, table by table, as JSON-ready values."""
    store.users.flush_soft_changes()
    with store.engine.connect() as connection:
        outbox = _rows(connection, OutboxMessage.__table__, OutboxMessage.user_id == user_id)
        data: dict[str, object] = {
            "users": _rows(connection, User.__table__, User.id == user_id),
            "subscriptions": _rows(connection, Subscription.__table__,
                                   Subscription.user_id == user_id),
            "outbox": outbox,
            "announcements": _rows(connection, Announcement.__table__,
                                   Announcement.author_user_id == user_id),
            "questions": _rows(connection, Question.__table__, Question.author_id == user_id),
            "question_votes": _rows(connection, QuestionVote.__table__,
                                    QuestionVote.user_id == user_id),
            "ratings": _rows(connection, Rating.__table__, Rating.user_id == user_id),
            "feedback_off": _rows(connection, FeedbackOff.__table__,
                                  FeedbackOff.user_id == user_id),
            "dialogue_state": _rows(connection, DialogueState.__table__,
                                    DialogueState.user_id == user_id),
            "state": [{"key": key, "value": value} for key, value in connection.execute(
                select(State.key, State.value)).all()
                if (m := CONVERSATION_KEY.match(key)) and int(m.group(1)) == user_id],
        }
    for message in outbox:
        payload = message["payload"]
        with contextlib.suppress(ValueError):
            message["payload"] = json.loads(payload) if isinstance(payload, str) and payload \
                else None
    return data


def purge(store: Store, *, now: datetime, deletion_due: datetime,
          dry_run: bool = False) -> dict[str, int]:
    """The retention rule: delivered messages lose their text after a day; once
    `deletion_due` has come, every person's data goes (people, their choices, their
    messages, conversation steps); the programme and the broadcast counts stay.
    Returns how many rows each step touched (or would touch, with dry_run)."""
    store.users.flush_soft_changes()
    counts: dict[str, int] = {}
    with store.engine.connect() as connection:
        transaction = connection.begin()
        try:
            counts["payloads"] = rows_affected(connection.execute(
                update(OutboxMessage).where(
                    OutboxMessage.status.in_(FINAL), OutboxMessage.payload != "",
                    func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
                    < now - PAYLOAD_KEPT).values(payload="")))
            if now >= deletion_due:
                counts.update(_purge_people(connection))
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    if not dry_run and now >= deletion_due:
        store.users.evict()
    return counts


def _purge_people(connection: Connection) -> dict[str, int]:
    person = OutboxMessage.user_id.is_not(None)
    user_ids: set[int] = set()
    needles: set[str] = set()
    for user_id, platform, external_id, chat_id in connection.execute(
            select(User.id, User.platform, User.external_id, User.chat_id)):
        user_ids.add(user_id)
        needles |= _needles(platform, (external_id, chat_id))
    conversation_keys = [key for key in connection.execute(select(State.key)).scalars()
                         if CONVERSATION_KEY.match(key)]
    return {
        # a broadcast's rows stay, naming nobody, so its delivery counts stay
        "outbox anonymised": rows_affected(connection.execute(update(OutboxMessage).where(
            person, OutboxMessage.kind == MessageKind.BROADCAST)
            .values(user_id=None, chat_id="", payload="", last_error=None))),
        "outbox": rows_affected(connection.execute(delete(OutboxMessage).where(
            person, OutboxMessage.kind != MessageKind.BROADCAST))),
        "announcements anonymised": rows_affected(connection.execute(
            update(Announcement).where(or_(Announcement.author_user_id.is_not(None),
                                           Announcement.author_chat.is_not(None)))
            .values(author_user_id=None, author_chat=None))),
        "state": rows_affected(connection.execute(
            delete(State).where(State.key.in_(conversation_keys))))
        + _scrub_state(connection, user_ids, needles),
        "subscriptions": rows_affected(connection.execute(delete(Subscription))),
        "shown_notices": rows_affected(connection.execute(delete(ShownNotice))),
        "dialogue_state": rows_affected(connection.execute(delete(DialogueState))),
        "live_edits anonymised": rows_affected(connection.execute(
            update(LiveEdit).where(LiveEdit.author != ERASED_AUTHOR)
            .values(author=ERASED_AUTHOR))),
        "questions anonymised": rows_affected(connection.execute(update(Question).where(
            Question.author_id.is_not(None)).values(author_id=None))),
        "question_votes": rows_affected(connection.execute(delete(QuestionVote))),
        "ratings anonymised": rows_affected(connection.execute(update(Rating).where(
            Rating.user_id.is_not(None)).values(user_id=None))),
        "feedback_off": rows_affected(connection.execute(delete(FeedbackOff))),
        "live_edit_history anonymised": rows_affected(connection.execute(
            update(LiveEditChange).where(LiveEditChange.author != ERASED_AUTHOR)
            .values(author=ERASED_AUTHOR))),
        "web_logins": rows_affected(connection.execute(delete(WebLogin))),
        "web_sessions": rows_affected(connection.execute(delete(WebSession))),
        "console_topics anonymised": rows_affected(connection.execute(
            update(ConsoleTopic).where(ConsoleTopic.author != ERASED_AUTHOR)
            .values(author=ERASED_AUTHOR))),
        "inbox": rows_affected(connection.execute(delete(InboxUpdate))),
        "users": rows_affected(connection.execute(delete(User))),
    }


def tables() -> Iterable[str]:
    """The tables the models know (for checks that every one is accounted for)."""
    return Base.metadata.tables.keys()
