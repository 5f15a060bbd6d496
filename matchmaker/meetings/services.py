"""Meeting requests: the rules of who may ask whom, and what answering does.

The partial unique index on open pairs (pending or accepted, either direction) is the
final guard against duplicates when two requests race; the checks here give the
clear message in the common case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast

from flask_babel import gettext as _, ngettext
from sqlalchemy import CursorResult, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..auth.services import email_verification_needed
from ..domain import DomainError, NotFound
from ..i18n import in_language
from ..models import (Event, MeetingRequest, Participation, Priority, RequestStatus,
                      Role)
from ..notifications import services as notifications
from . import live, rules

REQUESTABLE_ROLES = frozenset({Role.BUYER, Role.SUPPLIER, Role.FACILITATOR})
MESSAGE_MAX = 1000
REASON_MAX = 300
BULK_MAX = 100  # requests answered at once
MAX_ID = 2**63 - 1  # the largest integer a database key can hold


def meeting_cap(participation: Participation) -> int:
    event_cap = participation.event.default_max_meetings
    if participation.max_meetings is None:
        return event_cap
    return min(participation.max_meetings, event_cap)


def accepted_count(session: Session, participation: Participation) -> int:
    return session.scalar(select(func.count()).select_from(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.ACCEPTED,
        or_(MeetingRequest.sender_id == participation.id,
            MeetingRequest.recipient_id == participation.id))) or 0


def accepted_counts(session: Session, participation_ids: list[int]) -> dict[int, int]:
    """`accepted_count` of several people, in one query."""
    counts = dict.fromkeys(participation_ids, 0)
    for pair in session.execute(
            select(MeetingRequest.sender_id, MeetingRequest.recipient_id).where(
                MeetingRequest.status == RequestStatus.ACCEPTED,
                or_(MeetingRequest.sender_id.in_(participation_ids),
                    MeetingRequest.recipient_id.in_(participation_ids)))):
        for pid in pair:
            if pid in counts:
                counts[pid] += 1
    return counts


def open_sent_count(session: Session, participation: Participation, now: datetime) -> int:
    """Pending requests a participant has sent that have not expired."""
    return session.scalar(select(func.count()).select_from(MeetingRequest).where(
        MeetingRequest.sender_id == participation.id,
        MeetingRequest.status == RequestStatus.PENDING,
        or_(MeetingRequest.expires_at.is_(None), MeetingRequest.expires_at > now))) or 0


def open_request_between(session: Session, a: Participation,
                         b: Participation) -> MeetingRequest | None:
    low, high = sorted((a.id, b.id))
    return session.scalar(select(MeetingRequest).where(
        MeetingRequest.pair_low == low, MeetingRequest.pair_high == high,
        MeetingRequest.status.in_([RequestStatus.PENDING, RequestStatus.ACCEPTED])))


def is_expired(request: MeetingRequest | OpenRequest, now: datetime) -> bool:
    return request.status is RequestStatus.EXPIRED or (
        request.status is RequestStatus.PENDING and request.expires_at is not None
        and request.expires_at <= now)


def shown_status(request: MeetingRequest, now: datetime) -> RequestStatus:
    """The status to show: a pending request past its expiry reads as expired."""
    return RequestStatus.EXPIRED if is_expired(request, now) else request.status


def _already(status: RequestStatus) -> str:
    """'This request is declined already.' as one sentence per status."""
    return {
        RequestStatus.PENDING: _("This request is pending already."),
        RequestStatus.ACCEPTED: _("This request is accepted already."),
        RequestStatus.DECLINED: _("This request is declined already."),
        RequestStatus.CANCELLED: _("This request is cancelled already."),
        RequestStatus.EXPIRED: _("This request is expired already."),
    }[status]


@dataclass(frozen=True)
class OpenRequest:
    """What the request rules read of an open request (a plain row, no ORM object)."""
    status: RequestStatus
    expires_at: datetime | None


@dataclass(frozen=True)
class OpenRequests:
    """What the request rules need about one sender, read once for a page that checks
    many recipients (a market place page asks about every person shown).

    `refusal`: why the sender can ask nobody now (the phase, an unconfirmed e-mail)."""
    by_person: dict[int, OpenRequest]
    sent_waiting: int
    refusal: str | None = None


def _sender_refusal(event: Event, sender: Participation, now: datetime) -> str | None:
    """Why `sender` can ask nobody for a meeting now, or None."""
    return rules.booking_refusal(event, now) or email_verification_needed(sender.user)


@lru_cache(maxsize=1)
def _open_requests_statement():
    """Built once (with the reader as a parameter): pages run it on every view."""
    me = bindparam("me")
    return select(MeetingRequest.sender_id, MeetingRequest.recipient_id, MeetingRequest.status,
                  MeetingRequest.expires_at).where(
        or_(MeetingRequest.sender_id == me, MeetingRequest.recipient_id == me),
        MeetingRequest.status.in_([RequestStatus.PENDING, RequestStatus.ACCEPTED]))


def open_requests_of(session: Session, event: Event, sender: Participation,
                     now: datetime) -> OpenRequests:
    refusal = _sender_refusal(event, sender, now)
    if refusal:
        return OpenRequests({}, 0, refusal)
    by_person: dict[int, OpenRequest] = {}
    sent_waiting = 0
    for sender_id, recipient_id, status, expires_at in session.execute(
            _open_requests_statement(), {"me": sender.id}):
        mine = sender_id == sender.id
        by_person[recipient_id if mine else sender_id] = OpenRequest(status, expires_at)
        # as open_sent_count counts them
        if mine and status is RequestStatus.PENDING and (expires_at is None or expires_at > now):
            sent_waiting += 1
    return OpenRequests(by_person, sent_waiting)


def why_not_requestable(session: Session, event: Event, sender: Participation,
                        recipient: Participation, now: datetime,
                        known: OpenRequests | None = None) -> str | None:
    """The reason `sender` cannot ask `recipient` for a meeting now, or None. `known`:
    what `open_requests_of` read about the sender, when already read."""
    refusal = known.refusal if known is not None else _sender_refusal(event, sender, now)
    if refusal:
        return refusal
    if sender.id == recipient.id:
        return _("You cannot request a meeting with yourself.")
    if sender.role not in REQUESTABLE_ROLES:
        return _("Organisers and moderators do not book one-to-one meetings.")
    if recipient.role not in REQUESTABLE_ROLES:
        if recipient.role is Role.ORGANISER:
            return _("%(name)s is one of the organisers and takes no one-to-one meetings.",
                     name=recipient.user.name)
        return _("%(name)s is one of the moderators and takes no one-to-one meetings.",
                 name=recipient.user.name)
    if sender.organisation_id is not None and sender.organisation_id == recipient.organisation_id:
        return _("You cannot request a meeting with someone from your own organisation.")
    existing = (known.by_person.get(recipient.id) if known is not None
                else open_request_between(session, sender, recipient))
    if existing is not None and not is_expired(existing, now):
        if existing.status is RequestStatus.ACCEPTED:
            return _("You already have a meeting with %(name)s.", name=recipient.user.name)
        return _("There is already an open request between you and %(name)s.",
                 name=recipient.user.name)
    sent = known.sent_waiting if known is not None else open_sent_count(session, sender, now)
    if sent >= event.max_open_requests:
        return ngettext("You have %(num)d request waiting for an answer, the most this event "
                        "allows. Wait for an answer or cancel it first.",
                        "You have %(num)d requests waiting for an answer, the most this event "
                        "allows. Wait for answers or cancel one first.", event.max_open_requests)
    return None


def default_expiry(event: Event, now: datetime) -> datetime | None:
    """When a request sent now expires: after the event's expiry days, but before the
    event starts, at its first meeting time, at the latest (an answer after that is of
    no use to the schedule); once the event runs, at its last meeting time. None: the
    event lets requests wait for ever."""
    if not event.request_expiry_days:
        return None
    expires_at = now + timedelta(days=event.request_expiry_days)
    starts = [slot.starts_at for slot in event.slots]
    if starts:
        expires_at = min(expires_at, starts[0] if starts[0] > now else starts[-1])
    return expires_at


def request_meeting(session: Session, event: Event, sender: Participation,
                    recipient: Participation, *, message: str, priority: int,
                    now: datetime) -> MeetingRequest:
    if recipient.event_id != event.id or sender.event_id != event.id:
        raise NotFound(_("This participant does not exist."))
    try:
        priority = Priority(int(priority)).value
    except ValueError:
        raise DomainError(_("Choose how much you want this meeting."),
                          field="priority") from None
    if len(message) > MESSAGE_MAX:
        raise DomainError(_("Keep the message under %(max)d characters.", max=MESSAGE_MAX),
                          field="message")
    reason = why_not_requestable(session, event, sender, recipient, now)
    if reason:
        raise DomainError(reason)
    existing = open_request_between(session, sender, recipient)
    if existing is not None:  # pending but past its expiry: close it so the pair is free
        existing.status = RequestStatus.EXPIRED
        session.flush()
    expires_at = default_expiry(event, now)
    request = MeetingRequest(event_id=event.id, sender_id=sender.id, recipient_id=recipient.id,
                             message=message, priority=priority, created_at=now,
                             expires_at=expires_at)
    try:
        with session.begin_nested():
            session.add(request)
    except IntegrityError:
        raise DomainError(_("There is already an open request between you and %(name)s.",
                            name=recipient.user.name)) from None
    with in_language(recipient.user.language):
        text = (_("%(name)s asks to meet you (must meet).", name=sender.display_name)
                if priority == Priority.MUST_MEET.value else
                _("%(name)s asks to meet you (would like to meet).", name=sender.display_name))
        if message:
            text += " " + _("Their message: %(message)s", message=message)
    notifications.notify(session, recipient, notifications.REQUEST_RECEIVED, text, now)
    return request


@lru_cache(maxsize=1)
def _request_statement():
    me = bindparam("me")
    return (select(MeetingRequest).where(
        MeetingRequest.id == bindparam("request_id"),
        MeetingRequest.event_id == bindparam("event_id"),
        or_(MeetingRequest.sender_id == me, MeetingRequest.recipient_id == me))
        .options(*(joinedload(side).options(joinedload(Participation.user),
                                            joinedload(Participation.organisation))
                   for side in (MeetingRequest.sender, MeetingRequest.recipient))))


def find_request(session: Session, event: Event, request_id: int,
                 me: Participation) -> MeetingRequest:
    """A request of this event that `me` sent or received; NotFound for anyone else.
    Both people come with their accounts and organisations: every answer names them."""
    request = session.scalar(_request_statement(), {
        "request_id": request_id, "event_id": event.id, "me": me.id})
    if request is None:
        raise NotFound(_("This request does not exist."))
    return request


def _answerable(session: Session, request: MeetingRequest, me: Participation,
                now: datetime) -> None:
    if request.recipient_id != me.id:
        raise NotFound(_("This request does not exist."))
    if is_expired(request, now):
        raise DomainError(_("This request has expired."))
    if request.status is not RequestStatus.PENDING:
        raise DomainError(_already(request.status))


def accept_request(session: Session, request: MeetingRequest, me: Participation,
                   now: datetime, *, slot_id: int | None = None) -> MeetingRequest:
    """Accept a request. With live booking on, the meeting is placed at once (at
    `slot_id`, else the earliest time both are free); see `live.place`."""
    _answerable(session, request, me, now)
    event = me.event
    refusal = rules.booking_refusal(event, now)
    if refusal:
        raise DomainError(refusal)
    accepted = accepted_counts(session, [request.recipient_id, request.sender_id])
    for who in (request.recipient, request.sender):
        cap = meeting_cap(who)
        if accepted[who.id] >= cap:
            if who.id == me.id:
                raise DomainError(ngettext(
                    "You have %(num)d accepted meeting, the most allowed here. Cancel it "
                    "before accepting another.",
                    "You have %(num)d accepted meetings, the most allowed here. Cancel one "
                    "before accepting another.", cap))
            raise DomainError(_("%(name)s has no room for more meetings (%(cap)d accepted).",
                                name=who.user.name, cap=cap))
    request.status = RequestStatus.ACCEPTED
    request.responded_at = now
    session.flush()
    if event.is_live and live.place(session, event, request, me, now, slot_id=slot_id):
        return request
    with in_language(request.sender.user.language):
        text = _("%(name)s accepted your meeting request. The organisers will give it a time "
                 "and a table.", name=me.display_name)
    notifications.notify(session, request.sender, notifications.REQUEST_ACCEPTED, text, now)
    return request


def decline_request(session: Session, request: MeetingRequest, me: Participation, *,
                    reason: str, now: datetime) -> MeetingRequest:
    _answerable(session, request, me, now)
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep the reason under %(max)d characters.", max=REASON_MAX),
                          field="reason")
    request.status = RequestStatus.DECLINED
    request.decline_reason = reason
    request.responded_at = now
    session.flush()
    with in_language(request.sender.user.language):
        text = _("%(name)s declined your meeting request.", name=me.display_name)
        if reason:
            text += " " + _("Reason: %(reason)s", reason=reason)
    notifications.notify(session, request.sender, notifications.REQUEST_DECLINED, text, now)
    return request


def cancel_request(session: Session, request: MeetingRequest, me: Participation,
                   now: datetime) -> MeetingRequest:
    """The sender withdraws a pending request, or either side cancels an accepted one.

    A cancelled accepted request loses its scheduled meeting (and so its bookings).
    """
    if me.id not in (request.sender_id, request.recipient_id):
        raise NotFound(_("This request does not exist."))
    if is_expired(request, now):
        raise DomainError(_("This request has expired."))
    if request.status is RequestStatus.PENDING:
        if request.sender_id != me.id:
            raise DomainError(_("Decline the request instead."))
    elif request.status is not RequestStatus.ACCEPTED:
        raise DomainError(_already(request.status))
    was_accepted = request.status is RequestStatus.ACCEPTED
    if request.meeting is not None and me.event.frozen_at(now):
        refusal = rules.change_refusal(me.event, now)
        assert refusal is not None  # a frozen event always has a reason
        raise DomainError(refusal)
    if request.meeting is not None:
        session.delete(request.meeting)
    request.status = RequestStatus.CANCELLED
    request.responded_at = now
    session.flush()
    if was_accepted:
        other = request.recipient if request.sender_id == me.id else request.sender
        with in_language(other.user.language):
            text = _("%(name)s cancelled your meeting.", name=me.display_name)
        notifications.notify(session, other, notifications.REQUEST_CANCELLED, text, now)
    return request


def expire_requests(session: Session, event: Event, now: datetime) -> int:
    """Mark pending requests past their expiry as expired; returns how many."""
    # an UPDATE's result is a CursorResult, which Session.execute's annotation does not say
    result = cast(CursorResult, session.execute(
        update(MeetingRequest)
        .where(MeetingRequest.event_id == event.id,
               MeetingRequest.status == RequestStatus.PENDING,
               MeetingRequest.expires_at.is_not(None), MeetingRequest.expires_at <= now)
        .values(status=RequestStatus.EXPIRED)
        .execution_options(synchronize_session="fetch")))
    session.flush()
    return result.rowcount or 0


@dataclass(frozen=True)
class Outcome:
    """What answering one of several selected requests did: done, or why not."""

    request_id: int
    name: str
    done: bool
    message: str = ""


def answer_many(session: Session, event: Event, me: Participation, request_ids: list[int],
                *, accept: bool, now: datetime) -> list[Outcome]:
    """Accept or decline several received requests, each on its own merits.

    A request refused (a cap reached, already answered, expired) says why; the others
    go through. Unknown ids and requests of others read as missing.
    """
    outcomes = []
    for request_id in dict.fromkeys(request_ids):
        request = session.scalar(select(MeetingRequest).where(
            MeetingRequest.id == request_id, MeetingRequest.event_id == event.id,
            MeetingRequest.recipient_id == me.id)) if 0 < request_id <= MAX_ID else None
        if request is None:
            outcomes.append(Outcome(request_id, "", False, _("This request does not exist.")))
            continue
        name = request.sender.user.name
        try:
            if accept:
                accept_request(session, request, me, now)
            else:
                decline_request(session, request, me, reason="", now=now)
        except DomainError as error:
            outcomes.append(Outcome(request_id, name, False, error.message))
        else:
            outcomes.append(Outcome(request_id, name, True))
    return outcomes


def participant_in_event(session: Session, event: Event, participation_id: int) -> Participation:
    if not 0 < participation_id <= MAX_ID:
        raise NotFound(_("This participant does not exist."))
    participation = session.scalar(select(Participation).where(
        Participation.id == participation_id, Participation.event_id == event.id))
    if participation is None:
        raise NotFound(_("This participant does not exist."))
    return participation
