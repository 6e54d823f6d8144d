"""Text folding and tolerant word matching shared by intents, search and language detection."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz

_WORD = re.compile(r"[\w']+")
_FOLD_EXTRA = str.maketrans({"ł": "l", "’": "'", "ʼ": "'", "`": "'"})
# Ukrainian and Russian spell many shared words with different letters (міграція / миграция,
# сьогодні / сегодня): folding them together lets either match the other, and Latin
# transliteration (which loses these distinctions) match both.
_FOLD_CYRILLIC = str.maketrans({"і": "и", "ї": "и", "ы": "и", "є": "е", "э": "е", "ґ": "г",
                                "ь": None, "ъ": None})


def fold(text: str) -> str:
    """Lower-case and strip diacritics (ł -> l), so 'Kozłówka' and 'kozlowka' compare equal;
    Ukrainian and Russian letter pairs fold together (і/и, є/е, ы/и; no soft sign)."""
    text = text.lower().translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed
                   if not unicodedata.combining(ch)).translate(_FOLD_CYRILLIC)


def ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII ('٢' -> '2'); other characters stay as they are."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def words(text: str) -> list[str]:
    """The folded words of a text, apostrophes kept inside words ("what's")."""
    return [w.strip("'") for w in _WORD.findall(fold(text)) if w.strip("'")]


@lru_cache(maxsize=1 << 16)
def word_matches(wanted: str, given: str) -> bool:
    """Does a word someone typed match a known word, allowing a typo or an inflected ending?"""
    if wanted == given:
        return True
    if len(wanted) < 4 or len(given) < 4:
        return False
    if _same_stem(wanted, given):
        return True  # the same stem with another inflected ending: migracji ~ migration
    return fuzz.ratio(wanted, given) >= 80


def _same_stem(wanted: str, given: str) -> bool:
    stem = _common_prefix(wanted, given)
    return stem >= 5 and stem >= max(len(wanted), len(given)) - 4


_LATIN_ENDINGS = frozenset({"", "s", "es", "ed", "d", "er", "ers", "r", "rs", "ing", "ings"})
"""Inflectional endings of English words ('fund' + 's' / 'ers' / 'ed')."""


def _short_endings(wanted: str, given: str) -> bool:
    """Two forms of a short English stem ('funds' ~ 'funders'): four letters shared, and
    inflectional endings after them ('przed' is not 'przerwa')."""
    stem = _common_prefix(wanted, given)
    return (given.isascii() and stem >= 4 and wanted[stem:] in _LATIN_ENDINGS
            and given[stem:] in _LATIN_ENDINGS)


def _extended(wanted: str, given: str) -> bool:
    """One word is the other with an ending of one or two letters ('обід' ~ 'обіду')."""
    short, long = sorted((wanted, given), key=len)
    return len(short) >= 4 and len(long) - len(short) <= 2 and long.startswith(short)


def _common_prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size


def phrase_in(phrase: tuple[str, ...], message: Iterable[str]) -> bool:
    """Are all words of a phrase among the words of a message (tolerantly)?"""
    message = list(message)
    return all(any(word_matches(p, m) for m in message) for p in phrase)


class Vocabulary:
    """Known words; finds which of them a typed word matches, once per distinct typed word."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(known)
        self.dictionary: frozenset[str] = frozenset()
        """Every word the data knows: one of them typed exactly is itself, not a typo."""
        self.matching = lru_cache(maxsize=1 << 14)(self._matching)

    def spell_against(self, dictionary: frozenset[str]) -> None:
        """Correct typos only in words outside `dictionary` ('trends' is a word of a title,
        not 'ends' mistyped); inflected endings of the same stem still match."""
        self.dictionary = dictionary
        self.matching.cache_clear()

    def _matching(self, given: str) -> frozenset[str]:
        if len(given) < 4:
            return frozenset({given}) & self.known
        if given in self.dictionary:
            return frozenset(word for word in self.known
                             if word == given or _same_stem(word, given)
                             or _short_endings(word, given) or _extended(word, given))
        return frozenset(word for word in self.known if word_matches(word, given))

    def matched(self, message: Iterable[str]) -> frozenset[str]:
        """Every known word that some word of the message matches."""
        found: set[str] = set()
        for word in message:
            found |= self.matching(word)
        return frozenset(found)
