"""The vocabulary of free-text questions per language, loaded from `data/intents.yaml`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.language.textmatch import fold, words
from bot.language.translit import to_cyrillic

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 5-10x faster

_RAW_WORD = re.compile(r"[\w']+")
INTENT_NAMES = (
    "now", "next", "today", "programme", "help", "info", "about", "language",
    "conference_start", "conference_end", "where", "distance", "venues",
    "remind", "unremind", "agenda", "calendar", "privacy",
    "kind:registration", "kind:opening", "kind:break", "kind:lunch", "kind:panel",
    "kind:workshop", "kind:study_visit", "kind:networking", "kind:talk", "who",
)
RELATIVE_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}
FACT_NAMES = ("start", "end", "duration", "format", "host", "after", "before")
"""The facts of a session a question may ask for (`facts:` in data/intents.yaml)."""

Phrase = tuple[str, ...]


TIME_PHRASES = ("from_now", "within", "half_before", "half_after", "quarter_after",
                "quarter_into", "quarter_before", "after", "minutes_to")


@dataclass
class TimeWords:
    """The words of time expressions, all languages together."""

    parts_of_day: dict[str, tuple[int, int, tuple[Phrase, ...]]] = field(default_factory=dict)
    """name -> (first hour, last hour, phrases): "morning" -> (6, 12, …)."""
    units: dict[int, tuple[Phrase, ...]] = field(default_factory=dict)
    """minutes -> phrases: 60 -> ("godzina",), ("hour",) …"""
    hours: dict[int, tuple[Phrase, ...]] = field(default_factory=dict)
    """a clock hour (1–12) -> its words ("piątej", "п'яту")."""
    numbers: dict[int, tuple[Phrase, ...]] = field(default_factory=dict)
    """a count -> its words ("dwie", "два", "ten"): "za dwie godziny", "ten to one"."""
    phrases: dict[str, tuple[Phrase, ...]] = field(default_factory=dict)
    """one of TIME_PHRASES -> phrases ("wpół do", "пів на", "quarter to" …)."""


@dataclass
class Lexicon:
    intents: dict[str, dict[str, tuple[Phrase, ...]]] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    markers: dict[str, frozenset[str]] = field(default_factory=dict)
    letters: dict[str, frozenset[str]] = field(default_factory=dict)
    relative_days: dict[int, tuple[Phrase, ...]] = field(default_factory=dict)
    day_words: frozenset[str] = frozenset()
    ordinals: dict[int, frozenset[str]] = field(default_factory=dict)
    time_prepositions: frozenset[str] = frozenset()
    off_words: frozenset[str] = frozenset()
    """Words that turn something off (/reminders off)."""
    on_words: frozenset[str] = frozenset()
    """Words that turn something on (/feedback on)."""
    question_words: frozenset[str] = frozenset()
    """The word 'question', heading a question to a session ("question for s20: …")."""
    answer_in: dict[str, str] = field(default_factory=dict)
    """Languages understood but answered in a conference language: {"ru": "uk"}."""
    alphabets: dict[str, frozenset[str]] = field(default_factory=dict)
    """The language text in an alphabet is taken to be when nothing else tells."""
    transliterated: dict[str, frozenset[str]] = field(default_factory=dict)
    """Words that show a language typed in Latin letters ("shcho", "kogda")."""
    facts: dict[str, tuple[Phrase, ...]] = field(default_factory=dict)
    """fact name -> the phrases asking for it, in every language ("do której" -> end)."""
    yes_no: frozenset[str] = frozenset()
    """Words opening a yes/no question ("czy", "чи", "ли", "is", "does")."""
    asking_words: frozenset[str] = frozenset()
    """Words that ask about something ("when", "kto"): without one, "…?" asks yes or no."""
    indefinite_particles: frozenset[str] = frozenset()
    """"что-то", "хто-небудь": an asking word with one of these asks nothing."""
    conference_words: frozenset[str] = frozenset()
    """Words naming the conference itself ("konferencja"), not one of its sessions."""
    references: frozenset[str] = frozenset()
    """Words pointing back at what the conversation was about ("it", "tam", "його")."""
    _known: dict[str, frozenset[str]] | None = field(default=None, repr=False, compare=False)
    _by_alphabet: tuple[frozenset[str], frozenset[str]] | None = field(
        default=None, repr=False, compare=False)
    origin_words: frozenset[str] = frozenset()
    """Prepositions before the place a way starts at ("z", "з", "из", "from")."""
    destination_words: frozenset[str] = frozenset()
    """Prepositions before the place a way leads to ("do", "до", "to")."""
    origin_references: frozenset[str] = frozenset()
    """'From there' in one word ("stamtąd", "звідти", "оттуда")."""
    travel_modes: frozenset[str] = frozenset()
    """Ways of travelling ("pociągiem", "трамваєм", "on foot")."""
    relations: dict[str, frozenset[str]] = field(default_factory=dict)
    """before / after / immediately -> their words ("przed", "після", "right")."""
    times: TimeWords = field(default_factory=lambda: TimeWords())
    """Parts of the day, relative times and clock hours said as words (`times:`)."""
    languages: tuple[str, ...] = ()
    """Every language the vocabulary covers: the conference's and those answered in one."""

    @classmethod
    def load(cls, path: Path, languages: tuple[str, ...],
             fail: Callable[[str, str], None]) -> Lexicon:
        """Read the vocabulary; report each problem as fail(item, problem)."""
        try:
            raw = (yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # a safe loader
                   if path.exists() else None)
        except yaml.YAMLError as error:
            fail("", f"not valid YAML ({error})")
            return cls()
        if not isinstance(raw, dict):
            fail("", "the file is missing or empty")
            return cls()

        def per_language(item: str, value: Any, required: tuple[str, ...] = languages
                         ) -> dict[str, list[str]]:
            if not isinstance(value, dict):
                fail(item, "must be a mapping of language to a list of phrases")
                return {}
            result = {}
            for lang in languages:
                phrases = value.get(lang, [])
                if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                    fail(item, f"the '{lang}' entry must be a list of phrases")
                elif not phrases and lang in required:
                    fail(item, f"the '{lang}' list is missing or empty")
                else:
                    result[lang] = phrases
            return result

        lexicon = cls()
        raw_answer_in = raw.get("answer_in", {})
        if not isinstance(raw_answer_in, dict) or not all(
                isinstance(v, str) and v in languages for v in raw_answer_in.values()):
            fail("answer_in", "must map a language to the conference language it is answered in")
            raw_answer_in = {}
        lexicon.answer_in = {str(k): v for k, v in raw_answer_in.items() if k not in languages}
        languages = (*languages, *lexicon.answer_in)
        lexicon.languages = languages
        raw_intents = raw.get("intents")
        if not isinstance(raw_intents, dict):
            fail("intents", "must be a mapping of intent name to phrases")
            raw_intents = {}
        for name in INTENT_NAMES:
            if name not in raw_intents:
                fail(f"intent {name}", "is missing")
        for name, value in raw_intents.items():
            if name not in INTENT_NAMES:
                fail(f"intent {name}", f"is not a known intent ({', '.join(INTENT_NAMES)})")
                continue
            lexicon.intents[name] = {
                lang: tuple(tuple(words(p)) for p in phrases if words(p))
                for lang, phrases in per_language(f"intent {name}", value).items()
            }

        def folded_set(key: str, value: Any, required: tuple[str, ...] = languages
                       ) -> dict[str, frozenset[str]]:
            return {lang: frozenset(w for p in phrases for w in words(p))
                    for lang, phrases in per_language(key, value, required).items()}

        lexicon.stopwords = _union(folded_set("stopwords", raw.get("stopwords")))
        lexicon.markers = folded_set("markers", raw.get("markers"), required=())
        raw_letters = raw.get("letters", {})
        if not isinstance(raw_letters, dict):
            fail("letters", "must be a mapping of language to its distinctive letters")
            raw_letters = {}
        lexicon.letters = {lang: frozenset(str(chars).lower())
                           for lang, chars in raw_letters.items() if lang in languages}
        raw_alphabets = raw.get("alphabets", {})
        if not isinstance(raw_alphabets, dict):
            fail("alphabets", "must map a language to the letters of its alphabet")
            raw_alphabets = {}
        lexicon.alphabets = {lang: frozenset(str(chars).lower())
                             for lang, chars in raw_alphabets.items() if lang in languages}
        lexicon.transliterated = folded_set("transliterated", raw.get("transliterated", {}),
                                            required=())
        raw_relative = raw.get("relative_days")
        if not isinstance(raw_relative, dict):
            fail("relative_days", "must map today, tomorrow and yesterday to phrases")
            raw_relative = {}
        for name, offset in RELATIVE_DAYS.items():
            phrases = per_language(f"relative_days {name}", raw_relative.get(name))
            lexicon.relative_days[offset] = tuple(
                tuple(words(p)) for ps in phrases.values() for p in ps if words(p))
        lexicon.day_words = _union(folded_set("day_words", raw.get("day_words")))
        raw_ordinals = raw.get("ordinals")
        if not isinstance(raw_ordinals, dict):
            fail("ordinals", "must map day numbers (1, 2, …) to ordinal words")
            raw_ordinals = {}
        for number, value in raw_ordinals.items():
            if not isinstance(number, int):
                fail(f"ordinals {number}", "the key must be a day number")
                continue
            lexicon.ordinals[number] = _union(folded_set(f"ordinals {number}", value))
        lexicon.time_prepositions = _union(
            folded_set("time_prepositions", raw.get("time_prepositions")))
        lexicon.off_words = _union(folded_set("off_words", raw.get("off_words")))
        lexicon.on_words = _union(folded_set("on_words", raw.get("on_words", {}), required=()))
        lexicon.question_words = _union(folded_set("question_words",
                                                   raw.get("question_words", {}), required=()))
        raw_facts = raw.get("facts", {})
        if not isinstance(raw_facts, dict):
            fail("facts", "must map a fact (" + ", ".join(FACT_NAMES) + ") to phrases")
            raw_facts = {}
        for name, value in raw_facts.items():
            if name not in FACT_NAMES:
                fail(f"facts {name}", f"is not a known fact ({', '.join(FACT_NAMES)})")
                continue
            lexicon.facts[name] = tuple(
                tuple(words(p)) for ps in per_language(f"facts {name}", value).values()
                for p in ps if words(p))
        lexicon.times = _time_words(raw.get("times", {}), per_language, fail)
        lexicon.yes_no = _union(folded_set("yes_no", raw.get("yes_no", {}), required=()))
        lexicon.asking_words = _union(folded_set("asking_words", raw.get("asking_words", {}),
                                                 required=()))
        lexicon.indefinite_particles = _union(folded_set(
            "indefinite_particles", raw.get("indefinite_particles", {}), required=()))
        lexicon.conference_words = _union(folded_set(
            "conference_words", raw.get("conference_words", {}), required=()))
        lexicon.references = _union(folded_set("references", raw.get("references", {}),
                                               required=()))
        lexicon.origin_words = _union(folded_set("origin_words", raw.get("origin_words", {}),
                                                 required=()))
        lexicon.destination_words = _union(folded_set(
            "destination_words", raw.get("destination_words", {}), required=()))
        lexicon.origin_references = _union(folded_set(
            "origin_references", raw.get("origin_references", {}), required=()))
        lexicon.travel_modes = _union(folded_set("travel_modes", raw.get("travel_modes", {}),
                                                 required=()))
        relations = raw.get("relations", {})
        if not isinstance(relations, dict):
            fail("relations", "must map before / after / immediately to words")
            relations = {}
        lexicon.relations = {str(name): _union(folded_set(f"relations {name}", value,
                                                          required=()))
                             for name, value in relations.items()}
        return lexicon

    def reply_language(self, written: str | None) -> str | None:
        """The language to answer a message written in `written` (Russian -> Ukrainian)."""
        return self.answer_in.get(written, written) if written else None

    def transliteration(self, text: str) -> str | None:
        """The language of Ukrainian or Russian typed in Latin letters, or None."""
        if not self.transliterated or any(ord(ch) > 0x24F for ch in text if ch.isalpha()):
            return None
        given = words(text)
        scores = {lang: sum(1 for w in given if w in found)
                  for lang, found in self.transliterated.items()}
        best = max(scores, key=lambda lang: scores[lang])
        others = max((sum(1 for w in given if w in markers) for lang, markers
                      in self.markers.items() if lang not in scores), default=0)
        lowered = text.lower()
        others += sum(1 for letters in self.letters.values() for ch in lowered if ch in letters)
        if scores[best] > others:
            return best
        return self._read_as_cyrillic(given)

    def _words_by_alphabet(self, typed: list[str]
                           ) -> tuple[frozenset[str], frozenset[str]]:
        """(the words known in the languages typed in Latin letters, those of the others),
        made once: every message in Latin letters asks."""
        if self._by_alphabet is None:
            known = self._language_words()
            self._by_alphabet = (
                frozenset().union(*(known.get(lang, frozenset()) for lang in typed)),
                frozenset().union(*(ws for lang, ws in known.items() if lang not in typed)))
        return self._by_alphabet

    def _language_words(self) -> dict[str, frozenset[str]]:
        """Every word the lexicon knows per language: its markers and its intents' phrases."""
        if self._known is None:
            known: dict[str, set[str]] = {lang: set(m) for lang, m in self.markers.items()}
            for by_lang in self.intents.values():
                for lang, phrases in by_lang.items():
                    known.setdefault(lang, set()).update(w for p in phrases for w in p)
            self._known = {lang: frozenset(ws) for lang, ws in known.items()}
        return self._known

    def _read_as_cyrillic(self, given: list[str]) -> str | None:
        """Latin text with no Polish or English marker whose words, put into Cyrillic, are
        Ukrainian or Russian words the lexicon knows ("a vo skolko?", "do kotroi trivaje").

        A two-letter marker that is also a known word in Cyrillic ("do" ~ "до") is no veto,
        nor evidence: two other words must be known (the one, if there is one).
        """
        known = self._language_words()
        typed = [lang for lang, found in self.transliterated.items() if found]
        if not typed:
            return None
        every, latin = self._words_by_alphabet(typed)
        shared = {w for w in given if len(w) <= 2 and to_cyrillic(w) in every}
        for word in given:
            if word not in shared and any(word in markers for lang, markers
                                          in self.markers.items() if lang not in typed):
                return None  # a Polish or English word: not transliteration
        rest = [w for w in given if w not in shared]
        if len(rest) == 1 and rest[0] in latin:
            return None  # "a adres?": one word, and a Polish one too
        cyrillic = words(to_cyrillic(" ".join(rest)))
        counts = {lang: sum(1 for w in cyrillic if w in known.get(lang, frozenset()))
                  for lang in typed}
        best = max(counts, key=lambda lang: counts[lang])
        need = min(2, len(rest))  # "a o kotrij?": the one word that is not small must be known
        return best if need and counts[best] >= need else None

    def detect_language(self, text: str, names: frozenset[str] = frozenset()) -> str | None:
        """Guess the language a message is written in, or None when it cannot be told.

        Words in `names` (folded proper names: people, places) are ignored: "how far is
        Świetlica Dębniki?" is English even though the place is written in Polish.
        """
        kept = [w for w in _RAW_WORD.findall(text) if fold(w) not in names]
        lowered = " ".join(kept).lower()
        transliterated = self.transliteration(lowered)
        if transliterated:
            return transliterated
        scores: dict[str, int] = {}
        for lang, letters in self.letters.items():
            scores[lang] = 3 * sum(1 for ch in lowered if ch in letters)
        folded = [w.partition("'")[0] if w.isascii() else w  # "when's" is "when"
                  for w in words(lowered)]
        for lang, markers in self.markers.items():
            scores[lang] = scores.get(lang, 0) + 2 * sum(1 for w in folded if w in markers)
        best = max(scores.values(), default=0)
        leaders = [lang for lang, score in scores.items() if score == best]
        if best > 0 and len(leaders) == 1:
            return leaders[0]
        for lang, alphabet in self.alphabets.items():
            if (best == 0 or lang in leaders) and any(ch in alphabet for ch in lowered):
                return lang
        return None


def _union(by_language: dict[str, frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*by_language.values())


def _phrases(by_language: dict[str, list[str]]) -> tuple[Phrase, ...]:
    return tuple(tuple(words(p)) for ps in by_language.values() for p in ps if words(p))


def _time_words(raw: Any, per_language: Callable[..., dict[str, list[str]]],
                fail: Callable[[str, str], None]) -> TimeWords:
    """Read `times:`; every problem names its place ("times parts_of_day morning: …")."""
    found = TimeWords()
    if not isinstance(raw, dict):
        fail("times", "must be a mapping (parts_of_day, units, hours, from_now, …)")
        return found
    parts = raw.get("parts_of_day", {})
    for name, value in (parts.items() if isinstance(parts, dict) else ()):
        hours = value.get("hours") if isinstance(value, dict) else None
        if not (isinstance(hours, list) and len(hours) == 2
                and all(isinstance(h, int) and 0 <= h <= 24 for h in hours)):
            fail(f"times parts_of_day {name}", "needs hours: [first, last] (0–24)")
            continue
        phrases = {k: v for k, v in value.items() if k != "hours"}
        found.parts_of_day[str(name)] = (hours[0], hours[1], _phrases(
            per_language(f"times parts_of_day {name}", phrases, ())))
    for key, target in (("units", found.units), ("hours", found.hours),
                        ("numbers", found.numbers)):
        table = raw.get(key, {})
        for number, value in (table.items() if isinstance(table, dict) else ()):
            if not isinstance(number, int):
                fail(f"times {key} {number}", "the key must be a number")
                continue
            target[number] = _phrases(per_language(f"times {key} {number}", value, ()))
    for name in TIME_PHRASES:
        found.phrases[name] = _phrases(per_language(f"times {name}", raw.get(name, {}), ()))
    return found
