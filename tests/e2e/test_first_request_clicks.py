"""A new supplier's first meeting request, click by click, at a person's pace.

From the event page to a sent request: register, open the confirmation link from the
e-mail, join the event, find a buyer in the market place, send the request. Every click
counts: buttons, links, radio buttons and checkboxes, options, every click that puts the
cursor in a field (none when the page has already focused it), and the click on the link
in the e-mail: the test opens its address from the outbox, which stands for the person's
click on it in their mail program. A choice the page has already made (the role the
registration link named) costs no click; one it has not made is clicked. The person
moves by mouse, not by Tab, and types at a realistic pace: each character waits
`TYPING_DELAY_S` (0.28 s, an average typist, about 40 words a minute) and each click waits
`POINTING_DELAY_S` (1.1 s to move the mouse onto the target), the keystroke-level model's
figures. Set the environment variables MATCHMAKER_TYPING_DELAY_S and
MATCHMAKER_POINTING_DELAY_S to 0 for a quick run; the click count does not change.
docs/journeys.md records the measured time.
"""
from __future__ import annotations

import os
import re
import time

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import MeetingRequest, RequestStatus
from support import chromium, wait_for_next_page

MAX_CLICKS = 12
WAIT_S = 20
TYPING_DELAY_S = float(os.environ.get("MATCHMAKER_TYPING_DELAY_S", "0.28"))
POINTING_DELAY_S = float(os.environ.get("MATCHMAKER_POINTING_DELAY_S", "1.1"))


class Person:
    """Drives the browser as a mouse user and writes down every click."""

    def __init__(self, driver, base_url: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait
        self.driver, self.base = driver, base_url
        self.By, self.ec, self.Wait = By, ec, WebDriverWait
        self.clicks: list[str] = []
        self.keystrokes = 0

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def find(self, css: str):
        return self.Wait(self.driver, WAIT_S).until(
            self.ec.element_to_be_clickable((self.By.CSS_SELECTOR, css)))

    def click(self, element, what: str, *, navigates: bool = False) -> None:
        time.sleep(POINTING_DELAY_S)
        self.clicks.append(what)
        page = self.driver.find_element(self.By.TAG_NAME, "html")
        element.click()
        if navigates:
            wait_for_next_page(self.driver, page, WAIT_S)

    def open_link_from_email(self, url_path: str) -> None:
        """The click on a link in the person's mail program, which opens it here."""
        time.sleep(POINTING_DELAY_S)
        self.clicks.append("the link in the e-mail")
        self.open(url_path)
        self.Wait(self.driver, WAIT_S).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def follow(self, css: str, what: str) -> None:
        self.click(self.find(css), what, navigates=True)

    def fill(self, css: str, text: str) -> None:
        """Type into a field, clicking it first unless the cursor is already there."""
        field = self.find(css)
        if self.driver.switch_to.active_element != field:
            self.click(field, f"focus {css}")
        for character in text:
            field.send_keys(character)
            self.keystrokes += 1
            time.sleep(TYPING_DELAY_S)

    def choose(self, css: str, what: str) -> None:
        """Tick a radio button or checkbox, unless the page has already ticked it."""
        choice = self.find(css)
        if not choice.is_selected():
            self.click(choice, what)

    def heading(self) -> str:
        return self.find("main h1").text


@pytest.mark.slow
def test_new_supplier_sends_a_first_request_in_at_most_twelve_clicks(live_app):
    with chromium(1280, 900) as driver:
        driver.implicitly_wait(0)
        person = Person(driver, live_app.config["LIVE_URL"])
        person.open("/events/demo")
        started = time.perf_counter()

        person.follow("main a[href*='/register'][href*='supplier']", "Register as a supplier")
        person.fill("#name", "Sam Supplier")
        person.fill("#email", "sam@loop-furniture.example")
        person.fill("#password", "a-long-password-1")
        person.fill("#confirm", "a-long-password-1")
        person.follow("main form button[type=submit]", "Create account")
        assert person.heading() == "Check your mailbox"

        with live_app.app_context():
            [mail] = [m for m in outbox() if m.to == "sam@loop-furniture.example"]
        person.open_link_from_email(re.search(r"https?://\S+(/verify/\S+)", mail.body).group(1))
        assert "/events/demo/join" in driver.current_url, person.heading()

        person.fill("#organisation", "Loop Furniture")
        person.choose("input[name=role][value=supplier]", "role: supplier")
        person.choose("input[name=product_groups]", "a product group")
        person.follow("main form button[type=submit]", "Save and continue")
        assert "Something went wrong" not in driver.page_source
        assert "/listings/new" in driver.current_url, person.heading()

        person.click(person.Wait(driver, WAIT_S).until(person.ec.element_to_be_clickable(
            (person.By.LINK_TEXT, "Market place"))), "Market place", navigates=True)
        query_cards = driver.find_elements(
            person.By.XPATH, "//main//li[contains(@class,'listing')]"
                             "[.//*[contains(@class,'badge')][normalize-space()='Query']]")
        assert query_cards, "no buyer query on the first page of the market place"
        card = query_cards[0]
        direct = card.find_elements(person.By.PARTIAL_LINK_TEXT, "Request a meeting")
        if direct:
            person.click(direct[0], "Request a meeting (card)", navigates=True)
        else:
            person.click(card.find_element(person.By.CSS_SELECTOR, "h3 a"), "the query",
                         navigates=True)
            person.follow("main a[href*='/requests/new']", "Request a meeting")
        assert person.heading() == "Request a meeting"

        person.fill("#message", "We lease refurbished office chairs; shall we talk?")
        person.follow("main form button[type=submit]", "Send request")
        seconds = time.perf_counter() - started

        assert "tab=sent" in driver.current_url
        assert "Pending" in driver.page_source
    with live_app.app_context():
        request = db.session.scalars(select(MeetingRequest)
                                     .order_by(MeetingRequest.id.desc())).first()
        assert request.sender.user.email == "sam@loop-furniture.example"
        assert request.status is RequestStatus.PENDING
        assert request.message.startswith("We lease refurbished")

    print(f"\nFirst request: {len(person.clicks)} clicks ({', '.join(person.clicks)}), "
          f"{person.keystrokes} keystrokes, {seconds:.1f} s at {TYPING_DELAY_S} s a "
          f"character and {POINTING_DELAY_S} s a click")
    assert "the link in the e-mail" in person.clicks
    assert len(person.clicks) <= MAX_CLICKS, person.clicks
