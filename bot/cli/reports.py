"""The organisers' reports: `confbot outbox`, `unanswered`, `edits`, `feedback`, `stats`,
`links` and `web-login`."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import display_zone
from bot.core.clock import SystemClock
from bot.core.config import ConfigError, Settings
from bot.ops.watcher import load_programme
from bot.storage import Store
from bot.storage.console import LOGIN_PATH


def outbox(settings: Settings) -> int:
    from bot.ops.reports import print_outbox

    zone = load_programme(settings).conference.timezone
    store = Store(settings.database_url)
    try:
        print_outbox(store, zone)
    finally:
        store.close()
    return 0


def unanswered(args: argparse.Namespace, settings: Settings) -> int:
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
    zone = display_zone(settings)
    if not groups:
        print("No unanswered questions.")
    for group in groups:
        languages = ", ".join(f"{lang} {n}" for lang, n in sorted(group.languages.items()))
        print(f"{group.count:4}×  {group.latest.astimezone(zone):%Y-%m-%d %H:%M}  [{languages}]  "
              f"{group.text}")
        for variant in group.variants:
            print(f"{'':25}{variant}")
    return 0


def edits(args: argparse.Namespace, settings: Settings) -> int:
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


def feedback(args: argparse.Namespace, settings: Settings) -> int:
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


def stats(settings: Settings) -> int:
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


def links(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.links import links_table, telegram_username

    username = telegram_username(settings, args.bot)
    print(links_table(load_programme(settings).conference, username))
    return 0


def web_login(args: argparse.Namespace, settings: Settings) -> int:
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
