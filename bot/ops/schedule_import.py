"""`confbot import` and what `confbot check` says about a schedule."""

from __future__ import annotations

from pathlib import Path

from bot.programme.schedules.export import export
from bot.programme.schedules.load import Loaded, load_schedule
from bot.programme.schedules.source import ScheduleSource
from bot.programme.yaml_data import DataError, load_conference

SHOWN = 50


def report_schedule(loaded: Loaded) -> int:
    """Print what a schedule lacked and where data/ disagrees with it; 1 when they disagree."""
    for title, problems in (("skipped or suspicious in the schedule", loaded.warnings),
                            ("conflicts between data/ and the schedule", loaded.conflicts)):
        if problems:
            print(f"{len(problems)} {title}:")
            for problem in problems[:SHOWN]:
                print(f"  - {problem}")
            if len(problems) > SHOWN:
                print(f"  … and {len(problems) - SHOWN} more")
    return 1 if loaded.conflicts else 0


def import_schedule(location: str, out: Path) -> int:
    """Convert a schedule into data/ YAML once, then check the result as `confbot check` does."""
    loaded = load_schedule(ScheduleSource(location))
    report_schedule(loaded)
    lost = export(loaded.conference, out)
    for problem in lost:
        print(f"  - {problem}")
    try:
        conference, _ = load_conference(out)
    except DataError as error:
        print(f"Written to {out}, but it does not pass the check yet:\n{error}")
        return 1
    print(f"OK: {len(conference.sessions)} sessions, {len(conference.days)} days, "
          f"{len(conference.venues)} venues, {len(conference.people)} people written to {out}. "
          f"Texts are in the schedule's language in every language field: translate them there. "
          f"Serve it with CONFBOT_DATA_DIR={out}.")
    return 0
