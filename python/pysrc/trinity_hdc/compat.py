"""The core of the ``trinity-vsa`` package's API on Trinity's kernels.

Code written for ``trinity-vsa`` (``from trinity_vsa import TritVector, bind, ...``) switches
by changing the import to ``from trinity_hdc.compat import TritVector, bind, ...``. The names
and results are those of ``trinity-vsa`` 0.1 (``TritVector`` over a NumPy ``int8`` array in
``.data``; ``bind``, ``unbind``, ``bundle`` of a list, ``permute``, ``similarity``,
``hamming_distance``, ``dot_product``, ``encode_sequence``, ``cleanup`` over a list), with
these differences:

- ``TritVector(data)`` checks its values: anything but -1, 0, 1 is a ``ValueError`` naming the
  value and its index, where ``trinity-vsa`` clips it silently (``np.clip``). Non-integer
  arrays are a ``TypeError`` (``trinity-vsa`` truncates floats toward zero after clipping).
- ``TritVector.random(dim, seed)`` draws Trinity's trits (the Rust ``random``, the same in
  every Trinity API), not NumPy's ``default_rng``; with ``seed=None`` the seed is random.
  ``random_sparse`` keeps NumPy's generator, as in ``trinity-vsa``.
- ``bundle`` agrees: ``sign`` of the sum per position, 0 on a tie (an even split of +1 and
  -1), like ``trinity_hdc.bundle_n``. Only ``bundle([])`` differs: a ``ValueError`` here, a
  vector of dimension 0 there (Trinity has no such vectors; neither has ``encode_sequence([])``).
- ``similarity`` is Trinity's cosine, ``dot / sqrt(dot(a, a) * dot(b, b))``; ``trinity-vsa``
  computes ``dot / (sqrt(aa) * sqrt(bb))``, which can differ in the last bit of the float.
- Vectors of different dimensions are a ``ValueError`` (``trinity-vsa`` asserts, which
  ``python -O`` skips).
- ``PackedTritVec``, ``SparseVec`` and ``NativeVSA`` are not provided: ``trinity_hdc.BitVector``
  is the packed form, and every op here already runs native kernels.
"""

from __future__ import annotations

import secrets
from enum import IntEnum
from typing import List, Optional, Sequence, Union

import numpy as np

from . import _native

__all__ = [
    "Trit",
    "TritVector",
    "bind",
    "unbind",
    "bundle",
    "permute",
    "similarity",
    "hamming_distance",
    "dot_product",
    "encode_sequence",
    "cleanup",
]


class Trit(IntEnum):
    """Balanced ternary digit: -1, 0 or +1."""

    NEG = -1
    ZERO = 0
    POS = 1

    @classmethod
    def from_int(cls, v: int) -> "Trit":
        """The trit of ``v``'s sign."""
        return cls.POS if v > 0 else cls.NEG if v < 0 else cls.ZERO


def _checked(data) -> np.ndarray:
    """``data`` as a fresh int8 array of trits, checked by Trinity (a ValueError names the first
    value that is not -1, 0 or 1 and its index)."""
    array = np.array(data, copy=True)
    if array.ndim != 1:
        raise ValueError(f"a TritVector is 1-D, got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError("a TritVector needs at least one trit")
    # bind with all +1 checks every value and returns int8 trits.
    return _native.bind(array, np.ones(array.shape, dtype=np.int8))


class TritVector:
    """Dense vector of balanced ternary values; ``data`` is a NumPy ``int8`` array."""

    def __init__(self, data: np.ndarray):
        """From an array (or list) of -1, 0 and 1; other values are a ``ValueError``."""
        self.data = _checked(data)

    @classmethod
    def _wrap(cls, data: np.ndarray) -> "TritVector":
        v = cls.__new__(cls)
        v.data = data
        return v

    @classmethod
    def zeros(cls, dim: int) -> "TritVector":
        """The zero vector of dimension ``dim``."""
        if dim < 1:
            raise ValueError(f"dimension {dim}: vectors have at least one trit")
        return cls._wrap(np.zeros(dim, dtype=np.int8))

    @classmethod
    def random(cls, dim: int, seed: Optional[int] = None) -> "TritVector":
        """A random vector, each trit -1, 0 or +1 with probability 1/3: Trinity's generator
        (``trinity_hdc.random``); a random seed when ``seed`` is None."""
        if seed is None:
            seed = secrets.randbits(64)
        return cls._wrap(_native.random(dim, seed))

    @classmethod
    def random_sparse(
        cls, dim: int, sparsity: float = 0.9, seed: Optional[int] = None
    ) -> "TritVector":
        """A random vector with ``int(dim * (1 - sparsity))`` nonzero trits (NumPy's
        generator, as in ``trinity-vsa``)."""
        rng = np.random.default_rng(seed)
        data = np.zeros(dim, dtype=np.int8)
        nnz = int(dim * (1 - sparsity))
        indices = rng.choice(dim, size=nnz, replace=False)
        data[indices] = rng.choice(np.array([-1, 1], dtype=np.int8), size=nnz)
        return cls._wrap(data)

    @classmethod
    def from_list(cls, data: List[int]) -> "TritVector":
        """From a list of -1, 0 and 1."""
        return cls(data)

    @property
    def dim(self) -> int:
        """The dimension."""
        return len(self.data)

    @property
    def nnz(self) -> int:
        """The number of nonzero trits."""
        return int(np.count_nonzero(self.data))

    @property
    def sparsity(self) -> float:
        """The share of zero trits."""
        return 1.0 - self.nnz / self.dim

    def __len__(self) -> int:
        return self.dim

    def __getitem__(self, idx: int) -> Trit:
        return Trit(int(self.data[idx]))

    def __setitem__(self, idx: int, value: Union[int, Trit]):
        value = int(value)
        if value not in (-1, 0, 1):
            raise ValueError(f"invalid trit {value} at index {idx}: trits are -1, 0 or 1")
        self.data[idx] = value

    def __neg__(self) -> "TritVector":
        return TritVector._wrap(-self.data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TritVector) and np.array_equal(self.data, other.data)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TritVector(dim={self.dim}, nnz={self.nnz})"

    def to_numpy(self) -> np.ndarray:
        """A copy of the trits."""
        return self.data.copy()


def _data(v) -> np.ndarray:
    return v.data if isinstance(v, TritVector) else v


def bind(a: TritVector, b: TritVector) -> TritVector:
    """Element-wise product (Trinity's bind kernel)."""
    return TritVector._wrap(_native.bind(_data(a), _data(b)))


def unbind(bound: TritVector, key: TritVector) -> TritVector:
    """The same as ``bind`` (self-inverse where ``key`` has no zeros)."""
    return TritVector._wrap(_native.unbind(_data(bound), _data(key)))


def bundle(vectors: Sequence[TritVector]) -> TritVector:
    """Majority per position, 0 on a tie (Trinity's n-way bundle kernel). An empty sequence is
    a ``ValueError``."""
    if len(vectors) == 0:
        raise ValueError("bundle needs at least one vector")
    return TritVector._wrap(_native.bundle_n(np.stack([_data(v) for v in vectors])))


def permute(v: TritVector, shift: int) -> TritVector:
    """Rotation right by ``shift`` (``np.roll``), any int."""
    return TritVector._wrap(_native.permute(_data(v), int(shift)))


def similarity(a: TritVector, b: TritVector) -> float:
    """Cosine similarity in [-1, 1]; 0.0 when either vector is all zeros."""
    return _native.cosine(_data(a), _data(b))


def hamming_distance(a: TritVector, b: TritVector) -> int:
    """The number of positions where ``a`` and ``b`` differ."""
    return _native.hamming(_data(a), _data(b))


def dot_product(a: TritVector, b: TritVector) -> int:
    """The sum of element-wise products."""
    return _native.dot(_data(a), _data(b))


def encode_sequence(words: List[TritVector]) -> TritVector:
    """``bind`` over ``i`` of ``permute(words[i], i)``: an ordered sequence as one vector."""
    if len(words) == 0:
        raise ValueError("encode_sequence needs at least one vector")
    result = _data(words[0])
    for i, word in enumerate(words[1:], 1):
        result = _native.bind(result, _native.permute(_data(word), i))
    return TritVector._wrap(result)


def cleanup(
    query: TritVector, memory: List[TritVector], threshold: float = 0.0
) -> TritVector:
    """The item of ``memory`` most similar to ``query`` (the first of equals) if its similarity
    exceeds ``threshold``, else ``query``. Scores every item in one batch call."""
    if not memory:
        return query
    scores = _native.cosine(_data(query), np.stack([_data(m) for m in memory]))
    best = int(np.argmax(scores))
    return memory[best] if scores[best] > threshold else query
