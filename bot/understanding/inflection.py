"""Inflected forms of the conference's own Ukrainian words, from a maintained morphology library.

pymorphy3 with its Ukrainian dictionary (pymorphy3-dicts-uk, installed with the package: nothing
is downloaded) generates every form of each word of the titles and the people's Ukrainian names
once, at start-up: "гмінах", "Івоною", "Глінської" then find "гміна", "Івона", "Глінська". The
analyser is dropped afterwards, so only the small table of forms stays in memory. Polish words
are matched by their stems (bot.language.textmatch); Russian ones through the Ukrainian forms
they fold to. Without the library installed the table is empty and matching works as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.language.textmatch import fold

_CYRILLIC_WORD = re.compile(r"[а-яіїєґʼ'А-ЯІЇЄҐ]{4,}")
MAX_WORDS = 4000
"""Enough for a large imported schedule; beyond it, start-up would grow for little gain."""


def inflected_forms(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    """folded inflected form -> the folded base words of the texts it is a form of."""
    try:
        import pymorphy3  # a maintained morphology library (uk dictionary installed with it)
    except ImportError:  # pragma: no cover - the dependency is declared; be safe without it
        return {}
    try:
        analyser = pymorphy3.MorphAnalyzer(lang="uk")
    except Exception:  # pragma: no cover - a broken dictionary must not stop the bot
        return {}
    originals = sorted({w.lower() for text in texts for w in _CYRILLIC_WORD.findall(text)})
    table: dict[str, set[str]] = {}
    for word in originals[:MAX_WORDS]:
        base = fold(word)
        for parse in analyser.parse(word)[:3]:
            for form in parse.lexeme:
                folded = fold(form.word)
                if folded != base:
                    table.setdefault(folded, set()).add(base)
    return {form: frozenset(bases) for form, bases in table.items()}
