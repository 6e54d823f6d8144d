"""Before serving: is the Matrix homeserver there, and does it accept the access token? A
passing fault (no connection, a 5xx) is retried with backoff; a lasting one stops the start
with one line naming the variable (bot.ops.startup)."""

from __future__ import annotations

import aiohttp

from bot.core.config import ConfigError, MatrixSettings
from bot.ops.startup import PassingFault, StartupError, with_retries

TIMEOUT = aiohttp.ClientTimeout(total=10)


async def check_matrix(matrix: MatrixSettings) -> None:
    base = matrix.homeserver.rstrip("/")

    async def get(path: str, token: str | None = None) -> int:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session, \
                    session.get(base + path, headers=headers) as answer:
                if answer.status >= 500:
                    raise PassingFault(f"HTTP {answer.status}")
                return answer.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise PassingFault(f"{error.__class__.__name__}: {error}") from error

    status = await with_retries("MATRIX_HOMESERVER", lambda: get("/_matrix/client/versions"),
                                transient=lambda e: isinstance(e, PassingFault))
    if status != 200:
        raise StartupError("MATRIX_HOMESERVER", f"{base} is not a Matrix homeserver "
                                                f"(/_matrix/client/versions answered {status})")
    if matrix.access_token:
        status = await with_retries(
            "MATRIX_HOMESERVER", lambda: get("/_matrix/client/v3/account/whoami",
                                             matrix.access_token),
            transient=lambda e: isinstance(e, PassingFault))
        if status in (401, 403) and not matrix.password:
            raise ConfigError("MATRIX_PASSWORD", f"is not set, and {base} rejected the access "
                              f"token (HTTP {status}): set MATRIX_PASSWORD so the bot can log "
                              "in again, or give a new MATRIX_ACCESS_TOKEN")
        # with a password, a rejected token is the transport's to renew (a new login)
