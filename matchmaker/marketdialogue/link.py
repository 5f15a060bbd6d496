"""The link with the one-to-one schedule: people at a dialogue table cannot meet meanwhile.

Participant ids are shared by the two problems, and slot and session times are
naive local times of the same time zone.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from matchmaker.scheduling.problem import Problem

from .problem import DialogueProblem, Plan, Session, overlaps


class DialogueClash(ValueError):
    """A pinned one-to-one meeting lies in a slot its participant spends at a dialogue."""


def busy_sessions(dialogue: DialogueProblem, plan: Plan) -> dict[str, list[Session]]:
    """For each participant, the sessions it sits at or moderates an open table of.

    The moderator of a closed table is free: nobody sits at that table.
    """
    sessions = {s.id: s for s in dialogue.sessions}
    open_tables = {(seat.session, seat.table) for seat in plan.seats}
    busy: dict[str, list[Session]] = defaultdict(list)
    for seat in plan.seats:
        if seat.session in sessions:
            busy[seat.participant].append(sessions[seat.session])
    for session in dialogue.sessions:
        for table in session.tables:
            if table.moderator is not None and (session.id, table.id) in open_tables:
                busy[table.moderator].append(session)
    return busy


def blocked_slots(one_to_one: Problem, dialogue: DialogueProblem, plan: Plan) -> dict[str, set[str]]:
    """For each participant of the one-to-one problem, the slot ids a dialogue takes."""
    busy = busy_sessions(dialogue, plan)
    known = {p.id for p in one_to_one.participants}
    blocked: dict[str, set[str]] = {}
    for pid, sessions in busy.items():
        if pid not in known:
            continue
        slots = {slot.id for slot in one_to_one.slots
                 if any(overlaps(slot.start, slot.end, s.start, s.end) for s in sessions)}
        if slots:
            blocked[pid] = slots
    return blocked


def block_dialogue_slots(one_to_one: Problem, dialogue: DialogueProblem, plan: Plan) -> Problem:
    """The one-to-one problem without the slots its participants spend at dialogue tables.

    A meeting pinned (`fixed`) to such a slot cannot be kept: that raises
    `DialogueClash` naming each case, rather than hand the scheduler an
    impossible pin.
    """
    blocked = blocked_slots(one_to_one, dialogue, plan)
    clashes = []
    for meeting in one_to_one.meetings:
        if meeting.fixed is None:
            continue
        for pid in meeting.participants:
            if meeting.fixed.slot in blocked.get(pid, set()):
                clashes.append(f'meeting "{meeting.id}" is fixed at slot "{meeting.fixed.slot}", '
                               f'when {pid} sits at a market dialogue')
    if clashes:
        raise DialogueClash("; ".join(clashes))
    all_slots = [slot.id for slot in one_to_one.slots]
    participants = []
    for person in one_to_one.participants:
        taken = blocked.get(person.id)
        if taken:
            available = person.available if person.available is not None else frozenset(all_slots)
            person = replace(person, available=frozenset(available - taken))
        participants.append(person)
    return replace(one_to_one, participants=tuple(participants))
