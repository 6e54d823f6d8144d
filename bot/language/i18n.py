"""Babel catalogues per language, language negotiation, and date/time formatting.

Each reply is rendered with the Translator of its user's language, never a process-wide
`gettext.install()`, so people in different languages share one process.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Protocol

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot import LOCALES_DIR as _LOCALES

log = logging.getLogger(__name__)

LOCALES_DIR = _LOCALES
DOMAIN = "messages"
# English follows en_GB conventions (24-hour clock), like the printed programme.
BABEL_LOCALE = {"en": "en_GB"}


class I18nError(Exception):
    """A catalogue is missing or broken."""


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, when the language is known."""
    return message


def _load_translations(locales_dir: Path, lang: str) -> Translations:
    """Load the compiled catalogue; compile the .po in memory when the .mo is missing or stale."""
    messages_dir = locales_dir / lang / "LC_MESSAGES"
    po_path = messages_dir / f"{DOMAIN}.po"
    mo_path = messages_dir / f"{DOMAIN}.mo"
    if not po_path.exists() and not mo_path.exists():
        raise I18nError(f"{po_path}: the catalogue for language '{lang}' is missing")
    # an installed wheel carries only the compiled .mo
    if mo_path.exists() and (not po_path.exists()
                             or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    log.warning("%s is missing or older than its .po; compiling it in memory (run `make compile`)",
                mo_path)
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Translator:
    """Everything language-dependent for one language: messages, plurals, dates and times."""

    def __init__(self, lang: str, translations: Translations, timezone: tzinfo) -> None:
        self.lang = lang
        self.locale = Locale.parse(BABEL_LOCALE.get(lang, lang))
        self.timezone = timezone
        self._translations = translations

    def gettext(self, message: str, **values: object) -> str:
        text = self._translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The plural form for n, not yet formatted (callers fill %(num)d and the rest)."""
        return self._translations.ngettext(singular, plural, n)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)

    def time(self, moment: datetime) -> str:
        """Format a moment as a local 24-hour time, e.g. 10:05."""
        return format_time(self.local(moment), "HH:mm", locale=self.locale)

    def day(self, day: date | datetime) -> str:
        """Format a day as e.g. 'czwartek, 30 listopada' / 'Thursday, 30 November'."""
        if isinstance(day, datetime):
            day = self.local(day).date()
        return format_date(day, "EEEE, d MMMM", locale=self.locale)

    def long_date(self, day: date) -> str:
        return format_date(day, "d MMMM y", locale=self.locale)

    def weekday_names(self) -> list[list[str]]:
        """Weekday names (Monday first) in every width and context, lower-case, for parsing."""
        names: list[list[str]] = [[] for _ in range(7)]
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for index, name in self.locale.days[context][width].items():
                    folded = name.lower().rstrip(".")
                    if folded not in names[index]:
                        names[index].append(folded)
        return names


class Catalogue:
    """One Translator per supported language, loaded and checked at start-up."""

    def __init__(self, languages: Iterable[str], timezone: tzinfo,
                 locales_dir: Path = LOCALES_DIR) -> None:
        self.languages = tuple(languages)
        self._translators: dict[str, Translator] = {}
        for lang in self.languages:
            translations = _load_translations(locales_dir, lang)
            if lang != "en" and not translations._catalog:
                raise I18nError(f"{locales_dir / lang}: the catalogue for '{lang}' is empty")
            self._translators[lang] = Translator(lang, translations, timezone)

    def __getitem__(self, lang: str) -> Translator:
        return self._translators[lang]

    def __contains__(self, lang: object) -> bool:
        return lang in self._translators


def native_name(lang: str) -> str:
    """A language's name in itself, capitalised: Polski, Українська, English."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def primary_language(tag: str | None) -> str | None:
    """'uk-UA' -> 'uk'; None and '' stay None."""
    if not tag:
        return None
    return tag.replace("_", "-").split("-")[0].lower() or None


class Person(Protocol):
    """What negotiation needs to know of a person (a `UserRecord`)."""

    @property
    def chosen_language(self) -> str | None: ...
    @property
    def detected_language(self) -> str | None: ...
    @property
    def client_language(self) -> str | None: ...


def reply_language(supported: tuple[str, ...], person: Person, *, detected: str | None = None,
                   client: str | None = None) -> str:
    """The one negotiation of the language to answer (or write to) a person in: `client` is
    what this message's client says (default: what it said last)."""
    return negotiate(supported, chosen=person.chosen_language, detected=detected,
                     remembered=person.detected_language,
                     client=client if client is not None else person.client_language)


def negotiate(
    supported: tuple[str, ...],
    *,
    chosen: str | None = None,
    detected: str | None = None,
    remembered: str | None = None,
    client: str | None = None,
) -> str:
    """Pick the reply language: explicit choice, the message's language, the last language the
    person wrote in, the client's language, else the conference's default (first) language."""
    for candidate in (chosen, detected, remembered, primary_language(client)):
        if candidate in supported:
            return candidate
    return supported[0]
