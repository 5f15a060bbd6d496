"""Validity rules and quality metrics of a schedule, per the contract.

`check()` is the single judge of validity: the solver re-checks its own result
with it, the CLI's `check` command prints its list, tests rely on it. A violation
is data (`Violation`: a code and the ids it concerns), so that the web app can
say it in names and in the reader's language; `str()` gives it in the contract's
words for the command line.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .domains import Domains
from .problem import Assignment, Problem, Schedule


class Rule:
    """The codes of `Violation`, each with the fields it uses."""

    UNKNOWN_MEETING = "unknown_meeting"  # index, meeting: an assignment names no meeting
    UNKNOWN_SLOT = "unknown_slot"  # index, meeting, slot
    UNKNOWN_TABLE = "unknown_table"  # index, meeting, table
    NOT_AVAILABLE = "not_available"  # index, meeting, participant, slot
    OUTSIDE_MEETING_TIMES = "outside_meeting_times"  # index, meeting, slot
    NOT_OWN_TABLE = "not_own_table"  # index, meeting, table, tables (the allowed stands)
    RESERVED_TABLE = "reserved_table"  # index, meeting, table, people (its owners)
    UNKNOWN_UNSCHEDULED = "unknown_unscheduled"  # index, meeting
    MISSING = "missing"  # meeting: neither scheduled nor unscheduled
    REPEATED = "repeated"  # meeting, count
    PARTICIPANT_CLASH = "participant_clash"  # participant, slot, count, meetings
    TABLE_CLASH = "table_clash"  # table, slot, count, meetings
    OVER_CAP = "over_cap"  # participant, count, cap
    PIN_LEFT_OUT = "pin_left_out"  # meeting, slot, table (None: any table)
    PIN_MOVED = "pin_moved"  # meeting, slot, table, placed_slot, placed_table


VIOLATION_CODES = tuple(code for name, code in vars(Rule).items() if name.isupper())


@dataclass(frozen=True)
class Violation:
    """One broken rule: a code and the ids it concerns (which fields a code uses is
    listed beside it in `Rule`). `str()` gives the contract's words, in ids, for the command
    line; the web app puts it in names and the reader's language."""

    code: str
    meeting: str | None = None
    participant: str | None = None
    slot: str | None = None
    table: str | None = None
    count: int | None = None
    cap: int | None = None
    index: int | None = None  # the position in `assignments` or `unscheduled`
    meetings: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    placed_slot: str | None = None
    placed_table: str | None = None

    def __str__(self) -> str:
        return _text(self)


def _text(v: Violation) -> str:
    where = f'assignments[{v.index}] (meeting "{v.meeting}")'
    pin = f'slot "{v.slot}"' + (f', table "{v.table}"' if v.table else "")
    texts = {
        Rule.UNKNOWN_MEETING: lambda: f"{where}: meeting is unknown",
        Rule.UNKNOWN_SLOT: lambda: f'{where}: slot "{v.slot}" is unknown',
        Rule.UNKNOWN_TABLE: lambda: f'{where}: table "{v.table}" is unknown',
        Rule.NOT_AVAILABLE: lambda: f'{where}: participant "{v.participant}" is not available in '
                               f'slot "{v.slot}"',
        Rule.OUTSIDE_MEETING_TIMES: lambda: f'{where}: slot "{v.slot}" is not in the meeting\'s '
                                       f'"available"',
        Rule.NOT_OWN_TABLE: lambda: f'{where}: table "{v.table}" is not allowed: it must be at '
                               + " or ".join(f'"{t}"' for t in v.tables),
        Rule.RESERVED_TABLE: lambda: f'{where}: table "{v.table}" is not allowed: that table is '
                                "reserved for " + ", ".join(f'"{p}"' for p in v.people),
        Rule.UNKNOWN_UNSCHEDULED: lambda: f'unscheduled[{v.index}] (meeting "{v.meeting}"): '
                                     f"meeting is unknown",
        Rule.MISSING: lambda: f'meeting "{v.meeting}" is neither in assignments nor in unscheduled',
        Rule.REPEATED: lambda: f'meeting "{v.meeting}" appears {v.count} times in assignments and '
                          f"unscheduled",
        Rule.PARTICIPANT_CLASH: lambda: f'participant "{v.participant}" has {v.count} meetings in '
                                   f'slot "{v.slot}": {", ".join(v.meetings)}',
        Rule.TABLE_CLASH: lambda: f'table "{v.table}" hosts {v.count} meetings in slot "{v.slot}": '
                             f'{", ".join(v.meetings)}',
        Rule.OVER_CAP: lambda: f'participant "{v.participant}" has {v.count} meetings, more than '
                          f"max_meetings ({v.cap})",
        Rule.PIN_LEFT_OUT: lambda: f'meeting "{v.meeting}" is pinned to {pin} but not scheduled',
        Rule.PIN_MOVED: lambda: f'meeting "{v.meeting}" is pinned to {pin} but placed at slot '
                           f'"{v.placed_slot}", table "{v.placed_table}"',
    }
    text = texts.get(v.code)
    return text() if text is not None else f"{v.code}: meeting {v.meeting}"


def check(problem: Problem, schedule: Schedule) -> list[Violation]:
    """Every violation of the contract's validity rules; empty when valid."""
    d = Domains(problem)
    out: list[Violation] = []
    seen: Counter[str] = Counter()
    placed: dict[str, Assignment] = {}
    for i, a in enumerate(schedule.assignments):
        seen[a.meeting] += 1
        m = d.meeting.get(a.meeting)
        if m is None:
            out.append(Violation(Rule.UNKNOWN_MEETING, index=i, meeting=a.meeting))
            continue
        bad = False
        if a.slot not in d.slot_pos:
            out.append(Violation(Rule.UNKNOWN_SLOT, index=i, meeting=a.meeting, slot=a.slot))
            bad = True
        if a.table not in d.table_ids:
            out.append(Violation(Rule.UNKNOWN_TABLE, index=i, meeting=a.meeting, table=a.table))
            bad = True
        if bad:
            continue
        placed.setdefault(a.meeting, a)
        for p in m.participants:
            if not d.available(p, a.slot):
                out.append(Violation(Rule.NOT_AVAILABLE, index=i, meeting=a.meeting, participant=p,
                                     slot=a.slot))
        if m.available is not None and a.slot not in m.available:
            out.append(Violation(Rule.OUTSIDE_MEETING_TIMES, index=i, meeting=a.meeting, slot=a.slot))
        allowed = d.allowed_tables(m)
        if a.table not in allowed:
            own = d.own_tables(m)
            if own:
                out.append(Violation(Rule.NOT_OWN_TABLE, index=i, meeting=a.meeting, table=a.table,
                                     tables=tuple(own)))
            else:
                out.append(Violation(Rule.RESERVED_TABLE, index=i, meeting=a.meeting, table=a.table,
                                     people=tuple(sorted(d.owners.get(a.table, ())))))
    for i, u in enumerate(schedule.unscheduled):
        seen[u.meeting] += 1
        if u.meeting not in d.meeting:
            out.append(Violation(Rule.UNKNOWN_UNSCHEDULED, index=i, meeting=u.meeting))
    for m in problem.meetings:
        if seen[m.id] == 0:
            out.append(Violation(Rule.MISSING, meeting=m.id))
        elif seen[m.id] > 1:
            out.append(Violation(Rule.REPEATED, meeting=m.id, count=seen[m.id]))

    by_person_slot: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_table_slot: dict[tuple[str, str], list[str]] = defaultdict(list)
    count: Counter[str] = Counter()
    for a in schedule.assignments:
        m = d.meeting.get(a.meeting)
        if m is None or a.slot not in d.slot_pos or a.table not in d.table_ids:
            continue
        by_table_slot[(a.table, a.slot)].append(m.id)
        for p in m.participants:
            by_person_slot[(p, a.slot)].append(m.id)
            count[p] += 1
    for (p, s), ms in by_person_slot.items():
        if len(ms) > 1:
            out.append(Violation(Rule.PARTICIPANT_CLASH, participant=p, slot=s, count=len(ms),
                                 meetings=tuple(ms)))
    for (t, s), ms in by_table_slot.items():
        if len(ms) > 1:
            out.append(Violation(Rule.TABLE_CLASH, table=t, slot=s, count=len(ms), meetings=tuple(ms)))
    for part in problem.participants:
        if part.max_meetings is not None and count[part.id] > part.max_meetings:
            out.append(Violation(Rule.OVER_CAP, participant=part.id, count=count[part.id],
                                 cap=part.max_meetings))
    for m in problem.meetings:
        if m.fixed is None:
            continue
        at = placed.get(m.id)
        if at is None:
            out.append(Violation(Rule.PIN_LEFT_OUT, meeting=m.id, slot=m.fixed.slot,
                                 table=m.fixed.table))
        elif at.slot != m.fixed.slot or (m.fixed.table is not None and at.table != m.fixed.table):
            out.append(Violation(Rule.PIN_MOVED, meeting=m.id, slot=m.fixed.slot, table=m.fixed.table,
                                 placed_slot=at.slot, placed_table=at.table))
    return out


def agendas(d: Domains, placements: Mapping[str, tuple[str, str]]) -> dict[str, list[tuple[int, str]]]:
    """Per participant, its meetings as (slot position, table), in time order."""
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for mid, (slot, table) in placements.items():
        for p in d.meeting[mid].participants:
            out[p].append((d.slot_pos[slot], table))
    for items in out.values():
        items.sort()
    return out


def idle(d: Domains, positions: Iterable[int]) -> tuple[int, int]:
    """(idle gaps, idle slots) of one participant's busy slot positions, per day."""
    gaps = slots = 0
    last_by_day: dict[int, int] = {}
    for pos in sorted(positions):
        day = d.slot_day[pos]
        last = last_by_day.get(day)
        if last is not None and pos > last + 1:
            gaps += 1
            slots += pos - last - 1
        last_by_day[day] = pos
    return gaps, slots


def metrics(problem: Problem, placements: Mapping[str, tuple[str, str]],
            domains: Domains | None = None) -> dict:
    """The contract's stats plus table changes and the lowest share of requests met.

    `placements` maps meeting id to (slot id, table id) and must name known ids.
    A meeting with a `previous` placement counts as moved when it is now elsewhere
    or unscheduled.
    """
    d = domains or Domains(problem)
    gaps = idle_slots = changes = 0
    for items in agendas(d, placements).values():
        g, s = idle(d, (pos for pos, _ in items))
        gaps += g
        idle_slots += s
        changes += sum(1 for (_, t1), (_, t2) in zip(items, items[1:]) if t1 != t2)
    moved = 0
    for m in problem.meetings:
        if m.previous is None:
            continue
        now = placements.get(m.id)
        if now is None or now[0] != m.previous.slot or (
                m.previous.table is not None and now[1] != m.previous.table):
            moved += 1
    shares = []
    for p, mids in d.meetings_of.items():
        if mids:
            shares.append(sum(1 for mid in mids if mid in placements) / len(mids))
    return {
        "requested": len(problem.meetings),
        "scheduled": len(placements),
        "weighted_value": sum(d.meeting[mid].priority for mid in placements),
        "idle_gaps": gaps,
        "idle_slots": idle_slots,
        "moved_from_previous": moved,
        "table_changes": changes,
        "min_share": round(min(shares), 4) if shares else 1.0,
    }


def schedule_metrics(problem: Problem, schedule: Schedule) -> dict:
    """`metrics()` of the known, well-formed assignments of a schedule."""
    d = Domains(problem)
    placements = {a.meeting: (a.slot, a.table) for a in schedule.assignments
                  if a.meeting in d.meeting and a.slot in d.slot_pos and a.table in d.table_ids}
    return metrics(problem, placements, d)
