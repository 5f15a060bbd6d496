"""In a real browser: the organiser marks a meeting no-show on "On the day", books a
standby pair at the spare table it proposes, starts a new meetings run and publishes it.
The standby meeting stays at its spare table and no other meeting joins it there."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Meeting, MeetingStatus, Table
from schedule_helpers import prepare_standby
from support import browser_log_in, chromium, demo_event, publish_fcfs

pytestmark = pytest.mark.browser

WAIT_S = 60


@pytest.fixture
def live_app(live_app):
    """The served app with an FCFS schedule published and a standby case prepared."""
    with live_app.app_context():
        publish_fcfs(demo_event())
        live_app.config["TEST_IDS"] = prepare_standby(demo_event())
        db.session.remove()
    return live_app


def test_organiser_marks_a_no_show_books_standby_resolves_and_publishes(live_app):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, ids = live_app.config["LIVE_URL"], live_app.config["TEST_IDS"]
    console = base + "/events/demo/console"
    with chromium(1280, 900) as browser:
        wait = WebDriverWait(browser, WAIT_S)
        browser_log_in(browser, base, "organiser@demo.example")

        browser.get(f"{console}/onsite?slot={ids['slot']}")
        status = browser.find_element(By.NAME, f"m{ids['no_show']}-status")
        Select(status).select_by_value("no_show")
        status.find_element(By.XPATH, "./ancestor::form//button[@type='submit']").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash-success")))

        book = browser.find_element(
            By.XPATH, f"//form[input[@name='request_id' and @value='{ids['request']}']]"
                      "//button[@type='submit']")
        assert book.text.startswith("Book at table")
        book.click()
        # the no-show's message stands on the page until the booking's page replaces it
        wait.until(ec.staleness_of(book))
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash-success"),
                                                    "Booked at table"))

        browser.get(console + "/schedule/")
        limit = browser.find_element(By.ID, "m-time_limit")
        limit.clear()
        limit.send_keys("2")
        browser.find_element(By.XPATH, "//button[normalize-space()='Schedule meetings']").click()
        link = wait.until(ec.element_to_be_clickable((By.PARTIAL_LINK_TEXT,
                                                      "Compare and publish")))
        assert "Cannot be published" not in browser.page_source
        link.click()
        wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//button[starts-with(normalize-space(), 'Publish run')]"))).click()
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash-success"),
                                                    "Schedule published"))

    with live_app.app_context():
        meetings = list(db.session.scalars(select(Meeting)))
        standby = next(m for m in meetings if m.request_id == ids["request"])
        assert standby.slot_id == ids["slot"] and standby.table.spare
        spare = {t.id for t in db.session.scalars(select(Table).where(Table.spare))}
        assert [m.id for m in meetings if m.table_id in spare] == [standby.id]
        no_show = db.session.get(Meeting, ids["no_show"])
        assert no_show.status is MeetingStatus.NO_SHOW and not no_show.bookings
        db.session.remove()
