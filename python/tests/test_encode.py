"""Codebook, Levels, Bundler and the n-gram, sequence and record encoders against plain NumPy
compositions of the reference ops, both layouts."""

import numpy as np
import pytest

import trinity_hdc as th
from conftest import (
    check_kind,
    ref_bind,
    ref_bundle_n,
    ref_cosine,
    ref_ngram,
    ref_random,
    symbol_seed,
    trits,
    vectors,
)


def test_codebook_symbols_are_seeded_random_vectors(layout):
    book = th.Codebook(300, 26, seed=42, layout=layout)
    assert (len(book), book.dim, book.seed, book.layout) == (26, 300, 42, layout)
    for s in [0, 1, 25]:
        v = book.get(s)
        check_kind(v, layout)
        assert np.array_equal(trits(v), ref_random(300, symbol_seed(42, s)))
        assert np.array_equal(trits(book[s]), trits(v))
    batch = book.vectors([3, 0, 3])
    check_kind(batch, layout)
    assert np.array_equal(trits(batch), np.stack([trits(book[3]), trits(book[0]), trits(book[3])]))
    assert np.array_equal(trits(book.vectors(np.array([1, 2], dtype=np.uint8))), trits(book.vectors([1, 2])))
    with pytest.raises(ValueError, match="unknown symbol 26: the codebook has symbols 0..26"):
        book.get(26)
    with pytest.raises(ValueError, match="negative"):
        book.get(-1)
    with pytest.raises(ValueError, match="at least one symbol"):
        th.Codebook(300, 0)
    with pytest.raises(TypeError, match="str"):
        book.vectors("abc")


def test_ngram_sequence_and_batch(layout):
    book = th.Codebook(1000, 10, seed=3, layout=layout)
    items = [trits(book[s]) for s in range(10)]
    window = [4, 1, 7]
    g = th.ngram(book, window)
    check_kind(g, layout)
    assert np.array_equal(trits(g), ref_ngram([items[s] for s in window]))
    symbols = [0, 1, 2, 3, 2, 1, 9, 9, 5]
    for n in [1, 2, 3, 9]:
        grams = [ref_ngram([items[s] for s in symbols[i : i + n]]) for i in range(len(symbols) - n + 1)]
        seq = th.sequence(book, symbols, n)
        check_kind(seq, layout)
        assert np.array_equal(trits(seq), ref_bundle_n(grams)), n
    texts = [[0, 1, 2, 3], [5, 5, 5], [9, 8, 7, 6, 5, 4]]
    batch = th.sequence_batch(book, texts, 3)
    check_kind(batch, layout)
    assert trits(batch).shape == (3, 1000)
    for row, text in zip(trits(batch), texts):
        assert np.array_equal(row, trits(th.sequence(book, text, 3)))
    assert np.array_equal(trits(th.sequence_batch(book, (np.array(t) for t in texts), 3)), trits(batch))
    with pytest.raises(ValueError, match="sequences\\[1\\].*shorter than the n-gram size 4"):
        th.sequence_batch(book, texts, 4)
    with pytest.raises(ValueError, match="unknown symbol 10"):
        th.sequence(book, [1, 10, 2], 2)
    with pytest.raises(ValueError, match="n-gram size 0"):
        th.sequence(book, [1, 2], 0)
    with pytest.raises(ValueError, match="window\\[1\\] = -2 is negative"):
        th.ngram(book, [1, -2])


def test_similar_texts_encode_to_similar_vectors():
    letters = th.Codebook(10000, 26, seed=7, layout="bits")
    ids = lambda s: [ord(c) - ord("a") for c in s]
    a, b, c = th.sequence_batch(letters, [ids("thequickbrownfox"), ids("thequickbrownfix"), ids("lazydogsjumpover")], 3)
    assert th.cosine(a, b) > 0.5 > abs(th.cosine(a, c))


def test_record_is_the_bundle_of_bound_pairs(layout):
    keys, values = vectors(2000, range(5)), vectors(2000, range(10, 15))
    from conftest import as_layout

    r = th.record(as_layout(keys, layout), as_layout(values, layout))
    check_kind(r, layout)
    want = ref_bundle_n([ref_bind(k, v) for k, v in zip(keys, values)])
    assert np.array_equal(trits(r), want)
    probe = th.unbind(r, as_layout(keys[2], layout))
    assert th.cosine(probe, as_layout(values[2], layout)) > 0.3
    with pytest.raises(ValueError, match="5 keys but 4 values"):
        th.record(as_layout(keys, layout), as_layout(values[:4], layout))
    with pytest.raises(TypeError, match="mix"):
        th.record(keys, th.BitVector.from_numpy(values))


def test_levels(layout):
    levels = th.Levels(10000, 11, seed=3, layout=layout)
    assert (len(levels), levels.dim, levels.layout) == (11, 10000, layout)
    first = trits(levels[0])
    assert np.array_equal(first, ref_random(10000, symbol_seed(3, 0)))
    cos = [ref_cosine(first, trits(levels.get(k))) for k in range(11)]
    assert cos[0] == 1.0 and all(x > y for x, y in zip(cos, cos[1:])) and abs(cos[10]) < 0.1
    # Each step negates D/2/10 = 500 positions, of which the nonzero ones (about 2/3) change.
    steps = [np.count_nonzero(trits(levels[k]) != trits(levels[k + 1])) for k in range(10)]
    assert all(280 < s < 390 for s in steps), steps
    enc = levels.encode([0.0, 0.49, 0.51, 1.0, -5.0, 7.0], 0.0, 1.0)
    check_kind(enc, layout)
    want = levels.vectors([0, 5, 5, 10, 0, 10])
    assert np.array_equal(trits(enc), trits(want))
    assert np.array_equal(trits(levels.encode(np.array([0.26]), 0, 1)), trits(levels.vectors([3])))
    with pytest.raises(ValueError, match="level 11 out of range"):
        levels.get(11)
    with pytest.raises(ValueError, match="NaN"):
        levels.encode([0.5, float("nan")], 0, 1)
    with pytest.raises(ValueError, match="above low"):
        levels.encode([0.5], 1, 1)
    with pytest.raises(ValueError, match="at least 2"):
        th.Levels(100, 1)
    with pytest.raises(ValueError, match="levels for dimension 10"):
        th.Levels(10, 7)


def test_bundler_matches_bundle_n(layout):
    rows = vectors(777, range(9))
    from conftest import as_layout

    b = th.Bundler(777)
    assert (b.dim, b.count, len(b)) == (777, 0, 0)
    b.add(as_layout(rows[0], layout))
    b.add(as_layout(rows[1:5], layout))
    other = th.Bundler(777)
    other.add(rows[5:])
    b.merge(other)
    assert b.count == 9
    assert b.sums().dtype == np.int32 and np.array_equal(b.sums(), rows.astype(np.int32).sum(axis=0))
    want = ref_bundle_n(rows)
    assert np.array_equal(b.finish(), want)
    assert b.finish("bits") == th.BitVector.from_numpy(want)
    bad = rows[:2].copy()
    bad[1, 3] = 4
    with pytest.raises(ValueError, match="invalid trit 4 at row 1, index 3"):
        b.add(bad)
    assert b.count == 9, "a bad row adds nothing"
    with pytest.raises(ValueError, match="dimension mismatch"):
        b.add(th.random(10, 1))
    b.clear()
    with pytest.raises(ValueError, match="at least one vector"):
        b.finish()
    assert "count=0" in repr(b)
