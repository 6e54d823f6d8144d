"""The held-back set: realistic questions per language, written before tuning and never tuned to.

Prints, per language, the share answered sensibly: the reply language a person would expect
(Russian and transliterated text are answered in Ukrainian) and the intent a person would expect.

    .venv/bin/python bench/understanding_heldout.py [--verbose]

The clock is 2023-11-30 10:05 (day two, during the inspiration sessions).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import PROJECT_ROOT
from bot.language.i18n import Catalogue
from bot.programme.yaml_data import load_conference
from bot.understanding.parser import Intent, Understanding

NOW = datetime(2023, 11, 30, 10, 5, tzinfo=ZoneInfo("Europe/Warsaw"))

# (language group, question, expected reply language, expected reading)
# Readings: an intent name ("now"), "kind:lunch", "topic:catering", "person:<id>",
# "session:<id>" (a search, a "who" or a "where" that finds that session), "who:<id>",
# "place:<id>" (where/distance naming that place), "at", "day:<n>" (a day's programme).
QUESTIONS: list[tuple[str, str, str, str]] = [
    # --- Polish ---
    ("pl", "co się teraz dzieje na konferencji?", "pl", "now"),
    ("pl", "a co będzie potem?", "pl", "next"),
    ("pl", "o której jest przerwa na kawę?", "pl", "kind:break"),
    ("pl", "gdzie zjem obiad?", "pl", "kind:lunch|topic:catering"),
    ("pl", "czy jest panel o wolontariacie?", "pl", "session:s25"),
    ("pl", "kto prowadzi panel o sieciach miejsc otwartych?", "pl", "who:s27"),
    ("pl", "kto mówi o dobrostanie animatorów?", "pl", "who:s22"),
    ("pl", "kiedy mówi Olga Glińska?", "pl", "person:olga-glinska"),
    ("pl", "o czym mówi Adam Pietrzak?", "pl", "person:adam-pietrzak"),
    ("pl", "jak dojechać na Zabłocie?", "pl", "place:zablocie"),
    ("pl", "jak daleko jest ze Skawiny do dworca?", "pl", "distance"),
    ("pl", "program na środę", "pl", "day:1"),
    ("pl", "co jest o 15:30 w środę?", "pl", "at"),
    ("pl", "ile kosztuje udział?", "pl", "topic:participation"),
    ("pl", "czy sala jest dostępna dla wózków?", "pl", "topic:accessibility"),
    ("pl", "gdzie jest rejestracja?", "pl", "kind:registration|topic:registration|place:zablocie"),
    ("pl", "kiedy zaczyna się drugi dzień?", "pl", "conference_start|day:2"),
    ("pl", "do której trwa konferencja?", "pl", "conference_end"),
    ("pl", "czy są jakieś warsztaty?", "pl", "kind:workshop"),
    ("pl", "szukam czegoś o seniorach", "pl", "session:s10"),
    ("pl", "jakie są wizyty studyjne?", "pl", "kind:study_visit"),
    ("pl", "kto organizuje konferencję?", "pl", "topic:organisers"),
    ("pl", "gdzie jest spotkanie wieczorne?", "pl", "session:s8|kind:networking"),
    ("pl", "przypomnij mi o panelu o samorządach", "pl", "remind"),
    ("pl", "pokaż wszystkie miejsca", "pl", "venues"),
    # --- Ukrainian ---
    ("uk", "що зараз відбувається?", "uk", "now"),
    ("uk", "що буде після цього?", "uk", "next"),
    ("uk", "коли перерва на каву?", "uk", "kind:break"),
    ("uk", "о котрій обід?", "uk", "kind:lunch"),
    ("uk", "чи є щось про міграцію?", "uk", "session:s21"),
    ("uk", "хто модерує панель про громадські центри?", "uk", "who:s20"),
    ("uk", "хто веде воркшоп про самопомочі?", "uk", "who:s24"),
    ("uk", "коли виступає Богдан Скшипчак?", "uk", "person:bohdan-skrzypczak"),
    ("uk", "про що говорить Агнєшка Дзєвітек?", "uk", "person:agnieszka-dziewitek"),
    ("uk", "як доїхати до Заблоцця?", "uk", "place:zablocie"),
    ("uk", "як далеко від вокзалу до Скавіни?", "uk", "distance"),
    ("uk", "програма на середу", "uk", "day:1"),
    ("uk", "що відбувається о 13:00 у четвер?", "uk", "at"),
    ("uk", "скільки коштує участь?", "uk", "topic:participation"),
    ("uk", "чи є доступ для людей на візку?", "uk", "topic:accessibility"),
    ("uk", "де реєстрація?", "uk", "kind:registration|topic:registration|place:zablocie"),
    ("uk", "коли починається конференція?", "uk", "conference_start"),
    ("uk", "до котрої триває другий день?", "uk", "conference_end"),
    ("uk", "які є воркшопи?", "uk", "kind:workshop"),
    ("uk", "шукаю сесію про літніх людей", "uk", "session:s10"),
    ("uk", "які навчальні візити?", "uk", "kind:study_visit"),
    ("uk", "хто організатори?", "uk", "topic:organisers"),
    ("uk", "де вечірня зустріч?", "uk", "session:s8|kind:networking"),
    ("uk", "нагадай мені про панель про волонтерство", "uk", "remind"),
    ("uk", "покажи всі місця", "uk", "venues"),
    # --- English ---
    ("en", "what's happening right now?", "en", "now"),
    ("en", "what comes after this?", "en", "next"),
    ("en", "when is the coffee break?", "en", "kind:break"),
    ("en", "what time is lunch?", "en", "kind:lunch"),
    ("en", "anything on volunteering?", "en", "session:s25"),
    ("en", "who is on the panel about small municipalities?", "en", "who:s23"),
    ("en", "who leads the workshop on migration?", "en", "who:s21"),
    ("en", "when is Joanna Warecka speaking?", "en", "person:joanna-warecka"),
    ("en", "what is Krzysztof Panfil talking about?", "en", "person:krzysztof-panfil"),
    ("en", "how do I get to Zabłocie 22?", "en", "place:zablocie"),
    ("en", "how far is the station from the main venue?", "en", "distance"),
    ("en", "wednesday's programme please", "en", "day:1"),
    ("en", "what's on at 3pm on Thursday?", "en", "at"),
    ("en", "how much does it cost to attend?", "en", "topic:participation"),
    ("en", "is the venue wheelchair accessible?", "en", "topic:accessibility"),
    ("en", "where do I register?", "en", "kind:registration|topic:registration|place:zablocie"),
    ("en", "when does the conference start?", "en", "conference_start"),
    ("en", "what time does it finish today?", "en", "conference_end"),
    ("en", "are there any workshops?", "en", "kind:workshop"),
    ("en", "I'm looking for something about older people", "en", "session:s10"),
    ("en", "list the study visits", "en", "kind:study_visit"),
    ("en", "who organises this?", "en", "topic:organisers"),
    ("en", "where is the evening meeting?", "en", "session:s8|kind:networking"),
    ("en", "remind me about the panel on volunteering", "en", "remind"),
    ("en", "show me all venues", "en", "venues"),
    # --- Russian (answered in Ukrainian) ---
    ("ru", "что сейчас происходит?", "uk", "now"),
    ("ru", "а что потом?", "uk", "next"),
    ("ru", "когда перерыв на кофе?", "uk", "kind:break"),
    ("ru", "во сколько обед?", "uk", "kind:lunch"),
    ("ru", "есть что-нибудь про миграцию?", "uk", "session:s21"),
    ("ru", "кто ведёт панель про волонтёрство?", "uk", "who:s25"),
    ("ru", "кто проводит мастер-класс про благополучие?", "uk", "who:s22"),
    ("ru", "когда выступает Богдан Скшипчак?", "uk", "person:bohdan-skrzypczak"),
    ("ru", "о чём говорит Адам Пьетшак?", "uk", "person:adam-pietrzak"),
    ("ru", "как добраться до Заблоцья?", "uk", "place:zablocie"),
    ("ru", "как далеко от вокзала до Скавины?", "uk", "distance"),
    ("ru", "программа на среду", "uk", "day:1"),
    ("ru", "что идёт в 13:00 в четверг?", "uk", "at"),
    ("ru", "сколько стоит участие?", "uk", "topic:participation"),
    ("ru", "есть ли доступ для инвалидных колясок?", "uk", "topic:accessibility"),
    ("ru", "где регистрация?", "uk", "kind:registration|topic:registration|place:zablocie"),
    ("ru", "когда начинается конференция?", "uk", "conference_start"),
    ("ru", "до скольки длится конференция?", "uk", "conference_end"),
    ("ru", "какие есть мастер-классы?", "uk", "kind:workshop"),
    ("ru", "ищу сессию о пожилых людях", "uk", "session:s10"),
    ("ru", "какие учебные визиты?", "uk", "kind:study_visit"),
    ("ru", "кто организаторы?", "uk", "topic:organisers"),
    ("ru", "где вечерняя встреча?", "uk", "session:s8|kind:networking"),
    ("ru", "напомни мне про панель о волонтёрстве", "uk", "remind"),
    ("ru", "покажи все места", "uk", "venues"),
    # --- Ukrainian and Russian in Latin letters (answered in Ukrainian) ---
    ("translit", "shcho zaraz?", "uk", "now"),
    ("translit", "sho zaraz vidbuvaetsya", "uk", "now"),
    ("translit", "chto seichas idet?", "uk", "now"),
    ("translit", "shcho dali?", "uk", "next"),
    ("translit", "chto dalshe?", "uk", "next"),
    ("translit", "koly obid?", "uk", "kind:lunch"),
    ("translit", "kogda obed?", "uk", "kind:lunch"),
    ("translit", "koly perervа na kavu?", "uk", "kind:break"),
    ("translit", "kogda pereryv?", "uk", "kind:break"),
    ("translit", "de reiestratsiia?", "uk", "kind:registration|topic:registration|place:zablocie"),
    ("translit", "gde registratsiya?", "uk", "kind:registration|topic:registration|place:zablocie"),
    ("translit", "yak dobratysya do Skawiny?", "uk", "place:skawina-library"),
    ("translit", "kak dobratsya do Skaviny?", "uk", "place:skawina-library"),
    ("translit", "shcho sohodni?", "uk", "today"),
    ("translit", "chto segodnya?", "uk", "today"),
    ("translit", "programa na seredu", "uk", "day:1"),
    ("translit", "programma na sredu", "uk", "day:1"),
    ("translit", "koly pochynayetsya konferentsiya?", "uk", "conference_start"),
    ("translit", "kogda nachinaetsya konferentsiya?", "uk", "conference_start"),
    ("translit", "skilky koshtuye uchast?", "uk", "topic:participation"),
    ("translit", "skolko stoit uchastie?", "uk", "topic:participation"),
    ("translit", "koly vystupaye Bohdan Skrzypczak?", "uk", "person:bohdan-skrzypczak"),
    ("translit", "kogda vystupaet Skrzypczak?", "uk", "person:bohdan-skrzypczak"),
    ("translit", "de ye obid?", "uk", "kind:lunch|topic:catering"),
    ("translit", "gde budet obed?", "uk", "kind:lunch|topic:catering"),
]


def reading_matches(intent: Intent, expected: str) -> bool:
    """Does an interpretation give what a person asking would expect?"""
    return any(_matches(intent, option) for option in expected.split("|"))


def _matches(intent: Intent, expected: str) -> bool:
    what, _, value = expected.partition(":")
    if what == "kind":  # or a fact (when, where) of the one session of that kind
        return (intent.name == "kind" and intent.kind == value) or (
            intent.name in ("fact", "where") and bool(intent.sessions)
            and all(s.kind == value for s in intent.sessions))
    if what == "topic":
        return intent.name == "topic" and intent.topic is not None and intent.topic.id == value
    if what == "person":
        return intent.name == "person" and any(p.id == value for p in intent.people)
    if what == "session":
        return (intent.name in ("search", "who", "where", "kind", "fact")
                and any(s.id == value for s in intent.sessions))
    if what == "who":
        return intent.name == "who" and any(s.id == value for s in intent.sessions[:3])
    if what == "place":
        return (intent.name in ("where", "distance")
                and any(getattr(p, "id", None) == value for p in intent.places))
    if what == "day":
        return (intent.name in ("programme", "today") and intent.day is not None
                and intent.day.number == int(value))
    return intent.name == expected


def reply_language(understanding: Understanding, conference_languages: tuple[str, ...],
                   text: str) -> str | None:
    """The language the bot would answer a first message in (no choice, no client language)."""
    lexicon = understanding.lexicon
    answer_in = getattr(lexicon, "reply_language", None)
    written = lexicon.detect_language(text, understanding.proper_names)
    detected = answer_in(written) if answer_in else written
    return detected if detected in conference_languages else None


def main() -> int:
    verbose = "--verbose" in sys.argv  # --smoke: the same run, it takes seconds already
    conference, lexicon = load_conference(PROJECT_ROOT / "data")
    understanding = Understanding(conference, lexicon,
                                  Catalogue(conference.languages, conference.timezone))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for group, text, lang, expected in QUESTIONS:
        intent = understanding.interpret(text, NOW)
        replied = reply_language(understanding, conference.languages, text)
        # A first message whose language cannot be told is answered in Polish (the default).
        replied = replied or conference.languages[0]
        lang_ok = replied == lang
        reading_ok = reading_matches(intent, expected)
        totals[group][0] += lang_ok and reading_ok
        totals[group][1] += reading_ok
        totals[group][2] += 1
        if verbose and not (lang_ok and reading_ok):
            found = ",".join(s.id for s in intent.sessions[:3])
            print(f"  MISS [{group}] {text!r}: replied {replied} (want {lang}); "
                  f"read {intent.name} kind={intent.kind} "
                  f"topic={intent.topic.id if intent.topic else None} sessions={found} "
                  f"(want {expected})")
    print(f"{'language':10} {'sensible':>9} {'intent ok':>10} {'questions':>10}")
    for group in ("pl", "uk", "en", "ru", "translit"):
        good, reading, count = totals[group]
        print(f"{group:10} {good / count:9.0%} {reading / count:10.0%} {count:10d}")
    good = sum(t[0] for t in totals.values())
    count = sum(t[2] for t in totals.values())
    print(f"{'all':10} {good / count:9.0%} {'':10} {count:10d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
