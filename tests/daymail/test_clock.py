"""The round clock: its slot data, who may open it, and the countdown in Chromium."""
from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.onsite import clock
from support import chromium, demo_event, served


URL = "/events/demo/console/clock"


def _data(page: str) -> dict:
    return json.loads(html.unescape(re.search(r'data-clock="([^"]*)"', page).group(1)))


def test_clock_data_numbers_rounds_per_day_and_gives_utc_times(demo):
    with demo.app_context():
        event = demo_event()
        data = clock.clock_data(event, utcnow(), "/t")
        assert len(data["slots"]) == len(event.slots)
        first = data["slots"][0]
        assert first["start"] == event.slots[0].starts_at.isoformat().replace("+00:00", "Z")
        per_day = len([s for s in event.slots if s.block.day == event.slots[0].block.day])
        assert first["label"] == f"Round 1 of {per_day}"
        assert re.fullmatch(r"\d\d:\d\d – \d\d:\d\d", first["time"])
        assert data["time_url"] == "/t" and data["now"].endswith("Z")


def test_organiser_and_screen_link_open_the_clock_others_do_not(demo, login_as):
    organiser = login_as("organiser@demo.example")
    page = organiser.get(URL)
    assert page.status_code == 200
    text = page.data.decode()
    assert "<script>" not in text and "js/clock.js" in text
    link = re.search(r'href="http://localhost(/screen/[^"]+)"', text).group(1)
    hall = demo.test_client()  # the hall's PC: not logged in
    assert hall.get(link).status_code == 200
    assert _data(hall.get(link).data.decode())["slots"] == _data(text)["slots"]
    now = hall.get(link + "/time")
    assert now.status_code == 200 and now.get_json()["now"].endswith("Z")
    assert hall.get(link[:-2] + "xx").status_code == 404
    assert hall.get(link[:-2] + "xx/time").status_code == 404
    assert hall.get(URL).status_code == 302
    assert login_as("buyer1@demo.example").get(URL).status_code == 403


@pytest.mark.browser
@pytest.mark.slow
def test_countdown_runs_and_signals_the_change_of_round(demo, tmp_path):
    """Slots moved to start a few seconds from now: the page counts down, then flashes
    into round 1 and counts its time down, without another request to the server."""
    with served(demo) as base, chromium(1280, 800) as driver:
        with demo.app_context():  # once the browser is up: its start takes seconds under load
            event = demo_event()
            # far enough ahead that the page is loaded before round 1 starts, on a busy machine
            start = utcnow().replace(microsecond=0) + timedelta(seconds=12)
            for n, slot in enumerate(sorted(event.slots, key=lambda s: s.starts_at)):
                slot.starts_at = start + timedelta(minutes=30 * n + 1) if n else start
                slot.ends_at = slot.starts_at + timedelta(minutes=20)
            db.session.commit()
            link = "/screen/" + clock.screen_token(event)
        driver.get(base + link)
        time_el = driver.find_element("css selector", '[data-field="time"]')
        root = driver.find_element("id", "clock")
        WebDriverWait(driver, 10).until(lambda d: root.get_attribute("data-state") == "wait-0")
        first = time_el.text
        assert re.fullmatch(r"00:(0\d|1[0-2])", first), first
        WebDriverWait(driver, 20).until(lambda d: root.get_attribute("data-state") == "round-0")
        assert "flash" in root.get_attribute("class")
        assert "Round 1 of" in driver.find_element("css selector", '[data-field="round"]').text
        WebDriverWait(driver, 10).until(lambda d: re.fullmatch(r"19:[45]\d", time_el.text))
        assert driver.find_element("css selector", '[data-field="next"]').text.startswith("Next:")
        driver.save_screenshot(str(tmp_path / "clock.png"))
