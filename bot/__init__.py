"""confbot: a conference assistant for Telegram, Matrix and the console."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _resource(folder: str, marker: str) -> Path:
    """`data/` or `locales/`: beside the source tree in a checkout; inside the package
    (`bot/_data`, `bot/_locales`, package data of the wheel) when installed."""
    checkout = PROJECT_ROOT / folder
    if (checkout / marker).is_file():
        return checkout
    return Path(__file__).resolve().parent / f"_{folder}"


DATA_DIR = _resource("data", "intents.yaml")
"""The conference's data and the default free-text vocabulary (`intents.yaml`)."""
LOCALES_DIR = _resource("locales", "messages.pot")
"""The message catalogues."""
