"""A way between two places, read from the prepositions around the places named.

"z Dębnik do MAM-u", "from the station to the Skawina library", "ot vokzala do …", "I'm at
Kraków Główny, the best way to Our Wall?": the place after a word of origin is where the way
starts, the place after a word of destination where it ends, whatever verb asks it. With one
place named, the other end is the conversation's: "and from the main station?" after a place,
"a do Zabłocia?" after a way.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from bot.language.lexicon import Lexicon
from bot.language.textmatch import Vocabulary
from bot.programme.model import Conference, Place
from bot.storage.dialogue import Focus
from bot.understanding.dialogue import recalled, venue_of
from bot.understanding.intent import Intent

REACH = 3
"""How many words may stand between a preposition and the place it governs ("to the Our Wall
visit")."""


class Routes:
    """Ways between places; mixed into `Understanding`."""

    conference: Conference
    lexicon: Lexicon
    _place_words: Vocabulary
    _place_names: list[tuple[Place, tuple[str, ...]]]

    if TYPE_CHECKING:
        def find_places(self, message: list[str]) -> list[Place]: ...
        def _asked(self, message: list[str], names: tuple[str, ...]) -> list[str]: ...
        def refers_back(self, message: list[str]) -> bool: ...

    def route(self, message: list[str], focus: Focus | None) -> Intent | None:
        """A way asked for by the places and prepositions of a message, or None."""
        places = self.find_places(message)
        if not places:
            return self._same_way(message, focus)
        marked = {place.id: self._preposition_before(message, place) for place in places}
        origins = sorted((distance, i) for i, place in enumerate(places)
                         for role, distance in [marked[place.id]] if role == "origin")
        ends = sorted((distance, i) for i, place in enumerate(places)
                      for role, distance in [marked[place.id]] if role == "destination")
        origin = places[origins[0][1]] if origins else None
        destination = next((places[i] for _, i in ends if places[i] is not origin), None)
        asked = bool(self._asked(message, ("where", "distance")))
        if len(places) >= 2:
            if origin is not None and destination is None:
                destination = next(p for p in places if p is not origin)
            elif destination is not None and origin is None and asked:
                origin = next(p for p in places if p is not destination)
            if origin is not None and destination is not None:
                return Intent("distance", places=[origin, destination])
            return None
        if focus is None:
            return None
        sessions, _, known = recalled(self.conference, focus)
        here = venue_of(sessions) or (known[-1] if known else None)
        if (destination is not None and here is not None and here is not destination
                and self._from_there(message)):  # "а оттуда до Козловки?"
            return Intent("distance", places=[here, destination], from_dialogue=True)
        if len(message) > 8:
            return None  # one place, and a whole question of its own: not a way's other end
        if origin is not None and here is not None and here is not origin:
            return Intent("distance", places=[origin, here], sessions=sessions[:3],
                          from_dialogue=True)  # "and from the main station?": to what was said
        if destination is not None and focus.asked == "distance" and known:
            start = known[0]  # "a do Zabłocia?" after a way: the same start, another end
            if start is not destination:
                return Intent("distance", places=[start, destination], from_dialogue=True)
        return None

    def _from_there(self, message: list[str]) -> bool:
        """'stamtąd', 'звідти', 'from there': the way starts where the talk was."""
        lexicon = self.lexicon
        return any(w in lexicon.origin_references for w in message) or any(
            first in lexicon.origin_words and second in lexicon.references
            for first, second in pairwise(message))

    def _same_way(self, message: list[str], focus: Focus | None) -> Intent | None:
        """'a ile to trwa pociągiem?', 'а трамваєм?', 'ile to km?' after a way: that way
        again."""
        if focus is None or focus.asked != "distance" or not (
                any(w in self.lexicon.travel_modes for w in message)
                or self._asked(message, ("distance",))):  # "ile to km?" after a way
            return None
        _, _, known = recalled(self.conference, focus)
        if len(known) < 2:
            return None
        return Intent("distance", places=known[:2], from_dialogue=True)

    def _preposition_before(self, message: list[str], place: Place) -> tuple[str, int]:
        """('origin' | 'destination' | '', distance): the preposition governing a place."""
        phrases = [set(phrase) for known, phrase in self._place_names if known is place]
        first = next((i for i, w in enumerate(message)
                      if any(self._place_words.matching(w) & p for p in phrases)), None)
        if first is None:
            return "", 0
        for distance in range(1, REACH + 1):
            if first - distance < 0:
                break
            word = message[first - distance]
            if word in self.lexicon.origin_words:
                return "origin", distance
            if word in self.lexicon.destination_words:
                return "destination", distance
        return "", 0

