"""Account pre-claiming: someone registers another person's address with a password they
know. The confirmation link proves the address, not the password, so only the browser
that registered goes straight on; anywhere else the link asks for the password first,
and the stranger's password, sessions and later registrations are worth nothing."""
from __future__ import annotations

import re

from itsdangerous.timed import TimestampSigner

from matchmaker.mail import outbox
from support import confirmation_path, csrf_token_from, login, user_by_email

VICTIM = "vera@owner.example"
ATTACKER_PASSWORD = "attacker-knows-this-1"
OWNER_PASSWORD = "owner-chose-this-22"
JOIN = "/events/demo/join?role=supplier"


def post_register(client, email: str = VICTIM, password: str = ATTACKER_PASSWORD,
                  next_url: str | None = JOIN, name: str = "Mallory"):
    response = client.post("/register", query_string={"next": next_url} if next_url else None,
                           data={"name": name, "email": email, "password": password,
                                 "confirm": password})
    assert response.status_code == 302
    return response


def claim(client, path: str, password: str = OWNER_PASSWORD, confirm: str | None = None,
          name: str = "Vera Owner", **extra):
    return client.post(path, data={"name": name, "password": password,
                                   "confirm": password if confirm is None else confirm, **extra})


def verified(app, email: str = VICTIM) -> bool:
    with app.app_context():
        return user_by_email(email).email_verified


def password_hash(app, email: str = VICTIM) -> str:
    with app.app_context():
        return user_by_email(email).password_hash


def session_of(app, client) -> dict:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def is_logged_in(client) -> bool:
    return b"Log out" in client.get("/").data


# --- The browser that registered goes straight on -------------------------------------------

def test_the_registering_browser_goes_straight_to_the_joining_form_without_a_password(demo):
    person = demo.test_client()
    post_register(person, password=OWNER_PASSWORD, name="Vera Owner")
    opened = person.get(confirmation_path(demo, VICTIM))
    assert opened.status_code == 302
    assert opened.headers["Location"].startswith("/events/demo/join?role=supplier&verify=")
    page = person.get(opened.headers["Location"])
    assert page.status_code == 200 and b'id="organisation"' in page.data
    assert b"Choose your password" not in page.data
    assert "signup" in session_of(demo, person)


# --- Anywhere else the link asks for the password -------------------------------------------

def test_another_browser_is_asked_for_the_password_and_opening_changes_nothing(demo):
    post_register(demo.test_client())
    path = confirmation_path(demo, VICTIM)
    owner = demo.test_client()
    page = owner.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Choose your password" in html and VICTIM in html
    assert 'id="password"' in html and 'id="confirm"' in html and 'id="organisation"' not in html
    assert 'value="Mallory"' in html  # the name given at registration, to be checked
    # The joining form with the link's token leads to the same page, not to the form.
    token = path.rsplit("/", 1)[1]
    joining = owner.get(f"{JOIN}&verify={token}")
    assert joining.status_code == 302 and joining.headers["Location"] == path
    refused = owner.post(f"{JOIN}&verify={token}", data={"organisation": "Mallory & Co",
                                                         "role": "supplier"})
    assert refused.status_code == 302 and refused.headers["Location"] == path
    # A bare "Yes, confirm it" (no password) confirms nothing either: the form is shown.
    bare = owner.post(path)
    assert bare.status_code == 200 and b'id="password"' in bare.data
    assert not verified(demo) and not is_logged_in(owner)


def test_choosing_the_password_confirms_logs_in_goes_on_and_the_old_password_is_dead(demo):
    attacker = demo.test_client()
    post_register(attacker)
    assert login(attacker, VICTIM, ATTACKER_PASSWORD).status_code == 302  # before confirming
    assert is_logged_in(attacker)
    path = confirmation_path(demo, VICTIM)
    owner = demo.test_client()
    done = claim(owner, path)
    assert done.status_code == 302 and done.headers["Location"] == JOIN
    landing = owner.get(JOIN)
    assert landing.status_code == 200 and b'id="organisation"' in landing.data
    assert b"your password is set and you are logged in" in landing.data
    with demo.app_context():
        user = user_by_email(VICTIM)
        assert user.email_verified and user.name == "Vera Owner"
        assert user.password_hash.startswith("$argon2id$")
    assert not is_logged_in(attacker)  # the session made with the old password has ended
    assert login(demo.test_client(), VICTIM, ATTACKER_PASSWORD).status_code == 400
    assert login(demo.test_client(), VICTIM, OWNER_PASSWORD).status_code == 302
    # The link has done its work: nobody else can use it again.
    for again in (demo.test_client().get(path), claim(demo.test_client(), path, "other-pass-333")):
        assert again.status_code == 400 and b"has been used already" in again.data
    assert login(demo.test_client(), VICTIM, OWNER_PASSWORD).status_code == 302


def test_a_weak_or_mismatched_password_is_refused_with_the_form_reshown(demo):
    post_register(demo.test_client())
    path = confirmation_path(demo, VICTIM)
    before = password_hash(demo)
    owner = demo.test_client()
    cases = [dict(password="short"), dict(password="1234567890"),
             dict(password="vera-owner-password"),  # contains the address
             dict(password=OWNER_PASSWORD, confirm="something-else-44"),
             dict(name="  ")]
    for case in cases:
        response = claim(owner, path, **case)
        assert response.status_code == 400, case
        html = response.get_data(as_text=True)
        assert 'class="errors"' in html and 'id="password"' in html, case
    assert not verified(demo) and password_hash(demo) == before
    assert not is_logged_in(owner)
    assert claim(owner, path).status_code == 302  # the link still works after mistakes
    assert verified(demo)


def test_the_new_form_needs_its_csrf_token(demo):
    post_register(demo.test_client())
    path = confirmation_path(demo, VICTIM)
    demo.config.update(WTF_CSRF_ENABLED=True)
    owner = demo.test_client()
    page = owner.get(path)
    refused = claim(owner, path)
    assert refused.status_code == 400
    assert not verified(demo) and not is_logged_in(owner)
    forged = claim(owner, path, csrf_token="not-the-token")
    assert forged.status_code == 400 and not verified(demo)
    accepted = claim(owner, path, csrf_token=csrf_token_from(page.data))
    assert accepted.status_code == 302 and verified(demo)


def test_a_lost_session_in_the_registering_browser_also_asks_for_the_password(demo):
    person = demo.test_client()
    post_register(person, password=OWNER_PASSWORD)
    person.delete_cookie("session")
    page = person.get(confirmation_path(demo, VICTIM))
    assert page.status_code == 200 and b"Choose your password" in page.data


def test_a_logged_in_owner_confirms_with_the_button(demo):
    """Logged in with the password, this browser knows it: no need to ask again."""
    person = demo.test_client()
    post_register(demo.test_client(), password=OWNER_PASSWORD)
    assert login(person, VICTIM, OWNER_PASSWORD).status_code == 302
    path = confirmation_path(demo, VICTIM)
    assert person.get(path).headers["Location"].startswith(f"{JOIN}&verify=")
    assert person.post(path).status_code == 302 and verified(demo)


# --- A second registration of the address takes nothing over --------------------------------

def test_registering_an_unconfirmed_address_again_replaces_nothing(demo):
    first, second = demo.test_client(), demo.test_client()
    post_register(first)
    before = password_hash(demo)
    post_register(second, password=OWNER_PASSWORD, name="Vera Owner")
    assert password_hash(demo) == before
    assert login(demo.test_client(), VICTIM, OWNER_PASSWORD).status_code == 400
    with demo.app_context():
        mails = [m for m in outbox() if m.to == VICTIM]
    assert [m.subject for m in mails] == ["Confirm your e-mail address"] * 2
    # Neither registering browser goes straight on with the newest link: the first
    # browser's password is not what the second one typed, and the second one's password
    # was never kept. Whoever holds the mailbox chooses.
    path = confirmation_path(demo, VICTIM)
    page = second.get(path)
    assert page.status_code == 200 and b"Choose your password" in page.data
    assert claim(second, path).status_code == 302
    assert login(demo.test_client(), VICTIM, OWNER_PASSWORD).status_code == 302
    assert login(demo.test_client(), VICTIM, ATTACKER_PASSWORD).status_code == 400


def test_the_session_cookie_does_not_tell_a_new_address_from_a_known_one(demo):
    new, known, unconfirmed = demo.test_client(), demo.test_client(), demo.test_client()
    post_register(demo.test_client(), email="pending@x.example")
    post_register(new, email="fresh@x.example")
    post_register(known, email="buyer1@demo.example")
    post_register(unconfirmed, email="pending@x.example")

    def shape(client):
        """Every key of the session; for the browser's marker, the length of its values."""
        data = session_of(demo, client)
        assert set(data["signup"]) == {"e", "p"}
        return (sorted(data), sorted(data["check_mailbox"]),
                [len(data["signup"][k]) for k in ("e", "p")])

    assert shape(new) == shape(known) == shape(unconfirmed)


# --- The link lasts a day; an expired one leads to a new one --------------------------------

def test_the_link_expires_after_a_day_and_the_page_sends_a_new_one(demo, monkeypatch):
    assert demo.config["EMAIL_VERIFICATION_MAX_AGE"] == 86400
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 25 * 3600)
    person = demo.test_client()
    post_register(person, password=OWNER_PASSWORD)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    old = confirmation_path(demo, VICTIM)
    for response in (person.get(old), person.post(old), claim(demo.test_client(), old),
                     person.get(f"{JOIN}&verify={old.rsplit('/', 1)[1]}")):
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "This confirmation link has expired" in html and "24 hours" in html
        assert "Nothing is lost" in html
        assert 'action="/verify/resend"' in html and "Send me a new link" in html
    assert not verified(demo) and not is_logged_in(person)

    page = person.get(old).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/verify/resend".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form))
    assert fields["email"] == VICTIM and fields["next"] == JOIN
    sent = person.post("/verify/resend", data=fields)
    assert sent.status_code == 302 and sent.headers["Location"] == "/register/check-your-mailbox"
    new = confirmation_path(demo, VICTIM)
    assert new != old
    # Nothing lost: the new link goes on to the joining form, in the same browser.
    assert person.get(new).headers["Location"].startswith(f"{JOIN}&verify=")


def test_the_e_mail_says_how_long_the_link_works_and_what_to_do_if_unasked(demo):
    post_register(demo.test_client())
    with demo.app_context():
        [mail] = [m for m in outbox() if m.to == VICTIM]
    assert "The link works once and for 24 hours." in mail.body
    assert "If you did not ask for this, ignore this e-mail" in mail.body
    assert "On another device, it first asks you to choose your password." in mail.body


def test_a_link_a_few_hours_short_of_a_day_still_works(demo, monkeypatch):
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 23 * 3600)
    person = demo.test_client()
    post_register(person, password=OWNER_PASSWORD)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    opened = person.get(confirmation_path(demo, VICTIM))
    assert opened.status_code == 302 and "verify=" in opened.headers["Location"]
