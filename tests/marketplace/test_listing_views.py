"""Offers and queries: create, edit, delete own listings only; who may post what."""
from sqlalchemy import func, select

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.meetings.services import why_not_requestable
from matchmaker.models import (CircularStrategy, Listing, ListingKind, Participation,
                               ProductGroup, Role)
from support import demo_event, user_by_email


def ids(app, email):
    with app.app_context():
        user = user_by_email(email)
        part = db.session.scalar(select(Participation).where(Participation.user_id == user.id))
        return part.id


def group_id(app, code):
    with app.app_context():
        return db.session.scalar(select(ProductGroup.id).where(ProductGroup.code == code))


def strategy_ids(app, *codes):
    with app.app_context():
        return list(db.session.scalars(select(CircularStrategy.id).where(
            CircularStrategy.code.in_(codes)).order_by(CircularStrategy.code)))


def listing_data(app, **changes):
    data = {"product_group": group_id(app, "furniture"), "title": "Refurbished desks",
            "text": "Desks refurbished in Ghent, with a five-year guarantee.",
            "strategies": strategy_ids(app, "A3", "C1")}
    data.update(changes)
    return data


def listing_of(app, email) -> int:
    with app.app_context():
        return db.session.scalar(select(Listing.id).where(
            Listing.participation_id == ids(app, email)).order_by(Listing.id))


def count_listings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Listing))


def test_supplier_creates_an_offer_with_strategies_grouped_by_category(demo, login_as):
    client = login_as("supplier1@demo.example")
    page = client.get("/events/demo/listings/new")
    assert page.status_code == 200
    text = page.data.decode()
    assert "C. Longer life" in text and "C5 Repairability and maintainability" in text
    assert text.index("A. Use less") < text.index("E. Reuse or recycling of materials")
    response = client.post("/events/demo/listings/new", data=listing_data(demo))
    assert response.status_code == 302
    with demo.app_context():
        listing = db.session.scalar(select(Listing).where(Listing.title == "Refurbished desks"))
        assert listing.kind is ListingKind.OFFER
        assert [s.code for s in listing.strategies] == ["A3", "C1"]
        assert listing.product_group.code == "furniture"
    assert response.headers["Location"] == f"/events/demo/listings/{listing.id}"
    shown = client.get(response.headers["Location"])
    assert b"Refurbished desks" in shown.data and b"A3 Reuse, refurbishing or upgrading" in shown.data


def test_buyer_posts_a_query_and_organiser_may_not_post(demo, login_as):
    buyer = login_as("buyer1@demo.example")
    assert b"Add a query" in buyer.get("/events/demo/listings/new").data
    buyer.post("/events/demo/listings/new", data=listing_data(demo, title="Need chairs"))
    with demo.app_context():
        listing = db.session.scalar(select(Listing).where(Listing.title == "Need chairs"))
        assert listing.kind is ListingKind.QUERY
    organiser = login_as("organiser@demo.example")
    assert organiser.get("/events/demo/listings/new").status_code == 403
    assert organiser.post("/events/demo/listings/new",
                          data=listing_data(demo)).status_code == 403


def test_listing_bad_input_is_reshown_with_messages_and_nothing_saved(demo, login_as):
    client = login_as("supplier1@demo.example")
    before = count_listings(demo)
    cases = [
        dict(title=""),
        dict(title="   "),
        dict(title="x" * 161),
        dict(text="x" * 4001),
        dict(product_group=""),
        dict(product_group=10**6),
        dict(product_group="abc"),
        dict(strategies=[10**6]),
        dict(strategies=["C5"]),
    ]
    for case in cases:
        response = client.post("/events/demo/listings/new", data=listing_data(demo, **case))
        assert response.status_code == 400, case
        assert b'class="errors"' in response.data, case
    assert count_listings(demo) == before


def test_owner_edits_and_deletes_own_listing(demo, login_as):
    client = login_as("supplier1@demo.example")
    listing_id = listing_of(demo, "supplier1@demo.example")
    page = client.get(f"/events/demo/listings/{listing_id}/edit")
    assert page.status_code == 200
    response = client.post(f"/events/demo/listings/{listing_id}/edit",
                           data=listing_data(demo, title="Edited title"))
    assert response.status_code == 302
    with demo.app_context():
        assert db.session.get(Listing, listing_id).title == "Edited title"
    bad = client.post(f"/events/demo/listings/{listing_id}/edit", data=listing_data(demo, title=""))
    assert bad.status_code == 400
    with demo.app_context():
        assert db.session.get(Listing, listing_id).title == "Edited title"
    confirm = client.get(f"/events/demo/listings/{listing_id}/delete")
    assert confirm.status_code == 200 and b"Delete this offer?" in confirm.data
    with demo.app_context():
        assert db.session.get(Listing, listing_id) is not None
    response = client.post(f"/events/demo/listings/{listing_id}/delete")
    assert response.status_code == 302
    with demo.app_context():
        assert db.session.get(Listing, listing_id) is None


def test_supplier_cannot_edit_or_delete_another_suppliers_listing(demo, login_as):
    other_listing = listing_of(demo, "supplier2@demo.example")
    client = login_as("supplier1@demo.example")
    assert client.get(f"/events/demo/listings/{other_listing}/edit").status_code == 404
    assert client.post(f"/events/demo/listings/{other_listing}/edit",
                       data=listing_data(demo, title="Hijacked")).status_code == 404
    assert client.get(f"/events/demo/listings/{other_listing}/delete").status_code == 404
    assert client.post(f"/events/demo/listings/{other_listing}/delete").status_code == 404
    with demo.app_context():
        listing = db.session.get(Listing, other_listing)
        assert listing is not None and listing.title != "Hijacked"


def test_listing_pages_need_login_and_participation(demo, login_as):
    listing_id = listing_of(demo, "supplier2@demo.example")
    anonymous = demo.test_client()
    for url in (f"/events/demo/listings/{listing_id}", "/events/demo/listings/new",
                f"/events/demo/listings/{listing_id}/edit"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert anonymous.post(f"/events/demo/listings/{listing_id}/delete").status_code == 302
    assert login_as("buyer1@demo.example").get(
        "/events/demo/listings/999999").status_code == 404


def _supplier_listings_by_requestability(app, reader_email):
    """(listing id, owner id) of one supplier `reader_email` may ask for a meeting and of one
    they may not, by the meetings feature's own rule."""
    reader_id = ids(app, reader_email)
    with app.app_context():
        event = demo_event()
        reader = db.session.get(Participation, reader_id)
        may, may_not = None, None
        for listing in db.session.scalars(select(Listing).where(
                Listing.kind == ListingKind.OFFER).order_by(Listing.id)):
            owner = listing.participation
            if owner.event_id != event.id or owner.role is not Role.SUPPLIER:
                continue
            if why_not_requestable(db.session, event, reader, owner, utcnow()) is None:
                may = may or (listing.id, owner.id)
            else:
                may_not = may_not or (listing.id, owner.id)
        assert may and may_not, "the demo should hold both kinds of supplier for this reader"
        return may, may_not


def test_listing_page_links_to_the_owner_and_to_a_meeting_request(demo, login_as):
    (listing_id, owner), (refused_listing, refused_owner) = \
        _supplier_listings_by_requestability(demo, "buyer1@demo.example")
    buyer = login_as("buyer1@demo.example")
    page = buyer.get(f"/events/demo/listings/{listing_id}")
    assert f'href="/events/demo/people/{owner}"'.encode() in page.data
    assert f'href="/events/demo/requests/new/{owner}"'.encode() in page.data
    market = buyer.get(f"/events/demo/market?kind=both&organisation={_organisation_of(demo, owner)}")
    assert f'href="/events/demo/listings/{listing_id}"'.encode() in market.data
    assert f'href="/events/demo/requests/new/{owner}"'.encode() in market.data
    refused = buyer.get(f"/events/demo/listings/{refused_listing}")
    assert f'href="/events/demo/people/{refused_owner}"'.encode() in refused.data
    assert f'/events/demo/requests/new/{refused_owner}'.encode() not in refused.data
    market = buyer.get(
        f"/events/demo/market?kind=both&organisation={_organisation_of(demo, refused_owner)}")
    assert f'href="/events/demo/listings/{refused_listing}"'.encode() in market.data
    assert f'/events/demo/requests/new/{refused_owner}'.encode() not in market.data
    owner_email = _email_of(demo, owner)
    own = login_as(owner_email).get(f"/events/demo/listings/{listing_id}")
    assert b"Request a meeting" not in own.data and b"Delete" in own.data


def _organisation_of(app, participation_id: int) -> int:
    with app.app_context():
        return db.session.get(Participation, participation_id).organisation_id


def _email_of(app, participation_id: int) -> str:
    with app.app_context():
        return db.session.get(Participation, participation_id).user.email

