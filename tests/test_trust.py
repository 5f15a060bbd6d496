"""Trust between events: who may organise, what an import reveals, joining on the
organiser's terms, and contact details only for people one meets. The abuse cases are
those tried against open sign-up: a self-registered account creating an event, importing
other people's addresses, and joining an event to collect its address book."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from matchmaker.cli import cli
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import (Event, JoinPolicy, MeetingRequest, Participation,
                               PendingParticipation, Phase, ProductGroup, RequestStatus, Role)

import support
from support import csrf_token_from, login, user_by_email

PASSWORD = "a-long-test-password"


def register(app, email: str, name: str = "Mallory Maker"):
    client = app.test_client()
    support.register(client, email, PASSWORD, name=name)
    return client


def new_event(client, slug: str = "trap", name: str = "Trap"):
    return client.post("/console/events/new", data={"name": name, "slug": slug,
                                                    "timezone": "Europe/Brussels"})


def join_data(app, **changes):
    with app.app_context():
        groups = [db.session.scalar(select(ProductGroup.id).where(ProductGroup.code == c))
                  for c in ("furniture",)]
    data = {"organisation": "Curious Co", "role": "supplier", "product_groups": groups,
            "pitch": "Looking around", "phone": "+32 470 00 00 00"}
    data.update(changes)
    return data


# --- 1. Organiser rights are granted, not taken -------------------------------------------

def test_self_registered_account_cannot_create_an_event(demo):
    mallory = register(demo, "mallory@x.example")
    assert mallory.get("/console/events/new").status_code == 403
    assert new_event(mallory).status_code == 403
    assert b"New event" not in mallory.get("/account").data
    with demo.app_context():
        assert db.session.scalar(select(Event).where(Event.slug == "trap")) is None


def test_administrator_grants_organiser_rights_then_creation_works(demo, login_as):
    mallory = register(demo, "maker@x.example", name="Mia Maker")
    with demo.app_context():
        user_by_email("organiser@demo.example").is_admin = True
        db.session.commit()
        maker_id = user_by_email("maker@x.example").id
    admin = login_as("organiser@demo.example")
    demo.config["WTF_CSRF_ENABLED"] = True
    page = admin.get("/admin/accounts?q=maker@x")
    assert page.status_code == 200 and b"Mia Maker" in page.data
    # CSRF is checked on the grant
    assert admin.post(f"/admin/accounts/{maker_id}/grant", data={}).status_code == 400
    token = csrf_token_from(page.data)
    assert admin.post(f"/admin/accounts/{maker_id}/grant",
                      data={"csrf_token": token}).status_code == 302
    demo.config["WTF_CSRF_ENABLED"] = False
    assert new_event(mallory).status_code == 302
    assert admin.post(f"/admin/accounts/{maker_id}/revoke",
                      data={"csrf_token": token}).status_code == 302
    assert mallory.get("/console/events/new").status_code == 403


def test_admin_page_is_for_administrators_only(demo, login_as):
    organiser = login_as("organiser@demo.example")
    assert organiser.get("/admin/accounts").status_code == 403
    assert organiser.post("/admin/accounts/1/grant").status_code == 403
    anonymous = demo.test_client().get("/admin/accounts")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_admin_emails_setting_makes_an_administrator(demo, login_as):
    demo.config["ADMIN_EMAILS"] = "Someone@else.example, buyer1@demo.example"
    assert login_as("buyer1@demo.example").get("/admin/accounts").status_code == 200
    assert login_as("buyer2@demo.example").get("/admin/accounts").status_code == 403


def test_open_event_creation_setting_lets_any_account_create(demo):
    demo.config["OPEN_EVENT_CREATION"] = True
    assert new_event(register(demo, "open@x.example")).status_code == 302


def test_cli_creates_an_administrator_and_grants_organiser_rights(demo):
    runner = demo.test_cli_runner()
    made = runner.invoke(cli, ["admin", "create", "root@x.example", "--name", "Root",
                               "--password", PASSWORD])
    assert made.exit_code == 0, made.output
    granted = runner.invoke(cli, ["admin", "grant-organiser", "buyer1@demo.example"])
    assert granted.exit_code == 0 and "may create events" in granted.output
    unknown = runner.invoke(cli, ["admin", "grant-organiser", "nobody@x.example"])
    assert unknown.exit_code != 0 and "No account" in unknown.output
    assert "Traceback" not in unknown.output
    short = runner.invoke(cli, ["admin", "create", "r2@x.example", "--password", "short"])
    assert short.exit_code != 0 and "at least" in short.output
    with demo.app_context():
        assert user_by_email("root@x.example").is_admin
        assert user_by_email("buyer1@demo.example").can_organise
        assert user_by_email("r2@x.example") is None
    assert login(demo.test_client(), "root@x.example", PASSWORD).status_code == 302


def test_draft_events_are_hidden_from_home_page_and_non_organisers(demo, login_as):
    organiser = login_as("organiser@demo.example")
    assert new_event(organiser, "secret-draft", "Free iPads, log in here").status_code == 302
    home = demo.test_client().get("/")
    assert b"Free iPads" not in home.data
    assert demo.test_client().get("/events/secret-draft").status_code == 404
    buyer = login_as("buyer1@demo.example")
    assert buyer.get("/events/secret-draft").status_code == 404
    assert buyer.get("/events/secret-draft/join").status_code == 404
    assert b"Free iPads" not in buyer.get("/").data
    assert organiser.get("/events/secret-draft").status_code == 200


# --- 2. Imports invite, never enrol ------------------------------------------------------

CSV = ("name,email,organisation,role,language\n"
       "Probe One,buyer1@demo.example,Probe Org,buyer,fr\n"
       "Probe Two,nobody-here@x.example,Probe Org,buyer,fr\n")


def test_import_of_existing_addresses_reveals_nothing_and_enrols_nobody(demo, login_as):
    with demo.app_context():
        victim = user_by_email("buyer1@demo.example")
        victim.language = "nl"
        db.session.commit()
        real_name = victim.name
    organiser = login_as("organiser@demo.example")
    new_event(organiser, "probe", "Probe")
    preview = organiser.post("/events/probe/console/attendees/import", data={
        "file": (io.BytesIO(CSV.encode()), "a.csv"), "invite": "y"},
        content_type="multipart/form-data")
    assert preview.status_code == 200
    rows = re.findall(rb"<tr>.*?</tr>", preview.data, re.S)[1:]
    # both rows read the same apart from what the file itself said
    own_data = rb"<td>\d+</td>|Probe (One|Two)|buyer1@demo\.example|nobody-here@x\.example"
    assert len(rows) == 2
    assert re.sub(own_data, b"", rows[0]) == re.sub(own_data, b"", rows[1])
    assert b"existing account" not in preview.data
    assert b"new account, invited" not in preview.data
    done = organiser.post("/events/probe/console/attendees/import/confirm",
                          data={"csv_text": CSV, "invite": "y"}, follow_redirects=True)
    assert b"2 attendee(s) imported" in done.data and b"new account" not in done.data
    listing = organiser.get("/events/probe/console/attendees").data.decode()
    assert "Probe One" in listing and real_name not in listing
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "probe"))
        assert db.session.scalar(select(Participation).where(
            Participation.event_id == event.id, Participation.user_id == victim.id)) is None
        assert sorted(m.to for m in outbox()) == ["buyer1@demo.example",
                                                 "nobody-here@x.example"]
    export = organiser.get("/events/probe/console/attendees/export.csv").data.decode()
    assert "Probe One" in export and real_name not in export
    # the market place of the event does not know the invited person
    with demo.app_context():
        event.phase = Phase.BOOKING_OPEN
        db.session.commit()
    victim_client = login_as("buyer1@demo.example")
    assert victim_client.get("/events/probe/me").status_code == 403
    invitation = victim_client.get("/events/probe/invitation")
    assert invitation.status_code == 200 and b"/events/probe/invitation/accept" in invitation.data
    assert b'href="/events/probe/invitation"' in victim_client.get("/my-events").data


def invite_to_probe(login_as) -> None:
    """The organiser makes an event "probe" and imports CSV's people into it, no mail sent."""
    organiser = login_as("organiser@demo.example")
    new_event(organiser, "probe", "Probe")
    organiser.post("/events/probe/console/attendees/import/confirm",
                   data={"csv_text": CSV, "invite": ""})


def test_invited_person_may_decline_and_stays_out(demo, login_as):
    invite_to_probe(login_as)
    victim = login_as("buyer1@demo.example")
    assert victim.post("/events/probe/invitation/decline").status_code == 302
    with demo.app_context():
        assert db.session.scalar(select(PendingParticipation)) is None or all(
            p.email != "buyer1@demo.example" for p in db.session.scalars(
                select(PendingParticipation)))
        assert len(user_by_email("buyer1@demo.example").participations) == 1
    assert victim.post("/events/probe/invitation/accept").status_code == 404


def test_nobody_else_can_answer_an_invitation(demo, login_as):
    invite_to_probe(login_as)
    other = login_as("buyer2@demo.example")
    assert other.get("/events/probe/invitation").status_code == 404
    assert other.post("/events/probe/invitation/accept").status_code == 404


# --- 3. Joining on the organiser's terms ---------------------------------------------------

def _set_policy(app, **values):
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        for key, value in values.items():
            setattr(event, key, value)
        db.session.commit()


def test_newcomer_who_joins_sees_no_contact_details_in_bulk(demo):
    newcomer = register(demo, "collector@x.example")
    assert newcomer.post("/events/demo/join", data=join_data(demo)).status_code == 302
    with demo.app_context():
        people = list(db.session.scalars(select(Participation).join(Event).where(
            Event.slug == "demo", Participation.share_contact.is_(True))))
        targets = [(p.id, p.user.email, p.user.phone) for p in people]
    assert len(targets) > 5
    for pid, email, phone in targets:
        page = newcomer.get(f"/events/demo/people/{pid}").data.decode()
        assert email not in page and phone not in page


def test_contact_details_after_an_accepted_request_or_for_organisers(demo, login_as):
    with demo.app_context():
        request = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.ACCEPTED))
        sender, recipient = request.sender, request.recipient
        recipient.share_contact = True
        db.session.commit()
        sender_email, recipient_id, email = sender.user.email, recipient.id, recipient.user.email
    assert email in login_as(sender_email).get(
        f"/events/demo/people/{recipient_id}").data.decode()
    assert email in login_as("organiser@demo.example").get(
        f"/events/demo/people/{recipient_id}").data.decode()


def test_organiser_can_widen_contact_details_to_all_participants(demo, login_as):
    organiser = login_as("organiser@demo.example")
    assert organiser.get("/events/demo/console/event").status_code == 200
    response = organiser.post("/events/demo/console/access", data={
        "join_policy": "open", "join_code": "",
        "contact_visibility": "participants"})
    assert response.status_code == 302
    newcomer = register(demo, "wide@x.example")
    newcomer.post("/events/demo/join", data=join_data(demo))
    with demo.app_context():
        person = db.session.scalar(select(Participation).join(Event).where(
            Event.slug == "demo", Participation.share_contact.is_(True),
            Participation.role == Role.BUYER))
        pid, email = person.id, person.user.email
    assert email in newcomer.get(f"/events/demo/people/{pid}").data.decode()


def test_joining_by_code_needs_the_code(demo):
    _set_policy(demo, join_policy=JoinPolicy.CODE, join_code="green-deal-42")
    newcomer = register(demo, "coder@x.example")
    wrong = newcomer.post("/events/demo/join", data=join_data(demo, join_code="guess"))
    assert wrong.status_code == 400 and b"not the invitation code" in wrong.data
    missing = newcomer.post("/events/demo/join", data=join_data(demo))
    assert missing.status_code == 400
    with demo.app_context():
        assert user_by_email("coder@x.example").participations == []
    right = newcomer.post("/events/demo/join", data=join_data(demo, join_code="green-deal-42"))
    assert right.status_code == 302
    with demo.app_context():
        assert len(user_by_email("coder@x.example").participations) == 1


def test_joining_by_approval_waits_for_an_organiser(demo, login_as):
    _set_policy(demo, join_policy=JoinPolicy.APPROVAL)
    newcomer = register(demo, "asker@x.example", name="Asha Asker")
    assert newcomer.post("/events/demo/join", data=join_data(demo)).status_code == 302
    assert newcomer.get("/events/demo/market").status_code == 403
    again = newcomer.get("/events/demo/join")
    assert again.status_code == 302
    organiser = login_as("organiser@demo.example")
    demo.config["WTF_CSRF_ENABLED"] = True
    page = organiser.get("/events/demo/console/attendees")
    assert b"Asha Asker" in page.data and b"request to join" in page.data
    with demo.app_context():
        pending_id = db.session.scalar(select(PendingParticipation.id))
    assert organiser.post(f"/events/demo/console/attendees/pending/{pending_id}/approve",
                          data={}).status_code == 400  # CSRF
    approved = organiser.post(f"/events/demo/console/attendees/pending/{pending_id}/approve",
                              data={"csrf_token": csrf_token_from(page.data)})
    assert approved.status_code == 302
    demo.config["WTF_CSRF_ENABLED"] = False
    with demo.app_context():
        part = user_by_email("asker@x.example").participations[0]
        assert part.role is Role.SUPPLIER and part.organisation.name == "Curious Co"
    assert newcomer.get("/events/demo/market").status_code == 200


def test_refused_request_leaves_the_person_out(demo, login_as):
    _set_policy(demo, join_policy=JoinPolicy.APPROVAL)
    newcomer = register(demo, "refused@x.example")
    newcomer.post("/events/demo/join", data=join_data(demo))
    organiser = login_as("organiser@demo.example")
    with demo.app_context():
        pending_id = db.session.scalar(select(PendingParticipation.id))
    assert organiser.post(f"/events/demo/console/attendees/pending/{pending_id}/refuse",
                          data={}).status_code == 302
    with demo.app_context():
        assert user_by_email("refused@x.example").participations == []
        assert db.session.scalar(select(PendingParticipation)) is None


def test_bad_access_settings_are_refused_with_the_form(demo, login_as):
    organiser = login_as("organiser@demo.example")
    bad = organiser.post("/events/demo/console/access", data={
        "join_policy": "everyone", "contact_visibility": "contacts"})
    assert bad.status_code == 400
    short = organiser.post("/events/demo/console/access", data={
        "join_policy": "code", "join_code": "ab",
        "contact_visibility": "contacts"})
    assert short.status_code == 400 and b"At least 4 characters" in short.data
    made = organiser.post("/events/demo/console/access", data={
        "join_policy": "code", "join_code": "",
        "contact_visibility": "contacts"})
    assert made.status_code == 302
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        assert event.join_policy is JoinPolicy.CODE and len(event.join_code) >= 4
