"""Outcome questions: OUTCOME_DELAY_DAYS (182 by default) after an event's last slot,
each participant gets one e-mail with a one-click question per meeting they had.

The Green Deal's progress tracker asked too much and few answered; here each meeting
is one question with five answers, reached from a signed link without logging in.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..i18n import format_day, group_name, in_language
from ..links import external_url, sign, unsign
from ..mail import send_mail
from ..models import (Booking, Event, MailReceipt, Meeting, MeetingOutcome, MeetingStatus,
                      Outcome, Participation, Phase, Slot)
from ..notifications.reminders import opt_out_link
from ..profiles.services import groups_of_pair

KIND = "outcome"
DEFAULT_DELAY_DAYS = 182
ANSWER = "outcome-answer"


def delay() -> timedelta:
    return timedelta(days=int(current_app.config.get("OUTCOME_DELAY_DAYS", DEFAULT_DELAY_DAYS)))


def event_end(session: Session, event: Event) -> datetime | None:
    return session.scalar(select(func.max(Slot.ends_at)).where(Slot.event_id == event.id))


def answer_token(meeting_id: int, participation_id: int) -> str:
    return sign(ANSWER, {"m": meeting_id, "p": participation_id})


def read_answer_token(session: Session, token: str) -> tuple[Meeting, Participation] | None:
    """The meeting and the person a link was made for, or None (altered, or gone)."""
    data = unsign(ANSWER, token)
    if not isinstance(data, dict):
        return None
    booking = session.scalar(select(Booking).where(
        Booking.meeting_id == data.get("m"), Booking.participation_id == data.get("p")))
    if booking is None:
        return None
    return booking.meeting, booking.participation


def counterpart(meeting: Meeting, participation: Participation) -> Participation | None:
    return next((b.participation for b in meeting.bookings
                 if b.participation_id != participation.id), None)


def record_answer(session: Session, meeting: Meeting, participation: Participation,
                  outcome: Outcome, now: datetime) -> MeetingOutcome:
    """Save (or change) a person's answer for a meeting."""
    answer = session.get(MeetingOutcome, (meeting.id, participation.id))
    if answer is None:
        answer = MeetingOutcome(meeting=meeting, participation=participation)
        session.add(answer)
    answer.outcome = outcome
    answer.answered_at = now
    session.flush()
    return answer


def answer_of(session: Session, meeting: Meeting, participation: Participation) -> Outcome | None:
    answer = session.get(MeetingOutcome, (meeting.id, participation.id))
    return answer.outcome if answer else None


def _due_events(session: Session, now: datetime) -> list[Event]:
    ends = (select(Slot.event_id, func.max(Slot.ends_at).label("end"))
            .group_by(Slot.event_id).subquery())
    events = session.scalars(select(Event).join(ends, ends.c.event_id == Event.id)
                             .where(Event.phase == Phase.PUBLISHED))
    # compared here, not in SQL: SQLite keeps naive UTC text
    return [e for e in events if (end := event_end(session, e)) is not None
            and _aware(end) + delay() <= now]


def _aware(moment: datetime) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class QuestionMail:
    """One person's outcome questions written out: plain data, which outlives the
    session's objects (each commit expires them)."""

    participation_id: int
    meeting_ids: tuple[int, ...]
    to: str
    subject: str
    body: str


def due_mails(session: Session, now: datetime) -> list[QuestionMail]:
    """The outcome questions that are due, one e-mail per person, in their language."""
    mails = []
    for event in _due_events(session, now):
        meetings = list(session.scalars(
            select(Meeting).where(Meeting.event_id == event.id,
                                  Meeting.status != MeetingStatus.NO_SHOW)
            .options(selectinload(Meeting.bookings).selectinload(Booking.participation)
                     .selectinload(Participation.user), selectinload(Meeting.slot))))
        asked = set(session.execute(
            select(MailReceipt.participation_id, MailReceipt.ref_id).join(
                Participation, MailReceipt.participation_id == Participation.id)
            .where(MailReceipt.kind == KIND, Participation.event_id == event.id)).all())
        per_person: dict[int, list[Meeting]] = defaultdict(list)
        people: dict[int, Participation] = {}
        for meeting in meetings:
            for booking in meeting.bookings:
                person = booking.participation
                if (person.id, meeting.id) in asked or not person.user.outcome_questions:
                    continue
                per_person[person.id].append(meeting)
                people[person.id] = person
        for person_id, own in per_person.items():
            own.sort(key=lambda m: m.slot.starts_at)
            mails.append(_compose(event, people[person_id], own))
    return mails


def claim(session: Session, mail: QuestionMail, now: datetime) -> None:
    """Write the receipts and queue the e-mail, which leaves when the transaction
    commits. Flushes only: questions another sender claimed first raise IntegrityError
    (the receipt's unique key)."""
    for meeting_id in mail.meeting_ids:
        session.add(MailReceipt(kind=KIND, participation_id=mail.participation_id,
                                ref_id=meeting_id, sent_at=now))
    send_mail(mail.to, mail.subject, mail.body)
    session.flush()


def send_questions(session: Session, now: datetime) -> int:
    """Queue every due outcome question in the session's transaction; returns the
    e-mails queued. Flushes only. (`matchmaker send-due` claims them one by one.)"""
    mails = due_mails(session, now)
    for mail in mails:
        claim(session, mail, now)
    return len(mails)


def _compose(event: Event, person: Participation, meetings: list[Meeting]) -> QuestionMail:
    user = person.user
    with in_language(user.language):
        lines = []
        for meeting in meetings:
            other = counterpart(meeting, person)
            lines.append(f"* {other.display_name if other else '?'} "
                         f"({format_day(meeting.slot.starts_at, event.timezone)})\n  "
                         + external_url("outcomes.answer",
                                        token=answer_token(meeting.id, person.id)))
        subject = _("What came of your meetings at %(event)s?", event=event.name)
        body = (_("Hello %(name)s,", name=user.name) + "\n\n"
                + ngettext("Some months ago you had %(num)d meeting at %(event)s. What came of "
                           "it? One click answers:",
                           "Some months ago you had %(num)d meetings at %(event)s. What came of "
                           "them? One click per meeting answers:", len(meetings),
                           event=event.name) + "\n\n"
                + "\n\n".join(lines) + "\n\n"
                + _("Your answers help the organisers show what such events achieve.")
                + "\n\n-- \n"
                + _("No more questions like this: %(link)s",
                    link=opt_out_link(user.id, "outcomes")) + "\n")
    return QuestionMail(person.id, tuple(m.id for m in meetings), user.email, subject, body)


@dataclass(frozen=True)
class GroupOutcomes:
    label: str
    counts: list[int]  # per Outcome, in the enum's order
    total: int


@dataclass(frozen=True)
class OutcomeResults:
    answers: int
    asked: int  # meeting participants asked so far
    totals: list[int]
    groups: list[GroupOutcomes]

    @property
    def outcomes(self) -> list[Outcome]:
        return list(Outcome)


def results(session: Session, event: Event) -> OutcomeResults:
    """Answers per product group of the meeting (the groups both sides share, see the
    dashboard's per-group chart)."""
    rows = list(session.scalars(
        select(MeetingOutcome).join(Meeting, MeetingOutcome.meeting_id == Meeting.id)
        .where(Meeting.event_id == event.id)
        .options(selectinload(MeetingOutcome.meeting).selectinload(Meeting.request))))
    asked = session.scalar(select(func.count()).select_from(MailReceipt).join(
        Participation, MailReceipt.participation_id == Participation.id)
        .where(MailReceipt.kind == KIND, Participation.event_id == event.id)) or 0
    people = {p.id: p for p in session.scalars(
        select(Participation).where(Participation.event_id == event.id)
        .options(selectinload(Participation.product_groups)))}
    groups = {g.id: g for p in people.values() for g in p.product_groups}
    per_group: dict[int, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    for row in rows:
        request = row.meeting.request
        totals[row.outcome] += 1
        for group_id in groups_of_pair(people, request.sender_id, request.recipient_id):
            per_group[group_id][row.outcome] += 1
    order = sorted(per_group, key=lambda gid: (groups[gid].sort_order, gid))
    return OutcomeResults(
        answers=len(rows), asked=asked, totals=[totals.get(o, 0) for o in Outcome],
        groups=[GroupOutcomes(group_name(groups[gid]),
                              [per_group[gid].get(o, 0) for o in Outcome],
                              sum(per_group[gid].values())) for gid in order])
