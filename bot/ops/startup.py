"""Start-up faults: what is retried (a network error, a 5xx answer) and what stops the
process with one line and exit status 2 (a rejected token, a service still unreachable after
the retries)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

STARTUP_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
"""Pauses between start-up attempts (about 8 s in all), then the process gives up."""


class PassingFault(Exception):
    """A connection error or a 5xx answer, described in full: worth another try."""


class StartupError(Exception):
    """The process cannot start: `what` (a service, named by its variable) and why."""

    def __init__(self, what: str, why: str) -> None:
        self.what, self.why = what, why
        super().__init__(f"{what}: {why}")


async def with_retries(what: str, attempt: Callable[[], Awaitable[T]], *,
                       transient: Callable[[Exception], bool],
                       delays: Sequence[float] | None = None) -> T:
    """`attempt()`, tried again after each pause while it fails for a passing reason; a
    lasting failure (or the last passing one) becomes a StartupError naming `what`."""
    pauses = list(STARTUP_DELAYS if delays is None else delays)
    while True:
        try:
            return await attempt()
        except Exception as error:
            reason = (str(error) if isinstance(error, PassingFault) else
                      f"{error.__class__.__name__}: {error}" if str(error) else
                      error.__class__.__name__)
            if not transient(error):
                raise StartupError(what, reason) from error
            if not pauses:
                raise StartupError(what, f"still failing after retries ({reason})") from error
            pause = pauses.pop(0)
            log.warning("start-up: %s failed (%s); trying again in %g s", what, reason, pause)
            await asyncio.sleep(pause)


def retry_sync(what: str, attempt: Callable[[], T], *, transient: Callable[[Exception], bool],
               delays: Sequence[float] | None = None) -> T:
    """`with_retries` for a blocking step (opening the database)."""
    pauses = list(STARTUP_DELAYS if delays is None else delays)
    while True:
        try:
            return attempt()
        except Exception as error:
            first = str(error).splitlines()[0] if str(error) else ""
            reason = f"{error.__class__.__name__}: {first}" if first else \
                error.__class__.__name__
            if not transient(error):
                raise StartupError(what, reason) from error
            if not pauses:
                raise StartupError(what, f"still failing after retries ({reason})") from error
            pause = pauses.pop(0)
            log.warning("start-up: %s failed (%s); trying again in %g s", what, reason, pause)
            time.sleep(pause)


LASTING_DATABASE_FAULTS = ("authentication failed", "does not exist", "permission denied",
                           "no password supplied", "unable to open database file")


def database_transient(error: Exception) -> bool:
    """A refused or broken connection passes; a wrong password or a missing database does
    not."""
    from sqlalchemy.exc import OperationalError

    return isinstance(error, OperationalError) and not any(
        fault in str(error).lower() for fault in LASTING_DATABASE_FAULTS)
