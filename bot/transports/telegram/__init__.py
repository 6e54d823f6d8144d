"""Telegram through python-telegram-bot v22: the only package that imports `telegram`.

`transport` runs it (menus, webhook or long polling), `receiving` turns updates into
`Incoming` messages and answers them from the inbox, `sending` sends replies and pushed
messages within Telegram's limits, `inline` answers inline queries with session cards.
"""

from bot.transports.telegram.transport import TelegramTransport

__all__ = ["TelegramTransport"]
