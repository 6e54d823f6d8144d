"""Which reading wins when words compete: a session named against an info page or a
question word that shares a word with it ("formie" of a visit, not of the conference; "help"
inside "Self-Help"; "działo" that only looks like "udział")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.language.lexicon import Lexicon
from bot.programme.model import InfoTopic, Place, Session
from bot.understanding.dialogue import SESSION_FACTS
from bot.understanding.entities import place_words


class Precedence:
    """Deciding between a session named and a topic or intent; mixed into `Understanding`."""

    lexicon: Lexicon

    if TYPE_CHECKING:
        def specific_sessions(self, content: list[str], kind: str | None) -> list[Session]: ...
        def find_places(self, message: list[str]) -> list[Place]: ...
        def _held_at(self, places: list[Place], kind: str | None) -> list[Session]: ...
        def single_of_kind(self, kind: str | None, named_by: set[str]) -> Session | None: ...
        def _topic_phrases_of(self, topic: InfoTopic) -> list[tuple[str, ...]]: ...
        def _title_words(self, session: Session) -> frozenset[str]: ...

    def _fact_of_named(self, fact: str | None, message: list[str], content: list[str],
                       kind: str | None, kind_words: set[str]) -> bool:
        """'w jakiej formie spotkanie w Naszej Ścianie?', 'що після обіду?', 'кто организует
        визит в Скавине?': a session's own fact (its format, what follows it, who runs it)
        asked of a session named, not the topic that shares the word (the conference's
        format, the catering, the organisers)."""
        if fact not in (*SESSION_FACTS, "after", "before", "who"):
            return False
        places = self.find_places(message)
        named_by_places = place_words(places)
        return bool(self.specific_sessions([w for w in content if w not in named_by_places], kind)
                    or (places and self._held_at(places, kind))
                    or (not content and self.single_of_kind(kind, kind_words)))

    def _within_a_title(self, message: list[str], topic: InfoTopic, content: list[str],
                        kind: str | None) -> bool:
        """'the mobile community room talk': the topic's word ('room') is a word of the title
        of the one session the rest of the message names, so it names that session."""
        named = self.specific_sessions(content, kind)
        if len(named) != 1:
            return False
        typed = self._typed_phrase_words(message, topic)
        return bool(typed) and typed <= self._title_words(named[0])

    def _intent_within_a_title(self, message: list[str],
                               best: tuple[str, InfoTopic | None] | None,
                               named: list[Session]) -> bool:
        """'the one on the Cultural Self-Help Centre': the words that look like a question
        ('help') are words of the title of the one session named."""
        if best is None or best[1] is not None or len(named) != 1:
            return False
        given = set(message)
        typed = {w for lang in self.lexicon.intents.get(best[0], {}).values() for phrase in lang
                 if given.issuperset(phrase) for w in phrase}
        return bool(typed) and typed <= self._title_words(named[0])

    def _loosely_over_a_place(self, message: list[str], topic: InfoTopic,
                              kind: str | None) -> bool:
        """'co się będzie działo w bibliotece w Skawinie': a topic matched only by a word
        that resembles its own ('działo' ~ 'udział') yields to a place named, where sessions
        are held."""
        if self._typed_phrase_words(message, topic):
            return False
        places = self.find_places(message)
        return bool(places and self._held_at(places, kind))

    def _typed_phrase_words(self, message: list[str], topic: InfoTopic) -> set[str]:
        """The words of a topic's phrases that a message has, as typed."""
        given = set(message)
        return {w for phrase in self._topic_phrases_of(topic) if given.issuperset(phrase)
                for w in phrase}
