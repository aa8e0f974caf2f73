"""Shared references and helpers: every op of docs/design.md §1 written in plain NumPy (and the
random generator in plain Python), the oracle the package is tested against."""

import math

import numpy as np
import pytest

import trinity_hdc as th

MASK = (1 << 64) - 1
LAYOUTS = ["dense", "bits"]
DIMS = [1, 7, 63, 64, 65, 127, 1000, 10000]


def splitmix64(state):
    """(next state, output) of SplitMix64."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def ref_random(dim, seed):
    """The trits of random(dim, seed): xoshiro256++ seeded by SplitMix64, one byte a trit with
    zero bytes redrawn, floor(3x / 256) - 1."""
    state, s = seed, []
    for _ in range(4):
        state, out = splitmix64(state)
        s.append(out)
    trits = np.empty(dim, dtype=np.int8)
    i = 0
    while i < dim:
        result = (rotl((s[0] + s[3]) & MASK, 23) + s[0]) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        x = result & 0xFF
        if x == 0:
            continue
        trits[i] = (3 * x) // 256 - 1
        i += 1
    return trits


def symbol_seed(seed, symbol):
    """The seed of a codebook's symbol: SplitMix64(seed)'s first output plus the symbol."""
    return (splitmix64(seed)[1] + symbol) & MASK


def ref_dot(a, b):
    return int(np.dot(a.astype(np.int64), b.astype(np.int64)))


def ref_hamming(a, b):
    return int(np.count_nonzero(a != b))


def ref_cosine(a, b):
    aa, bb = ref_dot(a, a), ref_dot(b, b)
    if aa == 0 or bb == 0:
        return 0.0
    return ref_dot(a, b) / math.sqrt(float(aa) * float(bb))


def ref_bind(a, b):
    return (a.astype(np.int16) * b).astype(np.int8)


def ref_bundle_n(rows):
    return np.sign(np.asarray(rows, dtype=np.int64).sum(axis=0)).astype(np.int8)


def ref_permute(v, k):
    return np.roll(v, k)


def ref_ngram(vectors):
    """bind over j of permute(vectors[j], j)."""
    out = vectors[0].copy()
    for j, v in enumerate(vectors[1:], 1):
        out = ref_bind(out, ref_permute(v, j))
    return out


def vectors(dim, seeds):
    """Random dense vectors, one row per seed."""
    return np.stack([th.random(dim, s) for s in seeds])


def as_layout(v, layout):
    """A dense vector or batch in `layout`: itself, or packed."""
    return v if layout == "dense" else th.BitVector.from_numpy(v)


def trits(v):
    """The trits of a result of either kind, as NumPy."""
    if isinstance(v, th.BitVector):
        return v.to_numpy()
    assert isinstance(v, np.ndarray) and v.dtype == np.int8, f"not int8 trits: {v!r}"
    return v


def check_kind(result, layout):
    """A vector result is of the kind its operands were."""
    if layout == "bits":
        assert isinstance(result, th.BitVector)
    else:
        assert isinstance(result, np.ndarray) and result.dtype == np.int8


@pytest.fixture(params=LAYOUTS)
def layout(request):
    return request.param
