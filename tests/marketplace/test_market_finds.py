"""The market place finds: role-aware defaults, people by name, typos, Dutch and French
words, wildcards taken literally, "did you mean", and a request button on every card."""
import re

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.marketplace.forms import MAX_QUERY
from matchmaker.models import Event, Phase, Role
from marketplace_helpers import HandMadeMarket, part_id
from support import login


@pytest.fixture
def market(app):
    with app.app_context():
        market = HandMadeMarket(app, name="Finds", slug="finds", groups=["ict", "furniture"],
                                phase=Phase.BOOKING_OPEN)

        def person(email, name, role, organisation=None):
            return market.person(email, role, organisation, name=name)

        def listing(owner, title, text=""):
            market.listing(owner, title, text, group="furniture")

        zoe = person("zoe@finds.example", "Zoë Janssens", Role.BUYER, "Stad Gent")
        colleague = person("colleague@finds.example", "Jan Colleague", Role.BUYER, "Stad Gent")
        seats = person("seats@finds.example", "Sam Smith", Role.SUPPLIER, "Second Life BV")
        expert = person("expert@finds.example", "Eva Expert", Role.FACILITATOR, "Circular Lab")
        person("org@finds.example", "Olga Organiser", Role.ORGANISER)
        listing(zoe, "Chairs for the town hall", "Refurbished chairs, 100% reused parts.")
        listing(colleague, "Desks wanted", "Standing desks.")
        listing(seats, "Refurbished office chairs", "Chairs with a new seat.")
        listing(seats, "Meeting tables", "Tables from model TB_12.")
        listing(expert, "Advice on furniture tenders", "How to ask for reuse.")
        db.session.commit()
    return app


def client_for(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def titles(response) -> list[str]:
    return re.findall(r'<h3><a href="/events/finds/listings/\d+">([^<]+)</a>',
                      response.data.decode())


def people(response) -> list[str]:
    return re.findall(r'<h3><a href="/events/finds/people/\d+">([^<]+)</a>',
                      response.data.decode())


def test_suppliers_land_on_buyers_queries_and_buyers_on_offers(market):
    supplier = client_for(market, "seats@finds.example").get("/events/finds/market")
    assert sorted(titles(supplier)) == ["Chairs for the town hall", "Desks wanted"]
    assert '<option value="query" selected>' in supplier.data.decode()
    assert b"Also show 3 offers" in supplier.data
    buyer = client_for(market, "zoe@finds.example").get("/events/finds/market")
    assert sorted(titles(buyer)) == ["Advice on furniture tenders", "Meeting tables",
                                     "Refurbished office chairs"]
    # facilitators see both; anyone may choose both
    assert len(titles(client_for(market, "expert@finds.example").get(
        "/events/finds/market"))) == 5
    both = client_for(market, "seats@finds.example").get("/events/finds/market?kind=both")
    assert len(titles(both)) == 5 and '<option value="both" selected>' in both.data.decode()


def test_every_card_has_a_request_button_when_the_reader_may_ask_that_person(market):
    zoe = client_for(market, "zoe@finds.example")
    page = zoe.get("/events/finds/market?kind=both").data.decode()
    seats, expert = part_id(market, "seats@finds.example"), part_id(market, "expert@finds.example")
    colleague = part_id(market, "colleague@finds.example")
    assert page.count(f'href="/events/finds/requests/new/{seats}"') == 2
    assert page.count(f'href="/events/finds/requests/new/{expert}"') == 1
    # not oneself, not one's own organisation (the meetings feature's rules)
    assert "/requests/new/" + str(part_id(market, "zoe@finds.example")) not in page
    assert f"/requests/new/{colleague}\"" not in page
    assert page.count("Request a meeting") == 3
    profile = zoe.get(f"/events/finds/people/{seats}").data.decode()
    assert f'href="/events/finds/requests/new/{seats}"' in profile
    assert "Request a meeting" not in zoe.get(f"/events/finds/people/{colleague}").data.decode()
    with market.app_context():
        db.session.scalar(select(Event).where(Event.slug == "finds")).phase = Phase.SCHEDULED
        db.session.commit()
    assert b"Request a meeting" not in zoe.get("/events/finds/market?kind=both").data
    assert b"Request a meeting" not in zoe.get(f"/events/finds/people/{seats}").data


def test_people_and_organisations_are_found_by_name(market):
    client = client_for(market, "seats@finds.example")
    for q in ("Zoë", "zoe", "ZOE JANSSENS", "janssen", "Stad Gent"):
        response = client.get("/events/finds/market", query_string={"q": q})
        assert "Zoë Janssens" in people(response), q
    assert "Olga Organiser" not in people(client.get("/events/finds/market?q=olga"))
    # one's own card is left out of the people found
    assert people(client.get("/events/finds/market?q=sam+smith")) == []


def test_typos_are_corrected_against_the_index_vocabulary(market):
    client = client_for(market, "zoe@finds.example")
    response = client.get("/events/finds/market?q=refurbishd+chiars&kind=both")
    assert sorted(titles(response)) == ["Chairs for the town hall", "Refurbished office chairs"]
    assert "Showing results for “refurbished chairs”." in response.data.decode()
    assert "Zoë Janssens" in people(client_for(market, "seats@finds.example").get(
        "/events/finds/market?q=janssesn"))


def test_dutch_and_french_words_find_english_listings(market):
    client = client_for(market, "zoe@finds.example")
    for q in ("stoelen", "chaises", "stoel", "chaise"):
        assert sorted(titles(client.get(f"/events/finds/market?q={q}&kind=both"))) == [
            "Chairs for the town hall", "Refurbished office chairs"], q
    assert titles(client.get("/events/finds/market?q=tafels&kind=both")) == ["Meeting tables"]
    assert titles(client.get("/events/finds/market?q=bureaux&kind=both"))[0] == "Desks wanted"


def test_wildcards_and_quotes_are_taken_literally(market):
    client = client_for(market, "zoe@finds.example")
    assert titles(client.get("/events/finds/market", query_string={
        "q": "%", "kind": "both"})) == ["Chairs for the town hall"]
    assert titles(client.get("/events/finds/market", query_string={
        "q": "_", "kind": "both"})) == ["Meeting tables"]
    for q in ("%%", "%_%", "'", '"', "*", "?"):
        response = client.get("/events/finds/market", query_string={"q": q, "kind": "both"})
        assert response.status_code == 200 and titles(response) == [], q
        assert b"Nothing matches" in response.data
    quoted = client.get("/events/finds/market", query_string={"q": '"office chairs"',
                                                               "kind": "both"})
    assert titles(quoted) == ["Refurbished office chairs"]
    assert "“&#34;office chairs&#34;”" in quoted.data.decode()


def test_a_ten_thousand_character_search_is_shortened_and_says_so(market):
    client = client_for(market, "zoe@finds.example")
    for q in ("chairs " * 1500, "%" * 10_000, "x" * 10_000, "\x00" * 10_000):
        response = client.get("/events/finds/market", query_string={"q": q})
        assert response.status_code == 200
        text = response.data.decode()
        value = re.search(r'<input type="search" id="q" name="q" value="([^"]*)"', text).group(1)
        assert len(value) <= MAX_QUERY
    assert b"only the first 200 were used" in client.get(
        "/events/finds/market", query_string={"q": "x" * 10_000}).data


def test_did_you_mean_when_nothing_matches(market):
    client = client_for(market, "zoe@finds.example")
    response = client.get("/events/finds/market?q=chairs+unicornz&kind=both")
    assert titles(response) == []
    text = response.data.decode()
    assert "Did you mean “chairs”?" in text
    link = re.search(r'class="did-you-mean">[^<]*<a href="([^"]+)"', text).group(1)
    assert "q=chairs" in link and "kind=both" in link
    followed = client.get(link.replace("&amp;", "&"))
    assert len(titles(followed)) == 2
    assert b"Did you mean" not in client.get("/events/finds/market?q=qxzvwk").data
