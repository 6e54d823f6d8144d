"""The conference as the bot knows it: days, venues, people, sessions, practical information.

One job, the model and its queries (slightly above ~350 lines): the `Conference` and the
value types it is made of belong together; loading, validation, diffs and places live elsewhere
in bot/programme/.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

Text = dict[str, str]
"""A human text in every conference language: {"pl": …, "uk": …, "en": …}."""


class Written(dict[str, str]):
    """A text as a schedule wrote it: a version for every reader, not always in their language.

    It is a Text (one entry per conference language), so every view can read it as one; readers
    without a version of their own get the `default` language's, shown as written.
    """

    def __init__(self, versions: dict[str, str], languages: Iterable[str], default: str) -> None:
        super().__init__()
        self.versions = dict(versions)
        self.default = default if default in self.versions else next(iter(self.versions))
        for lang in languages:
            self[lang] = self.versions.get(lang, self.versions[self.default])

    def language_for(self, reader: str) -> str:
        """The language the reader sees this text in."""
        return reader if reader in self.versions else self.default


class NotAnnounced:
    """A fact the organisers have not announced; the bot says so instead of guessing."""

    _instance: NotAnnounced | None = None

    def __new__(cls) -> NotAnnounced:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_ANNOUNCED"

    def __bool__(self) -> bool:
        return False


NOT_ANNOUNCED = NotAnnounced()

SESSION_KINDS = (
    "registration", "opening", "block", "talk", "discussion", "break", "lunch",
    "panel", "workshop", "study_visit", "networking",
)


@dataclass(frozen=True)
class Day:
    id: str
    number: int
    date: date
    title: Text
    summary: Text
    hours: tuple[time, time] | None = None
    note: Text | None = None


@dataclass(frozen=True)
class Coordinates:
    """A point on the map, where it came from, and how far from it the place may really be."""

    lat: float
    lon: float
    source: str
    precision_m: int


@dataclass(frozen=True)
class Venue:
    id: str
    name: Text
    address: str | NotAnnounced
    coordinates: Coordinates | NotAnnounced = NOT_ANNOUNCED
    accessibility: Text | NotAnnounced = NOT_ANNOUNCED
    directions: Text | NotAnnounced = NOT_ANNOUNCED
    aliases: tuple[str, ...] = ()
    note: Text | None = None


@dataclass(frozen=True)
class Landmark:
    """A place people travel from (a railway station), not a venue of the conference."""

    id: str
    name: Text
    coordinates: Coordinates
    aliases: tuple[str, ...] = ()


Place = Venue | Landmark


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    affiliation: Text | NotAnnounced
    name_uk: str | None = None
    bio: Text | None = None
    note: Text | None = None


_changes = [0]
"""Bumped whenever any session changes (live edits change them in place): the time index of a
Conference is rebuilt when this moved since it was built."""


@dataclass(eq=False)
class Session:
    id: str
    day: Day
    kind: str
    title: Text
    description: Text | NotAnnounced
    audience: Text | NotAnnounced
    venue: Venue | NotAnnounced
    start: datetime | None
    """Aware start time; None when not announced (then the parent's span applies)."""
    end: datetime | None
    room: str | NotAnnounced | None = None
    """None: the venue is one space; NOT_ANNOUNCED: the room has not been announced."""
    host: Text | None = None
    format: Text | None = None
    moderators: tuple[Person, ...] = ()
    speakers: tuple[Person, ...] = ()
    speakers_note: Text | None = None
    parent: Session | None = None
    children: list[Session] = field(default_factory=list)
    languages: tuple[str, ...] = ()
    """The languages the session is held in (from a schedule), as codes: ("de", "en")."""
    track: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    """(title, url) pairs: the session's page, slides, recordings."""
    guid: str | None = None
    """The schedule's own identifier of the event, which survives renumbering."""
    cancelled: bool = False
    """Cancelled by an organiser's live edit: still listed (marked), so it can come back."""
    note: Text | None = None
    """An organiser's live note; may hold only some languages, the first one written first."""
    accounts: tuple[str, ...] = ()
    """Chat accounts (`platform:id`) that moderate the session's questions (`moderators:`)."""
    qa_open: bool = False
    """`qa: open`: questions to the session are approved without moderation."""
    places: int | None = None
    """How many people it can take, when the data says (`places:`)."""
    full: bool = False
    """An organiser or moderator said it is full (`/full`, kept as a live edit)."""

    def __setattr__(self, name: str, value: object) -> None:
        _changes[0] += 1
        object.__setattr__(self, name, value)

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def times_announced(self) -> bool:
        return self.start is not None

    @property
    def span(self) -> tuple[datetime, datetime]:
        """The session's own times, or its parent's when its own were not announced."""
        if self.start is not None and self.end is not None:
            return self.start, self.end
        assert self.parent is not None, f"session {self.id} has neither times nor a parent"
        return self.parent.span

    @property
    def people(self) -> tuple[Person, ...]:
        return self.moderators + self.speakers

    def is_running(self, moment: datetime) -> bool:
        start, end = self.span
        return start <= moment < end

    def overlaps(self, other: Session) -> bool:
        """The two share some moment (touching ends do not count); a session and one of its
        parts never overlap, nor does a session with itself."""
        if other is self or other.parent is self or self.parent is other:
            return False
        (start, end), (other_start, other_end) = self.span, other.span
        return start < other_end and other_start < end


@dataclass(frozen=True)
class InfoTopic:
    id: str
    title: Text
    body: Text
    keywords: dict[str, tuple[str, ...]]
    announced: bool = True
    """False for a topic people ask about whose facts the organisers have not announced
    (parking, Wi-Fi…): the answer says so and whom to ask, never a neighbouring page."""


@dataclass
class Conference:
    id: str
    name: Text
    short_name: Text
    edition: int
    """0 when not announced (a schedule does not say)."""
    theme: Text | NotAnnounced
    description: Text | NotAnnounced
    city: Text | NotAnnounced
    timezone: tzinfo
    """The local time: a ZoneInfo, or a fixed offset when a schedule gives only that."""
    languages: tuple[str, ...]
    days: tuple[Day, ...]
    venues: dict[str, Venue]
    people: dict[str, Person]
    sessions: dict[str, Session]
    info: tuple[InfoTopic, ...]
    website: str | None = None
    landmarks: dict[str, Landmark] = field(default_factory=dict)
    main_venue: Venue | None = None
    not_announced: tuple[InfoTopic, ...] = ()
    """Topics people ask about whose facts have not been announced (parking, Wi-Fi…)."""
    _index: _TimeIndex | None = field(default=None, init=False, repr=False, compare=False)

    def _timeline(self) -> _TimeIndex:
        """Sessions by time, built once per state of the programme (answers with 10,000
        sessions look up instead of scanning)."""
        key = (_changes[0], id(self.sessions), len(self.sessions))
        if self._index is None or self._index.key != key:
            self._index = _TimeIndex(key, self.sessions.values())
        return self._index

    # --- time ---------------------------------------------------------------------------

    @property
    def starts(self) -> datetime:
        return self._timeline().starts[0]

    @property
    def ends(self) -> datetime:
        return max(self.day_end(day) for day in self.days)

    def _day_span(self, day: Day) -> tuple[datetime, datetime]:
        span = self._timeline().day_spans.get(id(day))
        if span is None:
            raise ValueError(f"day {day.id} has no sessions")
        return span

    def day_start(self, day: Day) -> datetime:
        return self._day_span(day)[0]

    def day_end(self, day: Day) -> datetime:
        """The end of a day: its announced closing hour, or the end of its last session."""
        last = self._day_span(day)[1]
        if day.hours:
            return max(last, self.at(day, day.hours[1]))
        return last

    def at(self, day: Day, clock_time: time) -> datetime:
        """The aware moment of a local clock time on a conference day."""
        return datetime.combine(day.date, clock_time, tzinfo=self.timezone)

    def day_of(self, moment: datetime) -> Day | None:
        local = moment.astimezone(self.timezone).date()
        return next((day for day in self.days if day.date == local), None)

    def day_by_id(self, day_id: str) -> Day | None:
        return next((day for day in self.days if day.id == day_id), None)

    # --- sessions -----------------------------------------------------------------------

    def sessions_on(self, day: Day) -> list[Session]:
        return sorted((s for s in self.sessions.values() if s.day is day), key=_session_order)

    def top_level(self, sessions: Iterable[Session]) -> list[Session]:
        return [s for s in sessions if s.parent is None]

    def running_at(self, moment: datetime) -> list[Session]:
        """Sessions on at a moment, innermost first: a talk rather than the block around it."""
        index = self._timeline()
        first = bisect_right(index.starts, moment - index.longest)
        last = bisect_right(index.starts, moment)
        running = [s for s in index.by_start[first:last] if s.is_running(moment)]
        innermost = [
            s for s in running
            if not any(c.is_running(moment) and c.times_announced for c in s.children)
        ]
        # A talk without its own times is part of its parent, which is shown instead.
        return sorted((s for s in innermost if s.times_announced), key=_session_order)

    def next_after(self, moment: datetime) -> list[Session]:
        """The sessions starting at the first start time after a moment."""
        index = self._timeline()
        at = bisect_right(index.announced_starts, moment)
        if at == len(index.announced_starts):
            return []
        first = index.announced_starts[at]
        group = index.announced[at:bisect_right(index.announced_starts, first, lo=at)]
        # A block and its first talk start together: show the block, the talks come with it.
        return sorted((s for s in group if s.parent not in group), key=_session_order)

    def of_kind(self, kind: str) -> list[Session]:
        return sorted((s for s in self.sessions.values() if s.kind == kind), key=_session_order)

    def with_person(self, person: Person) -> list[Session]:
        return sorted((s for s in self.sessions.values() if person in s.people),
                      key=_session_order)

    def at_venue(self, venue: Venue) -> list[Session]:
        return sorted((s for s in self.sessions.values() if s.venue is venue and s.parent is None),
                      key=_session_order)

    def venues_of(self, sessions: Iterable[Session]) -> list[Venue]:
        """The distinct known venues of some sessions, in programme order."""
        found: list[Venue] = []
        for session in sorted(sessions, key=_session_order):
            if isinstance(session.venue, Venue) and session.venue not in found:
                found.append(session.venue)
        return found

    def walk(self) -> Iterator[Session]:
        yield from self._timeline().in_order


def _session_order(session: Session) -> tuple[datetime, int, int]:
    start, _ = session.span
    depth = 0 if session.parent is None else 1
    return start, depth, session.number


class _TimeIndex:
    """The sessions sorted by start (all, and those with their own times), the longest
    session, and each day's first start and last end."""

    def __init__(self, key: tuple[int, int, int], sessions: Iterable[Session]) -> None:
        self.key = key
        self.in_order = sorted(sessions, key=_session_order)
        """Programme order: by start, a block before its parts, then by number."""
        ordered = sorted(self.in_order, key=lambda s: s.span[0])
        self.by_start = ordered
        self.starts = [s.span[0] for s in ordered]
        self.announced = [s for s in ordered if s.times_announced]
        self.announced_starts = [s.span[0] for s in self.announced]
        self.longest = max((s.span[1] - s.span[0] for s in ordered), default=timedelta(0))
        self.day_spans: dict[int, tuple[datetime, datetime]] = {}
        for s in ordered:
            start, end = s.span
            first, last = self.day_spans.get(id(s.day), (start, end))
            self.day_spans[id(s.day)] = (min(first, start), max(last, end))
