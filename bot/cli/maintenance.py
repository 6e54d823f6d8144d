"""`confbot purge` (the retention rule) and `confbot status` (the running processes)."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.cli.common import display_zone
from bot.core.config import Settings
from bot.ops.watcher import load_programme
from bot.storage import Store
from bot.storage.erasure import purge
from bot.storage.privacy import PrivacyPolicy


def purge_now(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the retention rule now (or count what it would erase)."""
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


def status(settings: Settings) -> int:
    """The running processes; exit 1 without a leader."""
    from bot.ops.status import print_status

    return print_status(settings.database_url, display_zone(settings))
