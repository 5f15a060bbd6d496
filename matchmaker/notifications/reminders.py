"""Meeting reminders: an e-mail and an in-app notice REMINDER_MINUTES before each meeting.

`matchmaker send-reminders` / `send-due` (`duejobs.send_reminders`) run every minute or
so: they write out the due reminders (`due_mails`), then `claim` and commit each one on
its own. A claim writes a `MailReceipt` (reminder, person, meeting) in the transaction
that queues its e-mail, so a worker that restarts, or two that overlap, never send one
twice; a meeting that has started by the time the worker looks gets no reminder.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..i18n import in_language
from ..links import external_url, sign
from ..mail import send_mail
from ..models import (Booking, Event, MailReceipt, Meeting, MeetingStatus, Participation, Phase,
                      Slot)
from ..timeutil import format_time
from . import services as notifications

KIND = "reminder"
DEFAULT_MINUTES = 10
OPT_OUT = "mail-opt-out"


@dataclass(frozen=True)
class Reminder:
    meeting: Meeting
    participation: Participation
    counterpart: Participation


@dataclass(frozen=True)
class ReminderMail:
    """A reminder written out: plain data, which outlives the session's objects (each
    commit expires them)."""

    participation_id: int
    meeting_id: int
    notice: str
    to: str
    subject: str
    body: str


def reminder_minutes() -> int:
    return int(current_app.config.get("REMINDER_MINUTES", DEFAULT_MINUTES))


def due_reminders(session: Session, now: datetime, minutes: int) -> list[Reminder]:
    """Meetings of published schedules starting within `minutes`, per person not yet
    reminded and not opted out."""
    meetings = session.scalars(
        select(Meeting).join(Slot, Meeting.slot_id == Slot.id).join(Event, Meeting.event_id == Event.id)
        .where(Event.phase == Phase.PUBLISHED, Meeting.status == MeetingStatus.SCHEDULED,
               Slot.starts_at > now, Slot.starts_at <= now + timedelta(minutes=minutes))
        .options(selectinload(Meeting.bookings).selectinload(Booking.participation)
                 .options(selectinload(Participation.user),
                          selectinload(Participation.organisation)),
                 joinedload(Meeting.slot).joinedload(Slot.event), joinedload(Meeting.table))
        .order_by(Slot.starts_at, Meeting.id))
    meetings = list(meetings)
    done = set(session.execute(
        select(MailReceipt.participation_id, MailReceipt.ref_id)
        .where(MailReceipt.kind == KIND, MailReceipt.ref_id.in_([m.id for m in meetings]))).all())
    due = []
    for meeting in meetings:
        people = [b.participation for b in meeting.bookings]
        for person in people:
            others = [p for p in people if p.id != person.id]
            if not others or (person.id, meeting.id) in done or not person.user.meeting_reminders:
                continue
            due.append(Reminder(meeting, person, others[0]))
    return due


def due_mails(session: Session, now: datetime, minutes: int | None = None) -> list[ReminderMail]:
    """The due reminders, written out in each recipient's language."""
    minutes = reminder_minutes() if minutes is None else minutes
    agendas: dict[int, str] = {}
    mails = []
    for reminder in due_reminders(session, now, minutes):
        event = reminder.meeting.slot.event
        if event.id not in agendas:
            agendas[event.id] = external_url("agenda.agenda", slug=event.slug)
        mails.append(compose(reminder, agendas[event.id]))
    return mails


def claim(session: Session, mail: ReminderMail, now: datetime) -> None:
    """Write the receipt and the in-app notice and queue the e-mail, which leaves when
    the transaction commits. Flushes only: a reminder another sender claimed first
    raises IntegrityError (the receipt's unique key)."""
    session.add(MailReceipt(kind=KIND, participation_id=mail.participation_id,
                            ref_id=mail.meeting_id, sent_at=now))
    # the reminder is its own e-mail: no digest repeats the notice
    notifications.record_sent(session, mail.participation_id, notifications.MEETING_REMINDER,
                              mail.notice, now)
    send_mail(mail.to, mail.subject, mail.body)
    session.flush()


def opt_out_link(user_id: int, what: str) -> str:
    return external_url("outcomes.opt_out", token=sign(OPT_OUT, {"u": user_id, "k": what}))


def compose(reminder: Reminder, agenda_link: str) -> ReminderMail:
    meeting, person = reminder.meeting, reminder.participation
    event, user = meeting.slot.event, person.user
    with in_language(user.language):
        when = format_time(meeting.slot.starts_at, event.timezone)
        text = _("Your meeting with %(name)s starts at %(time)s at %(table)s.",
                 name=reminder.counterpart.display_name, time=when, table=meeting.table.label)
        subject = _("At %(time)s: %(name)s, %(table)s", time=when,
                    name=reminder.counterpart.user.name, table=meeting.table.label)
        body = (_("Hello %(name)s,", name=user.name) + "\n\n" + text + "\n\n"
                + _("Your agenda: %(link)s", link=agenda_link) + "\n\n-- \n"
                + _("No more meeting reminders: %(link)s",
                    link=opt_out_link(user.id, "reminders")) + "\n")
    return ReminderMail(participation_id=person.id, meeting_id=meeting.id, notice=text,
                        to=user.email, subject=subject, body=body)
