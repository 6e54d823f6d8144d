"""The one aiohttp HTTP server of a process, on CONFBOT_HTTP_PORT (or the Telegram webhook's
port): `/healthz`, `/readyz`, `/metrics`, the webhook, and whatever else adds its routes.

How another part serves something here: before the server starts (in `bot.wiring`, or in a
transport's constructor), call

    http.add_routes([web.get("/console/", page), web.post("/console/api", api)])

or `http.add_route("GET", "/path", handler)`; an aiohttp sub-application goes in with
`http.add_subapp("/console/", subapp)`. `serve` (bot.ops.serving) starts the server before
the transports and stops it after them. Routes cannot be added once it has started.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from bot.ops import metrics
from bot.storage import Store

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HttpServer:
    def __init__(self, port: int, listen: str = "0.0.0.0") -> None:
        self.listen, self.requested_port = listen, port
        self.app = web.Application()
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    # --- for other parts -------------------------------------------------------------

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        """Serve these aiohttp route definitions (`web.get(...)`, `web.post(...)`)."""
        self.app.add_routes(list(routes))

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, handler)

    def add_subapp(self, prefix: str, subapp: web.Application) -> None:
        self.app.add_subapp(prefix, subapp)

    # --- health and metrics ----------------------------------------------------------

    def add_health(self, store: Store, role: Callable[[], str]) -> None:
        """/healthz (the process lives), /readyz (the database answers; leader or standby),
        /metrics (Prometheus text format)."""

        async def healthz(_request: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        async def readyz(_request: web.Request) -> web.Response:
            try:
                await asyncio.to_thread(_ping, store)
            except Exception as error:
                log.warning("readiness: the database does not answer (%s)",
                            error.__class__.__name__)
                return web.json_response({"status": "unavailable", "database": "unreachable",
                                          "role": role()}, status=503)
            return web.json_response({"status": "ok", "database": "ok", "role": role()})

        async def metrics_page(_request: web.Request) -> web.Response:
            try:
                await asyncio.to_thread(metrics.refresh_outbox, store)
            except Exception as error:
                log.warning("metrics: the outbox counts could not be read (%s)",
                            error.__class__.__name__)
            return web.Response(body=metrics.exposition(),
                                headers={"Content-Type": "text/plain; version=0.0.4; "
                                                         "charset=utf-8"})

        self.add_routes([web.get("/healthz", healthz), web.get("/readyz", readyz),
                         web.get("/metrics", metrics_page)])

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.listen, self.requested_port)
        await self._site.start()
        log.info("http: serving on %s:%d (%s)", self.listen, self.port,
                 ", ".join(sorted({r.resource.canonical for r in self.app.router.routes()
                                   if r.resource is not None})))

    @property
    def port(self) -> int:
        """The bound port (useful when 0 was asked for)."""
        server = self._site._server if self._site is not None else None
        sockets = getattr(server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else self.requested_port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = self._site = None


def _ping(store: Store) -> None:
    from sqlalchemy import text

    with store.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
