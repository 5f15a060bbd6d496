"""The pure relevance ranking of the market place."""
from hypothesis import given, settings, strategies as st

from matchmaker.marketplace.search import Document, rank
from matchmaker.marketplace.text import query_tokens, tokens


def doc(key, title="", organisation="", strategies="", group="", text=""):
    return Document(key, {"title": title, "organisation": organisation,
                          "strategies": strategies, "group": group, "text": text})


DOCS = [
    doc(1, title="Office chairs", text="Refurbished, with repair service"),
    doc(2, title="Repair of office chairs", organisation="Chair Loop"),
    doc(3, title="Laptops", strategies="C5 Repairability and maintainability"),
    doc(4, title="Catering", organisation="Réemploi Café", text="Zero waste"),
]


def test_title_matches_rank_above_text_matches_and_all_words_are_needed():
    # Title (exact) > text (exact) > strategy name (only the start of "repairability").
    assert [d.key for d in rank("repair", DOCS)] == [2, 1, 3]
    assert [d.key for d in rank("office repair", DOCS)] == [2, 1]
    assert [d.key for d in rank("chair", DOCS)] == [2, 1]


def test_accents_and_case_do_not_matter():
    assert [d.key for d in rank("REEMPLOI cafe", DOCS)] == [4]
    assert [d.key for d in rank("réemploi", DOCS)] == [4]


def test_an_empty_or_punctuation_only_query_keeps_everything_in_order():
    assert [d.key for d in rank("", DOCS)] == [1, 2, 3, 4]
    assert [d.key for d in rank("%_'\";--", DOCS)] == [1, 2, 3, 4]


words = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(query=words, texts=st.lists(words, min_size=1, max_size=6))
def test_any_input_ranks_without_error_and_every_result_has_every_word(query, texts):
    docs = [doc(i, title=t, text=t[::-1]) for i, t in enumerate(texts)]
    ranked = rank(query, docs)
    assert len({d.key for d in ranked}) == len(ranked) <= len(docs)
    for d in ranked:
        present = set(tokens(d.fields["title"] + " " + d.fields["text"], keep_stopwords=True))
        for word in query_tokens(query):
            assert any(p == word or (len(word) >= 2 and p.startswith(word)) for p in present)
