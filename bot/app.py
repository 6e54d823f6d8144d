"""The application: data, storage, languages and routes together, answering one message at a time.

Every transport (console, Telegram, Matrix) turns its events into `Incoming` and calls
`Application.handle`; nothing here knows which platform a message came from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.clock import Clock
from bot.i18n import Catalogue, negotiate
from bot.lexicon import Lexicon
from bot.messages import Incoming, Reply, TextReply
from bot.programme import Conference, Session
from bot.reminders import Reminders
from bot.router import COMMAND_PREFIXES, Context, Dispatcher, Router
from bot.storage import Store, UserRecord
from bot.storage.notices import Notices
from bot.storage.unanswered import UnansweredLog
from bot.understanding import Understanding
from bot.views import with_answer_language_note

if TYPE_CHECKING:
    from bot.changes import Change
    from bot.storage.store import AnnouncementRecord

log = logging.getLogger(__name__)


class PushMessages(Protocol):
    """How pushed messages look; the handlers provide it (see handlers/reminders.py)."""

    def reminder(self, ctx: Context, session: Session, previous: Session | None
                 ) -> list[Reply]: ...

    def change(self, ctx: Context, change: Change, session: Session | None) -> list[Reply]: ...

    def broadcast_report(self, ctx: Context, announcement: AnnouncementRecord,
                         counts: dict[tuple[str, str, str], int]) -> list[Reply]: ...


class Application:
    def __init__(self, conference: Conference, lexicon: Lexicon, store: Store, clock: Clock,
                 routers: Sequence[Router] | None = None,
                 messages: PushMessages | None = None,
                 organisers: frozenset[str] = frozenset()) -> None:
        import handlers

        routers = handlers.ROUTERS if routers is None else routers
        messages = handlers.PUSH_MESSAGES if messages is None else messages
        self.command_menu: tuple[tuple[str, str], ...] = handlers.COMMAND_MENU
        """(command, untranslated description) for platform menus."""
        self.descriptions: tuple[str, str] = handlers.BOT_DESCRIPTIONS
        """(long, short) untranslated bot descriptions, with %(name)s for the conference."""
        self.store = store
        self.clock = clock
        self.messages = messages
        self.organisers = organisers
        self.room_organisers: frozenset[str] = frozenset()
        """Organisers found by a transport (power level in the Matrix organiser room)."""
        self.announce_rooms: dict[str, str] = {}
        """platform -> a room where every broadcast is also posted once."""
        self.notify_queued: Callable[[], None] = lambda: None
        """Called when messages were queued; the running bot wakes its dispatchers."""
        self.dispatcher = Dispatcher(routers)
        self.unanswered = UnansweredLog(store.engine)
        self.notices = Notices(store.engine)
        self.reminders = Reminders(self)
        self.catalogue = Catalogue(conference.languages, conference.timezone)
        self._install(conference, lexicon)

    def _install(self, conference: Conference, lexicon: Lexicon) -> None:
        from bot.changes import apply_programme

        self.understanding = Understanding(conference, lexicon, self.catalogue)
        self.conference = conference
        self.lexicon = lexicon
        self.last_changes = apply_programme(self, conference)

    def replace_programme(self, conference: Conference, lexicon: Lexicon) -> None:
        """Serve a new programme: tell subscribers what changed, re-derive the reminders."""
        if conference.languages != self.conference.languages:
            self.catalogue = Catalogue(conference.languages, conference.timezone)
        self._install(conference, lexicon)
        self.dispatcher.forget_answers()
        self.reminders.refresh()

    def context_for(self, user: UserRecord, conference: Conference | None = None) -> Context:
        """A context for a message the bot pushes to someone (no message to answer)."""
        incoming = Incoming(platform=user.platform, user_id=user.external_id,
                            chat_id=user.chat_id or user.external_id, text="",
                            client_language=user.client_language)
        lang = negotiate(self.conference.languages, chosen=user.chosen_language,
                         remembered=user.detected_language, client=user.client_language)
        return self._context(incoming, user, lang, conference or self.conference)

    def _context(self, incoming: Incoming, user: UserRecord, lang: str,
                 conference: Conference) -> Context:
        return Context(incoming=incoming, user=user, t=self.catalogue[lang],
                       conference=conference, understanding=self.understanding,
                       catalogue=self.catalogue, store=self.store, clock=self.clock,
                       reminders=self.reminders, app=self,
                       organiser=self.is_organiser(incoming.platform, incoming.user_id))

    def is_organiser(self, platform: str, user_id: str) -> bool:
        key = f"{platform}:{user_id}"
        return key in self.organisers or key in self.room_organisers

    def written_language(self, incoming: Incoming) -> str | None:
        """The language a message is written in (Russian too), if it can be told."""
        text = incoming.text.strip()
        if text.startswith(COMMAND_PREFIXES):
            text = text.partition(" ")[2]
        return (self.lexicon.detect_language(text, self.understanding.proper_names)
                if text else None)

    def detect(self, incoming: Incoming, written: str | None = None) -> str | None:
        """The conference language to answer a message in, if its language can be told
        (Russian is answered in Ukrainian)."""
        detected = self.lexicon.reply_language(written or self.written_language(incoming))
        return detected if detected in self.conference.languages else None

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message. Never raises: a failure becomes an apology in the user's language."""
        where = (f"platform={incoming.platform} user={incoming.user_id} "
                 f"chat={incoming.chat_id} message={incoming.message_id or '-'}")
        lang = self.conference.languages[0]
        try:
            written = self.written_language(incoming)
            detected = self.detect(incoming, written)
            user = self.store.touch_user(
                incoming.platform, incoming.user_id, now=self.clock.now(),
                display_name=incoming.display_name, client_language=incoming.client_language,
                chat_id=None if incoming.is_group else incoming.chat_id)
            lang = negotiate(self.conference.languages, chosen=user.chosen_language,
                             detected=detected, remembered=user.detected_language,
                             client=incoming.client_language)
            ctx = self._context(incoming, user, lang, self.conference)
            replies = self.dispatcher.dispatch(ctx)
            if written in self.lexicon.answer_in:
                replies = with_answer_language_note(ctx, self.notices, replies)
            self.store.after_message(user, self.clock.now(),
                                     detected if ctx.remember_language else None)
            log.info("%s lang=%s intent=%s replies=%d", where, lang,
                     ctx.intent.name if ctx.intent else "command", len(replies))
            return replies
        except Exception:
            log.exception("%s: failed to answer %r", where, incoming.text[:200])
            t = self.catalogue[lang]
            return [TextReply(t.gettext(
                "Sorry, something went wrong on my side. Please try again, or type /help."))]
