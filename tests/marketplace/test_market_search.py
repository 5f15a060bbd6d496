"""The market place: relevance order, filters, pagination, harmless search input, access."""
import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import (CircularStrategy, Event, Listing, ListingKind, Organisation,
                               Participation, ProductGroup, Role, User)
from support import DEMO_PASSWORD, login, register


@pytest.fixture
def market(app):
    """An event with a few hand-made listings; returns a helper to add more."""
    with app.app_context():
        hashed = app.extensions["passwords"].hash(DEMO_PASSWORD)
        groups = {g.code: g for g in db.session.scalars(select(ProductGroup))}
        strategies = {s.code: s for s in db.session.scalars(select(CircularStrategy))}
        event = Event(name="Market test", slug="mkt")
        event.product_groups = [groups["ict"], groups["furniture"], groups["textile"]]
        db.session.add(event)

        def person(email, role, org_name):
            org = Organisation(name=org_name, name_key=Organisation.key_for(org_name))
            part = Participation(event=event, role=role, organisation=org, user=User(
                email=email, name=email.split("@")[0], password_hash=hashed))
            db.session.add(part)
            return part

        def listing(owner, title, text="", group="ict", codes=(), kind=ListingKind.OFFER):
            item = Listing(event=event, participation=owner, kind=kind,
                           product_group=groups[group], title=title, text=text)
            item.strategies = [strategies[c] for c in codes]
            db.session.add(item)
            return item

        buyer = person("buyer@mkt.example", Role.BUYER, "City of Testing")
        alpha = person("alpha@mkt.example", Role.SUPPLIER, "Alpha Refurb")
        laptop_org = person("loop@mkt.example", Role.SUPPLIER, "Laptop Loop")
        beta = person("beta@mkt.example", Role.SUPPLIER, "Beta Office")
        listing(alpha, "Laptop as a service", "We lease and take back devices.", codes=["A2", "D6"])
        listing(laptop_org, "Screens refurbished", "Monitors with warranty.", codes=["A3"])
        listing(beta, "Office desks", "Desks, and a laptop stand on request.", group="furniture",
                codes=["C5"])
        listing(beta, "Workwear from recycled fibres", "Uniforms.", group="textile",
                codes=["B1"])
        listing(buyer, "Repairable laptops wanted", "Tender for laptops.", kind=ListingKind.QUERY,
                codes=["C5"])
        db.session.commit()
    return app


def client_for(app, email="buyer@mkt.example"):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def titles(response) -> list[str]:
    return [t.strip() for t in re.findall(r'<h3><a href="/events/mkt/listings/\d+">([^<]+)</a>',
                                          response.data.decode())]


def test_search_ranks_title_before_organisation_before_text(market):
    client = client_for(market)
    response = client.get("/events/mkt/market?q=laptop&kind=offer")
    assert response.status_code == 200
    assert titles(response) == ["Laptop as a service", "Screens refurbished", "Office desks"]


def test_search_needs_every_word_and_finds_word_starts_and_strategy_names(market):
    client = client_for(market)
    assert titles(client.get("/events/mkt/market?q=laptop+service&kind=both")) == [
        "Laptop as a service"]
    # 'refurb' is the whole of "Alpha Refurb" and the start of "refurbished" in a title.
    assert titles(client.get("/events/mkt/market?q=refurb&kind=both")) == [
        "Laptop as a service", "Screens refurbished"]
    assert titles(client.get("/events/mkt/market?q=repairability&kind=both")) == [
        "Repairable laptops wanted", "Office desks"]
    assert titles(client.get("/events/mkt/market?q=unicorn&kind=both")) == []
    assert b"Nothing matches" in client.get("/events/mkt/market?q=unicorn").data


def test_filters_by_kind_group_strategy_and_organisation(market):
    client = client_for(market)
    assert titles(client.get("/events/mkt/market?kind=query")) == ["Repairable laptops wanted"]
    assert titles(client.get("/events/mkt/market?group=textile")) == [
        "Workwear from recycled fibres"]
    assert sorted(titles(client.get("/events/mkt/market?strategy=C5&kind=both"))) == [
        "Office desks", "Repairable laptops wanted"]
    with market.app_context():
        beta = db.session.scalar(select(Organisation.id).where(Organisation.name == "Beta Office"))
    assert sorted(titles(client.get(f"/events/mkt/market?organisation={beta}&kind=both"))) == [
        "Office desks", "Workwear from recycled fibres"]
    assert titles(client.get(f"/events/mkt/market?organisation={beta}&q=laptop")) == [
        "Office desks"]


def test_unknown_filter_values_are_ignored_not_errors(market):
    client = client_for(market)
    for query in ("group=nope", "strategy=Z9", "organisation=abc", "page=-3",
                  "page=99999999999999999999", "organisation=0"):
        response = client.get(f"/events/mkt/market?{query}&kind=both")
        assert response.status_code == 200, query
        assert len(titles(response)) == 5, query
        # without a valid kind, the buyer sees the offers (their default)
        response = client.get(f"/events/mkt/market?{query}")
        assert response.status_code == 200, query
        assert len(titles(response)) == 4, query
    assert len(titles(client.get("/events/mkt/market?kind=nope"))) == 4


def test_search_input_with_sql_and_html_metacharacters_is_harmless(market):
    client = client_for(market)
    for q in ("'; DROP TABLE listing; --", "\" OR 1=1 --", "%", "_", "\\", "laptop%' OR '1'='1",
              "<script>alert(1)</script>", "{{ 7*7 }}", "\x00"):
        response = client.get("/events/mkt/market", query_string={"q": q})
        assert response.status_code == 200, q
        assert b"<script>alert(1)</script>" not in response.data
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(
        "/events/mkt/market", query_string={"q": "<script>alert(1)</script>"}).data
    with market.app_context():
        assert db.session.scalar(select(func.count()).select_from(Listing)) == 5
    assert len(titles(client.get("/events/mkt/market?kind=both"))) == 5


def test_pagination_shows_twenty_per_page_and_links_keep_the_filters(market):
    with market.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "mkt"))
        owner = db.session.scalar(select(Participation).join(User).where(
            User.email == "alpha@mkt.example"))
        group = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "ict"))
        for n in range(45):
            db.session.add(Listing(event=event, participation=owner, kind=ListingKind.OFFER,
                                   product_group=group, title=f"Printer model {n}",
                                   text="Remanufactured printer"))
        db.session.commit()
    client = client_for(market)
    first = client.get("/events/mkt/market?q=printer&kind=offer")
    assert len(titles(first)) == 20
    assert b"45 results" in first.data and b"Page 1 of 3" in first.data
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first.data.decode()).group(1)
    assert "q=printer" in next_link and "kind=offer" in next_link and "page=2" in next_link
    second = client.get(next_link.replace("&amp;", "&"))
    assert len(titles(second)) == 20 and not set(titles(second)) & set(titles(first))
    third = client.get("/events/mkt/market?q=printer&kind=offer&page=3")
    assert len(titles(third)) == 5
    assert b'rel="next"' not in third.data and b'rel="prev"' in third.data
    beyond = client.get("/events/mkt/market?q=printer&kind=offer&page=9")
    assert beyond.status_code == 200 and titles(beyond) == titles(third)


def test_result_shows_organisation_role_group_and_strategies(market):
    page = client_for(market).get("/events/mkt/market?q=service").data.decode()
    assert "Laptop as a service" in page and "Alpha Refurb" in page and "Supplier" in page
    assert "ICT" in page and "A2 Renting or peer-to-peer sharing" in page


def test_market_place_is_for_participants_only(demo, login_as):
    anonymous = demo.test_client().get("/events/demo/market")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    outsider = demo.test_client()
    register(outsider, "out@x.example", "green-deal-circular-9", name="Out Sider")
    assert outsider.get("/events/demo/market").status_code == 403
    assert outsider.get("/events/demo/suggestions").status_code == 403
    assert login_as("buyer1@demo.example").get("/events/demo/market").status_code == 200
    assert login_as("buyer1@demo.example").get("/events/nope/market").status_code == 404
