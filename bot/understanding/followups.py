"""Reading a question about a fact of a named thing, or of what the conversation was about.

The most specific thing named wins: a session named by a distinctive part of its title, topic,
host, street or district (or the one session of a kind named) beats the kind itself; with
nothing named, a question leans on the conversation's focus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.language.lexicon import Lexicon
from bot.language.textmatch import word_matches
from bot.programme.model import Day, InfoTopic, Person, Place, Session, Venue
from bot.storage.dialogue import Focus
from bot.understanding.dialogue import SESSION_FACTS, after, before, recalled, venue_of
from bot.understanding.entities import place_words
from bot.understanding.intent import Intent
from bot.understanding.precedence import Precedence
from bot.understanding.questions import Questions

PLACE_ASKED = ("where", "distance")
LISTINGS = ("now", "next", "today")
"""Intents that list what runs; a few words naming sessions distinctly outweigh their phrase."""
CONTINUING = ("a", "а", "and", "i", "і", "и")
"""Words opening a follow-up that goes on with the last question ("and the one on …?")."""


class FollowUps(Questions, Precedence):
    """Facts and follow-ups; mixed into `Understanding` (which provides the finders below)."""

    if TYPE_CHECKING:
        def _asked(self, message: list[str], names: tuple[str, ...]) -> list[str]: ...
        def _action(self, message: list[str]) -> str | None: ...
        def _kind_named(self, message: list[str]) -> tuple[str | None, set[str]]: ...
        def _best_phrase(self, message: list[str]) -> tuple[str, InfoTopic | None] | None: ...
        def _phrase_words_of(self, message: list[str], names: tuple[str, ...]) -> set[str]: ...
        def _time_words(self, message: list[str]) -> set[str]: ...
        def find_places(self, message: list[str]) -> list[Place]: ...
        def _from_to(self, message: list[str], places: list[Place]) -> list[Place]: ...
        def find_people(self, message: list[str]) -> list[Person]: ...
        def _name_words(self, given: str) -> tuple[frozenset[str], frozenset[str]]: ...
        def _topic_phrases_of(self, topic: InfoTopic) -> list[tuple[str, ...]]: ...
        def _title_words(self, session: Session) -> frozenset[str]: ...
        def relation_claim(self, message: list[str], focus: Focus | None) -> Intent | None: ...
        def relative_to(self, message: list[str]) -> Intent | None: ...
        def search(self, text: str, limit: int = 6, keep: float = 0.5) -> list[Session]: ...

    def specific_sessions(self, content: list[str], kind: str | None) -> list[Session]:
        """Sessions the content words name distinctly (at most three), narrowed by a kind."""
        if not content:
            return []
        found = self.search(" ".join(content), limit=4, keep=0.8)
        if kind is not None:
            found = [s for s in found if s.kind == kind] or (
                [] if len(found) > 1 else found)
        top = [s for s in found if s.parent is None or s.parent not in found]  # a block, not
        return top if 0 < len(top) <= 3 else []  # its parts; a part named alone, itself

    def read_in_context(self, text: str, message: list[str], day: Day | None,
                        focus: Focus | None, timed: Intent | None = None) -> Intent | None:
        """A question about a fact (of a named thing, or of the last answers), or None."""
        fact, fact_words = self.fact_asked(message)
        place_asked = self._asked(message, PLACE_ASKED)
        who_asked = bool(self._asked(message, ("who",)))
        action = self._action(message)
        kind, kind_words = self._kind_named(message)
        ignored = (fact_words | kind_words | self._phrase_words_of(message, tuple(
            name for name in self.lexicon.intents if not name.startswith("kind:")))
            | self._time_words(message))
        people = self.find_people(message)
        best = self._best_phrase(message)
        content = [w for w in self.content_words(message, ignored | self.lexicon.asking_words)
                   if not self._conference_words.matching(w)]
        unnamed = not content and kind is None and not people and not any(
            self._conference_words.matching(w) for w in message)  # "a zaczyna się o której?"
        leans_back = bool(fact or place_asked or who_asked or action) and focus is not None and (
            self.refers_back(message) or (unnamed and self._about_sessions(focus)))
        tone = _by_tone(text, message, self.lexicon)
        if (self._yes_no(message) or tone) and not action:
            claimed = self.relation_claim(message, focus)  # "is it before lunch?"
            if claimed is not None:
                return claimed
        elif not action and not people:
            relative = self.relative_to(message)  # "a po obiedzie?"
            if relative is not None:
                return relative
        if people and (self._yes_no(message) or tone) and not action:
            checked = self._about_people(message, people, ignored, kind, day, timed,
                                         claims_needed=not self._yes_no(message))
            if checked is not None:
                return checked
        if people or (best is not None and best[1] is not None and not leans_back
                      and not self._within_a_title(message, best[1], content, kind)
                      and not self._fact_of_named(
                          fact or ("who" if who_asked else None), message,
                          [w for w in content if w not in self._typed_phrase_words(
                              message, best[1])], kind, kind_words)
                      and not self._loosely_over_a_place(message, best[1], kind)):
            return None  # a person or a topic: read as before
        places = self.find_places(message)
        named_by_places = place_words(places)
        named = self.specific_sessions([w for w in content if w not in named_by_places], kind)
        if places and (focus is None or not self.refers_back(message)
                       or self._elsewhere(places, focus)):  # the place named outweighs a loose
            at_place = [s for s in named if s.venue in places]  # word
            named = at_place or self._held_at(places, kind) or named
        if not named and kind is not None and (not content or self.refers_back(message)):
            single = self.single_of_kind(kind, kind_words)
            named = [single] if single is not None else []
        if (best is not None and best[0].startswith("conference_") and not named
                and not leans_back):
            return None  # the conference itself
        refers = self.refers_back(message)
        bare = not [w for w in content if w not in named_by_places] and not people and kind is None
        sessions, focus_people, focus_places = (recalled(self.conference, focus)
                                                if focus else ([], [], []))
        from_dialogue = False
        targets = named
        chosen = (self._one_of(message, content, sessions)
                  if refers and not set(named) & set(sessions) else None)
        picked = [chosen] if chosen is not None else (
            self._among(sessions, kind, timed) if refers and not named else [])
        if picked:  # "which of those is about …?", "the afternoon one", "what talks are in it"
            targets, from_dialogue = picked, True
            if not (fact or who_asked or place_asked or action):
                return Intent("search", sessions=picked, query=text, from_dialogue=True)
        if not targets and (refers or bare) and not people:
            targets, from_dialogue = sessions, bool(sessions)
        if not targets and (refers or bare) and focus_places:  # "o której tam wizyta?"
            there = focus_places[-1:] if focus and focus.asked == "distance" else focus_places
            targets = self._held_at(there, kind)  # after a way, "there" is where it led
            from_dialogue = bool(targets)
        if (not fact and not place_asked and not who_asked and not action and focus
                and focus.asked in (*SESSION_FACTS, "where", "who") and named):
            fact = focus.asked if focus.asked in SESSION_FACTS else None
            if focus.asked == "where":
                place_asked = ["where"]
            who_asked = focus.asked == "who"
        if (self._yes_no(message) or tone) and targets and not action:
            verdict = self._check(targets[0], day, timed, places)
            if verdict is not None:
                return Intent("yesno", fact=verdict, sessions=targets[:1], day=day,
                              moments=timed.moments if timed else [], places=places,
                              from_dialogue=from_dialogue)
        if action is not None:
            if len(targets) >= 1 and (from_dialogue or len(targets) == 1):
                return Intent(action, query=targets[0].id, sessions=targets[:1],
                              from_dialogue=from_dialogue)
            return None
        if not place_asked and places and refers and targets and from_dialogue and not (
                fact or who_asked):
            place_asked = ["where"]  # "and from the station, how far is it there?"
        if place_asked:
            if len(places) >= 2 and place_asked[0] == "where":  # "from A to B", both named
                return Intent("distance", places=self._from_to(message, places))
            return self._place_question(place_asked[0], places, targets, focus_places,
                                        from_dialogue, refers or bare)
        if fact in ("after", "before") and targets:
            if fact == "after":
                moment = after(self.conference, targets)
                if moment is None:
                    return None
                return Intent("next", moments=[moment], sessions=targets,
                              from_dialogue=from_dialogue)
            return Intent("before", sessions=before(self.conference, targets),
                          from_dialogue=from_dialogue)
        if fact in SESSION_FACTS and targets:
            return Intent("fact", fact=fact, sessions=targets[:3], from_dialogue=from_dialogue)
        if who_asked and targets and not people:
            return Intent("who", sessions=targets[:3], query=text, from_dialogue=from_dialogue)
        if named and not fact and not who_asked and (kind is not None or (
                best is not None and best[0] in LISTINGS and len(content) >= 2 and not timed)
                or self._intent_within_a_title(message, best, named)
                or (best is not None and best[1] is not None)):  # a topic that yielded
            return Intent("search", sessions=named, query=text)  # "the session on X, what's it"
        if (refers or bare) and not named and focus_people and not targets and not fact:
            return Intent("person", people=focus_people, from_dialogue=True)
        if (refers and not named and not people and focus_people and targets
                and not fact and not who_asked and self._speaker_question(message)):
            return Intent("person", people=focus_people, from_dialogue=True)
        return None

    def _about_sessions(self, focus: Focus) -> bool:
        """Was the last answer about sessions, or about a place where a few are held?"""
        places = recalled(self.conference, focus)[2]
        return bool(focus.sessions) or bool(places and self._held_at(places[-1:], None))

    def _among(self, sessions: list[Session], kind: str | None,
               timed: Intent | None) -> list[Session]:
        """Of the sessions just talked about, those a kind or a part of the day picks out
        ("what talks are in it?" of a block, "the afternoon one" of three)."""
        if kind is not None:
            parts = [c for s in sessions for c in s.children if c.kind == kind]
            if parts:
                return parts
        if timed is not None and timed.name == "range" and len(timed.moments) == 2:
            start, end = timed.moments
            within = [s for s in sessions if s.times_announced and start <= s.span[0] < end]
            if 0 < len(within) < len(sessions):
                return within
        return []

    def _one_of(self, message: list[str], content: list[str],
                sessions: list[Session]) -> Session | None:
        """'which of those is about measuring change?', 'który z nich jest o wolontariacie?':
        the session of the last answer that the rest of the question names best."""
        if len(sessions) < 2 or not content or not any(
                w in self.lexicon.asking_words for w in message):
            return None
        ranked = self.search(" ".join(content), limit=len(self.conference.sessions), keep=0.0)
        return next((s for s in ranked if s in sessions), None)

    def _about_people(self, message: list[str], people: list[Person], ignored: set[str],
                      kind: str | None, day: Day | None, timed: Intent | None,
                      claims_needed: bool = False) -> Intent | None:
        """'Does Matejko run something on Thursday?', 'is Glińska's workshop on Wednesday?',
        'does Markuszewski moderate the volunteering panel?': checked against their sessions.

        Asked by tone alone ("Glińska?"), something must be claimed besides the person."""
        places = self.find_places(message)
        named_by_places = place_words(places)
        content = [w for w in self.content_words(message, ignored)
                   if not self._conference_words.matching(w) and w not in named_by_places
                   and not any(self._name_words(w))]
        theirs = [s for p in people for s in self.conference.with_person(p)]
        moments = timed.moments if timed else []
        named = self.specific_sessions(content, kind) if content else []
        if named and not (set(named) & set(theirs) and len(named) > 1):
            session = named[0]
            together = all(session in self.conference.with_person(p) for p in people)
            holds = together and self._check(session, day, timed, places) != "no"
            return Intent("yesno", fact="yes" if holds else "no", sessions=[session],
                          people=people, day=day, moments=moments, places=places)
        candidates = [s for s in theirs if kind is None or s.kind == kind]
        if not candidates or (claims_needed and not (day or timed or places or kind)):
            return None
        good = [s for s in candidates if self._check(s, day, timed, places) != "no"]
        return Intent("yesno", fact="yes" if good else "no", sessions=(good or candidates)[:1],
                      people=people, day=day, moments=moments, places=places)

    def _speaker_question(self, message: list[str]) -> bool:
        """'does she speak anywhere else?': a verb of the who-question ('speaks', 'виступає')
        asked of the person in focus."""
        verbs = {w for phrases in self.lexicon.intents.get("who", {}).values()
                 for phrase in phrases if len(phrase) > 1 for w in phrase[1:] if len(w) >= 4}
        return any(word_matches(verb, w) for w in message for verb in verbs)

    def _yes_no(self, message: list[str]) -> bool:
        """A yes/no question: opened by "czy", "чи", "is", "does"…, or with "ли" inside."""
        marks = self.lexicon.yes_no
        return bool(message) and (message[0] in marks or (len(message) > 1 and message[0]
                                                          in CONTINUING
                                                          and message[1] in marks)
                                  or any(w in marks and len(w) <= 3 and not w.isascii()
                                         for w in message[1:]))

    def _check(self, session: Session, day: Day | None, timed: Intent | None,
               places: list[Place]) -> str | None:
        """Do the claims about a session hold ("yes"/"no"), or None when nothing is claimed.

        Every claim named counts: "the visit in Dębniki on Thursday" is a no if either fails.
        """
        verdicts: list[bool] = []
        if timed is not None and timed.moments and session.times_announced:
            start = session.span[0]
            if timed.name == "range" and len(timed.moments) == 2:
                verdicts.append(timed.moments[0] <= start < timed.moments[1])
            else:
                zone = self.conference.timezone
                verdicts.append(start.astimezone(zone).time()
                                == timed.moments[0].astimezone(zone).time()
                                and (day is None or session.day is day))
        elif day is not None:
            verdicts.append(session.day is day)
        if places:
            verdicts.append(any(session.venue is p for p in places))
        if not verdicts:
            return None
        return "yes" if all(verdicts) else "no"

    def _elsewhere(self, places: list[Place], focus: Focus | None) -> bool:
        """'and the one on Konfederacka?' after sessions held elsewhere: the one held there."""
        held = recalled(self.conference, focus)[0] if focus is not None else []
        return bool(held) and all(s.venue is not None and s.venue not in places for s in held)

    def _held_at(self, places: list[Place], kind: str | None) -> list[Session]:
        """The sessions at a place named ("the visit in Skawina"), if they are few."""
        held = [s for s in self.conference.top_level(self.conference.walk())
                if any(s.venue is p for p in places) and (kind is None or s.kind == kind)]
        return held if 1 <= len(held) <= 3 else []

    def _place_question(self, asked: str, places: list[Place], targets: list[Session],
                        focus_places: list[Place], from_dialogue: bool,
                        leans: bool) -> Intent | None:
        """'where is it?', 'how do I get there from the station?', 'from A to B'."""
        destination: Place | None = venue_of(targets) if targets else None
        if destination is None and leans and focus_places:
            destination = focus_places[0]
        if destination is not None:
            origins = [p for p in places if p is not destination]
            if origins:
                return Intent("distance", places=[origins[0], destination],
                              sessions=targets[:3], from_dialogue=from_dialogue)
            if asked == "where":
                return Intent("where", places=[destination], sessions=targets[:3],
                              from_dialogue=from_dialogue)
        if len(places) >= 2 and asked == "where":
            return Intent("distance", places=places[:2])
        if targets and asked == "where" and not places:
            venues: list[Place] = [s.venue for s in targets if isinstance(s.venue, Venue)]
            return Intent("where", places=venues[:1] if len(set(map(id, venues))) == 1 else [],
                          sessions=targets[:3], from_dialogue=from_dialogue)
        return None


def _by_tone(text: str, message: list[str], lexicon: Lexicon) -> bool:
    """A yes/no question by its tone: it ends with "?" and asks no "when", "who", "how"…
    ("что-то" asks nothing)."""
    def asks(index: int) -> bool:
        following = message[index + 1] if index + 1 < len(message) else ""
        return (message[index] in lexicon.asking_words
                and following not in lexicon.indefinite_particles)

    asking = any(asks(index) for index in range(len(message)))
    return (text.rstrip().endswith("?") and len(message) >= 2 and not asking
            and message[0] not in CONTINUING)  # "and the one on Konfederacka?" asks it again
