"""End to end in a real browser: a new supplier registers, makes a profile and an offer,
finds a buyer in the market place and requests a meeting; the buyer accepts.

Drives Debian's headless Chromium through selenium against the app served on a loopback
port with a file SQLite database and CSRF on. Counts the supplier's clicks (the
organisers' lesson: booking a meeting must take a couple of minutes, not a session) and
saves screenshots of the main pages: into docs/screenshots/ for the README when
MATCHMAKER_SCREENSHOTS=docs/screenshots is set, else into a temporary folder, so that a
test run never rewrites files of the repository.
"""
from __future__ import annotations

import time

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MeetingRequest, RequestStatus, Side
from journey import Journey
from support import confirmation_path, publish_agenda_of

MAX_SUPPLIER_CLICKS = 12


def test_supplier_registers_offers_and_books_a_meeting_the_buyer_accepts(live_app, browser):
    j = Journey(browser, live_app.config["LIVE_URL"])
    j.open("/events/demo")
    started = time.perf_counter()

    # Register as a supplier: the link in the e-mail confirms the address and opens the
    # joining form, with the role the registration link named already chosen.
    j.click(j.find("main a[href*='/register'][href*='supplier']"))
    j.type("#name", "Sam Supplier")
    j.type("#email", "sam@loop-furniture.example")
    j.type("#password", "a-long-password-1")
    j.type("#confirm", "a-long-password-1")
    j.submit()
    assert j.heading() == "Check your mailbox"
    j.open(confirmation_path(live_app, "sam@loop-furniture.example"))
    j.clicks += 1  # the click on the link in the mail program
    assert "/events/demo/join" in browser.current_url, j.heading()
    assert j.find("input[name=role][value=supplier]").is_selected()
    j.type("#organisation", "Loop Furniture")
    j.click(j.find("input[name=product_groups]"), navigates=False)
    j.type("#pitch", "Refurbished office furniture, leased and taken back.")
    j.submit()
    j.assert_no_error_page()

    # The first offer.
    assert "listings/new" in browser.current_url, j.heading()
    j.choose("#product_group", "Furniture")
    j.type("#title", "Refurbished office chairs as a service")
    j.type("#text", "We lease refurbished chairs, repair them and take them back.")
    j.submit()
    j.assert_no_error_page()

    # Find a buyer's query in the market place and ask for a meeting.
    j.click(j.link("Market place"))
    j.find("main .cards")
    query = browser.find_elements(
        j.By.XPATH, "//main//li[contains(@class,'listing')][.//*[contains(@class,'badge')]"
                    "[normalize-space()='Query']]//h3/a")
    assert query, "no buyer query in the market place"
    j.click(query[0])
    j.click(j.link("Request a meeting"))
    assert j.heading() == "Request a meeting"
    j.type("#message", "We would like to show you our chair-as-a-service offer.")
    j.submit()
    j.assert_no_error_page()
    supplier_clicks, supplier_seconds = j.clicks, time.perf_counter() - started
    assert "tab=sent" in browser.current_url
    assert "Pending" in browser.page_source
    print(f"\nSupplier journey: {supplier_clicks} clicks, {supplier_seconds:.1f} s "
          "(register, profile, offer, market place, meeting request)")
    assert supplier_clicks <= MAX_SUPPLIER_CLICKS

    with live_app.app_context():
        request = db.session.scalars(select(MeetingRequest)
                                     .order_by(MeetingRequest.id.desc())).first()
        buyer_email = request.recipient.user.email
        request_id = request.id
        assert request.sender.user.email == "sam@loop-furniture.example"

    # Screenshots for the README: market place and the buyer's profile.
    j.open("/events/demo/market")
    j.shot("market-place")
    j.shot("market-place-phone", width=375)
    j.open(f"/events/demo/people/{request.recipient_id}")
    j.shot("profile")

    # The buyer accepts.
    j.log_in(buyer_email)
    j.open("/events/demo/requests")
    assert "Sam Supplier" in browser.page_source
    j.shot("requests-inbox")
    j.shot("requests-inbox-phone", width=375)
    accept = j.find(f"form[action$='/requests/{request_id}/accept'] button")
    j.click(accept)
    assert "Accepted" in browser.page_source
    with live_app.app_context():
        assert db.session.get(MeetingRequest, request_id).status is RequestStatus.ACCEPTED

    j.open("/events/demo/agenda")
    assert "Sam Supplier" in browser.page_source
    j.shot("agenda-before-publication")
    j.open("/events/demo/availability")
    j.shot("availability")

    # Once the organisers publish the schedule, the agenda has times and tables.
    with live_app.app_context():
        publish_agenda_of(db.session.get(MeetingRequest, request_id).recipient, Side.BUYER)
    j.open("/events/demo/agenda")
    assert "Sam Supplier" in browser.page_source and "Table" in browser.page_source
    j.shot("agenda")
    j.shot("agenda-phone", width=375)
