"""Registration gives one answer for every address; the e-mailed link proves the address,
logs its owner in and leads on to what they came for (joining an event)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from matchmaker.auth.tokens import make_verify_token
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import Participation, ProductGroup, Role, User
from support import DEMO_PASSWORD, confirmation_path, login, user_by_email

PASSWORD = "green-deal-circular-9"
NEWCOMER = "nina@new.example"
KNOWN = "buyer1@demo.example"
JOIN = "/events/demo/join?role=supplier"


def post_register(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    return client.post("/register", query_string={"next": next_url} if next_url else None,
                       data={"name": "Nina New", "email": email, "password": password,
                             "confirm": password})


def neutral(html: str, email: str) -> str:
    """The page with what must differ taken out: the address typed and the CSRF token."""
    html = re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "CSRF", html)
    return html.replace(email, "ADDRESS")


def mails_to(app, email: str) -> list:
    with app.app_context():
        return [m for m in outbox() if m.to == email]


def accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def join_data(app, **changes):
    with app.app_context():
        furniture = db.session.scalar(select(ProductGroup.id)
                                      .where(ProductGroup.code == "furniture"))
    data = {"organisation": "Loop Furniture", "role": "supplier",
            "product_groups": [furniture], "pitch": "", "phone": ""}
    data.update(changes)
    return data


# --- One answer for every address -----------------------------------------------------------

def test_a_newcomer_and_a_known_address_get_the_same_answer(demo):
    before = accounts(demo)
    new, known = demo.test_client(), demo.test_client()
    a = post_register(new, NEWCOMER, next_url=JOIN)
    b = post_register(known, KNOWN, next_url=JOIN)
    assert a.status_code == b.status_code == 302
    assert a.headers["Location"] == b.headers["Location"] == "/register/check-your-mailbox"
    assert a.data == b.data
    page_a = new.get(a.headers["Location"])
    page_b = known.get(b.headers["Location"])
    assert page_a.status_code == page_b.status_code == 200
    html_a, html_b = page_a.get_data(as_text=True), page_b.get_data(as_text=True)
    assert "Check your mailbox" in html_a
    assert f"We sent an e-mail to <strong>{NEWCOMER}</strong>." in html_a
    assert neutral(html_a, NEWCOMER) == neutral(html_b, KNOWN)
    for client in (new, known):
        assert b"Log out" not in client.get("/").data  # nobody is logged in by registering
    assert accounts(demo) == before + 1


def test_both_cases_take_the_time_of_hashing_a_password(demo):
    passwords = demo.extensions["passwords"]
    hashed = []
    real_hash = passwords.hash

    def counting_hash(password):
        hashed.append(password)
        return real_hash(password)

    passwords.hash = counting_hash
    try:
        post_register(demo.test_client(), NEWCOMER)
        assert len(hashed) == 1
        post_register(demo.test_client(), KNOWN, password="another-password-77")
        assert len(hashed) == 2
    finally:
        del passwords.hash


def test_the_owner_of_a_known_address_gets_an_e_mail_and_keeps_the_password(demo):
    with demo.app_context():
        hash_before = user_by_email(KNOWN).password_hash
    post_register(demo.test_client(), KNOWN, password="another-password-77", next_url=JOIN)
    [mail] = mails_to(demo, KNOWN)
    assert mail.subject == "You already have an account"
    assert "Someone tried to create a new account with this e-mail address" in mail.body
    assert "/login?next=/events/demo/join" in mail.body
    assert "/password/reset/" in mail.body and "/verify/" not in mail.body
    with demo.app_context():
        assert user_by_email(KNOWN).password_hash == hash_before
    assert login(demo.test_client(), KNOWN, DEMO_PASSWORD).status_code == 302
    assert login(demo.test_client(), KNOWN, "another-password-77").status_code == 400


def test_the_newcomer_gets_the_confirmation_link(demo):
    post_register(demo.test_client(), NEWCOMER)
    [mail] = mails_to(demo, NEWCOMER)
    assert mail.subject == "Confirm your e-mail address"
    assert "/verify/" in mail.body and "works once" in mail.body
    with demo.app_context():
        assert user_by_email(NEWCOMER).email_verified is False


def test_a_form_with_mistakes_is_reshown_and_sends_nothing(demo):
    response = post_register(demo.test_client(), NEWCOMER, password="short")
    assert response.status_code == 400 and b'class="errors"' in response.data
    assert mails_to(demo, NEWCOMER) == []


# --- The link leads to the joining form ----------------------------------------------------

def test_the_link_opens_the_joining_form_and_saving_it_confirms_logs_in_and_joins(demo):
    post_register(demo.test_client(), NEWCOMER, next_url=JOIN)
    person = demo.test_client()  # the mail program may open another browser
    opened = person.get(confirmation_path(demo, NEWCOMER))
    assert opened.status_code == 302
    form_url = opened.headers["Location"]
    assert form_url.startswith("/events/demo/join?role=supplier&verify=")
    page = person.get(form_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Saving this form also confirms your e-mail address nina@new.example" in html
    assert re.search(r'<input[^>]*checked[^>]*value="supplier"|'
                     r'<input[^>]*value="supplier"[^>]*checked', html)
    assert re.search(r'id="organisation"[^>]*autofocus|autofocus[^>]*id="organisation"', html)
    with demo.app_context():
        assert user_by_email(NEWCOMER).email_verified is False  # opening changed nothing
    assert b"Log out" not in person.get("/").data

    saved = person.post(form_url, data=join_data(demo))
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/events/demo/listings/new"
    landing = person.get("/events/demo/listings/new").get_data(as_text=True)
    assert "Log out" in landing and "Your e-mail address is confirmed" in landing
    with demo.app_context():
        user = user_by_email(NEWCOMER)
        assert user.email_verified is True
        part = db.session.scalar(select(Participation).where(Participation.user_id == user.id))
        assert part.role is Role.SUPPLIER and part.organisation.name == "Loop Furniture"


def test_mistakes_in_the_joining_form_keep_the_confirmation_and_are_reshown(demo):
    post_register(demo.test_client(), NEWCOMER, next_url=JOIN)
    person = demo.test_client()
    form_url = person.get(confirmation_path(demo, NEWCOMER)).headers["Location"]
    refused = person.post(form_url, data=join_data(demo, organisation=""))
    assert refused.status_code == 400 and b'class="errors"' in refused.data
    with demo.app_context():
        assert user_by_email(NEWCOMER).email_verified is True
        assert db.session.scalar(select(func.count()).select_from(Participation).join(User)
                                 .where(User.email == NEWCOMER)) == 0
    assert person.post(form_url, data=join_data(demo)).status_code == 302


def test_a_used_link_opens_no_joining_form_for_someone_else(demo):
    post_register(demo.test_client(), NEWCOMER, next_url=JOIN)
    person = demo.test_client()
    form_url = person.get(confirmation_path(demo, NEWCOMER)).headers["Location"]
    assert person.post(form_url, data=join_data(demo)).status_code == 302
    stranger = demo.test_client()
    for response in (stranger.get(form_url), stranger.post(form_url, data=join_data(demo))):
        assert response.status_code == 400
        assert b"has been used already" in response.data
    assert b"Log out" not in stranger.get("/").data


def test_someone_who_joined_before_confirming_gets_the_button_not_the_form(demo):
    client = demo.test_client()
    post_register(client, NEWCOMER, next_url=JOIN)
    assert login(client, NEWCOMER, PASSWORD).status_code == 302
    assert client.post("/events/demo/join", data=join_data(demo)).status_code == 302
    form_url = client.get(confirmation_path(demo, NEWCOMER)).headers["Location"]
    page = client.get(form_url)
    assert page.status_code == 200
    assert b"Yes, confirm it" in page.data and b'id="organisation"' not in page.data
    action = re.search(r'<form method="post" action="([^"]+)" class="confirm-email"',
                       page.get_data(as_text=True)).group(1)
    confirmed = client.post(action)
    assert confirmed.status_code == 302
    assert client.get(confirmed.headers["Location"]).headers["Location"] == "/events/demo/me"
    with demo.app_context():
        assert user_by_email(NEWCOMER).email_verified is True


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ.forged.signature"])
def test_a_damaged_link_at_the_joining_form_is_refused(demo, token):
    response = demo.test_client().get(f"/events/demo/join?verify={token}")
    assert response.status_code == 400 and b"not valid" in response.data
    response = demo.test_client().post(f"/events/demo/join?verify={token}",
                                       data=join_data(demo))
    assert response.status_code == 400 and b"not valid" in response.data


def test_the_joining_form_without_a_link_still_asks_to_log_in(demo):
    response = demo.test_client().get("/events/demo/join")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_link_to_another_page_confirms_with_a_button_then_goes_there(demo):
    post_register(demo.test_client(), NEWCOMER, next_url="/events/demo/market")
    person = demo.test_client()
    path = confirmation_path(demo, NEWCOMER)
    page = person.get(path)
    assert page.status_code == 200 and b"Yes, confirm it" in page.data
    response = person.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/events/demo/market"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                    "///evil.example", "http:evil.example", "/\tevil"])
def test_next_cannot_lead_off_the_site(demo, target):
    post_register(demo.test_client(), NEWCOMER, next_url=target)
    person = demo.test_client()
    path = confirmation_path(demo, NEWCOMER)
    assert person.get(path).status_code == 200  # no redirect, to evil or anywhere
    response = person.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_token_carrying_an_unsafe_next_is_not_followed(demo):
    """Even a correctly signed token (an older version's, say) is checked again."""
    post_register(demo.test_client(), NEWCOMER)
    with demo.app_context():
        token = make_verify_token(user_by_email(NEWCOMER), secret_key=demo.config["SECRET_KEY"],
                                  next_url="//evil.example/steal")
    response = demo.test_client().post(f"/verify/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- Sending the e-mail again --------------------------------------------------------------

def resend(client, email: str, next_url: str = "", **environ):
    return client.post("/verify/resend", data={"email": email, "next": next_url},
                       environ_base=environ)


def test_the_mailbox_page_sends_the_e_mail_again_with_one_answer_for_every_address(demo):
    post_register(demo.test_client(), NEWCOMER, next_url=JOIN)
    first = confirmation_path(demo, NEWCOMER)
    answers = {}
    for email in (NEWCOMER, KNOWN, "nobody@demo.example"):
        client = demo.test_client()
        if email == KNOWN:
            post_register(client, email, next_url=JOIN)
            page = client.get("/register/check-your-mailbox").get_data(as_text=True)
            assert f'<input type="hidden" name="email" value="{email}">' in page
        response = resend(client, email, JOIN)
        assert response.status_code == 302
        answers[email] = (response.status_code, response.headers["Location"],
                          neutral(client.get(response.headers["Location"])
                                  .get_data(as_text=True), email))
    assert len(set(answers.values())) == 1
    assert "We sent the e-mail to ADDRESS again." in answers[KNOWN][2]
    [second_link] = [m for m in mails_to(demo, NEWCOMER)[1:]]
    assert "/verify/" in second_link.body
    assert [m.subject for m in mails_to(demo, KNOWN)] == ["You already have an account"] * 2
    assert mails_to(demo, "nobody@demo.example") == []
    with demo.app_context():
        assert user_by_email("nobody@demo.example") is None
    # The first link still works, and leads to the joining form as well.
    assert demo.test_client().get(first).headers["Location"].startswith(
        "/events/demo/join?role=supplier&verify=")


def test_resending_to_an_address_is_throttled_alike_for_every_address(demo):
    post_register(demo.test_client(), NEWCOMER)
    for email in (NEWCOMER, "nobody@demo.example"):
        answers = [resend(demo.test_client(), email, REMOTE_ADDR=f"10.5.0.{i}").status_code
                   for i in range(4)]
        assert answers == [302, 302, 302, 429], email
    assert len(mails_to(demo, NEWCOMER)) == 4  # one at registration, three resent


def test_a_bad_address_to_resend_to_is_reshown(demo):
    client = demo.test_client()
    for email in ("", "not-an-address", "x" * 300 + "@x.example"):
        response = resend(client, email)
        assert response.status_code == 400, email
        assert b'class="errors"' in response.data and b'id="email"' in response.data
    with demo.app_context():
        assert outbox() == []


def test_the_mailbox_page_without_a_registration_asks_for_the_address(demo):
    page = demo.test_client().get("/register/check-your-mailbox")
    assert page.status_code == 200
    assert b'type="email"' in page.data and b"We sent an e-mail to the address you registered with." in page.data
