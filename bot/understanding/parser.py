"""Turn a free-text question into an intent: a time, a person, a known intent, or a search."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from babel import Locale
from rapidfuzz import fuzz

from bot.core.messages import COMMAND_PREFIXES
from bot.language.i18n import Catalogue
from bot.language.lexicon import Lexicon
from bot.language.textmatch import Vocabulary, ascii_digits, fold, phrase_in, word_matches, words
from bot.language.translit import to_cyrillic
from bot.programme.model import Conference, Day, InfoTopic, Person, Place, Session, Venue

_CLOCK = re.compile(r"(?<![\d.:])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d])(?![.:]\d)")
_ANY_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?![\d])(?![.:]\d)")
"""A clock time in form, possible or not ('99:99'): an impossible one gets an honest answer."""
_MERIDIEM = re.compile(r"(?<![\d:.])(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)(?!\w)")
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
_DAY_MONTH = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})(?:[./]\d{2,4})?(?![\d:])")


PLACE_QUESTIONS = ("distance", "where")
"""Intents decided by their question words alone (see Understanding._asked_place_intent)."""
ACTIONS = ("unremind", "remind")
"""Intents that act on a session named in the rest of the sentence; they outrank its topic."""
QUESTION_ONLY = ("who",)
"""Intents that only shape the question ('who runs …'): the rest of it names the sessions."""
MAX_READ = 500
"""Characters of a message that are read; a longer one is someone pasting, not asking."""


@dataclass
class Intent:
    """What a message asks for, with whatever it named (a day, a time, people, sessions)."""

    name: str
    kind: str | None = None
    topic: InfoTopic | None = None
    day: Day | None = None
    moments: list[datetime] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    query: str = ""


@dataclass(frozen=True)
class _Entry:
    tokens: frozenset[str]
    weight: int


class Understanding:
    """Everything needed to read free text, prepared once from the conference data."""

    def __init__(self, conference: Conference, lexicon: Lexicon, catalogue: Catalogue) -> None:
        self.conference = conference
        self.lexicon = lexicon
        self._phrases: list[tuple[str, tuple[str, ...]]] = [
            (name, phrase)
            for name, by_lang in lexicon.intents.items()
            for phrases in by_lang.values()
            for phrase in phrases
        ]
        self._topic_phrases: list[tuple[InfoTopic, tuple[str, ...]]] = [
            (topic, tuple(words(keyword)))
            for topic in conference.info
            for keywords in topic.keywords.values()
            for keyword in keywords
            if words(keyword)
        ]
        self._weekdays = self._weekday_words(catalogue)
        self._months = self._month_words(catalogue)
        self._people = [(p, self._name_variants(p)) for p in conference.people.values()]
        self._name_vocabulary = frozenset(w for _, vs in self._people for v in vs for w in v)
        self._name_cache: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._interpreted: dict[tuple[str, object], Intent] = {}
        self._index = {s.id: self._session_entries(s) for s in conference.walk()}
        self._phrase_words = Vocabulary(
            w for phrases in (self._phrases, self._topic_phrases) for _, p in phrases for w in p)
        self._all_phrases: list[tuple[str, tuple[str, ...], InfoTopic | None]] = [
            *((name, phrase, None) for name, phrase in self._phrases),
            *(("topic", phrase, topic) for topic, phrase in self._topic_phrases)]
        self._phrases_by_word: dict[str, list[int]] = {}
        for index, (_, phrase, _) in enumerate(self._all_phrases):
            for word in set(phrase):
                self._phrases_by_word.setdefault(word, []).append(index)
        self._index_words = Vocabulary(
            t for entries in self._index.values() for e in entries for t in e.tokens)
        self._place_names = self._place_phrases()
        self._place_words = Vocabulary(w for _, phrase in self._place_names for w in phrase)
        self.proper_names = self._proper_names()

    # --- preparation --------------------------------------------------------------------

    def _locales(self, catalogue: Catalogue) -> list[Locale]:
        """The locales whose day and month names people may type (Russian too)."""
        return [catalogue[lang].locale for lang in catalogue.languages] + [
            Locale.parse(lang) for lang in self.lexicon.answer_in]

    def _weekday_words(self, catalogue: Catalogue) -> dict[str, Day]:
        found: dict[str, Day] = {}
        for locale in self._locales(catalogue):
            for context in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    for index, name in locale.days[context][width].items():
                        for day in self.conference.days:
                            if day.date.weekday() == index:
                                found[fold(name).rstrip(".")] = day
        return found

    def _month_words(self, catalogue: Catalogue) -> dict[str, int]:
        months: dict[str, int] = {}
        for locale in self._locales(catalogue):
            for context in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    for number, name in locale.months[context][width].items():
                        months[fold(name).rstrip(".")] = number
        return months

    @staticmethod
    def _name_variants(person: Person) -> list[tuple[str, ...]]:
        variants = [tuple(words(person.name))]
        if person.name_uk:
            variants.append(tuple(words(person.name_uk)))
        return variants

    def _place_phrases(self) -> list[tuple[Place, tuple[str, ...]]]:
        """Every way to name a venue or landmark: its names in all languages and its aliases."""
        places: list[Place] = [*self.conference.venues.values(),
                               *self.conference.landmarks.values()]
        phrases = []
        for place in places:
            for name in (*place.name.values(), *place.aliases):
                phrase = tuple(w for w in words(name) if w not in self.lexicon.stopwords)
                if phrase:
                    phrases.append((place, phrase))
        return phrases

    def _proper_names(self) -> frozenset[str]:
        """Folded words of people's names and place names, which belong to no language."""
        texts = [n for p in self.conference.people.values() for n in (p.name, p.name_uk) if n]
        places: list[Place] = [*self.conference.venues.values(),
                               *self.conference.landmarks.values()]
        for place in places:
            texts += [*place.aliases, place.name[self.conference.languages[0]]]
        return frozenset(w for text in texts for w in words(text))

    def _session_entries(self, session: Session) -> list[_Entry]:
        def texts(value: object) -> str:
            return " ".join(value.values()) if isinstance(value, dict) else ""

        people = " ".join(
            f"{p.name} {p.name_uk or ''}" for p in session.people)
        venue = session.venue
        venue_text = (f"{texts(venue.name)} {' '.join(venue.aliases)}"
                      if isinstance(venue, Venue) else "")
        parts = [
            (texts(session.title), 4),
            (people, 4),
            (f"{texts(session.host)} {venue_text}", 2),
            (f"{texts(session.description)} {texts(session.audience)} {texts(session.format)}", 1),
        ]
        return [_Entry(frozenset(w for w in words(text) + _joined(text) if len(w) >= 3
                                 and w not in self.lexicon.stopwords), weight)
                for text, weight in parts]

    # --- reading ------------------------------------------------------------------------

    def written_language(self, text: str) -> str | None:
        """The language a message is written in (Russian too), if it can be told (a command's
        own name says nothing; its arguments may)."""
        text = text.strip()
        if text.startswith(COMMAND_PREFIXES):
            text = text.partition(" ")[2]
        return self.lexicon.detect_language(text, self.proper_names) if text else None

    def language_of(self, text: str) -> str | None:
        """The conference language to answer a message in, if its language can be told
        (Russian is answered in Ukrainian)."""
        return self.answer_language(self.written_language(text))

    def answer_language(self, written: str | None) -> str | None:
        """The conference language to answer text written in `written`."""
        answer = self.lexicon.reply_language(written)
        return answer if answer in self.conference.languages else None

    def forget(self) -> None:
        """Drop remembered interpretations (measurements of the cold path use this)."""
        self._interpreted.clear()

    def interpret(self, text: str, now: datetime) -> Intent:
        """What a message asks; the same words on the same day always mean the same."""
        key = (text, now.astimezone(self.conference.timezone).date())
        intent = self._interpreted.get(key)
        if intent is None:
            intent = self._interpret(text, now)
            if len(self._interpreted) > 4096:
                self._interpreted.clear()
            self._interpreted[key] = intent
        return replace(intent, people=list(intent.people), sessions=list(intent.sessions),
                       places=list(intent.places), moments=list(intent.moments))

    def _interpret(self, text: str, now: datetime) -> Intent:
        text = ascii_digits(text[:MAX_READ])
        if self.lexicon.transliteration(text):
            text = f"{text} {to_cyrillic(text)}"
        message = words(text)
        day = self.find_day(text, now)
        asked = self._asked_place_intent(message)
        if asked is not None:
            return self._where(asked, text, message, day)
        best = self._best_phrase(message)
        if self._asked(message, QUESTION_ONLY) and (best is None or best[1] is None):
            who = self._who(text, message)
            if who is not None:
                return who
        action = self._action(message)
        if action is not None:
            return Intent(action, query=text)
        impossible = _ANY_CLOCK.search(text)
        if impossible and (int(impossible.group(1)) > 23 or int(impossible.group(2)) > 59):
            return Intent("at", day=day, query=impossible.group(0))  # no moment: no such time
        moments = self._moments(text, day, now)
        if moments:
            return Intent("at", day=day, moments=moments)
        people = self.find_people(message)
        if people:
            return Intent("person", people=people)
        if best is not None:
            name, topic = best
            if topic is not None:
                return Intent("topic", topic=topic)
            if day is not None and name in ("now", "today", "programme", "next"):
                return Intent("programme", day=day)
            if name.startswith("kind:"):
                return Intent("kind", kind=name.removeprefix("kind:"), day=day)
            return Intent(name, day=day, query=text)
        if day is not None:
            return Intent("programme", day=day)
        places = self.find_places(message)
        if places:
            return Intent("where", places=places[:1])
        sessions = self.search(text)
        if sessions:
            return Intent("search", sessions=sessions, query=text)
        return Intent("unknown", query=text)

    def _best_phrase(self, message: list[str]) -> tuple[str, InfoTopic | None] | None:
        """The intent or topic whose phrase matches best; intents win ties over topics."""
        best: tuple[float, str, InfoTopic | None] | None = None
        given = set(message)
        matched = self._phrase_words.matched(message)
        for name, phrase, topic in self._candidates(matched):
            if name in PLACE_QUESTIONS or name in ACTIONS or name in QUESTION_ONLY:
                continue
            if matched.issuperset(phrase):
                score = sum(self._word_weight(w, given) for w in phrase)
                if best is None or score > best[0]:
                    best = (score, name, topic)
        return None if best is None else (best[1], best[2])

    def _action(self, message: list[str]) -> str | None:
        """'remind me about …' / 'don't remind me about …': the longer matching phrase wins."""
        matched = self._phrase_words.matched(message)
        best: tuple[float, str] | None = None
        given = set(message)
        for name, phrase, _ in self._candidates(matched):
            if name in ACTIONS and matched.issuperset(phrase):
                score = sum(self._word_weight(w, given) for w in phrase)
                if best is None or score > best[0]:
                    best = (score, name)
        return best[1] if best else None

    def _candidates(self, matched: frozenset[str]
                    ) -> list[tuple[str, tuple[str, ...], InfoTopic | None]]:
        """The phrases (intents and topics) that contain at least one matched word."""
        seen: dict[int, tuple[str, tuple[str, ...], InfoTopic | None]] = {}
        for word in matched:
            for index in self._phrases_by_word.get(word, ()):
                seen.setdefault(index, self._all_phrases[index])
        return [seen[index] for index in sorted(seen)]

    def _asked_place_intent(self, message: list[str]) -> str | None:
        """'how far …' or 'where …' decide the question, whatever else it mentions.

        The question words must be typed as such: fuzzily, "there" would be "where".
        """
        return next(iter(self._asked(message, PLACE_QUESTIONS)), None)

    def _asked(self, message: list[str], names: tuple[str, ...]) -> list[str]:
        """Which of some intents the message asks with their own words, typed as such."""
        given = set(message)
        return [name for name in names
                if any(given.issuperset(phrase) for intent, phrase in self._phrases
                       if intent == name)]

    def _who(self, text: str, message: list[str]) -> Intent | None:
        """'who runs the wellbeing workshop?': the sessions the rest of the question names.

        Words of the question itself ('who runs') and of a kind ('workshop') do not search;
        a kind narrows the sessions found to that kind.
        """
        people = self.find_people(message)
        if people:
            return Intent("person", people=people)
        ignored: set[str] = set()
        for phrase in (p for name, p in self._phrases if name in QUESTION_ONLY):
            if set(message).issuperset(phrase):
                ignored.update(phrase)
        kind, kind_words = self._kind_named(message)
        ignored.update(kind_words)
        query = " ".join(w for w in message if w not in ignored)
        sessions = self.search(query, limit=8, keep=0.6)
        if kind is not None:
            sessions = [s for s in sessions if s.kind == kind] or sessions
        if not sessions:
            return None
        return Intent("who", sessions=sessions[:3], query=text)

    def _kind_named(self, message: list[str]) -> tuple[str | None, set[str]]:
        """The kind of session a message names ('workshop', 'обед'), and the words naming it."""
        kind: str | None = None
        named: set[str] = set()
        matched = self._phrase_words.matched(message)
        for name, phrase, _ in self._candidates(matched):
            if name.startswith("kind:") and matched.issuperset(phrase):
                kind = name.removeprefix("kind:")
                named.update(w for w in message if any(word_matches(p, w) for p in phrase))
        return kind, named

    def _word_weight(self, word: str, given: set[str]) -> float:
        """Longer words weigh more; a word typed exactly beats a fuzzy match; small words little."""
        weight = float(len(word)) if word in given else len(word) / 2
        return weight / 4 if word in self.lexicon.stopwords else weight

    def _where(self, name: str, text: str, message: list[str], day: Day | None) -> Intent:
        """'where is …' / 'how far is … from …': name the places, however they were asked."""
        places = self.find_places(message)
        if name == "distance":
            return Intent("distance", places=places)
        if places:
            return Intent("where", places=places[:1])
        people = self.find_people(message)
        sessions = [s for p in people for s in self.conference.with_person(p)]
        if not sessions and day is not None:
            sessions = self.conference.sessions_on(day)
        if not sessions:
            sessions = self.search(text, limit=3, keep=0.75)
        kind, _ = self._kind_named(message)
        if kind is not None:
            sessions = [s for s in sessions if s.kind == kind] or self.conference.of_kind(kind)
        venues: list[Place] = list(self.conference.venues_of(sessions))
        if len(venues) == 1:
            return Intent("where", places=venues, sessions=sessions)
        return Intent("where", sessions=sessions, query=text)

    def find_places(self, message: list[str]) -> list[Place]:
        """Venues and landmarks named in a message, in the order they are mentioned."""
        matched = self._place_words.matched(message)
        best: dict[str, tuple[int, int, Place]] = {}
        for place, phrase in self._place_names:
            if not matched.issuperset(phrase):
                continue
            position = min(i for i, w in enumerate(message)
                           if self._place_words.matching(w) & set(phrase))
            weight = sum(len(w) for w in phrase)
            known = best.get(place.id)
            if known is None or weight > known[1]:
                best[place.id] = (position, weight, place)
        ordered = sorted(best.values(), key=lambda item: (item[0], -item[1]))
        return [place for _, _, place in ordered]

    def find_people(self, message: list[str]) -> list[Person]:
        """People named in a message: the whole name, or a surname of five letters or more."""
        near: set[str] = set()
        surnames: set[str] = set()
        for word in message:
            close, as_surname = self._name_words(word)
            near |= close
            surnames |= as_surname
        found = []
        for person, variants in self._people:
            for variant in variants:
                if near.issuperset(variant) or (len(variant[-1]) >= 5
                                                and variant[-1] in surnames):
                    found.append(person)
                    break
        return found

    def _name_words(self, given: str) -> tuple[frozenset[str], frozenset[str]]:
        """The name words a typed word may be, and the surnames it may be (stricter)."""
        cached = self._name_cache.get(given)
        if cached is None:
            close = frozenset(n for n in self._name_vocabulary if _close(n, given))
            surnames = frozenset(n for n in self._name_vocabulary
                                 if n == given or (len(given) >= 5 and _close(n, given, 90)))
            cached = self._name_cache[given] = (close, surnames)
            if len(self._name_cache) > 1 << 14:
                self._name_cache.clear()
        return cached

    def search(self, text: str, limit: int = 6, keep: float = 0.5) -> list[Session]:
        """Sessions whose title, people, place or description match the words of a query,
        keeping those that score at least `keep` times the best."""
        query = [w for w in words(text) if len(w) >= 3 and w not in self.lexicon.stopwords]
        if not query:
            return []
        matches = [self._index_words.matching(word) for word in query]
        scored = []
        for session in self.conference.walk():
            entries = self._index[session.id]
            score = sum(max((e.weight for e in entries if e.tokens & found), default=0)
                        for found in matches)
            if score:
                scored.append((score, session))
        if not scored:
            return []
        top = max(score for score, _ in scored)
        threshold = max(2, top * keep)
        ranked = sorted((item for item in scored if item[0] >= threshold),
                        key=lambda item: (-item[0], item[1].number))
        return [session for _, session in ranked[:limit]]

    # --- days and times -----------------------------------------------------------------

    def find_day(self, text: str, now: datetime) -> Day | None:
        """A conference day named by weekday, date, 'today'/'tomorrow', 'day 2' or an ordinal."""
        message = words(text)
        conference = self.conference
        for offset, phrases in self.lexicon.relative_days.items():
            if any(phrase_in(p, message) for p in phrases):
                return conference.day_of(now + timedelta(days=offset))
        for day_number, month in ((int(d), int(m)) for d, m in _DAY_MONTH.findall(text)):
            for day in conference.days:
                if (day.date.day, day.date.month) == (day_number, month):
                    return day
        for index, word in enumerate(message):
            if word.isdecimal():
                neighbours = message[max(0, index - 1):index] + message[index + 1:index + 2]
                for neighbour in neighbours:
                    named = self._months.get(neighbour) or next(
                        (n for name, n in self._months.items()
                         if len(name) >= 5 and word_matches(name, neighbour)), None)
                    for day in conference.days:
                        if named and (day.date.day, day.date.month) == (int(word), named):
                            return day
            if word in self.lexicon.day_words and index + 1 < len(message):
                following = message[index + 1]
                if following.isdecimal():
                    return self.day_by_number(int(following))
            if word in self.lexicon.day_words:
                for neighbour in message[max(0, index - 1):index]:
                    for number, ordinals in self.lexicon.ordinals.items():
                        if neighbour in ordinals:
                            return self.day_by_number(number)
        for word in message:
            for name, day in self._weekdays.items():
                if word == name or (len(name) >= 5 and word_matches(name, word)):
                    return day
        return None

    def day_by_number(self, number: int) -> Day | None:
        days = self.conference.days
        return days[number - 1] if 1 <= number <= len(days) else None

    def parse_day_argument(self, argument: str, now: datetime) -> Day | None:
        """A day given to /programme: '2', 'd2', a weekday, a date, 'today'…"""
        argument = ascii_digits(argument.strip())
        if argument.isdecimal():
            return self.day_by_number(int(argument))
        by_id = self.conference.day_by_id(argument.lower())
        return by_id or self.find_day(argument, now)

    def _moments(self, text: str, day: Day | None, now: datetime) -> list[datetime]:
        clock = self._clock_time(text)
        if clock is None:
            return []
        conference = self.conference
        if day is not None:
            return [conference.at(day, clock)]
        today = conference.day_of(now)
        if today is not None:
            return [conference.at(today, clock)]
        return [conference.at(d, clock) for d in conference.days]

    def _clock_time(self, text: str) -> time | None:
        lowered = text.lower()
        match = _CLOCK.search(lowered)
        if match:
            return time(int(match.group(1)), int(match.group(2)))
        match = _MERIDIEM.search(lowered)
        if match:
            hour = int(match.group(1)) % 12
            if match.group(2).startswith("p"):
                hour += 12
            return time(hour, 0) if hour < 24 else None
        message = words(text)
        for index, word in enumerate(message[:-1]):
            following = message[index + 1]
            if word in self.lexicon.time_prepositions and following.isdecimal():
                hour = int(following)
                if hour > 23:
                    continue
                return time(self._afternoon(hour), 0)
        return None

    def _afternoon(self, hour: int) -> int:
        """'at 3' during a conference that runs in the afternoon means 15:00."""
        if hour >= 12 or hour == 0:
            return hour
        earliest = min(self.conference.day_start(d) for d in self.conference.days)
        earliest_hour = earliest.astimezone(self.conference.timezone).hour
        return hour + 12 if hour < earliest_hour and hour + 12 < 24 else hour


def _joined(text: str) -> list[str]:
    """Hyphenated words also as one word: 'well-being' is found by 'wellbeing'."""
    return [w.replace("-", "") for w in _HYPHENATED.findall(fold(text))]


def _close(wanted: str, given: str, threshold: int = 85) -> bool:
    """A name typed closely enough (names get a stricter threshold than ordinary words)."""
    return wanted == given or (len(wanted) >= 4 and fuzz.ratio(wanted, given) >= threshold)
