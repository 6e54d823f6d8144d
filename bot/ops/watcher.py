"""The programme's source at run time: `data/`, or a schedule file or URL kept up to date; the
watchers that reload `data/` and the organisers' live edits when they change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.config import ScheduleSettings, Settings
from bot.programme.schedules.load import Loaded, load_content, log_findings
from bot.programme.schedules.source import ScheduleSource, SourceError
from bot.programme.yaml_data import DataError, Problem, load_conference

if TYPE_CHECKING:
    from bot.app import Application

log = logging.getLogger(__name__)

FILE_CHECK_SECONDS = 2.0
"""How often a schedule file and the `data/` overlay are looked at (cheap: sizes and times)."""


def load_programme(settings: Settings) -> Loaded:
    """The conference as configured: the schedule (with its overlay) if given, else `data/`."""
    if settings.schedule is None:
        conference, lexicon = load_conference(settings.data_dir)
        return Loaded(conference, lexicon)
    return LiveSchedule(settings.schedule).load()


class LiveSchedule:
    """A schedule and its `data/` overlay: loaded once, then watched for changes."""

    def __init__(self, settings: ScheduleSettings) -> None:
        self.settings = settings
        self.source = ScheduleSource(settings.location)
        self.content: bytes | None = None
        self._overlay_seen: tuple[tuple[str, int, int], ...] = ()

    def load(self) -> Loaded:
        """Read the schedule now; raise DataError naming the source when it cannot be used."""
        try:
            content = self.source.read()
        except SourceError as error:
            raise DataError([_problem(self.settings.location, str(error))]) from None
        assert content is not None
        self._overlay_seen = self._overlay_state()
        loaded = load_content(content, self.settings.location, self.settings.overlay_dir)
        self.content = content
        log_findings(loaded)
        return loaded

    def _overlay_state(self) -> tuple[tuple[str, int, int], ...]:
        folder = self.settings.overlay_dir
        return data_fingerprint(folder) if folder is not None and folder.is_dir() else ()

    async def check(self, app: Application, *, poll_url: bool) -> bool:
        """Look for a new schedule (or overlay); serve it if valid. True when it was replaced."""
        overlay = self._overlay_state()
        overlay_changed = overlay != self._overlay_seen
        self._overlay_seen = overlay
        content = None
        if poll_url or not self.source.is_url:
            try:
                content = await asyncio.to_thread(self.source.read, if_changed=True)
            except SourceError as error:
                log.error("schedule %s: %s; still serving the last good schedule",
                          self.settings.location, error)
        if content is None and not overlay_changed:
            return False
        content = content or self.content
        assert content is not None
        try:
            loaded = await asyncio.to_thread(  # seconds for a big schedule: off the loop
                load_content, content, self.settings.location, self.settings.overlay_dir,
                previous=app.conference)
        except DataError as error:
            log.error("the schedule changed but was refused; still serving the last good "
                      "one. %s", error)
            return False
        self.content = content
        log_findings(loaded)
        changes = app.replace_programme(loaded.conference, loaded.lexicon)
        log.info("schedule reloaded from %s: %d sessions, %d change(s)", self.settings.location,
                 len(loaded.conference.sessions), len(changes))
        return True

    async def watch(self, app: Application, stop: asyncio.Event,
                    on_reload: Callable[[], None]) -> None:
        """Poll a URL every CONFBOT_SCHEDULE_POLL seconds (a file, and data/, more often)."""
        every = min(FILE_CHECK_SECONDS, self.settings.poll_seconds)
        next_poll = time.monotonic() + self.settings.poll_seconds
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if stop.is_set():
                break
            poll_url = time.monotonic() >= next_poll
            if poll_url:
                next_poll = time.monotonic() + self.settings.poll_seconds
            try:
                if await self.check(app, poll_url=poll_url):
                    on_reload()
            except Exception:  # a bad schedule must never stop the bot
                log.exception("schedule %s: the check failed; still serving the last good one",
                              self.settings.location)


def _problem(location: str, problem: str) -> Problem:
    return Problem(location, "", problem)


def data_fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the data files: cheap to compare."""
    return tuple(sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in folder.rglob("*.yaml")))


async def watch_data(app: Application, folder: Path, stop: asyncio.Event,
                     on_reload: Callable[[], None], every: float = 2.0) -> None:
    """Reload the programme when the data files change; keep the old one if the new is bad."""
    seen = data_fingerprint(folder)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        current = data_fingerprint(folder)
        if current == seen:
            continue
        seen = current
        try:
            conference, lexicon = load_conference(folder)
        except DataError as error:
            log.error("data changed but the reload was refused; still serving the previous "
                      "programme. %s", error)
            continue
        app.replace_programme(conference, lexicon)
        log.info("data reloaded from %s: %d sessions", folder, len(conference.sessions))
        on_reload()


async def watch_edits(app: Application, stop: asyncio.Event, on_reload: Callable[[], None],
                      every: float = 2.0) -> None:
    """Serve the organisers' live edits when another process changed them, whatever the
    programme comes from (data/ or a schedule)."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        if stop.is_set() or app.store.edits.version() == app.overlay_version:
            continue
        app.refresh_overlay()
        log.info("live edits changed: %d session(s) edited",
                 len({e.session_id for e in app.store.edits.all()}))
        on_reload()
