"""Trinity for Python: ternary hyperdimensional computing on JIT-compiled native kernels.

Dense vectors are NumPy ``int8`` arrays of -1, 0 and +1 (1-D for one vector, 2-D for a batch
of rows); packed vectors are ``BitVector``. Every op runs through Trinity's JIT engine, which
compiles a kernel for the op, layout and dimension on first use (AVX2 on x86-64, NEON or
DotProd on AArch64, portable Rust elsewhere, with identical results)::

    import numpy as np
    import trinity_hdc as th

    a, b = th.random(10_000, 1), th.random(10_000, 2)
    bound = th.bind(a, b)
    assert np.array_equal(th.unbind(bound, b)[b != 0], a[b != 0])
    print(th.cosine(a, th.bundle(a, b)))

    memory = th.ItemMemory(10_000)              # packed ("bits") records
    memory.push_many(np.stack([th.random(10_000, s) for s in range(100)]))
    ids, scores = memory.top_k(th.random(10_000, 42), k=3)
    assert ids[0] == 42 and scores[0] == 1.0

``trinity_hdc.compat`` has the names of the ``trinity-vsa`` package.
"""

from ._native import (
    MAX_DIM,
    BitVector,
    Bundler,
    Codebook,
    ItemMemory,
    Levels,
    __version__,
    bind,
    bundle,
    bundle_n,
    cosine,
    dot,
    hamming,
    inverse_permute,
    ngram,
    permute,
    random,
    record,
    sequence,
    sequence_batch,
    stats,
    unbind,
)

__all__ = [
    "MAX_DIM",
    "BitVector",
    "Bundler",
    "Codebook",
    "ItemMemory",
    "Levels",
    "__version__",
    "bind",
    "bundle",
    "bundle_n",
    "cosine",
    "dot",
    "hamming",
    "inverse_permute",
    "ngram",
    "permute",
    "random",
    "record",
    "sequence",
    "sequence_batch",
    "stats",
    "unbind",
]
