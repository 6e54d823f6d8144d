"""`confbot announce`: queue an announcement for a running bot to deliver."""

from __future__ import annotations

import argparse
import sys

from bot.core.clock import SystemClock
from bot.core.config import ConfigError, Settings
from bot.ops.wakeup import publish
from bot.ops.watcher import load_programme
from bot.storage import Store
from bot.wiring import build_application


def announce(args: argparse.Namespace, settings: Settings) -> int:
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
