"""'People you should meet' pages: exclusions and reasons on the real demo event."""
import re

from sqlalchemy import or_, select

from matchmaker.extensions import db
from matchmaker.models import MeetingRequest, Participation, RequestStatus, Role
from marketplace_helpers import add_perfect_supplier, part_id


def suggested_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'<h3><a href="/events/demo/people/(\d+)">',
                                       response.data.decode())]


def test_suggestions_leave_out_contacted_people_own_organisation_and_wrong_roles(demo, login_as):
    me = part_id(demo, "buyer1@demo.example")
    page = login_as("buyer1@demo.example").get("/events/demo/suggestions")
    assert page.status_code == 200
    shown = suggested_ids(page)
    assert shown
    with demo.app_context():
        mine = db.session.get(Participation, me)
        contacted = {r.sender_id if r.recipient_id == me else r.recipient_id
                     for r in db.session.scalars(select(MeetingRequest).where(or_(
                         MeetingRequest.sender_id == me, MeetingRequest.recipient_id == me)))}
        assert contacted, "the demo gives buyer1 some requests"
        for pid in shown:
            other = db.session.get(Participation, pid)
            assert pid not in contacted and pid != me
            assert other.organisation_id != mine.organisation_id
            assert other.role in (Role.SUPPLIER, Role.FACILITATOR)


def test_a_matching_supplier_is_suggested_first_with_reasons_in_words(demo, login_as):
    supplier = add_perfect_supplier(demo)
    page = login_as("buyer1@demo.example").get("/events/demo/suggestions")
    assert suggested_ids(page)[0] == supplier
    text = page.data.decode()
    first_card = text[text.index(f"/events/demo/people/{supplier}"):].split("</ul>")[0]
    assert re.search(r"You ask for [A-E]\d [^<]+ in [^<;]+; they offer it", first_card)


def test_requested_declined_and_met_people_drop_out(demo, login_as):
    me = part_id(demo, "buyer1@demo.example")
    client = login_as("buyer1@demo.example")
    supplier = add_perfect_supplier(demo)
    for status in (RequestStatus.PENDING, RequestStatus.DECLINED, RequestStatus.ACCEPTED,
                   RequestStatus.CANCELLED):
        assert supplier in suggested_ids(client.get("/events/demo/suggestions")), status
        with demo.app_context():
            db.session.add(MeetingRequest(event_id=db.session.get(Participation, me).event_id,
                                          sender_id=supplier, recipient_id=me, status=status))
            db.session.commit()
        assert supplier not in suggested_ids(client.get("/events/demo/suggestions")), status
        with demo.app_context():  # clear the way for the next status
            for req in db.session.scalars(select(MeetingRequest).where(
                    MeetingRequest.sender_id == supplier)):
                db.session.delete(req)
            db.session.commit()


def test_people_of_my_own_organisation_are_not_suggested(demo, login_as):
    supplier = add_perfect_supplier(demo)
    me = part_id(demo, "buyer1@demo.example")
    with demo.app_context():
        db.session.get(Participation, supplier).organisation_id = \
            db.session.get(Participation, me).organisation_id
        db.session.commit()
    page = login_as("buyer1@demo.example").get("/events/demo/suggestions")
    assert supplier not in suggested_ids(page)


def test_profile_home_shows_the_top_five(demo, login_as):
    supplier = add_perfect_supplier(demo)
    page = login_as("buyer1@demo.example").get("/events/demo/me")
    assert page.status_code == 200
    ids = suggested_ids(page)
    assert 1 <= len(ids) <= 5 and ids[0] == supplier
    assert b"All suggestions" in page.data


def test_suppliers_get_buyers_and_organisers_get_none(demo, login_as):
    page = login_as("supplier1@demo.example").get("/events/demo/suggestions")
    with demo.app_context():
        for pid in suggested_ids(page):
            assert db.session.get(Participation, pid).role is Role.BUYER
    organiser = login_as("organiser@demo.example").get("/events/demo/suggestions")
    assert organiser.status_code == 200 and suggested_ids(organiser) == []
