"""Helpers of the market-dialogue choice tests, in the browser too (imported by name, like
support)."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import DialogueSession, Participation, Role
from matchmaker.schedule.dialogue_problem import build_dialogue_problem
from matchmaker.schedule.solver_terms import person_key
from support import demo_event, participation_by_email

BUYER = "buyer1@demo.example"
SUPPLIER = "supplier1@demo.example"
PAGE = "/events/demo/dialogues"
CONSOLE = "/events/demo/console"


def sessions() -> list[DialogueSession]:
    return list(db.session.scalars(select(DialogueSession).order_by(
        DialogueSession.starts_at, DialogueSession.id)))


def popular_sessions() -> list[DialogueSession]:
    """Sessions by how many suppliers' profiles are interested (a buyer needs one opposite)."""
    built = build_dialogue_problem(db.session, demo_event())
    suppliers = [p for p in built.problem.participants if p.role == "supplier"]

    def score(s: DialogueSession) -> int:
        return sum(1 for p in suppliers if s.product_group.code in p.interests)
    return sorted((s for s in sessions() if s.tables), key=lambda s: (-score(s), s.starts_at))


def first_and_second_choice() -> tuple[DialogueSession, DialogueSession]:
    """The most popular session and the most popular one at another time. Two choices that
    clash in time make the solver weigh the buyer's seat against what it brings the other
    session (a lone buyer there lets its suppliers sit); apart, the first choice is the
    buyer's to have."""
    popular = popular_sessions()
    first = popular[0]
    second = next(s for s in popular[1:]
                  if s.ends_at <= first.starts_at or s.starts_at >= first.ends_at)
    return first, second


def interests_of(email: str) -> dict[str, int]:
    built = build_dialogue_problem(db.session, demo_event())
    key = person_key(participation_by_email(email).id)
    return dict(next(p.interests for p in built.problem.participants if p.id == key))


def roles_in_demo(role: Role) -> list[Participation]:
    return list(db.session.scalars(select(Participation).where(Participation.role == role)))
