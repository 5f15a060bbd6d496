"""A participant's market-dialogue choices, and the sign-ups the organisers see.

A participant either ranks some of the event's dialogue sessions (rank 1 is the first
choice), or says "no market dialogues for me", or says nothing. The solving adapter
(`schedule.dialogue_problem.build_dialogue_problem`) turns this into interest weights:
`choice_weight()` for the chosen, none for those who opted out, and the interests
derived from the product groups for those who said nothing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..models import (DialogueChoice, DialogueOptOut, DialogueSeat, DialogueSession, Event, Participation,
                      Phase, Role)

CHOICE_PHASES = (Phase.DRAFT, Phase.BOOKING_OPEN)
CHOOSING_ROLES = (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR)
RANK_WEIGHTS = (3, 2)  # first choice, second choice; every later choice weighs 1


def choice_weight(position: int) -> int:
    """The solver weight of the choice at `position` (1 = first) in a participant's order."""
    return RANK_WEIGHTS[position - 1] if position <= len(RANK_WEIGHTS) else 1


def may_choose(participation: Participation) -> bool:
    return participation.role in CHOOSING_ROLES


def choices_open(event: Event) -> bool:
    return event.phase in CHOICE_PHASES


def event_sessions(session: Session, event: Event) -> list[DialogueSession]:
    return list(session.scalars(
        select(DialogueSession).where(DialogueSession.event_id == event.id)
        .options(selectinload(DialogueSession.product_group),
                 selectinload(DialogueSession.tables))
        .order_by(DialogueSession.starts_at, DialogueSession.id)))


def choices_of(session: Session, me: Participation) -> list[DialogueChoice]:
    return list(session.scalars(select(DialogueChoice)
                                .where(DialogueChoice.participation_id == me.id)
                                .order_by(DialogueChoice.rank)))


def seats_of(session: Session, me: Participation) -> list[DialogueSeat]:
    """`me`'s published dialogue seats, in time order."""
    return list(session.scalars(
        select(DialogueSeat).join(DialogueSession).where(DialogueSeat.participation_id == me.id)
        .options(selectinload(DialogueSeat.table)).order_by(DialogueSession.starts_at)))


def has_opted_out(session: Session, me: Participation) -> bool:
    return session.get(DialogueOptOut, me.id) is not None


def set_choices(session: Session, me: Participation, ranked_session_ids: list[int], *,
                none: bool = False) -> None:
    """Replace `me`'s choices by `ranked_session_ids` (first choice first), or opt out.

    An empty list without `none` forgets every choice: `me` then gets the interests
    derived from their product groups again.
    """
    event = me.event
    if not may_choose(me):
        raise DomainError(_("Only buyers, suppliers and experts take part in market dialogues."))
    if not choices_open(event):
        raise DomainError(_("The market dialogues are being seated: ask the organisers to "
                            "change your choices."))
    if none and ranked_session_ids:
        raise DomainError(_("Choose some dialogues or none at all, not both."), field="none")
    if len(set(ranked_session_ids)) != len(ranked_session_ids):
        raise DomainError(_("Give each dialogue one rank only."))
    known = set(session.scalars(select(DialogueSession.id).where(
        DialogueSession.event_id == event.id)))
    if not set(ranked_session_ids) <= known:
        raise DomainError(_("Some of the chosen dialogues are not part of this event."))
    session.execute(delete(DialogueChoice).where(DialogueChoice.participation_id == me.id))
    session.execute(delete(DialogueOptOut).where(DialogueOptOut.participation_id == me.id))
    if none:
        session.add(DialogueOptOut(participation_id=me.id))
    for rank, session_id in enumerate(ranked_session_ids, start=1):
        session.add(DialogueChoice(participation_id=me.id, session_id=session_id, rank=rank))
    session.flush()


@dataclass(frozen=True)
class SessionSignups:
    session: DialogueSession
    first: int = 0  # first choices
    chosen: int = 0  # choices of any rank
    buyers: int = 0  # among `chosen`
    suppliers: int = 0
    experts: int = 0
    seats: int = 0  # buyer and supplier seats at its tables


@dataclass(frozen=True)
class Signups:
    sessions: list[SessionSignups]
    choosing: int  # participants who ranked at least one session
    opted_out: int
    silent: int  # may choose, said nothing: they keep the interests of their product groups


def signups(session: Session, event: Event) -> Signups:
    """Sign-ups per dialogue session, and how many participants chose, opted out or neither."""
    rows = session.execute(
        select(DialogueChoice.session_id, DialogueChoice.rank, Participation.role,
               DialogueChoice.participation_id)
        .join(Participation, DialogueChoice.participation_id == Participation.id)
        .where(Participation.event_id == event.id)).all()
    first_rank: dict[int, int] = {}
    for _session_id, rank, _role, pid in rows:
        first_rank[pid] = min(rank, first_rank.get(pid, rank))
    first: Counter[int] = Counter()
    chosen: Counter[int] = Counter()
    by_role: Counter[tuple[int, Role]] = Counter()
    for session_id, rank, role, pid in rows:
        chosen[session_id] += 1
        by_role[(session_id, role)] += 1
        if rank == first_rank[pid]:
            first[session_id] += 1
    per_session = [SessionSignups(
        session=s, first=first[s.id], chosen=chosen[s.id],
        buyers=by_role[(s.id, Role.BUYER)], suppliers=by_role[(s.id, Role.SUPPLIER)],
        experts=by_role[(s.id, Role.FACILITATOR)],
        seats=sum(t.buyer_seats + t.supplier_seats for t in s.tables))
        for s in event_sessions(session, event)]
    opted_out = set(session.scalars(
        select(DialogueOptOut.participation_id).join(Participation)
        .where(Participation.event_id == event.id)))
    eligible = set(session.scalars(select(Participation.id).where(
        Participation.event_id == event.id, Participation.role.in_(CHOOSING_ROLES))))
    choosing = set(first_rank) & eligible
    return Signups(sessions=per_session, choosing=len(choosing),
                   opted_out=len(opted_out & eligible),
                   silent=len(eligible - choosing - opted_out))
