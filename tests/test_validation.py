"""Bad data stops start-up with a message naming the file, the item and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.programme.yaml_data import DataError, load_conference
from tests.conftest import DATA_DIR


@pytest.fixture
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def session(document: dict, session_id: str) -> dict:
    return next(s for s in document["sessions"] if s["id"] == session_id)


def problems(data: Path) -> str:
    with pytest.raises(DataError) as error:
        load_conference(data)
    return str(error.value)


def test_the_real_data_loads():
    conference, _ = load_conference(DATA_DIR)
    assert len(conference.sessions) == 29


def test_a_missing_translation(data: Path):
    edit(data / "programme" / "day2.yaml", lambda d: session(d, "s20")["title"].pop("uk"))
    message = problems(data)
    assert "programme/day2.yaml: session s20: field 'title': the 'uk' version is missing" in message


def test_an_unknown_venue(data: Path):
    edit(data / "programme" / "day1.yaml", lambda d: session(d, "s4").update(venue="wawel"))
    assert "day1.yaml: session s4: field 'venue': refers to unknown venue 'wawel'" in problems(data)


def test_an_unknown_person(data: Path):
    edit(data / "programme" / "day2.yaml",
         lambda d: session(d, "s22")["speakers"].append("nobody-here"))
    assert ("session s22: field 'speakers': refers to unknown person 'nobody-here'"
            in problems(data))


def test_a_session_ending_before_it_starts(data: Path):
    edit(data / "programme" / "day2.yaml", lambda d: session(d, "s19").update(end="10:00"))
    assert "session s19: field 'end': ends (10:00) before it starts (10:55)" in problems(data)


def test_a_time_that_is_not_a_time(data: Path):
    edit(data / "programme" / "day2.yaml", lambda d: session(d, "s19").update(start="noon"))
    assert 'session s19: field \'start\': "noon" is not a time' in problems(data)


def test_two_sessions_in_one_room_at_once(data: Path):
    def same_room(document: dict) -> None:
        session(document, "s20")["room"] = "Sala A"
        session(document, "s21")["room"] = "Sala A"

    edit(data / "programme" / "day2.yaml", same_room)
    assert "session s21: overlaps session s20 in room 'Sala A' (11:15–12:45" in problems(data)


def test_rooms_that_differ_do_not_clash(data: Path):
    def rooms(document: dict) -> None:
        session(document, "s20")["room"] = "Sala A"
        session(document, "s21")["room"] = "Sala B"

    edit(data / "programme" / "day2.yaml", rooms)
    load_conference(data)


def test_two_sessions_at_a_one_space_venue(data: Path):
    edit(data / "programme" / "day1.yaml", lambda d: session(d, "s6").update(start="15:30"))
    assert "session s6: overlaps session s2 in venue 'mam-kozlowka'" in problems(data)


def test_a_talk_outside_its_block(data: Path):
    edit(data / "programme" / "day2.yaml", lambda d: session(d, "s18").update(end="11:30"))
    assert "session s18: field 'start': the session must lie within its parent s15" in problems(
        data)


def test_a_required_field_must_be_declared_not_guessed(data: Path):
    edit(data / "programme" / "day2.yaml", lambda d: session(d, "s29").pop("description"))
    message = problems(data)
    assert "session s29: field 'description': is missing (write not_announced" in message


def test_a_missing_venue_address(data: Path):
    edit(data / "venues.yaml", lambda d: d["venues"][0].pop("address"))
    assert "venues.yaml: venue mam-kozlowka: field 'address': is missing" in problems(data)


def test_a_duplicate_session_id(data: Path):
    edit(data / "programme" / "day2.yaml", lambda d: session(d, "s29").update(id="s28"))
    assert "field 'id': 's28' is used twice" in problems(data)


def test_broken_yaml_names_the_line(data: Path):
    (data / "people.yaml").write_text("people:\n  - id: x\n    name: [unclosed\n",
                                      encoding="utf-8")
    assert "people.yaml: line" in problems(data)


def test_a_missing_file(data: Path):
    (data / "info.yaml").unlink()
    assert "info.yaml: the file is missing" in problems(data)


def test_an_unknown_language_key(data: Path):
    edit(data / "conference.yaml", lambda d: d["theme"].update(ru="…"))
    assert "conference.yaml: conference: field 'theme': 'ru' is not one of the conference" in (
        problems(data))


def test_intent_vocabulary_needs_every_language(data: Path):
    edit(data / "intents.yaml", lambda d: d["intents"]["now"].pop("uk"))
    assert "intents.yaml: intent now: the 'uk' list is missing or empty" in problems(data)


def test_all_problems_are_reported_together(data: Path):
    def two(document: dict) -> None:
        session(document, "s19").update(end="10:00")
        session(document, "s20")["title"].pop("en")

    edit(data / "programme" / "day2.yaml", two)
    message = problems(data)
    assert "session s19" in message and "session s20" in message
    assert "2 problem(s)" in message
