"""A real Synapse homeserver on loopback for the Matrix tests: configuration generated into a
temporary folder, a free port, users registered with the shared secret."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import free_port

SERVER_NAME = "localhost"
SHARED_SECRET = "confbot-test-shared-secret"



class Synapse:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.admin_token: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Synapse:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "homeserver.yaml"
        subprocess.run([sys.executable, "-m", "synapse.app.homeserver",
                        "--server-name", SERVER_NAME, "--config-path", str(config),
                        "--generate-config", "--report-stats=no",
                        "--data-directory", str(self.folder),
                        "--config-directory", str(self.folder)],
                       check=True, capture_output=True, cwd=self.folder)
        settings = yaml.safe_load(config.read_text())
        (self.folder / "log.yaml").write_text(yaml.safe_dump({
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
            "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain",
                                  "filename": str(self.folder / "synapse.log")}},
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False}))
        settings.update({
            "listeners": [{"port": self.port, "bind_addresses": ["127.0.0.1"], "type": "http",
                           "tls": False, "x_forwarded": False,
                           "resources": [{"names": ["client"], "compress": False}]}],
            "database": {"name": "sqlite3",
                         "args": {"database": str(self.folder / "homeserver.db")}},
            "registration_shared_secret": SHARED_SECRET,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "report_stats": False,
            "bcrypt_rounds": 4,  # test passwords: registering many people stays quick
            "enable_metrics": False,
            "log_config": str(self.folder / "log.yaml"),
            "media_store_path": str(self.folder / "media"),
            "rc_login": {"address": {"per_second": 1000, "burst_count": 1000},
                         "account": {"per_second": 1000, "burst_count": 1000},
                         "failed_attempts": {"per_second": 1000, "burst_count": 1000}},
            "rc_joins": {"local": {"per_second": 1000, "burst_count": 1000},
                         "remote": {"per_second": 1000, "burst_count": 1000}},
            "rc_invites": {"per_room": {"per_second": 1000, "burst_count": 1000},
                           "per_user": {"per_second": 1000, "burst_count": 1000},
                           "per_issuer": {"per_second": 1000, "burst_count": 1000}},
            "rc_registration": {"per_second": 1000, "burst_count": 1000},
            # rc_message stays at Synapse's default (0.2/s, burst 10): the test users are
            # exempted one by one, so one test can check M_LIMIT_EXCEEDED handling.
        })
        config.write_text(yaml.safe_dump(settings))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(config)],
            cwd=self.folder, stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "stderr.log", "wb"))  # noqa: SIM115
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.request("GET", "/_matrix/client/versions")
                break
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("Synapse exited: " + (self.folder / "stderr.log")
                                       .read_text()[-2000:]) from None
                time.sleep(0.1)
        else:
            raise RuntimeError("Synapse did not start in 60 s")
        admin = self.register("admin", "admin-password", admin=True, unlimited=False)
        self.admin_token = admin["access_token"]
        self.set_unlimited(admin["user_id"], True)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                token: str | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None
                                         else None)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read() or b"{}")

    def register(self, username: str, password: str, *, admin: bool = False,
                 unlimited: bool = True) -> dict[str, Any]:
        """Register with the shared secret; exempt from message rate limits unless told."""
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(SHARED_SECRET.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join(part.encode() for part in (
            nonce, username, password, "admin" if admin else "notadmin")))
        account = self.request("POST", "/_synapse/admin/v1/register", {
            "nonce": nonce, "username": username, "password": password, "admin": admin,
            "mac": mac.hexdigest()})
        if unlimited:
            self.set_unlimited(account["user_id"], True)
        return account

    def set_unlimited(self, user_id: str, unlimited: bool) -> None:
        token = self.admin_token or ""
        path = f"/_synapse/admin/v1/users/{urllib.request.quote(user_id)}/override_ratelimit"
        if unlimited:
            self.request("POST", path, {"messages_per_second": 0, "burst_count": 0}, token)
        else:
            with contextlib.suppress(urllib.error.HTTPError):
                self.request("DELETE", path, None, token)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """One Synapse for the whole test session, started on first use."""
    server = Synapse(Path(tmp_path_factory.mktemp("synapse"))).start()
    yield server
    server.stop()
