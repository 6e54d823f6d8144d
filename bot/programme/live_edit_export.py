"""The live edits as YAML for `data/` after the event (`confbot edits export`)."""

from __future__ import annotations

from typing import Any

import yaml

from bot.programme.live_edits import stored_note
from bot.programme.model import Conference
from bot.storage.edits import EditRecord


def export_yaml(data: Conference, edits: list[EditRecord]) -> str:
    """The edits as fields to paste into `data/programme/*.yaml` after the event."""
    by_session: dict[str, dict[str, Any]] = {}
    for record in edits:
        entry = by_session.setdefault(record.session_id, {"id": record.session_id})
        value = record.value
        if record.aspect == "time":
            day = data.day_by_id(value["day"])
            session = data.sessions.get(record.session_id)
            if session is None or day is not session.day:
                entry["day"] = value["day"]
            entry.update(start=value["start"], end=value["end"])
        elif record.aspect == "place":
            entry.update(value)
        elif record.aspect == "cancelled":
            entry["cancelled"] = True
        elif record.aspect == "note":
            entry["note"] = stored_note(data, value)
        entry.setdefault("edited", []).append(
            f"{record.aspect} by {record.author} at {record.made_at:%Y-%m-%d %H:%M} UTC")
    header = ("# Live edits made in the chat. Merge each session's fields into its entry in\n"
              "# data/programme/*.yaml; remove a cancelled session (or keep it, without the\n"
              "# 'cancelled' key, if it will happen after all); a note has no field of its own:\n"
              "# move it into the description or speakers_note. 'edited' is for you only.\n")
    body = yaml.safe_dump({"sessions": list(by_session.values())}, allow_unicode=True,
                          sort_keys=False, width=100)
    return header + body

