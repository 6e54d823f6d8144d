"""The organisers' console in a real headless Chromium, against the bot running with its
Telegram transport on the Bot API stand-in: sign in with the link /web gave, send a broadcast
and watch its bar reach 100 %, answer an unanswered question and ask the bot that question.

With CONFBOT_SCREENSHOTS=1 it also writes the README's screenshots (docs/screenshots/)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from bot import PROJECT_ROOT
from bot.app import Application
from bot.transports.console import ConsoleSession
from bot.web.console.serving import console_deps, start_console
from tests.browser import start_browser
from tests.harness import RunningBot
from tests.helpers import free_port
from tests.telegram_fixtures import ORGANISER, transport_for
from tests.telegram_standin import BotApiStandIn

UKRAINIAN, POLISH, ENGLISH = 1001, 1002, 1003
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"

pytestmark = pytest.mark.slow


@pytest.fixture
def app(organiser_app: Application) -> Application:
    return organiser_app


@pytest.fixture
def console(app: Application, api: BotApiStandIn) -> Iterator[tuple[RunningBot, str]]:
    """The bot on the stand-in, with the console served from the same event loop."""
    with RunningBot(app, transport_for(app, api)) as running:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        runner = running.run(start_console(console_deps(app, base), "127.0.0.1", port))
        yield running, base
        running.run(runner.cleanup())


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    driver = start_browser("en")
    yield driver
    driver.quit()


def wait(driver: WebDriver, condition, timeout: float = 10):  # type: ignore[no-untyped-def]
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def text_of(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def sign_in(driver: WebDriver, api: BotApiStandIn) -> None:
    api.send_text(ORGANISER, "/web")
    reply = str(api.wait_for(1, chat_id=ORGANISER)[-1].params["text"])
    link = re.search(r'href="([^"]+)"', reply)
    assert link, reply
    assert "/console/login#" in link.group(1)
    driver.get(link.group(1))
    wait(driver, lambda d: "#" not in d.current_url)     # the token leaves the address bar
    driver.find_element(By.ID, "sign-in").click()
    wait(driver, lambda d: d.find_elements(By.ID, "clock"))


def screenshot(driver: WebDriver, name: str) -> None:
    if os.environ.get("CONFBOT_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / name))


def test_sign_in_then_a_broadcast_reaches_100_percent(console, api: BotApiStandIn,  # type: ignore[no-untyped-def]
                                                      browser: WebDriver):
    for user, lang, text in ((UKRAINIAN, "uk", "що зараз?"), (POLISH, "pl", "co teraz?"),
                             (ENGLISH, "en", "what's on now?")):
        api.send_text(user, text, language_code=lang)
        api.wait_for(1, chat_id=user)
    sign_in(browser, api)
    assert "Now and next" in text_of(browser) and "11:30" in text_of(browser)
    screenshot(browser, "dashboard.png")

    browser.find_element(By.LINK_TEXT, "Broadcasts").click()
    wait(browser, lambda d: d.find_elements(By.ID, "text_pl"))
    browser.find_element(By.ID, "text_pl").send_keys("Kawa czeka w foyer")
    browser.find_element(By.ID, "text_uk").send_keys("Кава чекає у фоє")
    browser.find_element(By.ID, "text_en").send_keys("Coffee is waiting in the foyer")
    browser.find_element(By.ID, "preview").click()
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".preview")) == 3)
    previews = {e.get_attribute("lang"): e.text
                for e in browser.find_elements(By.CSS_SELECTOR, ".preview")}
    assert "Від організаторів" in previews["uk"] and "Кава чекає у фоє" in previews["uk"]
    browser.find_element(By.ID, "send").click()
    wait(browser, lambda d: d.find_elements(By.ID, "sent"))
    assert "is on its way to 4 people" in browser.find_element(By.ID, "sent").text
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".broadcast .percent").text == "100")
    card = browser.find_element(By.CSS_SELECTOR, ".broadcast")
    assert card.find_element(By.CSS_SELECTOR, "[data-count=sent]").text == "4"
    assert card.find_element(By.CSS_SELECTOR, ".bar .sent").get_attribute("style") \
        .replace(" ", "") == "width:100%;"
    assert any("Кава чекає у фоє" in str(c.params.get("text"))
               for c in api.sent(chat_id=UKRAINIAN))
    report = api.wait_for(3, chat_id=ORGANISER)      # /web, the announcement, the report
    assert any("has been delivered" in str(c.params.get("text")) for c in report)


def test_answer_an_unanswered_question_then_ask_the_bot(console, api: BotApiStandIn,  # type: ignore[no-untyped-def]
                                                        browser: WebDriver):
    question = "Is there a cloakroom?"
    for n in range(1, 3):
        api.send_text(ENGLISH, question)
        api.wait_for(n, chat_id=ENGLISH)
    sign_in(browser, api)
    browser.find_element(By.LINK_TEXT, "Unanswered").click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".group"))
    group = browser.find_element(By.CSS_SELECTOR, ".group")
    assert question in group.text and "2×" in group.text
    group.find_element(By.LINK_TEXT, "Answer this").click()
    wait(browser, lambda d: d.find_elements(By.ID, "keywords"))
    assert browser.find_element(By.ID, "keywords").get_attribute("value") == question
    keywords = browser.find_element(By.ID, "keywords")
    keywords.clear()
    keywords.send_keys("cloakroom, szatnia, гардероб")
    for lang, title, body in (("pl", "Szatnia", "Szatnia jest na parterze, przy wejściu."),
                              ("uk", "Гардероб", "Гардероб на першому поверсі, біля входу."),
                              ("en", "Cloakroom", "The cloakroom is on the ground floor.")):
        browser.find_element(By.ID, f"title_{lang}").send_keys(title)
        browser.find_element(By.ID, f"body_{lang}").send_keys(body)
    browser.find_element(By.ID, "save-answer").click()
    wait(browser, lambda d: d.find_elements(By.ID, "question"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".group")
    browser.find_element(By.ID, "question").send_keys(question)
    browser.find_element(By.ID, "ask").click()
    wait(browser, lambda d: d.find_elements(By.ID, "answer"))
    answer = browser.find_element(By.ID, "answer").text
    assert "Cloakroom" in answer and "The cloakroom is on the ground floor." in answer
    # and people asking the bot on Telegram get it too
    api.send_text(UKRAINIAN, "де гардероб?", language_code="uk")
    assert "Гардероб на першому поверсі" in str(api.wait_for(1, chat_id=UKRAINIAN)[-1]
                                                 .params["text"])


def test_the_browser_is_there() -> None:
    """Fails loudly (never skips) when Chromium cannot be found."""
    driver = start_browser()
    try:
        driver.get("data:text/html,<p id=x>ok</p>")
        assert driver.find_element(By.ID, "x").text == "ok"
    finally:
        driver.quit()




def test_a_wall_updates_after_a_vote(console, api: BotApiStandIn, app: Application,  # type: ignore[no-untyped-def]
                                     browser: WebDriver):
    """People ask in the bot; the organiser approves on the console's Q&A page; the wall,
    opened through its read-only link, shows a vote given in the bot within 2 s."""
    def person(name: str, lang: str = "en") -> ConsoleSession:
        return ConsoleSession(app, user=name, client_language=lang)

    fund = "How do community centres abroad fund themselves?"
    start = "Jak zacząć centrum społecznościowe w małej gminie?"
    asked = [person("ala").ask(f"/ask s20 {fund}"), person("ola", "pl").ask(f"/ask s20 {start}")]
    first, second = (re.search(r"\bq(\d+)\b", answer) for answer in asked)
    assert first and second, asked
    sign_in(browser, api)
    browser.get(browser.current_url.split("/console/")[0] + "/console/qa?session=s20")
    for question in (first.group(1), second.group(1)):
        row = f'tr[data-id="{question}"]'
        browser.find_element(By.CSS_SELECTOR, f"{row} button.approve").click()
        wait(browser, lambda d, row=row: d.find_elements(
            By.CSS_SELECTOR, f"{row}.status-approved"))
    assert "counts" in person("bob").ask(f"/vote q{first.group(1)}")
    assert fund in person("bob").ask("/questions s20")
    wall = browser.find_element(By.ID, "wall-link").get_attribute("href")
    assert wall and "key=" in wall
    browser.delete_all_cookies()            # the projector is not signed in
    browser.get(wall)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wall li"))

    def items(driver: WebDriver) -> list[str]:
        """The wall's lines, read at once (the script replaces them every second)."""
        return list(driver.execute_script(
            "return Array.from(document.querySelectorAll('#wall li'), e => e.textContent)"))

    assert items(browser)[0] == f"1 {fund}"
    assert "/ask s20" in browser.find_element(By.CSS_SELECTOR, ".hint").text
    for voter in ("cyd", "dan"):
        assert "counts" in person(voter).ask(f"/vote q{second.group(1)}")
    started = time.monotonic()
    wait(browser, lambda d: items(d)[0].endswith(start), timeout=2)
    assert time.monotonic() - started < 2
    assert items(browser) == [f"2 {start}", f"1 {fund}"]
    screenshot(browser, "wall.png")
