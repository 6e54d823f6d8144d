"""Days and times in free text: weekdays, dates, "tomorrow", clock times, relative times."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from babel import Locale

from bot.language.i18n import Catalogue
from bot.language.lexicon import Lexicon
from bot.language.textmatch import ascii_digits, fold, phrase_in, word_matches, words
from bot.programme.model import Conference, Day

_CLOCK = re.compile(r"(?<![\d.:])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d])(?![.:]\d)")
_MERIDIEM = re.compile(r"(?<![\d:.])(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)(?!\w)")
_DAY_MONTH = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})(?:[./]\d{2,4})?(?![\d:])")


class TimeExpressions:
    """Reading days and moments; mixed into `Understanding`."""

    conference: Conference
    lexicon: Lexicon
    _weekdays: dict[str, Day]
    _months: dict[str, int]

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
