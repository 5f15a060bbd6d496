"""A realistic demo event (slug `demo`) for trying the app out and for the tests.

Proportions follow the Green Deal on Circular Procurement: public and private buyers,
a larger group of suppliers, experts around them; organisations of one to three people;
offers and queries tagged with circular strategies; meeting requests in every state.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .database import utcnow
from .models import (Absence, CircularStrategy, DialogueSession, DialogueTable, Event, Listing,
                     ListingKind, MeetingRequest, Organisation, Participation, Phase, Priority,
                     ProductGroup, RequestStatus, Role, Table, User)
from .console.setup import add_meeting_block, add_tables
from .reference_data import ensure_reference_data
from .timeutil import local_to_utc

DEMO_SLUG = "demo"
DEMO_DOMAIN = "demo.example"
DEMO_DAY = date(2026, 12, 10)

FIRST_NAMES = [
    "Anna", "Bram", "Charlotte", "Dirk", "Els", "Farid", "Griet", "Hanne", "Ilse", "Jan",
    "Karim", "Lotte", "Marc", "Nele", "Olivier", "Pieter", "Quinten", "Roos", "Sofie", "Tom",
    "Ursula", "Veerle", "Wim", "Xavier", "Yasmine", "Zoë", "Amélie", "Baptiste", "Camille",
    "Dries", "Elise", "Fatima", "Geert", "Hélène", "Inès", "Joris", "Katrien", "Lucas", "Mira",
    "Nathalie", "Omar", "Patrick", "Rania", "Stijn", "Thomas", "Valérie", "Ward", "Yannick",
]
LAST_NAMES = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Dubois", "Lambert", "Dupont", "Martin", "Leroy", "Vermeulen",
    "Van den Broeck", "De Vos", "Hermans", "Desmet", "El Amrani", "Aerts", "Michiels",
    "Renard", "Simon", "Lemaire", "Verhoeven", "Cools", "Bosmans", "Declercq",
]
PUBLIC_BUYERS = [
    "City of Ghent", "City of Antwerp", "City of Leuven", "City of Mechelen", "City of Bruges",
    "Province of Limburg", "Province of East Flanders", "Flemish Government Facility Agency",
    "Flemish Waste Agency", "Brussels Environment", "Port of Antwerp-Bruges", "De Lijn",
    "Ghent University", "KU Leuven", "University Hospital Antwerp", "AZ Groeninge",
    "Federal Public Service Policy and Support", "Flemish Social Housing Company",
    "Agency for Roads and Traffic", "Aquafin", "Infrabel", "City of Kortrijk",
    "City of Hasselt", "Walloon Public Service", "Intercommunale Leiedal",
]
PRIVATE_BUYERS = [
    "Colruyt Group", "Proximus", "KBC", "Belfius", "Bpost", "Umicore", "Solvay", "Telenet",
    "Sodexo Belgium", "ISS Facility Services", "Bekaert", "Barco", "Etex", "Brussels Airport",
]
SUPPLIER_STEMS = {
    "textile": ["ReWeave", "LoopWear", "Fibre Again", "Uniform Cycle", "Second Thread"],
    "furniture": ["Refurnish", "Oak & Again", "Modulo Office", "Chair Loop", "Desk Revive"],
    "construction": ["Rotor Materials", "BuildBack", "Brick Circle", "Demount", "Concrete Loop"],
    "infrastructure": ["Road Renew", "Asphalt Again", "Pipe Cycle", "Kerb Return"],
    "ict": ["Device Refresh", "ReLaptop", "Screen Again", "Circular IT", "Server Second Life"],
    "food": ["Food Rescue", "Kitchen Loop", "Local Harvest", "Zero Waste Catering"],
    "packaging": ["Pack Return", "Crate Cycle", "BioPack", "Refill Systems"],
    "lighting": ["Light as a Service", "LED Loop", "Lumen Return"],
    "office-supplies": ["Paper Circle", "Office Loop", "Toner Return", "Pen Again"],
    "waste-management": ["Sort It", "Waste to Value", "Compost Co", "Recycle Partners"],
    "cleaning": ["Green Clean", "Eco Shine", "Refill Clean"],
    "mobility": ["Share Fleet", "Bike Loop", "E-Cargo Share", "Car Again"],
    "kitchen-appliances": ["Appliance Again", "Cook Cycle"],
}
SUPPLIER_SUFFIXES = ["", " Belgium", " Benelux", " Services", " Solutions", " & Co"]
EXPERT_ORGS = [
    "Circular Flanders", "VITO", "OVAM Knowledge Centre", "Buildwise", "Centexbel", "Agoria",
    "Fedustria", "Bond Beter Leefmilieu", "Cradle to Cradle Expert Network", "EcoVadis Belgium",
    "VIL", "Sirris", "Circular Procurement Academy", "BSI Circular Label",
]
OFFER_TEMPLATES = {
    "textile": [("Workwear leased and taken back for fibre-to-fibre recycling", ["D5", "E3", "B1"]),
                ("Uniforms from recycled polyester with repair service", ["B1", "C2", "C5"])],
    "furniture": [("Refurbished office chairs with five-year guarantee", ["A3", "C1", "C5"]),
                  ("Modular desks designed for disassembly", ["C6", "D1", "D2"])],
    "construction": [("Reclaimed bricks and timber, certified for reuse", ["A3", "D5", "B3"]),
                     ("Demountable partition walls", ["D1", "D2", "C6"])],
    "infrastructure": [("Asphalt with high recycled content", ["B1", "E2"]),
                       ("Street furniture from recycled plastics", ["B1", "E1"])],
    "ict": [("Refurbished laptops as a service", ["A2", "A3", "D6"]),
            ("Take-back and data-safe refurbishment of screens", ["D5", "E3"])],
    "food": [("Catering with local, seasonal produce and zero food waste", ["A5", "E5"]),
             ("Surplus food redistribution for canteens", ["A5", "D6"])],
    "packaging": [("Reusable crates with a deposit system", ["A1", "D5"]),
                  ("Compostable packaging for events", ["E5", "B2"])],
    "lighting": [("Light as a service: pay per lux, we keep the fittings", ["D6", "C2", "C7"]),
                 ("LED retrofit with take-back of old fittings", ["E3", "C3"])],
    "office-supplies": [("Remanufactured toner with take-back", ["D5", "A3"]),
                        ("Recycled paper and refillable pens", ["B1", "A5"])],
    "waste-management": [("Selective collection with material passports", ["E2", "E3"]),
                         ("On-site composting for organic waste", ["E5", "A5"])],
    "cleaning": [("Ecolabelled cleaning with concentrated refills", ["E4", "A4"]),
                 ("Cleaning service with dosing systems and training", ["C8", "A5"])],
    "mobility": [("Shared e-bike fleet for staff", ["A1", "A2", "D6"]),
                 ("Fleet management that extends vehicle life", ["C2", "C4"])],
    "kitchen-appliances": [("Professional kitchen equipment leased and maintained", ["C2", "D6"])],
}
QUERY_TEMPLATES = {
    "textile": [("Circular workwear tender for 2,000 staff", ["D5", "B1", "C5"])],
    "furniture": [("Furnishing a new office with reused furniture", ["A3", "C1", "D1"]),
                  ("Framework contract for repair of office chairs", ["C2", "C5"])],
    "construction": [("Renovation of a school with reclaimed materials", ["A3", "B3", "D1"])],
    "infrastructure": [("Road works with maximal recycled aggregates", ["B1", "E2"])],
    "ict": [("Laptops for 500 employees, refurbished or as a service", ["A2", "A3", "C1"]),
            ("Extending smartphone life in our fleet", ["C4", "C5"])],
    "food": [("Canteen catering without food waste", ["A5", "E5"])],
    "packaging": [("Reusable packaging for internal logistics", ["A1", "D5"])],
    "lighting": [("Lighting for a new depot as a service", ["D6", "C7"])],
    "office-supplies": [("Office supplies with take-back", ["D5", "B1"])],
    "waste-management": [("Waste contract rewarding prevention", ["A5", "C7", "E3"])],
    "cleaning": [("Green cleaning for 40 buildings", ["E4", "C8"])],
    "mobility": [("Shared mobility for staff", ["A1", "A2"])],
    "kitchen-appliances": [("Kitchen equipment for a new canteen, repairable", ["C5", "C2"])],
}
EXPERT_TOPICS = [
    ("Writing circular award criteria into tenders", ["C7", "D6"]),
    ("Life-cycle cost and impact assessment of purchases", ["B3", "E2"]),
    ("Market consultation before a circular tender", ["D6"]),
    ("Material passports and take-back contracts", ["D4", "E3"]),
]
REQUEST_MESSAGES = [
    "We saw your query and think our offer fits well. Could we meet?",
    "We are preparing a tender and would like to hear your experience.",
    "Interested in your take-back model; let's talk about a pilot.",
    "Could we discuss how you measure recycled content?",
    "",
]
DECLINE_REASONS = ["Not relevant for us this year.", "Our tender is already closed.", ""]


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


def seed_demo(session: Session, *, attendees: int = 200, seed: int = 1,
              password_hash: str, day: date = DEMO_DAY) -> DemoSummary:
    """Build the demo event. `password_hash` is used for every demo account."""
    if attendees < 8:
        raise ValueError("the demo event needs at least 8 attendees")
    rng = random.Random(seed)
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
    people = _make_people(session, event, rng, attendees, groups, password_hash, summary)
    _make_listings(session, event, rng, people, groups, strategies)
    _make_tables(session, event, rng, people, groups, attendees)
    _make_absences(session, event, rng, people)
    _make_dialogues(session, event, rng, people, groups, day)
    summary.requests = _make_requests(session, event, rng, people)
    summary.participants = sum(len(v) for v in people.values())
    session.flush()
    return summary


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _organisation(session: Session, name: str, *, is_public: bool = False) -> Organisation:
    key = Organisation.key_for(name)
    org = session.scalar(select(Organisation).where(Organisation.name_key == key))
    if org is None:
        slug = "".join(c for c in name.lower() if c.isalnum())[:30]
        org = Organisation(name=name, name_key=key, is_public=is_public,
                           website=f"https://{slug}.example")
        session.add(org)
        session.flush()
    return org


def _make_people(session, event, rng, attendees, groups, password_hash,
                 summary) -> dict[Role, list[Participation]]:
    n_buyers = max(2, round(attendees * 0.35))
    n_facilitators = max(1, round(attendees * 0.12))
    n_suppliers = max(2, attendees - n_buyers - n_facilitators - 1)
    people: dict[Role, list[Participation]] = {r: [] for r in Role}
    weights = [16, 16, 15, 11, 11, 9, 7, 7, 6, 6, 5, 5, 1]

    def add(email: str, role: Role, org: Organisation | None, name: str | None = None):
        user = User(email=email, name=name or _person_name(rng), password_hash=password_hash,
                    phone=f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} "
                          f"{rng.randint(10, 99)} {rng.randint(10, 99)}")
        session.add(user)
        part = Participation(event=event, user=user, organisation=org, role=role,
                             share_contact=rng.random() < 0.6)
        if role in (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR):
            picks = rng.choices(groups, weights=weights[:len(groups)], k=rng.randint(1, 3))
            part.product_groups = sorted(dict.fromkeys(picks), key=lambda g: g.sort_order)
        session.add(part)
        people[role].append(part)
        summary.accounts[email] = role.value
        return part

    organisers = _organisation(session, "Circular Procurement Network")
    add(f"organiser@{DEMO_DOMAIN}", Role.ORGANISER, organisers,
        name="Olivia Organiser").user.can_organise = True

    buyer_orgs = [(n, True) for n in PUBLIC_BUYERS] + [(n, False) for n in PRIVATE_BUYERS]
    rng.shuffle(buyer_orgs)
    _fill_role(session, rng, add, Role.BUYER, "buyer", n_buyers,
               [lambda i, o=o: o for o in buyer_orgs])
    supplier_names = [stem + suffix for stems in SUPPLIER_STEMS.values() for stem in stems
                      for suffix in SUPPLIER_SUFFIXES]
    rng.shuffle(supplier_names)
    _fill_role(session, rng, add, Role.SUPPLIER, "supplier", n_suppliers,
               [lambda i, n=n: (n, False) for n in supplier_names])
    expert_names = list(EXPERT_ORGS)
    rng.shuffle(expert_names)
    _fill_role(session, rng, add, Role.FACILITATOR, "facilitator", n_facilitators,
               [lambda i, n=n: (n, False) for n in expert_names])
    session.flush()
    return people


def _fill_role(session, rng, add, role, prefix, count, org_makers) -> None:
    """Create `count` people of a role in organisations of one to three people."""
    made, org_index = 0, 0
    while made < count:
        if org_index < len(org_makers):
            name, is_public = org_makers[org_index](org_index)
        else:
            name, is_public = f"{prefix.capitalize()} Organisation {org_index + 1}", False
        org_index += 1
        org = _organisation(session, name, is_public=is_public)
        size = min(count - made, rng.choices([1, 2, 3], weights=[6, 3, 1])[0])
        for _ in range(size):
            made += 1
            add(f"{prefix}{made}@{DEMO_DOMAIN}", role, org)


def _make_listings(session, event, rng, people, groups, strategies) -> None:
    by_code = {g.code: g for g in groups}
    for role, kind, templates in [(Role.SUPPLIER, ListingKind.OFFER, OFFER_TEMPLATES),
                                  (Role.BUYER, ListingKind.QUERY, QUERY_TEMPLATES)]:
        for part in people[role]:
            for group in part.product_groups[:rng.randint(1, 2)]:
                title, codes = rng.choice(templates[group.code])
                listing = Listing(event=event, participation=part, kind=kind,
                                  product_group=by_code[group.code], title=title,
                                  text=_listing_text(rng, kind, group.name, part))
                listing.strategies = [strategies[c] for c in codes]
                session.add(listing)
    for part in people[Role.FACILITATOR]:
        title, codes = rng.choice(EXPERT_TOPICS)
        group = part.product_groups[0]
        listing = Listing(event=event, participation=part, kind=ListingKind.OFFER,
                          product_group=group, title=title,
                          text=f"Independent advice for buyers and suppliers in {group.name}: "
                               f"{title.lower()}.")
        listing.strategies = [strategies[c] for c in codes]
        session.add(listing)
    session.flush()


def _listing_text(rng, kind, group_name, part) -> str:
    org = part.organisation.name if part.organisation else "We"
    if kind is ListingKind.OFFER:
        return (f"{org} supplies {group_name.lower()} with a circular business model. "
                f"References in {rng.choice(['Flanders', 'Brussels', 'Wallonia', 'the Netherlands'])}; "
                "we take products back at end of use and report on recycled content.")
    return (f"{org} prepares a procurement in {group_name.lower()} for "
            f"{rng.choice(['2027', 'next year', 'the coming months'])} and looks for circular "
            "answers: reuse, repair, take-back. We welcome market input before the tender.")


def _make_tables(session, event, rng, people, groups, attendees) -> None:
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


def _make_absences(session, event, rng, people) -> None:
    slots = list(event.slots)
    morning = [s for s in slots if s.block.name.endswith("(morning)")]
    afternoon = [s for s in slots if s not in morning]
    for role in (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR):
        for part in people[role]:
            roll = rng.random()
            if roll < 0.10:
                blocked = afternoon  # mornings only
            elif roll < 0.18:
                blocked = morning
            elif roll < 0.30:
                blocked = rng.sample(slots, k=min(2, len(slots)))
            else:
                continue
            for slot in blocked:
                session.add(Absence(participation=part, slot_id=slot.id))
    session.flush()


def _make_dialogues(session, event, rng, people, groups, day) -> None:
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


def _make_requests(session, event, rng, people) -> int:
    buyers, suppliers = people[Role.BUYER], people[Role.SUPPLIER]
    experts = people[Role.FACILITATOR]
    # Popular buyers attract many more requests (a long tail, as at real events).
    popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(len(buyers))]
    pairs: set[tuple[int, int]] = set()
    statuses = [RequestStatus.ACCEPTED] * 55 + [RequestStatus.PENDING] * 25 + \
        [RequestStatus.DECLINED] * 12 + [RequestStatus.CANCELLED] * 5 + [RequestStatus.EXPIRED] * 3
    now = utcnow()
    count = 0

    def request(sender: Participation, recipient: Participation) -> None:
        nonlocal count
        key = (min(sender.id, recipient.id), max(sender.id, recipient.id))
        if key in pairs or sender.id == recipient.id or (
                sender.organisation_id is not None
                and sender.organisation_id == recipient.organisation_id):
            return
        pairs.add(key)
        status = rng.choice(statuses)
        # Pending requests are recent (still open); answered and expired ones are older.
        age = rng.randint(0, 6) if status is RequestStatus.PENDING else rng.randint(11, 20)
        created = now - timedelta(days=age, minutes=rng.randint(0, 600))
        req = MeetingRequest(
            event_id=event.id, sender_id=sender.id, recipient_id=recipient.id,
            message=rng.choice(REQUEST_MESSAGES), status=status, created_at=created,
            priority=Priority.MUST_MEET.value if rng.random() < 0.3 else Priority.WOULD_LIKE.value,
            expires_at=created + timedelta(days=event.request_expiry_days or 10))
        if status is not RequestStatus.PENDING:
            req.responded_at = created + timedelta(hours=rng.randint(1, 72))
        if status is RequestStatus.DECLINED:
            req.decline_reason = rng.choice(DECLINE_REASONS)
        session.add(req)
        count += 1

    for supplier in suppliers:
        picks = rng.choices(buyers, weights=popularity, k=rng.randint(5, 8))
        for buyer in dict.fromkeys(picks):
            request(supplier, buyer)
    for buyer in buyers:
        for supplier in rng.sample(suppliers, k=min(len(suppliers), rng.randint(0, 3))):
            request(buyer, supplier)
    for expert in experts:
        for buyer in rng.sample(buyers, k=min(len(buyers), rng.randint(1, 3))):
            request(expert, buyer)
    session.flush()
    return count


def stand_of(session: Session, participation: Participation) -> Table | None:
    return session.scalar(select(Table).where(Table.owner_id == participation.id))
