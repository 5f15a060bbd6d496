"""Dialogue seats and the one-to-one schedule: no participant is in two places at once."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from matchmaker.marketdialogue.generate import generate
from matchmaker.marketdialogue.link import DialogueClash, block_dialogue_slots, busy_sessions
from matchmaker.marketdialogue.problem import overlaps
from matchmaker.marketdialogue.solve import solve as solve_dialogues
from matchmaker.scheduling.problem import Assignment, Meeting, Participant, Placement, Problem, Schedule, Slot, Table


def one_to_one(dialogue, seed: int) -> Problem:
    """Meetings between the dialogue's participants in 20-minute slots over the same morning."""
    rng = random.Random(seed)
    first = min(s.start for s in dialogue.sessions).replace(hour=9, minute=0)
    slots = tuple(Slot(id=f"s{i:02d}", start=first + timedelta(minutes=25 * i),
                       end=first + timedelta(minutes=25 * i + 20)) for i in range(14))
    people = dialogue.participants
    buyers = [p.id for p in people if p.role == "buyer"]
    others = [p.id for p in people if p.role != "buyer"]
    meetings = []
    for i in range(len(people)):
        pair = (rng.choice(buyers), rng.choice(others))
        meetings.append(Meeting(id=f"m{i}", participants=pair, priority=rng.randint(1, 3)))
    participants = tuple(Participant(id=p.id, role=p.role,
                                     available=None if rng.random() < 0.7 else frozenset(
                                         s.id for s in slots if rng.random() < 0.8))
                         for p in people)
    return Problem(slots=slots, tables=tuple(Table(id=f"T{i:02d}") for i in range(12)),
                   participants=participants, meetings=tuple(meetings))


def greedy_schedule(problem: Problem) -> Schedule:
    """Earliest slot where both participants are available and free, and a table is free."""
    available = {p.id: p.available for p in problem.participants}
    busy: set[tuple[str, str]] = set()
    used: set[tuple[str, str]] = set()
    assignments = []
    for meeting in problem.meetings:
        for slot in problem.slots:
            if any((available[p] is not None and slot.id not in available[p]) or (p, slot.id) in busy
                   for p in meeting.participants):
                continue
            table = next((t.id for t in problem.tables if (slot.id, t.id) not in used), None)
            if table is None:
                continue
            busy.update((p, slot.id) for p in meeting.participants)
            used.add((slot.id, table))
            assignments.append(Assignment(meeting=meeting.id, slot=slot.id, table=table))
            break
    return Schedule(status="feasible", assignments=tuple(assignments), unscheduled=())


def schedule_one_to_one(problem: Problem) -> Schedule:
    try:
        from matchmaker.scheduling.solve import solve
    except ImportError:  # the one-to-one solver is not there yet
        return greedy_schedule(problem)
    return solve(problem, time_limit_s=1, num_workers=1, seed=0)


def _clashes(one, dialogue, plan, schedule) -> list[str]:
    slots = {s.id: s for s in one.slots}
    meetings = {m.id: m for m in one.meetings}
    busy = busy_sessions(dialogue, plan)
    found = []
    for a in schedule.assignments:
        slot = slots[a.slot]
        for pid in meetings[a.meeting].participants:
            for session in busy.get(pid, []):
                if overlaps(slot.start, slot.end, session.start, session.end):
                    found.append(f"{pid}: meeting {a.meeting} at {a.slot} during dialogue {session.id}")
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_no_meeting_overlaps_a_dialogue_seat(seed):
    dialogue = generate(50, seed, rounds=3)
    plan = solve_dialogues(dialogue, time_limit_s=1, num_workers=1)
    one = one_to_one(dialogue, seed)
    assert _clashes(one, dialogue, plan, greedy_schedule(one)), "the test instance should clash unblocked"

    blocked = block_dialogue_slots(one, dialogue, plan)
    schedule = schedule_one_to_one(blocked)
    assert schedule.assignments
    assert _clashes(one, dialogue, plan, schedule) == []
    try:
        from matchmaker.scheduling.check import check as check_schedule
    except ImportError:
        return
    assert check_schedule(blocked, schedule) == []


def test_blocking_removes_exactly_the_overlapping_slots():
    dialogue = generate(40, 3, rounds=2)
    plan = solve_dialogues(dialogue, time_limit_s=1, num_workers=1)
    one = one_to_one(dialogue, 3)
    blocked = block_dialogue_slots(one, dialogue, plan)
    before = {p.id: p for p in one.participants}
    busy = busy_sessions(dialogue, plan)
    all_slots = {s.id for s in one.slots}
    for person in blocked.participants:
        was = before[person.id].available
        was = all_slots if was is None else set(was)
        expected = {s.id for s in one.slots
                    if not any(overlaps(s.start, s.end, d.start, d.end) for d in busy.get(person.id, []))}
        if person.id in busy:
            assert set(person.available) == was & expected
        else:
            assert person == before[person.id]
    assert blocked.meetings == one.meetings and blocked.slots == one.slots


def test_moderator_of_an_open_table_is_blocked_and_of_a_closed_one_is_not():
    dialogue = generate(60, 4, rounds=2)
    plan = solve_dialogues(dialogue, time_limit_s=1, num_workers=1)
    busy = busy_sessions(dialogue, plan)
    open_tables = {(s.session, s.table) for s in plan.seats}
    for session in dialogue.sessions:
        for table in session.tables:
            if table.moderator is None:
                continue
            if (session.id, table.id) in open_tables:
                assert session in busy[table.moderator]
            else:
                assert session not in busy.get(table.moderator, [])


def test_pinned_meeting_during_a_dialogue_is_refused():
    dialogue = generate(40, 5, rounds=2)
    plan = solve_dialogues(dialogue, time_limit_s=1, num_workers=1)
    seat = plan.seats[0]
    one = one_to_one(dialogue, 5)
    session = next(s for s in dialogue.sessions if s.id == seat.session)
    slot = next(s for s in one.slots if overlaps(s.start, s.end, session.start, session.end))
    other = next(p.id for p in dialogue.participants if p.id != seat.participant)
    pinned = Meeting(id="pin", participants=(seat.participant, other), fixed=Placement(slot=slot.id))
    one = Problem(slots=one.slots, tables=one.tables, participants=one.participants,
                  meetings=one.meetings + (pinned,))
    with pytest.raises(DialogueClash, match='meeting "pin" is fixed at slot'):
        block_dialogue_slots(one, dialogue, plan)
