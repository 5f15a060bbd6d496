"""The demo's people: accounts, participations and the organisations they belong to.

Names are drawn from `data` without repeats; organisations have one to three people.
The shares follow the Green Deal on Circular Procurement: about a third buyers, an
eighth experts (facilitators), the rest suppliers, and one organiser.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import product as combinations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Event, Organisation, Participation, ProductGroup, Role, User
from . import data
from .naming import fold, group_name, slug
from .organisations import OrganisationDraws, OrgSpec

DEMO_DOMAIN = "demo.example"


class PeopleBuilder:
    """Makes the people of the demo event; remembers each organisation's `OrgSpec`."""

    def __init__(self, session: Session, event: Event, rng: random.Random,
                 groups: list[ProductGroup], password_hash: str,
                 accounts: dict[str, str]) -> None:
        self.session, self.event, self.rng = session, event, rng
        self.by_code = {g.code: g for g in groups}
        self.password_hash, self.accounts = password_hash, accounts
        names = [(first, last) for first, last in combinations(data.FIRST_NAMES, data.LAST_NAMES)
                 if fold(first) != fold(last)]
        rng.shuffle(names)
        self.names = iter(names)
        self.org_of: dict[str, OrgSpec] = {}  # by the organisation's name_key
        # Looked up once: demo accounts left by a removed demo, organisations of any event.
        self.users = {u.email: u for u in session.scalars(
            select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")))}
        self.orgs = {o.name_key: o for o in session.scalars(select(Organisation))}

    def people(self, attendees: int) -> dict[Role, list[Participation]]:
        n_buyers = max(2, round(attendees * 0.35))
        n_facilitators = max(1, round(attendees * 0.12))
        n_suppliers = max(2, attendees - n_buyers - n_facilitators - 1)
        people: dict[Role, list[Participation]] = {r: [] for r in Role}
        host = self._organisation(OrgSpec("Circular Procurement Network", "network", [],
                                          "Brussels", "BE", True))
        organiser = self._person(f"organiser@{DEMO_DOMAIN}", Role.ORGANISER, host, None, [])
        organiser.user.can_organise = True  # granted, as an administrator would
        people[Role.ORGANISER].append(organiser)
        draws = OrganisationDraws(self.rng)
        with self.session.no_autoflush:
            for role, prefix, count, orgs in [
                    (Role.BUYER, "buyer", n_buyers, draws.buyers()),
                    (Role.SUPPLIER, "supplier", n_suppliers, draws.suppliers()),
                    (Role.FACILITATOR, "facilitator", n_facilitators, draws.experts())]:
                self._fill(people[role], role, prefix, count, orgs)
        self.session.flush()
        return people

    def _fill(self, out: list[Participation], role: Role, prefix: str, count: int,
              orgs: Iterator[OrgSpec]) -> None:
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

    def _person_groups(self, spec: OrgSpec) -> list[str]:
        if len(spec.groups) <= 1:
            return list(spec.groups)
        k = self.rng.choices([1, 2, 3], weights=[3, 4, 2])[0]
        return [spec.groups[0]] + self.rng.sample(spec.groups[1:], k=min(k, len(spec.groups)) - 1)

    def _person(self, email: str, role: Role, org: Organisation, spec: OrgSpec | None,
                group_codes: list[str]) -> Participation:
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
            names = [group_name(self.by_code[c]) for c in codes]
            listed = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
            part.pitch = data.PITCHES[role.value].format(groups=listed, trade=spec.trade)[:200]
            if role is not Role.FACILITATOR and rng.random() < 0.1:
                part.max_meetings = rng.choice([6, 8])
        self.session.add(part)
        self.accounts[email] = role.value
        return part

    def _organisation(self, spec: OrgSpec) -> Organisation:
        key = Organisation.key_for(spec.name)
        org = self.orgs.get(key)
        if org is None:
            org = self.orgs[key] = Organisation(
                name=spec.name, name_key=key, is_public=spec.is_public,
                website=f"https://{slug(spec.name)}.example", city=spec.city,
                country=spec.country)
            self.session.add(org)
        self.org_of[key] = spec
        return org
