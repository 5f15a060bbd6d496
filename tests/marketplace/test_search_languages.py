"""The market-place search finds built-in product groups and strategies by their English,
Dutch or French name, whatever the reader's language, with or without accents; names an
organiser typed are matched as typed.

These tests need the compiled catalogues: `make translations` (part of `make test`).
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.i18n import reference_names_in_all_languages
from matchmaker.models import CircularStrategy, Event, Listing, ProductGroup

ENGLISH = {"Accept-Language": "en"}
DUTCH = {"Accept-Language": "nl-BE,nl;q=0.9"}
FRENCH = {"Accept-Language": "fr-BE,fr;q=0.9"}
READERS = (ENGLISH, DUTCH, FRENCH)
BUYER = "buyer1@demo.example"


def found(client, query: str, headers=ENGLISH) -> set[int]:
    """Ids of every listing (offers and queries) the market place shows for `query`, over
    all its pages."""
    ids: set[int] = set()
    page = 1
    while True:
        response = client.get(f"/events/demo/market?{urlencode({'q': query, 'kind': 'both', 'page': page})}",
                              headers=headers)
        assert response.status_code == 200
        text = response.data.decode()
        ids.update(int(i) for i in re.findall(
            r'<h3><a href="/events/demo/listings/(\d+)">', text))
        if 'rel="next"' not in text:
            return ids
        page += 1


def in_group(app, code: str) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(
            select(Listing.id).join(Event).join(ProductGroup)
            .where(Event.slug == "demo", ProductGroup.code == code)))


def with_strategy(app, code: str) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(
            select(Listing.id).join(Event).join(Listing.strategies)
            .where(Event.slug == "demo", CircularStrategy.code == code)))


def saying(app, ids: set[int], word: str) -> set[int]:
    """Those of `ids` whose title or text has a word starting with `word`."""
    with app.app_context():
        rows = db.session.execute(
            select(Listing.id, Listing.title, Listing.text).where(Listing.id.in_(ids)))
        return {i for i, title, text in rows
                if re.search(rf"\b{word}", f"{title} {text}", re.IGNORECASE)}


FURNITURE_WORDS = ("furniture", "meubilair", "meubel", "mobilier", "meuble")
SEATING_WORDS = ("chair", "seat", "stoel", "zitmeubel", "chaise", "siege")
TEXTILE_WORDS = ("textile", "textiel", "fabric", "stof", "tissu")


def saying_any(app, ids: set[int], words) -> set[int]:
    return set().union(*(saying(app, ids, word) for word in words))


def test_furniture_listings_are_found_by_their_group_in_french_dutch_and_english(
        demo, login_as):
    client = login_as(BUYER)
    furniture = in_group(demo, "furniture")
    assert furniture
    for reader in READERS:
        in_english = found(client, "furniture", reader)
        # Each word also finds listings that say it, or a synonym, in their own words.
        assert furniture <= in_english
        assert found(client, "mobilier", reader) == in_english
        assert found(client, "meubilair", reader) == in_english
        others = in_english - furniture
        assert saying_any(demo, others, FURNITURE_WORDS) == others


def test_lighting_is_found_with_or_without_accents_and_in_dutch(demo, login_as):
    client = login_as(BUYER)
    lighting = in_group(demo, "lighting")
    assert lighting
    for query in ("eclairage", "éclairage", "ÉCLAIRAGE", "Eclair", "verlichting", "VERLICHT"):
        assert found(client, query, DUTCH) == lighting, query
    in_english = found(client, "lighting", FRENCH)
    assert lighting <= in_english
    assert saying(demo, in_english - lighting, "lighting") == in_english - lighting


def test_strategies_are_found_by_their_dutch_and_french_names(demo, login_as):
    client = login_as(BUYER)
    repair = with_strategy(demo, "C5")
    assert repair
    assert found(client, "herstelbaarheid") == repair
    assert found(client, "réparabilité", DUTCH) == repair
    assert found(client, "reparabilite maintenabilite", FRENCH) == repair
    assert found(client, "repairability", FRENCH) == repair


def test_a_translated_name_is_one_word_of_the_query_like_any_other(demo, login_as):
    client = login_as(BUYER)
    furniture = in_group(demo, "furniture")
    chairs = found(client, "mobilier chairs", FRENCH)
    assert chairs and chairs < furniture
    assert chairs == saying_any(demo, furniture, SEATING_WORDS)
    assert found(client, "meubilair chairs", DUTCH) == chairs
    assert found(client, "mobilier verlichting") == set()


def test_a_word_in_no_language_still_finds_nothing(demo, login_as):
    """Nothing within two letters of any word of the index or the synonym vocabulary
    ("mobilierx" is one letter from "mobilier": a typo, and found; see test_search_quality)."""
    client = login_as(BUYER)
    for reader in READERS:
        assert found(client, "meubelzzz", reader) == set()
        assert found(client, "qxzvwk", reader) == set()
    page = client.get("/events/demo/market?q=qxzvwk", headers=FRENCH).data.decode()
    assert "0 résultat pour « qxzvwk »" in page


def test_names_an_organiser_typed_are_matched_as_typed(demo, login_as):
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        textile = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "textile"))
        # a built-in group renamed by the organiser, with no word of the textile synonyms
        textile.name = "Workwear and linen"
        own = ProductGroup(code="seating", name="Zitmeubelen", sort_order=100)
        event.product_groups.append(own)
        model = db.session.scalar(select(Listing).join(Event).join(ProductGroup).where(
            Event.slug == "demo", ProductGroup.code == "furniture"))
        seats = Listing(event=event, participation=model.participation, kind=model.kind,
                        product_group=own, title="Reupholstered benches", text="")
        db.session.add(seats)
        db.session.commit()
        seats_id = seats.id
    client = login_as(BUYER)
    textile = in_group(demo, "textile")
    assert textile
    for reader in READERS:
        # 'zitmeubelen' is also in the synonym vocabulary (seating): listings that say
        # chairs or seats in their own words come too
        by_name = found(client, "zitmeubelen", reader)
        assert seats_id in by_name
        others = by_name - {seats_id}
        assert saying_any(demo, others, SEATING_WORDS) == others
        assert found(client, "zitmeub", reader) == {seats_id}
        assert seats_id not in found(client, "mobilier", reader)
        assert seats_id not in found(client, "furniture", reader)
        assert textile <= found(client, "workwear and linen", reader)
        # The renamed group is no longer translated: 'textiel' (its built-in Dutch name)
        # finds only listings whose own words say it or a synonym, not the whole group.
        by_synonym = found(client, "textiel", reader)
        assert saying_any(demo, by_synonym, TEXTILE_WORDS) == by_synonym
        assert textile - by_synonym


def test_each_built_in_name_is_listed_once_per_distinct_translation():
    names = reference_names_in_all_languages()
    assert names["Furniture"] == ("Furniture", "Meubilair", "Mobilier")
    assert names["Textile"] == ("Textile", "Textiel")
    assert names["Lighting"] == ("Lighting", "Verlichting", "Éclairage")
