"""Venues and directions: every place in every language, aliases, pins, distances, nearby."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.messages import Incoming, LocationReply, TextReply
from bot.programme.geo import distance_m, walking_minutes
from bot.programme.model import Conference, Coordinates, NotAnnounced, Venue
from bot.programme.yaml_data import DataError, load_conference
from tests.conftest import DATA_DIR, Chat, warsaw
from tests.test_validation import edit


def answered_place(conference: Conference, replies, lang: str) -> str | None:
    """The id of the venue or landmark whose name heads the first place description."""
    places = [*conference.venues.values(), *conference.landmarks.values()]
    for reply in replies:
        if isinstance(reply, TextReply):
            for place in places:
                if f"<b>{place.name[lang]}</b>" in str(reply.html).replace("&#34;", '"'):
                    return place.id
    return None


def pins(replies) -> list[LocationReply]:
    return [r for r in replies if isinstance(r, LocationReply)]


@pytest.mark.parametrize("lang", ["pl", "uk", "en"])
def test_every_venue_in_every_language(chat: Chat, conference: Conference, lang: str):
    session = chat(lang=lang, user=f"v-{lang}")
    session.send(f"/lang {lang}")
    for venue in conference.venues.values():
        replies = session.send(f"/where {venue.id}")
        text = "\n".join(str(r.html) for r in replies if isinstance(r, TextReply))
        assert answered_place(conference, replies, lang) == venue.id
        if isinstance(venue.address, str):
            assert venue.address in text
        if isinstance(venue.coordinates, Coordinates):
            (pin,) = pins(replies)
            assert (pin.latitude, pin.longitude) == (venue.coordinates.lat,
                                                     venue.coordinates.lon)
            assert pin.title == venue.name[lang]
        else:
            assert pins(replies) == []
        if not isinstance(venue.directions, NotAnnounced):
            assert venue.directions[lang].splitlines()[0][:40] in text
        for session_here in conference.at_venue(venue):
            assert f"/{session_here.id}" in text


@pytest.mark.parametrize(("question", "venue_id"), [
    ("jak dojechać do Skawiny?", "skawina-library"),
    ("how do I get to Nasza Ściana?", "nasza-sciana"),
    ("де Дебники?", "swietlica-debniki"),
    ("де Скавіна?", "skawina-library"),
    ("як дістатися до Наша Стіна?", "nasza-sciana"),
    ("where is the People meet People workshop?", "mam-kozlowka"),
    ("where is the conference on day two?", "zablocie"),
    ("gdzie jest MAM?", "mam-kozlowka"),
    ("gdzie jest CAK", "skawina-library"),
    ("Zablocie", "zablocie"),
    ("gdzie jest swietlica debniki", "swietlica-debniki"),
    ("where is Bohdan Skrzypczak speaking?", "zablocie"),
])
def test_places_asked_in_plain_words(chat: Chat, conference: Conference, question: str,
                                     venue_id: str):
    replies = chat().send(question)
    langs = {"pl", "uk", "en"}
    assert venue_id in {answered_place(conference, replies, lang) for lang in langs}, question


def test_aliases_from_the_data_all_lead_to_their_venue(chat: Chat, conference: Conference):
    session = chat(lang="en")
    for venue in conference.venues.values():
        for alias in venue.aliases:
            replies = session.send(f"/where {alias}")
            assert answered_place(conference, replies, "en") == venue.id, alias


def test_a_session_leads_to_its_venue(chat: Chat, conference: Conference):
    replies = chat(lang="en").send("/where s6")
    assert answered_place(conference, replies, "en") == conference.sessions["s6"].venue.id
    assert "/s6" in str(replies[0].html)


def test_session_details_offer_directions(chat: Chat, conference: Conference):
    answer = chat(lang="en").ask("/s3")
    assert "[Directions → /where skawina-library]" in answer


def test_a_session_whose_place_was_not_announced(chat: Chat):
    answer = chat(lang="en").ask("/where s8")
    assert "Where: not announced" in answer


def test_venues_lists_every_place_and_what_happens_there(chat: Chat, conference: Conference):
    answer = chat(lang="en").ask("/venues")
    for venue in conference.venues.values():
        assert venue.name["en"] in answer and f"/where_{venue.id.replace('-', '_')}" in answer
    assert "Place not announced" in answer and "/s8" in answer


def test_the_console_prints_a_pin_with_a_map_link(chat: Chat, conference: Conference):
    venue = conference.venues["skawina-library"]
    answer = chat(lang="en").ask("/where skawina")
    assert f"📍 {venue.name['en']}" in answer
    assert f"mlat={venue.coordinates.lat:.5f}" in answer


# --- distances ----------------------------------------------------------------------------------

def test_haversine_against_known_distances():
    one_degree = distance_m(Coordinates(0, 0, "", 1), Coordinates(1, 0, "", 1))
    assert one_degree == pytest.approx(111_195, abs=5)
    paris, london = Coordinates(48.8566, 2.3522, "", 1), Coordinates(51.5074, -0.1278, "", 1)
    assert distance_m(paris, london) == pytest.approx(343_560, rel=0.002)
    assert walking_minutes(1000) == 17  # 1 km of straight line ≈ 1.3 km of streets at 4.5 km/h


def test_how_far_between_two_venues(chat: Chat, conference: Conference):
    first, second = conference.venues["nasza-sciana"], conference.venues["swietlica-debniki"]
    answer = chat(lang="en").ask("how far is Nasza Ściana from Świetlica Dębniki?")
    if isinstance(first.coordinates, Coordinates) and isinstance(second.coordinates,
                                                                 Coordinates):
        assert f"{first.name['en']} → {second.name['en']}" in answer
        metres = distance_m(first.coordinates, second.coordinates)
        shown = (f"{metres / 1000:.1f} km" if metres >= 1000
                 else f"{int(round(metres, -1))} m")
        assert shown in answer and "in a straight line" in answer and "(an estimate)" in answer
    else:
        assert "has not been announced" in answer


def test_distance_in_ukrainian_uses_a_decimal_comma(chat: Chat, conference: Conference):
    answer = chat(lang="uk").ask("як далеко Скавіна від вокзалу?")
    skawina = conference.venues["skawina-library"].coordinates
    station = conference.landmarks["krakow-glowny"].coordinates
    km = f"{distance_m(skawina, station) / 1000:.1f}".replace(".", ",")
    assert f"{km} км" in answer


def test_directions_from_the_main_venue_and_the_station(chat: Chat, conference: Conference):
    answer = chat(lang="en").ask("/where nasza-sciana")
    venue = conference.venues["nasza-sciana"]
    if isinstance(venue.coordinates, Coordinates):
        assert f"From {conference.main_venue.name['en']}:" in answer
        assert f"From {conference.landmarks['krakow-glowny'].name['en']}:" in answer
        assert "openstreetmap.org/directions" in answer


# --- near me ------------------------------------------------------------------------------------

def test_a_shared_location_lists_the_nearest_venues(app, clock, conference: Conference):
    skawina = conference.venues["skawina-library"]
    clock.set(warsaw("2023-11-29T14:30"))
    incoming = Incoming(platform="console", user_id="walker", chat_id="walker", text="",
                        client_language="en",
                        location=(skawina.coordinates.lat + 0.001, skawina.coordinates.lon))
    (reply,) = app.handle(incoming)
    text = str(reply.html)
    assert "Nearest venues" in text and skawina.name["en"] in text
    assert "Next here:" in text and "/s3" in text and "15:00–16:00" in text
    placed = [v for v in conference.venues.values() if isinstance(v.coordinates, Coordinates)]
    for venue in placed:
        assert venue.name["en"] in text
    assert "(an estimate)" in text


def test_venues_without_a_known_point_get_an_address_search(chat: Chat, conference: Conference):
    venue = conference.venues["nasza-sciana"]
    answer = chat(lang="en").ask("/where nasza-sciana")
    if not isinstance(venue.coordinates, Coordinates):
        assert "exact location has not been announced" in answer
        assert "openstreetmap.org/search?query=ul.+Lipi" in answer


def test_here_command_and_bad_coordinates(chat: Chat, conference: Conference):
    session = chat(lang="en")
    skawina = conference.venues["skawina-library"].coordinates
    answer = session.ask(f"/here {skawina.lat} {skawina.lon}")
    assert answer.index(conference.venues["skawina-library"].name["en"]) < 40
    assert "Nothing more is planned here." in answer  # day one is over at 10:05 on day two
    assert "not coordinates on Earth" in session.ask("/here 95 19")
    assert "/here 50.0486 19.9584" in session.ask("/here somewhere")


# --- validation ---------------------------------------------------------------------------------

@pytest.fixture
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def venue(document: dict, venue_id: str) -> dict:
    return next(v for v in document["venues"] if v["id"] == venue_id)


def test_a_venue_without_coordinates_is_refused(data: Path):
    edit(data / "venues.yaml", lambda d: venue(d, "nasza-sciana").pop("coordinates"))
    with pytest.raises(DataError, match=r"venues.yaml: venue nasza-sciana: field 'coordinates': "
                                        r"is missing"):
        load_conference(data)


def test_a_venue_without_an_address_is_refused(data: Path):
    edit(data / "venues.yaml", lambda d: venue(d, "nasza-sciana").pop("address"))
    with pytest.raises(DataError, match="venue nasza-sciana: field 'address': is missing"):
        load_conference(data)


def test_coordinates_off_the_planet_are_refused(data: Path):
    edit(data / "venues.yaml", lambda d: venue(d, "skawina-library")["coordinates"].update(
        lat=123.0))
    with pytest.raises(DataError, match="'lat' must be a number between -90 and 90"):
        load_conference(data)


def test_an_alias_on_two_places_is_refused(data: Path):
    edit(data / "venues.yaml", lambda d: venue(d, "nasza-sciana")["aliases"].append("MAM"))
    with pytest.raises(DataError, match="venue nasza-sciana: field 'aliases': 'MAM' is also an "
                                        "alias of 'mam-kozlowka'"):
        load_conference(data)


def test_unknown_facts_are_declared(conference: Conference):
    pal = conference.venues["pal-nad-potokiem"]
    assert isinstance(pal.address, NotAnnounced) and isinstance(pal.coordinates, NotAnnounced)
    assert all(isinstance(v, Venue) for v in conference.venues.values())
