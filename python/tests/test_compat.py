"""trinity_hdc.compat against the trinity-vsa package itself (when installed), and the
differences its docstring lists."""

import numpy as np
import pytest

import trinity_hdc as th
from trinity_hdc import compat
from conftest import ref_random


def data(seed, dim=1000):
    return th.random(dim, seed)


def test_same_results_as_trinity_vsa():
    tv = pytest.importorskip("trinity_vsa")
    from trinity_vsa import ops

    xs = [data(s) for s in range(5)]
    ours = [compat.TritVector(x) for x in xs]
    theirs = [tv.TritVector(x) for x in xs]
    a, b = ours[0], ours[1]
    ta, tb = theirs[0], theirs[1]
    assert compat.bind(a, b) == compat.TritVector(ops.bind(ta, tb).data)
    assert compat.unbind(a, b) == compat.TritVector(ops.unbind(ta, tb).data)
    for k in [0, 1, -3, 1001]:
        assert np.array_equal(compat.permute(a, k).data, ops.permute(ta, k).data)
    for n in [1, 2, 3, 4, 5]:
        assert np.array_equal(compat.bundle(ours[:n]).data, ops.bundle(theirs[:n]).data), n
    assert compat.hamming_distance(a, b) == ops.hamming_distance(ta, tb)
    assert compat.dot_product(a, b) == ops.dot_product(ta, tb)
    assert compat.similarity(a, b) == pytest.approx(ops.similarity(ta, tb), abs=1e-15)
    assert np.array_equal(compat.encode_sequence(ours).data, ops.encode_sequence(theirs).data)
    noisy = compat.bind(ours[3], compat.TritVector(np.where(np.arange(1000) % 7 == 0, -1, 1).astype(np.int8)))
    assert compat.cleanup(noisy, ours) is ours[3]
    assert ops.cleanup(tv.TritVector(noisy.data), theirs) is theirs[3]
    assert compat.cleanup(noisy, ours, threshold=0.99) is noisy
    # The class behaves alike.
    for o, t in [(a, ta)]:
        assert (o.dim, o.nnz, o.sparsity, len(o)) == (t.dim, t.nnz, t.sparsity, len(t))
        assert o[5] == t[5] and isinstance(o[5], compat.Trit)
        assert np.array_equal((-o).data, (-t).data)
        assert np.array_equal(o.to_numpy(), t.to_numpy())
    assert compat.TritVector.zeros(5).data.tolist() == tv.TritVector.zeros(5).data.tolist()
    assert compat.TritVector.random_sparse(100, 0.9, seed=1) == compat.TritVector(tv.TritVector.random_sparse(100, 0.9, seed=1).data)
    assert compat.Trit.from_int(-7) == tv.Trit.from_int(-7)


def test_bundle_tie_rule_agrees():
    a = compat.TritVector([1, 1, -1, 0])
    b = compat.TritVector([-1, 1, 1, 0])
    assert compat.bundle([a, b]).data.tolist() == [0, 1, 0, 0]


def test_documented_differences():
    with pytest.raises(ValueError, match="invalid trit 2 at index 1"):
        compat.TritVector(np.array([1, 2, 0]))
    with pytest.raises(TypeError):
        compat.TritVector(np.array([1.0, 0.0]))
    assert np.array_equal(compat.TritVector.random(64, seed=9).data, ref_random(64, 9))
    assert compat.TritVector.random(64).dim == 64
    with pytest.raises(ValueError):
        compat.bundle([])
    with pytest.raises(ValueError):
        compat.encode_sequence([])
    with pytest.raises(ValueError, match="dimension mismatch"):
        compat.bind(compat.TritVector.random(10, 1), compat.TritVector.random(11, 1))
    v = compat.TritVector.random(10, 1)
    with pytest.raises(ValueError, match="invalid trit 3"):
        v[0] = 3
