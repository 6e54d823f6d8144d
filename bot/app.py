"""The application: data, storage, languages and routes together, answering one message at a time.

Every transport (console, Telegram, Matrix) turns its events into `Incoming` and calls
`Application.handle`; nothing here knows which platform a message came from. The features
(routes, pushed messages, menus) are given to it; `bot/wiring.py` decides which.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.chat.router import Context, Dispatcher, Features
from bot.chat.speaker import Speaker
from bot.chat.views import with_answer_language_note
from bot.core.clock import Clock
from bot.core.logids import who
from bot.core.messages import Incoming, Reply, TextReply
from bot.delivery.change_notices import apply_programme
from bot.delivery.feedback_prompts import FeedbackPrompts
from bot.delivery.reminders import Reminders
from bot.language.i18n import Catalogue, negotiate, reply_language
from bot.language.lexicon import Lexicon
from bot.language.textmatch import ascii_digits
from bot.programme.diff import Change
from bot.programme.info_topics import with_topics
from bot.programme.live_edits import Skipped, overlay
from bot.programme.model import Conference
from bot.storage import Store, UserRecord
from bot.storage.database import unreachable
from bot.storage.privacy import PrivacyPolicy
from bot.understanding.parser import Understanding

log = logging.getLogger(__name__)


class Application:
    """Implements `bot.chat.services.Services` for the reminders, change notices and broadcasts."""

    def __init__(self, conference: Conference, lexicon: Lexicon, store: Store, clock: Clock,
                 features: Features, organisers: frozenset[str] = frozenset()) -> None:
        self.features = features
        self.messages = features.messages
        self.store = store
        self.clock = clock
        self.organisers = organisers
        self.room_organisers: frozenset[str] = frozenset()
        """Organisers found by a transport (power level in the Matrix organiser room)."""
        self.announce_rooms: dict[str, str] = {}
        self.bot_usernames: dict[str, str] = {}
        """platform -> the bot's user name there (set by the transport; deep links)."""
        """platform -> a room where every broadcast is also posted once."""
        self.privacy = PrivacyPolicy()
        """The privacy contact and the retention rule (set from the configuration)."""
        self.console_url: str | None = None
        """CONFBOT_PUBLIC_URL when the web console is served (see bot/web/console)."""
        self.on_queued: Callable[[], None] = lambda: None
        """The running bot's hook that wakes its outbox senders."""
        self.dispatcher = Dispatcher(features.routers)
        self.reminders = Reminders(self)
        self.feedback_prompts = FeedbackPrompts(self)
        """Asks how a session was once it ended (ticked by the leader's scheduler)."""
        self.catalogue = Catalogue(conference.languages, conference.timezone)
        self.data_conference = conference
        """The programme as `data/` has it; `conference` is it with the live edits on top."""
        self.overlay_version = 0
        self.skipped_edits: list[Skipped] = []
        """Live edits that no longer apply to `data/` (their session vanished, or invalid)."""
        self.conference = self._overlaid(conference)
        self.lexicon = lexicon
        self.understanding = Understanding(self.conference, lexicon, self.catalogue)

    def _overlaid(self, data: Conference) -> Conference:
        """`data` with the organisers' live edits from the database laid over it."""
        self.overlay_version = self.store.edits.version()
        result = overlay(data, self.store.edits.all())
        self.skipped_edits = result.skipped
        for skipped in result.skipped:
            log.warning("live edit of %s (%s) no longer applies: %s", skipped.session_id,
                        ", ".join(skipped.aspects), skipped.reason)
        return with_topics(result.conference, self.store.console.topics())

    def apply_programme(self) -> list[Change]:
        """Make the served programme the known one: queue notices for what changed since the
        last programme the bot knew (an explicit step of `run` and `reload`)."""
        return apply_programme(self, self.conference)

    def replace_programme(self, conference: Conference, lexicon: Lexicon) -> list[Change]:
        """Serve a new programme of `data/` (with the live edits on top): tell subscribers
        what changed, re-derive the reminders."""
        if (conference.languages, conference.timezone) != (self.conference.languages,
                                                            self.conference.timezone):
            self.catalogue = Catalogue(conference.languages, conference.timezone)
        self.data_conference, self.lexicon = conference, lexicon
        return self.refresh_overlay()

    def refresh_overlay(self) -> list[Change]:
        """The live edits changed (here or in another process): serve them, tell
        subscribers, re-derive the reminders."""
        conference = self._overlaid(self.data_conference)
        self.understanding = Understanding(conference, self.lexicon, self.catalogue)
        self.conference = conference
        self.dispatcher.forget_answers()
        changes = self.apply_programme()
        self.reminders.refresh()
        return changes

    def notify_queued(self) -> None:
        self.on_queued()

    def speaker_for(self, user: UserRecord, conference: Conference | None = None) -> Speaker:
        lang = reply_language(self.conference.languages, user)
        return Speaker(self.catalogue[lang], conference or self.conference, self.clock)

    def is_organiser(self, platform: str, user_id: str) -> bool:
        key = f"{platform}:{user_id}"
        return key in self.organisers or key in self.room_organisers

    def handle(self, incoming: Incoming, *, patient: bool = False) -> list[Reply]:
        """Answer one message. Never raises: a failure becomes an apology in the user's language
        (with `patient`, a database that cannot be reached raises: the caller tries again)."""
        where = (f"platform={incoming.platform} user={who(incoming.platform, incoming.user_id)} "
                 f"chat={who(incoming.platform, incoming.chat_id)} "
                 f"message={incoming.message_id or '-'}")
        lang = negotiate(self.conference.languages, client=incoming.client_language)
        if "\x00" in incoming.text:  # never meaningful, and PostgreSQL refuses it in text
            incoming = replace(incoming, text=incoming.text.replace("\x00", ""))
        if incoming.text.lstrip()[:1] in ("/", "!"):  # /s１６ is /s16
            incoming = replace(incoming, text=ascii_digits(incoming.text))
        try:
            written = self.understanding.written_language(incoming.text)
            detected = self.understanding.answer_language(written)
            user = self.store.users.touch(
                incoming.platform, incoming.user_id, now=self.clock.now(),
                client_language=incoming.client_language,
                chat_id=None if incoming.is_group else incoming.chat_id)
            lang = reply_language(self.conference.languages, user, detected=detected,
                                  client=incoming.client_language)
            ctx = Context(
                t=self.catalogue[lang], conference=self.conference, clock=self.clock,
                incoming=incoming, user=user, understanding=self.understanding,
                catalogue=self.catalogue, store=self.store, services=self,
                reminders=self.reminders,
                organiser=self.is_organiser(incoming.platform, incoming.user_id))
            replies = self.dispatcher.dispatch(ctx)
            if written in self.lexicon.answer_in:
                replies = with_answer_language_note(ctx, user.id, self.store.notices, replies)
            if not ctx.forgotten:
                self.store.users.after_message(user, self.clock.now(),
                                               detected if ctx.remember_language else None)
            log.info("%s lang=%s intent=%s replies=%d", where, lang,
                     ctx.intent.name if ctx.intent else "command", len(replies))
            return replies
        except Exception as error:
            if patient and unreachable(error):
                raise
            log.exception("%s: failed to answer", where)
            log.debug("%s: the message was %r", where, incoming.text[:200])
            t = self.catalogue[lang]
            return [TextReply(t.gettext(
                "Sorry, something went wrong on my side. Please try again, or type /help."))]
