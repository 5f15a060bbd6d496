"""The adapter from the database to the market-dialogue solver's problem.

database -> `matchmaker.marketdialogue` problem (sessions, tables, participants with
weighted interests), and the published seats as a plan (to block one-to-one slots, to
compare drafts). Ids as in `solver_terms`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..dialogues.services import choice_weight
from ..marketdialogue.problem import (DialogueParticipant, DialogueProblem, DialogueTable as
                                      SolverDialogueTable, Plan, Seat, Session as SolverSession)
from ..models import (DialogueChoice, DialogueOptOut, DialogueSeat, DialogueSession, DialogueTable,
                      Event, Listing, Participation)
from .solver_terms import (MEETING_ROLES, dialogue_session_key, dialogue_table_key, naive_local,
                           person_key)


@dataclass
class EventDialogue:
    event: Event
    problem: DialogueProblem
    sessions: dict[str, DialogueSession] = field(default_factory=dict)
    tables: dict[tuple[str, str], DialogueTable] = field(default_factory=dict)
    people: dict[str, Participation] = field(default_factory=dict)


def build_dialogue_problem(session: Session, event: Event) -> EventDialogue:
    """The event's market dialogues as a solver problem.

    Buyers, suppliers and experts join with the sessions they chose as interests,
    weighted by rank (`dialogues.services.choice_weight`), keyed by the session's
    product group (the solver's unit: a group's sessions are repeats of one
    dialogue). Who opted out joins without interests; who said nothing keeps
    their product groups (weight 2 where they also have an offer or query in
    that group, else 1). Moderators who take no part otherwise join without
    interests.
    """
    tz = event.timezone
    rows = list(session.scalars(
        select(DialogueSession).where(DialogueSession.event_id == event.id)
        .options(selectinload(DialogueSession.product_group),
                 selectinload(DialogueSession.tables))
        .order_by(DialogueSession.starts_at, DialogueSession.id)))
    out = EventDialogue(event=event, problem=DialogueProblem((), ()))
    moderator_ids: set[int] = set()
    sessions = []
    for row in rows:
        key = dialogue_session_key(row.id)
        out.sessions[key] = row
        tables = []
        for t in row.tables:
            out.tables[(key, dialogue_table_key(t.id))] = t
            if t.moderator_id is not None:
                moderator_ids.add(t.moderator_id)
            tables.append(SolverDialogueTable(
                id=dialogue_table_key(t.id), buyer_seats=t.buyer_seats,
                supplier_seats=t.supplier_seats,
                moderator=person_key(t.moderator_id) if t.moderator_id is not None else None))
        sessions.append(SolverSession(
            id=key, product_group=row.product_group.code,
            start=naive_local(row.starts_at, tz), end=naive_local(row.ends_at, tz),
            tables=tuple(tables)))

    people = list(session.scalars(
        select(Participation).where(Participation.event_id == event.id)
        .options(selectinload(Participation.product_groups), selectinload(Participation.user))
        .order_by(Participation.id)))
    listed = set(session.execute(
        select(Listing.participation_id, Listing.product_group_id)
        .where(Listing.event_id == event.id)).all())
    chosen = _chosen_interests(session, event, out.sessions)
    opted_out = set(session.scalars(
        select(DialogueOptOut.participation_id).join(Participation)
        .where(Participation.event_id == event.id)))
    participants = []
    for p in people:
        if p.role in MEETING_ROLES:
            if p.id in opted_out:
                interests = {}
            elif p.id in chosen:
                interests = chosen[p.id]
            else:
                interests = {g.code: 2 if (p.id, g.id) in listed else 1
                             for g in p.product_groups}
            role = p.role.value
        elif p.id in moderator_ids:
            interests, role = {}, "facilitator"
        else:
            continue
        out.people[person_key(p.id)] = p
        participants.append(DialogueParticipant(
            id=person_key(p.id), role=role,
            organisation=f"o{p.organisation_id}" if p.organisation_id is not None else None,
            interests=interests))
    out.problem = DialogueProblem(sessions=tuple(sessions), participants=tuple(participants),
                                  event_name=event.name, timezone=tz)
    return out


def _chosen_interests(session: Session, event: Event,
                      sessions: dict[str, DialogueSession]) -> dict[int, dict[str, int]]:
    """participation id -> {product group code: weight} from the ranked choices.

    Weights follow each participant's order, not the stored rank, so a deleted
    session leaves no gap; two chosen repeats of one group keep the higher weight.
    """
    code = {row.id: row.product_group.code for row in sessions.values()}
    out: dict[int, dict[str, int]] = {}
    position: Counter = Counter()
    for participation_id, session_id in session.execute(
            select(DialogueChoice.participation_id, DialogueChoice.session_id)
            .join(DialogueSession).where(DialogueSession.event_id == event.id)
            .order_by(DialogueChoice.participation_id, DialogueChoice.rank)):
        position[participation_id] += 1
        group = code[session_id]
        mine = out.setdefault(participation_id, {})
        mine[group] = max(mine.get(group, 0), choice_weight(position[participation_id]))
    return out


def dialogue_plan_in_force(session: Session, event: Event) -> Plan:
    """The published dialogue seats as a plan (to block one-to-one slots, to compare)."""
    seats = session.scalars(
        select(DialogueSeat).join(DialogueSession)
        .where(DialogueSession.event_id == event.id).order_by(DialogueSeat.id))
    return Plan(status="feasible", seats=tuple(
        Seat(participant=person_key(s.participation_id),
             session=dialogue_session_key(s.session_id), table=dialogue_table_key(s.table_id),
             side=s.side.value) for s in seats))
