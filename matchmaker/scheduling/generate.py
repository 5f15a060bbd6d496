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


def _exchange_availability(rng: random.Random, slots: list[Slot], days: int
                           ) -> frozenset[str] | None:
    """A trade exchange: most people stay throughout; some come for one or two days,
    some arrive late on the first day or leave early on the last."""
    if rng.random() >= 0.3:
        return None
    dates = sorted({s.start.date() for s in slots})
    kind = rng.random()
    if kind < 0.5:
        keep = set(rng.sample(dates, rng.randint(1, days - 1))) if days > 1 else set(dates)
        return frozenset(s.id for s in slots if s.start.date() in keep)
    first = [s.id for s in slots if s.start.date() == dates[0]]
    last = [s.id for s in slots if s.start.date() == dates[-1]]
    if kind < 0.75:
        missed = set(first[:max(1, int(len(first) * rng.uniform(0.25, 0.6)))])
    else:
        missed = set(last[-max(1, int(len(last) * rng.uniform(0.25, 0.6))):])
    return frozenset(s.id for s in slots if s.id not in missed)


def trade_exchange(seed: int, *, buyers: int = 700, suppliers: int = 1500, days: int = 3,
                   slots_per_day: int = 20, requests: float = 28.0) -> Problem:
    """The scale of the largest trade exchanges: visiting buyers meet suppliers at
    their stands over several days.

    Every supplier has its own stand and asks on average for `requests` meetings
    (uniform from half to one and a half times that). Buyers' popularity is
    log-normal; a buyer accepts requests up to 1.2 times the slots it is there for
    (or its cap), so the popular ones fill up and later requests go to the others,
    and nobody accepts a request from someone it has no slot in common with.
    30% of people come for part of the event (some days only, a late start or an
    early end); 20% of buyers cap their meetings. 700 buyers and 1,500 suppliers
    give about 40,000 accepted requests, generated in a few seconds.
    """
    if days < 1 or slots_per_day < 1 or buyers < 1 or suppliers < 1 or requests <= 0:
        raise ValueError("need at least one day, slot, buyer, supplier and request")
    rng = random.Random(seed)
    slot_list: list[Slot] = []
    for day in range(days):
        start = FIRST_DAY + timedelta(days=day)
        for _ in range(slots_per_day):
            end = start + timedelta(minutes=SLOT_MINUTES)
            slot_list.append(Slot(id=f"s{len(slot_list) + 1:03d}", start=start, end=end))
            start = end + timedelta(minutes=BREAK_MINUTES)
    every = frozenset(s.id for s in slot_list)
    buyer_ids = [f"b{i + 1:04d}" for i in range(buyers)]
    supplier_ids = [f"e{i + 1:04d}" for i in range(suppliers)]  # exhibitors
    participants = []
    room: list[int] = []
    for bid in buyer_ids:
        available = _exchange_availability(rng, slot_list, days)
        cap = rng.randint(len(slot_list) // 3, len(slot_list) - 1) if rng.random() < 0.2 else None
        room.append(math.ceil(1.2 * min(len(available or every), cap or len(slot_list))))
        participants.append(Participant(id=bid, role="buyer", max_meetings=cap,
                                        available=available))
    supplier_slots = []
    for sid in supplier_ids:
        available = _exchange_availability(rng, slot_list, days)
        supplier_slots.append(available or every)
        participants.append(Participant(id=sid, role="supplier", table=f"STAND-{sid[1:]}",
                                        available=available))
    buyer_slots = [p.available or every for p in participants[:buyers]]
    popularity = [rng.lognormvariate(0.0, 0.9) for _ in buyer_ids]
    low, high = max(1, round(requests * 0.5)), max(1, round(requests * 1.5))
    order = list(range(suppliers))
    rng.shuffle(order)
    meetings = []
    for s in order:
        want = min(rng.randint(low, high), len(supplier_slots[s]))
        for j in _pick(rng, popularity, buyers):
            if want == 0:
                break
            if room[j] == 0 or buyer_slots[j].isdisjoint(supplier_slots[s]):
                continue
            room[j] -= 1
            want -= 1
            priority = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
            sid, bid = supplier_ids[s], buyer_ids[j]
            meetings.append(((sid, bid) if rng.random() < 0.5 else (bid, sid), priority))
    rng.shuffle(meetings)
    return Problem(
        slots=tuple(slot_list),
        tables=tuple(Table(id=f"STAND-{sid[1:]}") for sid in supplier_ids),
        participants=tuple(participants),
        meetings=tuple(Meeting(id=f"m{n + 1:05d}", participants=pair, priority=priority)
                       for n, (pair, priority) in enumerate(meetings)),
        event_name=f"Generated trade exchange ({buyers} buyers, {suppliers} suppliers, "
                   f"seed {seed})",
        timezone="Europe/Brussels")
