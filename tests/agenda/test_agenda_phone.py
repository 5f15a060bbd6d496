"""On a phone (375 x 812 CSS px, emulated in headless Chromium): the navigation is one
compact bar, so a page's heading is in the first screenful; the copy button copies the
private calendar address."""
from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from matchmaker.agenda import views as agenda_views
from matchmaker.extensions import db
from matchmaker.models import Meeting
from support import DEMO_PASSWORD, chromium, served_as_in_production


pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True}
CONTENT_BY_PX = 120


@pytest.fixture
def live(published, monkeypatch):
    with published.app_context():
        first = db.session.scalars(select(Meeting).order_by(Meeting.id)).first().slot.starts_at
    monkeypatch.setattr(agenda_views, "utcnow", lambda: first + timedelta(minutes=5))
    with served_as_in_production(published) as base:
        yield base


def _log_in(driver, base: str, email: str) -> None:
    driver.get(base + "/login")
    driver.find_element("name", "email").send_keys(email)
    driver.find_element("name", "password").send_keys(DEMO_PASSWORD)
    driver.find_element("css selector", "main form button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: not d.current_url.endswith("/login"))


def _phone_session(driver, base: str, email: str) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    _log_in(driver, base, email)


def _tops(driver, base: str, path: str) -> tuple[float, float]:
    """Where the page's first content and its heading start, in CSS px from the top."""
    driver.get(base + path)
    assert driver.execute_script("return innerWidth") == 375
    return tuple(driver.execute_script(
        "return [document.querySelector('main').firstElementChild.getBoundingClientRect().top,"
        " document.querySelector('main h1').getBoundingClientRect().top]"))


def test_participant_pages_start_in_the_first_screenful_on_a_phone(live):
    with chromium(500, 812) as driver:
        _phone_session(driver, live, "supplier1@demo.example")
        for path in ("/events/demo/market", "/events/demo/requests", "/events/demo/agenda"):
            content, heading = _tops(driver, live, path)
            assert content < CONTENT_BY_PX and heading < 2 * CONTENT_BY_PX, path
        now_box = driver.find_element("id", "now").rect
        assert now_box["y"] + now_box["height"] < 812  # Now / Next seen without scrolling
        bar = driver.find_element("css selector", "header.site ul")
        assert bar.size["height"] < 50  # one line, scrolled sideways
        assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth",
                                     bar)


def test_console_starts_in_the_first_screenful_on_a_phone(live):
    with chromium(500, 812) as driver:
        _phone_session(driver, live, "organiser@demo.example")
        content, heading = _tops(driver, live, "/events/demo/console/")
        assert content < CONTENT_BY_PX and heading < 2 * CONTENT_BY_PX


def test_copy_button_copies_the_private_address(live):
    with chromium(1280, 900) as driver:
        _log_in(driver, live, "supplier1@demo.example")
        driver.get(live + "/events/demo/agenda")
        button = driver.find_element("css selector", "button[data-copy=feed-url]")
        assert button.is_displayed()
        driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": live, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        button.click()
        status = driver.find_element("css selector", ".copy-status")
        WebDriverWait(driver, 10).until(lambda d: status.text)
        assert status.text == "Copied"
        copied = driver.execute_async_script(
            "navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))")
        assert copied == driver.find_element("id", "feed-url").get_attribute("value")
        assert copied.startswith(live + "/feed/")
