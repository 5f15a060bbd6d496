"""On the day: check-in, meeting status, standby fill (clashes refused), feedback."""
import json

import pytest
from sqlalchemy import func, select

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.models import (Absence, Meeting, MeetingFeedback,
                               MeetingRequest, MeetingStatus, Participation, RequestStatus,
                               RunKind, RunStatus, SolveRun)
from support import demo_event, place_meeting, user_by_email

CONSOLE = "/events/demo/console"


def accepted_requests(event):
    return list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED)
        .order_by(MeetingRequest.id)))


def clear_absences(*participations):
    for p in participations:
        db.session.query(Absence).filter(Absence.participation_id == p.id).delete()


@pytest.fixture
def day(demo):
    """A meeting in the first slot and a standby pair (accepted, unscheduled, checked in)."""
    with demo.app_context():
        event = demo_event()
        requests = accepted_requests(event)
        first = requests[0]
        pair = {first.sender_id, first.recipient_id}
        standby = next(r for r in requests[1:]
                       if not {r.sender_id, r.recipient_id} & pair)
        slot = event.slots[0]
        table = next(t for t in event.tables if t.owner_id is None and not t.spare)
        meeting = place_meeting(first, slot, table)
        now = utcnow()
        for p in (first.sender, first.recipient, standby.sender, standby.recipient):
            p.checked_in_at = now
        clear_absences(first.sender, first.recipient, standby.sender, standby.recipient)
        db.session.commit()
        ids = {"meeting": meeting.id, "slot": slot.id, "table": table.id,
               "standby": standby.id, "first": first.id,
               "sender_email": first.sender.user.email,
               "recipient_email": first.recipient.user.email,
               "standby_sender": standby.sender_id, "standby_recipient": standby.recipient_id}
    return ids


@pytest.fixture
def organiser(demo, login_as):
    return login_as("organiser@demo.example")


# --- Check-in ------------------------------------------------------------------------------

def test_checkin_search_and_mark_checked_in_then_undo(demo, organiser):
    page = organiser.get(CONSOLE + "/checkin?q=buyer1@demo")
    assert page.status_code == 200 and b"Check in" in page.data
    with demo.app_context():
        pid = user_by_email("buyer1@demo.example").participations[0].id
    assert organiser.post(f"{CONSOLE}/checkin/{pid}", data={"q": "buyer1"}).status_code == 302
    with demo.app_context():
        assert db.session.get(Participation, pid).checked_in_at is not None
    organiser.post(f"{CONSOLE}/checkin/{pid}", data={"undo": "1"})
    with demo.app_context():
        assert db.session.get(Participation, pid).checked_in_at is None


def test_checkin_is_for_organisers_only(demo, login_as, client):
    with demo.app_context():
        pid = user_by_email("buyer1@demo.example").participations[0].id
    buyer = login_as("buyer1@demo.example")
    assert buyer.get(CONSOLE + "/checkin").status_code == 403
    assert buyer.post(f"{CONSOLE}/checkin/{pid}").status_code == 403
    assert client.get(CONSOLE + "/onsite").status_code == 302
    with demo.app_context():
        assert db.session.get(Participation, pid).checked_in_at is None


# --- Meeting status ------------------------------------------------------------------------

def post_status(client, meeting_id, status):
    return client.post(f"{CONSOLE}/onsite/meetings/{meeting_id}/status",
                       data={f"m{meeting_id}-status": status})


def test_meeting_marked_held(demo, organiser, day):
    assert organiser.get(f"{CONSOLE}/onsite?slot={day['slot']}").status_code == 200
    assert post_status(organiser, day["meeting"], "held").status_code == 302
    with demo.app_context():
        assert db.session.get(Meeting, day["meeting"]).status is MeetingStatus.HELD


def test_no_show_releases_both_participants_for_the_slot(demo, organiser, day):
    assert post_status(organiser, day["meeting"], "no_show").status_code == 302
    with demo.app_context():
        meeting = db.session.get(Meeting, day["meeting"])
        assert meeting.status is MeetingStatus.NO_SHOW and meeting.bookings == []


def test_cancelled_meeting_frees_slot_and_cancels_request(demo, organiser, day):
    assert post_status(organiser, day["meeting"], "cancelled").status_code == 302
    with demo.app_context():
        assert db.session.get(Meeting, day["meeting"]) is None
        assert db.session.get(MeetingRequest, day["first"]).status is RequestStatus.CANCELLED


def test_bad_status_is_refused_without_500(demo, organiser, day):
    response = post_status(organiser, day["meeting"], "exploded")
    assert response.status_code == 400
    with demo.app_context():
        assert db.session.get(Meeting, day["meeting"]).status is MeetingStatus.SCHEDULED


def test_meeting_of_another_event_is_404(demo, organiser, day):
    organiser.post("/console/events/new", data={"name": "Other", "slug": "other",
                                                "timezone": "Europe/Brussels"})
    response = organiser.post(f"/events/other/console/onsite/meetings/{day['meeting']}/status",
                              data={f"m{day['meeting']}-status": "held"})
    assert response.status_code == 404


# --- Standby fill --------------------------------------------------------------------------

def fill(client, day, request_id=None, table_id=None):
    return client.post(f"{CONSOLE}/onsite/slots/{day['slot']}/fill", data={
        "request_id": request_id or day["standby"], "table_id": table_id or day["table"]})


def test_standby_proposal_after_cancellation_is_booked(demo, organiser, day):
    post_status(organiser, day["meeting"], "cancelled")
    page = organiser.get(f"{CONSOLE}/onsite?slot={day['slot']}")
    assert b"Book at table" in page.data
    response = fill(organiser, day)
    assert response.status_code == 302
    with demo.app_context():
        meeting = db.session.scalar(select(Meeting).where(
            Meeting.request_id == day["standby"]))
        assert meeting.slot_id == day["slot"] and meeting.table_id == day["table"]
        assert {b.participation_id for b in meeting.bookings} == {
            day["standby_sender"], day["standby_recipient"]}


def test_standby_fill_refuses_a_table_clash(demo, organiser, day):
    # The table still holds the scheduled meeting: the unique (slot, table) refuses it.
    with demo.app_context():
        before = db.session.scalar(select(func.count()).select_from(Meeting))
    response = fill(organiser, day)
    assert response.status_code == 400
    assert b"was booked in this slot meanwhile" in response.data
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == before


def test_standby_fill_refuses_a_participant_clash(demo, organiser, day):
    with demo.app_context():
        event = demo_event()
        busy = {day["standby_sender"], day["standby_recipient"]}
        first = db.session.get(MeetingRequest, day["first"])
        busy |= {first.sender_id, first.recipient_id}
        third = next(p for p in db.session.scalars(select(Participation).where(
            Participation.event_id == event.id)) if p.id not in busy)
        # After the page was shown, the standby sender got another meeting in that slot.
        other = MeetingRequest(event_id=event.id, sender_id=day["standby_sender"],
                               recipient_id=third.id, status=RequestStatus.CANCELLED)
        db.session.add(other)
        db.session.flush()
        spare, free = [t for t in event.tables if t.spare][:2]
        place_meeting(other, event.slots[0], spare)
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(Meeting))
        free_id = free.id
    response = fill(organiser, day, table_id=free_id)
    assert response.status_code == 400
    assert b"meanwhile" in response.data
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == before
        assert db.session.scalar(select(Meeting).where(
            Meeting.request_id == day["standby"])) is None


def test_standby_fill_refuses_participants_not_checked_in(demo, organiser, day):
    with demo.app_context():
        db.session.get(Participation, day["standby_recipient"]).checked_in_at = None
        db.session.commit()
        spare = next(t.id for t in demo_event().tables if t.spare)
    page = organiser.get(f"{CONSOLE}/onsite?slot={day['slot']}")
    assert f'name="request_id" value="{day["standby"]}"'.encode() not in page.data
    response = fill(organiser, day, table_id=spare)
    assert response.status_code == 400 and b"has not checked in" in response.data


def test_standby_fill_with_garbage_input_is_400_or_404(demo, organiser, day):
    assert organiser.post(f"{CONSOLE}/onsite/slots/{day['slot']}/fill",
                          data={"request_id": "x"}).status_code == 400
    assert fill(organiser, day, request_id=999999).status_code == 404
    assert organiser.post(f"{CONSOLE}/onsite/slots/999999/fill").status_code == 404


def test_restoring_a_no_show_after_its_slot_was_refilled_is_refused(demo, organiser, day):
    post_status(organiser, day["meeting"], "no_show")
    with demo.app_context():
        event = demo_event()
        first = db.session.get(MeetingRequest, day["first"])
        # The participant who came meets someone else in that slot.
        spare = next(t for t in event.tables if t.spare)
        other = MeetingRequest(event_id=event.id, sender_id=first.sender_id,
                               recipient_id=day["standby_recipient"],
                               status=RequestStatus.CANCELLED)
        db.session.add(other)
        db.session.flush()
        place_meeting(other, event.slots[0], spare)
        db.session.commit()
    response = post_status(organiser, day["meeting"], "held")
    assert response.status_code == 400
    assert b"cannot be restored" in response.data
    with demo.app_context():
        assert db.session.get(Meeting, day["meeting"]).status is MeetingStatus.NO_SHOW


# --- Feedback ------------------------------------------------------------------------------

def test_feedback_after_a_held_meeting_once_per_participant(demo, login_as, organiser, day):
    client = login_as(day["sender_email"])
    path = f"/events/demo/feedback/{day['meeting']}"
    early = client.post(path, data={"useful": 4, "follow_up": "yes", "comment": "Good"})
    assert early.status_code == 400 and b"opens when the meeting has started" in early.data
    post_status(organiser, day["meeting"], "held")
    assert client.get("/events/demo/feedback").status_code == 200
    assert client.post(path, data={"useful": 4, "follow_up": "yes",
                                   "comment": "Good"}).status_code == 302
    assert client.post(path, data={"useful": 2, "follow_up": "no",
                                   "comment": "Chan\x00ged"}).status_code == 302
    other = login_as(day["recipient_email"])
    assert other.post(path, data={"useful": 5, "follow_up": "yes"}).status_code == 302
    with demo.app_context():
        rows = db.session.scalars(select(MeetingFeedback).order_by(MeetingFeedback.id)).all()
        assert len(rows) == 2
        assert (rows[0].useful, rows[0].follow_up, rows[0].comment) == (2, False, "Changed")


@pytest.mark.parametrize("data", [{"useful": 9, "follow_up": "yes"},
                                  {"useful": 3, "follow_up": "maybe"},
                                  {"useful": "", "follow_up": "yes"}])
def test_bad_feedback_is_reshown(demo, login_as, organiser, day, data):
    post_status(organiser, day["meeting"], "held")
    client = login_as(day["sender_email"])
    response = client.post(f"/events/demo/feedback/{day['meeting']}", data=data)
    assert response.status_code == 400
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeetingFeedback)) == 0


def test_feedback_on_someone_elses_meeting_is_404(demo, login_as, organiser, day):
    post_status(organiser, day["meeting"], "held")
    with demo.app_context():
        first = db.session.get(MeetingRequest, day["first"])
        pair = {first.sender_id, first.recipient_id}
        outsider = next(p for p in db.session.scalars(select(Participation))
                        if p.id not in pair and p.role.value == "buyer")
        email = outsider.user.email
    client = login_as(email)
    assert client.get(f"/events/demo/feedback/{day['meeting']}").status_code == 404
    assert client.post(f"/events/demo/feedback/{day['meeting']}",
                       data={"useful": 5, "follow_up": "yes"}).status_code == 404


def test_feedback_needs_login(demo, client, day):
    response = client.get(f"/events/demo/feedback/{day['meeting']}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- Dashboard -----------------------------------------------------------------------------

def test_dashboard_shows_counts_heatmap_and_unscheduled_reasons(demo, organiser, day):
    document = {"format": "matchmaker-schedule/1", "meetings": [], "unscheduled": [
        {"meeting": "r1", "reason": "p12 and p40 have no common available slot",
         "code": "no_common_slot", "params": {"a": "p12", "b": "p40"}},
        {"meeting": "r2", "reason": "p3 and p9 have no common available slot",
         "code": "no_common_slot", "params": {"a": "p3", "b": "p9"}},
        {"meeting": "r3", "reason": "p7 reached its max_meetings (10)",
         "code": "cap_reached", "params": {"full": [{"participant": "p7", "cap": 10}]}},
    ]}
    with demo.app_context():
        event = demo_event()
        db.session.add(SolveRun(event_id=event.id, kind=RunKind.MEETINGS,
                                status=RunStatus.FINISHED, result=json.dumps(document),
                                finished_at=utcnow()))
        db.session.commit()
    page = organiser.get(CONSOLE + "/")
    assert page.status_code == 200
    text = page.data.decode()
    assert "Never available together: 2." in text and "Meeting limit reached: 1." in text
    for language, label in (("nl", "Nooit samen beschikbaar: 2."),
                            ("fr", "Maximum de rendez-vous atteint: 1.")):
        other = organiser.get(CONSOLE + "/", headers={"Accept-Language": language})
        assert label in other.data.decode().replace("\u202f", " ")
        assert "max_meetings" not in other.data.decode()
    assert 'class="cell-scheduled"' in text
    assert "Meetings per participant" in text
    assert "style=" not in text and "<script" not in text


def test_dashboard_survives_an_unreadable_solver_result(demo, organiser):
    with demo.app_context():
        db.session.add(SolveRun(event_id=demo_event().id, kind=RunKind.MEETINGS,
                                status=RunStatus.FINISHED, result="{not json",
                                finished_at=utcnow()))
        db.session.commit()
    page = organiser.get(CONSOLE + "/")
    assert page.status_code == 200 and b"could not be read" in page.data


def test_dashboard_of_an_empty_event(demo, organiser):
    organiser.post("/console/events/new", data={"name": "Empty", "slug": "empty",
                                                "timezone": "Europe/Brussels"})
    page = organiser.get("/events/empty/console/")
    assert page.status_code == 200 and b"No tables or slots yet" in page.data


def test_dashboard_summarises_feedback(demo, login_as, organiser, day):
    post_status(organiser, day["meeting"], "held")
    login_as(day["sender_email"]).post(f"/events/demo/feedback/{day['meeting']}",
                                       data={"useful": 4, "follow_up": "yes"})
    login_as(day["recipient_email"]).post(f"/events/demo/feedback/{day['meeting']}",
                                          data={"useful": 2, "follow_up": "no"})
    page = organiser.get(CONSOLE + "/").data.decode()
    assert "2 answer(s); average usefulness <strong>3.0</strong>" in page
    assert "1 plan a follow-up" in page
