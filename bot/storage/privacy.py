"""What the bot stores about people and why: the source of the /privacy notice, the
retention rule, and the key of the pseudonymous log ids.

`PERSONAL_COLUMNS` explains every column of every table that holds data about a person;
a test checks it against the reflected schema, so a new column cannot be stored without the
notice saying so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.language.i18n import N_
from bot.storage.state import StateStore

DEFAULT_RETENTION_DAYS = 30
LOG_KEY_STATE = "privacy:log_key"

_ID = N_("your id on the chat platform and the private chat where I write to you — to answer "
         "you and to send what you asked for")
_LANGUAGES = N_("the language you chose, the one you last wrote in and the one your app "
                "reports — to answer in your language")
_TIMES = N_("when you first and last wrote to me (to ten minutes) — to know what is no longer "
            "used")
_REMINDER = N_("your reminder setting (how many minutes before, or off)")
_ACTIVE = N_("whether you blocked me — so that I stop writing to you")
_SESSIONS = N_("the sessions you chose — for your agenda and reminders")
_QUEUED = N_("messages queued for you (reminders, programme changes, announcements) and "
             "whether they arrived — to deliver each once; their text is erased a day after "
             "sending")
_AUTHORED = N_("for organisers: the announcements you sent and their delivery counts")
_NOTICES = N_("which one-time notes I have already shown you (such as the languages I answer "
              "in) — so as not to repeat them")
_EDITS = N_("for organisers: the programme changes you made, with your platform id — so "
            "others can see who changed what")
_DEVICE_KEYS = N_("on Matrix, the public keys of your devices and the encryption sessions "
                  "with them — to encrypt what I send you")
_WEB = N_("for organisers: your sign-in links to the web console (valid ten minutes) and its "
         "browser sessions (one day), with your platform id; only fingerprints of their "
         "secrets — to let only organisers in")
_TOPICS = N_("for organisers: the answers you added in the web console, with your platform id "
             "— so others can see who added what")
_DIALOGUE = N_("which sessions, people, places and time your last answers were about, and what "
               "you asked — to "
               "understand a follow-up such as “and where is it?”; forgotten after "
               "%(minutes)s quiet minutes")
_INBOX = N_("the messages you send me, until they are answered (then only their number, for a "
            "day) — so that none is lost if I restart")
_CONVERSATION = N_("the step you are at in a conversation (such as writing an announcement), "
                   "until it ends")
_QUESTIONS = N_("the questions you put to sessions, with their language and state — for the "
                "moderators; they are shown to others without your name, and stay without it "
                "when you are forgotten")
_VOTES = N_("which questions you voted for — to count each vote once and let you take it back")
_RATINGS = N_("how you rated sessions (1–5) and your comments — for the organisers' feedback; "
              "anonymised when personal data is deleted")
_FEEDBACK_OFF = N_("whether you switched off the questions about how a session was")

PERSONAL_COLUMNS: dict[str, dict[str, str]] = {
    "users": {
        "id": _ID, "platform": _ID, "external_id": _ID, "chat_id": _ID,
        "chosen_language": _LANGUAGES, "detected_language": _LANGUAGES,
        "client_language": _LANGUAGES,
        "created_at": _TIMES, "last_seen_at": _TIMES,
        "reminder_minutes": _REMINDER,
        "active": _ACTIVE,
    },
    "subscriptions": {"id": _SESSIONS, "user_id": _SESSIONS, "session_id": _SESSIONS,
                      "created_at": _SESSIONS},
    "outbox": {column: _QUEUED for column in (
        "id", "dedupe_key", "kind", "platform", "chat_id", "user_id", "payload", "status",
        "attempts", "last_error", "created_at", "not_before", "expires_at", "sent_at", "lang",
        "announcement_id", "claimed_until", "claim_token")},
    "announcements": {column: _AUTHORED for column in (
        "id", "author_platform", "author_chat", "author_user_id", "texts", "source_language",
        "audience", "status", "created_at", "queued_at", "finished_at")},
    "state": {"key": _CONVERSATION, "value": _CONVERSATION},
    "dialogue_state": {column: _DIALOGUE for column in (
        "id", "user_id", "chat_id", "sessions", "people", "places", "moment", "asked",
        "updated_at")},
    "shown_notices": {"id": _NOTICES, "user_id": _NOTICES, "notice": _NOTICES},
    "live_edits": {column: _EDITS for column in (
        "id", "session_id", "aspect", "value", "author", "made_at")},
    "web_logins": {column: _WEB for column in (
        "id", "token_hash", "person", "created_at", "expires_at", "used_at")},
    "web_sessions": {column: _WEB for column in (
        "id", "token_hash", "person", "csrf", "created_at", "expires_at", "ended_at")},
    "console_topics": {column: _TOPICS for column in (
        "id", "topic_id", "title", "body", "keywords", "author", "made_at")},
    "live_edit_history": {column: _EDITS for column in (
        "id", "session_id", "aspect", "value", "author", "made_at")},
    "inbox": {column: _INBOX for column in (
        "platform", "update_id", "person", "payload", "status", "replies", "received_at",
        "owner", "claimed_until")},
    "matrix_keys": {column: _DEVICE_KEYS for column in ("owner", "kind", "name", "value")},
    "questions": {column: _QUESTIONS for column in (
        "id", "session_id", "author_id", "text", "lang", "status", "asked_at", "decided_at")},
    "question_votes": {column: _VOTES for column in ("id", "question_id", "user_id",
                                                     "voted_at")},
    "ratings": {column: _RATINGS for column in (
        "id", "user_id", "session_id", "score", "comment", "lang", "rated_at")},
    "feedback_off": {"user_id": _FEEDBACK_OFF, "since": _FEEDBACK_OFF},
}
"""table -> column -> why it is kept (untranslated; the notice translates it)."""

IMPERSONAL_TABLES = frozenset({"alembic_version", "unanswered", "seen_updates"})
"""`unanswered` keeps question texts, their language and time, never who asked;
`seen_updates` keeps Telegram's update numbers for a day, to answer a repeated one once."""
"""Tables that hold nothing about any person."""


def explanations() -> list[str]:
    """What the notice lists, each once, in the order of the tables."""
    seen: list[str] = []
    for columns in PERSONAL_COLUMNS.values():
        for why in columns.values():
            if why not in seen:
                seen.append(why)
    return seen


@dataclass(frozen=True)
class PrivacyPolicy:
    """The operator's part of the notice and of the retention rule."""

    contact: str | None = None
    """PRIVACY_CONTACT: whom to ask about personal data."""
    retention_days: int = DEFAULT_RETENTION_DAYS

    def deletion_due(self, conference_ends: datetime) -> datetime:
        """When personal data is deleted automatically."""
        return conference_ends + timedelta(days=self.retention_days)


def log_key(state: StateStore, configured: str | None) -> str:
    """The key of the pseudonymous log ids: CONFBOT_LOG_KEY, or a random secret kept in the
    database (made once), so the same person has the same log id across restarts."""
    if configured:
        return configured
    return state.setdefault(LOG_KEY_STATE, secrets.token_hex(32))
