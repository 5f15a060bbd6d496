
import pytest

from support import DEMO_PASSWORD, build_app, csrf_token_from, login, user_by_email
from matchmaker.auth.services import safe_next
from matchmaker.extensions import db
from matchmaker.mail import outbox

GOOD_PASSWORD = "green-deal-circular-9"


def register(client, email="new@x.example", password=GOOD_PASSWORD, confirm=None, **extra):
    return client.post("/register", data={
        "name": "Nina New", "email": email, "password": password,
        "confirm": confirm if confirm is not None else password, **extra})


def test_register_creates_a_hashed_unverified_account_and_mails_the_link(app, client):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/register/check-your-mailbox"
    with app.app_context():
        user = user_by_email("new@x.example")
        assert user.password_hash.startswith("$argon2id$")
        assert GOOD_PASSWORD not in user.password_hash
        assert user.email_verified is False
        [mail] = outbox()
        assert mail.to == "new@x.example" and "/verify/" in mail.body
    page = client.get("/register/check-your-mailbox").data
    assert b"Check your mailbox" in page and b"new@x.example" in page
    assert b"Log out" not in page and b"Nina New" not in page  # the link logs in, not this


def test_register_bad_input_is_reshown_and_nothing_saved(app, client):
    cases = [
        dict(email="not-an-email"),
        dict(password="short"),
        dict(password="1234567890"),
        dict(confirm="different-password-1"),
        dict(email=""),
    ]
    for case in cases:
        response = register(client, **case)
        assert response.status_code == 400, case
        assert b'class="errors"' in response.data, case
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(
            db.metadata.tables["user_account"])) == 0


def test_registering_a_known_address_answers_the_same_and_tells_its_owner(app, client):
    first = register(client, email="new@x.example")
    with app.app_context():
        outbox().clear()
        hash_before = user_by_email("new@x.example").password_hash
    other = app.test_client()
    again = register(other, email="NEW@x.example", password="another-password-77")
    assert again.status_code == first.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    first_page = client.get(first.headers["Location"]).get_data(as_text=True)
    again_page = other.get(again.headers["Location"]).get_data(as_text=True)
    message = "We sent an e-mail to <strong>new@x.example</strong>."
    assert message in first_page and message in again_page
    assert "exists already" not in again_page
    with app.app_context():
        [mail] = outbox()
        assert mail.to == "new@x.example"
        assert "/password/reset/" in mail.body and "/login" in mail.body
        assert user_by_email("new@x.example").password_hash == hash_before
        assert db.session.scalar(db.select(db.func.count()).select_from(
            db.metadata.tables["user_account"])) == 1
    assert "Log out" not in again_page


def test_login_and_logout(demo):
    client = demo.test_client()
    response = login(client, "buyer1@demo.example")
    assert response.status_code == 302
    page = client.get("/")
    assert b"Log out" in page.data
    response = client.post("/logout")
    assert response.status_code == 302
    assert b"Log out" not in client.get("/").data


def test_wrong_password_is_refused_with_a_neutral_message(demo):
    client = demo.test_client()
    response = login(client, "buyer1@demo.example", "wrong-password-123")
    assert response.status_code == 400
    assert b"Wrong e-mail address or password" in response.data
    response = login(client, "nobody@demo.example", "wrong-password-123")
    assert b"Wrong e-mail address or password" in response.data
    assert b"Log out" not in client.get("/").data


def test_logout_needs_post(demo, login_as):
    client = login_as("buyer1@demo.example")
    assert client.get("/logout").status_code == 405


def test_copied_session_cookie_is_dead_after_logout(demo, login_as):
    client = login_as("supplier1@demo.example")
    cookie = client.get_cookie("session")
    assert cookie is not None
    stolen = demo.test_client()
    stolen.set_cookie("session", cookie.value)
    assert b"Log out" in stolen.get("/").data
    client.post("/logout")
    assert b"Log out" not in stolen.get("/").data


def test_copied_remember_cookie_is_dead_after_logout(demo):
    client = demo.test_client()
    login(client, "supplier1@demo.example", remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    fresh = demo.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert b"Log out" in fresh.get("/").data
    client.post("/logout")
    after = demo.test_client()
    after.set_cookie("remember_token", remember.value)
    assert b"Log out" not in after.get("/").data


def test_session_cookie_flags(demo):
    client = demo.test_client()
    response = login(client, "buyer1@demo.example", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session", "remember_token"):
        header = next(c for c in cookies if c.startswith(name + "="))
        lowered = header.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered, header


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "http:evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x",
    " //evil.example",
])
def test_hostile_next_is_ignored(demo, target):
    client = demo.test_client()
    response = client.post("/login?next=" + target, data={
        "email": "buyer1@demo.example", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and "javascript" not in location
    assert location == "/events/demo/me"  # the landing page, as without `next`


def test_local_next_is_followed(demo):
    client = demo.test_client()
    response = client.post("/login?next=/events/demo", data={
        "email": "buyer1@demo.example", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/events/demo"


def test_safe_next_rules():
    assert safe_next("/events/demo?x=1") == "/events/demo?x=1"
    for bad in [None, "", "//a", "/\\a", "http://a", "a/b", "/a\nb", "https:/a"]:
        assert safe_next(bad) is None


def test_login_is_rate_limited_per_account(demo):
    for i in range(5):
        client = demo.test_client()
        response = client.post("/login", data={
            "email": "buyer2@demo.example", "password": "wrong-password-123"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"})
        assert response.status_code == 400
    client = demo.test_client()
    response = client.post("/login", data={
        "email": "buyer2@demo.example", "password": DEMO_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert response.status_code == 429


def test_account_locks_after_many_wrong_passwords(demo):
    from matchmaker.auth.services import LOCK_AFTER_FAILURES, authenticate
    from matchmaker.domain import DomainError
    with demo.app_context():
        passwords = demo.extensions["passwords"]
        for _ in range(LOCK_AFTER_FAILURES):
            with pytest.raises(DomainError):
                authenticate(db.session, email="buyer3@demo.example", password="nope-nope-12",
                             passwords=passwords)
        with pytest.raises(DomainError, match="locked"):
            authenticate(db.session, email="buyer3@demo.example", password=DEMO_PASSWORD,
                         passwords=passwords)


def test_forms_are_refused_without_csrf_token(tmp_path):
    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/register", data={
        "name": "Eve", "email": "eve@x.example", "password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD})
    assert response.status_code == 400
    assert b"form expired" in response.data
    page = client.get("/register")
    token = csrf_token_from(page.data)
    response = client.post("/register", data={
        "name": "Eve", "email": "eve@x.example", "password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert user_by_email("eve@x.example") is not None
    # logout is a form too
    assert client.post("/logout").status_code == 400
