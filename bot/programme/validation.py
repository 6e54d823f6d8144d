"""The validation toolkit of conference data: problems that name file, item and field, a
checker that reads one item's fields, YAML reading, and the checks a whole programme must pass
(also after live edits)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, Literal, overload

import yaml

from bot.programme.model import NOT_ANNOUNCED, Conference, NotAnnounced, Text, Venue

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


class Checker:
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


CheckerFactory = Callable[[str, str, Any], "Checker"]
"""Makes the Checker of one item: (file, item, raw fields)."""


def read_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    name = display(path, root)
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


def display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def items(document: Any, key: str, file: str, problems: list[Problem]) -> list[Any]:
    if document is None:
        return []
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(file, "", f"must contain a list '{key}:'"))
        return []
    return items


def item_name(kind: str, raw: Any, index: int) -> str:
    identifier = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind} {identifier}" if identifier else f"{kind} #{index + 1}"


def unique(seen: set[str], identifier: str | None, check: Checker) -> None:
    if identifier is None:
        return
    if identifier in seen:
        check.fail("id", f"'{identifier}' is used twice")
    seen.add(identifier)


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
        check_overlaps(conference, Path(file), problems, file)
    return problems


def check_overlaps(conference: Conference, data_dir: Path, problems: list[Problem],
                    file: str | None = None) -> None:
    """Two sessions may not share a known room (or a one-space venue) at the same time."""
    file = file or display(data_dir / "programme", data_dir)
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
            if first.overlaps(second):
                (a_start, a_end), (b_start, b_end) = first.span, second.span
                venue_id = first.venue.id if isinstance(first.venue, Venue) else "?"
                where = f"room '{first.room}'" if first.room else f"venue '{venue_id}'"
                problems.append(Problem(
                    file, f"session {second.id}",
                    f"overlaps session {first.id} in {where} "
                    f"({a_start:%H:%M}–{a_end:%H:%M} and {b_start:%H:%M}–{b_end:%H:%M})"))
