"""Issue 19, round two: structural rules, as conversations. A facet that is not announced beats
the neighbouring page; a yes/no question checks every claim it makes; an ordinal before a day
word names a day, and alone, after a day's programme, names the other day."""

from __future__ import annotations

import pytest

from bot.programme.model import Conference
from tests.conftest import Chat, warsaw
from tests.helpers import title


@pytest.mark.parametrize(("question", "lang", "said", "not_said"), [
    ("czy zwracają pieniądze za catering, jak nie przyjdę?", "pl", "nie ogłoszono",
     "całodniowego cateringu"),
    ("is the catering vegan?", "en", "not announced", "full-day conference catering"),
    ("где можно покурить возле Заблоцья?", "ru", "не оголошено", "Адреса"),
    ("where do I leave my coat on Wednesday?", "en", "not announced", "Study visit"),
])
def test_a_facet_not_announced_beats_the_neighbouring_page(
        chat: Chat, conference: Conference, question: str, lang: str, said: str,
        not_said: str):
    answer = chat(user=f"facet-{lang}-{len(question)}",
                  lang="uk" if lang == "ru" else lang).ask(question)
    assert said in answer and conference.website and conference.website in answer
    assert not_said not in answer


def test_registration_itself_still_gets_its_page(chat: Chat):
    answer = chat(user="register", lang="pl").ask("jak się zapisać na konferencję?")
    assert "evenea" in answer and "nie ogłoszono" not in answer


@pytest.mark.parametrize(("question", "lang", "yes"), [
    ("czy wizyta na Konfederackiej jest w czwartek?", "pl", "Nie"),
    ("чи візит на Конфедерацькій у середу?", "uk", "Так"),
])
def test_a_yes_no_question_checks_every_claim(chat: Chat, conference: Conference,
                                              question: str, lang: str, yes: str):
    answer = chat(user=f"claims-{lang}-{len(question)}", lang=lang).ask(question)
    assert answer.startswith(yes), answer
    assert title(conference, "s5", lang) in answer


@pytest.mark.parametrize(("lang", "first", "other"), [
    ("en", "what's on the first day?", "and the second?"),
    ("uk", "що в програмі першого дня?", "а другого?"),
    ("pl", "co jest w pierwszym dniu?", "a w drugim?"),
    ("ru", "что в программе на первый день?", "а на второй?"),
])
def test_an_ordinal_names_a_day_and_alone_the_other_day(
        chat: Chat, app, conference: Conference, lang: str, first: str, other: str):
    app.clock.set(warsaw("2023-11-29T13:00"))  # "first" is not one o'clock
    reply = "uk" if lang == "ru" else lang
    session = chat(user=f"ordinal-{lang}", lang=reply)
    day_one = session.ask(first)
    assert title(conference, "s1", reply) in day_one
    assert title(conference, "s13", reply) not in day_one
    day_two = session.ask(other)
    assert title(conference, "s13", reply) in day_two
    assert title(conference, "s1", reply) not in day_two


def test_an_hour_word_without_a_day_word_is_still_an_hour(chat: Chat, app,
                                                         conference: Conference):
    app.clock.set(warsaw("2023-11-30T10:00"))
    answer = chat(user="hour", lang="pl").ask("co jest o pierwszej?")
    assert title(conference, "s23", "pl") in answer


@pytest.mark.parametrize(("lang", "question", "origin", "destination"), [
    ("pl", "jak się dostać z Kozłówki na Konfederacką?", "mam-kozlowka", "swietlica-debniki"),
    ("pl", "jak dojść na Zabłocie od dworca?", "krakow-glowny", "zablocie"),
    ("uk", "як добратися з вокзалу до Заблоцє?", "krakow-glowny", "zablocie"),
    ("en", "how do I get to Zablocie from the station?", "krakow-glowny", "zablocie"),
    ("en", "how do I get from Kozłówka to Zabłocie?", "mam-kozlowka", "zablocie"),
])
def test_a_way_from_one_named_place_to_another(chat: Chat, conference: Conference, lang: str,
                                               question: str, origin: str, destination: str):
    answer = chat(user=f"way-{lang}-{len(question)}", lang=lang).ask(question)
    named = {**conference.venues, **conference.landmarks}
    start, end = named[origin], named[destination]
    route = next(line for line in answer.splitlines() if "→" in line)
    before, _, after = route.partition("→")
    assert str(start.name[lang])[:25] in before and str(end.name[lang])[:25] in after, answer


def test_transliteration_without_marker_words_is_read_through_cyrillic(chat: Chat, app,
                                                                       conference: Conference):
    app.clock.set(warsaw("2023-11-29T13:00"))
    session = chat(user="translit-ru")
    where = session.ask("gde budet vorkshop people meet people")
    assert "Na Kozłówce 25" in where
    when = session.ask("a vo skolko ono?")  # no word of the marker list
    assert "17:00" in when and title(conference, "s6", "uk") in when
    reminded = session.ask("napomni pro nego")
    assert title(conference, "s6", "uk") in reminded


def test_polish_without_diacritics_is_not_taken_for_transliteration(chat: Chat):
    answer = chat(user="pl-ascii").ask("o ktorej zaczyna sie panel o malych gminach")
    assert "12:50" in answer and "Zaczyna się" in answer
    assert "Я розумію" not in answer and "Коли" not in answer


def test_an_english_contraction_keeps_its_question_word(chat: Chat, conference: Conference):
    session = chat(user="contraction", lang="en")
    first = session.ask("when does the workshop on migration start?")
    assert title(conference, "s21", "en") in first
    who = session.ask("who's leading it?")
    assert all(p.name in who for p in conference.sessions["s21"].people)
    assert "did not understand" not in who


@pytest.mark.parametrize(("question", "lang", "kind"), [
    ("які будуть майстер-класи?", "uk", "workshop"),
    ("какие будут семинары?", "ru", "workshop"),
    ("what field trips are there?", "en", "study_visit"),
    ("any excursions?", "en", "study_visit"),
])
def test_a_form_of_be_and_a_kinds_common_name_list_that_kind(
        chat: Chat, conference: Conference, question: str, lang: str, kind: str):
    """'будуть' is a form of 'be', not a title word; 'field trips' names the study visits."""
    reply = "uk" if lang == "ru" else lang
    answer = chat(user=f"kind-{lang}-{len(question)}", lang=reply).ask(question)
    for session in conference.of_kind(kind):
        assert title(conference, session.id, reply) in answer, answer


@pytest.mark.parametrize(("question", "expected"), [
    ("jaki je panelni dyskusii", ["s20", "s23", "s25"]),  # "je" is є, not Polish
    ("shcho pislja kavovoi perervy", ["s20", "s21", "s22"]),  # after the coffee break
    ("hto vede panel pro community centers", ["s20"]),  # "ht" is хт: who runs it
])
def test_ukrainian_typed_in_latin_letters_is_read_as_ukrainian(
        chat: Chat, app, conference: Conference, question: str, expected: list[str]):
    app.clock.set(warsaw("2023-11-30T10:05"))
    answer = chat(user=f"latin-{len(question)}", lang="uk").ask(question)
    for session_id in expected:
        assert title(conference, session_id, "uk") in answer, answer


def test_who_in_latin_letters_names_the_people(chat: Chat, conference: Conference):
    answer = chat(user="latin-who", lang="uk").ask("hto vede panel pro community centers")
    for person in conference.sessions["s20"].people:
        assert person.name in answer, answer


@pytest.mark.parametrize(("lang", "first", "then"), [
    ("uk", "шо там про мегаполіси після обіду", "хто модерує?"),
])
def test_a_subject_within_a_part_of_day_names_that_session(
        chat: Chat, app, conference: Conference, lang: str, first: str, then: str):
    """The words besides the time name a session in that time: it, not the whole afternoon,
    and a follow-up is about it."""
    app.clock.set(warsaw("2023-11-30T10:05"))
    session = chat(user=f"within-{lang}", lang=lang)
    answer = session.ask(first)
    assert title(conference, "s27", lang) in answer, answer
    assert title(conference, "s23", lang) not in answer, answer
    moderated = session.ask(then)
    assert title(conference, "s27", lang) in moderated
    assert title(conference, "s20", lang) not in moderated, moderated


def test_a_kind_within_a_part_of_day_still_lists_the_part(chat: Chat, app,
                                                         conference: Conference):
    app.clock.set(warsaw("2023-11-30T10:05"))
    answer = chat(user="within-kind", lang="uk").ask("які панелі після обіду")
    for session_id in ("s23", "s25", "s27"):
        assert title(conference, session_id, "uk") in answer, answer


@pytest.mark.parametrize(("lang", "first", "then", "remind", "starts"), [
    ("en", "when's the nasza sciana visit", "and the one on konfederacka?",
     "remind me about that one", "starts"),
    ("pl", "kiedy jest wizyta w Naszej Ścianie?", "a ta na Konfederackiej?",
     "przypomnij mi o niej", "15:30"),
])
def test_the_one_at_another_place_is_the_session_held_there(
        chat: Chat, app, conference: Conference, lang: str, first: str, then: str,
        remind: str, starts: str):
    """After a session, 'the one on <street>' is the session held there, asked the same."""
    app.clock.set(warsaw("2023-11-29T11:00"))
    session = chat(user=f"elsewhere-{lang}", lang=lang)
    assert title(conference, "s4", lang) in session.ask(first)
    answer = session.ask(then)
    assert title(conference, "s5", lang) in answer and starts in answer, answer
    assert title(conference, "s4", lang) not in answer, answer
    reminded = session.ask(remind)
    assert "/unremind s5" in reminded, reminded


@pytest.mark.parametrize(("lang", "first", "then"), [
    ("uk", "про що сесія з Гжималою-Мощинською?", "вона ще десь виступає?"),
    ("en", "what is the session with Grzymała-Moszczyńska about?",
     "does she speak anywhere else?"),
])
def test_a_pronoun_with_a_speaking_verb_asks_about_the_person(
        chat: Chat, app, lang: str, first: str, then: str):
    """'does she speak anywhere else?' after a person: her sessions, not a list of talks."""
    app.clock.set(warsaw("2023-11-30T12:50"))
    session = chat(user=f"she-{lang}", lang=lang)
    session.ask(first)
    answer = session.ask(then)
    assert answer.startswith("Joanna Grzymała-Moszczyńska"), answer


def test_who_speaks_there_still_names_the_speakers(chat: Chat, app):
    app.clock.set(warsaw("2023-11-30T12:50"))
    session = chat(user="who-there", lang="uk")
    session.ask("про що сесія з Гжималою-Мощинською?")
    answer = session.ask("а хто там виступає?")
    assert "Olga Glińska" in answer, answer


@pytest.mark.parametrize("question", ["global trends talk", "anything starting soon?"])
def test_common_english_words_mark_english(chat: Chat, question: str):
    """'talk', 'anything', 'starting' are English: a newcomer gets an English reply."""
    answer = chat(user=f"english-{len(question)}").ask(question)
    assert not any(word in answer for word in ("listopada", "sesja", "Przepraszam")), answer


def test_tomorrow_shortened_is_tomorrow(chat: Chat, app, conference: Conference):
    """'tmrw' is how people type 'tomorrow': 'and after lunch tmrw' is the afternoon panels."""
    app.clock.set(warsaw("2023-11-29T09:00"))
    session = chat(user="tmrw", lang="en")
    session.ask("and tomorrow morning?")
    answer = session.ask("and after lunch tmrw")
    assert title(conference, "s27", "en") in answer, answer
    assert "Lunch break" not in answer, answer


def test_a_yes_no_answer_is_the_ground_for_the_next_question(chat: Chat, app,
                                                              conference: Conference):
    """After 'does the Nasza Ściana visit start at 3?', 'the Skawina one' is the other visit."""
    app.clock.set(warsaw("2023-11-30T10:05"))
    session = chat(user="yesno-ground", lang="en")
    assert session.ask("does the nasza sciana visit start at 3?").startswith("No")
    answer = session.ask("is the skawina one at 3?")
    assert answer.startswith("Yes"), answer
    assert title(conference, "s3", "en") in answer, answer


@pytest.mark.parametrize("question", ["як добратись з вокзалу до Дембніків?",
                                      "jak dobratys z vokzalu do dembnikiv"])
def test_the_reflexive_sj_spelling_asks_the_way(chat: Chat, question: str):
    """'добратись' is 'добратися' spelt with -сь: the way from the station, not the station."""
    answer = chat(user=f"way-{len(question)}", lang="uk").ask(question)
    assert "→" in answer and "Dębniki" in answer, answer


def test_coffee_in_latin_letters_follows_lunch(chat: Chat, app, conference: Conference):
    """'kava' is Ukrainian (Polish writes 'kawa'): 'a kava?' after lunch asks when coffee is."""
    app.clock.set(warsaw("2023-11-30T08:40"))
    session = chat(user="kava")
    assert title(conference, "s26", "uk") in session.ask("koly obidnja pererva?")
    answer = session.ask("a kava?")
    assert title(conference, "s19", "uk") in answer and "10:55" in answer, answer
