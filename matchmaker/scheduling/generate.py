"""Realistic random instances of a Buyer meets Supplier event, for tests and benchmarks.

Proportions follow the Green Deal events: about 35% buyers, 55% suppliers and
10% facilitators. Each supplier has 5 to 10 accepted requests, mostly with
buyers; buyers' popularity is log-normal, so a few popular buyers are asked far
more often than they can meet. Some participants are there only part of the
time, some buyers cap their meetings, some suppliers have a stand.
"""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from .problem import Meeting, Participant, Problem, Slot, Table

SLOT_MINUTES = 20
BREAK_MINUTES = 5
FIRST_DAY = datetime(2026, 11, 19, 9, 0)


def _slots(days: int, slots: int) -> list[Slot]:
    out: list[Slot] = []
    per_day = [slots // days + (1 if d < slots % days else 0) for d in range(days)]
    for day, count in enumerate(per_day):
        start = FIRST_DAY + timedelta(days=day)
        for _ in range(count):
            end = start + timedelta(minutes=SLOT_MINUTES)
            out.append(Slot(id=f"s{len(out) + 1:02d}", start=start, end=end))
            start = end + timedelta(minutes=BREAK_MINUTES)
    return out


def _availability(rng: random.Random, slots: list[Slot], days: int) -> frozenset[str] | None:
    """None for most people; otherwise a late arrival, an early leave or one day only."""
    if rng.random() >= 0.15:
        return None
    ids = [s.id for s in slots]
    kind = rng.random()
    if days > 1 and kind < 0.4:
        day = rng.choice(sorted({s.start.date() for s in slots}))
        return frozenset(s.id for s in slots if s.start.date() == day)
    cut = max(1, int(len(ids) * rng.uniform(0.25, 0.5)))
    return frozenset(ids[cut:] if kind < 0.7 else ids[:-cut])


def _pick(rng: random.Random, weights: list[float], k: int) -> list[int]:
    """k distinct indices, drawn with probability proportional to the weights."""
    k = min(k, len(weights))
    keyed = sorted(range(len(weights)),
                   key=lambda i: -math.log(rng.random() or 1e-300) / weights[i])
    return keyed[:k]


def generate(attendees: int, seed: int, *, days: int = 1, slots: int = 16,
             scarce_tables: bool = False, stands: bool = False) -> Problem:
    """A random event with `attendees` participants and `slots` meeting slots over `days`."""
    if days not in (1, 2):
        raise ValueError("days must be 1 or 2")
    if slots < days or attendees < 3:
        raise ValueError("need at least one slot per day and three attendees")
    rng = random.Random(seed)
    slot_list = _slots(days, slots)
    n_buyers = max(1, round(attendees * 0.35))
    n_facilitators = max(1, round(attendees * 0.10))
    n_suppliers = max(1, attendees - n_buyers - n_facilitators)
    roles = ["buyer"] * n_buyers + ["supplier"] * n_suppliers + ["facilitator"] * n_facilitators
    ids = [f"p{i + 1:04d}" for i in range(len(roles))]
    buyers = [i for i, r in enumerate(roles) if r == "buyer"]
    suppliers = [i for i, r in enumerate(roles) if r == "supplier"]
    facilitators = [i for i, r in enumerate(roles) if r == "facilitator"]

    stand_of: dict[int, str] = {}
    if stands:
        for i in suppliers:
            if rng.random() < 0.3:
                stand_of[i] = f"STAND-{len(stand_of) + 1:03d}"

    popularity = [rng.lognormvariate(0.0, 0.9) for _ in buyers]
    expertise = [rng.lognormvariate(0.0, 0.6) for _ in facilitators]
    pairs: list[tuple[int, int]] = []
    for s in suppliers:
        k = rng.randint(5, 10)
        n_fac = sum(1 for _ in range(k) if rng.random() < 0.15)
        pairs += [(s, buyers[j]) for j in _pick(rng, popularity, k - n_fac)]
        pairs += [(s, facilitators[j]) for j in _pick(rng, expertise, n_fac)]
    for b in buyers:
        if rng.random() < 0.3:
            pairs += [(b, facilitators[j]) for j in _pick(rng, expertise, rng.randint(1, 2))]
    rng.shuffle(pairs)

    participants = []
    for i, role in enumerate(roles):
        cap = None
        if role == "buyer" and slots > 4 and rng.random() < 0.2:
            cap = rng.randint(max(3, slots // 3), slots - 1)
        participants.append(Participant(id=ids[i], role=role,
                                        available=_availability(rng, slot_list, days),
                                        max_meetings=cap, table=stand_of.get(i)))
    meetings = []
    for n, (a, b) in enumerate(pairs):
        first, second = (a, b) if rng.random() < 0.5 else (b, a)
        priority = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        meetings.append(Meeting(id=f"m{n + 1:05d}", participants=(ids[first], ids[second]),
                                priority=priority))

    pooled_meetings = sum(1 for a, b in pairs if a not in stand_of and b not in stand_of)
    per_slot = pooled_meetings / len(slot_list)
    n_tables = max(1, math.ceil(per_slot * (0.75 if scarce_tables else 1.3)))
    tables = [Table(id=f"T{i + 1:03d}") for i in range(n_tables)]
    tables += [Table(id=t) for t in sorted(stand_of.values())]
    return Problem(slots=tuple(slot_list), tables=tuple(tables), participants=tuple(participants),
                   meetings=tuple(meetings), event_name=f"Generated event ({attendees}, seed {seed})",
                   timezone="Europe/Brussels")
