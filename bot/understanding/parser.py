"""Turn a free-text question into an intent: a time, a person, a known intent, or a search."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.messages import COMMAND_PREFIXES
from bot.language.i18n import Catalogue
from bot.language.lexicon import Lexicon
from bot.language.textmatch import Vocabulary, ascii_digits, words
from bot.language.translit import to_cyrillic
from bot.programme.model import Conference, Day, InfoTopic, Place
from bot.storage.dialogue import Focus
from bot.understanding.entities import Entities
from bot.understanding.followups import FollowUps
from bot.understanding.inflection import inflected_forms
from bot.understanding.intent import Intent as Intent
from bot.understanding.phrases import QUESTION_ONLY, Phrases
from bot.understanding.relations import Relations
from bot.understanding.routes import Routes
from bot.understanding.spans import Spans
from bot.understanding.times import TimeExpressions

MAX_READ = 500
"""Characters of a message that are read; a longer one is someone pasting, not asking."""


class Understanding(FollowUps, Phrases, Entities, Spans, TimeExpressions, Routes, Relations):
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
            for topic in (*conference.info, *conference.not_announced)
            for keywords in topic.keywords.values()
            for keyword in keywords
            if words(keyword)
        ]
        self._weekdays = self._weekday_words(catalogue)
        self._months = self._month_words(catalogue)
        self._people = [(p, self._name_variants(p)) for p in conference.people.values()]
        self._name_vocabulary = frozenset(w for _, vs in self._people for v in vs for w in v)
        self._name_cache: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._forms = inflected_forms(
            [*(s.title.get("uk", "") for s in conference.walk()),
             *(p.name_uk or "" for p in conference.people.values())])
        self._interpreted: dict[tuple[str, object, Focus | None], Intent] = {}
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
        self._conference_words = Vocabulary(lexicon.conference_words)
        self._fact_words = Vocabulary(w for phrases in lexicon.facts.values()
                                      for p in phrases for w in p)
        dictionary = frozenset().union(*(v.known for v in (
            self._phrase_words, self._index_words, self._place_words, self._conference_words,
            self._fact_words)))
        for vocabulary in (self._phrase_words, self._index_words, self._place_words,
                           self._conference_words, self._fact_words):
            vocabulary.spell_against(dictionary)
        self._part_words = frozenset(  # "afternoon", "wieczorem"; not "po" of "po południu"
            phrase[0] for _, _, phrases in lexicon.times.parts_of_day.values()
            for phrase in phrases if len(phrase) == 1)
        self._unit_words = frozenset(
            w for table in (lexicon.times.units, lexicon.times.numbers)
            for phrases in table.values() for phrase in phrases for w in phrase) | self._part_words
        self._day_vocabulary = frozenset(
            {*self._weekdays, *self._months, *lexicon.day_words, *lexicon.time_prepositions,
             *(w for ws in lexicon.ordinals.values() for w in ws),
             *(w for ps in lexicon.relative_days.values() for p in ps for w in p)})
        self._day_words = Vocabulary(self._day_vocabulary)  # matched once per typed word

    # --- preparation --------------------------------------------------------------------

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

    def interpret(self, text: str, now: datetime, focus: Focus | None = None) -> Intent:
        """What a message asks; the same words on the same day, after the same answers,
        always mean the same."""
        key = (text, now.astimezone(self.conference.timezone).date(), focus)
        intent = self._interpreted.get(key)
        if intent is None:
            intent = self._interpret(text, now, focus)
            if len(self._interpreted) > 4096:
                self._interpreted.clear()
            self._interpreted[key] = intent
        return replace(intent, people=list(intent.people), sessions=list(intent.sessions),
                       places=list(intent.places), moments=list(intent.moments))

    def _interpret(self, text: str, now: datetime, focus: Focus | None = None) -> Intent:
        text = ascii_digits(text[:MAX_READ])
        if self.lexicon.transliteration(text):
            text = f"{text} {to_cyrillic(text)}"
        message = self._uncontracted(words(text))
        route = self.route(message, focus)
        if route is not None:
            return route
        day = self.find_day(text, now)
        if day is None and focus is not None and focus.asked == "programme":
            day = self._ordinal_day(message)
            if day is not None:  # "а на другий?" after a day's programme: that other day
                return Intent("programme", day=day)
        timed = self.read_time(text, message, day, now)
        clock = self._moments(text, day, now)
        in_context = self.read_in_context(
            text, message, day, focus, timed or (Intent("at", moments=clock) if clock else None))
        if in_context is not None and (timed is None or (
                in_context.sessions and not in_context.from_dialogue
                and in_context.name != "search") or _picked_by(in_context, timed)):
            return in_context
        if timed is not None:
            return self._named_within(message, timed) or timed
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
                kind = name.removeprefix("kind:")
                if not self.conference.of_kind(kind):  # the schedule's own words for it
                    titled = self.of_category(kind, self._kind_named(message)[1])
                    if titled:
                        return Intent("search", sessions=titled, query=text)
                return Intent("kind", kind=kind, day=day)
            return Intent(name, day=day, query=text)
        if day is not None:
            return Intent("programme", day=day)
        places = self.find_places(message)
        if places:
            return Intent("where", places=places[:1])
        sessions = self.search(text, keep=0.75)
        if sessions:
            return Intent("search", sessions=sessions, query=text)
        return Intent("unknown", query=text)

    def _from_to(self, message: list[str], places: list[Place]) -> list[Place]:
        """Two places in the order of a way: the one after "from"/"z"/"з" first."""
        first, second = places[:2]
        for index in range(1, len(message)):
            if message[index - 1] in self.lexicon.origin_words and (
                    second in self.find_places(message[index:index + 2])[:1]):
                return [second, first]
        return [first, second]

    def _uncontracted(self, message: list[str]) -> list[str]:
        """"who's running it" is read as "who … running it": an English contraction no phrase
        knows ("what's" is known) stands for its stem, so the question word is found."""
        out: list[str] = []
        for word in message:
            stem, apostrophe, _ = word.partition("'")
            if (apostrophe and len(stem) >= 2 and word.isascii()
                    and word not in self._phrase_words.known):
                out.append(stem)
            else:
                out.append(word)
        return out

    def _ordinal_day(self, message: list[str]) -> Day | None:
        """The day an ordinal alone names ("the second?"), the day word left out."""
        for word in message:
            for number, ordinals in self.lexicon.ordinals.items():
                if word in ordinals:
                    return self.day_by_number(number)
        return None

    def _named_within(self, message: list[str], timed: Intent) -> Intent | None:
        """'the megacities one after lunch': the sessions the words besides the time name,
        when they fall within that time."""
        if timed.name != "range" or len(timed.moments) != 2:
            return None
        ignored = self._phrase_words_of(message, tuple(self.lexicon.intents)) | self._time_words(
            message)  # kinds too: "panels after lunch" lists them all
        rest = " ".join(w for w in self.content_words(message, ignored)
                        if not self._conference_words.matching(w)
                        and not self._day_words.matching(w))
        if not rest:
            return None
        start, end = timed.moments
        found = [s for s in self.search(rest) if s.start is not None and start <= s.start < end]
        return Intent("search", sessions=found, query=rest) if found else None

    def _time_words(self, message: list[str]) -> set[str]:
        """Words naming days, dates, times and lengths of time: they say when, not what."""
        return {w for w in message if w in self._day_vocabulary or w.isdecimal()
                or w in self._unit_words
                or (len(w) >= 4 and w not in self._index_words.dictionary
                    and self._day_words.matching(w))}

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

    def _where(self, name: str, text: str, message: list[str], day: Day | None) -> Intent:
        """'where is …' / 'how far is … from …': name the places, however they were asked."""
        gap = self._gap_named(message)
        if name == "where" and gap is not None:
            return Intent("topic", topic=gap)  # "where can I smoke at …": not announced
        places = self.find_places(message)
        if name == "distance":
            return Intent("distance", places=places)
        if len(places) >= 2:  # "how do I get from A to B": a way from the origin named
            return Intent("distance", places=self._from_to(message, places))
        if places:
            return Intent("where", places=places[:1])
        people = self.find_people(message)
        sessions = [s for p in people for s in self.conference.with_person(p)]
        if not sessions and day is not None:
            sessions = self.conference.sessions_on(day)
        if not sessions:
            sessions = self.search(text, limit=3, keep=0.75)
        kind, _ = self._kind_named(message)
        if kind is not None:  # a person's sessions stay theirs ("де виступає Матейко")
            sessions = [s for s in sessions if s.kind == kind] or (
                sessions if people else self.conference.of_kind(kind))
        venues: list[Place] = list(self.conference.venues_of(sessions))
        if len(venues) == 1:
            return Intent("where", places=venues, sessions=sessions)
        if not sessions:  # no place, no session: practical information may say (a cloakroom)
            best = self._best_phrase(message)
            if best is not None and best[1] is not None:
                return Intent("topic", topic=best[1])
        return Intent("where", sessions=sessions, query=text)


def _picked_by(in_context: Intent, timed: Intent) -> bool:
    """"the afternoon one, who else is on it?": sessions of the conversation that the time
    named picks out, rather than everything in that time."""
    if not (in_context.from_dialogue and in_context.sessions and timed.name == "range"
            and len(timed.moments) == 2):
        return False
    start, end = timed.moments
    return all(s.times_announced and start <= s.span[0] < end for s in in_context.sessions)
