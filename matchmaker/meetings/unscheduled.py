"""Why an accepted request has no time in the schedule, told from the reader's side.

Read from the published schedule as it stands: the reader's own meeting cap, the
counterpart's cap, absences that leave no time in common, every common time already
taken by other meetings or every table taken, or none of these (the request was
accepted after the schedule was made). A reason is a code with parameters, put in
words in the reader's language only when shown.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (Absence, Booking, Meeting, MeetingRequest, Participation, Slot,
                      Table)
from .services import meeting_cap

NOT_PUBLISHED = "not_published"
OWN_CAP = "own_cap"
THEIR_CAP = "their_cap"
OWN_ABSENCE = "own_absence"
THEIR_ABSENCE = "their_absence"
ABSENCES = "absences"
NO_COMMON_FREE_SLOT = "no_common_free_slot"
NO_TABLE = "no_table"
NOT_YET_SCHEDULED = "not_yet_scheduled"


@dataclass(frozen=True)
class NoTime:
    code: str
    name: str = ""
    cap: int = 0


def why_no_time(session: Session, me: Participation,
                waiting: list[MeetingRequest]) -> dict[int, NoTime]:
    """For each of `me`'s accepted requests without a meeting, why it has no time."""
    if not waiting:
        return {}
    if not me.event.schedule_published:
        return {r.id: NoTime(NOT_PUBLISHED) for r in waiting}
    others = {r.id: (r.recipient if r.sender_id == me.id else r.sender) for r in waiting}
    people = {me.id, *(p.id for p in others.values())}
    booked: dict[int, set[int]] = defaultdict(set)
    for pid, slot_id in session.execute(select(Booking.participation_id, Booking.slot_id)
                                        .where(Booking.participation_id.in_(people))):
        booked[pid].add(slot_id)
    absent: dict[int, set[int]] = defaultdict(set)
    for pid, slot_id in session.execute(select(Absence.participation_id, Absence.slot_id)
                                        .where(Absence.participation_id.in_(people))):
        absent[pid].add(slot_id)
    slots = set(session.scalars(select(Slot.id).where(Slot.event_id == me.event_id)))
    tables_in_use: list[tuple[int, Counter[int]]] = []

    def every_table_taken(free: set[int]) -> bool:
        """Read only when needed: most requests stop at a cap or an absence first."""
        if not tables_in_use:
            tables_in_use.append((
                session.scalar(select(func.count()).select_from(Table)
                               .where(Table.event_id == me.event_id)) or 0,
                Counter(dict(session.execute(
                    select(Meeting.slot_id, func.count()).where(Meeting.event_id == me.event_id)
                    .group_by(Meeting.slot_id)).all()))))
        tables, in_use = tables_in_use[0]
        return all(in_use[slot] >= tables for slot in free)

    my_cap = meeting_cap(me)
    reasons = {}
    for request_id, other in others.items():
        their_cap = meeting_cap(other)
        mine, theirs = slots - absent[me.id], slots - absent[other.id]
        free = (mine & theirs) - booked[me.id] - booked[other.id]
        if len(booked[me.id]) >= my_cap:
            reason = NoTime(OWN_CAP, cap=my_cap)
        elif len(booked[other.id]) >= their_cap:
            reason = NoTime(THEIR_CAP, name=other.user.name, cap=their_cap)
        elif not mine:
            reason = NoTime(OWN_ABSENCE)
        elif not theirs:
            reason = NoTime(THEIR_ABSENCE, name=other.user.name)
        elif not mine & theirs:
            reason = NoTime(ABSENCES, name=other.user.name)
        elif not free:
            reason = NoTime(NO_COMMON_FREE_SLOT, name=other.user.name)
        elif every_table_taken(free):
            reason = NoTime(NO_TABLE)
        else:
            reason = NoTime(NOT_YET_SCHEDULED)
        reasons[request_id] = reason
    return reasons


def no_time_text(reason: NoTime) -> str:
    """The reason in the reader's language."""
    code = reason.code
    if code == NOT_PUBLISHED:
        return _("It gets a time and a table when the organisers publish the schedule.")
    if code == OWN_CAP:
        return _("You reached your own limit of %(cap)d meetings in the schedule. Raise it "
                 "in your availability or ask the organisers.", cap=reason.cap)
    if code == THEIR_CAP:
        return _("%(name)s reached their limit of %(cap)d meetings in the schedule.",
                 name=reason.name, cap=reason.cap)
    if code == OWN_ABSENCE:
        return _("You marked yourself unavailable at every meeting time.")
    if code == THEIR_ABSENCE:
        return _("%(name)s is unavailable at every meeting time.", name=reason.name)
    if code == ABSENCES:
        return _("You and %(name)s are never available at the same time.", name=reason.name)
    if code == NO_COMMON_FREE_SLOT:
        return _("No common free time: whenever you and %(name)s are both available, one of "
                 "you already has another meeting.", name=reason.name)
    if code == NO_TABLE:
        return _("Every table is taken at the times you are both free.")
    if code == NOT_YET_SCHEDULED:
        return _("Not scheduled yet: you both still have free time; ask the organisers to "
                 "add it.")
    raise ValueError(f"unknown reason {code!r}")
