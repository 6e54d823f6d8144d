"""A real headless Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium.

When the browser is not installed the tests that need it fail and say how to install it
(`make browser`); they never skip."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = "chromedriver"


def find_browser() -> tuple[str, str]:
    browser = next((path for name in CHROMIUM if (path := shutil.which(name))), None)
    driver = shutil.which(DRIVER) or (DRIVER if Path("/usr/bin/chromedriver").exists() else None)
    if browser is None or driver is None:
        pytest.fail("the browser tests need Debian's chromium and chromium-driver; install them "
                    "with `make browser` (apt-get install -y chromium chromium-driver)",
                    pytrace=False)
    return browser, driver


def start_browser(lang: str = "en", width: int = 1280, height: int = 900):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     f"--lang={lang}", "--hide-scrollbars"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    return webdriver.Chrome(service=Service(driver), options=options)
