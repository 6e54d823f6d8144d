"""`confbot run | console | check | migrate | status | reload | outbox | announce | import |
unanswered | edits | purge` (also `python -m bot`)."""
# The parser and the dispatch; each group of commands is a module of this package (serving,
# data, reports, announce, maintenance).

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.cli import announce, data, maintenance, reports
from bot.cli.common import setup_logging
from bot.core.config import ConfigError, Settings, load_settings
from bot.language.i18n import I18nError
from bot.ops.logs import REDACT
from bot.ops.schedule_import import import_schedule
from bot.ops.startup import StartupError
from bot.programme.yaml_data import DataError


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


_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "check": lambda _, settings: data.check(settings),
    "migrate": lambda _, settings: data.migrate(settings),
    "reload": lambda _, settings: data.reload(settings),
    "links": reports.links,
    "outbox": lambda _, settings: reports.outbox(settings),
    "unanswered": reports.unanswered,
    "edits": reports.edits,
    "feedback": reports.feedback,
    "stats": lambda _, settings: reports.stats(settings),
    "web-login": reports.web_login,
    "announce": announce.announce,
    "purge": maintenance.purge_now,
    "status": lambda _, settings: maintenance.status(settings),
}
"""What each command (but `run`, `console` and `import`) calls."""


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings()
        setup_logging(settings, "INFO" if args.command == "run" else "WARNING")
        if args.command == "import":
            return import_schedule(args.schedule, Path(args.out))
        if args.command in ("run", "console"):  # only these import serving (bot.cli.serving)
            from bot.cli.serving import start

            return start(args, settings)
        return _COMMANDS[args.command](args, settings)
    except (ConfigError, DataError, I18nError) as error:
        if settings is None:
            setup_logging(None, "WARNING")
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
