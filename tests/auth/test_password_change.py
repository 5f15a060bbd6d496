"""Changing one's password from the account page."""
from __future__ import annotations

import pytest

from matchmaker.mail import outbox
from support import DEMO_PASSWORD, login

NEW_PASSWORD = "reclaimed-timber-42"


def change(client, current=DEMO_PASSWORD, password=NEW_PASSWORD, confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "password": password,
        "confirm": password if confirm is None else confirm})


def test_the_account_page_links_to_the_password_change(demo, login_as):
    client = login_as("buyer1@demo.example")
    assert b'href="/account/password"' in client.get("/account").data
    page = client.get("/account/password")
    assert page.status_code == 200 and b'autocomplete="current-password"' in page.data


def test_password_change_keeps_this_session_ends_the_others_and_tells_the_owner(demo, login_as):
    client = login_as("buyer1@demo.example")
    elsewhere = login_as("buyer1@demo.example")
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert b"Log out" in client.get("/account").data
    assert b"Log out" not in elsewhere.get("/").data
    assert login(demo.test_client(), "buyer1@demo.example").status_code == 400
    assert login(demo.test_client(), "buyer1@demo.example", NEW_PASSWORD).status_code == 302
    with demo.app_context():
        [mail] = outbox()
        assert mail.to == "buyer1@demo.example" and "changed" in mail.subject


def test_a_wrong_current_password_is_refused_and_nothing_changes(demo, login_as):
    client = login_as("buyer1@demo.example")
    response = change(client, current="not-my-password-1")
    assert response.status_code == 400
    assert b"This is not your current password." in response.data
    assert b"Log out" in client.get("/").data
    assert login(demo.test_client(), "buyer1@demo.example").status_code == 302
    with demo.app_context():
        assert outbox() == []


@pytest.mark.parametrize("data, message", [
    (dict(password="short"), b"at least 10"),
    (dict(password="1234567890"), b"too common"),
    (dict(confirm="something-else-12"), b"differ"),
    (dict(password=DEMO_PASSWORD), b"different from the current one"),
    (dict(current=""), b"This field is required"),
])
def test_a_bad_new_password_is_reshown_with_a_message(demo, login_as, data, message):
    client = login_as("supplier1@demo.example")
    response = change(client, **data)
    assert response.status_code == 400
    assert message in response.data
    assert login(demo.test_client(), "supplier1@demo.example").status_code == 302


def test_anonymous_visitors_are_sent_to_log_in(demo, client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert change(client).status_code == 302
