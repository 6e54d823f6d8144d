"""Issue 19: a way between two places is read from the prepositions around the places named,
whatever verb asks it, in every language; with one place named, the other end is the
conversation's. Addresses and names come from data/."""

from __future__ import annotations

import pytest

from bot.programme.model import Conference, Venue
from tests.conftest import Chat


def address(conference: Conference, venue_id: str) -> str:
    venue = conference.venues[venue_id]
    assert isinstance(venue, Venue) and isinstance(venue.address, str)
    return venue.address


def route_link(answer: str) -> str:
    """The route planner's link of an answer (from … to …)."""
    return next(w for w in answer.split() if "/directions?" in w)


@pytest.mark.parametrize(("lang", "question"), [
    ("pl", "którędy przejdę ze Świetlicy Dębniki na Zabłocie 22?"),
    ("uk", "як пройти від світлиці Дембніки до Заблоцє?"),
    ("en", "walking from the Dębniki community room over to Zabłocie, which way?"),
])
def test_a_way_from_one_place_to_another(chat: Chat, conference: Conference, lang: str,
                                         question: str):
    answer = chat(lang=lang).ask(question)
    link = route_link(answer)
    assert link.index("Konfederacka") < link.index("Zab%C5%82ocie")  # from Dębniki, to Zabłocie


def test_the_place_after_to_is_where_the_way_ends(chat: Chat, conference: Conference):
    answer = chat(lang="en").ask("I'm at Zabłocie 22, the quickest way to Świetlica Dębniki?")
    link = route_link(answer)
    assert link.index("Zab%C5%82ocie") < link.index("Konfederacka")


def test_from_a_place_to_the_one_just_talked_about(chat: Chat, conference: Conference):
    session = chat(lang="en", user="from-there")
    session.ask("where is Świetlica Dębniki?")
    answer = session.ask("and from Zabłocie?")
    link = route_link(answer)
    assert link.index("Zab%C5%82ocie") < link.index("Konfederacka")


def test_another_end_for_the_same_start(chat: Chat, conference: Conference):
    session = chat(lang="pl", user="same-start")
    first = session.ask("jak dojść z Zabłocia do Świetlicy Dębniki?")
    assert address(conference, "swietlica-debniki") in first
    answer = session.ask("a do Naszej Ściany?")
    link = route_link(answer)
    assert link.index("Zab%C5%82ocie") < link.index("Lipi%C5%84skiego")
    assert address(conference, "nasza-sciana") in answer


def test_one_place_in_a_question_of_its_own_is_not_a_way(chat: Chat, conference: Conference):
    session = chat(lang="en", user="own")
    session.ask("where is Świetlica Dębniki?")
    answer = session.ask("what happens at Zabłocie on Thursday morning, from nine?")
    assert "/directions?" not in answer


def test_from_there_to_another_place(chat: Chat, conference: Conference):
    for lang, first, then in (("ru", "где Świetlica Dębniki?", "а оттуда до Заблоцья далеко?"),
                              ("pl", "gdzie jest Świetlica Dębniki?", "a stamtąd na Zabłocie?"),
                              ("en", "where is Świetlica Dębniki?", "and from there to Zabłocie?")):
        session = chat(lang=lang, user=f"thence-{lang}")
        session.ask(first)
        link = route_link(session.ask(then))
        assert link.index("Konfederacka") < link.index("Zab%C5%82ocie"), lang


def test_a_way_of_travelling_asks_about_the_same_way(chat: Chat, conference: Conference):
    session = chat(lang="uk", user="tram")
    session.ask("як дістатися з Заблоцє до світлиці Дембніки?")
    link = route_link(session.ask("а трамваєм?"))
    assert link.index("Zab%C5%82ocie") < link.index("Konfederacka")
    alone = chat(lang="uk", user="tram-alone").ask("а трамваєм?")  # no way talked about
    assert "/directions?" not in alone


def test_a_way_from_a_place_without_an_address_still_says_where_it_leads(
        chat: Chat, conference: Conference):
    # the address of the Nad Potokiem visit was not given; MAM's was
    answer = chat(lang="en", user="no-address").ask(
        "how do I get from Nad Potokiem to the MAM na Kozłówce?")
    assert "has not been announced" in answer
    assert address(conference, "mam-kozlowka") in answer
