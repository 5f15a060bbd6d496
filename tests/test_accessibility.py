"""Accessibility in a real browser: axe-core on the main pages, the keyboard, a phone.

axe-core (the npm package pinned in package.json, installed by `make node` / `npm ci`)
is injected into Debian's headless Chromium on each page, logged in as the person who
uses that page, with CSRF on. A page passes when axe reports no serious or critical
violation. The keyboard test fills and submits the login form and a meeting request
with TAB and ENTER only and checks that the focused control shows an outline. The phone
test opens three pages 375 px wide, checks that nothing scrolls sideways and saves
screenshots: into docs/screenshots/ when MATCHMAKER_SCREENSHOTS=docs/screenshots is set,
else into a temporary folder, so that a test run never rewrites files of the repository.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.meetings.services import why_not_requestable
from matchmaker.models import (Absence, Listing, MeetingRequest, Participation, RequestStatus,
                               Role, SolveRun, User)
from accessibility_helpers import WAIT_S, check_pages, log_in, open_page
from support import DEMO_PASSWORD, ORGANISER, chromium, demo_event, wait_for_next_page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("MATCHMAKER_SCREENSHOTS")
                   or Path(tempfile.gettempdir()) / "matchmaker-screenshots")
SUPPLIER = "supplier1@demo.example"
NEWCOMER = "newcomer@example.org"


@pytest.fixture
def ids(demo):
    """Ids the pages need, and an account that has not joined the event yet."""
    with demo.app_context():
        event = demo_event()
        supplier = db.session.scalar(select(Participation).join(User).where(
            User.email == SUPPLIER, Participation.event_id == event.id))
        now = utcnow()
        others = db.session.scalars(select(Participation).where(
            Participation.event_id == event.id, Participation.role == Role.BUYER)
            .order_by(Participation.id)).all()
        recipient = next(p for p in others
                         if why_not_requestable(db.session, event, supplier, p, now) is None)
        listing = db.session.scalar(select(Listing).where(Listing.event_id == event.id)
                                    .order_by(Listing.id))
        db.session.add(User(email=NEWCOMER, name="Nina Newcomer",
                            password_hash=supplier.user.password_hash))
        db.session.commit()
        return {"recipient": recipient.id, "listing": listing.id}


@pytest.fixture
def published_run_id(published):
    """The id of the run the root `published` fixture published."""
    with published.app_context():
        run_id = db.session.scalar(select(SolveRun.id).where(SolveRun.published_at.is_not(None)))
        db.session.remove()
    return run_id


@pytest.fixture
def browser():
    with chromium(1280, 900) as driver:
        driver.implicitly_wait(0)
        driver.set_script_timeout(60)
        yield driver


def test_public_pages_have_no_serious_accessibility_violations(live, ids, browser):
    check_pages(browser, live, ["/", "/events/demo", "/login", "/register"])


def test_newcomer_join_form_has_no_serious_accessibility_violations(live, ids, browser):
    log_in(browser, live, NEWCOMER)
    check_pages(browser, live, ["/events/demo/join"])


def test_participant_pages_have_no_serious_accessibility_violations(live, ids, browser):
    log_in(browser, live, SUPPLIER)
    check_pages(browser, live, [
        "/events/demo", "/events/demo/profile/edit", "/events/demo/market",
        f"/events/demo/listings/{ids['listing']}", "/events/demo/suggestions",
        "/events/demo/requests", "/events/demo/requests?tab=sent",
        f"/events/demo/requests/new/{ids['recipient']}", "/events/demo/availability",
        "/events/demo/agenda"])


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 375])
def test_organiser_console_has_no_serious_accessibility_violations(published_run_id, live,
                                                                   width):
    """On a desktop and on a phone, where tables scroll inside their own box."""
    console = "/events/demo/console"
    with chromium(width, 900) as driver:
        driver.set_window_size(width, 900)
        driver.set_script_timeout(60)
        log_in(driver, live, ORGANISER)
        check_pages(driver, live, [
            console + "/", console + "/event", console + "/blocks", console + "/tables",
            console + "/dialogues", console + "/attendees", console + "/attendees/import",
            console + "/checkin", console + "/onsite", console + "/schedule/",
            f"{console}/schedule/runs/{published_run_id}", console + "/schedule/meetings"],
            phone=width < 600)


def test_published_agenda_has_no_serious_accessibility_violations(published, live, browser):
    log_in(browser, live, SUPPLIER)
    check_pages(browser, live, ["/events/demo/agenda", "/events/demo/requests"])


def _focused_has_visible_outline(driver) -> bool:
    return driver.execute_script("""
        const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    """)


def _tab_to(driver, predicate, limit: int = 60):
    """Press TAB until the focused element satisfies `predicate`; checks each focus ring.

    The page's body is skipped: it holds the focus only when the focus has left the page.
    """
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    focused = driver.switch_to.active_element
    for _ in range(limit):
        if focused.tag_name != "body":
            assert _focused_has_visible_outline(driver), (
                f"no visible focus outline on {focused.get_attribute('outerHTML')[:120]}")
            if predicate(focused):
                return focused
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element
    raise AssertionError("TAB never reached the expected control")


def _press_enter_and_wait(driver) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    page = driver.find_element(By.TAG_NAME, "html")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_for_next_page(driver, page, WAIT_S)


def test_login_and_meeting_request_work_with_the_keyboard_alone(demo, live, ids, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    open_page(browser, live + "/login")

    def is_id(name):
        return lambda el: el.get_attribute("id") == name

    _tab_to(browser, is_id("email"))
    ActionChains(browser).send_keys(SUPPLIER).perform()
    _tab_to(browser, is_id("password"))
    ActionChains(browser).send_keys(DEMO_PASSWORD).perform()
    _tab_to(browser, lambda el: el.tag_name == "button" and el.get_attribute("type") == "submit"
            and el.text.strip().lower().startswith("log in"))
    _press_enter_and_wait(browser)
    assert "/login" not in browser.current_url

    open_page(browser, f"{live}/events/demo/requests/new/{ids['recipient']}")
    _tab_to(browser, is_id("message"))
    ActionChains(browser).send_keys("We would like to show you our take-back offer.").perform()
    _tab_to(browser, lambda el: el.tag_name == "button" and el.get_attribute("type") == "submit"
            and "request" in el.text.lower())
    _press_enter_and_wait(browser)
    assert "tab=sent" in browser.current_url, browser.page_source[:2000]
    with demo.app_context():
        sent = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.recipient_id == ids["recipient"]).order_by(MeetingRequest.id.desc()))
        assert sent.message == "We would like to show you our take-back offer."
        assert sent.sender.user.email == SUPPLIER


def _busiest_buyer(app) -> str:
    """The buyer with the most meeting requests waiting for an answer: a full inbox."""
    with app.app_context():
        pending = db.session.execute(
            select(MeetingRequest.recipient_id, func.count())
            .where(MeetingRequest.status == RequestStatus.PENDING)
            .group_by(MeetingRequest.recipient_id)).all()
        buyers = {p.id: p for p in db.session.scalars(select(Participation).where(
            Participation.role == Role.BUYER))}
        counts = {pid: n for pid, n in pending if pid in buyers}
        return buyers[max(counts, key=lambda pid: (counts[pid], -pid))].user.email


@pytest.mark.parametrize("path,name,schedule", [
    ("/events/demo/agenda", "agenda-phone", "published"),
    ("/events/demo/market", "market-place-phone", "booking"),
    ("/events/demo/requests", "requests-inbox-phone", "booking")])
def test_participant_pages_fit_a_phone_without_scrolling_sideways(request, demo, live, path,
                                                                  name, schedule):
    """The agenda once the schedule is out; the inbox while requests wait for an answer."""
    email = _busiest_buyer(demo)
    if schedule == "published":
        request.getfixturevalue("published")
    with chromium(375, 812) as driver:
        driver.set_window_size(375, 812)
        driver.set_script_timeout(60)
        log_in(driver, live, email)
        check_pages(driver, live, [path], phone=True)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(375, min(max(height, 600), 2400))
        driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_login_register_and_profile_fields_name_their_purpose_for_autofill(demo, client,
                                                                            login_as):
    """WCAG 1.3.5: browsers and assistive tools fill in and label these fields."""
    def autocomplete(html: str, field_id: str) -> str | None:
        tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
        assert tag, field_id
        match = re.search(r'autocomplete="([^"]+)"', tag.group(0))
        return match.group(1) if match else None

    login_page = client.get("/login").get_data(as_text=True)
    assert autocomplete(login_page, "email") == "username"
    assert autocomplete(login_page, "password") == "current-password"
    register_page = client.get("/register").get_data(as_text=True)
    assert [autocomplete(register_page, f) for f in ("name", "email", "password", "confirm")] \
        == ["name", "email", "new-password", "new-password"]
    profile = login_as(SUPPLIER).get("/events/demo/profile/edit").get_data(as_text=True)
    assert autocomplete(profile, "organisation") == "organization"
    assert autocomplete(profile, "phone") == "tel"


def test_an_availability_error_is_tied_to_the_time_groups(demo, login_as):
    def absences() -> int:
        with demo.app_context():
            return db.session.scalar(select(func.count()).select_from(Absence))

    before = absences()
    response = login_as(SUPPLIER).post("/events/demo/availability", data={"slots": ["999999"]})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="slots-error"' in html
    groups = re.findall(r'<fieldset class="slot-grid"[^>]*>', html)
    assert groups and all('aria-describedby="slots-error"' in g for g in groups)
    assert absences() == before
