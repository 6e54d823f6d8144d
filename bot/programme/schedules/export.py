"""Write a conference read from a schedule as our `data/` YAML (`confbot import`)."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import yaml

from bot.language.i18n import Catalogue
from bot.programme.model import Conference, NotAnnounced, Session, Text, Venue
from bot.programme.schedules.load import DEFAULT_INTENTS
from bot.programme.validation import NOT_ANNOUNCED_WORD, Problem


class _Dumper(yaml.SafeDumper):
    """Long texts as block scalars, everything else as PyYAML writes it."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def _text(text: Text | NotAnnounced | None, languages: tuple[str, ...]) -> Any:
    if text is None or isinstance(text, NotAnnounced) or not text:
        return NOT_ANNOUNCED_WORD
    return {lang: text[lang] for lang in languages}


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones(), key=lambda n: (n.startswith("Etc/"), n)))


def zone_name(zone: tzinfo, moment: datetime) -> str:
    """An IANA name for the conference time: its own, or one with the same offset then."""
    key = getattr(zone, "key", None)
    if key:
        return str(key)
    offset = moment.utcoffset()
    return next((name for name in _zone_names()
                 if moment.astimezone(ZoneInfo(name)).utcoffset() == offset), "UTC")


def export(conference: Conference, out: Path) -> list[Problem]:
    """Write conference.yaml, venues, people, programme/, info and intents; return what was lost."""
    lost: list[Problem] = []
    languages = conference.languages
    zone = conference.timezone
    out.mkdir(parents=True, exist_ok=True)
    (out / "programme").mkdir(exist_ok=True)
    for old in (out / "programme").glob("*.yaml"):
        old.unlink()

    # A calendar day per date a session starts on: our times are clock times on a day.
    local = {s.id: (s.span[0].astimezone(zone), s.span[1].astimezone(zone))
             for s in conference.sessions.values()}
    dates = sorted({start.date() for start, _ in local.values()})
    catalogue = Catalogue(languages, zone)
    day_ids = {when: f"d{n}" for n, when in enumerate(dates, start=1)}
    days = []
    for n, when in enumerate(dates, start=1):
        title = {lang: catalogue[lang].gettext("Day %(number)d") % {"number": n}
                 for lang in languages}
        days.append({"id": day_ids[when], "date": when, "title": title, "summary": title})
    first = conference.starts.astimezone(zone)
    _write(out / "conference.yaml", {
        "id": conference.id, "name": _text(conference.name, languages),
        "short_name": _text(conference.short_name, languages),
        "edition": conference.edition or NOT_ANNOUNCED_WORD,
        "theme": _text(conference.theme, languages),
        "description": _text(conference.description, languages),
        "city": _text(conference.city, languages),
        "timezone": zone_name(zone, first), "languages": list(languages),
        **({"website": conference.website} if conference.website else {}),
        "days": days})
    _write(out / "venues.yaml", {"venues": [_venue(v, languages)
                                            for v in conference.venues.values()]})
    _write(out / "people.yaml", {"people": [
        {"id": p.id, "name": p.name, "affiliation": _text(p.affiliation, languages),
         **({"bio": _text(p.bio, languages)} if p.bio else {})}
        for p in conference.people.values()]})
    by_day: dict[str, list[dict[str, Any]]] = {}
    for session in conference.walk():
        start, end = local[session.id]
        if end.date() > start.date() + timedelta(days=1) or (
                end.date() > start.date() and end.time() >= start.time()):
            lost.append(Problem(str(out), f"session {session.id}", "lasts more than a day, "
                                "which data/ cannot express; left out"))
            continue
        day_id = day_ids[start.date()]
        by_day.setdefault(day_id, []).append(_session(session, day_id, start, end, languages))
    for day_id, sessions in by_day.items():
        _write(out / "programme" / f"{day_id}.yaml", {"sessions": sessions})
    _write(out / "info.yaml", {"topics": [
        {"id": t.id, "title": _text(t.title, languages), "body": _text(t.body, languages),
         "keywords": {lang: list(t.keywords[lang]) for lang in languages}}
        for t in conference.info]})
    shutil.copyfile(DEFAULT_INTENTS, out / "intents.yaml")
    return lost


def _venue(venue: Venue, languages: tuple[str, ...]) -> dict[str, Any]:
    return {"id": venue.id, "name": _text(venue.name, languages),
            "address": venue.address if isinstance(venue.address, str) else NOT_ANNOUNCED_WORD,
            "coordinates": NOT_ANNOUNCED_WORD if isinstance(venue.coordinates, NotAnnounced)
            else {"lat": venue.coordinates.lat, "lon": venue.coordinates.lon,
                  "source": venue.coordinates.source,
                  "precision_m": venue.coordinates.precision_m},
            "directions": _text(venue.directions, languages),
            "accessibility": _text(venue.accessibility, languages),
            "aliases": list(venue.aliases)}


def _session(session: Session, day_id: str, start: datetime, end: datetime,
             languages: tuple[str, ...]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": session.id, "day": day_id, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
    if end.date() > start.date():
        entry["ends_next_day"] = True
    entry.update({
        "kind": session.kind,
        "venue": session.venue.id if isinstance(session.venue, Venue) else NOT_ANNOUNCED_WORD,
        "title": _text(session.title, languages),
        "description": _text(session.description, languages),
        "audience": _text(session.audience, languages),
        "speakers": [p.id for p in session.speakers]})
    if session.track:
        entry["track"] = session.track
    if session.languages:
        entry["languages"] = list(session.languages)
    if session.links:
        entry["links"] = [{"title": title, "url": url} for title, url in session.links]
    return entry


def _write(path: Path, document: dict[str, Any]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                  width=100)
