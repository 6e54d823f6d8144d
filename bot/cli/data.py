"""`confbot check`, `migrate` and `reload`: the data, the configuration and the database."""

from __future__ import annotations

import sys

from bot.cli.common import apply_privacy, source
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.language.i18n import Catalogue
from bot.ops.logs import safe_url
from bot.ops.schedule_import import report_schedule
from bot.ops.wakeup import publish
from bot.ops.watcher import load_programme
from bot.storage import Store
from bot.wiring import build_application


def check(settings: Settings) -> int:
    from bot.ops.status import inspect_database

    loaded = load_programme(settings)
    conference = loaded.conference
    Catalogue(conference.languages, conference.timezone)
    print(f"OK: {conference.short_name[conference.languages[0]]} — {len(conference.days)} days, "
          f"{len(conference.sessions)} sessions, {len(conference.venues)} venues, "
          f"{len(conference.people)} people, {len(conference.info)} information topics, "
          f"languages {', '.join(conference.languages)}; data in {source(settings)}")
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


def migrate(settings: Settings) -> int:
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


def reload(settings: Settings) -> int:
    """Compare the edited data with the programme the bot knew; queue the change notices."""
    programme = load_programme(settings)
    conference, lexicon = programme.conference, programme.lexicon
    store = Store(settings.database_url)
    try:
        app = build_application(conference, lexicon, store, SystemClock())
        apply_privacy(app, settings)
        app.on_queued = lambda: publish(store.engine)  # a running bot sends at once
        changes = app.apply_programme()
        print(f"OK: {len(conference.sessions)} sessions loaded from {source(settings)}.")
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
