"""The application: data, storage, languages and routes together, answering one message at a time.

Every transport (console, Telegram, Matrix) turns its events into `Incoming` and calls
`Application.handle`; nothing here knows which platform a message came from.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.clock import Clock
from bot.config import Settings
from bot.dataload import load_conference
from bot.i18n import Catalogue, negotiate
from bot.lexicon import Lexicon
from bot.messages import Incoming, Reply, TextReply
from bot.programme import Conference
from bot.router import COMMAND_PREFIXES, Context, Dispatcher, Router
from bot.storage import Store
from bot.understanding import Understanding

log = logging.getLogger(__name__)


class Application:
    def __init__(self, conference: Conference, lexicon: Lexicon, store: Store, clock: Clock,
                 routers: Sequence[Router] | None = None) -> None:
        if routers is None:
            from handlers import ROUTERS

            routers = ROUTERS
        self.conference = conference
        self.lexicon = lexicon
        self.store = store
        self.clock = clock
        self.catalogue = Catalogue(conference.languages, conference.timezone)
        self.understanding = Understanding(conference, lexicon, self.catalogue)
        self.dispatcher = Dispatcher(routers)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> Application:
        conference, lexicon = load_conference(settings.data_dir)
        return cls(conference, lexicon, Store(settings.database_url), clock)

    def language_for(self, incoming: Incoming, chosen: str | None, remembered: str | None
                     ) -> tuple[str, str | None]:
        """The reply language, and the language detected in this message (if any)."""
        text = incoming.text.strip()
        if text.startswith(COMMAND_PREFIXES):
            text = text.partition(" ")[2]
        detected = (self.lexicon.detect_language(text, self.understanding.proper_names)
                    if text else None)
        if detected not in self.conference.languages:
            detected = None
        lang = negotiate(self.conference.languages, chosen=chosen, detected=detected,
                         remembered=remembered, client=incoming.client_language)
        return lang, detected

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message. Never raises: a failure becomes an apology in the user's language."""
        where = (f"platform={incoming.platform} user={incoming.user_id} "
                 f"chat={incoming.chat_id} message={incoming.message_id or '-'}")
        lang = self.conference.languages[0]
        try:
            user = self.store.touch_user(
                incoming.platform, incoming.user_id, now=self.clock.now(),
                display_name=incoming.display_name, client_language=incoming.client_language)
            lang, detected = self.language_for(incoming, user.chosen_language,
                                               user.detected_language)
            if detected and detected != user.detected_language:
                self.store.set_language(user.id, detected=detected)
            ctx = Context(incoming=incoming, user=user, t=self.catalogue[lang],
                          conference=self.conference, understanding=self.understanding,
                          catalogue=self.catalogue, store=self.store, clock=self.clock)
            replies = self.dispatcher.dispatch(ctx)
            log.info("%s lang=%s intent=%s replies=%d", where, lang,
                     ctx.intent.name if ctx.intent else "command", len(replies))
            return replies
        except Exception:
            log.exception("%s: failed to answer %r", where, incoming.text[:200])
            t = self.catalogue[lang]
            return [TextReply(t.gettext(
                "Sorry, something went wrong on my side. Please try again, or type /help."))]
