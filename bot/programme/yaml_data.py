"""Load the conference from `data/` and validate it; every problem names file, item and field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.language.lexicon import Lexicon
from bot.language.textmatch import words
from bot.programme.model import (
    NOT_ANNOUNCED,
    SESSION_KINDS,
    Conference,
    Coordinates,
    Day,
    InfoTopic,
    Landmark,
    NotAnnounced,
    Person,
    Session,
    Text,
    Venue,
)

NOT_ANNOUNCED_WORD = "not_announced"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


@dataclass(frozen=True)
class Problem:
    file: str
    item: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.item}" if self.item else self.file
        return f"{where}: {self.problem}"


class DataError(Exception):
    """The conference data cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"the conference data has {len(problems)} problem(s):\n{lines}")


class _Checker:
    """Reads fields of one item in one file and records what is wrong with them."""

    def __init__(self, problems: list[Problem], file: str, item: str,
                 raw: Any, languages: tuple[str, ...]) -> None:
        self.problems, self.file, self.item, self.languages = problems, file, item, languages
        self.raw = raw if isinstance(raw, dict) else {}
        if not isinstance(raw, dict):
            self.fail("", "must be a mapping of fields")

    def fail(self, field: str, problem: str) -> None:
        prefix = f"field '{field}': " if field else ""
        self.problems.append(Problem(self.file, self.item, prefix + problem))

    def has(self, field: str) -> bool:
        return field in self.raw

    def is_not_announced(self, field: str) -> bool:
        return self.raw.get(field) == NOT_ANNOUNCED_WORD

    def string(self, field: str, required: bool = True) -> str | None:
        value = self.raw.get(field)
        if value is None:
            if required:
                self.fail(field, "is missing")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(field, "must be a non-empty text")
            return None
        return value.strip()

    @overload
    def text(self, field: str, required: bool = ...,
             may_be_unannounced: Literal[False] = ...) -> Text | None: ...

    @overload
    def text(self, field: str, required: bool = ...,
             *, may_be_unannounced: bool) -> Text | NotAnnounced | None: ...

    def text(self, field: str, required: bool = True,
             may_be_unannounced: bool = False) -> Text | NotAnnounced | None:
        """A translated text: one non-empty string per conference language."""
        value = self.raw.get(field)
        if value is None:
            if required:
                hint = (f" (write {NOT_ANNOUNCED_WORD} if it is not known)"
                        if may_be_unannounced else "")
                self.fail(field, "is missing" + hint)
            return None
        if value == NOT_ANNOUNCED_WORD:
            if may_be_unannounced:
                return NOT_ANNOUNCED
            self.fail(field, f"cannot be {NOT_ANNOUNCED_WORD}")
            return None
        if not isinstance(value, dict):
            self.fail(field, "must be a mapping of language to text, e.g. {pl: …, uk: …, en: …}")
            return None
        text: Text = {}
        for lang in self.languages:
            translation = value.get(lang)
            if not isinstance(translation, str) or not translation.strip():
                self.fail(field, f"the '{lang}' version is missing or empty")
            else:
                text[lang] = translation.strip()
        for extra in set(value) - set(self.languages):
            self.fail(field, f"'{extra}' is not one of the conference languages "
                             f"{', '.join(self.languages)}")
        return text if len(text) == len(self.languages) else None

    def clock_time(self, field: str) -> time | None:
        value = self.raw.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 reads an unquoted 15:00 as the sexagesimal number 900.
            value = f"{value // 60:02d}:{value % 60:02d}"
        if not isinstance(value, str):
            self.fail(field, 'is missing or not a time like "15:00"')
            return None
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            self.fail(field, f'"{value}" is not a time like "15:00"')
            return None

    def string_list(self, field: str) -> list[str]:
        value = self.raw.get(field, [])
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(field, "must be a list of texts")
            return []
        return value


def _read_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    name = _display(path, root)
    if not path.exists():
        problems.append(Problem(name, "", "the file is missing"))
        return None
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_YAML_LOADER)  # a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        problems.append(Problem(name, "", f"{where}not valid YAML ({problem})"))
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(name, "", f"cannot be read ({error})"))
    return None


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _items(document: Any, key: str, file: str, problems: list[Problem]) -> list[Any]:
    if document is None:
        return []
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(file, "", f"must contain a list '{key}:'"))
        return []
    return items


def _item_name(kind: str, raw: Any, index: int) -> str:
    identifier = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind} {identifier}" if identifier else f"{kind} #{index + 1}"


def _unique(seen: set[str], identifier: str | None, check: _Checker) -> None:
    if identifier is None:
        return
    if identifier in seen:
        check.fail("id", f"'{identifier}' is used twice")
    seen.add(identifier)


def load_conference(data_dir: Path) -> tuple[Conference, Lexicon]:
    """Read and check every file of a data folder; raise DataError listing all problems."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise DataError([Problem(str(data_dir), "", "the data folder does not exist")])

    conf_file = data_dir / "conference.yaml"
    conf_name = _display(conf_file, data_dir)
    raw_conf = _read_yaml(conf_file, data_dir, problems)
    if raw_conf is None:
        raise DataError(problems or [Problem(conf_name, "", "the file is empty")])
    languages = raw_conf.get("languages") if isinstance(raw_conf, dict) else None
    if (not isinstance(languages, list) or not languages
            or not all(isinstance(code, str) and code for code in languages)):
        raise DataError([*problems, Problem(conf_name, "conference",
                                            "field 'languages': must be a list like [pl, uk, en]")])
    languages_t = tuple(languages)

    def checker(file: str, item: str, raw: Any) -> _Checker:
        return _Checker(problems, file, item, raw, languages_t)

    conf = checker(conf_name, "conference", raw_conf)
    timezone = _timezone(conf)
    days = _load_days(conf, checker, conf_name)
    venues, landmarks = _load_venues(data_dir, checker, problems)
    people = _load_people(data_dir, checker, problems)
    sessions = _load_sessions(data_dir, checker, problems, days, venues, people, timezone)
    info = _load_info(data_dir, checker, problems, languages_t)
    intents_file = _display(data_dir / "intents.yaml", data_dir)
    lexicon = Lexicon.load(data_dir / "intents.yaml", languages_t,
                           lambda item, problem: problems.append(
                               Problem(intents_file, item, problem)))

    conference = Conference(
        id=conf.string("id") or "",
        name=conf.text("name") or {},
        short_name=conf.text("short_name") or {},
        edition=_edition(conf),
        theme=_known(conf.text("theme", may_be_unannounced=True)),
        description=_known(conf.text("description", may_be_unannounced=True)),
        city=_known(conf.text("city", may_be_unannounced=True)),
        timezone=timezone or ZoneInfo("UTC"),
        languages=languages_t,
        days=tuple(days),
        venues=venues,
        people=people,
        sessions=sessions,
        info=tuple(t for t in info if t.announced),
        not_announced=tuple(t for t in info if not t.announced),
        website=conf.string("website", required=False),
        landmarks=landmarks,
        main_venue=_main_venue(conf, venues),
    )
    if not problems:
        _check_overlaps(conference, data_dir, problems)
        for day in conference.days:
            if not conference.sessions_on(day):
                problems.append(Problem(conf_name, f"day {day.id}", "has no sessions"))
    if problems:
        raise DataError(problems)
    return conference, lexicon


def _timezone(conf: _Checker) -> ZoneInfo | None:
    name = conf.string("timezone")
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        conf.fail("timezone", f"'{name}' is not a known time zone (e.g. Europe/Warsaw)")
        return None


def _known(text: Text | NotAnnounced | None) -> Text | NotAnnounced:
    return {} if text is None else text


def _edition(conf: _Checker) -> int:
    if conf.is_not_announced("edition"):
        return 0
    value = conf.raw.get("edition")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        conf.fail("edition", "must be a positive whole number")
        return 0
    return value


def _load_days(conf: _Checker, checker: Any, file: str) -> list[Day]:
    raw_days = conf.raw.get("days")
    if not isinstance(raw_days, list) or not raw_days:
        conf.fail("days", "must be a non-empty list of days")
        return []
    days: list[Day] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_days):
        check = checker(file, _item_name("day", raw, index), raw)
        identifier = check.string("id")
        _unique(seen, identifier, check)
        day_date = check.raw.get("date")
        if isinstance(day_date, datetime) or not isinstance(day_date, date):
            check.fail("date", "is missing or not a date like 2023-11-29")
            day_date = None
        hours = None
        if check.has("hours"):
            hours_check = checker(file, f"{check.item} hours", check.raw["hours"])
            start, end = hours_check.clock_time("start"), hours_check.clock_time("end")
            if start and end:
                if start >= end:
                    hours_check.fail("end", "must be later than start")
                hours = (start, end)
        title, summary = check.text("title"), check.text("summary")
        note = check.text("note", required=False)
        if identifier and day_date and title and summary:
            days.append(Day(identifier, index + 1, day_date, title, summary, hours, note or None))
    ordered = sorted(days, key=lambda d: d.date)
    if [d.id for d in ordered] != [d.id for d in days]:
        conf.fail("days", "must be listed in date order")
    return days


def _main_venue(conf: _Checker, venues: dict[str, Venue]) -> Venue | None:
    venue_id = conf.string("main_venue", required=False)
    if venue_id is None:
        return None
    if venue_id not in venues:
        conf.fail("main_venue", f"refers to unknown venue '{venue_id}'")
        return None
    return venues[venue_id]


def _coordinates(check: _Checker, required: bool = True) -> Coordinates | NotAnnounced | None:
    if check.is_not_announced("coordinates"):
        return NOT_ANNOUNCED if required else None
    raw = check.raw.get("coordinates")
    if not isinstance(raw, dict):
        check.fail("coordinates", "is missing or not a mapping {lat, lon, source, precision_m}"
                   + (f" (write {NOT_ANNOUNCED_WORD} if it is not known)" if required else ""))
        return None
    lat, lon, precision = raw.get("lat"), raw.get("lon"), raw.get("precision_m")
    problems = []
    if not isinstance(lat, (int, float)) or isinstance(lat, bool) or not -90 <= lat <= 90:
        problems.append("'lat' must be a number between -90 and 90")
    if not isinstance(lon, (int, float)) or isinstance(lon, bool) or not -180 <= lon <= 180:
        problems.append("'lon' must be a number between -180 and 180")
    if not isinstance(raw.get("source"), str) or not raw["source"].strip():
        problems.append("'source' must say where the point comes from")
    if not isinstance(precision, int) or isinstance(precision, bool) or precision <= 0:
        problems.append("'precision_m' must be a positive whole number of metres")
    for problem in problems:
        check.fail("coordinates", problem)
    if problems:
        return None
    assert isinstance(lat, (int, float)) and isinstance(lon, (int, float))  # checked above
    assert isinstance(precision, int)
    return Coordinates(float(lat), float(lon), raw["source"].strip(), precision)


def _load_venues(data_dir: Path, checker: Any, problems: list[Problem]
                 ) -> tuple[dict[str, Venue], dict[str, Landmark]]:
    path = data_dir / "venues.yaml"
    file = _display(path, data_dir)
    document = _read_yaml(path, data_dir, problems)
    venues: dict[str, Venue] = {}
    aliases: dict[str, str] = {}

    def claim(check: _Checker, owner: str, names: list[str]) -> None:
        for alias in names:
            key = " ".join(words(alias))
            if key in aliases and aliases[key] != owner:
                check.fail("aliases", f"'{alias}' is also an alias of '{aliases[key]}'")
            aliases[key] = owner

    for index, raw in enumerate(_items(document, "venues", file, problems)):
        check = checker(file, _item_name("venue", raw, index), raw)
        identifier = check.string("id")
        _unique(set(venues), identifier, check)
        name = check.text("name")
        address: str | NotAnnounced | None = (
            NOT_ANNOUNCED if check.is_not_announced("address") else check.string("address"))
        coordinates = _coordinates(check)
        accessibility = check.text("accessibility", may_be_unannounced=True)
        directions = check.text("directions", may_be_unannounced=True)
        names = check.string_list("aliases")
        claim(check, identifier or "?", names)
        if (identifier and name and address is not None and coordinates is not None
                and accessibility is not None and directions is not None):
            venues[identifier] = Venue(
                id=identifier, name=name, address=address, coordinates=coordinates,
                accessibility=accessibility, directions=directions, aliases=tuple(names),
                note=check.text("note", required=False) or None,
            )
    landmarks: dict[str, Landmark] = {}
    raw_landmarks = document.get("landmarks", []) if isinstance(document, dict) else []
    for index, raw in enumerate(raw_landmarks if isinstance(raw_landmarks, list) else []):
        check = checker(file, _item_name("landmark", raw, index), raw)
        identifier = check.string("id")
        if identifier in venues:
            check.fail("id", f"'{identifier}' is already a venue id")
        _unique(set(landmarks), identifier, check)
        name = check.text("name")
        coordinates = _coordinates(check, required=False)
        names = check.string_list("aliases")
        claim(check, identifier or "?", names)
        if identifier and name and isinstance(coordinates, Coordinates):
            landmarks[identifier] = Landmark(identifier, name, coordinates, tuple(names))
    return venues, landmarks


def _load_people(data_dir: Path, checker: Any, problems: list[Problem]) -> dict[str, Person]:
    path = data_dir / "people.yaml"
    file = _display(path, data_dir)
    people: dict[str, Person] = {}
    for index, raw in enumerate(_items(_read_yaml(path, data_dir, problems), "people", file,
                                       problems)):
        check = checker(file, _item_name("person", raw, index), raw)
        identifier = check.string("id")
        _unique(set(people), identifier, check)
        name = check.string("name")
        affiliation = check.text("affiliation", may_be_unannounced=True)
        if identifier and name and affiliation is not None:
            people[identifier] = Person(
                id=identifier, name=name, affiliation=affiliation,
                name_uk=check.string("name_uk", required=False),
                bio=check.text("bio", required=False) or None,
                note=check.text("note", required=False) or None,
            )
    return people


def _load_sessions(data_dir: Path, checker: Any, problems: list[Problem], days: list[Day],
                   venues: dict[str, Venue], people: dict[str, Person],
                   timezone: ZoneInfo | None) -> dict[str, Session]:
    folder = data_dir / "programme"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        problems.append(Problem(_display(folder, data_dir), "", "no programme files (*.yaml)"))
    sessions: dict[str, Session] = {}
    parents: dict[str, str] = {}
    checks: dict[str, _Checker] = {}
    days_by_id = {day.id: day for day in days}
    for path in files:
        file = _display(path, data_dir)
        for index, raw in enumerate(_items(_read_yaml(path, data_dir, problems), "sessions", file,
                                           problems)):
            check = checker(file, _item_name("session", raw, index), raw)
            session = _session(check, days_by_id, venues, people, timezone, set(sessions))
            if session is None:
                continue
            sessions[session.id] = session
            checks[session.id] = check
            parent_id = check.string("parent", required=False)
            if parent_id:
                parents[session.id] = parent_id
    for child_id, parent_id in parents.items():
        parent, child, check = sessions.get(parent_id), sessions[child_id], checks[child_id]
        if parent is None:
            check.fail("parent", f"refers to unknown session '{parent_id}'")
            continue
        if parent is child or parent.parent is not None:
            check.fail("parent", f"'{parent_id}' cannot contain this session "
                                 "(only one level of nesting)")
            continue
        if parent.day is not child.day:
            check.fail("parent", f"'{parent_id}' is on another day")
            continue
        child.parent = parent
        parent.children.append(child)
        if child.start and child.end and parent.start and parent.end and (
                child.start < parent.start or child.end > parent.end):
            check.fail("start", f"the session must lie within its parent {parent_id} "
                                f"({parent.start:%H:%M}–{parent.end:%H:%M})")
    for session_id, session in sessions.items():
        if session.start is None and session.parent is None:
            checks[session_id].fail("start", "not_announced is only allowed for a session "
                                             "that has a parent")
    return sessions


def _session(check: _Checker, days: dict[str, Day], venues: dict[str, Venue],
             people: dict[str, Person], timezone: ZoneInfo | None,
             taken: set[str]) -> Session | None:
    identifier = check.string("id")
    if identifier is not None:
        if not (identifier.startswith("s") and identifier[1:].isdigit()):
            check.fail("id", f"'{identifier}' must be 's' followed by a number, like s12")
            identifier = None
        else:
            _unique(taken, identifier, check)

    day_id = check.string("day")
    day = days.get(day_id) if day_id else None
    if day_id and day is None:
        check.fail("day", f"refers to unknown day '{day_id}' (days: {', '.join(days)})")

    start = end = None
    if check.is_not_announced("start") or check.is_not_announced("end"):
        if not (check.is_not_announced("start") and check.is_not_announced("end")):
            check.fail("end", "start and end must both be given or both be not_announced")
    else:
        start_time, end_time = check.clock_time("start"), check.clock_time("end")
        next_day = check.raw.get("ends_next_day") is True  # a night session, past midnight
        if start_time and end_time and start_time >= end_time and not next_day:
            check.fail("end", f"ends ({end_time:%H:%M}) before it starts ({start_time:%H:%M})")
        elif start_time and end_time and day and timezone:
            start = datetime.combine(day.date, start_time, tzinfo=timezone)
            end = datetime.combine(day.date + timedelta(days=int(next_day)), end_time,
                                   tzinfo=timezone)

    kind = check.string("kind")
    if kind and kind not in SESSION_KINDS:
        check.fail("kind", f"'{kind}' is not one of {', '.join(SESSION_KINDS)}")

    venue: Venue | NotAnnounced | None = NOT_ANNOUNCED
    if not check.is_not_announced("venue"):
        venue_id = check.string("venue")
        venue = venues.get(venue_id) if venue_id else None
        if venue_id and venue is None:
            check.fail("venue", f"refers to unknown venue '{venue_id}'")

    room: str | NotAnnounced | None = None
    if check.has("room"):
        room = NOT_ANNOUNCED if check.is_not_announced("room") else check.string("room")

    def persons(field: str) -> tuple[Person, ...]:
        found = []
        for person_id in check.string_list(field):
            if person_id not in people:
                check.fail(field, f"refers to unknown person '{person_id}'")
            else:
                found.append(people[person_id])
        return tuple(found)

    moderators, speakers = persons("moderators"), persons("speakers")
    title = check.text("title")
    description = check.text("description", may_be_unannounced=True)
    audience = check.text("audience", may_be_unannounced=True)
    optional = {name: check.text(name, required=False) or None
                for name in ("host", "format", "speakers_note")}
    if not (identifier and day and kind in SESSION_KINDS and venue is not None and title
            and description is not None and audience is not None):
        return None
    if start is None and not check.is_not_announced("start"):
        return None
    return Session(
        id=identifier, day=day, kind=kind, title=title, description=description,
        audience=audience, venue=venue, start=start, end=end, room=room,
        moderators=moderators, speakers=speakers, host=optional["host"],
        format=optional["format"], speakers_note=optional["speakers_note"],
        **_schedule_fields(check),
    )


def _schedule_fields(check: _Checker) -> dict[str, Any]:
    """The optional fields an imported schedule brings: track, languages, links."""
    links = []
    raw_links = check.raw.get("links") or []
    for link in raw_links if isinstance(raw_links, list) else [None]:
        if not (isinstance(link, dict) and isinstance(link.get("url"), str)
                and link["url"].startswith(("http://", "https://"))):
            check.fail("links", "must be a list of {title: …, url: https://…}")
            break
        links.append((str(link.get("title") or link["url"]), link["url"]))
    return {"track": check.string("track", required=False),
            "languages": tuple(check.string_list("languages")), "links": tuple(links)}


def _load_info(data_dir: Path, checker: Any, problems: list[Problem],
               languages: tuple[str, ...]) -> list[InfoTopic]:
    path = data_dir / "info.yaml"
    file = _display(path, data_dir)
    topics: list[InfoTopic] = []
    seen: set[str] = set()
    raw_file = _read_yaml(path, data_dir, problems)
    for index, raw in enumerate(_items(raw_file, "topics", file, problems)):
        check = checker(file, _item_name("topic", raw, index), raw)
        identifier = check.string("id")
        _unique(seen, identifier, check)
        title, body = check.text("title"), check.text("body")
        keywords: dict[str, tuple[str, ...]] = {}
        raw_keywords = check.raw.get("keywords")
        if not isinstance(raw_keywords, dict):
            check.fail("keywords", "must be a mapping of language to a list of words")
        else:
            for lang in languages:
                words = raw_keywords.get(lang)
                if not isinstance(words, list) or not words or not all(
                        isinstance(w, str) and w for w in words):
                    check.fail("keywords", f"the '{lang}' list is missing or empty")
                else:
                    keywords[lang] = tuple(words)
            # Languages understood but not served (Russian, see intents.yaml: answer_in).
            for lang, words in raw_keywords.items():
                if lang not in languages and isinstance(words, list) and all(
                        isinstance(w, str) and w for w in words):
                    keywords[str(lang)] = tuple(words)
        if identifier and title and body and len(keywords) >= len(languages):
            topics.append(InfoTopic(identifier, title, body, keywords))
    return topics + _not_announced(raw_file, file, checker, problems, languages, seen)


def _not_announced(raw: Any, file: str, checker: Any, problems: list[Problem],
                   languages: tuple[str, ...], seen: set[str]) -> list[InfoTopic]:
    """`not_announced:` in info.yaml: topics people ask about that the sources do not give
    (an id, a title and keywords, no body)."""
    found: list[InfoTopic] = []
    entries = raw.get("not_announced", []) if isinstance(raw, dict) else []
    if not isinstance(entries, list):
        problems.append(Problem(file, "not_announced", "must be a list of topics"))
        return found
    for index, item in enumerate(entries):
        check = checker(file, _item_name("not_announced", item, index), item)
        identifier, title = check.string("id"), check.text("title")
        _unique(seen, identifier, check)
        raw_keywords = check.raw.get("keywords")
        if not isinstance(raw_keywords, dict) or not all(
                isinstance(v, list) and v and all(isinstance(w, str) and w for w in v)
                for v in raw_keywords.values()) or any(lang not in raw_keywords
                                                       for lang in languages):
            check.fail("keywords", "must map every language to a list of words")
            continue
        if identifier and title:
            found.append(InfoTopic(identifier, title, title, {
                str(lang): tuple(words) for lang, words in raw_keywords.items()},
                announced=False))
    return found


def check_programme(conference: Conference, file: str = "programme") -> list[Problem]:
    """The checks of loading that a changed programme must still pass (live edits): times
    within their day and start before end, a part within its parent, no two sessions in one
    room at once."""
    problems: list[Problem] = []
    for session in conference.walk():
        if session.start is None or session.end is None:
            continue
        item = f"session {session.id}"
        local_start = session.start.astimezone(conference.timezone)
        local_end = session.end.astimezone(conference.timezone)
        if local_start.date() != session.day.date or local_end.date() != session.day.date:
            problems.append(Problem(file, item, "field 'start': the times must lie within "
                                                f"its day ({session.day.date:%Y-%m-%d})"))
        elif session.start >= session.end:
            problems.append(Problem(file, item, f"field 'end': ends ({local_end:%H:%M}) "
                                                f"before it starts ({local_start:%H:%M})"))
        parent = session.parent
        if parent is not None and parent.start and parent.end and (
                session.start < parent.start or session.end > parent.end):
            problems.append(Problem(file, item, "field 'start': the session must lie within "
                                                f"its parent {parent.id} ({parent.start:%H:%M}"
                                                f"–{parent.end:%H:%M})"))
    if not problems:
        _check_overlaps(conference, Path(file), problems, file)
    return problems


def _check_overlaps(conference: Conference, data_dir: Path, problems: list[Problem],
                    file: str | None = None) -> None:
    """Two sessions may not share a known room (or a one-space venue) at the same time."""
    file = file or _display(data_dir / "programme", data_dir)
    timed = [s for s in conference.walk() if s.times_announced and s.venue and not s.cancelled]
    for i, first in enumerate(timed):
        for second in timed[i + 1:]:
            if first.venue is not second.venue or first.day is not second.day:
                continue
            if first.room is NOT_ANNOUNCED or second.room is NOT_ANNOUNCED:
                continue
            if first.room != second.room:
                continue
            if first.parent is second or second.parent is first:
                continue
            (a_start, a_end), (b_start, b_end) = first.span, second.span
            if a_start < b_end and b_start < a_end:
                venue_id = first.venue.id if isinstance(first.venue, Venue) else "?"
                where = f"room '{first.room}'" if first.room else f"venue '{venue_id}'"
                problems.append(Problem(
                    file, f"session {second.id}",
                    f"overlaps session {first.id} in {where} "
                    f"({a_start:%H:%M}–{a_end:%H:%M} and {b_start:%H:%M}–{b_end:%H:%M})"))
