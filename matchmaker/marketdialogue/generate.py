"""Realistic random dialogue problems for tests, demos and benchmarks."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from .problem import DialogueParticipant, DialogueProblem, DialogueTable, Rules, Session

# Product groups with their Green Deal project counts (DOMAIN.md): popularity weights.
PRODUCT_GROUPS: dict[str, int] = {
    "textile": 16, "furniture": 16, "construction": 15, "infrastructure": 11, "ict": 11, "food": 9,
    "packaging": 7, "lighting": 7, "office-supplies": 6, "waste-management": 6, "cleaning": 5,
    "mobility": 5, "kitchen-appliances": 1,
}
PREFIX = {"textile": "TX", "furniture": "FU", "construction": "CO", "infrastructure": "IN", "ict": "IC",
          "food": "FO", "packaging": "PA", "lighting": "LI", "office-supplies": "OS", "waste-management": "WM",
          "cleaning": "CL", "mobility": "MO", "kitchen-appliances": "KA"}


def generate(participants: int, seed: int, *, rounds: int = 2, parallel: int | None = None,
             tables: int | None = None, day: datetime = datetime(2026, 11, 21)) -> DialogueProblem:
    """A problem with `participants` people and `rounds` rounds of `parallel` dialogues.

    `parallel` (6..13) defaults to a number that suits the size; `tables` caps the
    tables per session (1..3, default 3), popular groups get more tables.
    About 35% buyers, 55% suppliers, 10% facilitators; organisations of 1-3 people;
    interests skewed to the popular groups; some facilitators moderate.
    """
    if participants < 0:
        raise ValueError("participants must not be negative")
    if not 1 <= rounds <= 6:
        raise ValueError("rounds must be between 1 and 6")
    rng = random.Random(seed)
    if parallel is None:
        parallel = max(6, min(13, round(participants / 110) + 5))
    parallel = max(1, min(len(PRODUCT_GROUPS), parallel))
    max_tables = max(1, min(3, tables if tables is not None else 3))
    groups = list(PRODUCT_GROUPS)
    popularity = [PRODUCT_GROUPS[g] + 2 for g in groups]

    people = _participants(rng, participants, groups, popularity)
    demand = {g: 0 for g in groups}
    for person in people:
        for g in person.interests:
            demand[g] += 1

    sessions: list[Session] = []
    start_of_day = day.replace(hour=9, minute=30)
    for r in range(rounds):
        chosen = _sample(rng, groups, [demand[g] + 1 for g in groups], parallel)
        for g in chosen:
            start = start_of_day + timedelta(minutes=70 * r)
            minutes = rng.choice((45, 45, 50, 60))
            if r + 1 < rounds and rng.random() < 0.08:
                minutes = 110  # a double session running into the next round
            share = demand[g] / max(1, rounds)
            count = 1 if share < 14 else 2 if share < 30 else 3
            count = max(1, min(max_tables, count + (rng.random() < 0.2)))
            seats_b, seats_s = rng.choice(((5, 6), (6, 6), (6, 8), (4, 6), (6, 7)))
            session_tables = []
            for t in range(count):
                if t and rng.random() < 0.25:  # now and then a smaller table in the corner
                    seats = (seats_b - 1, seats_s - 2)
                else:
                    seats = (seats_b, seats_s)
                session_tables.append(DialogueTable(id=f"{PREFIX[g]}-{r + 1}{t + 1}", buyer_seats=seats[0],
                                                    supplier_seats=seats[1]))
            sessions.append(Session(id=f"d{len(sessions) + 1}", product_group=g, start=start,
                                    end=start + timedelta(minutes=minutes), tables=tuple(session_tables)))

    sessions = _moderate(rng, sessions, people)
    rules = Rules(min_buyers=rng.choice((1, 1, 2)), min_suppliers=rng.choice((1, 2)), max_per_organisation=1)
    return DialogueProblem(sessions=tuple(sessions), participants=tuple(people), rules=rules,
                           event_name=f"Buyer meets Supplier (generated, seed {seed})", timezone="Europe/Brussels")


def _participants(rng: random.Random, n: int, groups: list[str], popularity: list[int]) -> list[DialogueParticipant]:
    people: list[DialogueParticipant] = []
    org = 0
    while len(people) < n:
        org += 1
        role = rng.choices(("buyer", "supplier", "facilitator"), weights=(35, 55, 10))[0]
        size = 1 if role == "facilitator" else rng.choices((1, 2, 3), weights=(60, 28, 12))[0]
        # Colleagues share a focus: the organisation picks its groups, each person some of them.
        focus = _sample(rng, groups, popularity, rng.randint(2, 4))
        for _ in range(min(size, n - len(people))):
            count = rng.choices((1, 2, 3), weights=(30, 45, 25))[0]
            mine = _sample(rng, focus, [popularity[groups.index(g)] for g in focus], min(count, len(focus)))
            if rng.random() < 0.3:  # one interest outside the organisation's focus
                mine.append(_sample(rng, groups, popularity, 1)[0])
            interests: dict[str, int] = {}
            for rank, g in enumerate(dict.fromkeys(mine)):
                interests[g] = 3 if rank == 0 else rng.choice((1, 1, 2, 2, 3))
            people.append(DialogueParticipant(id=f"p{len(people) + 1}", role=role, organisation=f"o{org}",
                                              interests=interests))
    return people


def _sample(rng: random.Random, items: list[str], weights: list[int], k: int) -> list[str]:
    """k distinct items drawn with probability proportional to weight."""
    pool = list(zip(items, weights))
    chosen = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(range(len(pool)), weights=[w for _i, w in pool])[0]
        chosen.append(pool.pop(pick)[0])
    return chosen


def _moderate(rng: random.Random, sessions: list[Session], people: list[DialogueParticipant]) -> list[Session]:
    """Give most tables a facilitator as moderator, never two tables at once."""
    facilitators = [p.id for p in people if p.role == "facilitator"]
    rng.shuffle(facilitators)
    moderators = facilitators[: max(1, len(facilitators) * 2 // 3)] if facilitators else []
    busy: dict[str, list[Session]] = {m: [] for m in moderators}
    result = []
    for session in sessions:
        tables = []
        for table in session.tables:
            free = [m for m in moderators if not any(session.overlaps(o) for o in busy[m])]
            if free and rng.random() < 0.85:
                moderator = rng.choice(free)
                busy[moderator].append(session)
                table = DialogueTable(id=table.id, buyer_seats=table.buyer_seats,
                                      supplier_seats=table.supplier_seats, moderator=moderator)
            tables.append(table)
        result.append(Session(id=session.id, product_group=session.product_group, start=session.start,
                              end=session.end, tables=tuple(tables)))
    return result
