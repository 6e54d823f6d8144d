"""Packaging beyond what pyproject.toml can say: the conference's data (`data/`) and the
message catalogues (`locales/`) travel inside the wheel as the package data of `bot._data`
and `bot._locales`, so an installed bot runs from any folder (see bot/__init__.py); so do the
console's templates and static files."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot", "bot.*", "handlers", "handlers.*"]),
              "bot._data", "bot._locales"],
    package_dir={"bot._data": "data", "bot._locales": "locales"},
    package_data={
        "bot.storage": ["migrations/*.py", "migrations/versions/*.py", "migrations/*.mako"],
        "bot.web.console": ["templates/*.html", "static/*"],  # the organisers' console
        "bot._data": ["*.yaml", "*.md", "**/*.yaml"],
        "bot._locales": ["messages.pot", "*/LC_MESSAGES/*.mo"],  # compiled: `make compile`
    },
)
