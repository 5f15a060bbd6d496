"""The requests page: tabs with counts, pages of 20, answering several at once, unread."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event, func, select

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.meetings import inbox
from matchmaker.models import (Event, MeetingRequest, Participation, Phase, RequestStatus,
                               Role, User)
from support import csrf_token_from, login, participation_by_email

BUYER = "buyer1@demo.example"


def fresh_requests_to(app, email: str, count: int) -> list[int]:
    """`count` new pending requests to `email` from new suppliers, oldest first; the
    event's meeting cap raised so that they can be accepted."""
    with app.app_context():
        me = participation_by_email(email)
        event = me.event
        event.default_max_meetings = 50
        now = utcnow()
        ids = []
        for i in range(count):
            user = User(name=f"Sender {i:02d}", email=f"sender{i}@example.com",
                        password_hash="x")
            sender = Participation(event=event, user=user, role=Role.SUPPLIER)
            db.session.add(sender)
            db.session.flush()
            request = MeetingRequest(event_id=event.id, sender_id=sender.id, recipient_id=me.id,
                                     created_at=now + timedelta(microseconds=i),
                                     expires_at=now + timedelta(days=5))
            db.session.add(request)
            db.session.flush()
            ids.append(request.id)
        db.session.commit()
        return ids


def cards(html: str) -> int:
    return html.count('<li class="card status-')


def tab_total(html: str, label: str) -> int:
    match = re.search(rf">{label} \((\d+)\)", html)
    assert match, label
    return int(match.group(1))


def test_tabs_show_counts_that_match_the_database(demo, login_as):
    client = login_as(BUYER)
    html = client.get("/events/demo/requests?tab=all").data.decode()
    with demo.app_context():
        me = participation_by_email(BUYER)
        mine = (MeetingRequest.sender_id == me.id) | (MeetingRequest.recipient_id == me.id)

        def count(*where) -> int:
            return db.session.scalar(select(func.count()).select_from(MeetingRequest)
                                     .where(mine, *where))
        accepted = count(MeetingRequest.status == RequestStatus.ACCEPTED)
        declined = count(MeetingRequest.status == RequestStatus.DECLINED)
        total = count()
    assert tab_total(html, "Accepted") == accepted > 0
    assert tab_total(html, "Declined") == declined
    assert tab_total(html, "All") == total
    accepted_page = client.get("/events/demo/requests?tab=accepted").data.decode()
    assert cards(accepted_page) == min(accepted, inbox.PAGE_SIZE)
    assert 'class="card status-accepted' in accepted_page
    assert 'class="card status-pending' not in accepted_page


def test_incoming_tab_pages_by_twenty_and_clamps_bad_page_numbers(demo, login_as):
    ids = fresh_requests_to(demo, BUYER, 45)
    client = login_as(BUYER)
    first = client.get("/events/demo/requests?tab=incoming").data.decode()
    waiting = tab_total(first, "To answer")
    assert waiting >= 45
    pages = -(-waiting // 20)
    assert cards(first) == 20
    assert f"Page 1 of {pages}" in first
    assert f"/requests/{ids[-1]}/accept" in first  # newest first
    last = client.get(f"/events/demo/requests?tab=incoming&page={pages}").data.decode()
    assert cards(last) == waiting - 20 * (pages - 1)
    for bad in ("999", "-3", "x", "99999999999999999999"):
        response = client.get(f"/events/demo/requests?tab=incoming&page={bad}")
        assert response.status_code == 200, bad
        assert cards(response.data.decode()) > 0
    unknown_tab = client.get("/events/demo/requests?tab=nonsense")
    assert unknown_tab.status_code == 200 and cards(unknown_tab.data.decode()) == 20


def test_accept_several_at_once_the_cap_refuses_some_and_says_so(demo, login_as):
    ids = fresh_requests_to(demo, BUYER, 3)
    with demo.app_context():
        me = participation_by_email(BUYER)
        from matchmaker.meetings.services import accepted_count
        me.max_meetings = accepted_count(db.session, me) + 1  # room for one more
        db.session.commit()
    client = login_as(BUYER)
    response = client.post("/events/demo/requests/answer",
                           data={"ids": [str(i) for i in ids], "accept": "y"},
                           follow_redirects=True)
    html = response.data.decode().replace("&#39;", "'")
    assert response.status_code == 200
    assert "Accepted 1 request." in html
    assert html.count("Not answered: Sender") == 2
    assert "the most allowed here" in html
    with demo.app_context():
        statuses = [db.session.get(MeetingRequest, i).status for i in ids]
    assert statuses == [RequestStatus.ACCEPTED, RequestStatus.PENDING, RequestStatus.PENDING]


def test_decline_several_at_once_and_foreign_or_bad_ids_change_nothing(demo, login_as):
    ids = fresh_requests_to(demo, BUYER, 2)
    with demo.app_context():
        buyer = participation_by_email(BUYER)
        foreign = db.session.scalar(select(MeetingRequest.id).where(
            MeetingRequest.status == RequestStatus.PENDING,
            MeetingRequest.recipient_id != buyer.id))
    client = login_as(BUYER)
    response = client.post("/events/demo/requests/answer",
                           data={"ids": [str(ids[0]), str(ids[1]), str(foreign), "0",
                                         "99999999999999999999"], "decline": "y"},
                           follow_redirects=True)
    html = response.data.decode()
    assert "Declined 2 requests." in html
    assert html.count("This request does not exist.") == 3
    with demo.app_context():
        assert [db.session.get(MeetingRequest, i).status for i in ids] == \
            [RequestStatus.DECLINED] * 2
        assert db.session.get(MeetingRequest, foreign).status is RequestStatus.PENDING
    for data, message in (({"accept": "y"}, "Select at least one request."),
                          ({"ids": ["x"], "accept": "y"}, "Select at least one request."),
                          ({"ids": [str(i) for i in range(1, 150)], "decline": "y"},
                           "at most 100 requests")):
        response = client.post("/events/demo/requests/answer", data=data,
                               follow_redirects=True)
        assert response.status_code == 200 and message in response.data.decode(), data


def test_answering_several_needs_the_csrf_token(demo):
    ids = fresh_requests_to(demo, BUYER, 1)
    demo.config["WTF_CSRF_ENABLED"] = True
    client = demo.test_client()
    login(client, BUYER, csrf_token=csrf_token_from(client.get("/login").data))
    url = "/events/demo/requests/answer"
    assert client.post(url, data={"ids": [str(ids[0])], "accept": "y"}).status_code == 400
    with demo.app_context():
        assert db.session.get(MeetingRequest, ids[0]).status is RequestStatus.PENDING
    page = client.get("/events/demo/requests?tab=incoming").data
    assert client.post(url, data={"ids": [str(ids[0])], "accept": "y",
                                  "csrf_token": csrf_token_from(page)}).status_code == 302
    with demo.app_context():
        assert db.session.get(MeetingRequest, ids[0]).status is RequestStatus.ACCEPTED


def test_selectable_boxes_only_on_requests_one_can_answer(demo, login_as):
    ids = fresh_requests_to(demo, BUYER, 1)
    client = login_as(BUYER)
    incoming = client.get("/events/demo/requests?tab=incoming").data.decode()
    assert f'name="ids" value="{ids[0]}"' in incoming
    assert 'id="bulk-answer"' in incoming
    accepted = client.get("/events/demo/requests?tab=accepted").data.decode()
    assert 'name="ids"' not in accepted and 'id="bulk-answer"' not in accepted


def badge(html: str) -> int:
    match = re.search(r'class="badge badge-count"[^>]*><span aria-hidden="true">(\d+)</span>',
                      html)
    return int(match.group(1)) if match else 0


def test_unread_badge_counts_new_requests_and_answers_until_the_requests_page_is_seen(
        demo, login_as):
    buyer = login_as(BUYER)
    with demo.app_context():
        me = participation_by_email(BUYER)
        expected = inbox.unread_count(db.session, me, utcnow())
    assert expected > 0  # the demo's requests were never seen
    assert badge(buyer.get("/events/demo/market").data.decode()) == expected
    page = buyer.get("/events/demo/requests").data.decode()
    assert "badge-new" in page  # this visit still shows what was new
    assert badge(page) == 0  # but the navigation already counts it as seen
    assert badge(buyer.get("/events/demo/market").data.decode()) == 0
    assert "badge-new" not in buyer.get("/events/demo/requests").data.decode()

    ids = fresh_requests_to(demo, BUYER, 2)
    assert badge(buyer.get("/events/demo/market").data.decode()) == 2
    with demo.app_context():
        sender_email = db.session.get(MeetingRequest, ids[0]).sender.user.email
        db.session.get(MeetingRequest, ids[0]).sender.user.password_hash = \
            participation_by_email(BUYER).user.password_hash
        db.session.commit()
    sender = login_as(sender_email)
    assert badge(sender.get("/events/demo/market").data.decode()) == 0
    assert buyer.post(f"/events/demo/requests/{ids[0]}/accept").status_code == 302
    assert badge(sender.get("/events/demo/market").data.decode()) == 1  # the answer
    assert badge(buyer.get("/events/demo/market").data.decode()) == 1  # the other one
    sender.get("/events/demo/requests")
    assert badge(sender.get("/events/demo/market").data.decode()) == 0


def test_the_badge_costs_one_query_per_page(demo, login_as):
    client = login_as(BUYER)
    statements = []

    def count(conn, cursor, statement, *args):
        if "meeting_request" in statement:
            statements.append(statement)
    with demo.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        html = client.get("/events/demo/market").data.decode()
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert badge(html) > 0
    assert len([s for s in statements if "requests_seen_at" in s]) == 1


def test_expired_requests_are_not_unread(demo):
    ids = fresh_requests_to(demo, BUYER, 1)
    with demo.app_context():
        me = participation_by_email(BUYER)
        inbox.mark_seen(db.session, me, utcnow() - timedelta(days=1))
        db.session.commit()
        db.session.refresh(me)
        assert inbox.unread_count(db.session, me, utcnow()) == 1
        db.session.get(MeetingRequest, ids[0]).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert inbox.unread_count(db.session, me, utcnow()) == 0


@pytest.mark.parametrize("url", ["/events/demo/requests/new?to={pid}",
                                 "/events/demo/requests/new/{pid}"])
def test_the_request_form_is_reached_by_to_parameter_and_focuses_the_message(demo, login_as,
                                                                            url):
    with demo.app_context():
        buyer_id = participation_by_email("buyer2@demo.example").id
    client = login_as("supplier1@demo.example")
    page = client.get(url.format(pid=buyer_id))
    assert page.status_code == 200
    assert re.search(r'<textarea[^>]*autofocus[^>]*id="message"|<textarea[^>]*id="message"'
                     r'[^>]*autofocus', page.data.decode())
    response = client.post(url.format(pid=buyer_id), data={"priority": "1", "message": "Hi"})
    assert response.status_code == 302
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeetingRequest).where(
            MeetingRequest.recipient_id == buyer_id,
            MeetingRequest.status == RequestStatus.PENDING,
            MeetingRequest.message == "Hi")) == 1


@pytest.mark.parametrize("query", ["", "?to=", "?to=x", "?to=0", "?to=99999999999999999999",
                                   "?to=424242"])
def test_a_bad_to_parameter_is_a_404_not_a_crash(demo, login_as, query):
    client = login_as("supplier1@demo.example")
    assert client.get(f"/events/demo/requests/new{query}").status_code == 404


def test_answering_several_needs_booking_open(demo, login_as):
    ids = fresh_requests_to(demo, BUYER, 1)
    with demo.app_context():
        db.session.scalar(select(Event)).phase = Phase.BOOKING_CLOSED
        db.session.commit()
    html = login_as(BUYER).post("/events/demo/requests/answer",
                                data={"ids": [str(ids[0])], "accept": "y"},
                                follow_redirects=True).data.decode()
    assert "Booking is closed while the organisers build the schedule." in html
    with demo.app_context():
        assert db.session.get(MeetingRequest, ids[0]).status is RequestStatus.PENDING
