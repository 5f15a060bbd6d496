"""Build the demo event (slug `demo`) from the data in `demo.data`.

Proportions follow the Green Deal on Circular Procurement: public and private buyers,
a larger group of suppliers, experts around them; organisations of one to three people;
offers and queries in the product groups their organisation works in.

The demo keeps the rules the app enforces: nobody holds more accepted requests than
their cap (the event's `default_max_meetings`, a personal `max_meetings`, and the slots
they are present for), two people only have an accepted meeting if they share a free
slot, nobody has more open requests than `max_open_requests`, and every pending request
expires before booking closes (the day before the first slot). The event stands
mid-booking: everyone has room for at least one more meeting, so an Accept that a
visitor tries works unless they fill the place themselves.

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
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import product as combinations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..database import utcnow
from ..models import (Absence, CircularStrategy, DialogueSession, DialogueTable, Event, Listing,
                      ListingKind, MeetingRequest, Organisation, Participation, Phase, Priority,
                      ProductGroup, RequestStatus, Role, Table, User)
from ..console.setup import add_meeting_block, add_tables
from ..reference_data import ensure_reference_data
from ..timeutil import local_to_utc
from . import data

DEMO_SLUG = "demo"
DEMO_DOMAIN = "demo.example"
# The event day is a week ahead of the day the demo is made, so booking is open and the
# requests the demo leaves pending have a future to expire in, whenever it is seeded.
DEMO_DAYS_AHEAD = 7
DEMO_DAY = date.today() + timedelta(days=DEMO_DAYS_AHEAD)
# Product groups weighted by their number of Green Deal projects (DOMAIN.md).
GROUP_WEIGHTS = {"textile": 16, "furniture": 16, "construction": 15, "infrastructure": 11,
                 "ict": 11, "food": 9, "packaging": 7, "lighting": 7, "office-supplies": 6,
                 "waste-management": 6, "cleaning": 5, "mobility": 5, "kitchen-appliances": 1}
STORY_SUPPLIER = 12  # supplierN whose pending request buyer1 can accept


@dataclass
class DemoSummary:
    event: Event
    accounts: dict[str, str] = field(default_factory=dict)  # e-mail -> role
    participants: int = 0
    requests: int = 0


@dataclass
class _Org:
    name: str
    kind: str
    groups: list[str]
    city: str
    country: str
    is_public: bool
    trade: str = ""


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
    builder = _Builder(session, event, rng, groups, strategies, password_hash, summary)
    people = builder.people(attendees)
    builder.listings(people)
    _make_tables(session, event, rng, people, groups, attendees)
    available = _make_absences(session, event, rng, people)
    _make_dialogues(session, event, rng, people, groups, day)
    summary.requests = _Requests(session, event, rng, people, available, now).make()
    summary.participants = sum(len(v) for v in people.values())
    session.flush()
    return summary


def _fold(text: str) -> str:
    """'Dries De Smet' and 'dries desmet' fold alike: no near-duplicate names."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _group_name(group: ProductGroup) -> str:
    """'furniture', 'ICT': a product group's name inside a sentence."""
    return group.name if group.name.isupper() else group.name.lower()


def _slug(name: str) -> str:
    return _fold(name)[:30] or "org"


class _Builder:
    """People, organisations and listings, drawn from `data` without repeats."""

    def __init__(self, session, event, rng, groups, strategies, password_hash, summary):
        self.session, self.event, self.rng = session, event, rng
        self.by_code = {g.code: g for g in groups}
        self.strategies, self.password_hash, self.summary = strategies, password_hash, summary
        names = [(first, last) for first, last in combinations(data.FIRST_NAMES, data.LAST_NAMES)
                 if _fold(first) != _fold(last)]
        rng.shuffle(names)
        self.names = iter(names)
        self.titles: set[str] = set()
        self.org_of: dict[str, _Org] = {}  # by the organisation's name_key
        # Looked up once: demo accounts left by a removed demo, organisations of any event.
        self.users = {u.email: u for u in session.scalars(
            select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")))}
        self.orgs = {o.name_key: o for o in session.scalars(select(Organisation))}

    # --- people -------------------------------------------------------------------------
    def people(self, attendees: int) -> dict[Role, list[Participation]]:
        n_buyers = max(2, round(attendees * 0.35))
        n_facilitators = max(1, round(attendees * 0.12))
        n_suppliers = max(2, attendees - n_buyers - n_facilitators - 1)
        people: dict[Role, list[Participation]] = {r: [] for r in Role}
        host = self._organisation(_Org("Circular Procurement Network", "network", [],
                                       "Brussels", "BE", True))
        organiser = self._person(f"organiser@{DEMO_DOMAIN}", Role.ORGANISER, host, None, [])
        organiser.user.can_organise = True  # granted, as an administrator would
        people[Role.ORGANISER].append(organiser)
        with self.session.no_autoflush:
            for role, prefix, count, orgs in [
                    (Role.BUYER, "buyer", n_buyers, self._buyer_orgs()),
                    (Role.SUPPLIER, "supplier", n_suppliers, self._supplier_orgs()),
                    (Role.FACILITATOR, "facilitator", n_facilitators, self._expert_orgs())]:
                self._fill(people[role], role, prefix, count, orgs)
        self.session.flush()
        return people

    def _fill(self, out, role, prefix, count, orgs) -> None:
        """`count` people of a role in organisations of one to three people."""
        while len(out) < count:
            spec = next(orgs)
            size = min(count - len(out), self.rng.choices([1, 2, 3], weights=[6, 3, 1])[0])
            if role is Role.SUPPLIER and len(out) == 4:
                size = min(count - len(out), 2)  # supplier5 and supplier6: colleagues
            elif role is Role.SUPPLIER and len(out) < 4:
                size = 1
            org = self._organisation(spec)
            for _ in range(size):
                email = f"{prefix}{len(out) + 1}@{DEMO_DOMAIN}"
                codes = spec.groups if role is Role.SUPPLIER else self._person_groups(spec)
                out.append(self._person(email, role, org, spec, codes))

    def _person_groups(self, spec: _Org) -> list[str]:
        if len(spec.groups) <= 1:
            return list(spec.groups)
        k = self.rng.choices([1, 2, 3], weights=[3, 4, 2])[0]
        return [spec.groups[0]] + self.rng.sample(spec.groups[1:], k=min(k, len(spec.groups)) - 1)

    def _person(self, email, role, org, spec, group_codes) -> Participation:
        first, last = next(self.names)
        rng = self.rng
        user = self.users.get(email)
        if user is None:
            user = self.users[email] = User(email=email)
            self.session.add(user)
        user.name, user.password_hash = f"{first} {last}", self.password_hash
        prefix = {"NL": "+31 6", "FR": "+33 6"}.get(org.country, f"+32 4{rng.randint(70, 99)}")
        user.phone = (f"{prefix} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                      f"{rng.randint(10, 99)}")
        part = Participation(event=self.event, user=user, organisation=org, role=role,
                             share_contact=rng.random() < 0.6)
        codes = sorted(set(group_codes), key=lambda c: self.by_code[c].sort_order)
        part.product_groups = [self.by_code[c] for c in codes]
        if spec is not None:
            names = [_group_name(self.by_code[c]) for c in codes]
            listed = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
            part.pitch = data.PITCHES[role.value].format(groups=listed, trade=spec.trade)[:200]
            if role is not Role.FACILITATOR and rng.random() < 0.1:
                part.max_meetings = rng.choice([6, 8])
        self.session.add(part)
        self.summary.accounts[email] = role.value
        return part

    def _organisation(self, spec: _Org) -> Organisation:
        key = Organisation.key_for(spec.name)
        org = self.orgs.get(key)
        if org is None:
            org = self.orgs[key] = Organisation(
                name=spec.name, name_key=key, is_public=spec.is_public,
                website=f"https://{_slug(spec.name)}.example", city=spec.city,
                country=spec.country)
            self.session.add(org)
        self.org_of[key] = spec
        return org

    def _groups_for(self, preferred: tuple[str, ...], k: int) -> list[str]:
        """`k` groups, earlier ones in `preferred` more likely, the first one first."""
        weights = [len(preferred) - i for i in range(len(preferred))]
        picked: list[str] = []
        while len(picked) < min(k, len(preferred)):
            code = self.rng.choices(preferred, weights=weights)[0]
            if code not in picked:
                picked.append(code)
        return picked

    # --- organisations ------------------------------------------------------------------
    def _buyer_orgs(self):
        pool = [(name, kind, place, country) for name, kind, place, country in data.NAMED_BUYERS]
        for kind, templates in data.PLACE_BUYERS.items():
            for template in templates:
                for place, country in data.PLACES:
                    if kind in data.BELGIAN_ONLY and country != "BE":
                        continue
                    pool.append((template.format(place=place), kind, place, country))
        self.rng.shuffle(pool)
        for name, kind, place, country in pool:
            groups = self._groups_for(data.BUYER_GROUPS[kind], self.rng.randint(2, 4))
            yield _Org(name, kind, groups, place, country, kind != "company")
        yield from self._numbered("Public Buyer", "city", data.BUYER_GROUPS["city"])

    def _supplier_orgs(self):
        codes = list(GROUP_WEIGHTS)
        names: dict[str, list[str]] = {}
        for code in codes:
            pool = [f"{brand} {trade}" for brand, trade
                    in combinations(data.BRANDS, data.SUPPLIER_TRADES[code])]
            self.rng.shuffle(pool)
            names[code] = pool
        places = [p for p in data.PLACES if p[1] == "BE"]
        while any(names.values()):
            live = [c for c in codes if names[c]]
            code = self.rng.choices(live, weights=[GROUP_WEIGHTS[c] for c in live])[0]
            name = names[code].pop()
            groups = [code]
            if self.rng.random() < 0.3:
                groups.append(self.rng.choice(data.RELATED_GROUPS[code]))
            place, country = self.rng.choice(places)
            trade = name.split(" ", 1)[1] if " " in name else name
            for t in data.SUPPLIER_TRADES[code]:
                if name.endswith(t):
                    trade = t
            yield _Org(name, "supplier", groups, place, country, False, trade=trade)
        yield from self._numbered("Circular Supplier", "supplier", tuple(GROUP_WEIGHTS))

    def _expert_orgs(self):
        codes = list(GROUP_WEIGHTS)
        fixed = list(data.EXPERT_ORGS)
        self.rng.shuffle(fixed)
        firms = [f"{last} {firm}" for last, firm in combinations(data.LAST_NAMES, data.EXPERT_FIRMS)]
        self.rng.shuffle(firms)
        places = [p for p in data.PLACES if p[1] == "BE"]
        for name, city, country in fixed:
            yield _Org(name, "expert", self._groups_for(tuple(self._shuffled(codes)), 3),
                       city, country, False)
        for name in firms:
            place, country = self.rng.choice(places)
            yield _Org(name, "expert", self._groups_for(tuple(self._shuffled(codes)), 2),
                       place, country, False)
        yield from self._numbered("Circular Expertise Centre", "expert", tuple(GROUP_WEIGHTS))

    def _numbered(self, stem, kind, groups):
        """Past the data's combinations (tens of thousands of attendees): numbered names."""
        number = 1
        while True:
            yield _Org(f"{stem} {number}", kind, [groups[0]], "Brussels", "BE", kind == "city")
            number += 1

    def _shuffled(self, items):
        items = list(items)
        self.rng.shuffle(items)
        return items

    # --- listings -----------------------------------------------------------------------
    def listings(self, people) -> None:
        offer_pools = {code: self._offer_pool(code) for code in GROUP_WEIGHTS}
        first_of_org: set[int] = set()
        for part in people[Role.SUPPLIER]:
            spec = self.org_of[part.organisation.name_key]
            codes = [g.code for g in part.product_groups]
            picks = [codes[0]]
            if part.organisation_id not in first_of_org and len(spec.groups) > 1:
                picks.append(spec.groups[1])
            first_of_org.add(part.organisation_id)
            for code in picks:
                title, strategy_codes = self._draw(offer_pools[code], part)
                self._add(part, ListingKind.OFFER, code, title, strategy_codes,
                          data.OFFER_TEXT.format(org=part.organisation.name,
                                                 offer=title[0].lower() + title[1:],
                                                 reference=self.rng.choice(data.REFERENCES)))
        used_needs: dict[int, set[str]] = defaultdict(set)
        for part in people[Role.BUYER]:
            codes = [g.code for g in part.product_groups]
            for code in codes[:self.rng.randint(1, 2)]:
                needs = [n for n in data.QUERY_NEEDS[code]
                         if n[0] not in used_needs[part.organisation_id]]
                if not needs:
                    continue
                need, strategy_codes = self.rng.choice(needs)
                used_needs[part.organisation_id].add(need)
                title = f"{part.organisation.name}: {need[0].lower()}{need[1:]}"
                self._add(part, ListingKind.QUERY, code, self._unique(title, part), strategy_codes,
                          data.QUERY_TEXT.format(org=part.organisation.name,
                                                 need=need[0].lower() + need[1:],
                                                 when=self.rng.choice(data.QUERY_WHEN)))
        topics = [(topic.format(group=_group_name(group)), codes, group.code)
                  for topic, codes in data.EXPERT_TOPICS for group in self.by_code.values()]
        self.rng.shuffle(topics)
        for part in people[Role.FACILITATOR]:
            mine = {g.code for g in part.product_groups}
            pick = next((t for t in topics if t[2] in mine and t[0] not in self.titles), None)
            if pick is None:
                pick = next(t for t in topics if t[2] in mine)
            title, strategy_codes, code = self._unique(pick[0], part), pick[1], pick[2]
            self._add(part, ListingKind.OFFER, code, title, strategy_codes,
                      data.EXPERT_TEXT.format(topic=title[0].lower() + title[1:],
                                              org=part.organisation.name,
                                              reference=self.rng.choice(data.REFERENCES)))
        self.session.flush()

    def _offer_pool(self, code: str) -> list[tuple[str, tuple[str, ...]]]:
        pool = []
        for product, product_codes, angle_keys in data.OFFER_PRODUCTS[code]:
            for key in angle_keys:
                angle, angle_codes = data.OFFER_ANGLES[key]
                pool.append((f"{product} {angle}",
                             tuple(dict.fromkeys(product_codes + angle_codes))[:3]))
        self.rng.shuffle(pool)
        return pool

    def _draw(self, pool, part) -> tuple[str, tuple[str, ...]]:
        """A product and angle no one offers yet; once the group's run out, a branded one."""
        while pool:
            title, codes = pool.pop()
            if title not in self.titles:
                return title, codes
        title, codes = self.rng.choice(self._offer_pool(part.product_groups[0].code))
        spec = self.org_of[part.organisation.name_key]
        brand = spec.name[:-len(spec.trade)].strip() if spec.trade else spec.name
        return self._unique(f"{brand} {title[0].lower()}{title[1:]}", part), codes

    def _unique(self, title: str, part: Participation) -> str:
        """The title, or led by the organisation's name when another listing has it."""
        if title in self.titles:
            title = f"{part.organisation.name}: {title[0].lower()}{title[1:]}"
        number = 2
        base = title
        while title in self.titles:
            title, number = f"{base} ({number})", number + 1
        return title

    def _add(self, part, kind, code, title, strategy_codes, text) -> None:
        self.titles.add(title)
        listing = Listing(event=self.event, participation=part, kind=kind,
                          product_group=self.by_code[code], title=title[:160], text=text)
        listing.strategies = [self.strategies[c] for c in dict.fromkeys(strategy_codes)]
        self.session.add(listing)


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


def _story_people(people) -> tuple[Participation, Participation, Participation]:
    """buyer1, supplier1 and the supplier whose request buyer1 can accept."""
    suppliers = people[Role.SUPPLIER]
    buyer1, supplier1 = people[Role.BUYER][0], suppliers[0]
    waiting = suppliers[min(STORY_SUPPLIER, len(suppliers)) - 1]
    return buyer1, supplier1, waiting


def _make_absences(session, event, rng, people) -> dict[int, set[int]]:
    """Absences for some people; returns the slot ids each participant is present for."""
    slots = list(event.slots)
    all_ids = {s.id for s in slots}
    morning = [s for s in slots if s.block.name.endswith("(morning)")]
    afternoon = [s for s in slots if s not in morning]
    story = {p.id for p in _story_people(people)}
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


class _Requests:
    """Meeting requests in every state that keep the event's rules (see the module doc)."""

    STATUSES = ([RequestStatus.ACCEPTED] * 55 + [RequestStatus.PENDING] * 25
                + [RequestStatus.DECLINED] * 12 + [RequestStatus.CANCELLED] * 5
                + [RequestStatus.EXPIRED] * 3)

    def __init__(self, session, event, rng, people, available, now):
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
        buyer1, supplier1, waiting = _story_people(people)
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


def stand_of(session: Session, participation: Participation) -> Table | None:
    return session.scalar(select(Table).where(Table.owner_id == participation.id))
