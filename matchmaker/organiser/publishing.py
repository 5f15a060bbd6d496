"""Compare a draft with the schedule in force, publish it, and edit the schedule by hand.

Publishing replaces the Meeting/Booking rows (or DialogueSeat rows) in one
transaction: a savepoint wraps the changes, so a failure halfway leaves the
schedule as it was; the caller commits once. Meetings that stay keep their row
and id (iCalendar UIDs derive from it); a meeting that moves keeps its id and
its `sequence` goes up, so calendar clients replace the old entry.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..database import utcnow
from ..domain import DomainError
from ..i18n import format_day, group_name, in_language
from ..marketdialogue.check import check as check_plan
from ..marketdialogue.formats import DialogueFormatError, parse_plan
from ..models import (Absence, Booking, DialogueSeat, DialogueSession, DialogueTable, Event,
                      Meeting, MeetingRequest, Participation, Phase, RunKind, RunStatus, Side,
                      Slot, SolveRun, Table)
from ..scheduling import FormatError, Schedule, Unscheduled, check, parse_schedule
from ..timeutil import format_time
from . import solving

# --------------------------------------------------------------------------- one-to-one


@dataclass
class MeetingChange:
    request: MeetingRequest
    kind: str  # unchanged | moved | gained | lost
    before: tuple[Slot, Table] | None = None
    after: tuple[Slot, Table] | None = None


@dataclass
class PersonChanges:
    participation: Participation
    changes: list[MeetingChange] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


@dataclass
class Comparison:
    run: SolveRun
    changes: list[MeetingChange]
    people: list[PersonChanges]
    violations: list[str]
    draft: dict[int, tuple[int, int]]  # request id -> (slot id, table id)
    unscheduled: int = 0
    stats: dict = field(default_factory=dict)  # the solver's numbers for the draft

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def affected(self) -> list[Participation]:
        return [p.participation for p in self.people if p.changes]


def _draft_schedule(run: SolveRun) -> Schedule:
    if run.result is None:
        raise DomainError(_("Run %(id)s has no result to use.", id=run.id))
    try:
        return parse_schedule(run.result)
    except FormatError as exc:
        raise DomainError(_("The result of run %(id)s cannot be read: %(error)s",
                            id=run.id, error=str(exc))) from None


def _restricted(ep: solving.EventProblem, schedule: Schedule) -> Schedule:
    """The draft, over the event's current meetings: requests accepted since the run
    count as unscheduled, requests no longer accepted drop out."""
    known = {m.id for m in ep.problem.meetings}
    assignments = tuple(a for a in schedule.assignments if a.meeting in known)
    placed = {a.meeting for a in assignments}
    reasons = {u.meeting: u.reason for u in schedule.unscheduled}
    unscheduled = tuple(Unscheduled(meeting=m.id, reason=reasons.get(m.id, "not in this draft"))
                        for m in ep.problem.meetings if m.id not in placed)
    return Schedule(status=schedule.status, assignments=assignments, unscheduled=unscheduled,
                    stats=schedule.stats)


def check_against_event(session: Session, event: Event, schedule: Schedule, *,
                        strict: bool = False) -> tuple[solving.EventProblem, Schedule, list[str]]:
    """A schedule checked against the event as it is now (locks, absences, dialogues).

    A draft of the console is first narrowed to the requests accepted now; with
    `strict` (an imported file) it must name exactly the event's accepted requests.
    """
    ep = solving.build_problem(session, event, include_spare=True)
    restricted = schedule if strict else _restricted(ep, schedule)
    violations = check(ep.problem, restricted)
    # Spare tables are for hand moves only: a solver draft may not use them unless the
    # meeting is locked there already.
    spare = {k for k, t in ep.tables.items() if t.spare}
    fixed_at = {m.id: m.fixed.table for m in ep.problem.meetings if m.fixed is not None}
    for a in restricted.assignments:
        if a.table in spare and fixed_at.get(a.meeting) != a.table:
            violations.append(f'meeting "{a.meeting}" is at spare table "{a.table}"')
    return ep, restricted, violations


def compare_schedule(session: Session, event: Event, run: SolveRun) -> Comparison:
    """What publishing this draft would change, per meeting and per participant."""
    _require_run(event, run, RunKind.MEETINGS)
    schedule = _draft_schedule(run)
    ep, restricted, violations = check_against_event(session, event, schedule)
    draft = solving.schedule_placements(ep, restricted)
    current = {m.request_id: m for m in solving.meetings_in_force(session, event)}
    slots = {s.id: s for s in ep.slots.values()}
    tables = {t.id: t for t in session.scalars(select(Table).where(Table.event_id == event.id))}
    requests = {r.id: r for r in ep.requests.values()}
    for m in current.values():
        requests.setdefault(m.request_id, m.request)

    changes = []
    for rid in sorted(set(draft) | set(current)):
        before = after = None
        if rid in current:
            m = current[rid]
            before = (m.slot, m.table)
        if rid in draft:
            slot_id, table_id = draft[rid]
            after = (slots[slot_id], tables[table_id])
        if before is None:
            kind = "gained"
        elif after is None:
            kind = "lost"
        elif (before[0].id, before[1].id) != (after[0].id, after[1].id):
            kind = "moved"
        else:
            kind = "unchanged"
        changes.append(MeetingChange(request=requests[rid], kind=kind, before=before,
                                     after=after))

    by_person: dict[int, PersonChanges] = {}
    for change in changes:
        if change.kind == "unchanged":
            continue
        for p in (change.request.sender, change.request.recipient):
            by_person.setdefault(p.id, PersonChanges(participation=p)).changes.append(change)
    people = sorted(by_person.values(), key=lambda pc: pc.participation.user.name.casefold())
    if violations:
        names = _namer(session, event, ep)
        violations = [names(v) for v in violations]
    return Comparison(run=run, changes=changes, people=people, violations=violations,
                      draft=draft, unscheduled=len(restricted.unscheduled),
                      stats=dict(schedule.stats, status=schedule.status))


def _require_run(event: Event, run: SolveRun, kind: RunKind) -> None:
    if run.event_id != event.id or run.kind is not kind:
        raise DomainError(_("This run belongs to another event or kind of schedule."))
    if run.status not in (RunStatus.FINISHED, RunStatus.STOPPED) or run.result is None:
        raise DomainError(_("Run %(id)s has not finished (%(status)s); only a finished run "
                            "can be published.", id=run.id, status=run.status.label.lower()))


def _refuse_republish(run: SolveRun, tz: str) -> None:
    if run.published_at is not None:
        when = f"{format_day(run.published_at, tz, 'long')} {format_time(run.published_at, tz)}"
        raise DomainError(_("Run %(id)s was published already (%(when)s). Start a new run to "
                            "change the schedule.", id=run.id, when=when))


def publish_schedule(session: Session, event: Event, run: SolveRun, *,
                     notify: bool = True) -> Comparison:
    """Put a meetings draft in force. Flushes; the caller commits (or rolls back)."""
    _require_run(event, run, RunKind.MEETINGS)
    _refuse_republish(run, event.timezone)
    comparison = compare_schedule(session, event, run)
    if comparison.violations:
        shown = "; ".join(comparison.violations[:5])
        more = len(comparison.violations) - 5
        if more > 0:
            raise DomainError(_("This draft no longer fits the event (it changed since the "
                                "run): %(problems)s; and %(more)d more. Start a new run.",
                                problems=shown, more=more))
        raise DomainError(_("This draft no longer fits the event (it changed since the run): "
                            "%(problems)s. Start a new run.", problems=shown))
    first = session.scalar(select(Meeting.id).where(Meeting.event_id == event.id)
                           .limit(1)) is None and event.phase is not Phase.PUBLISHED
    with session.begin_nested():
        apply_placements(session, event, comparison.draft)
        event.phase = Phase.PUBLISHED
        run.published_at = utcnow()
        session.flush()
    if notify and comparison.affected:
        _notify(session, event, comparison.affected, "published" if first else "changed")
    return comparison


def apply_placements(session: Session, event: Event, draft: dict[int, tuple[int, int]]) -> None:
    """Make the event's Meeting/Booking rows match `draft` (request id -> slot, table).

    Unchanged meetings are not touched; moved ones keep their row. Moves run one at
    a time into free cells; a cycle of moves (two meetings swapping places) parks one
    meeting at a temporary table, removed again before the end.
    """
    current = {m.request_id: m for m in solving.meetings_in_force(session, event)}
    slots = {s.id: s for s in session.scalars(select(Slot).where(Slot.event_id == event.id))}
    tables = {t.id: t for t in session.scalars(select(Table).where(Table.event_id == event.id))}
    requests = {r.id: r for r in session.scalars(
        select(MeetingRequest).where(MeetingRequest.id.in_(list(draft))))}

    for rid, meeting in list(current.items()):
        if rid not in draft:
            session.delete(meeting)
            del current[rid]
    moved = [m for rid, m in current.items() if (m.slot_id, m.table_id) != draft[rid]]
    for meeting in moved:
        for booking in list(meeting.bookings):
            session.delete(booking)
    session.flush()

    occupied = {(m.slot_id, m.table_id) for m in current.values()}
    parking: list[Table] = []
    pending = list(moved)
    while pending:
        progressed = False
        for meeting in list(pending):
            target = draft[meeting.request_id]
            if target in occupied:
                continue
            occupied.discard((meeting.slot_id, meeting.table_id))
            meeting.slot, meeting.table = slots[target[0]], tables[target[1]]
            session.flush()  # one move per statement: the order keeps cells unique
            occupied.add(target)
            pending.remove(meeting)
            progressed = True
        if not progressed:
            meeting = pending[0]
            cell = next(((meeting.slot_id, t.id) for t in parking
                         if (meeting.slot_id, t.id) not in occupied), None)
            if cell is None:
                top = max([t.number for t in tables.values()] + [t.number for t in parking])
                table = Table(event_id=event.id, number=top + 1, zone="(publishing)", spare=True)
                session.add(table)
                session.flush()
                parking.append(table)
                cell = (meeting.slot_id, table.id)
                tables[table.id] = table
            occupied.discard((meeting.slot_id, meeting.table_id))
            meeting.table = tables[cell[1]]
            session.flush()
            occupied.add(cell)
    for meeting in moved:
        meeting.sequence = (meeting.sequence or 0) + 1
        _book(session, meeting)
    for table in parking:
        session.delete(table)
    session.flush()

    for rid, (slot_id, table_id) in draft.items():
        if rid in current:
            continue
        meeting = Meeting(event_id=event.id, request=requests[rid], slot=slots[slot_id],
                          table=tables[table_id])
        session.add(meeting)
        _book(session, meeting)
    session.flush()


def _book(session: Session, meeting: Meeting) -> None:
    request = meeting.request
    for pid in (request.sender_id, request.recipient_id):
        meeting.bookings.append(Booking(participation_id=pid, slot_id=meeting.slot.id))


def _notify(session: Session, event: Event, people: list[Participation], kind: str) -> None:
    """Tell people that their schedule was published or changed, each in their language."""
    try:
        from ..notifications.services import notify_schedule_changed
    except ImportError:  # pragma: no cover - notifications are an optional feature
        from ..mail import send_mail
        for p in people:
            with in_language(p.user.language):
                if kind == "published":
                    subject = _("%(event)s: your schedule is published", event=event.name)
                    body = _("Your meetings at %(event)s were published. Check the times and "
                             "tables in your agenda.", event=event.name)
                else:
                    subject = _("%(event)s: your schedule changed", event=event.name)
                    body = _("Your meetings at %(event)s changed. Check the times and tables "
                             "in your agenda.", event=event.name)
                send_mail(p.user.email, subject, body)
        return
    notify_schedule_changed(session, event, people, kind)


# --------------------------------------------------------------------------- locks and moves


def set_locked(session: Session, meeting: Meeting, locked: bool) -> None:
    meeting.locked = locked
    session.flush()


def _owned_tables(session: Session, event: Event,
                  participation_ids: tuple[int, int]) -> list[Table]:
    return list(session.scalars(select(Table).where(
        Table.event_id == event.id, Table.owner_id.in_(participation_ids))))


def move_clashes(session: Session, event: Event, meeting: Meeting, slot: Slot,
                 table: Table) -> list[tuple[str, str]]:
    """Why `meeting` cannot go to (slot, table), as (field, message) pairs; empty if it can."""
    out: list[tuple[str, str]] = []
    tz = event.timezone
    when = format_time(slot.starts_at, tz)
    if slot.event_id != event.id:
        return [("slot", _("This slot is not part of the event."))]
    if table.event_id != event.id:
        return [("table", _("This table is not part of the event."))]
    if (slot.id, table.id) == (meeting.slot_id, meeting.table_id):
        return [("slot", _("The meeting is there already."))]
    request = meeting.request
    pair = (request.sender, request.recipient)
    for person in pair:
        name = person.display_name
        if session.get(Absence, (person.id, slot.id)) is not None:
            out.append(("slot", _("%(name)s is not available at %(time)s.", name=name,
                                  time=when)))
        other = session.scalar(select(Booking).where(
            Booking.slot_id == slot.id, Booking.participation_id == person.id,
            Booking.meeting_id != meeting.id))
        if other is not None:
            out.append(("slot", _("%(name)s has another meeting at %(time)s.", name=name,
                                  time=when)))
        if _at_dialogue(session, event, person, slot):
            out.append(("slot", _("%(name)s sits at a market dialogue at %(time)s.", name=name,
                                  time=when)))
    taken = session.scalar(select(Meeting).where(
        Meeting.slot_id == slot.id, Meeting.table_id == table.id, Meeting.id != meeting.id))
    if taken is not None:
        out.append(("table", _("%(table)s is taken at %(time)s (meeting of %(first)s and "
                               "%(second)s).", table=table.label, time=when,
                               first=taken.request.sender.user.name,
                               second=taken.request.recipient.user.name)))
    owned = _owned_tables(session, event, (request.sender_id, request.recipient_id))
    if owned:
        if table.id not in {t.id for t in owned}:
            labels = ", ".join(t.label for t in owned)
            out.append(("table", _("This meeting belongs at its supplier's stand: %(tables)s.",
                                   tables=labels)))
    elif table.owner_id is not None:
        out.append(("table", _("%(table)s is a stand reserved for its owner's meetings.",
                               table=table.label)))
    return out


def _at_dialogue(session: Session, event: Event, person: Participation, slot: Slot) -> bool:
    overlapping = (DialogueSession.event_id == event.id) & \
        (DialogueSession.starts_at < slot.ends_at) & (slot.starts_at < DialogueSession.ends_at)
    seated = session.scalar(select(DialogueSeat.id).join(
        DialogueSession, DialogueSeat.session_id == DialogueSession.id).where(
        overlapping, DialogueSeat.participation_id == person.id).limit(1))
    if seated is not None:
        return True
    moderating = session.scalar(select(DialogueTable.id).join(DialogueTable.session).where(
        overlapping, DialogueTable.moderator_id == person.id, DialogueTable.seats.any()).limit(1))
    return moderating is not None


def free_places(session: Session, event: Event,
                meeting: Meeting) -> list[tuple[Slot, list[Table]]]:
    """Where a meeting could move: slots where both people are free, with the free tables
    the stand rule allows there (spare tables last)."""
    request = meeting.request
    pair = (request.sender_id, request.recipient_id)
    slots = list(session.scalars(select(Slot).where(Slot.event_id == event.id)
                                 .order_by(Slot.starts_at)))
    busy = set(session.scalars(select(Booking.slot_id).where(
        Booking.participation_id.in_(pair), Booking.meeting_id != meeting.id)))
    busy |= set(session.scalars(select(Absence.slot_id).where(
        Absence.participation_id.in_(pair))))
    taken = {(s, t) for s, t in session.execute(
        select(Meeting.slot_id, Meeting.table_id).where(Meeting.event_id == event.id,
                                                        Meeting.id != meeting.id))}
    owned = _owned_tables(session, event, pair)
    tables = owned or list(session.scalars(
        select(Table).where(Table.event_id == event.id, Table.owner_id.is_(None))
        .order_by(Table.spare, Table.number)))
    people = (request.sender, request.recipient)
    out = []
    for slot in slots:
        if slot.id in busy or any(_at_dialogue(session, event, p, slot) for p in people):
            continue
        free = [t for t in tables if (slot.id, t.id) not in taken
                and (slot.id, t.id) != (meeting.slot_id, meeting.table_id)]
        if free:
            out.append((slot, free))
    return out


def move_meeting(session: Session, event: Event, meeting: Meeting, slot: Slot,
                 table: Table, *, notify: bool = True) -> Meeting:
    """Move a meeting by hand; it is locked there so that a re-solve keeps it."""
    clashes = move_clashes(session, event, meeting, slot, table)
    if clashes:
        field_name, message = clashes[0]
        raise DomainError(message, field=field_name)
    try:
        with session.begin_nested():
            for booking in list(meeting.bookings):
                session.delete(booking)
            session.flush()
            meeting.slot, meeting.table = slot, table
            meeting.sequence = (meeting.sequence or 0) + 1
            meeting.locked = True
            session.flush()
            _book(session, meeting)
            session.flush()
    except IntegrityError:
        raise DomainError(_("Someone else just took this place; pick another."),
                          field="table") from None
    if notify and event.phase is Phase.PUBLISHED:
        _notify(session, event, [meeting.request.sender, meeting.request.recipient], "changed")
    return meeting


# --------------------------------------------------------------------------- dialogues


@dataclass
class SeatChange:
    participation: Participation
    session: DialogueSession
    kind: str  # moved | gained | lost | unchanged
    before: DialogueSeat | None = None
    after: tuple[DialogueTable, str] | None = None  # table, side


@dataclass
class DialogueComparison:
    run: SolveRun
    changes: list[SeatChange]
    violations: list[str]
    clashes: list[str]  # one-to-one meetings in force that the new seats overlap
    draft: dict[tuple[int, int], tuple[int, str]]  # (participation, session) -> (table, side)
    unseated: list[tuple[Participation, str, str]] = field(default_factory=list)
    # (person, product group, reason in names) for each interest that got no seat

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def affected(self) -> list[Participation]:
        seen: dict[int, Participation] = {}
        for c in self.changes:
            if c.kind != "unchanged":
                seen.setdefault(c.participation.id, c.participation)
        return list(seen.values())


def compare_dialogues(session: Session, event: Event, run: SolveRun) -> DialogueComparison:
    _require_run(event, run, RunKind.DIALOGUES)
    built = solving.build_dialogue_problem(session, event)
    try:
        plan = parse_plan(json.loads(run.result), built.problem)
    except (DialogueFormatError, ValueError) as exc:
        raise DomainError(_("This dialogue plan no longer fits the event (sessions, tables or "
                            "people changed since the run): %(error)s. Start a new run.",
                            error=str(exc))) from None
    violations = check_plan(built.problem, plan)
    draft: dict[tuple[int, int], tuple[int, str]] = {}
    for seat in plan.seats:
        person = built.people[seat.participant]
        table = built.tables[(seat.session, seat.table)]
        draft[(person.id, table.session_id)] = (table.id, seat.side)
    current = {(s.participation_id, s.session_id): s for s in session.scalars(
        select(DialogueSeat).join(DialogueSession).where(DialogueSession.event_id == event.id)
        .options(selectinload(DialogueSeat.participation).selectinload(Participation.user)))}
    people = {p.id: p for p in built.people.values()}
    sessions = {s.id: s for s in built.sessions.values()}
    tables = {t.id: t for t in built.tables.values()}
    changes = []
    for key in sorted(set(draft) | set(current)):
        before, after = current.get(key), None
        if key in draft:
            table_id, side = draft[key]
            after = (tables[table_id], side)
        if before is None:
            kind = "gained"
        elif after is None:
            kind = "lost"
        elif (before.table_id, before.side.value) != (after[0].id, after[1]):
            kind = "moved"
        else:
            kind = "unchanged"
        person = people.get(key[0]) or before.participation
        changes.append(SeatChange(participation=person, session=sessions.get(key[1]) or
                                  session.get(DialogueSession, key[1]), kind=kind,
                                  before=before, after=after))
    clashes = _seat_meeting_clashes(session, event, draft, people, sessions)
    names = _dialogue_namer(session, built)
    groups = {g.code: group_name(g) for g in event.product_groups}
    unseated = [(built.people[u.participant], groups.get(u.product_group, u.product_group),
                 names(u.reason)) for u in plan.unseated if u.participant in built.people]
    return DialogueComparison(run=run, changes=changes, violations=violations, clashes=clashes,
                              draft=draft, unseated=unseated)


def _dialogue_namer(session: Session, built: solving.EventDialogue):
    """Replace the plan's ids (p12, d3, d3/t7, t7, o4) by names in a reason."""
    import re

    from ..models import Organisation

    tables = {tid: t for (_, tid), t in built.tables.items()}

    def word(match: re.Match) -> str:
        prefix, number = match.group(1), int(match.group(2))
        key = f"{prefix}{number}"
        if prefix == "p" and key in built.people:
            return built.people[key].user.name
        if prefix == "d" and key in built.sessions:
            d = built.sessions[key]
            return d.name or d.product_group.name
        if prefix == "t" and key in tables:
            return f"table {tables[key].label}"
        if prefix == "o":
            org = session.get(Organisation, number)
            return org.name if org is not None else key
        return match.group(0)

    pattern = re.compile(r"\b([pdto])(\d+)\b")
    return lambda text: pattern.sub(word, text)


def _seat_meeting_clashes(session: Session, event: Event, draft, people, sessions) -> list[str]:
    tz = event.timezone
    out = []
    bookings = session.execute(
        select(Booking.participation_id, Slot).join(Slot, Booking.slot_id == Slot.id)
        .where(Slot.event_id == event.id)).all()
    by_person: dict[int, list[Slot]] = defaultdict(list)
    for pid, slot in bookings:
        by_person[pid].append(slot)
    for (pid, session_id), _ in sorted(draft.items()):
        dialogue = sessions[session_id]
        for slot in by_person.get(pid, []):
            if slot.starts_at < dialogue.ends_at and dialogue.starts_at < slot.ends_at:
                out.append(_("%(name)s has a meeting at %(time)s during %(session)s.",
                             name=people[pid].display_name,
                             time=format_time(slot.starts_at, tz),
                             session=dialogue.name or group_name(dialogue.product_group)))
    return out


def publish_dialogues(session: Session, event: Event, run: SolveRun, *,
                      notify: bool = True) -> DialogueComparison:
    """Put a dialogue plan in force: DialogueSeat rows follow the plan. The caller commits."""
    _require_run(event, run, RunKind.DIALOGUES)
    _refuse_republish(run, event.timezone)
    comparison = compare_dialogues(session, event, run)
    if comparison.violations:
        raise DomainError(_("This dialogue plan breaks the rules now: %(problems)s. Start a "
                            "new run.", problems="; ".join(comparison.violations[:5])))
    with session.begin_nested():
        for change in comparison.changes:
            if change.kind == "lost":
                session.delete(change.before)
            elif change.kind == "moved":
                table, side = change.after
                change.before.table_id = table.id
                change.before.side = Side(side)
            elif change.kind == "gained":
                table, side = change.after
                session.add(DialogueSeat(table_id=table.id, session_id=table.session_id,
                                         participation_id=change.participation.id,
                                         side=Side(side)))
        session.flush()
        run.published_at = utcnow()
        session.flush()
    if notify and comparison.affected and event.phase is Phase.PUBLISHED:
        _notify(session, event, comparison.affected, "changed")
    return comparison


# --------------------------------------------------------------------------- why-not


@dataclass(frozen=True)
class WhyNot:
    request: MeetingRequest
    reason: str


def why_not(session: Session, event: Event, run: SolveRun) -> list[WhyNot]:
    """Each unscheduled request of a meetings run, with the solver's reason in names."""
    schedule = _draft_schedule(run)
    ep = solving.build_problem(session, event, block_dialogues=False)
    names = _namer(session, event, ep)
    out = []
    for u in schedule.unscheduled:
        request = ep.requests.get(u.meeting)
        rid = solving.parse_key(u.meeting, "r")
        if request is None and rid is not None:
            request = session.get(MeetingRequest, rid)
        if request is None:
            continue
        out.append(WhyNot(request=request, reason=names(u.reason)))
    return out


def _namer(session: Session, event: Event, ep: solving.EventProblem):
    """Replace solver ids in a reason (p12, s3, T4, r55) by names, times, tables."""
    import re

    tz = event.timezone

    def word(match: re.Match) -> str:
        prefix, number = match.group(1), int(match.group(2))
        if prefix == "p":
            p = ep.people.get(f"p{number}") or session.get(Participation, number)
            return p.user.name if p is not None and p.event_id == event.id else match.group(0)
        if prefix == "s":
            s = ep.slots.get(f"s{number}")
            return format_time(s.starts_at, tz) if s is not None else match.group(0)
        if prefix == "T":
            return f"table {number}"
        r = ep.requests.get(f"r{number}")
        if r is None:
            return match.group(0)
        return f"the meeting with {r.sender.user.name} and {r.recipient.user.name}"

    pattern = re.compile(r'"?\b([psTr])(\d+)\b"?')
    return lambda text: pattern.sub(word, text)


__all__ = ["Comparison", "DialogueComparison", "MeetingChange", "PersonChanges", "SeatChange",
           "WhyNot", "apply_placements", "check_against_event", "compare_dialogues",
           "compare_schedule", "move_clashes", "move_meeting", "publish_dialogues",
           "free_places", "publish_schedule", "set_locked", "why_not"]
