"""The organiser console in a real browser on a 375 px wide phone, CSRF on.

An organiser imports a CSV file, checks two people in, cancels a meeting and fills its
table from the standby list. Every console page must fit the phone's width and raise
no Content-Security-Policy error.
"""
from __future__ import annotations


import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import (Absence, Event, Meeting, MeetingRequest, RequestStatus,
                               User)
from support import browser_log_in, chromium, page_left, place_meeting

pytestmark = pytest.mark.browser

PHONE = (375, 812)
WAIT_S = 20
PAGES = ["/", "/event", "/blocks", "/tables", "/dialogues", "/attendees", "/attendees/import",
         "/checkin", "/onsite"]


@pytest.fixture
def browser():
    with chromium(*PHONE, browser_log=True) as driver:
        driver.set_window_size(*PHONE)
        yield driver


@pytest.fixture
def day(demo):
    """A meeting in the first slot, and an accepted request without one (the standby)."""
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        requests = list(db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.ACCEPTED).order_by(MeetingRequest.id)))
        first = requests[0]
        standby = next(r for r in requests[1:]
                       if not {r.sender_id, r.recipient_id} & {first.sender_id,
                                                                 first.recipient_id})
        slot = event.slots[0]
        table = next(t for t in event.tables if t.owner_id is None and not t.spare)
        meeting = place_meeting(first, slot, table)
        for pid in (standby.sender_id, standby.recipient_id):
            db.session.query(Absence).filter(Absence.participation_id == pid).delete()
        db.session.commit()
        return {"meeting": meeting.id, "standby": standby.id,
                "emails": [standby.sender.user.email, standby.recipient.user.email]}


def test_organiser_runs_the_day_on_a_phone(demo, live, browser, day, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, WAIT_S)

    def go(path: str) -> None:
        browser.get(live + path)
        wait.until(ec.presence_of_element_located((By.TAG_NAME, "footer")))

    def submit(button) -> None:
        old = browser.find_element(By.TAG_NAME, "html")
        button.click()
        wait.until(page_left(old))

    browser_log_in(browser, live, "organiser@demo.example")

    console = "/events/demo/console"
    for path in PAGES:
        go(console + path)
        assert browser.find_element(By.TAG_NAME, "h1").text
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE[0], f"{path} is {width}px wide on a {PHONE[0]}px phone"

    # Import a CSV through the preview.
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("name,email,organisation,role,product_groups\n"
                        "Nora Nieuw,nora@new.example,Circular Kortrijk,buyer,textile\n",
                        encoding="utf-8")
    go(console + "/attendees/import")
    browser.find_element(By.ID, "file").send_keys(str(csv_file))
    submit(browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert "to be invited" in browser.page_source
    assert "with errors" in browser.page_source and "Error:" not in browser.page_source
    submit(browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Import')]"))
    assert "1 attendee(s) imported." in browser.page_source
    assert "1 invitation(s) sent." in browser.page_source

    # Check the standby pair in.
    for email in day["emails"]:
        go(console + "/checkin?q=" + email)
        submit(browser.find_element(By.CSS_SELECTOR, ".checkin-list form button[type=submit]"))
        assert "checked in." in browser.page_source

    # Cancel the meeting, then book the standby request at a free table.
    go(console + "/onsite")
    Select(browser.find_element(By.ID, f"m{day['meeting']}-status")).select_by_value(
        "cancelled")
    submit(browser.find_element(By.XPATH, f"//form[contains(@action, "
                                          f"'/meetings/{day['meeting']}/status')]//button"))
    assert "Meeting marked: cancelled" in browser.page_source
    proposal = browser.find_element(
        By.XPATH, f"//input[@name='request_id'][@value='{day['standby']}']/ancestor::form//button")
    submit(proposal)
    assert "Booked at table" in browser.page_source

    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "favicon" not in entry["message"]]
    assert errors == []
    with demo.app_context():
        assert db.session.scalar(select(Meeting).where(
            Meeting.request_id == day["standby"])) is not None
        assert db.session.scalar(select(User).where(User.email == "nora@new.example"))
