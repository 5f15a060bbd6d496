"""Every route x every kind of visitor: anonymous, outsider, participant, organiser.

The matrix is built from the app's URL map, so a new route is covered the day it is
added: anonymous visitors are sent to log in, people without the right role get 403,
and nobody ever gets a 500 or a stack trace.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Listing, MeetingRequest, Participation, RequestStatus, Role, User
from support import register

# Pages anyone may see (the language switch too), and token-protected pages that need
# no login.
PUBLIC = {"static", "public.home", "public.event_page", "auth.login", "auth.register",
          "auth.choose_language", "agenda.feed", "attendees.accept_invitation",
          "auth.forgot_password", "auth.reset_password", "auth.verify_email", "public.favicon",
          "auth.check_mailbox", "auth.resend_verification",
          "clock.screen", "clock.server_time", "outcomes.answer", "outcomes.opt_out"}
# Pages for any logged-in user, whether or not they take part in an event.
ACCOUNT = {"auth.logout", "profiles.account", "profiles.export", "profiles.delete_account",
           "profiles.join", "console.new_event", "auth.change_password", "auth.my_events",
           "notifications.preferences"}
# Pages for administrators only: everyone else logged in gets 403.
ADMIN = {"admin.accounts", "admin.organiser_rights"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
        yield rule, methods


def _url(rule, **ids) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        if arg == "slug":
            values[arg] = "demo"
        elif converter in ("IntegerConverter", "IdConverter"):
            values[arg] = ids.get(arg, 1)
        elif converter == "AnyConverter":
            values[arg] = sorted(rule._converters[arg].items)[0]
        else:
            values[arg] = ids.get(arg, "x")
    path = rule.build(values, append_unknown=False)
    return path[1] if isinstance(path, tuple) else path


def _is_console(rule) -> bool:
    return "/console" in rule.rule and rule.endpoint not in ACCOUNT


def _call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


def test_anonymous_visitors_are_sent_to_log_in_everywhere(demo):
    client = demo.test_client()
    checked = 0
    for rule, methods in _routes(demo):
        for method in methods:
            response = _call(client, method, _url(rule))
            assert response.status_code in (302, 401), (rule.rule, method, response.status_code)
            assert "/login" in response.headers.get("Location", ""), (rule.rule, method)
            checked += 1
    assert checked > 40


def test_participants_get_403_on_every_organiser_page(demo, login_as):
    client = login_as("buyer1@demo.example")
    checked = 0
    for rule, methods in _routes(demo):
        if not _is_console(rule):
            continue
        for method in methods:
            response = _call(client, method, _url(rule))
            assert response.status_code == 403, (rule.rule, method, response.status_code)
            checked += 1
    assert checked > 20


def test_outsiders_get_403_on_every_event_page(demo, client):
    register(client, "otto@x.example", "outsider-password-7", name="Otto Outsider")
    checked = 0
    for rule, methods in _routes(demo):
        if "slug" not in rule.arguments or rule.endpoint in ACCOUNT:
            continue
        for method in methods:
            response = _call(client, method, _url(rule))
            assert response.status_code in (403, 404), (rule.rule, method,
                                                         response.status_code)
            checked += 1
    assert checked > 40


def test_no_page_ever_answers_500_to_any_role(demo, login_as):
    clients = [demo.test_client(), login_as("buyer1@demo.example"),
               login_as("supplier1@demo.example"), login_as("organiser@demo.example")]
    for rule, methods in _routes(demo):
        for method in methods:
            for ident in (1, 999999):
                url = _url(rule, **{a: ident for a in rule.arguments})
                for client in clients:
                    response = _call(client, method, url)
                    assert response.status_code < 500, (rule.rule, method, ident,
                                                        response.status_code)
                    assert b"Traceback" not in response.data


def _other_supplier_listing(session, email: str) -> Listing:
    me = session.scalar(select(Participation).join(User).where(User.email == email))
    return session.scalar(select(Listing).where(Listing.participation_id != me.id,
                                                Listing.participation.has(
                                                    Participation.role == Role.SUPPLIER)))


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_a_supplier_cannot_touch_another_suppliers_listing(demo, login_as, action):
    with demo.app_context():
        listing = _other_supplier_listing(db.session, "supplier1@demo.example")
        listing_id, title = listing.id, listing.title
    client = login_as("supplier1@demo.example")
    url = f"/events/demo/listings/{listing_id}/{action}"
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, data={"title": "Hijacked", "product_group": 1}).status_code == 404
    with demo.app_context():
        assert db.session.get(Listing, listing_id).title == title


def test_nobody_answers_a_request_addressed_to_someone_else(demo, login_as):
    with demo.app_context():
        request = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.PENDING))
        outsider = db.session.scalar(select(User).join(Participation).where(
            Participation.role == Role.SUPPLIER,
            Participation.id.not_in([request.sender_id, request.recipient_id])))
        request_id, email = request.id, outsider.email
    client = login_as(email)
    for action in ("accept", "decline", "cancel"):
        response = client.post(f"/events/demo/requests/{request_id}/{action}", data={})
        assert response.status_code == 404, action
    with demo.app_context():
        assert db.session.get(MeetingRequest, request_id).status is RequestStatus.PENDING


HUGE_IDS = (2**63, 99999999999999999999999)


def test_ids_beyond_what_the_database_holds_are_404_on_every_route(demo, login_as):
    clients = [login_as("organiser@demo.example"), login_as("supplier1@demo.example")]
    checked = 0
    for rule, methods in _routes(demo):
        ids = [a for a in rule.arguments if _converter_name(rule, a) == "IdConverter"]
        if not ids:
            continue
        for method in methods:
            for huge in HUGE_IDS:
                url = _url(rule, **{a: huge for a in ids})
                for client in clients:
                    response = _call(client, method, url)
                    assert response.status_code == 404, (url, method, response.status_code)
                    checked += 1
    assert checked > 40
    assert demo.test_client().get("/events/demo/listings/99999999999999999999999") \
        .status_code in (302, 404)
    assert clients[1].get("/events/demo/listings/99999999999999999999999").status_code == 404


def _converter_name(rule, arg: str) -> str:
    return rule._converters[arg].__class__.__name__


def _form_fields(client, url: str) -> list[str]:
    import re
    page = client.get(url).data.decode(errors="replace")
    return sorted(set(re.findall(r'name="([A-Za-z_][\w-]*)"', page)) - {"csrf_token"})


@pytest.mark.slow
@pytest.mark.parametrize("email", ["organiser@demo.example", "supplier1@demo.example"])
def test_huge_numbers_in_every_form_field_and_query_argument_never_break_the_app(
        demo, login_as, email):
    client = login_as(email)
    posted = 0
    for rule, methods in _routes(demo):
        if rule.endpoint in ACCOUNT - {"profiles.account", "console.new_event"}:
            continue  # logging out or deleting the account ends the test's session
        url = _url(rule)
        fields = _form_fields(client, url) if "GET" in methods else []
        for huge in HUGE_IDS:
            for name in ("to", "slot", "page", "group", "strategy", "organisation"):
                response = client.get(f"{url}?{name}={huge}")
                assert response.status_code < 500, (url, name, response.status_code)
            if "POST" in methods:
                response = client.post(url, data={name: str(huge) for name in fields}
                                       or {"request_id": str(huge), "table_id": str(huge)})
                assert response.status_code < 500, (url, response.status_code)
                assert b"Traceback" not in response.data
                posted += 1
    assert posted > 20
def test_only_administrators_reach_the_admin_pages(demo, login_as):
    checked = 0
    for email in ("buyer1@demo.example", "organiser@demo.example"):
        client = login_as(email)
        for rule, methods in _routes(demo):
            if rule.endpoint not in ADMIN:
                continue
            for method in methods:
                response = _call(client, method, _url(rule))
                assert response.status_code == 403, (rule.rule, method, email)
                checked += 1
    assert checked >= 4
