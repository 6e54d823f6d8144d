"""The understanding corpus (issue 19): play each conversation through the console, judge it.

    .venv/bin/python bench/understanding_corpus.py [--part dev|heldout|both] [--verbose] [--smoke]
    .venv/bin/python bench/understanding_corpus.py --check FILE   # its format and ids, unplayed

Every conversation is one new person on the console (one fresh SQLite database per run), the demo
clock set to the conversation's `now`. A reply is judged by what the person sees: its text, its
language and, for reminders, the store. Prints the share of turns answered well per kind ×
language, and overall, for each part. `--verbose` prints the failures of the development part
only (the held-out part is never shown question by question); `--smoke` plays a few conversations.
The development part is `dev.yaml` plus every `dev-*.yaml` (conversations added by later writers).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel import Locale

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import PROJECT_ROOT
from bot.app import Application
from bot.core.clock import FakeClock
from bot.programme.model import Conference, NotAnnounced, Session, Venue
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.transports.console import ConsoleSession
from bot.wiring import build_application

CORPUS = Path(__file__).resolve().parent / "corpus"
WARSAW = ZoneInfo("Europe/Warsaw")
DEFAULT_NOW = "2023-11-30T10:05"
KINDS = ("followup", "specific", "time", "fact", "gap", "directions", "vocabulary", "basic")
LANGS = ("pl", "uk", "ru", "en", "translit")
EXPECTED_REPLY = {"pl": "pl", "uk": "uk", "en": "en", "ru": "uk", "translit": "uk"}
NOT_ANNOUNCED = {
    "pl": ("nie ogłoszono", "nie zostało ogłoszone", "nie została ogłoszona", "nie podano",
           "nie został podany", "nie zostały ogłoszone", "nie został ogłoszony"),
    "uk": ("не оголошено", "не вказано", "не оголошений", "не оголошена"),
    "en": ("not been announced", "not announced", "not been given", "not given"),
}
YES: dict[str, tuple[str, ...]] = {"pl": ("tak",), "uk": ("так",), "en": ("yes",)}
NO: dict[str, tuple[str, ...]] = {"pl": ("nie",), "uk": ("ні",), "en": ("no",)}
_PL_WORDS = frozenset(["i", "w", "na", "się", "jest", "nie", "o", "z", "do", "od", "dnia", "godz.",
                       "jak", "co", "to", "są", "że", "przez"])
_EN_WORDS = frozenset(["the", "and", "is", "at", "on", "of", "to", "from", "in", "are", "by",
                       "this", "what", "with"])
_URL = re.compile(r"\(?https?://\S+")


def _calendar_words(lang: str) -> frozenset[str]:
    """Day and month names of a language: a short listing has little else to tell it by."""
    locale = Locale.parse(lang)
    names = [*locale.days["format"]["wide"].values(), *locale.months["format"]["wide"].values(),
             *locale.months["stand-alone"]["wide"].values()]
    return frozenset(n.lower() for n in names)


_PL_WORDS |= _calendar_words("pl")
_EN_WORDS |= _calendar_words("en")


def local(text: str | datetime) -> datetime:
    moment = text if isinstance(text, datetime) else datetime.fromisoformat(str(text))
    return moment.replace(tzinfo=WARSAW)


def reply_language(text: str) -> str:
    """The language a reply is written in, told by its letters and its small words."""
    body = _URL.sub(" ", text)
    letters = [c for c in body if c.isalpha()]
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters)
    if letters and cyrillic / len(letters) > 0.4:
        return "uk"
    tokens = re.findall(r"\w+\.?|\w+", body.lower())
    pl = sum(t in _PL_WORDS for t in tokens) + sum(c in "ąęłńśźżć" for c in body.lower()) / 8
    en = sum(t in _EN_WORDS for t in tokens)
    return "pl" if pl > en else "en"


def clock_forms(moment: datetime) -> tuple[str, ...]:
    m = moment.astimezone(WARSAW)
    return (f"{m.hour}:{m.minute:02d}", f"{m.hour}.{m.minute:02d}", f"{m.hour:02d}:{m.minute:02d}")


def has_time(text: str, moment: datetime) -> bool:
    return any(re.search(rf"(?<![\d]){re.escape(f)}(?!\d)", text) for f in clock_forms(moment))


class Judge:
    """Decides whether a reply gives what a turn's `expect:` asks for."""

    def __init__(self, conference: Conference, app: Application) -> None:
        self.c = conference
        self.app = app
        self._pages: dict[tuple[str, str], str] = {}

    def without_names(self, text: str) -> str:
        """The reply without titles, names, organisations and addresses, which keep their
        own language (a Ukrainian reply naming Polish organisations is still Ukrainian)."""
        if not hasattr(self, "_names"):
            names = {str(t) for s in self.c.walk() for t in s.title.values()}
            names |= {str(t) for s in self.c.walk() if isinstance(s.host, dict)
                      for t in s.host.values()}
            names |= {str(t) for p in self.c.people.values() if isinstance(p.affiliation, dict)
                      for t in p.affiliation.values()}
            names |= {str(n) for v in self.c.venues.values() for n in v.name.values()}
            names |= {v.address for v in self.c.venues.values() if isinstance(v.address, str)}
            names |= {p.name for p in self.c.people.values()}
            self._names = sorted(names, key=len, reverse=True)
        for name in self._names:
            text = text.replace(name, " ")
        return text

    def title(self, session: Session, lang: str) -> str:
        return str(session.title[lang])

    def shown(self, text: str, session: Session, lang: str) -> bool:
        title = self.title(session, lang)
        return title[:60] in text or re.search(  # /s1 is not shown by /s13
            rf"/{re.escape(session.id)}(?![\w])", text) is not None

    def others(self, text: str, lang: str, wanted: set[str]) -> int:
        return sum(1 for s in self.c.walk()
                   if s.id not in wanted and self.title(s, lang)[:60] in text)

    def page(self, command: str, lang: str) -> str:
        key = (command, lang)
        if key not in self._pages:
            session = ConsoleSession(self.app, user=f"page-{command}-{lang}", client_language=lang)
            self._pages[key] = session.ask(command)
        return self._pages[key]

    def not_announced(self, text: str, lang: str) -> bool:
        low = text.lower()
        return any(p in low for p in NOT_ANNOUNCED[lang])

    def __call__(self, expect: dict[str, Any], text: str, lang: str, now: datetime,
                 reminders: list[str]) -> bool:
        answer = str(expect["answer"])
        judge: Callable[..., bool] = getattr(self, "j_" + answer)
        return judge(expect, text, lang, now, reminders)

    # --- one judge per kind of answer ------------------------------------------------

    def _listing(self, text: str, lang: str, sessions: list[Session], slack: int = 2) -> bool:
        wanted = {s.id for s in sessions} | {c.id for s in sessions for c in s.children}
        return (all(self.shown(text, s, lang) for s in sessions)
                and self.others(text, lang, wanted) <= slack)

    def j_now(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        running = self.c.running_at(now)
        upcoming = self.c.next_after(now)
        return all(self.shown(text, s, lang) for s in running + upcoming[:1])

    def j_next(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        upcoming = self.c.next_after(now)
        return bool(upcoming) and all(self.shown(text, s, lang) for s in upcoming)

    def j_at(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        moment = local(e["time"])
        running = self.c.top_level(self.c.running_at(moment))
        if not running:
            return has_time(text, moment) or any(
                self.shown(text, s, lang) for s in self.c.next_after(moment)[:1])
        return self._listing(text, lang, running, slack=len(running) + 2)

    def j_range(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                r: list[str]) -> bool:
        start, end = local(e["from"]), local(e["to"])
        inside = [s for s in self.c.top_level(self.c.walk())
                  if s.times_announced and s.span[0] < end and s.span[1] > start]
        if not inside:
            return self.not_announced(text, lang) or "nothing" in text.lower() or (
                any(w in text.lower() for w in ("nic", "нічого")))
        return self._listing(text, lang, inside, slack=2)

    def j_day(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        day = self.c.days[int(e["day"]) - 1]
        sessions = self.c.top_level(self.c.sessions_on(day))
        other = [s for s in self.c.top_level(self.c.walk()) if s.day is not day]
        return (all(self.shown(text, s, lang) for s in sessions)
                and not any(self.shown(text, s, lang) for s in other))

    def j_session(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                  r: list[str]) -> bool:
        return self._listing(text, lang, [self.c.sessions[e["session"]]], slack=2)

    def j_sessions(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                   r: list[str]) -> bool:
        wanted = [self.c.sessions[s] for s in e["sessions"]]
        return self._listing(text, lang, wanted, slack=2)

    def j_category(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                   r: list[str]) -> bool:
        return self._listing(text, lang, self.c.of_kind(str(e["category"])), slack=1)

    def _fact(self, e: dict[str, Any], text: str, lang: str,
              fact: Callable[[Session], bool]) -> bool:
        session = self.c.sessions[e["session"]]
        return fact(session) and self.others(text, lang, {session.id}) <= 2

    def j_when(self, e: dict[str, Any], text: str, lang: str, now: datetime,
               r: list[str]) -> bool:
        return self._fact(e, text, lang, lambda s: (s.start is not None and has_time(text, s.start))
                          or (s.start is None and self.not_announced(text, lang)))

    def j_end(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        return self._fact(e, text, lang, lambda s: (s.end is not None and has_time(text, s.end))
                          or (s.end is None and self.not_announced(text, lang)))

    def j_duration(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                   r: list[str]) -> bool:
        def fact(s: Session) -> bool:
            if s.start is None or s.end is None:
                return self.not_announced(text, lang)
            minutes = int((s.end - s.start).total_seconds() // 60)
            hours, rest = divmod(minutes, 60)
            forms = [rf"\b{minutes}\s*(min|хв)"]
            if hours:
                forms.append(rf"\b{hours}\s*(h|godz|год)\w*\.?\s*{rest or ''}")
                if rest == 30:
                    forms.append(rf"\b{hours}[,.]5\s*(h|godz|год)")
            return any(re.search(f, text.lower()) for f in forms)
        return self._fact(e, text, lang, fact)

    def _venue_named(self, venue: Venue | NotAnnounced, text: str, lang: str) -> bool:
        if not isinstance(venue, Venue):
            return self.not_announced(text, lang)
        address = venue.address if isinstance(venue.address, str) else ""
        return str(venue.name[lang])[:40] in text or bool(address and address[:20] in text)

    def j_where(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                r: list[str]) -> bool:
        return self._fact(e, text, lang, lambda s: self._venue_named(s.venue, text, lang))

    def j_who(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        def fact(s: Session) -> bool:
            if not s.people:
                return self.not_announced(text, lang) or "listed" in text or (
                    bool(s.host) and s.host is not None and str(s.host[lang])[:30] in text)
            return all(p.name in text or (p.name_uk and p.name_uk in text) for p in s.people)
        return self._fact(e, text, lang, fact)

    def j_format(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                 r: list[str]) -> bool:
        return self._fact(e, text, lang, lambda s: s.format is not None
                          and str(s.format[lang])[:30] in text)

    def _yes_no(self, e: dict[str, Any], text: str, lang: str, words: dict[str, tuple[str, ...]]
                ) -> bool:
        paragraphs = text.lower().split("\n\n")
        while len(paragraphs) > 1 and "/lang" in paragraphs[0]:  # the note on the language
            paragraphs.pop(0)
        first = re.findall(r"\w+", "\n\n".join(paragraphs))[:1]
        if not first or first[0] not in words[lang]:
            return False
        if "session" in e:
            return self.shown(text, self.c.sessions[e["session"]], lang)
        if "person" in e:
            person = self.c.people[e["person"]]
            return person.name in text or bool(person.name_uk and person.name_uk in text)
        return True

    def j_yes(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        return self._yes_no(e, text, lang, YES)

    def j_no(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        return self._yes_no(e, text, lang, NO)

    def j_person(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                 r: list[str]) -> bool:
        person = self.c.people[e["person"]]
        return self._listing(text, lang, self.c.with_person(person), slack=1)

    def j_place(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                r: list[str]) -> bool:
        return self._venue_named(self.c.venues[e["place"]], text, lang)

    def _place_named(self, ident: str, text: str, lang: str) -> bool:
        if ident == "station":
            return any(w in text.lower() for w in ("główn", "glown", "station", "вокзал", "dworzec",
                                                   "dworca", "galeria krakowska"))
        if ident in self.c.venues:
            return self._venue_named(self.c.venues[ident], text, lang)
        landmark = self.c.landmarks.get(ident)
        return landmark is not None and str(landmark.name[lang])[:30] in text

    def j_directions(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                     r: list[str]) -> bool:
        return (self._place_named(str(e["to"]), text, lang)
                and self._place_named(str(e["from"]), text, lang))

    def j_distance(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                   r: list[str]) -> bool:
        measured = bool(re.search(r"\d\s*(km|m\b|км|м\b)", text))
        routed = "directions" in text or "route" in text or "/dir/" in text
        return (measured or routed) and self.j_directions(e, text, lang, now, r)

    def j_topic(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                r: list[str]) -> bool:
        topic = next(t for t in self.c.info if t.id == e["topic"])
        return str(topic.body[lang]).strip()[:50] in text

    def j_fact_about(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                     r: list[str]) -> bool:
        fact = str(e["fact"])
        if fact == "start":
            return has_time(text, self.c.starts)
        if fact == "end":
            return has_time(text, self.c.ends)
        if fact == "motto":
            return not isinstance(self.c.theme, NotAnnounced) and str(
                self.c.theme[lang]).strip("„”“«»\" ")[:20] in text
        if fact == "organisers":
            return self.j_topic({"topic": "organisers"}, text, lang, now, r)
        if fact == "participants":  # the seeds (003): more than 150 people take part
            return "150" in text
        if fact == "editions":  # the seeds (002): held since 2017; this is the 7th edition
            return "2017" in text or bool(re.search(rf"\b{self.c.edition}\b", text))
        return False

    def j_gap(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        contact = [self.c.website or "", str(getattr(self.c, "contact", "") or "")]
        bare = [c.split("//")[-1].removeprefix("www.").rstrip("/")[:20] for c in contact if c]
        return self.not_announced(text, lang) and any(b and b in text for b in bare)

    def j_remind(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                 r: list[str]) -> bool:
        return str(e["session"]) in r

    def j_venues(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                 r: list[str]) -> bool:
        return text == self.page("/venues", lang)

    def j_help(self, e: dict[str, Any], text: str, lang: str, now: datetime, r: list[str]) -> bool:
        return text == self.page("/help", lang)

    def j_privacy(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                  r: list[str]) -> bool:
        return text == self.page("/privacy", lang)

    def j_agenda(self, e: dict[str, Any], text: str, lang: str, now: datetime,
                 r: list[str]) -> bool:
        return "/my" in text or "/agenda" in text or text == self.page("/my", lang)


def reminders_of(app: Application, user: str) -> list[str]:
    from sqlalchemy import text as sql

    with app.store.session() as session:
        row = session.execute(sql("SELECT id FROM users WHERE platform='console' AND "
                                  "external_id=:u"), {"u": user}).first()
    return [] if row is None else app.store.subscriptions.of(int(row[0]))


def play(part: str, conversations: list[dict[str, Any]], verbose: bool
         ) -> dict[tuple[str, str], list[int]]:
    """Play the conversations; the score per (kind, language): [good, turns]."""
    conference, lexicon = load_conference(PROJECT_ROOT / "data")
    scores: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/corpus.sqlite")
        clock = FakeClock(local(DEFAULT_NOW))
        app = build_application(conference, lexicon, store, clock)
        app.apply_programme()
        judge = Judge(conference, app)
        for conversation in conversations:
            now = local(str(conversation.get("now", DEFAULT_NOW)))
            clock.set(now)
            user = f"{part}-{conversation['id']}"
            session = ConsoleSession(app, user=user)
            lang = str(conversation["lang"])
            for number, turn in enumerate(conversation["turns"]):
                clock.set(now + timedelta(seconds=20 * number))
                text = session.ask(str(turn["say"]))
                want = str(turn.get("reply_lang", EXPECTED_REPLY[lang]))
                bare = judge.without_names(text)
                got = reply_language(bare if sum(c.isalpha() for c in bare) >= 8 else text)
                try:
                    good = got == want and judge(turn["expect"], text, want, now,
                                                 reminders_of(app, user))
                except Exception as error:  # a judge that cannot judge counts as a miss
                    good = False
                    text += f"\n[judge error: {error!r}]"
                key = (str(conversation["kind"]), lang)
                scores[key][0] += good
                scores[key][1] += 1
                if verbose and not good and part == "dev":
                    print(f"--- MISS {conversation['id']} turn {number + 1} [{key[0]}/{lang}] "
                          f"{turn['say']!r} expect {turn['expect']} (reply {got}, want {want})")
                    print("    " + text[:600].replace("\n", "\n    "))
        store.close()
    return scores


def report(part: str, scores: dict[tuple[str, str], list[int]]) -> float:
    print(f"\n== {part} ==")
    print(f"{'kind':11}" + "".join(f"{lang:>10}" for lang in LANGS) + f"{'all':>10}")
    for kind in KINDS:
        cells = []
        for lang in LANGS:
            good, count = scores.get((kind, lang), [0, 0])
            cells.append(f"{good / count:6.2f} ({count:2d})" if count else f"{'-':>10}")
        good = sum(v[0] for k, v in scores.items() if k[0] == kind)
        count = sum(v[1] for k, v in scores.items() if k[0] == kind)
        if count:
            print(f"{kind:11}" + "".join(f"{c:>10}" for c in cells)
                  + f"{good / count:6.2f} ({count:3d})")
    good = sum(v[0] for v in scores.values())
    count = sum(v[1] for v in scores.values())
    per_lang = []
    for lang in LANGS:
        g = sum(v[0] for k, v in scores.items() if k[1] == lang)
        n = sum(v[1] for k, v in scores.items() if k[1] == lang)
        per_lang.append(f"{g / n:6.2f} ({n:2d})" if n else f"{'-':>10}")
    print(f"{'all':11}" + "".join(f"{c:>10}" for c in per_lang)
          + f"{good / count:6.2f} ({count:3d})")
    return good / count


def load_part(part: str) -> list[dict[str, Any]]:
    """A part's conversations: `heldout.yaml`, or `dev.yaml` and every `dev-*.yaml`."""
    files = [CORPUS / f"{part}.yaml", *sorted(CORPUS.glob(f"{part}-*.yaml"))]
    conversations: list[dict[str, Any]] = []
    for file in files:
        conversations += yaml.safe_load(file.read_text(encoding="utf-8")) or []
    return conversations


def check(file: Path) -> list[str]:
    """What is wrong with a corpus file's format or ids (nothing is played)."""
    conference, _ = load_conference(PROJECT_ROOT / "data")
    sessions = set(conference.sessions)
    people = set(conference.people)
    venues = set(conference.venues) | {"station"}
    topics = {t.id for t in conference.info}
    kinds = {s.kind for s in conference.sessions.values()}
    problems: list[str] = []
    seen: set[str] = set()
    for conversation in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
        ident = str(conversation.get("id"))
        where = f"{file.name}: {ident}"
        if ident in seen:
            problems.append(f"{where}: id used twice")
        seen.add(ident)
        if conversation.get("lang") not in LANGS:
            problems.append(f"{where}: lang must be one of {LANGS}")
        if conversation.get("kind") not in KINDS:
            problems.append(f"{where}: kind must be one of {KINDS}")
        if "now" in conversation:
            try:
                local(str(conversation["now"]))
            except ValueError:
                problems.append(f"{where}: now is not a local date and time")
        for number, turn in enumerate(conversation.get("turns") or [], 1):
            expect = turn.get("expect") or {}
            at = f"{where} turn {number}"
            if not str(turn.get("say", "")).strip():
                problems.append(f"{at}: no say")
            if not hasattr(Judge, "j_" + str(expect.get("answer"))):
                problems.append(f"{at}: unknown answer {expect.get('answer')!r}")
            for key, known in (("session", sessions), ("person", people), ("topic", topics),
                               ("category", kinds)):
                if key in expect and str(expect[key]) not in known:
                    problems.append(f"{at}: unknown {key} {expect[key]!r}")
            for ident_ in expect.get("sessions") or []:
                if str(ident_) not in sessions:
                    problems.append(f"{at}: unknown session {ident_!r}")
            if expect.get("answer") in ("directions", "distance", "place"):
                for key in ("from", "to", "place"):
                    if key in expect and str(expect[key]) not in venues:
                        problems.append(f"{at}: unknown venue {expect[key]!r}")
            for key in ("time", "from", "to"):
                if key in expect and expect.get("answer") in ("at", "range"):
                    try:
                        local(str(expect[key]))
                    except ValueError:
                        problems.append(f"{at}: {key} is not a local date and time")
        if not conversation.get("turns"):
            problems.append(f"{where}: no turns")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--part", choices=("dev", "heldout", "both"), default="dev")
    parser.add_argument("--verbose", action="store_true", help="print the dev failures")
    parser.add_argument("--smoke", action="store_true", help="play only a few conversations")
    parser.add_argument("--check", type=Path, metavar="FILE",
                        help="check a corpus file's format and ids without playing it")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.check)
        print("\n".join(problems) or f"{args.check}: fine")
        return 1 if problems else 0
    parts = ("dev", "heldout") if args.part == "both" else (args.part,)
    for part in parts:
        conversations = load_part(part)
        if args.smoke:
            conversations = conversations[::20]
        report(part, play(part, conversations, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
