"""The pure scoring of 'people you should meet'."""
from matchmaker.marketplace.suggestions import ListingInfo, Person, Strategy, suggest
from matchmaker.marketplace.text import cosine, tfidf_vectors, tokens

C5 = Strategy("C5", "Repairability and maintainability")
D5 = Strategy("D5", "Contracts for take-back and reuse")
B1 = Strategy("B1", "More recycled content")


def buyer(**kw):
    defaults = dict(id=1, role="buyer", organisation_id=100, groups=frozenset({"Furniture"}),
                    listings=(ListingInfo("query", "Furniture", (C5,), "Repair of office chairs"),))
    defaults.update(kw)
    return Person(**defaults)


def supplier(id, **kw):
    defaults = dict(id=id, role="supplier", organisation_id=200 + id,
                    groups=frozenset({"Furniture"}), listings=())
    defaults.update(kw)
    return Person(**defaults)


def test_strategy_asked_and_offered_in_the_same_group_gives_the_reason_in_words():
    them = supplier(2, listings=(ListingInfo("offer", "Furniture", (C5,), "Chair repair"),))
    [result] = suggest(buyer(), [them])
    assert result.person_id == 2
    assert "you ask for C5 Repairability and maintainability in Furniture; they offer it" \
        in result.reasons


def test_the_other_direction_is_told_from_my_side():
    me = supplier(5, listings=(ListingInfo("offer", "Textile", (D5,), "Workwear take-back"),))
    them = buyer(id=6, groups=frozenset({"Textile"}),
                 listings=(ListingInfo("query", "Textile", (D5,), "Workwear tender"),))
    [result] = suggest(me, [them])
    assert "they ask for D5 Contracts for take-back and reuse in Textile; you offer it" \
        in result.reasons


def test_a_match_in_the_same_group_outranks_a_shared_group_alone():
    strong = supplier(2, listings=(ListingInfo("offer", "Furniture", (C5,), "x"),))
    weak = supplier(3)
    results = suggest(buyer(), [weak, strong])
    assert [r.person_id for r in results] == [2, 3]
    assert results[1].reasons == ("you both work on Furniture",)


def test_similar_wording_counts_and_is_explained():
    me = buyer(groups=frozenset(), listings=(
        ListingInfo("query", "ICT", (), "Refurbished laptops for our schools"),))
    similar = supplier(2, groups=frozenset(), listings=(
        ListingInfo("offer", "Textile", (), "Refurbished laptops delivered to schools"),))
    other = supplier(3, groups=frozenset(), listings=(
        ListingInfo("offer", "Food", (), "Seasonal catering without waste"),))
    results = suggest(me, [similar, other])
    assert [r.person_id for r in results] == [2]
    assert any("similar words" in r and "laptops" in r for r in results[0].reasons)


def test_buyers_meet_suppliers_and_facilitators_suppliers_meet_buyers():
    people = [supplier(2), Person(3, "facilitator", 303, frozenset({"Furniture"})),
              buyer(id=4, organisation_id=404), Person(5, "organiser", 505, frozenset({"Furniture"}))]
    assert {r.person_id for r in suggest(buyer(), people)} == {2, 3}
    assert {r.person_id for r in suggest(supplier(9), people)} == {4}
    facilitator = Person(9, "facilitator", 909, frozenset({"Furniture"}))
    assert {r.person_id for r in suggest(facilitator, people)} == {2, 4}
    assert suggest(Person(9, "organiser", 909, frozenset({"Furniture"})), people) == []


def test_excluded_people_own_organisation_and_self_are_left_out():
    people = [supplier(2), supplier(3), supplier(4, organisation_id=100), buyer()]
    results = suggest(buyer(), people, exclude={3})
    assert [r.person_id for r in results] == [2]


def test_nothing_in_common_means_no_suggestion_and_limit_applies():
    loner = supplier(2, groups=frozenset({"Food"}))
    assert suggest(buyer(), [loner]) == []
    many = [supplier(i) for i in range(2, 12)]
    assert len(suggest(buyer(), many, limit=5)) == 5


def test_reasons_are_few_and_strongest_first():
    them = supplier(2, groups=frozenset({"Furniture", "ICT"}), listings=(
        ListingInfo("offer", "Furniture", (C5, B1), "Repair of office chairs"),
        ListingInfo("offer", "ICT", (C5,), "Laptop repair")))
    me = buyer(groups=frozenset({"Furniture", "ICT"}), listings=(
        ListingInfo("query", "Furniture", (C5, B1), "Repair of office chairs"),))
    [result] = suggest(me, [them])
    assert len(result.reasons) <= 3
    assert result.reasons[0].startswith("you ask for")


def test_tfidf_vectors_are_unit_length_and_cosine_of_identical_texts_is_one():
    vectors = tfidf_vectors({"a": tokens("Réemploi of chairs"), "b": tokens("reemploi of chairs"),
                             "c": tokens("bananas")})
    assert abs(cosine(vectors["a"], vectors["b"]) - 1.0) < 1e-9
    assert cosine(vectors["a"], vectors["c"]) == 0.0
    assert tokens("The chairs, and the DESKS!") == ["chairs", "desks"]


def test_scoring_modules_import_neither_flask_nor_sqlalchemy():
    import ast
    from pathlib import Path

    import matchmaker.marketplace as package
    folder = Path(package.__file__).parent
    for name in ("suggestions.py", "search.py", "text.py", "query.py", "synonyms.py"):
        tree = ast.parse((folder / name).read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for alias in node.names}
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.level == 0}
        assert not imported & {"flask", "sqlalchemy", "flask_sqlalchemy"}, name
        relative = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.level > 0}
        assert relative <= {"text", "query", "synonyms"}, name
