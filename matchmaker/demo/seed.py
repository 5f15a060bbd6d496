"""Build the demo event (slug `demo`) from the data in `demo.data`, and take it away.

Proportions follow the Green Deal on Circular Procurement: public and private buyers,
a larger group of suppliers, experts around them; organisations of one to three people
(`people`, `organisations`); offers and queries in the product groups their organisation
works in (`listings`); tables and market dialogues (`venue`); absences and meeting
requests that keep the rules the app enforces (`requests`).

A few facts hold whatever the seed, so that a visitor (and the tests) can rely on them:
- buyer1, supplier1 and the sender of buyer1's waiting request attend every slot;
- buyer1 and supplier1 have an accepted meeting (supplier1 asked);
- supplier12 (or the last supplier in a smaller demo) has a pending request to buyer1;
  buyer1 has room for two more meetings;
- supplier1 has sent no other request (none waiting for an answer); supplier1 and
  supplier2 have no request with buyer2 to buyer5 yet, so they can ask them;
- supplier5 and supplier6 work for the same organisation.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..console.setup import add_meeting_block
from ..database import utcnow
from ..models import CircularStrategy, Event, Organisation, Participation, Phase, ProductGroup, User
from ..reference_data import ensure_reference_data
from .listings import ListingBuilder
from .people import DEMO_DOMAIN, PeopleBuilder
from .requests import RequestMaker, make_absences
from .venue import make_dialogues, make_tables

DEMO_SLUG = "demo"
# The event day is a week ahead of the day the demo is made, so booking is open and the
# requests the demo leaves pending have a future to expire in, whenever it is seeded.
DEMO_DAYS_AHEAD = 7
DEMO_DAY = date.today() + timedelta(days=DEMO_DAYS_AHEAD)


@dataclass
class DemoSummary:
    event: Event
    accounts: dict[str, str] = field(default_factory=dict)  # e-mail -> role
    participants: int = 0
    requests: int = 0


def demo_accounts(password: str) -> list[tuple[str, str]]:
    return [(f"{who}@{DEMO_DOMAIN}", f"{role}, password {password}") for who, role in [
        ("organiser", "organiser"), ("buyer1", "buyer"), ("supplier1", "supplier"),
        ("facilitator1", "expert (facilitator)")]]


def demo_exists(session: Session) -> bool:
    return session.scalar(select(Event.id).where(Event.slug == DEMO_SLUG)) is not None


def remove_demo(session: Session) -> None:
    """Delete the demo event with everything in it, its accounts and organisations.

    A demo account that also takes part in another event is kept; so is an
    organisation someone outside the demo belongs to.
    """
    event_id = session.scalar(select(Event.id).where(Event.slug == DEMO_SLUG))
    if event_id is None:
        return
    org_ids = set(session.scalars(select(Participation.organisation_id).where(
        Participation.event_id == event_id, Participation.organisation_id.is_not(None))))
    session.execute(delete(Event).where(Event.id == event_id))
    session.flush()
    session.expunge_all()
    busy_users = select(Participation.user_id)
    session.execute(delete(User).where(User.email.like(f"%@{DEMO_DOMAIN}"),
                                       User.id.not_in(busy_users)))
    if org_ids:
        used = select(Participation.organisation_id).where(
            Participation.organisation_id.is_not(None))
        session.execute(delete(Organisation).where(Organisation.id.in_(org_ids),
                                                   Organisation.id.not_in(used)))
    session.flush()


def seed_demo(session: Session, *, attendees: int = 200, seed: int = 1,
              password_hash: str, day: date = DEMO_DAY,
              now: datetime | None = None) -> DemoSummary:
    """Build the demo event. `password_hash` is used for every demo account."""
    if attendees < 8:
        raise ValueError("the demo event needs at least 8 attendees")
    rng = random.Random(seed)
    now = now or utcnow()
    ensure_reference_data(session)
    groups = list(session.scalars(select(ProductGroup).order_by(ProductGroup.sort_order)))
    strategies = {s.code: s for s in session.scalars(select(CircularStrategy))}

    event = Event(
        name="Buyer meets Supplier: Circular Procurement Days", slug=DEMO_SLUG,
        timezone="Europe/Brussels", venue="Tour & Taxis, Brussels", phase=Phase.BOOKING_OPEN,
        description="Public and private buyers meet suppliers of circular products and "
                    "services: market dialogues per product group, pre-booked one-to-one "
                    "meetings and a market place.",
        max_open_requests=20, default_max_meetings=10, request_expiry_days=10)
    event.product_groups = groups
    session.add(event)
    session.flush()

    add_meeting_block(session, event, day=day, start=time(10, 30), end=time(12, 30),
                      meeting_minutes=20, break_minutes=5, name="One-to-one meetings (morning)")
    add_meeting_block(session, event, day=day, start=time(14, 30), end=time(17, 30),
                      meeting_minutes=20, break_minutes=5,
                      name="One-to-one meetings (afternoon)")

    summary = DemoSummary(event=event)
    builder = PeopleBuilder(session, event, rng, groups, password_hash, summary.accounts)
    people = builder.people(attendees)
    ListingBuilder(session, event, rng, builder.by_code, strategies,
                   builder.org_of).listings(people)
    make_tables(session, event, rng, people, groups, attendees)
    available = make_absences(session, event, rng, people)
    make_dialogues(session, event, people, groups, day)
    summary.requests = RequestMaker(session, event, rng, people, available, now).make()
    summary.participants = sum(len(v) for v in people.values())
    session.flush()
    return summary
