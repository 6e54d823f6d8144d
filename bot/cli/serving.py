"""`confbot run` and `confbot console`: serve until stopped.

What only these need (the scheduler, serving, the console) is imported in `start`: a
command-line tool such as `confbot announce` starts without it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.cli.common import apply_privacy
from bot.core.clock import Clock, ShiftedClock, SystemClock
from bot.core.config import ConfigError, Settings
from bot.core.logids import who
from bot.ops.startup import database_transient, retry_sync
from bot.ops.watcher import LiveSchedule
from bot.programme.yaml_data import load_conference
from bot.storage import Store
from bot.wiring import build_application, http_server, platform_transports

log = logging.getLogger("confbot")


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


def start(args: argparse.Namespace, settings: Settings) -> int:
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
    apply_privacy(app, settings)
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
