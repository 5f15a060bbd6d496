"""Who is present when, and the demo's meeting requests in every state.

The requests keep the rules the app enforces: nobody holds more accepted requests than
their cap (the event's `default_max_meetings`, a personal `max_meetings`, and the slots
they are present for), two people only have an accepted meeting if they share a free
slot, nobody has more open requests than `max_open_requests`, and every pending request
expires before booking closes (the day before the first slot). The event stands
mid-booking: everyone has room for at least one more meeting, so an Accept that a
visitor tries works unless they fill the place themselves.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..models import Absence, Event, MeetingRequest, Participation, Priority, RequestStatus, Role
from . import data

STORY_SUPPLIER = 12  # supplierN whose pending request buyer1 can accept


def story_people(people: dict[Role, list[Participation]]
                 ) -> tuple[Participation, Participation, Participation]:
    """buyer1, supplier1 and the supplier whose request buyer1 can accept."""
    suppliers = people[Role.SUPPLIER]
    buyer1, supplier1 = people[Role.BUYER][0], suppliers[0]
    waiting = suppliers[min(STORY_SUPPLIER, len(suppliers)) - 1]
    return buyer1, supplier1, waiting


def make_absences(session: Session, event: Event, rng: random.Random,
                  people: dict[Role, list[Participation]]) -> dict[int, set[int]]:
    """Absences for some people; returns the slot ids each participant is present for."""
    slots = list(event.slots)
    all_ids = {s.id for s in slots}
    morning = [s for s in slots if s.block.name.endswith("(morning)")]
    afternoon = [s for s in slots if s not in morning]
    story = {p.id for p in story_people(people)}
    available: dict[int, set[int]] = {}
    for role in (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR):
        for part in people[role]:
            roll = rng.random()
            if part.id in story:
                blocked = []
            elif roll < 0.10:
                blocked = afternoon  # mornings only
            elif roll < 0.18:
                blocked = morning
            elif roll < 0.30:
                blocked = rng.sample(slots, k=min(2, len(slots)))
            else:
                blocked = []
            for slot in blocked:
                session.add(Absence(participation=part, slot_id=slot.id))
            available[part.id] = all_ids - {s.id for s in blocked}
    session.flush()
    return available


class RequestMaker:
    """Meeting requests in every state that keep the event's rules (see the module doc)."""

    STATUSES = ([RequestStatus.ACCEPTED] * 55 + [RequestStatus.PENDING] * 25
                + [RequestStatus.DECLINED] * 12 + [RequestStatus.CANCELLED] * 5
                + [RequestStatus.EXPIRED] * 3)

    def __init__(self, session: Session, event: Event, rng: random.Random,
                 people: dict[Role, list[Participation]], available: dict[int, set[int]],
                 now: datetime) -> None:
        self.session, self.event, self.rng, self.people = session, event, rng, people
        self.available, self.now = available, now
        first_slot = min(s.starts_at for s in event.slots)
        self.closes = first_slot - timedelta(days=1)  # pending requests expire before this
        self.pairs: set[tuple[int, int]] = set()
        self.accepted: dict[int, int] = defaultdict(int)
        self.open_sent: dict[int, int] = defaultdict(int)
        self.reserve: dict[int, int] = {}
        self.count = 0

    def room(self, part: Participation) -> int:
        """Meetings `part` may still accept, keeping one place free (two for buyer1)."""
        cap = self.event.default_max_meetings
        if part.max_meetings is not None:
            cap = min(cap, part.max_meetings)
        cap = min(cap, len(self.available[part.id]))
        return cap - self.accepted[part.id] - self.reserve.get(part.id, 1)

    def make(self) -> int:
        people, rng = self.people, self.rng
        buyers, suppliers = people[Role.BUYER], people[Role.SUPPLIER]
        experts = people[Role.FACILITATOR]
        buyer1, supplier1, waiting = story_people(people)
        self.add(supplier1, buyer1, RequestStatus.ACCEPTED)
        if waiting.id != supplier1.id:
            self.add(waiting, buyer1, RequestStatus.PENDING, age=1)
        self.reserve = {buyer1.id: 2}
        for supplier in suppliers[:2]:  # supplier1 and supplier2 can still ask buyer2..5
            for buyer in buyers[1:5]:
                self.pairs.add((min(supplier.id, buyer.id), max(supplier.id, buyer.id)))

        groups_of = {p.id: {g.code for g in p.product_groups} for p in buyers + suppliers}
        # Popular buyers attract many more requests (a long tail, as at real events).
        popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(len(buyers))]
        for supplier in suppliers[1:]:  # supplier1 sent only its request to buyer1
            mine = groups_of[supplier.id]
            # Suppliers mostly ask buyers who look for what they sell.
            weights = [w * (6 if mine & groups_of[b.id] else 0.5)
                       for w, b in zip(popularity, buyers)]
            for buyer in dict.fromkeys(rng.choices(buyers, weights=weights, k=rng.randint(5, 8))):
                self.add(supplier, buyer, rng.choice(self.STATUSES))
        for buyer in buyers:
            for supplier in rng.sample(suppliers, k=min(len(suppliers), rng.randint(0, 3))):
                self.add(buyer, supplier, rng.choice(self.STATUSES))
        for expert in experts:
            for buyer in rng.sample(buyers, k=min(len(buyers), rng.randint(1, 3))):
                self.add(expert, buyer, rng.choice(self.STATUSES))
        self.session.flush()
        return self.count

    def add(self, sender: Participation, recipient: Participation, status: RequestStatus,
            age: int | None = None) -> None:
        key = (min(sender.id, recipient.id), max(sender.id, recipient.id))
        if key in self.pairs or sender.id == recipient.id or (
                sender.organisation_id is not None
                and sender.organisation_id == recipient.organisation_id):
            return
        rng = self.rng
        if status is RequestStatus.ACCEPTED and not (
                self.room(sender) > 0 and self.room(recipient) > 0
                and self.available[sender.id] & self.available[recipient.id]):
            status = RequestStatus.PENDING
        if status is RequestStatus.PENDING and (
                self.open_sent[sender.id] >= self.event.max_open_requests):
            status = RequestStatus.DECLINED
        days = self.event.request_expiry_days or 10
        if status is RequestStatus.PENDING:
            # Recent and still open; it expires when booking closes at the latest.
            age = rng.randint(0, 6) if age is None else age
            created = self.now - timedelta(days=age, minutes=rng.randint(0, 600))
            expires = min(created + timedelta(days=days), self.closes)
            if expires <= self.now:
                status = RequestStatus.EXPIRED
        if status is not RequestStatus.PENDING:
            created = self.now - timedelta(days=rng.randint(days + 1, days + 10),
                                           minutes=rng.randint(0, 600))
            expires = min(created + timedelta(days=days), self.closes)
        self.pairs.add(key)
        req = MeetingRequest(
            event_id=self.event.id, sender_id=sender.id, recipient_id=recipient.id,
            message=rng.choice(data.REQUEST_MESSAGES), status=status, created_at=created,
            priority=Priority.MUST_MEET.value if rng.random() < 0.3 else Priority.WOULD_LIKE.value,
            expires_at=expires)
        if status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.CANCELLED):
            req.responded_at = created + timedelta(hours=rng.randint(1, 72))
        if status is RequestStatus.DECLINED:
            req.decline_reason = rng.choice(data.DECLINE_REASONS)
        if status is RequestStatus.ACCEPTED:
            self.accepted[sender.id] += 1
            self.accepted[recipient.id] += 1
        elif status is RequestStatus.PENDING:
            self.open_sent[sender.id] += 1
        self.session.add(req)
        self.count += 1
