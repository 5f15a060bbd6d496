"""The demo's listings: suppliers' offers, buyers' queries and experts' advice.

Every title is unique in the event: a product and angle no one offers yet, else led by
the organisation's name or numbered.
"""
from __future__ import annotations

import random
from collections import defaultdict

from sqlalchemy.orm import Session

from ..models import (CircularStrategy, Event, Listing, ListingKind, Participation, ProductGroup,
                      Role)
from . import data
from .data import GROUP_WEIGHTS
from .naming import group_name
from .organisations import OrgSpec


class ListingBuilder:
    def __init__(self, session: Session, event: Event, rng: random.Random,
                 by_code: dict[str, ProductGroup], strategies: dict[str, CircularStrategy],
                 org_of: dict[str, OrgSpec]) -> None:
        self.session, self.event, self.rng = session, event, rng
        self.by_code, self.strategies, self.org_of = by_code, strategies, org_of
        self.titles: set[str] = set()

    def listings(self, people: dict[Role, list[Participation]]) -> None:
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
        topics = [(topic.format(group=group_name(group)), codes, group.code)
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
