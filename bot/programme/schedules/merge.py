"""Overlay a `data/` folder on a schedule: addresses and directions of rooms, people's
affiliations, information topics, translated titles. The schedule's facts win; where `data/`
disagrees with it, a conflict is reported."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.language.textmatch import fold
from bot.programme.model import Conference, Person, Venue, Written
from bot.programme.validation import Checker, Problem, display, items, read_yaml
from bot.programme.yaml_data import load_info, load_people, load_venues

OVERLAID_TEXTS = ("name", "short_name", "theme", "description", "city")


def overlay_languages(folder: Path) -> tuple[str, ...] | None:
    """The languages `data/conference.yaml` declares, if it exists and declares them."""
    path = folder / "conference.yaml"
    if not path.is_file():
        return None
    raw = read_yaml(path, folder, [])
    languages = raw.get("languages") if isinstance(raw, dict) else None
    if isinstance(languages, list) and languages and all(isinstance(x, str) for x in languages):
        return tuple(languages)
    return None


def overlay(conference: Conference, folder: Path, problems: list[Problem]) -> list[Problem]:
    """Add what `folder` knows to the conference in place; return the conflicts."""
    conflicts: list[Problem] = []
    languages = conference.languages

    def checker(file: str, item: str, raw: Any) -> Checker:
        return Checker(problems, file, item, raw, languages)

    main_venue = None
    if (folder / "conference.yaml").is_file():
        main_venue = _conference(conference, folder, checker, problems, conflicts)
    if (folder / "venues.yaml").is_file():
        venues, landmarks = load_venues(folder, checker, problems)
        _venues(conference, venues, display(folder / "venues.yaml", folder), conflicts)
        conference.landmarks.update(landmarks)
    if main_venue:
        conference.main_venue = conference.venues.get(main_venue)
    if (folder / "people.yaml").is_file():
        _people(conference, load_people(folder, checker, problems))
    if (folder / "info.yaml").is_file():
        conference.info = tuple(load_info(folder, checker, problems, languages))
    if (folder / "translations.yaml").is_file():
        _translations(conference, folder, problems, conflicts)
    return conflicts


def _conference(conference: Conference, folder: Path, checker: Any,
                problems: list[Problem], conflicts: list[Problem]) -> str | None:
    """Take the texts `conference.yaml` gives; return the main venue's id, if it names one."""
    path = folder / "conference.yaml"
    file = display(path, folder)
    check = checker(file, "conference", read_yaml(path, folder, problems) or {})
    for name in OVERLAID_TEXTS:
        if check.has(name):
            text = check.text(name, required=False, may_be_unannounced=True)
            if text:
                setattr(conference, name, text)
    edition = check.raw.get("edition")
    if isinstance(edition, int) and not isinstance(edition, bool) and edition > 0:
        conference.edition = edition
    conference.website = check.string("website", required=False) or conference.website
    zone = check.string("timezone", required=False)
    schedule_zone = str(getattr(conference.timezone, "key", conference.timezone))
    if zone and zone != schedule_zone:
        conflicts.append(Problem(file, "conference", f"field 'timezone': '{zone}', but the "
                                 f"schedule says {schedule_zone}; the schedule's is used"))
    main_venue: str | None = check.string("main_venue", required=False)
    return main_venue


def _venues(conference: Conference, venues: dict[str, Venue], file: str,
            conflicts: list[Problem]) -> None:
    """A data venue describes the schedule room whose name (or id, or alias) it carries."""
    rooms = list(conference.venues.values())
    replaced: dict[str, Venue] = {}
    for venue in venues.values():
        names = {fold(n) for n in (venue.id, *venue.name.values(), *venue.aliases)}
        matches = [room for room in rooms
                   if room.id == venue.id or fold(next(iter(room.aliases), room.id)) in names]
        if len(matches) > 1:
            conflicts.append(Problem(file, f"venue {venue.id}", "matches several schedule "
                                     f"rooms ({', '.join(r.aliases[0] for r in matches)}); "
                                     "it describes none of them"))
            matches = []
        for room in matches:
            replaced[room.id] = replace(venue, aliases=tuple(dict.fromkeys(
                (*venue.aliases, *room.aliases))))
        if not matches:
            conference.venues.setdefault(venue.id, venue)
    for room_id, venue in replaced.items():
        del conference.venues[room_id]
        conference.venues[venue.id] = venue
        for session in conference.sessions.values():
            if isinstance(session.venue, Venue) and session.venue.id == room_id:
                session.venue = venue


def _people(conference: Conference, people: dict[str, Person]) -> None:
    """A data person adds an affiliation and a biography to the schedule person of that name."""
    by_name = {fold(p.name): p for p in people.values()}
    swap: dict[str, Person] = {}
    for person in conference.people.values():
        known = by_name.get(fold(person.name))
        if known is not None:
            swap[person.id] = replace(known, id=person.id, bio=known.bio or person.bio)
    conference.people.update(swap)
    for session in conference.sessions.values():
        session.speakers = tuple(swap.get(p.id, p) for p in session.speakers)


def _translations(conference: Conference, folder: Path, problems: list[Problem],
                  conflicts: list[Problem]) -> None:
    """`translations.yaml`: titles and descriptions of sessions in more languages."""
    path = folder / "translations.yaml"
    file = display(path, folder)
    by_guid = {s.guid: s for s in conference.sessions.values() if s.guid}
    for index, raw in enumerate(items(read_yaml(path, folder, problems), "sessions", file,
                                       problems)):
        if not isinstance(raw, dict):
            problems.append(Problem(file, f"session #{index + 1}", "must be a mapping of fields"))
            continue
        key = raw.get("id") or raw.get("guid")
        item = f"session {key}" if key else f"session #{index + 1}"
        session = (conference.sessions.get(str(raw.get("id")))
                   or by_guid.get(str(raw.get("guid"))))
        if session is None:
            conflicts.append(Problem(file, item, "the schedule has no such session "
                                                 "(give its id, e.g. s123, or its guid)"))
            continue
        for field in ("title", "description"):
            value = raw.get(field)
            if value is None:
                continue
            if not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) and v.strip()
                    for k, v in value.items()):
                problems.append(Problem(file, item, f"field '{field}': must be a mapping of "
                                                    "language to text, e.g. {pl: …, en: …}"))
                continue
            current = getattr(session, field)
            if not isinstance(current, Written):
                continue
            for lang, text in value.items():
                if lang in current.versions and current.versions[lang].strip() != text.strip():
                    conflicts.append(Problem(file, item, f"field '{field}': the '{lang}' text "
                                             "differs from the schedule's; the schedule's is used"))
            versions = {**{k: v.strip() for k, v in value.items()}, **current.versions}
            setattr(session, field, Written(versions, conference.languages, current.default))
