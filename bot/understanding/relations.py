"""Before or after another session, claimed in a yes/no question.

"czy panel o metropoliach zaczyna się przed obiadem?", "is it before lunch?", "is the
local government panel right after the coffee break?": the words after "przed"/"before"/"після"
name the session the claim is measured against; the words before it (or the conversation) name
the session the question is about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.language.lexicon import Lexicon
from bot.language.textmatch import words
from bot.language.translit import to_cyrillic
from bot.programme.model import Conference, Person, Place, Session
from bot.storage.dialogue import Focus
from bot.understanding.dialogue import after, before, recalled
from bot.understanding.intent import Intent


class Relations:
    """Checking "before X" / "after X" claims; mixed into `Understanding`."""

    conference: Conference
    lexicon: Lexicon

    if TYPE_CHECKING:
        def _kind_named(self, message: list[str]) -> tuple[str | None, set[str]]: ...
        def single_of_kind(self, kind: str | None, named_by: set[str]) -> Session | None: ...
        def specific_sessions(self, content: list[str], kind: str | None) -> list[Session]: ...
        def content_words(self, message: list[str], ignored: set[str]) -> list[str]: ...
        def find_people(self, message: list[str]) -> list[Person]: ...
        def find_places(self, message: list[str]) -> list[Place]: ...
        def refers_back(self, message: list[str]) -> bool: ...
        def _held_at(self, places: list[Place], kind: str | None) -> list[Session]: ...
        def _phrase_words_of(self, message: list[str], names: tuple[str, ...]) -> set[str]: ...

    def relation_claim(self, message: list[str], focus: Focus | None) -> Intent | None:
        """A yes or no for "<session> before/after <session>", or None if none is claimed."""
        found = self._anchored(message, first=1)  # a claim needs something before its word
        if found is None:
            return None
        index, relation, anchor, head = found
        immediately = self.lexicon.relations.get("immediately", frozenset())
        head = [w for w in head if w not in immediately]
        named = self._session_named(head, people=True)
        target = named or self._in_focus(head, focus)
        if target is None or target is anchor or not target.times_announced:
            return None
        holds = self._holds(target, relation, anchor,
                            immediately=any(w in immediately for w in message[:index]))
        return Intent("yesno", fact="yes" if holds else "no", sessions=[target, anchor],
                      from_dialogue=named is None)

    def relative_to(self, message: list[str]) -> Intent | None:
        """'a po obiedzie?', 'що після відкриття?', 'before the coffee break?': what comes
        right after (or before) the one session named after the word of relation."""
        found = self._anchored(message)
        if found is None:
            return None
        _, relation, anchor, head = found
        if self._session_named(head, people=True) is not None or self._kind_named(head)[0]:
            return None  # "the panel after lunch", "panels after lunch": not what follows
        if relation == "after":
            return Intent("next", moments=[after(self.conference, [anchor]) or anchor.span[1]],
                          sessions=[anchor])
        return Intent("before", sessions=before(self.conference, [anchor]))

    def _anchored(self, message: list[str], first: int = 0
                  ) -> tuple[int, str, Session, list[str]] | None:
        """(where the word of relation is, "before" or "after", the one session named after
        it, the words before it) for the first such word, from `first`, that names a timed
        session."""
        relations = self.lexicon.relations
        for index, word in enumerate(message[first:], first):
            relation = next((name for name in ("before", "after")
                             if word in relations.get(name, ())), None)
            if relation is None:
                continue
            anchor = self._session_named(message[index + 1:])
            if anchor is not None and anchor.times_announced:
                return index, relation, anchor, _own_words(message[:index],
                                                           message[index + 1:])
        return None

    def _holds(self, target: Session, relation: str, anchor: Session,
               immediately: bool) -> bool:
        start, end = target.span
        if relation == "before":
            if immediately:  # nothing between them
                return end <= anchor.span[0] and not self._between(target, anchor)
            return start < anchor.span[0]
        if immediately:
            following = self.conference.next_after(after(self.conference, [anchor])
                                                   or anchor.span[1])
            return target in following or target.parent in following
        return start >= anchor.span[1]

    def _between(self, first: Session, second: Session) -> list[Session]:
        return [s for s in self.conference.top_level(self.conference.walk())
                if s.times_announced and s is not first and s is not second
                and first.span[1] <= s.span[0] < second.span[0]]

    def _session_named(self, words_: list[str], people: bool = False) -> Session | None:
        """The one session some words name: by a kind with one session ("lunch"), by title
        words, by a person's one session, or by a place's one session."""
        kind, kind_words = self._kind_named(words_)
        content = self.content_words(words_, kind_words | self._phrase_words_of(
            words_, tuple(name for name in self.lexicon.intents if not name.startswith("kind:"))))
        named = self.specific_sessions(content, kind) if content else []
        if people and not named:
            found = [s for p in self.find_people(words_) for s in self.conference.with_person(p)
                     if kind is None or s.kind == kind]
            named = found if len(found) == 1 else []
        if not named:
            places = self.find_places(words_)
            named = self._held_at(places, kind) if places else []
        if not named and kind is not None and not content:
            single = self.single_of_kind(kind, kind_words)
            named = [single] if single is not None else []
        return named[0] if len(named) == 1 else None

    def _in_focus(self, head: list[str], focus: Focus | None) -> Session | None:
        """"is it before lunch?": the one session the conversation is about."""
        if focus is None:
            return None
        sessions = recalled(self.conference, focus)[0]
        return sessions[0] if len(sessions) == 1 else None


def _own_words(head: list[str], tail: list[str]) -> list[str]:
    """The words before the word of relation, without the Latin originals of words after it
    (a message in Latin letters is read together with its Cyrillic rendering)."""
    return [w for w in head if not (w.isascii() and w.isalpha()
                                    and set(words(to_cyrillic(w))) <= set(tail))]
