"""The sessions of `data/programme/*.yaml`: each checked field by field, then the parts placed
in their parents."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.programme.model import (
    NOT_ANNOUNCED,
    SESSION_KINDS,
    Day,
    NotAnnounced,
    Person,
    Session,
    Venue,
)
from bot.programme.validation import (
    Checker,
    CheckerFactory,
    Problem,
    display,
    item_name,
    items,
    read_yaml,
    unique,
)


def load_sessions(data_dir: Path, checker: CheckerFactory, problems: list[Problem],
                  days: list[Day],
                   venues: dict[str, Venue], people: dict[str, Person],
                   timezone: ZoneInfo | None) -> dict[str, Session]:
    folder = data_dir / "programme"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        problems.append(Problem(display(folder, data_dir), "", "no programme files (*.yaml)"))
    sessions: dict[str, Session] = {}
    parents: dict[str, str] = {}
    checks: dict[str, Checker] = {}
    days_by_id = {day.id: day for day in days}
    for path in files:
        file = display(path, data_dir)
        for index, raw in enumerate(items(read_yaml(path, data_dir, problems), "sessions", file,
                                           problems)):
            check = checker(file, item_name("session", raw, index), raw)
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


def _session(check: Checker, days: dict[str, Day], venues: dict[str, Venue],
             people: dict[str, Person], timezone: ZoneInfo | None,
             taken: set[str]) -> Session | None:
    identifier = check.string("id")
    if identifier is not None:
        if not (identifier.startswith("s") and identifier[1:].isdigit()):
            check.fail("id", f"'{identifier}' must be 's' followed by a number, like s12")
            identifier = None
        else:
            unique(taken, identifier, check)

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
            if field == "moderators" and ":" in person_id:
                continue  # a chat account (platform:id), read by _participation
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
        **_schedule_fields(check), **_participation(check),
    )


ACCOUNT_PLATFORMS = ("telegram", "matrix", "console")


def _participation(check: Checker) -> dict[str, Any]:
    """Questions and places: chat accounts among `moderators:`, `qa: open|moderated`,
    `places: <number>`."""
    accounts = []
    listed = check.raw.get("moderators") or []
    for entry in listed if isinstance(listed, list) else []:
        platform, colon, rest = str(entry).partition(":")
        if not colon:
            continue  # a person id
        if platform not in ACCOUNT_PLATFORMS or not rest:
            check.fail("moderators", f"'{entry}' is neither a person id nor platform:id "
                                     f"({', '.join(ACCOUNT_PLATFORMS)})")
        else:
            accounts.append(entry)
    qa = check.raw.get("qa", "moderated")
    if qa not in ("open", "moderated"):
        check.fail("qa", f"'{qa}' must be open or moderated")
    places = check.raw.get("places")
    if places is not None and (isinstance(places, bool) or not isinstance(places, int)
                               or places < 1):
        check.fail("places", f"'{places}' must be a whole number of places, 1 or more")
        places = None
    return {"accounts": tuple(accounts), "qa_open": qa == "open", "places": places}


def _schedule_fields(check: Checker) -> dict[str, Any]:
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

