"""`confbot run | console | check | migrate | status | reload | outbox | announce | import |
unanswered | edits | purge` (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Coroutine
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from bot.core.clock import Clock, ShiftedClock, SystemClock
from bot.core.config import ConfigError, Settings, load_settings
from bot.core.logids import configure as configure_log_ids
from bot.core.logids import who
from bot.language.i18n import Catalogue, I18nError
from bot.ops.logs import REDACT, add_secret, configure_logging, safe_url
from bot.ops.schedule_import import import_schedule, report_schedule
from bot.ops.startup import StartupError, database_transient, retry_sync
from bot.ops.wakeup import publish
from bot.ops.watcher import LiveSchedule, load_programme
from bot.programme.yaml_data import DataError, load_conference
from bot.storage import Store
from bot.storage.console import LOGIN_PATH
from bot.storage.erasure import purge
from bot.storage.privacy import PrivacyPolicy, log_key
from bot.wiring import build_application, http_server, platform_transports

if TYPE_CHECKING:
    from bot.app import Application

log = logging.getLogger("confbot")
# What only `run` and `console` need (the scheduler, serving, the console) is imported in
# _start: a command-line tool such as `confbot announce` starts without it.


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="confbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start every configured transport "
                                          "(the console when none is configured)")
    run.add_argument("--now", help="start the clock at this time (the conference's local time), "
                                   "e.g. 2023-11-30T10:05 (demo mode)")

    console = commands.add_parser("console", help="talk to the bot in this terminal")
    console.add_argument("--now", help="start the clock at this time, e.g. 2023-11-30T10:05")
    console.add_argument("--lang", help="the language your client reports (pl, uk, en, …)")
    console.add_argument("--user", default="console", help="who you are (default: console)")

    commands.add_parser("check", help="validate the data and the configuration, and reach "
                                      "the database (without changing it), then exit")
    commands.add_parser("migrate", help="create or upgrade the database schema (the release "
                                        "step; `run` also does it, under a lock)")
    links = commands.add_parser("links", help="the t.me link of each session (and of its "
                                              "reminder), for posters and QR codes")
    links.add_argument("--bot", help="the bot's Telegram user name (asked from Telegram with "
                                     "TELEGRAM_TOKEN when not given)")
    commands.add_parser("reload", help="validate the edited data and tell subscribers what "
                                       "changed (a running bot also notices by itself)")
    commands.add_parser("outbox", help="show what is queued, sent and failed")
    importer = commands.add_parser("import", help="convert a frab XML or C3VOC/pretalx JSON "
                                                  "schedule (file or URL) into data/ YAML")
    importer.add_argument("schedule", help="a schedule file, or an http(s) URL")
    importer.add_argument("--out", default="data-imported", help="the folder to write "
                                                                 "(default: data-imported)")
    unanswered = commands.add_parser("unanswered", help="the questions the bot could not "
                                                        "place, similar ones grouped")
    unanswered.add_argument("--since", help="only this recent: 30m, 2h, 1d, 1w")
    edits = commands.add_parser("edits", help="list the organisers' live edits of the programme")
    edits.add_argument("--export", action="store_true",
                       help="print them as YAML to merge into data/ after the event")
    purging = commands.add_parser("purge", help="apply the retention rule now: erase delivered "
                                              "messages' texts, and personal data once "
                                              "CONFBOT_RETENTION_DAYS after the conference")
    purging.add_argument("--dry-run", action="store_true", help="only count what would go")
    feedback = commands.add_parser("feedback", help="the ratings of the sessions: count, "
                                   "average, distribution, comments")
    feedback.add_argument("--csv", action="store_true", help="every rating as CSV, naming nobody")
    commands.add_parser("stats", help="how many people have each session on their agenda, "
                        "with a reminder, against the places")
    commands.add_parser("status", help="the running processes (leader, standbys), the outbox "
                                       "backlog, the last delivery; exit 1 without a leader")
    web_login = commands.add_parser("web-login", help="print a one-time link to the "
                                                      "organisers' web console")
    web_login.add_argument("person", help="an organiser as in ORGANISERS: telegram:123456")
    announce = commands.add_parser("announce", help="queue an announcement; a running bot "
                                                    "delivers it")
    for lang in ("pl", "uk", "en"):
        announce.add_argument(f"--{lang}", metavar="TEXT", help=f"the text in {lang}")
    announce.add_argument("--text", nargs=2, action="append", metavar=("LANG", "TEXT"),
                          default=[], help="the text in another conference language")
    announce.add_argument("--audience", default="all",
                          help="all | lang:uk | session:s12 | platform:telegram")
    announce.add_argument("--yes", action="store_true", help="send without asking")
    return parser.parse_args(argv)


def _setup_logging(settings: Settings | None, default: str) -> None:
    """One handler for every logger, secrets redacted (bot.ops.logs)."""
    level = (settings.log_level if settings and settings.log_level else default)
    configure_logging(level, settings.log_format if settings else "text",
                      secrets=settings.secrets if settings else ())


def _clock(now: str | None, timezone: tzinfo) -> Clock:
    if not now:
        return SystemClock()
    try:
        start = datetime.fromisoformat(now)
    except ValueError:
        raise ConfigError("--now", f"'{now}' is not a date and time like 2023-11-30T10:05"
                          ) from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone)
    return ShiftedClock(start)


def _check(settings: Settings) -> int:
    from bot.ops.status import inspect_database

    loaded = load_programme(settings)
    conference = loaded.conference
    Catalogue(conference.languages, conference.timezone)
    print(f"OK: {conference.short_name[conference.languages[0]]} — {len(conference.days)} days, "
          f"{len(conference.sessions)} sessions, {len(conference.venues)} venues, "
          f"{len(conference.people)} people, {len(conference.info)} information topics, "
          f"languages {', '.join(conference.languages)}; data in {_source(settings)}")
    print(f"Transports: {', '.join(_transports(settings)) or 'none (the console)'}")
    port = settings.serves_http
    print(f"HTTP: {f'/healthz, /readyz, /metrics on port {port}' if port else 'off'}")
    state = inspect_database(settings.database_url)
    status = report_schedule(loaded)
    if state.problem is not None:
        print(f"Database: {safe_url(settings.database_url)}: {state.problem}")
    else:
        schema = ("current" if state.revision == state.head else
                  f"at {state.revision}, needs `confbot migrate` to reach {state.head}")
        print(f"Database: {safe_url(settings.database_url)} reachable, schema {schema}")
    telegram = settings.telegram
    if telegram and telegram.webhook_url and telegram.webhook_url.startswith("http://"):
        print("WARNING: TELEGRAM_WEBHOOK_URL starts with http://: Telegram sends webhooks only "
              "to https:// URLs (put an HTTPS reverse proxy in front, see docs/deploy.md)",
              file=sys.stderr)
    if settings.telegram is not None:
        print("NOTE: for sharing sessions into any chat (@bot lunch), turn on inline mode: "
              "BotFather, /setinline", file=sys.stderr)
    if not settings.privacy_contact:
        print("WARNING: PRIVACY_CONTACT is not set: /privacy cannot tell people whom to ask "
              "about their data (set an e-mail address or a handle)", file=sys.stderr)
    return status


def _transports(settings: Settings) -> list[str]:
    telegram, matrix = settings.telegram, settings.matrix
    on = []
    if telegram is not None:
        how = f"webhook {telegram.webhook_url}" if telegram.webhook_url else "long polling"
        on.append(f"telegram ({how})")
    if matrix is not None:
        on.append(f"matrix ({matrix.user_id} on {matrix.homeserver})")
    return on


def _migrate(settings: Settings) -> int:
    from bot.ops.status import inspect_database
    from bot.storage.database import make_engine, upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    state = inspect_database(settings.database_url)
    print(f"Database {safe_url(settings.database_url)}: schema at {state.revision} (newest).")
    return 0


def _links(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.links import links_table, telegram_username

    username = telegram_username(settings, args.bot)
    print(links_table(load_programme(settings).conference, username))
    return 0


def _source(settings: Settings) -> str:
    if settings.schedule is None:
        return str(settings.data_dir)
    overlay = settings.schedule.overlay_dir
    return settings.schedule.location + (f" with {overlay}" if overlay else "")


def _privacy(app: Application, settings: Settings) -> None:
    """The privacy contact and retention rule from the configuration; pseudonymous log ids."""
    app.privacy = PrivacyPolicy(contact=settings.privacy_contact,
                                retention_days=settings.retention_days)
    key = log_key(app.store.state, settings.log_key)
    add_secret(key)
    configure_log_ids(key, reveal=settings.log_level == "DEBUG")


def _purge(args: argparse.Namespace, settings: Settings) -> int:

    conference = load_programme(settings).conference
    store = Store(settings.database_url)
    try:
        policy = PrivacyPolicy(settings.privacy_contact, settings.retention_days)
        due = policy.deletion_due(conference.ends)
        now = datetime.now(conference.timezone)
        counts = purge(store, now=now, deletion_due=due, dry_run=args.dry_run)
        verb = "would be" if args.dry_run else "were"
        for what, count in counts.items():
            print(f"{what:26} {count} row(s) {verb} changed")
        if now < due:
            print(f"Personal data is kept until {due:%Y-%m-%d %H:%M} "
                  f"({settings.retention_days} days after the conference ends); "
                  "only delivered messages' texts were due.")
    finally:
        store.close()
    return 0


def _reload(settings: Settings) -> int:
    """Compare the edited data with the programme the bot knew; queue the change notices."""
    programme = load_programme(settings)
    conference, lexicon = programme.conference, programme.lexicon
    store = Store(settings.database_url)
    try:
        app = build_application(conference, lexicon, store, SystemClock())
        _privacy(app, settings)
        app.on_queued = lambda: publish(store.engine)  # a running bot sends at once
        changes = app.apply_programme()
        print(f"OK: {len(conference.sessions)} sessions loaded from {_source(settings)}.")
        if not changes:
            print("No session moved, changed place or was cancelled.")
        for change in changes:
            what = ("cancelled" if change.cancelled else
                    " and ".join(w for w, on in (("new time", change.moved),
                                                 ("new place", change.relocated),
                                                 ("on again", change.restored),
                                                 ("new note", change.noted)) if on))
            print(f"  {change.session_id}: {what} — {change.notices} notice(s) queued")
        for skipped in app.skipped_edits:
            print(f"  {skipped.session_id}: the live edit ({', '.join(skipped.aspects)}) no "
                  f"longer applies: {skipped.reason}. See `confbot edits`.")
        print("A running bot delivers the notices and moves the reminders.")
    finally:
        store.close()
    return 0


def _announce(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.plaintext import plain_text
    from bot.delivery.broadcasts import Draft, announcement_text, parse_audience, queue, recipients

    programme = load_programme(settings)
    conference, lexicon = programme.conference, programme.lexicon
    given = {lang: getattr(args, lang) for lang in ("pl", "uk", "en") if getattr(args, lang)}
    given.update({lang: text for lang, text in args.text})
    unknown = sorted(set(given) - set(conference.languages))
    if unknown:
        raise ConfigError("--text", f"{', '.join(unknown)} is not a conference language "
                                    f"({', '.join(conference.languages)})")
    if not given:
        raise ConfigError("--pl", "give the announcement's text, e.g. --pl 'Obiad o 14:30'")
    store = Store(settings.database_url)
    try:
        app = build_application(conference, lexicon, store, SystemClock(),
                                organisers=settings.organisers)
        app.on_queued = lambda: publish(store.engine)  # a running bot sends at once
        audience = parse_audience(conference, args.audience)
        if audience is None:
            raise ConfigError("--audience", f"'{args.audience}' is not all, lang:<language>, "
                                            "session:<id> or platform:<name>")
        source = next(lang for lang in conference.languages if lang in given)
        draft = Draft(given, source, audience)
        chosen = recipients(app, audience)
        for lang in conference.languages:
            group = sum(1 for _, reader in chosen if reader == lang)
            if group:
                print(f"--- {lang}: {group} recipient(s) ---")
                print(plain_text(announcement_text(app.catalogue, draft, lang)))
        print(f"--- {len(chosen)} recipient(s) in all ---")
        if not args.yes:
            if not sys.stdin.isatty():
                print("Not sent: add --yes to send without asking.", file=sys.stderr)
                return 1
            if input("Send? [y/N] ").strip().lower() not in ("y", "yes", "t", "tak", "так"):
                print("Not sent.")
                return 1
        announcement_id, count = queue(app, draft, author_platform="cli", author_chat=None,
                                       author_user_id=None)
        print(f"Announcement #{announcement_id} queued for {count} recipient(s); a running bot "
              "delivers it (see `confbot outbox`).")
    finally:
        store.close()
    return 0


def _unanswered(args: argparse.Namespace, settings: Settings) -> int:
    """Print the questions the bot could not place, grouped by similarity, newest first."""
    from bot.storage import Store
    from bot.storage.unanswered import parse_since

    since = parse_since(args.since) if args.since else None
    if args.since and since is None:
        raise ConfigError("--since", f"'{args.since}' is not a time span like 30m, 2h or 1d")
    store = Store(settings.database_url)
    try:
        cutoff = SystemClock().now() - since if since else None
        groups = store.unanswered.groups(cutoff)
    finally:
        store.close()
    zone = _zone(settings)
    if not groups:
        print("No unanswered questions.")
    for group in groups:
        languages = ", ".join(f"{lang} {n}" for lang, n in sorted(group.languages.items()))
        print(f"{group.count:4}×  {group.latest.astimezone(zone):%Y-%m-%d %H:%M}  [{languages}]  "
              f"{group.text}")
        for variant in group.variants:
            print(f"{'':25}{variant}")
    return 0


def _outbox(settings: Settings) -> int:
    from bot.ops.reports import print_outbox

    zone = load_programme(settings).conference.timezone
    store = Store(settings.database_url)
    try:
        print_outbox(store, zone)
    finally:
        store.close()
    return 0


def _edits(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.reports import print_edits
    from bot.programme.live_edit_export import export_yaml
    from bot.programme.live_edits import overlay

    conference = load_programme(settings).conference
    store = Store(settings.database_url)
    try:
        records = store.edits.all()
        if args.export:
            print(export_yaml(conference, records), end="")
            return 0
        skipped = {s.session_id: s.reason for s in overlay(conference, records).skipped}
        print_edits(store, conference, skipped)
    finally:
        store.close()
    return 0


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    """The ratings per session in programme order, or every rating as CSV."""
    import csv

    from bot.storage.ratings import SCORES

    conference = load_programme(settings).conference
    store = Store(settings.database_url)
    try:
        if args.csv:
            writer = csv.writer(sys.stdout)
            writer.writerow(["session", "title", "score", "comment", "language", "rated_at"])
            for rating in store.ratings.all():
                session = conference.sessions.get(rating.session_id)
                writer.writerow([rating.session_id,
                                 session.title[conference.languages[0]] if session else "",
                                 rating.score, rating.comment or "", rating.lang or "",
                                 rating.rated_at.isoformat()])
            return 0
        summaries = {s.session_id: s for s in store.ratings.summaries()}
    finally:
        store.close()
    if not summaries:
        print("No ratings yet.")
    for session in conference.walk():
        summary = summaries.get(session.id)
        if summary is None:
            continue
        spread = " ".join(f"{score}:{summary.distribution[score]}" for score in SCORES)
        print(f"{session.id:5} {summary.count:4} rating(s)  average {summary.average:.1f}  "
              f"[{spread}]  {session.title[conference.languages[0]]}")
        for rating in summary.comments:
            print(f"{'':7}{rating.score}★ [{rating.lang or '?'}] {rating.comment}")
    return 0


def _stats(settings: Settings) -> int:
    """People per session (of them with a reminder) against the places, by day and time."""
    from handlers.stats import interest_rows

    conference = load_programme(settings).conference
    store = Store(settings.database_url)
    try:
        rows = interest_rows(conference, store.interest())
    finally:
        store.close()
    print("session  day         time         people  reminded  places  title")
    for session, counted in rows:
        start, end = session.span
        local = start.astimezone(conference.timezone)
        places = str(session.places) if session.places else "-"
        print(f"{session.id:8} {local:%Y-%m-%d}  {local:%H:%M}–"
              f"{end.astimezone(conference.timezone):%H:%M}  {counted.people:6}  "
              f"{counted.reminded:8}  {places:>6}  {session.title[conference.languages[0]]}"
              + ("  [full]" if session.full else ""))
    return 0


def _web_login(args: argparse.Namespace, settings: Settings) -> int:
    """A one-time console link for an operator to hand to an organiser."""
    from bot.web.console.serving import console_settings

    console = console_settings()
    if console is None:
        raise ConfigError("CONFBOT_HTTP_PORT", "is not set: the web console is off")
    if args.person not in settings.organisers:
        print(f"confbot: {args.person} is not in ORGANISERS", file=sys.stderr)
        return 1
    store = Store(settings.database_url)
    try:
        token = store.console.create_login(args.person, SystemClock().now())
    finally:
        store.close()
    print(f"{console.public_url}{LOGIN_PATH}{token}")
    print("It works once, for 10 minutes.", file=sys.stderr)
    return 0


def _start(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.leadership import AlwaysLeader, leadership_for
    from bot.ops.serving import LeadershipLost, Transport, serve
    from bot.transports.console import ConsoleSession, ConsoleTransport

    if args.command == "run" and settings.matrix is not None:
        from bot.ops.preflight import check_matrix

        asyncio.run(check_matrix(settings.matrix))
    live = LiveSchedule(settings.schedule) if settings.schedule else None
    if live is not None:
        programme = live.load()
        conference, lexicon = programme.conference, programme.lexicon
    else:
        conference, lexicon = load_conference(settings.data_dir)
    clock = _clock(args.now, conference.timezone)
    store = retry_sync("DATABASE_URL", lambda: Store(settings.database_url),
                       transient=database_transient)
    app = build_application(conference, lexicon, store, clock, organisers=settings.organisers)
    _privacy(app, settings)
    app.store.dialogue.quiet = timedelta(minutes=settings.dialogue_minutes)
    http = http_server(settings) if args.command == "run" else None
    transports: list[Transport] = (platform_transports(app, settings, http)
                                   if args.command == "run" else [])
    if not transports:
        if not settings.log_level:  # the terminal is the conversation: only problems on stderr
            logging.getLogger().setLevel(logging.WARNING)
        user = getattr(args, "user", "console")
        session = ConsoleSession(app, user=user, client_language=getattr(args, "lang", None))
        transports.append(ConsoleTransport(app, session))
        log.info("console: started for user=%s at %s", who("console", user),
                 clock.now().isoformat())
    if http is not None:  # the organisers' console, on the one HTTP server (CONFBOT_HTTP_PORT)
        from bot.web.console.routes import setup_console
        from bot.web.console.serving import console_deps, console_settings

        console = console_settings()
        if console is not None:
            setup_console(http.app, console_deps(app, console.public_url))
    app.apply_programme()
    leadership = (leadership_for(settings.database_url) if args.command == "run"
                  else AlwaysLeader())
    try:
        asyncio.run(_serve_until_stopped(serve(
            app, transports, data_dir=None if live else settings.data_dir,
            watchers=[live.watch] if live else [], leadership=leadership, http=http)))
    except KeyboardInterrupt:
        pass
    except LeadershipLost:
        return 3
    finally:
        app.store.close()
    return 0


async def _serve_until_stopped(serving: Coroutine[Any, Any, None]) -> None:
    """Serve; SIGTERM and SIGINT stop cleanly (leadership released: a standby takes over at
    once)."""
    task = asyncio.ensure_future(serving)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings()
        _setup_logging(settings, "INFO" if args.command == "run" else "WARNING")
        if args.command == "check":
            return _check(settings)
        if args.command == "links":
            return _links(args, settings)
        if args.command == "reload":
            return _reload(settings)
        if args.command == "outbox":
            return _outbox(settings)
        if args.command == "unanswered":
            return _unanswered(args, settings)
        if args.command == "edits":
            return _edits(args, settings)
        if args.command == "purge":
            return _purge(args, settings)
        if args.command == "migrate":
            return _migrate(settings)
        if args.command == "status":
            from bot.ops.status import print_status

            return print_status(settings.database_url, _zone(settings))
        if args.command == "announce":
            return _announce(args, settings)
        if args.command == "feedback":
            return _feedback(args, settings)
        if args.command == "stats":
            return _stats(settings)
        if args.command == "web-login":
            return _web_login(args, settings)
        if args.command == "import":
            return import_schedule(args.schedule, Path(args.out))
        return _start(args, settings)
    except (ConfigError, DataError, I18nError) as error:
        if settings is None:
            _setup_logging(None, "WARNING")
        _fail(str(error))
        return 2
    except SQLAlchemyError as error:
        first = str(error).splitlines()[0] if str(error) else ""
        _fail(f"configuration: DATABASE_URL: the database cannot be used "
              f"({error.__class__.__name__}: {first})")
        return 2
    except StartupError as error:
        _fail(str(error))
        return 2
    except OSError as error:  # e.g. the HTTP port is taken
        _fail(f"{error.__class__.__name__}: {error}")
        return 2


def _fail(problem: str) -> None:
    """The one line of a failed start, with no secret in it."""
    print(f"confbot: cannot start: {REDACT(problem)}", file=sys.stderr)


def _zone(settings: Settings) -> tzinfo:
    """The conference's time zone, for the times the command-line tools print."""
    try:
        return load_programme(settings).conference.timezone
    except (DataError, ConfigError, OSError):
        from datetime import UTC

        return UTC
