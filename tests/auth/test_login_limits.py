"""Login limits that suit a venue: failures only, strict per account, generous per address."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import User
from support import DEMO_PASSWORD

VENUE = {"REMOTE_ADDR": "203.0.113.7"}  # everyone on the venue's Wi-Fi


def post_login(app, email: str, password: str = DEMO_PASSWORD, environ=VENUE):
    return app.test_client().post("/login", data={"email": email, "password": password},
                                  environ_base=environ)


def demo_emails(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(User.email).order_by(User.id)))


def test_thirty_people_log_in_from_one_address_while_six_failures_on_one_account_are_refused(
        demo):
    people = demo_emails(demo)[:30]
    assert len(people) == 30
    for email in people:
        response = post_login(demo, email)
        assert response.status_code == 302, (email, response.status_code)

    answers = [post_login(demo, "buyer1@demo.example", "wrong-password-123").status_code
               for _ in range(6)]
    assert answers == [400] * 5 + [429]
    assert post_login(demo, "buyer1@demo.example").status_code == 429
    # The others at the venue are not held back by one account's failures.
    assert post_login(demo, "supplier1@demo.example").status_code == 302


def test_failures_on_one_account_are_counted_across_addresses(demo):
    for i in range(5):
        assert post_login(demo, "buyer2@demo.example", "wrong-password-123",
                          {"REMOTE_ADDR": f"10.0.0.{i + 1}"}).status_code == 400
    assert post_login(demo, "buyer2@demo.example",
                      environ={"REMOTE_ADDR": "10.0.0.99"}).status_code == 429


def test_many_failures_from_one_address_are_refused(demo):
    demo.config["LOGIN_ADDRESS_FAILURE_LIMIT"] = "8/minute"
    for i in range(8):
        assert post_login(demo, f"someone{i}@demo.example",
                          "wrong-password-123").status_code == 400
    refused = post_login(demo, "buyer1@demo.example")
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.data
    assert post_login(demo, "buyer1@demo.example",
                      environ={"REMOTE_ADDR": "198.51.100.1"}).status_code == 302


def test_the_default_address_limit_is_generous_and_the_account_limit_strict(app):
    assert app.config["LOGIN_ADDRESS_FAILURE_LIMIT"] == "60/minute"
    assert app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"] == "5/minute"


def test_a_form_without_a_password_is_not_counted_as_a_failure(demo):
    for _ in range(8):
        response = demo.test_client().post("/login", data={"email": "buyer3@demo.example"},
                                           environ_base=VENUE)
        assert response.status_code == 400
    assert post_login(demo, "buyer3@demo.example").status_code == 302
