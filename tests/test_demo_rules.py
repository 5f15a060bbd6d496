"""The demo event keeps the rules the app enforces and reads like a real event."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from itertools import combinations

import pytest
from sqlalchemy import func, select

from matchmaker.cli import cli
from matchmaker.demo import data, seed_demo
from matchmaker.extensions import db
from matchmaker.meetings.services import accepted_count, meeting_cap
from matchmaker.models import (Absence, Event, Listing, ListingKind, MeetingRequest,
                               Organisation, Participation, RequestStatus, Role, Slot, User)
from support import build_app


def fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def near(a: str, b: str) -> bool:
    """Equal after folding, or one letter apart ('Peeters'/'Peters')."""
    a, b = fold(a), fold(b)
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@pytest.mark.parametrize("names", [data.FIRST_NAMES, data.LAST_NAMES, data.BRANDS])
def test_name_parts_have_no_near_duplicates(names):
    assert [(a, b) for a, b in combinations(names, 2) if near(a, b)] == []


def test_every_offer_angle_and_query_need_refers_to_known_codes():
    from matchmaker.reference_data import PRODUCT_GROUPS, STRATEGIES
    groups, strategies = {c for c, _ in PRODUCT_GROUPS}, {c for c, _ in STRATEGIES}
    for table in (data.OFFER_PRODUCTS, data.QUERY_NEEDS, data.SUPPLIER_TRADES,
                  data.RELATED_GROUPS):
        assert set(table) == groups
    for kind_groups in data.BUYER_GROUPS.values():
        assert set(kind_groups) <= groups
    for products in data.OFFER_PRODUCTS.values():
        for _, codes, angles in products:
            assert set(codes) <= strategies and set(angles) <= set(data.OFFER_ANGLES)
    assert {c for _, codes in data.OFFER_ANGLES.values() for c in codes} <= strategies
    assert {c for needs in data.QUERY_NEEDS.values() for _, codes in needs
            for c in codes} <= strategies


def check_rules(session) -> dict:
    """Assert every rule of the demo; return a few numbers for the caller."""
    event = session.scalar(select(Event).where(Event.slug == "demo"))
    parts = session.scalars(select(Participation).where(Participation.event_id == event.id)).all()
    first_slot = session.scalar(select(func.min(Slot.starts_at)).where(Slot.event_id == event.id))
    n_slots = session.scalar(select(func.count()).select_from(Slot)
                             .where(Slot.event_id == event.id))
    absent = defaultdict(set)
    for absence in session.scalars(select(Absence)):
        absent[absence.participation_id].add(absence.slot_id)
    slots = set(session.scalars(select(Slot.id).where(Slot.event_id == event.id)))
    requests = session.scalars(select(MeetingRequest)
                               .where(MeetingRequest.event_id == event.id)).all()
    accepted, open_sent = Counter(), Counter()
    for r in requests:
        assert r.sender.organisation_id != r.recipient.organisation_id
        if r.status is RequestStatus.ACCEPTED:
            accepted[r.sender_id] += 1
            accepted[r.recipient_id] += 1
            assert slots - absent[r.sender_id] - absent[r.recipient_id], \
                "an accepted meeting between two people who share no free slot"
        if r.status is RequestStatus.PENDING:
            open_sent[r.sender_id] += 1
            assert r.expires_at is not None and r.expires_at < first_slot
        if r.status is RequestStatus.EXPIRED:
            assert r.expires_at is not None and r.expires_at < first_slot
    for part in parts:
        # mid-booking: room for one more meeting each
        assert accepted[part.id] < meeting_cap(part), part.user.email
        assert accepted[part.id] < n_slots - len(absent[part.id]), part.user.email
        assert open_sent[part.id] <= event.max_open_requests
    pairs = Counter((min(r.sender_id, r.recipient_id), max(r.sender_id, r.recipient_id))
                    for r in requests)
    assert max(pairs.values()) == 1
    return {"accepted": accepted, "requests": len(requests), "statuses":
            Counter(r.status for r in requests)}


def check_content(session) -> None:
    titles = list(session.scalars(select(Listing.title)))
    assert len(titles) == len(set(titles)), "two listings share a title"
    names = list(session.scalars(select(User.name)))
    folded = Counter(fold(n) for n in names)
    assert max(folded.values()) == 1, "two people share a name"
    org_names = list(session.scalars(select(Organisation.name)))
    assert len({fold(n) for n in org_names}) == len(org_names)
    assert not [n for n in org_names if re.search(r"\d", n)], "numbered organisations"
    for listing in session.scalars(select(Listing)):
        part = listing.participation
        assert listing.product_group in part.product_groups, listing.title
        if part.role is Role.SUPPLIER:
            assert listing.kind is ListingKind.OFFER
        if part.role is Role.BUYER:
            assert listing.kind is ListingKind.QUERY
            assert listing.title.startswith(part.organisation.name + ": ")


@pytest.mark.parametrize("attendees, seed", [(8, 1), (30, 7), (200, 1), (500, 3)])
def test_demo_keeps_its_rules_and_has_no_duplicates(tmp_path, attendees, seed):
    app = build_app(tmp_path)
    with app.app_context():
        seed_demo(db.session, attendees=attendees, seed=seed, password_hash="x")
        db.session.commit()
        numbers = check_rules(db.session)
        check_content(db.session)
        assert numbers["requests"] > (attendees if attendees >= 30 else 0)
        if attendees >= 200:
            assert set(numbers["statuses"]) == set(RequestStatus)
            titles = list(db.session.scalars(select(Listing.title)))
            # at this size every title comes from the data, none needs its organisation added
            assert sum("(" in t for t in titles) <= len(titles) // 20


@pytest.mark.database_independent  # the same checks run on every database at 8 to 500
@pytest.mark.slow
def test_demo_of_2000_attendees_has_no_duplicate_names_or_titles(tmp_path):
    app = build_app(tmp_path)
    with app.app_context():
        seed_demo(db.session, attendees=2000, seed=1, password_hash="x")
        db.session.commit()
        check_content(db.session)
        check_rules(db.session)


def test_suppliers_are_named_for_what_they_sell(demo):
    with demo.app_context():
        for part in db.session.scalars(select(Participation)
                                       .where(Participation.role == Role.SUPPLIER)):
            trades = [t for g in part.product_groups for t in data.SUPPLIER_TRADES[g.code]]
            primary = part.product_groups[0].code
            assert any(part.organisation.name.endswith(t) for t in trades), \
                (part.organisation.name, [g.code for g in part.product_groups])
            assert primary in {g.code for g in part.product_groups}


def test_buyers_are_public_bodies_or_companies_that_buy_what_they_need(demo):
    with demo.app_context():
        buyers = db.session.scalars(select(Participation)
                                    .where(Participation.role == Role.BUYER)).all()
        assert all(p.product_groups for p in buyers)
        assert sum(p.organisation.is_public for p in buyers) > len(buyers) // 2


def test_buyer1_can_accept_the_waiting_request_through_the_page(demo, login_as):
    with demo.app_context():
        buyer1 = db.session.scalar(select(Participation).join(User)
                                   .where(User.email == "buyer1@demo.example"))
        assert accepted_count(db.session, buyer1) < meeting_cap(buyer1)
        waiting = db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.recipient_id == buyer1.id,
            MeetingRequest.status == RequestStatus.PENDING)).all()
        assert waiting
        request_id = waiting[0].id
    client = login_as("buyer1@demo.example")
    page = client.get("/events/demo/requests")
    assert page.status_code == 200
    assert f"/requests/{request_id}/accept".encode() in page.data
    response = client.post(f"/events/demo/requests/{request_id}/accept")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).data.decode()
    assert "accepted meetings, the most allowed" not in shown
    assert "no room for more meetings" not in shown
    with demo.app_context():
        assert db.session.get(MeetingRequest, request_id).status is RequestStatus.ACCEPTED


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_reset_starts_over_with_the_new_size(app, runner):
    assert runner.invoke(cli, ["seed-demo", "--attendees", "40", "--seed", "2"]).exit_code == 0
    with app.app_context():
        buyer1 = db.session.scalar(select(User).where(User.email == "buyer1@demo.example"))
        buyer1.name = "Changed By Hand"
        db.session.commit()
    result = runner.invoke(cli, ["seed-demo", "--reset", "--attendees", "24", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "deleted" in result.output and "24 participants" in result.output
    with app.app_context():
        assert count(Event) == 1
        assert count(Participation) == 24
        assert db.session.scalar(select(User.name).where(
            User.email == "buyer1@demo.example")) != "Changed By Hand"
        assert count(User) == 24  # the 40-attendee accounts are gone, none left over
        used = select(Participation.organisation_id)
        assert db.session.scalar(select(func.count()).select_from(Organisation)
                                 .where(Organisation.id.not_in(used))) == 0
        check_rules(db.session)


def test_seed_demo_reset_on_an_empty_database_seeds(app, runner):
    result = runner.invoke(cli, ["seed-demo", "--reset", "--attendees", "20"])
    assert result.exit_code == 0, result.output
    assert "deleted" not in result.output
    with app.app_context():
        assert count(Participation) == 20


def test_seed_demo_if_empty_keeps_the_loaded_demo(app, runner):
    assert runner.invoke(cli, ["seed-demo", "--attendees", "20"]).exit_code == 0
    again = runner.invoke(cli, ["seed-demo", "--if-empty", "--attendees", "30"])
    assert again.exit_code == 0 and "is loaded" in again.output
    with app.app_context():
        assert count(Participation) == 20


def test_seed_demo_reset_with_if_empty_is_refused_without_a_traceback(app, runner):
    assert runner.invoke(cli, ["seed-demo", "--attendees", "20"]).exit_code == 0
    result = runner.invoke(cli, ["seed-demo", "--reset", "--if-empty"])
    assert result.exit_code == 2
    assert "either --reset or --if-empty" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert count(Participation) == 20


def test_supplier1_and_2_can_still_ask_buyer2_to_buyer5(demo):
    with demo.app_context():
        def pid(email):
            return db.session.scalar(select(Participation.id).join(User)
                                     .where(User.email == email))
        buyer1, supplier1 = pid("buyer1@demo.example"), pid("supplier1@demo.example")
        assert db.session.scalars(select(MeetingRequest.recipient_id).where(
            MeetingRequest.sender_id == supplier1)).all() == [buyer1]
        for supplier in (supplier1, pid("supplier2@demo.example")):
            for n in range(2, 6):
                buyer = pid(f"buyer{n}@demo.example")
                assert db.session.scalar(select(func.count()).select_from(MeetingRequest).where(
                    MeetingRequest.pair_low == min(supplier, buyer),
                    MeetingRequest.pair_high == max(supplier, buyer))) == 0
