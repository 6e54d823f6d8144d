"""confbot: a conference assistant for Telegram, Matrix and the console."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
