"""Spoken and relative times: "za kwadrans", "через годину", "wpół do jedenastej", "пів на
третю", "half 1", "2:30pm", "w czwartek po południu", "after 5" — resolved to the conference's
days and time zone."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.language.lexicon import Lexicon, Phrase
from bot.language.textmatch import word_matches
from bot.programme.model import Conference, Day
from bot.understanding.intent import Intent

_BAD_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?!\d)")
_MERIDIEM = re.compile(r"(?<![\d:.])(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)(?!\w)")
SPOKEN = {"half_before": (-1, 30), "half_after": (0, 30), "quarter_after": (0, 15),
          "quarter_into": (-1, 15), "quarter_before": (-1, 45)}
"""A colloquial phrase before an hour: (hours to add to the hour named, minutes)."""
_SMALL = frozenset({"a", "an", "the", "o", "об", "о"})


class Spans:
    """Reading spoken and relative times; mixed into `Understanding`."""

    conference: Conference
    lexicon: Lexicon
    _weekdays: dict[str, Day]

    if TYPE_CHECKING:
        def _clock_time(self, text: str) -> time | None: ...

    def read_time(self, text: str, message: list[str], day: Day | None,
                  now: datetime) -> Intent | None:
        """A moment ("at") or a span ("range") the message names, or None."""
        bad = self._impossible(text)
        if bad is not None:
            return Intent("bad_time", query=bad)
        relative = self._relative(message, now)
        if relative is not None:
            return relative
        part = self._part_of_day(message)
        clock, after = self._spoken_clock(message)
        meridiem = _MERIDIEM.search(text.lower())
        if clock is None and meridiem is not None:
            hour = int(meridiem.group(1)) % 12 + (12 if meridiem.group(3).startswith("p") else 0)
            clock = (hour, int(meridiem.group(2) or 0), True)
        if clock is None and (part is not None or after):
            digits = self._clock_time(text)
            if digits is not None:
                clock = (digits.hour, digits.minute, digits.hour > 12)
        when = day or self._default_day(now)
        if when is None:
            return None
        if clock is not None and (part is not None or after or not clock[2]):
            moment = self._on_clock(when, clock, part)
            if after:
                end = self.conference.at(when, time(23, 59))
                return Intent("range", day=when, moments=[moment, end])
            return Intent("at", day=when, moments=[moment])
        if clock is not None and clock[2]:
            return Intent("at", day=when, moments=[self._on_clock(when, clock, part)])
        if part is not None:
            start = self.conference.at(when, time(part[0] % 24))
            end = self.conference.at(when, time(part[1] - 1, 59) if part[1] == 24
                                     else time(part[1]))
            return Intent("range", day=when, moments=[start, end])
        return None

    def _default_day(self, now: datetime) -> Day | None:
        """Today during the conference; before it, its first day; after it, none."""
        today = self.conference.day_of(now)
        if today is not None:
            return today
        later = [d for d in self.conference.days if d.date > now.date()]
        return later[0] if later else None

    def _impossible(self, text: str) -> str | None:
        for match in _BAD_CLOCK.finditer(text):
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour > 24 or minute > 59:
                return match.group(0)
        return None

    def _at(self, message: list[str], index: int, phrase: Phrase) -> bool:
        if index + len(phrase) > len(message):
            return False
        return all(message[index + i] == word
                   or (len(word) >= 4 and word[:3] == message[index + i][:3]
                       and len(message[index + i]) >= len(word) - 2
                       and word_matches(word, message[index + i]))
                   for i, word in enumerate(phrase))

    def _find(self, message: list[str], phrases: tuple[Phrase, ...]) -> list[tuple[int, int]]:
        """(start, end) of each phrase found in the message."""
        return [(i, i + len(p)) for i in range(len(message)) for p in phrases
                if self._at(message, i, p)]

    def _hour_at(self, message: list[str], index: int) -> int | None:
        """A clock hour (digits or a word) at a position of the message."""
        if index >= len(message):
            return None
        word = message[index]
        if word in self._weekdays:
            return None  # "w czwartek" is a day, not four o'clock
        if word.isdecimal():
            return int(word) if 0 <= int(word) <= 24 else None
        if index + 1 < len(message) and message[index + 1] in self.lexicon.day_words:
            return None  # "на перший день", "drugiego dnia": an ordinal of a day, not an hour
        hours = self.lexicon.times.hours
        exact = next((hour for hour, phrases in hours.items()  # "dziesiąta", not "dziewiąta"
                      if any(p == tuple(message[index:index + len(p)]) for p in phrases)), None)
        if exact is not None:
            return exact
        for hour, phrases in hours.items():
            if any(self._at(message, index, p) for p in phrases):
                return hour
        return None

    def _relative(self, message: list[str], now: datetime) -> Intent | None:
        """'in an hour', 'za 20 minut', 'через півгодини'; 'within the next half hour'."""
        times = self.lexicon.times
        for phrases, span in ((times.phrases.get("within", ()), True),
                              (times.phrases.get("from_now", ()), False)):
            for _, end in self._find(message, phrases):
                index = end
                while index < len(message) and message[index] in _SMALL:
                    index += 1
                number, index = self._count_at(message, index)
                if number > 1 and self._hour_at(message, index) is not None and not any(
                        self._at(message, index, p) for ps in times.units.values() for p in ps):
                    return None  # "za dziesięć pierwsza": minutes before an hour, a clock time
                for minutes, units in times.units.items():
                    unit = next((p for p in units if self._at(message, index, p)), None)
                    if unit is None:
                        continue
                    if self._hour_at(message, index + len(unit)) is not None:
                        return None  # "za kwadrans druga": a clock time, not a span
                    later = now + timedelta(minutes=number * minutes)
                    if span:
                        return Intent("range", moments=[now, later])
                    return Intent("at", moments=[later])
        return None

    def _count_at(self, message: list[str], index: int) -> tuple[int, int]:
        """(a count in digits or words at a position, the position after it); 1 when none."""
        if index < len(message) and message[index].isdecimal():
            return int(message[index]), index + 1
        found = [(len(p), number) for number, phrases in self.lexicon.times.numbers.items()
                 for p in phrases if self._at(message, index, p)]
        if found:
            size, number = max(found)
            return number, index + size
        return 1, index

    def _minutes_to(self, message: list[str]) -> tuple[int, int, bool] | None:
        """'za dziesięć pierwsza', 'без десяти два', 'ten to one': minutes before an hour."""
        times = self.lexicon.times
        starts = [start for start, _ in self._find(message, times.phrases.get("from_now", ()))]
        starts += [start for start, _ in self._find(message, times.phrases.get("minutes_to", ()))]
        for index in range(len(message)):
            minutes, after = self._count_at(message, index)
            if after == index or not 0 < minutes < 60:
                continue
            if index - 1 in starts and index > 0:  # "za dziesięć pierwsza", "без десяти два"
                hour = self._hour_at(message, after)
            elif after in starts:  # "ten to one"
                hour = self._hour_at(message, after + 1)
            else:
                continue
            if hour is not None:
                return ((hour - 1) % 12 or 12, 60 - minutes, False)
        return None

    def _part_of_day(self, message: list[str]) -> tuple[int, int] | None:
        for first, last, phrases in self.lexicon.times.parts_of_day.values():
            if self._find(message, phrases):
                return first, last
        return None

    def _spoken_clock(self, message: list[str]) -> tuple[tuple[int, int, bool] | None, bool]:
        """(hour, minute, is 24-hour) said in words, and whether "after" comes before it."""
        times = self.lexicon.times
        phrases = sorted(((end - start, end, shift, minutes)  # "без четверти" over "четверти"
                          for name, (shift, minutes) in SPOKEN.items()
                          for start, end in self._find(message, times.phrases.get(name, ()))),
                         key=lambda found: -found[0])
        for _, end, shift, minutes in phrases:
            hour = self._hour_at(message, end)
            if hour is not None:
                return ((hour + shift) % 12 or 12, minutes, False), False
        before_hour = self._minutes_to(message)
        if before_hour is not None:
            return before_hour, False
        for word in message:
            if word.startswith("пол") and len(word) > 5:  # "полчетвертого" = 3:30
                hour = self._hour_at([word[3:]], 0)
                if hour is not None:
                    return ((hour - 1) % 12 or 12, 30, False), False
        after_ends = {end for _, end in self._find(message, times.phrases.get("after", ()))}
        for index in range(len(message)):
            hour = self._hour_at(message, index)
            if hour is None:
                continue
            before = message[index - 1] if index else ""
            word = message[index]
            spoken = not word.isdecimal()
            if index in after_ends:
                return (hour, 0, hour > 12), True
            if before in self.lexicon.time_prepositions and spoken:
                return (hour, 0, False), False
        return None, False

    def _on_clock(self, day: Day, clock: tuple[int, int, bool], part: tuple[int, int] | None
                  ) -> datetime:
        """A 12-hour clock time on a day: in the part of the day named, else within the
        day's programme, else the afternoon reading for an early hour."""
        hour, minute, exact = clock
        if exact or hour > 12:
            return self.conference.at(day, time(hour % 24, minute))
        candidates = [hour % 12, hour % 12 + 12]
        if part is not None:
            inside = [h for h in candidates if part[0] <= h < part[1]]
            if inside:
                return self.conference.at(day, time(inside[0], minute))
        start, end = self.conference.day_start(day), self.conference.day_end(day)
        for h in candidates:
            moment = self.conference.at(day, time(h, minute))
            if start - timedelta(hours=1) <= moment <= end:
                return moment
        return self.conference.at(day, time(candidates[1] if hour < 8 else candidates[0], minute))
