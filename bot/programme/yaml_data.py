"""Load the conference from `data/` (conference, venues, people, information topics here; the
sessions in `yaml_sessions`) and validate it; every problem names file, item and field."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.language.lexicon import Lexicon
from bot.language.textmatch import words
from bot.programme.model import (
    NOT_ANNOUNCED,
    Conference,
    Coordinates,
    Day,
    InfoTopic,
    Landmark,
    NotAnnounced,
    Person,
    Text,
    Venue,
)
from bot.programme.validation import (
    NOT_ANNOUNCED_WORD,
    Checker,
    CheckerFactory,
    DataError,
    Problem,
    check_overlaps,
    display,
    item_name,
    items,
    read_yaml,
    unique,
)
from bot.programme.yaml_sessions import load_sessions

__all__ = ["DataError", "Problem", "load_conference", "load_info", "load_people", "load_venues"]


def load_conference(data_dir: Path) -> tuple[Conference, Lexicon]:
    """Read and check every file of a data folder; raise DataError listing all problems."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise DataError([Problem(str(data_dir), "", "the data folder does not exist")])

    conf_file = data_dir / "conference.yaml"
    conf_name = display(conf_file, data_dir)
    raw_conf = read_yaml(conf_file, data_dir, problems)
    if raw_conf is None:
        raise DataError(problems or [Problem(conf_name, "", "the file is empty")])
    languages = raw_conf.get("languages") if isinstance(raw_conf, dict) else None
    if (not isinstance(languages, list) or not languages
            or not all(isinstance(code, str) and code for code in languages)):
        raise DataError([*problems, Problem(conf_name, "conference",
                                            "field 'languages': must be a list like [pl, uk, en]")])
    languages_t = tuple(languages)

    def checker(file: str, item: str, raw: Any) -> Checker:
        return Checker(problems, file, item, raw, languages_t)

    conf = checker(conf_name, "conference", raw_conf)
    timezone = _timezone(conf)
    days = _load_days(conf, checker, conf_name)
    venues, landmarks = load_venues(data_dir, checker, problems)
    people = load_people(data_dir, checker, problems)
    sessions = load_sessions(data_dir, checker, problems, days, venues, people, timezone)
    info = load_info(data_dir, checker, problems, languages_t)
    intents_file = display(data_dir / "intents.yaml", data_dir)
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
        check_overlaps(conference, data_dir, problems)
        for day in conference.days:
            if not conference.sessions_on(day):
                problems.append(Problem(conf_name, f"day {day.id}", "has no sessions"))
    if problems:
        raise DataError(problems)
    return conference, lexicon


def _timezone(conf: Checker) -> ZoneInfo | None:
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


def _edition(conf: Checker) -> int:
    if conf.is_not_announced("edition"):
        return 0
    value = conf.raw.get("edition")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        conf.fail("edition", "must be a positive whole number")
        return 0
    return value


def _load_days(conf: Checker, checker: CheckerFactory, file: str) -> list[Day]:
    raw_days = conf.raw.get("days")
    if not isinstance(raw_days, list) or not raw_days:
        conf.fail("days", "must be a non-empty list of days")
        return []
    days: list[Day] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_days):
        check = checker(file, item_name("day", raw, index), raw)
        identifier = check.string("id")
        unique(seen, identifier, check)
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


def _main_venue(conf: Checker, venues: dict[str, Venue]) -> Venue | None:
    venue_id = conf.string("main_venue", required=False)
    if venue_id is None:
        return None
    if venue_id not in venues:
        conf.fail("main_venue", f"refers to unknown venue '{venue_id}'")
        return None
    return venues[venue_id]


def _coordinates(check: Checker, required: bool = True) -> Coordinates | NotAnnounced | None:
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


def load_venues(data_dir: Path, checker: CheckerFactory, problems: list[Problem]
                 ) -> tuple[dict[str, Venue], dict[str, Landmark]]:
    path = data_dir / "venues.yaml"
    file = display(path, data_dir)
    document = read_yaml(path, data_dir, problems)
    venues: dict[str, Venue] = {}
    aliases: dict[str, str] = {}

    def claim(check: Checker, owner: str, names: list[str]) -> None:
        for alias in names:
            key = " ".join(words(alias))
            if key in aliases and aliases[key] != owner:
                check.fail("aliases", f"'{alias}' is also an alias of '{aliases[key]}'")
            aliases[key] = owner

    for index, raw in enumerate(items(document, "venues", file, problems)):
        check = checker(file, item_name("venue", raw, index), raw)
        identifier = check.string("id")
        unique(set(venues), identifier, check)
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
        check = checker(file, item_name("landmark", raw, index), raw)
        identifier = check.string("id")
        if identifier in venues:
            check.fail("id", f"'{identifier}' is already a venue id")
        unique(set(landmarks), identifier, check)
        name = check.text("name")
        coordinates = _coordinates(check, required=False)
        names = check.string_list("aliases")
        claim(check, identifier or "?", names)
        if identifier and name and isinstance(coordinates, Coordinates):
            landmarks[identifier] = Landmark(identifier, name, coordinates, tuple(names))
    return venues, landmarks


def load_people(data_dir: Path, checker: CheckerFactory,
                problems: list[Problem]) -> dict[str, Person]:
    path = data_dir / "people.yaml"
    file = display(path, data_dir)
    people: dict[str, Person] = {}
    for index, raw in enumerate(items(read_yaml(path, data_dir, problems), "people", file,
                                       problems)):
        check = checker(file, item_name("person", raw, index), raw)
        identifier = check.string("id")
        unique(set(people), identifier, check)
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



def load_info(data_dir: Path, checker: CheckerFactory, problems: list[Problem],
               languages: tuple[str, ...]) -> list[InfoTopic]:
    path = data_dir / "info.yaml"
    file = display(path, data_dir)
    topics: list[InfoTopic] = []
    seen: set[str] = set()
    raw_file = read_yaml(path, data_dir, problems)
    for index, raw in enumerate(items(raw_file, "topics", file, problems)):
        check = checker(file, item_name("topic", raw, index), raw)
        identifier = check.string("id")
        unique(seen, identifier, check)
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


def _not_announced(raw: Any, file: str, checker: CheckerFactory, problems: list[Problem],
                   languages: tuple[str, ...], seen: set[str]) -> list[InfoTopic]:
    """`not_announced:` in info.yaml: topics people ask about that the sources do not give
    (an id, a title and keywords, no body)."""
    found: list[InfoTopic] = []
    entries = raw.get("not_announced", []) if isinstance(raw, dict) else []
    if not isinstance(entries, list):
        problems.append(Problem(file, "not_announced", "must be a list of topics"))
        return found
    for index, item in enumerate(entries):
        check = checker(file, item_name("not_announced", item, index), item)
        identifier, title = check.string("id"), check.text("title")
        unique(seen, identifier, check)
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

