"""Type stubs of the compiled module ``trinity_hdc._native`` (re-exported by ``trinity_hdc``).

Dense vectors are NumPy ``int8`` arrays of -1, 0 and +1: 1-D for one vector, 2-D for a batch
of rows. Any integer dtype and array-likes are accepted and checked; other dtypes raise
``TypeError``, values outside {-1, 0, 1}, bad shapes and mismatched dimensions ``ValueError``.
"""

from os import PathLike
from typing import Iterable, Literal, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

MAX_DIM: int
__version__: str

Int8Array = npt.NDArray[np.int8]
IntArrayLike = Union[npt.NDArray[np.integer], Sequence[int], Sequence[Sequence[int]]]
Metric = Literal["dot", "cosine", "hamming"]
Layout = Literal["dense", "bits"]
Seed = int

class BitVector:
    """Packed ternary vectors (a +1 and a -1 bit plane): one vector or a batch of rows."""

    @staticmethod
    def from_numpy(array: IntArrayLike) -> BitVector:
        """Pack an array of -1/0/+1 (1-D: one vector, 2-D: a batch)."""
    def to_numpy(self) -> Int8Array:
        """The trits: shape ``(dim,)`` or ``(rows, dim)``."""
    @staticmethod
    def random(dim: int, seed: Seed) -> BitVector:
        """The trits of ``trinity_hdc.random(dim, seed)``, packed."""
    @staticmethod
    def zeros(dim: int) -> BitVector:
        """The all-zero vector."""
    @staticmethod
    def stack(vectors: Iterable[BitVector]) -> BitVector:
        """A batch of the rows of every vector given."""
    @staticmethod
    def from_words(dim: int, words: npt.NDArray[np.uint64]) -> BitVector:
        """From ``words()``'s layout: +1 plane then -1 plane, checked."""
    def words(self) -> npt.NDArray[np.uint64]:
        """Both planes of every vector, ``2 * ceil(dim / 64)`` words each."""
    def to_bytes(self) -> bytes:
        """The packed storage bytes of one vector (Trinity's format)."""
    @staticmethod
    def from_bytes(data: bytes) -> BitVector:
        """One vector from packed storage bytes, checked."""
    @property
    def dim(self) -> int:
        """Trits per vector."""
    @property
    def ndim(self) -> int:
        """1 for one vector, 2 for a batch."""
    @property
    def shape(self) -> Tuple[int, ...]:
        """``(dim,)`` or ``(rows, dim)``."""
    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> Union[BitVector, int]: ...
    def __eq__(self, other: object) -> bool: ...

Operand = Union[IntArrayLike, BitVector]

@overload
def dot(a: BitVector, b: BitVector) -> Union[int, npt.NDArray[np.int64]]: ...
@overload
def dot(a: IntArrayLike, b: IntArrayLike) -> Union[int, npt.NDArray[np.int64]]: ...
def dot(a: Operand, b: Operand) -> Union[int, npt.NDArray[np.int64]]:
    """``sum(a[i] * b[i])``: an int for two vectors, an int64 array per row for batches."""

def hamming(a: Operand, b: Operand) -> Union[int, npt.NDArray[np.int64]]:
    """The number of positions where ``a`` and ``b`` differ."""

def cosine(a: Operand, b: Operand) -> Union[float, npt.NDArray[np.float64]]:
    """``dot(a, b) / sqrt(dot(a, a) * dot(b, b))``, 0.0 when either is all zeros."""

@overload
def bind(a: BitVector, b: BitVector) -> BitVector: ...
@overload
def bind(a: IntArrayLike, b: IntArrayLike) -> Int8Array: ...
def bind(a: Operand, b: Operand) -> Union[Int8Array, BitVector]:
    """``c[i] = a[i] * b[i]``, the kind given."""

@overload
def unbind(a: BitVector, key: BitVector) -> BitVector: ...
@overload
def unbind(a: IntArrayLike, key: IntArrayLike) -> Int8Array: ...
def unbind(a: Operand, key: Operand) -> Union[Int8Array, BitVector]:
    """The same operation as ``bind``."""

@overload
def bundle(a: BitVector, b: BitVector) -> BitVector: ...
@overload
def bundle(a: IntArrayLike, b: IntArrayLike) -> Int8Array: ...
def bundle(a: Operand, b: Operand) -> Union[Int8Array, BitVector]:
    """``c[i] = sign(a[i] + b[i])``, 0 on a tie."""

@overload
def bundle_n(rows: Union[BitVector, Sequence[BitVector]]) -> BitVector: ...
@overload
def bundle_n(rows: IntArrayLike) -> Int8Array: ...
def bundle_n(rows: Union[Operand, Sequence[BitVector]]) -> Union[Int8Array, BitVector]:
    """``sign`` of the per-position sum of the rows, 0 on a tie; at least one row."""

@overload
def permute(v: BitVector, k: int) -> BitVector: ...
@overload
def permute(v: IntArrayLike, k: int) -> Int8Array: ...
def permute(v: Operand, k: int) -> Union[Int8Array, BitVector]:
    """Rotation right by ``k`` (``numpy.roll``); every row of a batch."""

@overload
def inverse_permute(v: BitVector, k: int) -> BitVector: ...
@overload
def inverse_permute(v: IntArrayLike, k: int) -> Int8Array: ...
def inverse_permute(v: Operand, k: int) -> Union[Int8Array, BitVector]:
    """``permute(v, -k)``."""

def random(dim: int, seed: Seed) -> Int8Array:
    """A seeded random vector, trit for trit the Rust ``random(dim, seed)``."""

def stats() -> dict:
    """The JIT engine's counters, backend and tier."""

class ItemMemory:
    """Stored vectors searched for the closest to a query; in RAM or in a file."""

    def __init__(self, dim: int, layout: Layout = "bits") -> None:
        """An empty memory in RAM."""
    @staticmethod
    def create(path: Union[str, PathLike], dim: int, layout: Layout = "bits") -> ItemMemory:
        """A new memory file (never overwrites)."""
    @staticmethod
    def open(path: Union[str, PathLike], verify: bool = True, read_only: bool = False) -> ItemMemory:
        """An existing memory file of either layout."""
    def push(self, v: Operand) -> int:
        """Store one vector; its id."""
    def push_many(self, rows: Operand) -> npt.NDArray[np.int64]:
        """Store every row; their ids."""
    def top_k(
        self, query: Operand, k: int, metric: Metric = "cosine"
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The best ``k`` ids and scores, best first, ties to the lower id."""
    def top_k_batch(
        self, queries: Operand, k: int, metric: Metric = "cosine"
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """``top_k`` of every row of ``queries``: 2-D ids and scores."""
    def cleanup(self, query: Operand, metric: Metric = "cosine") -> Optional[Tuple[int, float]]:
        """The best ``(id, score)``, or None when empty."""
    def scores(self, query: Operand, metric: Metric = "cosine") -> npt.NDArray[np.float64]:
        """Every stored vector's score, in id order."""
    def get(self, id: int, packed: bool = False) -> Union[Int8Array, BitVector]:
        """A stored vector."""
    def sync(self) -> None:
        """Make pushes durable (a file's fdatasync)."""
    def __len__(self) -> int: ...
    @property
    def dim(self) -> int:
        """Trits per vector."""
    @property
    def layout(self) -> Layout:
        """``"bits"`` or ``"dense"``."""
    @property
    def path(self) -> Optional[str]:
        """The file, or None in RAM."""

class Codebook:
    """Seeded random symbol vectors ``0..size`` (the Rust ``Codebook``)."""

    def __init__(self, dim: int, size: int, seed: Seed = 0, layout: Layout = "dense") -> None: ...
    def get(self, symbol: int) -> Union[Int8Array, BitVector]:
        """The vector of ``symbol``."""
    def __getitem__(self, symbol: int) -> Union[Int8Array, BitVector]: ...
    def vectors(self, symbols: IntArrayLike) -> Union[Int8Array, BitVector]:
        """The vectors of many symbols as one batch."""
    def __len__(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def layout(self) -> Layout: ...

class Levels:
    """Level vectors of a scalar feature, nearby levels similar (the Rust ``Levels``)."""

    def __init__(self, dim: int, count: int, seed: Seed = 0, layout: Layout = "dense") -> None: ...
    def get(self, level: int) -> Union[Int8Array, BitVector]:
        """The vector of ``level``."""
    def __getitem__(self, level: int) -> Union[Int8Array, BitVector]: ...
    def vectors(self, levels: IntArrayLike) -> Union[Int8Array, BitVector]:
        """The vectors of many levels as one batch."""
    def encode(
        self, values: Union[npt.ArrayLike, Sequence[float]], low: float, high: float
    ) -> Union[Int8Array, BitVector]:
        """The nearest level of each value on a linear scale from ``low`` to ``high``."""
    def __len__(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def layout(self) -> Layout: ...

class Bundler:
    """An n-way bundle built up a vector or batch at a time, in O(dim) memory."""

    def __init__(self, dim: int) -> None: ...
    def add(self, v: Operand) -> None:
        """Add one vector or every row of a batch."""
    def merge(self, other: Bundler) -> None:
        """Add everything ``other`` holds."""
    def finish(self, layout: Layout = "dense") -> Union[Int8Array, BitVector]:
        """The bundle so far."""
    def sums(self) -> npt.NDArray[np.int32]:
        """The per-position sums."""
    def clear(self) -> None:
        """Forget every vector added."""
    @property
    def count(self) -> int: ...
    @property
    def dim(self) -> int: ...
    def __len__(self) -> int: ...

def ngram(codebook: Codebook, window: IntArrayLike) -> Union[Int8Array, BitVector]:
    """``bind`` over ``j`` of ``permute(codebook[window[j]], j)``."""

def sequence(codebook: Codebook, symbols: IntArrayLike, n: int = 3) -> Union[Int8Array, BitVector]:
    """The bundle of the n-grams of every window of ``n`` symbols."""

def sequence_batch(
    codebook: Codebook, sequences: Iterable[IntArrayLike], n: int = 3
) -> Union[Int8Array, BitVector]:
    """``sequence`` of each sequence, one row each, without the GIL."""

def record(keys: Operand, values: Operand) -> Union[Int8Array, BitVector]:
    """The bundle of ``bind(keys[j], values[j])`` over the rows."""
