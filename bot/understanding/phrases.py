"""Which phrases of the lexicon a message says: intents, info topics, kinds of session.

Phrases are matched word by word, tolerantly (an inflected ending, a typo in a longer word);
the phrase with the most letters typed as such wins.
"""

from __future__ import annotations

from bot.language.lexicon import Lexicon
from bot.language.textmatch import Vocabulary, word_matches
from bot.programme.model import InfoTopic

PLACE_QUESTIONS = ("distance", "where")
"""Intents decided by their question words alone (see Understanding._asked_place_intent)."""
ACTIONS = ("unremind", "remind")
"""Intents that act on a session named in the rest of the sentence; they outrank its topic."""
QUESTION_ONLY = ("who",)
"""Intents that only shape the question ('who runs …'): the rest of it names the sessions."""


class Phrases:
    """Matching the lexicon's phrases; mixed into `Understanding`."""

    lexicon: Lexicon
    _phrases: list[tuple[str, tuple[str, ...]]]
    _topic_phrases: list[tuple[InfoTopic, tuple[str, ...]]]
    _phrase_words: Vocabulary
    _all_phrases: list[tuple[str, tuple[str, ...], InfoTopic | None]]
    _phrases_by_word: dict[str, list[int]]

    def _gap_named(self, message: list[str]) -> InfoTopic | None:
        """A topic whose facts are not announced, named with its own words as typed, unless
        an announced topic answers to the same words (an answer the organisers added since)."""
        given = set(message)
        best: tuple[int, InfoTopic] | None = None
        answered: set[tuple[str, ...]] = set()
        for _, phrase, topic in self._candidates(self._phrase_words.matched(message)):
            if topic is None or not given.issuperset(phrase):
                continue
            if topic.announced:
                answered.add(phrase)
                continue
            weight = sum(len(w) for w in phrase)
            best = (weight, topic) if best is None or weight > best[0] else best
        if best is None or any(set(p) >= set(q) for p in answered
                               for q in self._topic_phrases_of(best[1])
                               if given.issuperset(q)):
            return None
        return best[1]

    def _topic_phrases_of(self, topic: InfoTopic) -> list[tuple[str, ...]]:
        return [phrase for known, phrase in self._topic_phrases if known is topic]

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
        if best is not None and (best[2] is None or best[2].announced):
            gap = self._gap_named(message)
            if gap is not None and (best[2] is not None or best[1].startswith("kind:")):
                return "topic", gap  # "a refund for the catering", "smoke in the break"
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

    def _phrase_words_of(self, message: list[str], names: tuple[str, ...]) -> set[str]:
        """The words of a message that belong to a matched phrase of some intents."""
        matched = self._phrase_words.matched(message)
        used: set[str] = set()
        for name, phrase, _ in self._candidates(matched):
            if name in names and matched.issuperset(phrase):
                used.update(w for w in message
                            if w in phrase or self._phrase_words.matching(w) & set(phrase))
        return used

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
