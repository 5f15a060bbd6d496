"""What publishing a draft would change: per meeting and per participant for a meetings
run, per seat for a dialogue run; and the draft checked against the event as it is now."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..i18n import group_name
from ..marketdialogue.check import check as check_plan
from ..marketdialogue.formats import DialogueFormatError, parse_plan
from ..models import (Booking, DialogueSeat, DialogueSession, DialogueTable, Event, MeetingRequest,
                      Participation, RunKind, RunStatus, Slot, SolveRun, Table)
from ..scheduling import Schedule, Unscheduled, check
from ..timeutil import format_time
from . import solving
from .explain import dialogue_namer, namer


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
    require_run(event, run, RunKind.MEETINGS)
    schedule = solving.draft_schedule(run)
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
        names = namer(session, event, ep)
        violations = [names(v) for v in violations]
    return Comparison(run=run, changes=changes, people=people, violations=violations,
                      draft=draft, unscheduled=len(restricted.unscheduled),
                      stats=dict(schedule.stats, status=schedule.status))


def require_run(event: Event, run: SolveRun, kind: RunKind) -> None:
    if run.event_id != event.id or run.kind is not kind:
        raise DomainError(_("This run belongs to another event or kind of schedule."))
    if run.status not in (RunStatus.FINISHED, RunStatus.STOPPED) or run.result is None:
        raise DomainError(_("Run %(id)s has not finished (%(status)s); only a finished run "
                            "can be published.", id=run.id, status=run.status.label.lower()))


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
    require_run(event, run, RunKind.DIALOGUES)
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
    clashes = seat_meeting_clashes(session, event, draft, people, sessions)
    names = dialogue_namer(session, built)
    groups = {g.code: group_name(g) for g in event.product_groups}
    unseated = [(built.people[u.participant], groups.get(u.product_group, u.product_group),
                 names(u.reason)) for u in plan.unseated if u.participant in built.people]
    return DialogueComparison(run=run, changes=changes, violations=violations, clashes=clashes,
                              draft=draft, unseated=unseated)


def seat_meeting_clashes(session: Session, event: Event, draft, people, sessions) -> list[str]:
    tz = event.timezone
    out = []
    bookings = session.execute(
        select(Booking.participation_id, Slot).join(Slot, Booking.slot_id == Slot.id)
        .where(Slot.event_id == event.id)).all()
    by_person: dict[int, list[Slot]] = defaultdict(list)
    for pid, slot in bookings:
        by_person[pid].append(slot)
    for (pid, session_id), _seat in sorted(draft.items()):
        dialogue = sessions[session_id]
        for slot in by_person.get(pid, []):
            if slot.starts_at < dialogue.ends_at and dialogue.starts_at < slot.ends_at:
                out.append(_("%(name)s has a meeting at %(time)s during %(session)s.",
                             name=people[pid].display_name,
                             time=format_time(slot.starts_at, tz),
                             session=dialogue.name or group_name(dialogue.product_group)))
    return out
