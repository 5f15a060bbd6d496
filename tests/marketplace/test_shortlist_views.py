"""The shortlist: a star on cards and profiles (a plain POST form), and its own tab."""
import re

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import (Event, Listing, ListingKind, Participation, ProductGroup, Role,
                               ShortlistEntry, User)
from marketplace_helpers import part_id
from support import csrf_token_from, demo_app, login

BUYER = "buyer1@demo.example"


def offer_of(app, email) -> int:
    with app.app_context():
        return db.session.scalar(select(Listing.id).join(Participation).join(User).where(
            User.email == email, Listing.kind == ListingKind.OFFER).order_by(Listing.id))


def entries(app, email=BUYER) -> set[tuple]:
    with app.app_context():
        return set(db.session.execute(
            select(ShortlistEntry.listing_id, ShortlistEntry.person_id)
            .where(ShortlistEntry.owner_id == part_id(app, email))).all())


def test_a_listing_is_starred_from_the_market_and_shown_on_the_shortlist(demo, login_as):
    client = login_as(BUYER)
    listing = offer_of(demo, "supplier2@demo.example")
    market = client.get("/events/demo/market").data.decode()
    assert market.count('action="/events/demo/shortlist/listings/') == len(
        re.findall(r'<li class="card listing">', market)) > 0
    assert f'action="/events/demo/shortlist/listings/{listing}"' in client.get(
        f"/events/demo/listings/{listing}").data.decode()
    response = client.post(f"/events/demo/shortlist/listings/{listing}",
                           data={"action": "add", "next": "/events/demo/market?q=x"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/demo/market?q=x"
    assert entries(demo) == {(listing, None)}
    shortlist = client.get("/events/demo/shortlist").data.decode()
    assert f'href="/events/demo/listings/{listing}"' in shortlist
    assert 'aria-current="page">Shortlist' in shortlist
    star = re.search(rf'action="/events/demo/shortlist/listings/{listing}">(.*?)</form>',
                     shortlist, re.S).group(1)
    assert 'value="remove"' in star and 'aria-pressed="true"' in star
    # saving twice keeps one entry; removing twice is no error
    client.post(f"/events/demo/shortlist/listings/{listing}", data={"action": "add"})
    assert entries(demo) == {(listing, None)}
    for _ in range(2):
        removed = client.post(f"/events/demo/shortlist/listings/{listing}",
                              data={"action": "remove"})
        assert removed.status_code == 302
        assert removed.headers["Location"] == "/events/demo/shortlist"
    assert entries(demo) == set()
    assert "Your shortlist is empty" in client.get("/events/demo/shortlist").data.decode()


def test_a_person_is_starred_from_their_profile_and_only_for_oneself(demo, login_as):
    supplier = part_id(demo, "supplier2@demo.example")
    client = login_as(BUYER)
    profile = client.get(f"/events/demo/people/{supplier}").data.decode()
    assert f'action="/events/demo/shortlist/people/{supplier}"' in profile
    client.post(f"/events/demo/shortlist/people/{supplier}", data={"action": "add"})
    assert entries(demo) == {(None, supplier)}
    assert f'href="/events/demo/people/{supplier}"' in client.get(
        "/events/demo/shortlist").data.decode()
    other = login_as("buyer2@demo.example").get("/events/demo/shortlist").data.decode()
    assert f'href="/events/demo/people/{supplier}"' not in other


def test_bad_shortlist_input_is_refused_with_a_message_and_changes_nothing(demo, login_as):
    client = login_as(BUYER)
    listing = offer_of(demo, "supplier2@demo.example")
    client.post(f"/events/demo/shortlist/listings/{listing}", data={"action": "add"})
    for data in ({"action": "toggle"}, {}, {"action": "%"}, {"action": "add" * 5000},
                 {"action": "remove", "next": "/" + "x" * 10_000}):
        response = client.post(f"/events/demo/shortlist/listings/{listing}", data=data)
        assert response.status_code == 400, data
        assert 'class="form-error" role="alert"' in response.data.decode(), data
    assert entries(demo) == {(listing, None)}
    me = part_id(demo, BUYER)
    myself = client.post(f"/events/demo/shortlist/people/{me}", data={"action": "add"})
    assert myself.status_code == 400
    assert "You cannot add yourself to your shortlist." in myself.data.decode()
    assert client.post("/events/demo/shortlist/listings/999999",
                       data={"action": "add"}).status_code == 404
    assert client.post("/events/demo/shortlist/people/999999",
                       data={"action": "add"}).status_code == 404
    assert client.get(f"/events/demo/shortlist/listings/{listing}").status_code == 405


def test_next_leads_only_to_this_site(demo, login_as):
    client = login_as(BUYER)
    listing = offer_of(demo, "supplier2@demo.example")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example",
                   "http:evil.example", "javascript:alert(1)"):
        response = client.post(f"/events/demo/shortlist/listings/{listing}",
                               data={"action": "add", "next": target})
        assert response.status_code == 302
        assert response.headers["Location"] == "/events/demo/shortlist", target


def test_listings_and_people_of_another_event_cannot_be_shortlisted(demo, login_as):
    with demo.app_context():
        other = Event(name="Other", slug="other")
        stranger = Participation(event=other, role=Role.SUPPLIER, user=User(
            email="s@other.example", name="S", password_hash="x"))
        foreign = Listing(event=other, participation=stranger, kind=ListingKind.OFFER,
                          product_group=db.session.scalar(select(ProductGroup).limit(1)),
                          title="Foreign")
        db.session.add_all([other, stranger, foreign])
        db.session.commit()
        ids = foreign.id, stranger.id
    client = login_as(BUYER)
    assert client.post(f"/events/demo/shortlist/listings/{ids[0]}",
                       data={"action": "add"}).status_code == 404
    assert client.post(f"/events/demo/shortlist/people/{ids[1]}",
                       data={"action": "add"}).status_code == 404
    assert entries(demo) == set()


def test_the_shortlist_is_for_participants_only(demo):
    anonymous = demo.test_client()
    for response in (anonymous.get("/events/demo/shortlist"),
                     anonymous.post("/events/demo/shortlist/people/1", data={"action": "add"})):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_star_needs_a_csrf_token(tmp_path):
    app = demo_app(tmp_path, attendees=12, seed=3, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_from(client.get("/login").data)
    assert login(client, BUYER, csrf_token=token).status_code == 302
    listing = offer_of(app, "supplier1@demo.example")
    refused = client.post(f"/events/demo/shortlist/listings/{listing}", data={"action": "add"})
    assert refused.status_code == 400 and b"The form expired" in refused.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShortlistEntry)) == 0
    page = client.get("/events/demo/market?kind=both").data
    accepted = client.post(f"/events/demo/shortlist/listings/{listing}",
                           data={"action": "add", "csrf_token": csrf_token_from(page)})
    assert accepted.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShortlistEntry)) == 1
