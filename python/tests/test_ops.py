"""Every op against the NumPy reference, both layouts, one vector and batches; random against
the generator written out in Python; conversions; every kind of bad input."""

import re
import threading
import time

import numpy as np
import pytest

import trinity_hdc as th
from conftest import (
    DIMS,
    as_layout,
    check_kind,
    ref_bind,
    ref_bundle_n,
    ref_cosine,
    ref_dot,
    ref_hamming,
    ref_permute,
    ref_random,
    trits,
    vectors,
)


@pytest.mark.parametrize("dim", [1, 2, 5, 64, 65, 1000, 10000])
@pytest.mark.parametrize("seed", [0, 1, 42, 2**64 - 1])
def test_random_is_the_generator_of_the_spec(dim, seed):
    v = th.random(dim, seed)
    assert v.dtype == np.int8 and v.shape == (dim,)
    assert np.array_equal(v, ref_random(dim, seed))
    assert th.BitVector.random(dim, seed) == th.BitVector.from_numpy(v)


def test_random_known_prefix():
    # The first trits of random(16, 1), fixed so a change of generator shows here.
    assert th.random(16, 1).tolist() == ref_random(16, 1).tolist()
    assert set(np.unique(th.random(10000, 3))) == {-1, 0, 1}


@pytest.mark.parametrize("dim", DIMS)
def test_pair_ops_match_the_reference(dim, layout):
    a, b = th.random(dim, 11), th.random(dim, 12)
    zero = np.zeros(dim, dtype=np.int8)
    cases = [(a, b), (a, a), (a, -a), (a, zero), (zero, zero), (np.ones(dim, np.int8), -np.ones(dim, np.int8))]
    for x, y in cases:
        x = x.astype(np.int8)
        y = y.astype(np.int8)
        X, Y = as_layout(x, layout), as_layout(y, layout)
        d = th.dot(X, Y)
        assert type(d) is int and d == ref_dot(x, y)
        h = th.hamming(X, Y)
        assert type(h) is int and h == ref_hamming(x, y)
        c = th.cosine(X, Y)
        assert type(c) is float and c == ref_cosine(x, y)  # to the bit
        for op, ref in [(th.bind, ref_bind), (th.unbind, ref_bind)]:
            r = op(X, Y)
            check_kind(r, layout)
            assert np.array_equal(trits(r), ref(x, y))
        r = th.bundle(X, Y)
        check_kind(r, layout)
        assert np.array_equal(trits(r), ref_bundle_n([x, y]))


@pytest.mark.parametrize("dim", DIMS)
def test_permute_matches_numpy_roll(dim, layout):
    v = th.random(dim, 5)
    V = as_layout(v, layout)
    for k in [0, 1, -1, 3, dim - 1, dim, dim + 1, -dim - 2, 64, 2**62, -(2**63)]:
        r = th.permute(V, k)
        check_kind(r, layout)
        assert np.array_equal(trits(r), ref_permute(v, k)), k
        back = th.inverse_permute(r, k)
        assert np.array_equal(trits(back), v), k
        assert np.array_equal(trits(th.inverse_permute(V, k)), ref_permute(v, -k) if k != -(2**63) else np.roll(v, -(k % dim)))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 17, 256])
def test_bundle_n_matches_the_reference(n, layout):
    rows = vectors(1000, range(n))
    r = th.bundle_n(as_layout(rows, layout))
    check_kind(r, layout)
    assert trits(r).shape == (1000,)
    assert np.array_equal(trits(r), ref_bundle_n(rows))


def test_bundle_n_ties_give_zero():
    rows = np.array([[1, 1, -1, 0], [-1, 1, 1, 0]], dtype=np.int8)
    assert th.bundle_n(rows).tolist() == [0, 1, 0, 0]
    assert th.bundle(rows[0], rows[1]).tolist() == [0, 1, 0, 0]


def test_bundle_n_of_lists():
    rows = vectors(100, range(5))
    expected = ref_bundle_n(rows)
    assert np.array_equal(th.bundle_n(list(rows)), expected)
    packed = [th.BitVector.from_numpy(r) for r in rows]
    assert np.array_equal(th.bundle_n(packed).to_numpy(), expected)
    assert np.array_equal(th.bundle_n(th.BitVector.stack(packed)).to_numpy(), expected)


@pytest.mark.parametrize("dim", [1, 100, 10000])
def test_batches_row_wise_and_one_against_many(dim, layout):
    many = vectors(dim, range(20, 29))
    others = vectors(dim, range(40, 49))
    one = th.random(dim, 7)
    M, O, Q = as_layout(many, layout), as_layout(others, layout), as_layout(one, layout)
    for op, ref, dtype in [(th.dot, ref_dot, np.int64), (th.hamming, ref_hamming, np.int64), (th.cosine, ref_cosine, np.float64)]:
        rowwise = op(M, O)
        assert isinstance(rowwise, np.ndarray) and rowwise.dtype == dtype and rowwise.shape == (9,)
        assert rowwise.tolist() == [ref(x, y) for x, y in zip(many, others)]
        assert op(Q, M).tolist() == [ref(one, y) for y in many]
        assert op(M, Q).tolist() == [ref(x, one) for x in many]
    for op, ref in [(th.bind, ref_bind), (th.bundle, lambda x, y: ref_bundle_n([x, y]))]:
        rowwise = op(M, O)
        check_kind(rowwise, layout)
        assert trits(rowwise).shape == (9, dim)
        assert np.array_equal(trits(rowwise), np.stack([ref(x, y) for x, y in zip(many, others)]))
        assert np.array_equal(trits(op(Q, M)), np.stack([ref(one, y) for y in many]))
    shifted = th.permute(M, 5)
    check_kind(shifted, layout)
    assert np.array_equal(trits(shifted), np.roll(many, 5, axis=1))
    assert np.array_equal(trits(th.inverse_permute(shifted, 5)), many)


def test_empty_batches(layout):
    empty = np.zeros((0, 50), dtype=np.int8)
    E, q = as_layout(empty, layout), as_layout(th.random(50, 1), layout)
    assert th.dot(E, q).shape == (0,)
    assert trits(th.bind(E, E)).shape == (0, 50)
    with pytest.raises(ValueError, match="at least one"):
        th.bundle_n(E)


def test_other_integer_dtypes_lists_and_strided_arrays():
    a, b = th.random(300, 1), th.random(300, 2)
    expected = ref_dot(a, b)
    for dtype in [np.int16, np.int32, np.int64, np.uint8]:
        x = a.astype(dtype) if dtype is not np.uint8 else (a == 1).astype(np.uint8)
        want = expected if dtype is not np.uint8 else ref_dot((a == 1).astype(np.int8), b)
        assert th.dot(x, b) == want
    assert th.dot(a.tolist(), b.tolist()) == expected
    assert th.dot(tuple(a.tolist()), b) == expected
    wide = np.stack([a, b], axis=1)  # column views are strided
    assert th.dot(wide[:, 0], wide[:, 1]) == expected
    assert np.array_equal(th.bind(wide[:, 0], wide[:, 1]), ref_bind(a, b))
    rows = vectors(64, range(6))
    assert th.dot(rows[::2], rows[1::2]).tolist() == [ref_dot(x, y) for x, y in zip(rows[::2], rows[1::2])]
    assert th.dot(rows.T.copy().T, rows).tolist() == [ref_dot(x, x) for x in rows]


def test_inputs_are_not_modified():
    a, b = th.random(500, 1), th.random(500, 2)
    a0, b0 = a.copy(), b.copy()
    for op in [th.bind, th.bundle, th.dot, th.cosine, th.hamming]:
        op(a, b)
    th.permute(a, 3)
    assert np.array_equal(a, a0) and np.array_equal(b, b0)


def test_bit_vector_conversions():
    rows = vectors(130, range(4))
    packed = th.BitVector.from_numpy(rows)
    assert packed.shape == (4, 130) and packed.ndim == 2 and packed.dim == 130 and len(packed) == 4
    assert np.array_equal(packed.to_numpy(), rows)
    one = packed[2]
    assert one.shape == (130,) and one.ndim == 1 and len(one) == 130
    assert np.array_equal(one.to_numpy(), rows[2]) and one == th.BitVector.from_numpy(rows[2])
    assert packed[-1] == packed[3] and one[5] == rows[2][5] and one[-1] == rows[2][-1]
    assert one != packed and one != rows[2]
    words = one.words()
    assert words.dtype == np.uint64 and words.shape == (2 * 3,)
    plus, minus = words[:3], words[3:]
    for i, t in enumerate(rows[2]):
        p, m = (int(plus[i // 64]) >> (i % 64)) & 1, (int(minus[i // 64]) >> (i % 64)) & 1
        assert p - m == t
    assert th.BitVector.from_words(130, words) == one
    assert th.BitVector.from_words(130, packed.words()) == packed
    assert th.BitVector.from_bytes(one.to_bytes()) == one
    assert th.BitVector.stack([one, packed]).shape == (5, 130)
    assert th.BitVector.zeros(70).to_numpy().tolist() == [0] * 70
    import pickle

    assert pickle.loads(pickle.dumps(packed)) == packed
    assert "dim=130" in repr(one) and "rows=4" in repr(packed)


def message(excinfo):
    return str(excinfo.value)


def test_invalid_trits_are_named_with_their_position(layout):
    a = th.random(100, 1)
    bad = a.copy()
    bad[37] = 5
    with pytest.raises(ValueError) as e:
        th.dot(bad, a)
    assert "invalid trit 5 at index 37" in message(e) and "'a'" in message(e)
    with pytest.raises(ValueError) as e:
        th.bind(a, bad)
    assert "invalid trit 5 at index 37" in message(e) and "'b'" in message(e)
    rows = vectors(100, range(4))
    rows[2, 9] = -3
    for call in [lambda: th.dot(a, rows), lambda: th.bind(rows, rows), lambda: th.permute(rows, 1), lambda: th.bundle_n(rows), lambda: th.BitVector.from_numpy(rows)]:
        with pytest.raises(ValueError) as e:
            call()
        assert "invalid trit -3 at row 2, index 9" in message(e)
    with pytest.raises(ValueError, match=r"invalid trit 300 at index 4"):
        th.dot(np.array([0, 0, 0, 0, 300], dtype=np.int64), np.zeros(5, np.int8))
    with pytest.raises(ValueError, match=r"invalid trit 7 at row 1, index 0"):
        th.dot(np.array([[0, 0], [7, 0]], dtype=np.uint16), np.zeros(2, np.int8))
    with pytest.raises(ValueError, match=r"invalid trit -128 at index 0"):
        th.unbind(np.array([-128], dtype=np.int8), np.array([1], dtype=np.int8))


def test_wrong_dtypes_shapes_and_dimensions(layout):
    a = th.random(100, 1)
    A = as_layout(a, layout)
    with pytest.raises(TypeError, match="float64"):
        th.dot(a.astype(np.float64), a)
    with pytest.raises(TypeError, match="bool"):
        th.dot(a != 0, a)
    with pytest.raises(TypeError, match="dtype <U3"):
        th.dot("abc", a)
    with pytest.raises(TypeError):
        th.dot(None, a)
    with pytest.raises(ValueError, match="3-D"):
        th.dot(np.zeros((2, 2, 2), np.int8), a)
    with pytest.raises(ValueError, match="0-D"):
        th.dot(np.int8(1), a)
    with pytest.raises(ValueError, match="dimension 0"):
        th.dot(np.zeros(0, np.int8), np.zeros(0, np.int8))
    other = as_layout(th.random(99, 1), layout)
    with pytest.raises(ValueError, match="dimension mismatch: argument 'a' has dimension 100, 'b' has 99"):
        th.dot(A, other)
    with pytest.raises(ValueError, match="dimension mismatch"):
        th.bind(A, other)
    rows3, rows4 = as_layout(vectors(100, range(3)), layout), as_layout(vectors(100, range(4)), layout)
    with pytest.raises(ValueError, match="argument 'a' has 3 rows, 'b' has 4"):
        th.dot(rows3, rows4)
    other_kind = th.BitVector.from_numpy(a) if layout == "dense" else a
    with pytest.raises(TypeError, match="mix a NumPy array and a BitVector"):
        th.dot(A, other_kind)
    with pytest.raises(TypeError, match="mix"):
        th.bundle(A, other_kind)
    with pytest.raises(ValueError, match="batch"):
        th.bundle_n(A)
    with pytest.raises(TypeError):
        th.permute(A, 1.5)


def test_bad_arguments_of_constructors():
    with pytest.raises(ValueError, match="out of range"):
        th.random(10, -1)
    with pytest.raises(ValueError, match="out of range"):
        th.random(10, 2**64)
    with pytest.raises(TypeError, match="seed must be an int"):
        th.random(10, "x")
    with pytest.raises(ValueError, match="dimension 0"):
        th.random(0, 1)
    with pytest.raises(ValueError, match="exceeds the maximum"):
        th.random(th.MAX_DIM + 1, 1)
    with pytest.raises(ValueError, match="negative"):
        th.BitVector.zeros(-3)
    words = th.BitVector.random(70, 1).words()
    bad = words.copy()
    bad[0] |= np.uint64(1) << np.uint64(3)
    bad[2] |= np.uint64(1) << np.uint64(3)
    with pytest.raises(ValueError, match="trit 3 is set in both"):
        th.BitVector.from_words(70, bad)
    pad = words.copy()
    pad[1] |= np.uint64(1) << np.uint64(63)
    with pytest.raises(ValueError, match="bit 127 is set but lies past the dimension 70"):
        th.BitVector.from_words(70, pad)
    with pytest.raises(ValueError, match="words"):
        th.BitVector.from_words(70, words[:3])
    with pytest.raises(TypeError, match="uint64"):
        th.BitVector.from_words(70, words.astype(np.int64))
    with pytest.raises(ValueError, match="magic"):
        th.BitVector.from_bytes(b"NOPE\x01\x05\x00\x00\x00\x00")
    with pytest.raises(IndexError):
        th.BitVector.random(10, 1)[10]
    with pytest.raises(ValueError, match="at least one"):
        th.BitVector.stack([])
    with pytest.raises(TypeError, match="item 1"):
        th.BitVector.stack([th.BitVector.random(10, 1), np.zeros(10, np.int8)])


def test_stats_count_calls():
    before = th.stats()
    a, b = th.random(333, 1), th.random(333, 2)
    th.dot(a, b)
    th.bind(th.BitVector.from_numpy(a), th.BitVector.from_numpy(b))
    th.dot(a, np.stack([a, b, a]))
    after = th.stats()
    assert after["total_ops"] - before["total_ops"] == 5
    served = ["baked_hits", "jit_hits", "jit_misses", "portable_ops", "over_budget_ops"]
    assert sum(after[k] for k in served) == after["total_ops"]
    assert after["backend"] in ("jit", "portable")
    assert (after["reason"] is None) == (after["backend"] == "jit")
    assert after["tier"] in (None, "avx2", "avx512", "avx512vpopcnt", "neon", "dotprod")
    assert isinstance(after["compile_time"], float) and after["cache_size"] >= 2


def longest_stall(call):
    """Run `call` once while a Python thread counts; return (seconds the call took, the longest
    time the counting thread went without running while the call ran). A call that holds the
    GIL stalls the thread for all of it; one that releases it, for a scheduling hiccup."""
    stamps = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            stamps.append(time.perf_counter())

    thread = threading.Thread(target=count)
    thread.start()
    time.sleep(0.02)
    start = time.perf_counter()
    call()
    end = time.perf_counter()
    stop.set()
    thread.join()
    inside = [start] + [s for s in stamps if start < s < end] + [end]
    return end - start, max(b - a for a, b in zip(inside, inside[1:]))


def long_enough(make_call, rows=2000, at_least=0.1, limit=64000):
    """The first call of make_call(rows), doubling rows, that takes at least `at_least` s."""
    while True:
        call = make_call(rows)
        start = time.perf_counter()
        call()
        if time.perf_counter() - start >= at_least or rows >= limit:
            return call
        rows *= 2


def check_releases_the_gil(call):
    took, stall = longest_stall(call)
    assert stall < took / 2, f"the thread stalled {stall:.3f} s of a {took:.3f} s call"


def test_batches_release_the_gil():
    base = vectors(10000, range(16))
    q = th.random(10000, 99)

    def dense_bind(rows):
        m = np.tile(base, (rows // 16, 1))
        return lambda: th.bind(m, q)

    def pack(rows):
        m = np.tile(base, (rows // 16, 1))
        return lambda: th.BitVector.from_numpy(m)

    def unpack(rows):
        p = th.BitVector.from_numpy(np.tile(base, (rows // 16, 1)))
        return lambda: p.to_numpy()

    for make in [dense_bind, pack, unpack]:
        check_releases_the_gil(long_enough(make))


def test_holding_the_gil_is_detected():
    # The check can fail: a C function called through ctypes.PyDLL keeps the GIL.
    import ctypes

    usleep = ctypes.PyDLL(None).usleep
    took, stall = longest_stall(lambda: usleep(150_000))
    assert stall >= took / 2, (took, stall)


def test_a_call_on_one_vector_keeps_the_gil_and_still_works_from_threads():
    a, b = th.random(10000, 1), th.random(10000, 2)
    expected = ref_dot(a, b)
    results = []

    def worker():
        for _ in range(200):
            results.append(th.dot(a, b))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 800


def test_every_public_function_has_a_docstring():
    for name in th.__all__:
        obj = getattr(th, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 20, name
    for cls in [th.BitVector, th.ItemMemory, th.Codebook, th.Levels, th.Bundler]:
        for attr, value in vars(cls).items():
            if not attr.startswith("_") and callable(value):
                assert getattr(cls, attr).__doc__, f"{cls.__name__}.{attr}"
    assert re.match(r"\d+\.\d+\.\d+", th.__version__)


def test_the_stub_names_everything_the_module_has():
    import ast
    from pathlib import Path

    import trinity_hdc._native as native

    stub = Path(native.__file__).with_name("_native.pyi")
    if not stub.exists():  # an installed wheel keeps the stub beside the package
        stub = Path(th.__file__).with_name("_native.pyi")
    tree = ast.parse(stub.read_text())
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    names |= {t.id for n in tree.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    public = {n for n in dir(native) if not n.startswith("_") or n == "__version__"}
    assert public <= names, public - names
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for name, node in classes.items():
        declared = {m.name for m in node.body if isinstance(m, ast.FunctionDef)}
        actual = {m for m in vars(getattr(native, name)) if not m.startswith("_")}
        assert actual <= declared, (name, actual - declared)
