"""The clustering text signals: MinHash exactness (stored signatures must stay comparable) and
folding."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.stories import similarity


def minhash_by_definition(value: str) -> tuple[int, ...]:
    """The documented formula, in plain Python (the version stories were stored with)."""
    grams = similarity._shingles(value)
    if not grams:
        return ()
    return tuple(
        min((a * g + b) % similarity._MERSENNE for g in grams) & 0xFFFFFFFF
        for a, b in similarity._SEEDS
    )


@given(st.text(max_size=300))
def test_minhash_equals_its_definition_on_any_text(value: str) -> None:
    assert similarity.minhash(value) == minhash_by_definition(value)


def test_minhash_equals_its_definition_at_the_arithmetic_edges() -> None:
    # grams near 2**32 and seeds near 2**61 make the largest intermediate products
    for value in ["ÿÿÿÿ ÿÿÿÿ", "zzzz" * 50, "Nissan to close Oppama plant", "abcd", "a b"]:
        assert similarity.minhash(value) == minhash_by_definition(value)
    assert similarity.minhash("") == () == similarity.minhash("   ")


def test_minhash_similarity() -> None:
    sig = similarity.minhash("Nissan to close its Oppama plant in Japan")
    assert similarity.minhash_similarity(sig, sig) == 1.0
    assert similarity.minhash_similarity(sig, ()) == 0.0
    other = similarity.minhash("Foxconn and Nissan in talks on electric vehicles")
    assert 0.0 <= similarity.minhash_similarity(sig, other) < 0.5
    assert similarity.minhash_similarity([1, 2, 3, 4], [1, 0, 3, 0]) == 0.5


@given(st.text(max_size=80))
def test_fold_fast_path_agrees_with_the_decomposition(value: str) -> None:
    value = value.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
    decomposed = unicodedata.normalize("NFKD", value)
    expected = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    assert similarity.fold(value) == expected


def test_fold_strips_accents() -> None:
    assert similarity.fold("Schließt Fábrica ørsted") == "schliesst fabrica orsted"
