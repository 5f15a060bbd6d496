"""A participant's requests page: tabs by status with counts, pages, and what is unread.

A request is unread for its recipient while it is pending and newer than the last
time they opened their requests; an answer (accepted or declined) is unread for the
sender while it is newer than that. One timestamp per participation,
`requests_seen_at`, is all the state.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import and_, bindparam, case, func, or_, select, true, update
from sqlalchemy.orm import Session, joinedload

from ..models import Meeting, MeetingRequest, Participation, RequestStatus
from .services import shown_status

TABS = ("incoming", "sent", "accepted", "declined", "all")
PAGE_SIZE = 20
ANSWERS = (RequestStatus.ACCEPTED, RequestStatus.DECLINED)


def _moment(name: str):
    """A moment given when the query runs, for statements built once."""
    return bindparam(name, type_=MeetingRequest.created_at.type)


def _open(now: datetime):
    """Pending and not past its expiry."""
    return and_(MeetingRequest.status == RequestStatus.PENDING,
                or_(MeetingRequest.expires_at.is_(None), MeetingRequest.expires_at > now))


def _mine(me_id):
    return or_(MeetingRequest.sender_id == me_id, MeetingRequest.recipient_id == me_id)


def tab_filter(tab: str, me_id, now: datetime):
    """The SQL condition of one tab, for the participation id `me_id` (a value or column)."""
    if tab == "incoming":
        return and_(MeetingRequest.recipient_id == me_id, _open(now))
    if tab == "sent":
        return and_(MeetingRequest.sender_id == me_id, _open(now))
    if tab == "accepted":
        return and_(_mine(me_id), MeetingRequest.status == RequestStatus.ACCEPTED)
    if tab == "declined":
        return and_(_mine(me_id), MeetingRequest.status == RequestStatus.DECLINED)
    if tab == "all":
        return _mine(me_id)
    raise ValueError(f"unknown tab {tab!r}")


def _unread(me_id, seen_at, now: datetime):
    """Incoming requests and answers to one's own requests since `seen_at` (a column or value)."""
    incoming = and_(MeetingRequest.recipient_id == me_id, _open(now))
    answers = and_(MeetingRequest.sender_id == me_id, MeetingRequest.status.in_(ANSWERS))
    return or_(and_(incoming, _after(MeetingRequest.created_at, seen_at)),
               and_(answers, _after(MeetingRequest.responded_at, seen_at)))


def _after(moment, seen_at):
    """`moment` is later than the last visit; never visited counts as before everything."""
    if seen_at is None:
        return true()
    if isinstance(seen_at, datetime):
        return moment > seen_at
    return or_(seen_at.is_(None), moment > seen_at)


def is_unread(request: MeetingRequest, me: Participation, seen_at: datetime | None,
              now: datetime) -> bool:
    """The same rule as `_unread`, for one loaded request."""
    status = shown_status(request, now)
    if request.recipient_id == me.id and status is RequestStatus.PENDING:
        moment = request.created_at
    elif request.sender_id == me.id and status in ANSWERS:
        moment = request.responded_at
    else:
        return False
    return seen_at is None or (moment is not None and moment > seen_at)


def unread_count(session: Session, me: Participation, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(MeetingRequest).where(
        _unread(me.id, me.requests_seen_at, now))) or 0


@lru_cache(maxsize=1)
def _unread_count_statement():
    """Built once, with parameters: building this query and its cache key again on every
    page cost four times what running it does."""
    event_id = bindparam("event_id")
    return (select(func.count()).select_from(MeetingRequest)
            .join(Participation, and_(Participation.event_id == event_id,
                                      Participation.user_id == bindparam("user_id")))
            .where(MeetingRequest.event_id == event_id,
                   _unread(Participation.id, Participation.requests_seen_at, _moment("now"))))


def unread_count_for_user(session: Session, event_id: int, user_id: int, now: datetime) -> int:
    """The navigation's badge: one query from the logged-in user, no participation loaded."""
    return session.scalar(_unread_count_statement(),
                          {"event_id": event_id, "user_id": user_id, "now": now}) or 0


def mark_seen(session: Session, me: Participation, now: datetime) -> None:
    session.execute(update(Participation).where(Participation.id == me.id)
                    .values(requests_seen_at=now)
                    .execution_options(synchronize_session=False))
    session.flush()


@dataclass(frozen=True)
class TabCount:
    tab: str
    total: int
    unread: int


@lru_cache(maxsize=1)
def _tab_counts_statement():
    me_id, now = bindparam("me_id"), _moment("now")
    unread = _unread(me_id, _moment("seen_at"), now)
    columns = []
    for tab in TABS:
        condition = tab_filter(tab, me_id, now)
        columns.append(func.coalesce(func.sum(case((condition, 1), else_=0)), 0))
        columns.append(func.coalesce(func.sum(case((and_(condition, unread), 1), else_=0)), 0))
    return select(*columns).select_from(MeetingRequest).where(_mine(me_id))


def tab_counts(session: Session, me: Participation, now: datetime) -> dict[str, TabCount]:
    """How many requests each tab holds and how many of them are unread, in one query
    (built once: ten sums of conditions took longer to build than to run)."""
    row = session.execute(_tab_counts_statement(), {
        "me_id": me.id, "now": now, "seen_at": me.requests_seen_at}).one()
    return {tab: TabCount(tab, int(row[2 * i]), int(row[2 * i + 1]))
            for i, tab in enumerate(TABS)}


@dataclass(frozen=True)
class RequestRow:
    request: MeetingRequest
    other: Participation
    received: bool
    status: RequestStatus
    unread: bool
    can_answer: bool
    can_cancel: bool


@dataclass(frozen=True)
class RequestPage:
    rows: list[RequestRow]
    total: int
    page: int
    pages: int


@lru_cache(maxsize=len(TABS))
def _page_statement(tab: str):
    """One page of a tab with the people, meeting, time and table shown, built once per tab."""
    people = [joinedload(side).options(joinedload(Participation.user),
                                       joinedload(Participation.organisation))
              for side in (MeetingRequest.sender, MeetingRequest.recipient)]
    return (select(MeetingRequest).where(tab_filter(tab, bindparam("me_id"), _moment("now")))
            .options(*people, joinedload(MeetingRequest.meeting).options(
                joinedload(Meeting.slot), joinedload(Meeting.table)))
            .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
            .offset(bindparam("skip")).limit(bindparam("size")))


def request_page(session: Session, me: Participation, tab: str, page: int, now: datetime,
                 *, seen_at: datetime | None, page_size: int = PAGE_SIZE,
                 total: int | None = None) -> RequestPage:
    """One page of a tab, newest first; a page number out of range shows the nearest page.

    `seen_at` is the last visit before this one, so that the rows new since then say so.
    `total`: the tab's count, when `tab_counts` has read it already.
    """
    if total is None:
        total = session.scalar(select(func.count()).select_from(MeetingRequest)
                               .where(tab_filter(tab, me.id, now))) or 0
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    requests = session.scalars(_page_statement(tab), {
        "me_id": me.id, "now": now, "skip": (page - 1) * page_size, "size": page_size})
    rows = []
    for request in requests:
        received = request.recipient_id == me.id
        status = shown_status(request, now)
        rows.append(RequestRow(
            request=request, other=request.sender if received else request.recipient,
            received=received, status=status, unread=is_unread(request, me, seen_at, now),
            can_answer=received and status is RequestStatus.PENDING,
            can_cancel=(status is RequestStatus.ACCEPTED
                        or (not received and status is RequestStatus.PENDING))))
    return RequestPage(rows, total, page, pages)
