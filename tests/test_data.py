"""The 7th edition as data: what must be there, and what must be declared unknown."""

from __future__ import annotations

from datetime import time

import yaml

from bot.programme.model import NOT_ANNOUNCED, Conference, NotAnnounced
from tests.conftest import DATA_DIR


def local(conference: Conference, moment) -> time:
    return moment.astimezone(conference.timezone).time()


def test_two_days_in_krakow(conference: Conference):
    assert [str(d.date) for d in conference.days] == ["2023-11-29", "2023-11-30"]
    assert conference.languages == ("pl", "uk", "en")
    assert conference.edition == 7


def test_day_one_study_visits_and_workshop_have_host_venue_and_times(conference: Conference):
    day_one = conference.days[0]
    visits = [s for s in conference.sessions_on(day_one) if s.kind in ("study_visit", "workshop")]
    assert len(visits) == 7
    for visit in visits:
        assert visit.host, visit.id
        assert visit.venue, visit.id
    workshop = next(s for s in visits if s.kind == "workshop")
    assert workshop.venue.id == "mam-kozlowka"
    assert (local(conference, workshop.start), local(conference, workshop.end)) == (
        time(17), time(18))


def test_evening_meeting_with_four_talks_and_no_known_place(conference: Conference):
    evening = next(s for s in conference.of_kind("networking"))
    assert (local(conference, evening.start), local(conference, evening.end)) == (
        time(19), time(20, 40))
    assert evening.venue is NOT_ANNOUNCED
    assert len(evening.children) == 4
    assert all(not child.times_announced for child in evening.children)


def test_day_two_has_nine_parallel_sessions_with_people(conference: Conference):
    day_two = conference.days[1]
    parallel = [s for s in conference.sessions_on(day_two) if s.kind in ("panel", "workshop")]
    assert len(parallel) == 9
    assert {local(conference, s.start) for s in parallel} == {time(11, 15), time(12, 50),
                                                             time(15)}
    named = [s for s in parallel if s.people]
    assert len(named) == 8  # the ninth (Strefa Aktywności Sąsiedzkiej) names nobody
    for session in parallel:
        assert session.venue.id == "zablocie"
        assert session.room is NOT_ANNOUNCED


def test_day_two_frame(conference: Conference):
    kinds = [s.kind for s in conference.sessions_on(conference.days[1])]
    for kind in ("registration", "opening", "block", "talk", "discussion", "break", "lunch"):
        assert kind in kinds


def test_every_text_exists_in_every_language(conference: Conference):
    def check(value, where):
        if isinstance(value, dict):
            assert set(value) == set(conference.languages), where
            assert all(v.strip() for v in value.values()), where

    for session in conference.sessions.values():
        for field in ("title", "description", "audience", "host", "format", "speakers_note"):
            value = getattr(session, field)
            if not isinstance(value, NotAnnounced):
                check(value, f"{session.id}.{field}")
    for topic in conference.info:
        check(topic.title, topic.id)
        check(topic.body, topic.id)


def test_seed_disagreements_are_settled_and_recorded():
    venues = yaml.safe_load((DATA_DIR / "venues.yaml").read_text(encoding="utf-8"))["venues"]
    by_id = {v["id"]: v for v in venues}
    assert "Dębniki" in by_id["swietlica-debniki"]["name"]["pl"]
    assert by_id["mam-kozlowka"]["address"].startswith("ul. Na Kozłówce 25")
    for venue_id in ("swietlica-debniki", "mam-kozlowka"):
        reasons = [c["reason"] for c in by_id[venue_id]["corrections"]]
        assert reasons and all(r.strip() for r in reasons)
    assert by_id["pal-nad-potokiem"]["address"] == "not_announced"


def test_practical_information_topics(conference: Conference):
    ids = {topic.id for topic in conference.info}
    assert {"participation", "catering", "malopolska", "organisers", "funders", "partners",
            "history"} <= ids
    history = next(t for t in conference.info if t.id == "history").body["en"]
    for fact in ("2017", "Warsaw", "2021", "online", "Kraków"):
        assert fact in history
