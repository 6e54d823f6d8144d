"""Speaking to one reader: their language's translator, the conference, and the clock.

Views and pushed messages need no more than this; a handler's Context is a Speaker too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from bot.core.clock import Clock
from bot.language.i18n import Translator
from bot.programme.model import Conference


@dataclass
class Speaker:
    t: Translator
    conference: Conference
    clock: Clock

    def _(self, message: str, **values: object) -> Markup:
        """Translate a message into the reader's language; values are HTML-escaped."""
        if values:
            return Markup(self.t.gettext(message)) % values
        return Markup(self.t.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> Markup:
        return Markup(self.t.ngettext(singular, plural, n)) % {"num": n, **values}

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def lang(self) -> str:
        return self.t.lang
