"""The demo's organisations, drawn from `data` without repeats: buyers, suppliers, experts.

Each draw is an endless generator of `OrgSpec`: once the data's combinations run out
(tens of thousands of attendees), numbered names follow.
"""
from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product as combinations

from . import data
from .data import GROUP_WEIGHTS


@dataclass
class OrgSpec:
    """An organisation before it is saved, with what the demo draws for its people."""

    name: str
    kind: str
    groups: list[str]
    city: str
    country: str
    is_public: bool
    trade: str = ""


class OrganisationDraws:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def buyers(self) -> Iterator[OrgSpec]:
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
            yield OrgSpec(name, kind, groups, place, country, kind != "company")
        yield from self._numbered("Public Buyer", "city", data.BUYER_GROUPS["city"])

    def suppliers(self) -> Iterator[OrgSpec]:
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
            yield OrgSpec(name, "supplier", groups, place, country, False, trade=trade)
        yield from self._numbered("Circular Supplier", "supplier", tuple(GROUP_WEIGHTS))

    def experts(self) -> Iterator[OrgSpec]:
        codes = list(GROUP_WEIGHTS)
        fixed = list(data.EXPERT_ORGS)
        self.rng.shuffle(fixed)
        firms = [f"{last} {firm}" for last, firm in combinations(data.LAST_NAMES, data.EXPERT_FIRMS)]
        self.rng.shuffle(firms)
        places = [p for p in data.PLACES if p[1] == "BE"]
        for name, city, country in fixed:
            yield OrgSpec(name, "expert", self._groups_for(tuple(self._shuffled(codes)), 3),
                          city, country, False)
        for name in firms:
            place, country = self.rng.choice(places)
            yield OrgSpec(name, "expert", self._groups_for(tuple(self._shuffled(codes)), 2),
                          place, country, False)
        yield from self._numbered("Circular Expertise Centre", "expert", tuple(GROUP_WEIGHTS))

    def _numbered(self, stem: str, kind: str, groups: Sequence[str]) -> Iterator[OrgSpec]:
        """Past the data's combinations (tens of thousands of attendees): numbered names."""
        number = 1
        while True:
            yield OrgSpec(f"{stem} {number}", kind, [groups[0]], "Brussels", "BE",
                          kind == "city")
            number += 1

    def _groups_for(self, preferred: tuple[str, ...], k: int) -> list[str]:
        """`k` groups, earlier ones in `preferred` more likely, the first one first."""
        weights = [len(preferred) - i for i in range(len(preferred))]
        picked: list[str] = []
        while len(picked) < min(k, len(preferred)):
            code = self.rng.choices(preferred, weights=weights)[0]
            if code not in picked:
                picked.append(code)
        return picked

    def _shuffled(self, items):
        items = list(items)
        self.rng.shuffle(items)
        return items
