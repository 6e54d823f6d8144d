"""Question words: which fact a question asks for, and whether it points back ("it", "tam")."""

from __future__ import annotations

from bot.language.lexicon import Lexicon
from bot.language.textmatch import Vocabulary, word_matches, words
from bot.language.translit import to_cyrillic
from bot.programme.model import Conference, Session

FACT_ORDER = ("end", "duration", "format", "host", "after", "before", "start")
"""When several facts match, the more particular wins: "do której" (end) over "kiedy" (start)."""


class Questions:
    """Reading the question itself, apart from what it names; mixed into `Understanding`."""

    conference: Conference
    lexicon: Lexicon
    _fact_words: Vocabulary
    _part_words: frozenset[str]
    _conference_words: Vocabulary

    def fact_asked(self, message: list[str]) -> tuple[str | None, set[str]]:
        """The fact a question asks for, and the words of the message that ask it.

        Short words must be typed as such; longer ones may carry an ending or a typo. The
        phrase with the most letters wins, so "do której" (end) beats "której" (start); the
        words of every phrase that matched are the question's, not what it names.
        """
        message = [w for w in message if w not in self._part_words]  # "afternoon" is no "after"
        matched = self._fact_words.matched(message)
        best: tuple[int, int, str, tuple[str, ...]] | None = None
        asking: set[str] = set()
        for name, phrases in self.lexicon.facts.items():
            for phrase in phrases:
                if matched.issuperset(phrase) and _in_order(phrase, message, self._fact_words):
                    asking.update(phrase)
                    weight = sum(len(w) for w in phrase)
                    rank = -FACT_ORDER.index(name)
                    if best is None or (weight, rank) > (best[0], best[1]):
                        best = (weight, rank, name, phrase)
        if best is None:
            return None, set()
        phrase_words = asking  # "о котрій" asks too, when "починається" decides the fact
        used = {w for w in message
                if w in phrase_words or self._fact_words.matching(w) & phrase_words}
        return best[2], used

    def refers_back(self, message: list[str]) -> bool:
        """Does the message point at something said before ("it", "tam", "його")?"""
        return any(w in self.lexicon.references for w in message)

    def content_words(self, message: list[str], ignored: set[str]) -> list[str]:
        """The words left once question words, references and small words are set aside.

        In transliterated text (read together with its Cyrillic rendering) a Latin word whose
        Cyrillic form is set aside is set aside too: "skolko" goes with "сколько".
        """
        lexicon = self.lexicon

        def aside(word: str) -> bool:
            return (word in ignored or word in lexicon.stopwords or word in lexicon.references
                    or len(word) < 3 or word.isdecimal())

        transliterated = any(not w.isascii() for w in message) and any(
            w.isascii() and w.isalpha() for w in message)
        return [w for w in message if not aside(w) and not (
            transliterated and w.isascii() and all(aside(c) for c in words(to_cyrillic(w))))]

    def of_category(self, kind: str, named_by: set[str]) -> list[Session]:
        """The sessions of a kind; when the programme types none so (an imported schedule
        calling lunch a "Break"), those whose own title or track says the word typed."""
        found = self.conference.of_kind(kind)
        if found or not named_by:
            return found
        return [s for s in self.conference.walk()
                if any(word_matches(typed, own) for typed in named_by
                       for text in (*s.title.values(), s.track or "") for own in words(text))]

    def single_of_kind(self, kind: str | None, named_by: set[str]) -> Session | None:
        """The one session of a kind ("lunch" when there is one lunch), if there is one."""
        if kind is None:
            return None
        found = self.of_category(kind, named_by)
        return found[0] if len(found) == 1 else None


def _in_order(phrase: tuple[str, ...], message: list[str], vocabulary: Vocabulary) -> bool:
    """A phrase of several words must appear as a run in the message ("po tym", not "po … tym")."""
    if len(phrase) == 1:
        return True
    for start in range(len(message) - len(phrase) + 1):
        if all(message[start + i] == word or word in vocabulary.matching(message[start + i])
               for i, word in enumerate(phrase)):
            return True
    return False
