"""Load the conference from a schedule (file or URL), with an optional `data/` overlay."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from bot import DATA_DIR
from bot.language.lexicon import Lexicon
from bot.programme.model import Conference
from bot.programme.schedules.build import build
from bot.programme.schedules.frab import NotASchedule
from bot.programme.schedules.merge import overlay, overlay_languages
from bot.programme.schedules.source import ScheduleSource, SourceError, parse
from bot.programme.validation import DataError, Problem, display

log = logging.getLogger(__name__)

DEFAULT_INTENTS = DATA_DIR / "intents.yaml"
"""Intent vocabulary is language, not conference facts: without `data/`, the project's own."""


@dataclass
class Loaded:
    conference: Conference
    lexicon: Lexicon
    warnings: list[Problem] = field(default_factory=list)
    """What the schedule held that could not be used (skipped), or that looks wrong."""
    conflicts: list[Problem] = field(default_factory=list)
    """Where `data/` disagrees with the schedule."""


def known_ids(conference: Conference | None) -> dict[str, str]:
    """guid -> session id of a loaded programme, so a renumbered event keeps its id."""
    if conference is None:
        return {}
    return {s.guid: s.id for s in conference.sessions.values() if s.guid}


def load_content(content: bytes, origin: str, data_dir: Path | None = None, *,
                 previous: Conference | None = None) -> Loaded:
    """Build the conference from schedule content; raise DataError when it cannot be used."""
    try:
        raw = parse(content)
    except NotASchedule as error:
        raise DataError([Problem(origin, "", str(error))]) from None
    overlay_dir = data_dir if data_dir is not None and data_dir.is_dir() else None
    languages = overlay_languages(overlay_dir) if overlay_dir else None
    built = build(raw, origin, languages=languages, known_ids=known_ids(previous))
    conference = built.conference
    if not conference.sessions:
        raise DataError([*built.warnings, Problem(origin, "", f"no usable events in this "
                                                              f"{raw.format} schedule")])
    problems: list[Problem] = []
    conflicts = overlay(conference, overlay_dir, problems) if overlay_dir else []
    intents = overlay_dir / "intents.yaml" if overlay_dir else None
    if intents is None or not intents.is_file():
        intents = DEFAULT_INTENTS
    intents_name = display(intents, intents.parent)
    lexicon = Lexicon.load(intents, conference.languages,
                           lambda item, problem: problems.append(
                               Problem(intents_name, item, problem)))
    if problems:
        raise DataError(problems)
    return Loaded(conference, lexicon, built.warnings, conflicts)


def load_schedule(source: ScheduleSource, data_dir: Path | None = None, *,
                  previous: Conference | None = None) -> Loaded:
    """Read the schedule from its place and load it (see load_content)."""
    try:
        content = source.read()
    except SourceError as error:
        raise DataError([Problem(source.location, "", str(error))]) from None
    assert content is not None
    return load_content(content, source.location, data_dir, previous=previous)


def log_findings(loaded: Loaded) -> None:
    """Say in the log what was skipped, and where data/ and the schedule disagree."""
    for problem in loaded.warnings[:50]:
        log.warning("schedule: %s", problem)
    if len(loaded.warnings) > 50:
        log.warning("schedule: … and %d more", len(loaded.warnings) - 50)
    for problem in loaded.conflicts:
        log.warning("conflict: %s", problem)
