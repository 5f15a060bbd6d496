"""In a real browser on a phone-sized window: start a run, watch its progress, publish.

Headless Chromium through selenium, the app on a loopback port with CSRF on and the
thread job runner, so the run really works off the request thread and the page's
script (static/js/runs.js) polls its progress until it ends.
"""
from __future__ import annotations


import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Meeting, RunStatus, SolveRun
from support import browser_log_in, chromium

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375
WAIT_S = 60


@pytest.fixture
def browser():
    with chromium(PHONE_WIDTH, 800) as driver:
        yield driver


def fits_the_phone(driver) -> bool:
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1;")


def test_organiser_runs_the_solver_watches_progress_and_publishes_on_a_phone(live_app,
                                                                              browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base = live_app.config["LIVE_URL"]
    wait = WebDriverWait(browser, WAIT_S)
    browser_log_in(browser, base, "organiser@demo.example")

    browser.get(base + "/events/demo/console/schedule/")
    assert fits_the_phone(browser)
    limit = browser.find_element(By.ID, "m-time_limit")
    limit.clear()
    limit.send_keys("3")
    browser.find_element(By.XPATH, "//button[normalize-space()='Schedule meetings']").click()
    # The run is listed while it works, with a progress bar the script keeps up to date...
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "tr[data-run-status]")))
    # ...and once it ends the page reloads on its own and offers to compare and publish.
    link = wait.until(ec.element_to_be_clickable((By.PARTIAL_LINK_TEXT, "Compare and publish")))
    with live_app.app_context():
        run = db.session.scalar(select(SolveRun))
        assert run.status is RunStatus.FINISHED and run.elapsed_s is not None
        db.session.remove()
    link.click()
    wait.until(ec.presence_of_element_located((By.XPATH, "//h1[contains(., 'meetings draft')]")))
    assert fits_the_phone(browser)
    browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Publish run')]"
                         ).click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash-success")))
    assert "Schedule published" in browser.find_element(By.CSS_SELECTOR, ".flash-success").text
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) > 0
        meeting_id = db.session.scalar(select(Meeting.id))
        db.session.remove()
    for path in ("/events/demo/console/schedule/meetings",
                 f"/events/demo/console/schedule/meetings/{meeting_id}/move",
                 f"/events/demo/console/schedule/runs/{run.id}/why-not"):
        browser.get(base + path)
        assert "error" not in browser.title.lower()
        assert fits_the_phone(browser), path
