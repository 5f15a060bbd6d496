"""The demo's floor and programme: meeting tables (pooled, stands, spare) and market
dialogue sessions with their moderated tables."""
from __future__ import annotations

import random
from datetime import date, time

from sqlalchemy.orm import Session

from ..console.setup import add_tables
from ..models import DialogueSession, DialogueTable, Event, Participation, ProductGroup, Role
from ..timeutil import local_to_utc


def make_tables(session: Session, event: Event, rng: random.Random,
                people: dict[Role, list[Participation]], groups: list[ProductGroup],
                attendees: int) -> None:
    pooled = max(4, attendees // 8)
    zones = [g.name for g in groups[:6]]
    per_zone = max(1, pooled // len(zones))
    made = 0
    for zone in zones:
        count = per_zone if zone != zones[-1] else max(1, pooled - made)
        add_tables(session, event, count, zone=zone)
        made += count
    stand_owners = rng.sample(people[Role.SUPPLIER], k=max(1, len(people[Role.SUPPLIER]) // 10))
    for part in stand_owners:
        table = add_tables(session, event, 1, zone="Stands")[0]
        table.owner = part
    spare = add_tables(session, event, 2, zone="Spare")
    for table in spare:
        table.spare = True
    session.flush()


def make_dialogues(session: Session, event: Event, people: dict[Role, list[Participation]],
                   groups: list[ProductGroup], day: date) -> None:
    moderators = list(people[Role.FACILITATOR])
    rounds = [(time(9, 30), time(10, 15), groups[:6]), (time(13, 30), time(14, 15), groups[6:12])]
    moderator_index = 0
    for start, end, round_groups in rounds:
        for group in round_groups:
            session_ = DialogueSession(
                event=event, product_group=group, name=f"Market dialogue: {group.name}",
                starts_at=local_to_utc(day, start, event.timezone),
                ends_at=local_to_utc(day, end, event.timezone))
            session.add(session_)
            for number in range(1, (2 if group.sort_order < 3 else 1) + 1):
                moderator = moderators[moderator_index % len(moderators)] if moderators else None
                moderator_index += 1
                session_.tables.append(DialogueTable(
                    label=f"{group.name[:3].upper()}-{number}", buyer_seats=6, supplier_seats=6,
                    moderator=moderator))
    session.flush()
