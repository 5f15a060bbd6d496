"""The market place and suggestions keep per-process indexes of an event's listings and
participants: every write shows at once, in this process and in any other, and nobody's
own requests leak into anyone else's suggestions."""
import re

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import select

from matchmaker import create_app
from matchmaker.extensions import db
from matchmaker.marketplace.cache import data_version
from matchmaker.marketplace.search import Document, SearchIndex, rank
from matchmaker.marketplace.services import event_people
from matchmaker.marketplace.suggestions import (MAX_REASONS, MIN_TEXT_SIMILARITY,
                                                SuggestionIndex, TARGET_ROLES, score_pair)
from matchmaker.marketplace.text import cosine, top_shared_terms
from matchmaker.models import (CircularStrategy, Event, Listing, ListingKind, Organisation,
                               Participation, ProductGroup, Role, User)
from marketplace_helpers import part_id
from support import DEMO_PASSWORD, login, make_test_config


def market_titles(client, **params) -> list[str]:
    page = client.get("/events/demo/market", query_string=params)
    assert page.status_code == 200
    return re.findall(r'<h3><a href="/events/demo/listings/\d+">([^<]+)</a>', page.data.decode())


def suggested_ids(client) -> list[int]:
    page = client.get("/events/demo/suggestions")
    assert page.status_code == 200
    return [int(i) for i in re.findall(r'<h3><a href="/events/demo/people/(\d+)">',
                                       page.data.decode())]


def ids_of(app, model, column, *values) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(model.id).where(column.in_(values))
                                       .order_by(model.id)))


def other_worker(app, tmp_path):
    """A second application on the same database: another worker process's view."""
    second = create_app(make_test_config(tmp_path))
    assert second.config["SQLALCHEMY_DATABASE_URI"] == app.config["SQLALCHEMY_DATABASE_URI"]
    return second


def client_of(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def test_a_new_listing_appears_in_the_market_place_at_once(demo, login_as):
    supplier = login_as("supplier1@demo.example")
    buyer = login_as("buyer1@demo.example")
    assert "Zirconium office chairs" not in market_titles(buyer, q="zirconium")
    response = supplier.post("/events/demo/listings/new", data={
        "product_group": ids_of(demo, ProductGroup, ProductGroup.code, "furniture")[0],
        "title": "Zirconium office chairs", "text": "Refurbished.",
        "strategies": ids_of(demo, CircularStrategy, CircularStrategy.code, "A3")})
    assert response.status_code == 302
    assert market_titles(buyer, q="zirconium") == ["Zirconium office chairs"]
    assert market_titles(buyer)[0] == "Zirconium office chairs"  # newest first
    assert "Zirconium office chairs" in market_titles(buyer, q="zirconium", strategy="A3")


def test_edits_and_deletions_made_by_another_worker_show_at_once(demo, tmp_path):
    second = other_worker(demo, tmp_path)
    here = client_of(demo, "buyer1@demo.example")
    there = client_of(second, "supplier1@demo.example")
    with demo.app_context():
        listing = db.session.scalar(select(Listing).where(
            Listing.participation_id == part_id(demo, "supplier1@demo.example")))
        listing_id, group = listing.id, listing.product_group_id
    assert market_titles(here, q="quetzal") == []
    edited = there.post(f"/events/demo/listings/{listing_id}/edit", data={
        "product_group": group, "title": "Quetzal green workwear", "text": "",
        "strategies": ids_of(demo, CircularStrategy, CircularStrategy.code, "D5")})
    assert edited.status_code == 302
    assert market_titles(here, q="quetzal") == ["Quetzal green workwear"]
    assert market_titles(here, q="quetzal", strategy="D5") == ["Quetzal green workwear"]
    # Only the strategies change: the strategy filter follows at once.
    edited = there.post(f"/events/demo/listings/{listing_id}/edit", data={
        "product_group": group, "title": "Quetzal green workwear", "text": "",
        "strategies": ids_of(demo, CircularStrategy, CircularStrategy.code, "B1")})
    assert edited.status_code == 302
    assert market_titles(here, q="quetzal", strategy="D5") == []
    assert market_titles(here, q="quetzal", strategy="B1") == ["Quetzal green workwear"]
    deleted = there.post(f"/events/demo/listings/{listing_id}/delete")
    assert deleted.status_code == 302
    assert market_titles(here, q="quetzal") == []


def test_a_request_sent_removes_the_target_from_suggestions_at_once(demo, login_as):
    buyer = login_as("buyer1@demo.example")
    target = suggested_ids(buyer)[0]
    sent = buyer.post(f"/events/demo/requests/new/{target}",
                      data={"priority": "1", "message": "Shall we meet?"})
    assert sent.status_code == 302
    assert target not in suggested_ids(buyer)


def test_my_requests_never_change_anyone_elses_suggestions(demo, login_as):
    first = login_as("buyer1@demo.example")
    mine = suggested_ids(first)
    for n in range(2, 9):
        second = login_as(f"buyer{n}@demo.example")
        shared = [pid for pid in suggested_ids(second) if pid in mine]
        if shared:
            break
    assert shared, "the demo gives two buyers a supplier in common"
    sent = first.post(f"/events/demo/requests/new/{shared[0]}", data={"priority": "1"})
    assert sent.status_code == 302
    assert shared[0] not in suggested_ids(first)
    assert shared[0] in suggested_ids(second)
    with demo.app_context():
        for pid in suggested_ids(login_as("supplier1@demo.example")):
            assert db.session.get(Participation, pid).role is Role.BUYER


def test_suggestions_follow_participant_changes_made_elsewhere_at_once(demo, tmp_path):
    second = other_worker(demo, tmp_path)
    buyer = client_of(demo, "buyer1@demo.example")
    me = part_id(demo, "buyer1@demo.example")
    before = suggested_ids(buyer)
    with second.app_context():  # a perfect supplier joins, through the other worker
        mine = db.session.get(Participation, me)
        query = db.session.scalar(select(Listing).where(
            Listing.participation_id == me, Listing.kind == ListingKind.QUERY))
        org = Organisation(name="Perfect Match Ltd", name_key="perfect match ltd")
        supplier = Participation(event=mine.event, role=Role.SUPPLIER, organisation=org,
                                 user=User(email="perfect@x.example", name="Perfect Supplier",
                                           password_hash="x"))
        supplier.product_groups = [query.product_group]
        offer = Listing(event=mine.event, participation=supplier, kind=ListingKind.OFFER,
                        product_group=query.product_group, title=query.title, text=query.text)
        offer.strategies = list(query.strategies)
        db.session.add_all([supplier, offer])
        db.session.commit()
        newcomer = supplier.id
    assert newcomer not in before
    assert suggested_ids(buyer)[0] == newcomer
    with second.app_context():  # they move to my organisation
        db.session.get(Participation, newcomer).organisation_id = \
            db.session.get(Participation, me).organisation_id
        db.session.commit()
    assert newcomer not in suggested_ids(buyer)
    with second.app_context():  # back to their own, but now a buyer: not for me either
        person = db.session.get(Participation, newcomer)
        person.organisation = db.session.scalar(select(Organisation).where(
            Organisation.name_key == "perfect match ltd"))
        person.role = Role.BUYER
        db.session.commit()
    assert newcomer not in suggested_ids(buyer)


def test_the_data_version_changes_with_every_kind_of_write(demo):
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        seen = [data_version(db.session, event.id)]

        def changed(what):
            db.session.commit()
            version = data_version(db.session, event.id)
            assert version not in seen, what
            seen.append(version)

        groups = {g.code: g for g in db.session.scalars(select(ProductGroup))}
        strategies = {s.code: s for s in db.session.scalars(select(CircularStrategy))}
        people = list(db.session.scalars(select(Participation).where(
            Participation.event_id == event.id, Participation.role == Role.SUPPLIER)
            .order_by(Participation.id)))
        person = people[0]
        listing = Listing(event=event, participation=person, kind=ListingKind.OFFER,
                          product_group=groups["furniture"], title="Chairs")
        db.session.add(listing)
        changed("a listing added")
        listing.text = "Refurbished"
        changed("a listing edited")
        listing.strategies = [strategies["A3"]]
        changed("a listing's strategies")
        person.role = Role.FACILITATOR
        changed("a role")
        person.organisation_id = people[1].organisation_id
        changed("an organisation")
        person.product_groups = [groups["textile"]]
        changed("product groups")
        db.session.add(Participation(event=event, role=Role.BUYER, user=User(
            email="new@x.example", name="New", password_hash="x")))
        changed("a participant joined")
        db.session.delete(listing)
        changed("a listing deleted")
        assert data_version(db.session, event.id) == seen[-1]  # reading changes nothing


def organisation_options(client, **params) -> dict[str, tuple[str, bool]]:
    page = client.get("/events/demo/market", query_string=params).data.decode()
    select_html = page.split('<select id="organisation"', 1)[1].split("</select>", 1)[0]
    return {value: (name, bool(chosen)) for value, chosen, name in re.findall(
        r'<option value="(\d*)"( selected)?>([^<]*)</option>', select_html)}


def test_the_organisation_filter_marks_the_chosen_one_and_follows_new_organisations(
        demo, tmp_path):
    buyer = client_of(demo, "buyer1@demo.example")
    options = organisation_options(buyer)
    assert options.pop("") == ("All", False) and len(options) > 5
    assert not any(chosen for _, chosen in options.values())
    first, second_id = sorted(options)[:2]
    chosen = organisation_options(buyer, organisation=first)
    assert chosen[first] == (options[first][0], True)
    assert chosen[second_id] == (options[second_id][0], False)
    assert sum(selected for _, selected in chosen.values()) == 1
    with other_worker(demo, tmp_path).app_context():  # a newcomer lists, elsewhere
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        org = Organisation(name="Zeta <Reuse> & Co", name_key="zeta <reuse> & co")
        supplier = Participation(event=event, role=Role.SUPPLIER, organisation=org,
                                 user=User(email="zeta@x.example", name="Zeta",
                                           password_hash="x"))
        db.session.add(Listing(event=event, participation=supplier, kind=ListingKind.OFFER,
                               product_group=event.product_groups[0], title="Crates"))
        db.session.commit()
        org_id = str(org.id)
    assert organisation_options(buyer)[org_id] == ("Zeta &lt;Reuse&gt; &amp; Co", False)
    assert organisation_options(buyer, organisation=org_id)[org_id][1]


def test_a_deleted_account_leaves_the_market_place_at_once(demo, login_as, tmp_path):
    """The account goes with one plain DELETE (its participations and listings by the
    database's cascade): no ORM object changes, yet every worker's index follows."""
    second = other_worker(demo, tmp_path)
    buyer = client_of(demo, "buyer1@demo.example")
    with demo.app_context():
        supplier = db.session.get(Participation, part_id(demo, "supplier1@demo.example"))
        organisation = supplier.organisation_id
        version = data_version(db.session, supplier.event_id)
    assert market_titles(buyer, organisation=organisation, kind="offer")
    deleted = client_of(second, "supplier1@demo.example").post(
        "/account/delete", data={"password": DEMO_PASSWORD, "confirm": "y"})
    assert deleted.status_code == 302
    assert market_titles(buyer, organisation=organisation, kind="offer") == []
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        assert data_version(db.session, event.id) != version


def test_writes_the_indexes_do_not_read_keep_the_data_version(demo, login_as):
    """Requests sent and answered, inboxes read, check-ins: the indexes stay built."""
    buyer = login_as("buyer1@demo.example")
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        version = data_version(db.session, event.id)
    target = suggested_ids(buyer)[0]
    assert buyer.post(f"/events/demo/requests/new/{target}",
                      data={"priority": "1"}).status_code == 302
    assert buyer.get("/events/demo/requests?tab=incoming").status_code == 200
    with demo.app_context():
        me = db.session.get(Participation, part_id(demo, "buyer1@demo.example"))
        assert me.requests_seen_at is not None  # the visit was written, in one UPDATE
        person = db.session.get(Participation, target)
        person.checked_in_at = person.created_at
        person.pitch = "Now with a pitch"
        db.session.commit()
        assert data_version(db.session, event.id) == version


def test_the_suggestion_index_misses_no_one_a_full_comparison_finds(demo):
    """Only people sharing something are scored; scoring everyone gives the same list."""
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        people = event_people(db.session, event)
    index = SuggestionIndex(people.values())
    checked = 0
    for me in people.values():
        if me.role not in TARGET_ROLES:
            assert index.suggest(me.id) == []
            continue
        expected = []
        mine = index.vectors[me.id]
        for other in people.values():
            if other.id == me.id or other.role not in TARGET_ROLES[me.role] or (
                    me.organisation_id is not None
                    and other.organisation_id == me.organisation_id):
                continue
            theirs = index.vectors[other.id]
            similarity = cosine(mine, theirs) if mine and theirs else 0.0
            terms = top_shared_terms(mine, theirs, 2) if similarity >= MIN_TEXT_SIMILARITY \
                else []
            total, reasons = score_pair(me, other, similarity=similarity, shared_terms=terms)
            if total > 0:
                expected.append((other.id, round(total, 4), tuple(reasons[:MAX_REASONS])))
        expected.sort(key=lambda t: (-t[1], t[0]))
        got = [(s.person_id, s.score, s.reasons) for s in index.suggest(me.id)]
        assert got == expected, me.id
        assert index.suggest(me.id, limit=3) == index.suggest(me.id)[:3]
        checked += bool(expected)
    assert checked > 10


def doc(key, title="", organisation="", strategies="", group="", text=""):
    return Document(key, {"title": title, "organisation": organisation,
                          "strategies": strategies, "group": group, "text": text})


words = st.sampled_from(["repair", "re", "repairability", "office", "chairs", "chair", "a",
                         "Réemploi", "reemploi", "laptop", "laptops", "the", "of", "x"])
phrases = st.lists(words, max_size=5).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(query=phrases, fields=st.lists(st.tuples(phrases, phrases, phrases, phrases, phrases),
                                      min_size=1, max_size=8),
       keep=st.sets(st.integers(0, 7)) | st.none())
def test_the_search_index_ranks_exactly_like_a_full_scan(query, fields, keep):
    docs = [doc(i, *f) for i, f in enumerate(fields)]
    expected = [d.key for d in rank(query, docs) if keep is None or d.key in keep]
    assert [d.key for d in SearchIndex(docs).rank(query, keep)] == expected


@pytest.mark.parametrize("query", ["", "repair", "office repair", "chair", "réemploi"])
def test_the_search_index_keeps_the_given_order_for_ties(query):
    docs = [doc(i, title="Office chair repair", text="Reemploi and repair") for i in range(5)]
    assert [d.key for d in SearchIndex(docs).rank(query)] == [0, 1, 2, 3, 4]
