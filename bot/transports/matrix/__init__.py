"""Matrix through matrix-nio: the only package that imports `nio`.

One job per module: `transport` (login, sync, receiving), `sending` (rooms, relations,
rate limits), `conventions` (addressing, rich replies, threads), `render` (valid Matrix
HTML), `roomkeys` (late room keys and end-to-end chores), `keystore` (nio's key store in our
database). End-to-end encryption is on: encrypted rooms work like plain ones; keys are shared
with every device in a room without interactive verification (trust on first use).
"""

from bot.transports.matrix.keystore import DatabaseKeyStore
from bot.transports.matrix.render import bang_commands
from bot.transports.matrix.transport import MatrixTransport

__all__ = ["DatabaseKeyStore", "MatrixTransport", "bang_commands"]
