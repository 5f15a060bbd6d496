"""The market place, listing pages and suggestions in the reader's language."""
import re

from flask_babel import gettext
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.i18n import group_name, in_language
from matchmaker.marketplace.reasons import in_words
from matchmaker.marketplace.suggestions import ListingInfo, Person, Reason, Strategy, score_pair
from matchmaker.models import Listing, ListingKind, Participation
from marketplace_helpers import add_perfect_supplier, part_id

FRENCH = {"Accept-Language": "fr"}
DUTCH = {"Accept-Language": "nl-BE,nl;q=0.9"}


def test_market_place_renders_in_french(demo, login_as):
    page = login_as("buyer1@demo.example").get("/events/demo/market", headers=FRENCH)
    assert page.status_code == 200
    text = page.data.decode()
    assert "<h1>Place de marché</h1>" in text
    assert "Rechercher des offres, des besoins et des personnes" in text
    assert 'placeholder="p. ex. ordinateurs portables reconditionnés"' in text
    assert re.search(r'class="result-count" id="results">\d+ résultats?<', text)
    assert ">Mobilier</option>" in text or ">Textile</option>" in text
    assert "Search offers, queries and people" not in text


def test_a_search_with_no_result_says_so_in_french(demo, login_as):
    page = login_as("buyer1@demo.example").get("/events/demo/market?q=zzzqqq", headers=FRENCH)
    text = page.data.decode()
    assert "0 résultat pour « zzzqqq »" in text
    assert "Aucun résultat. Essayez avec moins de mots ou d'autres filtres." in text


def test_listing_page_and_form_in_french(demo, login_as):
    with demo.app_context():
        me = part_id(demo, "buyer1@demo.example")
        listing_id = db.session.scalar(select(Listing.id).where(Listing.participation_id == me))
    client = login_as("buyer1@demo.example")
    page = client.get(f"/events/demo/listings/{listing_id}", headers=FRENCH).data.decode()
    assert "Stratégies circulaires" in page and ">Modifier</a>" in page
    form = client.get(f"/events/demo/listings/{listing_id}/edit", headers=FRENCH).data.decode()
    assert "<h1>Modifier votre besoin</h1>" in form
    assert "Groupe de produits" in form and "Cochez les stratégies qui s'appliquent." in form


def test_suggestion_reasons_are_in_dutch(demo, login_as):
    supplier = add_perfect_supplier(demo)
    with demo.app_context(), in_language("nl"):
        buyer = db.session.get(Participation, part_id(demo, "buyer1@demo.example"))
        query = db.session.scalar(select(Listing).where(
            Listing.participation_id == buyer.id, Listing.kind == ListingKind.QUERY))
        group = group_name(query.product_group)
    page = login_as("buyer1@demo.example").get("/events/demo/suggestions", headers=DUTCH)
    text = page.data.decode()
    assert "<h1>Mensen die u zou moeten ontmoeten</h1>" in text
    card = text[text.index(f"/events/demo/people/{supplier}"):].split("</ul>")[0]
    assert re.search(rf"U vraagt [A-E]\d [^<]+ in {re.escape(group)}; zij bieden het aan", card)
    assert "you ask for" not in card.lower()


def test_reasons_keep_english_and_translate_groups_strategies_and_lists(app):
    repair = Strategy("C5", "Repairability and maintainability")
    me = Person(1, "buyer", 10, frozenset({"Furniture", "ICT"}),
                (ListingInfo("query", "Furniture", (repair,), "chairs"),))
    them = Person(2, "supplier", 20, frozenset({"Furniture", "ICT"}),
                  (ListingInfo("offer", "Furniture", (repair,), "desks"),))
    _, reasons = score_pair(me, them)
    assert reasons == ["you ask for C5 Repairability and maintainability in Furniture; "
                       "they offer it", "you both work on Furniture and ICT"]
    assert all(isinstance(r, Reason) for r in reasons)
    with app.test_request_context(), in_language("fr"):
        said = [in_words(r) for r in reasons]
        repair_fr = gettext(repair.name)
    assert repair_fr != repair.name
    assert said[0] == f"vous recherchez C5 {repair_fr} en Mobilier ; ils le proposent"
    assert said[1] == "vous travaillez tous deux dans Mobilier et TIC"
    with app.test_request_context():
        assert [in_words(r) for r in reasons] == reasons
