"""nio's end-to-end key store kept as rows of our database (table `matrix_keys`)."""

from __future__ import annotations

import json
from datetime import datetime

from nio.crypto import (
    DeviceStore,
    GroupSessionStore,
    InboundGroupSession,
    OlmAccount,
    OlmDevice,
    OutgoingKeyRequest,
    Session,
    SessionStore,
    TrustState,
)

from bot.storage.matrix_keys import KeyTable

_TRUST = {TrustState.verified: "verified", TrustState.blacklisted: "blacklisted",
          TrustState.ignored: "ignored"}


def _device_name(device: OlmDevice) -> str:
    return f"{device.user_id}|{device.id}|{device.ed25519}"


class DatabaseKeyStore:
    """nio's end-to-end key store (what its SqliteStore keeps in a local file) as rows of our
    own database, written through as nio changes them: the keys live as long as the database,
    PostgreSQL on a platform with an ephemeral disk included."""

    def __init__(self, table: KeyTable, pickle_key: str) -> None:
        self.table, self.pickle_key = table, pickle_key
        self._trust = {name: TrustState[state] for name, state in table.load("trust").items()}

    # account and olm sessions
    def load_account(self) -> OlmAccount | None:
        """The olm account (identity and one-time keys), or None before the first start."""
        raw = self.table.get("account", "account")
        if raw is None:
            return None
        data = json.loads(raw)
        return OlmAccount.from_pickle(data["pickle"].encode(), self.pickle_key, data["shared"])

    def save_account(self, account: OlmAccount) -> None:
        """Keep the account (after key uploads and every new olm session)."""
        self.table.put("account", {"account": json.dumps({
            "pickle": account.pickle(self.pickle_key).decode(), "shared": account.shared})})

    def load_sessions(self) -> SessionStore:
        """Every olm session, by the other device's curve25519 key."""
        sessions = SessionStore()
        for raw in self.table.load("olm").values():
            data = json.loads(raw)
            sessions.add(data["sender_key"], Session.from_pickle(
                data["pickle"].encode(), datetime.fromisoformat(data["created"]),
                self.pickle_key, datetime.fromisoformat(data["used"])))
        return sessions

    def save_session(self, curve_key: str, session: Session) -> None:
        """Keep one olm session (after every message it encrypted or decrypted)."""
        self.table.put("olm", {f"{curve_key}|{session.id}": json.dumps({
            "sender_key": curve_key, "pickle": session.pickle(self.pickle_key).decode(),
            "created": session.creation_time.isoformat(), "used": session.use_time.isoformat()})})

    # megolm room keys
    def load_inbound_group_sessions(self) -> GroupSessionStore:
        """Every megolm key received for reading room messages."""
        sessions = GroupSessionStore()
        for raw in self.table.load("megolm").values():
            data = json.loads(raw)
            sessions.add(InboundGroupSession.from_pickle(
                data["pickle"].encode(), data["ed25519"], data["sender_key"], data["room_id"],
                self.pickle_key, data["forwarding_chain"]))
        return sessions

    def save_inbound_group_session(self, session: InboundGroupSession) -> None:
        """Keep one megolm key, as soon as it arrives."""
        self.table.put("megolm", {f"{session.room_id}|{session.sender_key}|{session.id}":
                                  json.dumps({
                                      "pickle": session.pickle(self.pickle_key).decode(),
                                      "ed25519": session.ed25519,
                                      "sender_key": session.sender_key,
                                      "room_id": session.room_id,
                                      "forwarding_chain": session.forwarding_chain})})

    # devices and trust
    def load_device_keys(self) -> DeviceStore:
        """The devices of the people the bot shares rooms with, with their trust state."""
        devices = DeviceStore()
        for raw in self.table.load("device").values():
            data = json.loads(raw)
            device = OlmDevice(data["user_id"], data["device_id"], data["keys"],
                               display_name=data["display_name"], deleted=data["deleted"])
            device.trust_state = self._trust.get(_device_name(device), TrustState.unset)
            devices.add(device)
        return devices

    def save_device_keys(self, device_keys: dict[str, dict[str, OlmDevice]]) -> None:
        """Keep the devices a key query returned."""
        self.table.put("device", {f"{user}|{device_id}": json.dumps({
            "user_id": user, "device_id": device_id, "keys": device.keys,
            "display_name": device.display_name, "deleted": device.deleted})
            for user, devices in device_keys.items() for device_id, device in devices.items()})

    def _set_trust(self, devices: list[OlmDevice], state: TrustState,
                   only_from: TrustState | None = None) -> bool:
        changed: dict[str, str] = {}
        for device in devices:
            name = _device_name(device)
            current = self._trust.get(name, TrustState.unset)
            if current == state or (only_from is not None and current != only_from):
                continue
            changed[name] = _TRUST.get(state, "unset")
            device.trust_state = state
            if state == TrustState.unset:
                self._trust.pop(name, None)
                self.table.delete("trust", name)
            else:
                self._trust[name] = state
        self.table.put("trust", {n: s for n, s in changed.items() if s != "unset"})
        return bool(changed)

    def verify_device(self, device: OlmDevice) -> bool:
        """Mark a device verified."""
        return self._set_trust([device], TrustState.verified)

    def unverify_device(self, device: OlmDevice) -> bool:
        """Take back a verification."""
        return self._set_trust([device], TrustState.unset, TrustState.verified)

    def blacklist_device(self, device: OlmDevice) -> bool:
        """Never share keys with a device."""
        return self._set_trust([device], TrustState.blacklisted)

    def unblacklist_device(self, device: OlmDevice) -> bool:
        """Take a device off the blacklist."""
        return self._set_trust([device], TrustState.unset, TrustState.blacklisted)

    def ignore_device(self, device: OlmDevice) -> bool:
        """Share keys with an unverified device (trust on first use)."""
        return self._set_trust([device], TrustState.ignored)

    def unignore_device(self, device: OlmDevice) -> bool:
        """Take back an ignore."""
        return self._set_trust([device], TrustState.unset, TrustState.ignored)

    def ignore_devices(self, devices: list[OlmDevice]) -> None:
        """Share keys with these unverified devices (trust on first use)."""
        self._set_trust(devices, TrustState.ignored)

    def is_device_verified(self, device: OlmDevice) -> bool:
        """Whether the device was verified."""
        return bool(self._trust.get(_device_name(device)) == TrustState.verified)

    def is_device_blacklisted(self, device: OlmDevice) -> bool:
        """Whether the device is blacklisted."""
        return bool(self._trust.get(_device_name(device)) == TrustState.blacklisted)

    def is_device_ignored(self, device: OlmDevice) -> bool:
        """Whether the device is trusted on first use."""
        return bool(self._trust.get(_device_name(device)) == TrustState.ignored)

    # rooms, key requests, sync token
    def load_encrypted_rooms(self) -> set[str]:
        """The rooms known to be encrypted (never sent to in plain text again)."""
        return set(self.table.load("room"))

    def save_encrypted_rooms(self, rooms: set[str]) -> None:
        """Remember rooms that are encrypted."""
        self.table.put("room", dict.fromkeys(rooms, ""))

    def delete_encrypted_room(self, room: str) -> None:
        """Forget a room the bot left."""
        self.table.delete("room", room)

    def load_outgoing_key_requests(self) -> dict[str, OutgoingKeyRequest]:
        """Key requests sent and not yet answered."""
        return {request_id: OutgoingKeyRequest(**json.loads(raw))
                for request_id, raw in self.table.load("key_request").items()}

    def add_outgoing_key_request(self, key_request: OutgoingKeyRequest) -> None:
        """Remember a key request sent out."""
        self.table.put("key_request", {key_request.request_id: json.dumps({
            "request_id": key_request.request_id, "session_id": key_request.session_id,
            "room_id": key_request.room_id, "algorithm": key_request.algorithm})})

    def remove_outgoing_key_request(self, key_request: OutgoingKeyRequest) -> None:
        """Forget an answered key request."""
        self.table.delete("key_request", key_request.request_id)

    def save_sync_token(self, token: str) -> None:
        """Unused: the transport keeps `next_batch` itself, beside the answered messages."""
        self.table.put("sync", {"token": token})

    def load_sync_token(self) -> str | None:
        """Unused: see save_sync_token."""
        return self.table.get("sync", "token")
