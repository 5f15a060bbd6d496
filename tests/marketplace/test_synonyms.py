"""The synonym vocabulary stays well-formed data, and query expansion uses it."""
from matchmaker.marketplace.query import Lexicon, expand, max_edits
from matchmaker.marketplace.synonyms import CONCEPTS, synonyms
from matchmaker.marketplace.text import fold, tokens


def test_every_row_has_all_three_languages_and_single_folded_words():
    for row in CONCEPTS:
        assert len(row) == 3 and all(row), row
        for words in row:
            for word in words:
                assert word == fold(word) and tokens(word, keep_stopwords=True) == [word], word


def test_dutch_and_french_words_lead_to_the_english_ones_and_back():
    assert {"chair", "chaise", "chaises"} <= synonyms("stoelen")
    assert {"chair", "stoel"} <= synonyms("chaises")
    assert "stoelen" in synonyms("chairs")  # a plural not in the table, looked up as "chair"
    assert synonyms("unicorn") == frozenset()


def test_a_typo_is_corrected_only_against_words_of_the_index():
    lexicon = Lexicon({"furniture": 3, "laptops": 2, "uniforms": 1})
    [word] = expand("furnitre", lexicon)
    assert word.correction == "furniture"
    [word] = expand("unicorn", lexicon)
    assert word.correction is None
    [word] = expand("laptop", lexicon)  # a known word start: no correction
    assert word.correction is None and word.terms[0].word == "laptop"
    assert max_edits("pc") == 0 and max_edits("chiars") == 1 and max_edits("furnitre") == 2
    assert max_edits("a4b5c6d7") == 0
