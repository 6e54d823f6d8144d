"""Things named in free text: people (any script, small typos), places, sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.language.lexicon import Lexicon
from bot.language.textmatch import Vocabulary, fold, words
from bot.programme.model import Conference, Person, Place, Session, Venue

_HYPHENATED = re.compile(r"\w+(?:-\w+)+")


@dataclass(frozen=True)
class _Entry:
    tokens: frozenset[str]
    weight: int


class Entities:
    """Finding people, places and sessions; mixed into `Understanding`."""

    conference: Conference
    lexicon: Lexicon
    _people: list[tuple[Person, list[tuple[str, ...]]]]
    _name_vocabulary: frozenset[str]
    _name_cache: dict[str, tuple[frozenset[str], frozenset[str]]]
    _index: dict[str, list[_Entry]]
    _index_words: Vocabulary
    _place_names: list[tuple[Place, tuple[str, ...]]]
    _place_words: Vocabulary
    _forms: dict[str, frozenset[str]]

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
        affiliations = " ".join(texts(p.affiliation) for p in session.people)
        parts = [
            (texts(session.title), 4),
            (people, 4),
            (f"{texts(session.host)} {venue_text} {affiliations}", 2),
            (f"{texts(session.description)} {texts(session.audience)} {texts(session.format)}", 1),
        ]
        return [_Entry(frozenset(w for w in words(text) + _joined(text) if len(w) >= 3
                                 and w not in self.lexicon.stopwords), weight)
                for text, weight in parts]

    def _title_words(self, session: Session) -> frozenset[str]:
        """The words of a session's title, in every language."""
        return frozenset(w for title in session.title.values() for w in words(str(title)))

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
            inflected = self._forms.get(given, frozenset()) & self._name_vocabulary
            close = frozenset(n for n in self._name_vocabulary if _close(n, given)) | inflected
            surnames = frozenset(n for n in self._name_vocabulary
                                 if n == given or (len(given) >= 5 and _close(n, given, 90))
                                 ) | inflected
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
        matches = [self._index_words.matching(word) | (self._forms.get(word, frozenset())
                                                       & self._index_words.known)
                   for word in query]
        sessions = list(self.conference.walk())
        hits = [[max((e.weight for e in self._index[s.id] if e.tokens & found), default=0)
                 for s in sessions] for found in matches]
        # A word many sessions share ("people", "miejsca") says less than a rare one (a
        # surname, a town): each word weighs 1/sqrt(how many sessions it matches), at least
        # half as much as a rare one.
        rarity = [max(0.5, 1 / max(1, sum(1 for h in row if h)) ** 0.5) for row in hits]
        scored = []
        for column, session in enumerate(sessions):
            score = sum(row[column] * weight for row, weight in zip(hits, rarity, strict=True))
            if score:
                scored.append((score, session))
        if not scored:
            return []
        top = max(score for score, _ in scored)
        threshold = max(2, top * keep)
        ranked = sorted((item for item in scored if item[0] >= threshold),
                        key=lambda item: (-item[0], item[1].number))
        return [session for _, session in ranked[:limit]]

def place_words(places: list[Place]) -> set[str]:
    """The words of the places' names and aliases: they say where, not which session."""
    return {w for p in places for name in (*p.name.values(), *p.aliases) for w in words(name)}


def _joined(text: str) -> list[str]:
    """Hyphenated words also as one word: 'well-being' is found by 'wellbeing'."""
    return [w.replace("-", "") for w in _HYPHENATED.findall(fold(text))]


def _close(wanted: str, given: str, threshold: int = 85) -> bool:
    """A name typed closely enough (names get a stricter threshold than ordinary words)."""
    return wanted == given or (len(wanted) >= 4 and fuzz.ratio(wanted, given) >= threshold)
