"""Event setup in the organiser console: who gets in, and every bad input refused."""
from datetime import date, time

import pytest
from sqlalchemy import func, select

from matchmaker.demo import DEMO_DAY
from matchmaker.extensions import db
from matchmaker.models import (DialogueSession, Event, Meeting, MeetingBlock,
                               MeetingRequest, Participation, Phase, RequestStatus, Role, Slot,
                               Table, User)
from support import demo_event, place_meeting, user_by_email

CONSOLE = "/events/demo/console"


def grant_organiser(app, email: str) -> None:
    """Organiser rights, as an administrator grants them, for an account of the demo."""
    with app.app_context():
        user_by_email(email).can_organise = True
        db.session.commit()
# --- Authorization -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/event", "/blocks", "/tables", "/dialogues"])
def test_anonymous_visitor_is_sent_to_login(demo, client, path):
    response = client.get(CONSOLE + path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("email", ["buyer1@demo.example", "supplier1@demo.example",
                                   "facilitator1@demo.example"])
@pytest.mark.parametrize("path", ["/", "/event", "/blocks", "/tables", "/dialogues"])
def test_participants_who_are_not_organisers_get_403(demo, login_as, email, path):
    assert login_as(email).get(CONSOLE + path).status_code == 403


def test_non_organiser_cannot_post_a_block(demo, login_as):
    client = login_as("buyer1@demo.example")
    response = client.post(CONSOLE + "/blocks", data={
        "day": "2026-12-11", "start_time": "09:00", "end_time": "10:00",
        "meeting_minutes": 20, "break_minutes": 5})
    assert response.status_code == 403
    with demo.app_context():
        assert len(demo_event().blocks) == 2


def test_organiser_of_another_event_gets_403(demo, login_as):
    grant_organiser(demo, "buyer1@demo.example")
    client = login_as("buyer1@demo.example")
    client.post("/console/events/new", data={"name": "Other", "slug": "other",
                                             "timezone": "Europe/Brussels"})
    assert client.get("/events/other/console/").status_code == 200
    assert client.get(CONSOLE + "/").status_code == 403


def test_unknown_event_console_is_404(demo, login_as):
    assert login_as("organiser@demo.example").get("/events/nope/console/").status_code == 404


@pytest.mark.parametrize("path", ["/", "/event", "/blocks", "/tables", "/dialogues"])
def test_organiser_sees_every_console_page(demo, login_as, path):
    response = login_as("organiser@demo.example").get(CONSOLE + path)
    assert response.status_code == 200
    assert b"Organiser console" in response.data or b"<h1>" in response.data


# --- Creating and editing the event ------------------------------------------------------

def test_user_granted_organiser_rights_creates_event_and_becomes_its_organiser(demo, login_as):
    grant_organiser(demo, "supplier2@demo.example")
    client = login_as("supplier2@demo.example")
    response = client.post("/console/events/new", data={
        "name": "Circular Days 2027", "slug": "circular-days-2027",
        "timezone": "Europe/Amsterdam", "venue": "Ghent", "description": "Spring edition"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/circular-days-2027/console/")
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "circular-days-2027"))
        assert event.phase is Phase.DRAFT and event.timezone == "Europe/Amsterdam"
        me = user_by_email("supplier2@demo.example")
        part = db.session.scalar(select(Participation).where(
            Participation.event_id == event.id, Participation.user_id == me.id))
        assert part.role is Role.ORGANISER


def test_anonymous_cannot_create_event(demo, client):
    response = client.get("/console/events/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_event_creation_needs_organiser_rights_unless_open(demo, login_as):
    client = login_as("buyer1@demo.example")
    assert client.get("/console/events/new").status_code == 403
    demo.config["OPEN_EVENT_CREATION"] = True
    assert client.get("/console/events/new").status_code == 200


@pytest.mark.parametrize("slug", ["Upper-Case", "with space", "trailing-", "-lead", "a--b",
                                  "ümlaut", "demo"])
def test_bad_or_taken_slug_is_refused_with_message(demo, login_as, slug):
    grant_organiser(demo, "buyer1@demo.example")
    client = login_as("buyer1@demo.example")
    response = client.post("/console/events/new", data={
        "name": "X", "slug": slug, "timezone": "Europe/Brussels"})
    assert response.status_code == 400
    assert b"aria-invalid" in response.data
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 1


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "CET+5", "../etc/passwd", ""])
def test_bad_time_zone_is_refused(demo, login_as, zone):
    grant_organiser(demo, "buyer1@demo.example")
    client = login_as("buyer1@demo.example")
    response = client.post("/console/events/new", data={
        "name": "X", "slug": "x-event", "timezone": zone})
    assert response.status_code == 400
    with demo.app_context():
        assert db.session.scalar(select(Event).where(Event.slug == "x-event")) is None


def test_organiser_edits_details_and_slug(demo, login_as):
    client = login_as("organiser@demo.example")
    response = client.post(CONSOLE + "/event", data={
        "name": "Renamed", "slug": "renamed-days", "timezone": "Europe/Brussels",
        "venue": "Antwerp", "description": ""})
    assert response.status_code == 302
    assert client.get("/events/renamed-days/console/event").status_code == 200


def test_time_zone_cannot_change_once_slots_exist(demo, login_as):
    client = login_as("organiser@demo.example")
    response = client.post(CONSOLE + "/event", data={
        "name": "Demo", "slug": "demo", "timezone": "Europe/London"})
    assert response.status_code == 400
    assert b"cannot change" in response.data
    with demo.app_context():
        assert demo_event().timezone == "Europe/Brussels"


def test_booking_rules_saved_and_bad_values_refused(demo, login_as):
    client = login_as("organiser@demo.example")
    ok = client.post(CONSOLE + "/rules", data={"max_open_requests": 5,
                                               "default_max_meetings": 8,
                                               "request_expiry_days": ""})
    assert ok.status_code == 302
    bad = client.post(CONSOLE + "/rules", data={"max_open_requests": -1,
                                                "default_max_meetings": "x",
                                                "request_expiry_days": 0})
    assert bad.status_code == 400
    with demo.app_context():
        event = demo_event()
        assert (event.max_open_requests, event.default_max_meetings,
                event.request_expiry_days) == (5, 8, None)


def test_product_groups_checkboxes_set_the_groups_in_use(demo, login_as):
    client = login_as("organiser@demo.example")
    with demo.app_context():
        first_two = [g.id for g in demo_event().product_groups[:2]]
    response = client.post(CONSOLE + "/product-groups", data={"groups": first_two})
    assert response.status_code == 302
    with demo.app_context():
        assert [g.id for g in demo_event().product_groups] == first_two
    bad = client.post(CONSOLE + "/product-groups", data={"groups": ["99999"]})
    assert bad.status_code == 400


def test_close_and_reopen_booking_never_returns_to_draft(demo, login_as):
    client = login_as("organiser@demo.example")
    client.post(CONSOLE + "/phase", data={"move": "close"})
    with demo.app_context():
        assert demo_event().phase is Phase.BOOKING_CLOSED
    client.post(CONSOLE + "/phase", data={"move": "reopen"})
    with demo.app_context():
        assert demo_event().phase is Phase.BOOKING_OPEN
    page = client.post(CONSOLE + "/phase", data={"move": "open"}, follow_redirects=True)
    assert b"is not possible while the event is" in page.data


def test_booking_cannot_open_without_slots(demo, login_as):
    grant_organiser(demo, "buyer1@demo.example")
    client = login_as("buyer1@demo.example")
    client.post("/console/events/new", data={"name": "Empty", "slug": "empty",
                                             "timezone": "Europe/Brussels"})
    page = client.post("/events/empty/console/phase", data={"move": "open"},
                       follow_redirects=True)
    assert b"Add at least one meeting block" in page.data


# --- Meeting blocks ----------------------------------------------------------------------

def block_data(**overrides):
    data = {"name": "Extra", "day": "2026-12-11", "start_time": "09:00", "end_time": "10:00",
            "meeting_minutes": 20, "break_minutes": 5}
    data.update(overrides)
    return data


def test_block_generates_slots_in_utc(demo, login_as):
    client = login_as("organiser@demo.example")
    assert client.post(CONSOLE + "/blocks", data=block_data()).status_code == 302
    with demo.app_context():
        block = db.session.scalar(select(MeetingBlock).where(MeetingBlock.name == "Extra"))
        assert len(block.slots) == 2  # 09:00-09:20, 09:25-09:45
        assert block.slots[0].starts_at.hour == 8  # Brussels is UTC+1 in December


def test_overlapping_block_is_refused(demo, login_as):
    client = login_as("organiser@demo.example")
    # The demo has 10:30-12:30 on its day.
    response = client.post(CONSOLE + "/blocks", data=block_data(
        day=DEMO_DAY.isoformat(), start_time="12:00", end_time="13:00"))
    assert response.status_code == 400
    assert b"overlaps" in response.data
    with demo.app_context():
        assert len(demo_event().blocks) == 2


@pytest.mark.parametrize("overrides,message", [
    ({"end_time": "08:00"}, b"end after it starts"),
    ({"end_time": "09:10", "meeting_minutes": 20}, b"No meeting fits"),
    ({"meeting_minutes": 0}, b"Number must be between"),
    ({"day": "not-a-date"}, b"Not a valid date"),
    ({"start_time": ""}, b"Give the start time"),
])
def test_bad_block_input_is_reshown_with_message(demo, login_as, overrides, message):
    client = login_as("organiser@demo.example")
    response = client.post(CONSOLE + "/blocks", data=block_data(**overrides))
    assert response.status_code == 400
    assert message in response.data
    with demo.app_context():
        assert len(demo_event().blocks) == 2


def test_block_with_meetings_cannot_be_deleted(demo, login_as):
    with demo.app_context():
        event = demo_event()
        block = event.blocks[0]
        req = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED))
        slot, table = block.slots[0], event.tables[0]
        place_meeting(req, slot, table)
        db.session.commit()
        block_id, other_id = block.id, event.blocks[1].id
    client = login_as("organiser@demo.example")
    page = client.post(f"{CONSOLE}/blocks/{block_id}/delete", follow_redirects=True)
    assert b"meeting(s) are scheduled in this block" in page.data
    assert client.post(f"{CONSOLE}/blocks/{other_id}/delete").status_code == 302
    with demo.app_context():
        assert db.session.get(MeetingBlock, block_id) is not None
        assert db.session.get(MeetingBlock, other_id) is None
        assert db.session.scalar(select(func.count()).select_from(Slot).where(
            Slot.block_id == other_id)) == 0


def test_block_of_another_event_is_404(demo, login_as):
    grant_organiser(demo, "buyer1@demo.example")
    client = login_as("buyer1@demo.example")
    client.post("/console/events/new", data={"name": "Other", "slug": "other",
                                             "timezone": "Europe/Brussels"})
    with demo.app_context():
        block_id = demo_event().blocks[0].id
    assert client.post(f"/events/other/console/blocks/{block_id}/delete").status_code == 404


# --- Tables and stands -------------------------------------------------------------------

def test_tables_added_in_bulk_with_zone_and_spare_flag(demo, login_as):
    client = login_as("organiser@demo.example")
    response = client.post(CONSOLE + "/tables", data={"count": 3, "first_number": 101,
                                                      "zone": "Textile", "spare": "y"})
    assert response.status_code == 302
    with demo.app_context():
        made = db.session.scalars(select(Table).where(Table.number >= 101)).all()
        assert [t.number for t in made] == [101, 102, 103]
        assert all(t.spare and t.zone == "Textile" for t in made)


@pytest.mark.parametrize("data,message", [
    ({"count": 0}, b"Number must be between"),
    ({"count": 2, "first_number": 1}, b"exists already"),
    ({"count": "many"}, b"Not a valid integer"),
])
def test_bad_table_batch_is_refused(demo, login_as, data, message):
    client = login_as("organiser@demo.example")
    with demo.app_context():
        before = len(demo_event().tables)
    response = client.post(CONSOLE + "/tables", data=data)
    assert response.status_code == 400
    assert message in response.data
    with demo.app_context():
        assert len(demo_event().tables) == before


def test_table_becomes_a_suppliers_stand_and_buyers_are_refused(demo, login_as):
    client = login_as("organiser@demo.example")
    with demo.app_context():
        event = demo_event()
        table = next(t for t in event.tables if t.owner_id is None)
        supplier = next(p for p in db.session.scalars(select(Participation).where(
            Participation.event_id == event.id, Participation.role == Role.SUPPLIER))
            if db.session.scalar(select(Table).where(Table.owner_id == p.id)) is None)
        buyer = db.session.scalar(select(Participation).where(
            Participation.event_id == event.id, Participation.role == Role.BUYER))
        table_id, supplier_id, buyer_id = table.id, supplier.id, buyer.id
    ok = client.post(f"{CONSOLE}/tables/{table_id}/stand", data={f"t{table_id}-owner": supplier_id})
    assert ok.status_code == 302
    bad = client.post(f"{CONSOLE}/tables/{table_id}/stand", data={f"t{table_id}-owner": buyer_id})
    assert bad.status_code == 400
    with demo.app_context():
        assert db.session.get(Table, table_id).owner_id == supplier_id


# --- Market dialogues --------------------------------------------------------------------

def test_dialogue_session_and_table_with_moderator(demo, login_as):
    client = login_as("organiser@demo.example")
    with demo.app_context():
        event = demo_event()
        group_id = event.product_groups[0].id
        moderator = db.session.scalar(select(Participation).where(
            Participation.event_id == event.id, Participation.role == Role.FACILITATOR))
        buyer = db.session.scalar(select(Participation).where(
            Participation.event_id == event.id, Participation.role == Role.BUYER))
        moderator_id, buyer_id = moderator.id, buyer.id
        before = db.session.scalar(select(func.count()).select_from(DialogueSession))
    response = client.post(CONSOLE + "/dialogues", data={
        "product_group": group_id, "name": "Textile round two", "day": DEMO_DAY.isoformat(),
        "start_time": "16:00", "end_time": "16:45"})
    assert response.status_code == 302
    with demo.app_context():
        dialogue = db.session.scalar(select(DialogueSession).where(
            DialogueSession.name == "Textile round two"))
        sid = dialogue.id
    prefix = f"s{sid}-"
    bad = client.post(f"{CONSOLE}/dialogues/{sid}/tables", data={
        prefix + "label": "T-1", prefix + "buyer_seats": 6, prefix + "supplier_seats": 6,
        prefix + "moderator": buyer_id})
    assert bad.status_code == 400
    ok = client.post(f"{CONSOLE}/dialogues/{sid}/tables", data={
        prefix + "label": "T-1", prefix + "buyer_seats": 5, prefix + "supplier_seats": 7,
        prefix + "moderator": moderator_id})
    assert ok.status_code == 302
    with demo.app_context():
        dialogue = db.session.get(DialogueSession, sid)
        assert [(t.label, t.buyer_seats, t.supplier_seats, t.moderator_id)
                for t in dialogue.tables] == [("T-1", 5, 7, moderator_id)]
        assert db.session.scalar(select(func.count()).select_from(DialogueSession)) == before + 1


def test_dialogue_session_ending_before_it_starts_is_refused(demo, login_as):
    client = login_as("organiser@demo.example")
    with demo.app_context():
        group_id = demo_event().product_groups[0].id
        before = db.session.scalar(select(func.count()).select_from(DialogueSession))
    response = client.post(CONSOLE + "/dialogues", data={
        "product_group": group_id, "day": DEMO_DAY.isoformat(), "start_time": "16:00",
        "end_time": "16:00"})
    assert response.status_code == 400
    assert b"must end after it starts" in response.data
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(DialogueSession)) == before


def test_services_refuse_overlap_directly(session):
    from matchmaker.domain import DomainError
    from matchmaker.console import setup
    user = User(email="o@x.example", name="O", password_hash="!")
    session.add(user)
    event = setup.create_event(session, creator=user, name="E", slug="e",
                               timezone="Europe/Brussels")
    setup.add_meeting_block(session, event, day=date(2027, 1, 5), start=time(9), end=time(10))
    with pytest.raises(DomainError):
        setup.add_meeting_block(session, event, day=date(2027, 1, 5), start=time(9, 30),
                                end=time(11))
    # Touching blocks are fine: a lunch is the gap between two blocks.
    setup.add_meeting_block(session, event, day=date(2027, 1, 5), start=time(10), end=time(11))


def test_console_forms_carry_and_require_a_csrf_token(demo, login_as):
    import re
    client = login_as("organiser@demo.example")
    demo.config["WTF_CSRF_ENABLED"] = True
    page = client.get(CONSOLE + "/blocks").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post(CONSOLE + "/blocks", data=block_data())
    assert refused.status_code == 400
    accepted = client.post(CONSOLE + "/blocks", data={**block_data(), "csrf_token": token})
    assert accepted.status_code == 302
    home = client.get(CONSOLE + "/").data.decode()
    assert 'name="csrf_token"' in home  # the open/close booking button
    assert client.post(CONSOLE + "/phase", data={"move": "close"}).status_code == 400


def test_dialogue_session_with_seated_people_is_not_deleted(demo, login_as):
    from matchmaker.models import DialogueSeat, Side
    with demo.app_context():
        event = demo_event()
        dialogue = db.session.scalar(select(DialogueSession).where(
            DialogueSession.event_id == event.id))
        table = dialogue.tables[0]
        buyer = db.session.scalar(select(Participation).where(
            Participation.event_id == event.id, Participation.role == Role.BUYER))
        db.session.add(DialogueSeat(table_id=table.id, session_id=dialogue.id,
                                    participation_id=buyer.id, side=Side.BUYER))
        db.session.commit()
        sid = dialogue.id
    client = login_as("organiser@demo.example")
    page = client.post(f"{CONSOLE}/dialogues/{sid}/delete", follow_redirects=True)
    assert b"People are seated" in page.data
    with demo.app_context():
        assert db.session.get(DialogueSession, sid) is not None


def test_free_table_is_deleted_but_one_with_meetings_is_kept(demo, login_as):
    with demo.app_context():
        event = demo_event()
        req = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED))
        busy, free = event.tables[0], event.tables[1]
        db.session.add(Meeting(event_id=event.id, request=req, slot=event.slots[0], table=busy))
        db.session.commit()
        busy_id, free_id = busy.id, free.id
    client = login_as("organiser@demo.example")
    page = client.post(f"{CONSOLE}/tables/{busy_id}/delete", follow_redirects=True)
    assert b"has meetings; it cannot be deleted" in page.data
    assert client.post(f"{CONSOLE}/tables/{free_id}/delete").status_code == 302
    with demo.app_context():
        assert db.session.get(Table, busy_id) is not None
        assert db.session.get(Table, free_id) is None


@pytest.mark.parametrize("path", ["/onsite?slot=abc", "/onsite?slot=-1", "/attendees?q=%00",
                                  "/checkin?q=" + "x" * 300])
def test_odd_query_strings_never_give_a_500(demo, login_as, path):
    assert login_as("organiser@demo.example").get(CONSOLE + path).status_code in (200, 404)
