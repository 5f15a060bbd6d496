"""What publishing a draft would change: per meeting and per participant for a meetings
run, per seat for a dialogue run; and the draft checked against the event as it is now."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..i18n import group_name
from ..marketdialogue.check import DialogueViolation, check as check_plan
from ..marketdialogue.formats import DialogueFormatError, parse_plan
from ..models import (Booking, DialogueSeat, DialogueSession, DialogueTable, Event, Meeting,
                      MeetingRequest,
                      Participation, RunKind, RunStatus, Slot, SolveRun, Table)
from ..scheduling import Schedule, Unscheduled, check
from ..scheduling.check import Rule, Violation
from ..timeutil import format_time
from . import reason_text, solving


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
    violations: list[str]  # in the reader's language, with names
    draft: dict[int, tuple[int, int]]  # request id -> (slot id, table id)
    unscheduled: int = 0
    stats: dict = field(default_factory=dict)  # the solver's numbers for the draft
    raw_violations: list[Violation] = field(default_factory=list)  # `violations` as data

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def affected(self) -> list[Participation]:
        return [p.participation for p in self.people if p.changes]


def _restricted(ep: solving.EventProblem, schedule: Schedule) -> Schedule:
    """The draft, over the event's current meetings: requests accepted since the run
    count as unscheduled, requests no longer accepted or kept outside the run drop out."""
    known = {m.id for m in ep.problem.meetings}
    assignments = tuple(a for a in schedule.assignments if a.meeting in known)
    placed = {a.meeting for a in assignments}
    reasons = {u.meeting: u.reason for u in schedule.unscheduled}
    unscheduled = tuple(Unscheduled(meeting=m.id, reason=reasons.get(m.id, "not in this draft"))
                        for m in ep.problem.meetings if m.id not in placed)
    return Schedule(status=schedule.status, assignments=assignments, unscheduled=unscheduled,
                    stats=schedule.stats)


@dataclass(frozen=True)
class SpareTable(Violation):
    """A draft's meeting at a spare table that its run was not allowed to use."""

    code: str = reason_text.SPARE_TABLE

    def __str__(self) -> str:
        number = (self.table or "").removeprefix("T")
        return f'"{self.meeting}" is at spare table {number}, which this run may not use'


def check_draft(ep: solving.EventProblem, schedule: Schedule, *,
                strict: bool = False) -> tuple[Schedule, list[Violation]]:
    """A schedule checked against an event problem: (the schedule narrowed to it, the
    violations, in solver ids).

    The tables of no-show records are pinned whatever the draft says (it may be older
    than the no-show). A draft may use a spare table only when its run was allowed to.
    """
    known = {m.id for m in ep.problem.meetings}
    spare = {solving.table_key(t.number): t.number for t in ep.event.tables if t.spare}
    outside = [a for a in schedule.assignments if a.table in spare and a.table not in ep.tables]
    violations: list[Violation] = [SpareTable(meeting=a.meeting, table=a.table)
                                   for a in outside if strict or a.meeting in known]
    pins = {b.meeting for b in ep.blockers}
    kept = {solving.meeting_key(rid) for rid in ep.kept}
    assignments = tuple(a for a in schedule.assignments if a not in outside
                        and a.meeting not in pins and a.meeting not in kept) + ep.blockers
    schedule = replace(schedule, assignments=assignments, unscheduled=tuple(
        u for u in schedule.unscheduled if u.meeting not in pins and u.meeting not in kept))
    restricted = schedule if strict else _restricted(ep, schedule)
    return restricted, violations + check(ep.problem, restricted)


def check_against_event(session: Session, event: Event, schedule: Schedule, *, strict: bool = False
                        ) -> tuple[solving.EventProblem, Schedule, list[Violation]]:
    """A schedule checked against the event as it is now (held meetings, no-shows, locks,
    absences, dialogues), built as its run was (spare tables or not, from its stats).

    A draft of the console is first narrowed to the requests accepted now; with
    `strict` (an imported file) it must name exactly the event's accepted requests.
    """
    include_spare = bool(schedule.stats.get(solving.SPARE_STAT, False))
    ep = solving.build_problem(session, event, include_spare=include_spare)
    restricted, violations = check_draft(ep, schedule, strict=strict)
    return ep, restricted, violations


def draft_placements(ep: solving.EventProblem,
                     restricted: Schedule) -> dict[int, tuple[int, int]]:
    """request id -> (slot id, table id) of the schedule publishing puts in force: the
    draft's placements, and the meetings kept outside the run where they are."""
    draft = solving.schedule_placements(ep, restricted)
    for rid, meeting in ep.kept.items():
        draft[rid] = (meeting.slot_id, meeting.table_id)
    return draft


def compare_schedule(session: Session, event: Event, run: SolveRun) -> Comparison:
    """What publishing this draft would change, per meeting and per participant."""
    require_run(event, run, RunKind.MEETINGS)
    schedule = solving.draft_schedule(run)
    ep, restricted, violations = check_against_event(session, event, schedule)
    draft = draft_placements(ep, restricted)
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
    return Comparison(run=run, changes=changes, people=people,
                      violations=named_violations(session, event, ep, violations),
                      draft=draft, unscheduled=len(restricted.unscheduled),
                      stats=dict(schedule.stats, status=schedule.status),
                      raw_violations=violations)


def named_violations(session: Session, event: Event, ep: solving.EventProblem,
                     violations: list[Violation]) -> list[str]:
    """The violations in the reader's language, with names, times and tables."""
    if not violations:
        return []
    names = reason_text.MeetingNames(session, event, ep)
    return [reason_text.render_violation(v, names) for v in violations]


@dataclass(frozen=True)
class Verdict:
    """Whether an unpublished draft can be published now, and if not, why in words."""

    publishable: bool
    reason: str = ""


CHANGED_SINCE = (Rule.PIN_LEFT_OUT, Rule.PIN_MOVED, Rule.NOT_AVAILABLE, Rule.PARTICIPANT_CLASH,
                 Rule.TABLE_CLASH)


def refusal(violations: list[Violation], named: list[str]) -> str:
    """Why a draft cannot be published, from its violations (`violations`) and the same
    in words (`named`): one sentence on the cause and the first problem."""
    codes = {v.code for v in violations}
    if reason_text.SPARE_TABLE in codes:
        cause = _("It puts meetings at spare tables, which this run was not allowed to use. "
                  "Start a new run, or allow spare tables for it.")
    elif codes & set(CHANGED_SINCE):
        cause = _("The schedule changed after this run (meetings booked, moved, locked, held "
                  "or missed since) and this draft clashes with it. Start a new run.")
    else:
        cause = _("This draft breaks the event's rules as they are now. Start a new run.")
    return " ".join((cause, first_problem(named)))


def first_problem(named: list[str]) -> str:
    """The first of some problems (each a sentence), and how many more there are."""
    more = len(named) - 1
    if more > 0:
        return ngettext("%(problem)s And %(num)d more problem.",
                        "%(problem)s And %(num)d more problems.", more, problem=named[0])
    return named[0]


def dialogue_refusal(named: list[str]) -> str:
    return " ".join((_("This dialogue plan breaks the event's rules as they are now. Start a "
                       "new run."), first_problem(named)))


def draft_verdicts(session: Session, event: Event, runs: list[SolveRun]) -> dict[int, Verdict]:
    """run id -> Verdict for each finished, unpublished run among `runs`, checked against
    the event as it is now (the runs list shows it before the organiser compares)."""
    out: dict[int, Verdict] = {}
    built: dict[bool, solving.EventProblem] = {}
    for run in runs:
        if run.published_at is not None or run.result is None or \
                run.status not in (RunStatus.FINISHED, RunStatus.STOPPED):
            continue
        try:
            if run.kind is RunKind.DIALOGUES:
                comparison = compare_dialogues(session, event, run)
                out[run.id] = dialogue_verdict(comparison)
                continue
            schedule = solving.draft_schedule(run)
            spare = bool(schedule.stats.get(solving.SPARE_STAT, False))
            if spare not in built:
                built[spare] = solving.build_problem(session, event, include_spare=spare)
            ep = built[spare]
            _restricted_draft, violations = check_draft(ep, schedule)
        except DomainError as error:
            out[run.id] = Verdict(False, error.message)
            continue
        if violations:
            out[run.id] = Verdict(False, refusal(
                violations, named_violations(session, event, ep, violations)))
        else:
            out[run.id] = Verdict(True)
    return out


def dialogue_verdict(comparison: "DialogueComparison") -> Verdict:
    if comparison.violations:
        return Verdict(False, dialogue_refusal(comparison.violations))
    if comparison.held_clashes:
        return Verdict(False, held_clash_refusal(comparison.held_clashes))
    return Verdict(True)


def held_clash_refusal(clashes: list[str]) -> str:
    return _("These seats clash with meetings that stay where they are (held, booked on "
             "the day or live, moved by hand or locked): %(clashes)s. Start a new run.",
             clashes="; ".join(clashes[:5]))


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
    violations: list[str]  # in the reader's language, with names
    clashes: list[str]  # one-to-one meetings in force that the new seats overlap
    draft: dict[tuple[int, int], tuple[int, str]]  # (participation, session) -> (table, side)
    unseated: list[tuple[Participation, str, str]] = field(default_factory=list)
    # (person, product group, reason in names) for each interest that got no seat
    held_clashes: list[str] = field(default_factory=list)  # of those, meetings a re-solve keeps
    raw_violations: list[DialogueViolation] = field(default_factory=list)  # `violations` as data

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
    raw_violations = check_plan(built.problem, plan)
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
    clashes, held_clashes = seat_meeting_clashes(session, event, draft, people, sessions)
    names = reason_text.DialogueNames(session, built)
    groups = {g.code: group_name(g) for g in event.product_groups}
    unseated = [(built.people[u.participant], groups.get(u.product_group, u.product_group),
                 reason_text.render_unseated(u, names)) for u in plan.unseated if u.participant in built.people]
    violations = [reason_text.render_dialogue_violation(v, names) for v in raw_violations]
    return DialogueComparison(run=run, changes=changes, violations=violations, clashes=clashes,
                              draft=draft, unseated=unseated, held_clashes=held_clashes,
                              raw_violations=raw_violations)


def seat_meeting_clashes(session: Session, event: Event, draft, people,
                         sessions) -> tuple[list[str], list[str]]:
    """(every meeting in force a new seat overlaps, those of them a re-solve keeps where
    they are), in words."""
    tz = event.timezone
    out, held = [], []
    placed = solving.run_placements(session, event)
    bookings = session.execute(
        select(Booking.participation_id, Slot, Meeting).join(Slot, Booking.slot_id == Slot.id)
        .join(Meeting, Booking.meeting_id == Meeting.id)
        .where(Slot.event_id == event.id)).all()
    by_person: dict[int, list[tuple[Slot, Meeting]]] = defaultdict(list)
    for pid, slot, meeting in bookings:
        by_person[pid].append((slot, meeting))
    for (pid, session_id), _seat in sorted(draft.items()):
        dialogue = sessions[session_id]
        for slot, meeting in by_person.get(pid, []):
            if slot.starts_at < dialogue.ends_at and dialogue.starts_at < slot.ends_at:
                text = _("%(name)s has a meeting at %(time)s during %(session)s.",
                         name=people[pid].display_name, time=format_time(slot.starts_at, tz),
                         session=dialogue.name or group_name(dialogue.product_group))
                out.append(text)
                if solving.held_in_place(meeting, placed):
                    held.append(text)
    return out, held
