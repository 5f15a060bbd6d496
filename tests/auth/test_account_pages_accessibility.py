"""axe-core on the account pages (reset, confirmation, the mailbox page, joining from the
confirmation link, password change, my events)."""
from __future__ import annotations

import pytest

from matchmaker.auth import tokens
from matchmaker.extensions import db
from matchmaker.models import User
from accessibility_helpers import check_pages, log_in
from support import chromium, served_as_in_production, user_by_email

pytestmark = pytest.mark.browser

NEWCOMER = "unconfirmed@example.org"


@pytest.fixture
def account_site(demo):
    """The demo served with CSRF on, an unconfirmed account, and the e-mailed links."""
    with demo.app_context():
        buyer = user_by_email("buyer1@demo.example")
        db.session.add(User(email=NEWCOMER, name="Una Unconfirmed",
                            password_hash=buyer.password_hash, email_verified=False))
        db.session.commit()
        secret = demo.config["SECRET_KEY"]
        token = tokens.make_verify_token(user_by_email(NEWCOMER), secret_key=secret)
        links = {"reset": "/password/reset/" + tokens.make_reset_token(buyer, secret_key=secret),
                 "verify": "/verify/" + token,
                 "join": f"/events/demo/join?role=supplier&verify={token}"}
    with served_as_in_production(demo) as base:
        yield base, links


@pytest.mark.parametrize("width", [1280, 375])
def test_account_pages_have_no_serious_accessibility_violations(account_site, width):
    base, links = account_site
    with chromium(width, 900) as driver:
        driver.set_script_timeout(60)
        check_pages(driver, base, ["/password/forgot", links["reset"],
                                   "/register/check-your-mailbox", links["join"]],
                    phone=width < 500)
        log_in(driver, base, NEWCOMER)  # the confirmation notice shows on every page
        check_pages(driver, base, ["/account/password", "/my-events", "/account",
                                    links["verify"]], phone=width < 500)
