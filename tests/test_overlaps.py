"""One `Session.overlaps` decides every interval clash (agenda, /remind, live-edit previews,
data and schedule validation)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.programme.model import Conference


def test_overlaps_is_shared_time_but_not_a_part_or_touching_ends(loaded):
    conference: Conference = loaded[0]
    part = conference.sessions["s16"]
    parent = part.parent
    assert parent is not None
    assert not part.overlaps(parent) and not parent.overlaps(part)    # a part is inside
    assert not part.overlaps(part)
    start, end = part.span
    same_time = replace(part, id="x1", parent=None, start=start, end=end)
    assert same_time.overlaps(part) and part.overlaps(same_time)
    later = replace(same_time, id="x2", start=end, end=end + timedelta(minutes=30))
    assert not later.overlaps(same_time) and not same_time.overlaps(later)  # touching
    inside = replace(same_time, id="x3", start=start + timedelta(minutes=5),
                     end=start + timedelta(minutes=10))
    assert inside.overlaps(same_time) and same_time.overlaps(inside)
