"""ItemMemory against a NumPy reference search, both layouts, files round-tripped through the
Rust API, and bad input."""

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import trinity_hdc as th
from conftest import as_layout, ref_cosine, ref_dot, ref_hamming, vectors

ROOT = Path(__file__).resolve().parents[2]
METRICS = ["dot", "cosine", "hamming"]
REF = {"dot": ref_dot, "cosine": ref_cosine, "hamming": ref_hamming}


def ref_top_k(rows, query, k, metric):
    """Best first (highest dot or cosine, lowest hamming), ties to the lower id."""
    scores = np.array([REF[metric](r, query) for r in rows], dtype=np.float64)
    key = scores if metric == "hamming" else -scores
    order = np.lexsort((np.arange(len(rows)), key))[:k]
    return order, scores[order]


@pytest.fixture(scope="module")
def stored():
    rows = vectors(1000, range(300))
    rows[100] = rows[7]  # duplicates tie: the lower id ranks first
    rows[250] = rows[7]
    rows[20] = 0  # an all-zero record: cosine 0.0
    return rows


@pytest.mark.parametrize("metric", METRICS)
def test_top_k_matches_the_reference(stored, layout, metric):
    memory = th.ItemMemory(1000, layout=layout)
    ids = memory.push_many(stored)
    assert ids.dtype == np.int64 and ids.tolist() == list(range(300))
    assert len(memory) == 300 and memory.dim == 1000 and memory.layout == layout
    queries = np.stack([stored[7], th.random(1000, 5000), -stored[3], np.zeros(1000, np.int8)])
    for q in queries:
        for k in [1, 5, 300, 1000]:
            got_ids, got_scores = memory.top_k(as_layout(q, layout), k, metric)
            want_ids, want_scores = ref_top_k(stored, q, k, metric)
            assert got_ids.dtype == np.int64 and got_scores.dtype == np.float64
            assert got_ids.tolist() == want_ids.tolist()
            assert got_scores.tolist() == want_scores.tolist()
    ids_2d, scores_2d = memory.top_k_batch(as_layout(queries, layout), 10, metric)
    assert ids_2d.shape == scores_2d.shape == (4, 10)
    for q, row_ids, row_scores in zip(queries, ids_2d, scores_2d):
        want_ids, want_scores = ref_top_k(stored, q, 10, metric)
        assert row_ids.tolist() == want_ids.tolist() and row_scores.tolist() == want_scores.tolist()
    best = memory.cleanup(stored[7], metric)
    assert best[0] == 7 and isinstance(best[0], int) and isinstance(best[1], float)
    scores = memory.scores(stored[11], metric)
    assert scores.tolist() == [float(REF[metric](r, stored[11])) for r in stored]


def test_ties_rank_the_lower_id_first(layout):
    memory = th.ItemMemory(64, layout)
    v = th.random(64, 1)
    memory.push_many(np.stack([th.random(64, 2), v, v, th.random(64, 3), v]))
    ids, scores = memory.top_k(v, 3, "hamming")
    assert ids.tolist() == [1, 2, 4] and scores.tolist() == [0.0, 0.0, 0.0]
    assert memory.top_k(v, 0)[0].shape == (0,)
    empty = th.ItemMemory(64, layout)
    assert empty.cleanup(v) is None
    assert empty.top_k(v, 5)[0].shape == (0,)
    assert empty.top_k_batch(np.stack([v, v]), 5)[0].shape == (2, 0)


def test_push_get_and_either_kind_of_query(layout):
    memory = th.ItemMemory(130, layout)
    a = th.random(130, 1)
    assert memory.push(a) == 0
    assert memory.push(th.BitVector.random(130, 2)) == 1
    assert memory.push_many(th.BitVector.from_numpy(vectors(130, [3, 4]))).tolist() == [2, 3]
    assert np.array_equal(memory.get(0), a)
    assert memory.get(1, packed=True) == th.BitVector.random(130, 2)
    assert np.array_equal(memory.get(3), th.random(130, 4))
    for q in [th.random(130, 3), th.BitVector.random(130, 3), th.random(130, 3).astype(np.int64).tolist()]:
        assert memory.cleanup(q, "dot")[0] == 2
    assert "len=4" in repr(memory)


def test_bad_input(layout, tmp_path):
    memory = th.ItemMemory(100, layout)
    memory.push(th.random(100, 1))
    with pytest.raises(ValueError, match="dimension mismatch: the memory holds vectors of dimension 100, argument 'v' has 99"):
        memory.push(th.random(99, 1))
    bad = th.random(100, 1)
    bad[42] = 9
    with pytest.raises(ValueError, match="invalid trit 9 at index 42"):
        memory.push(bad)
    rows = vectors(100, range(5))
    rows[3, 1] = 2
    with pytest.raises(ValueError, match="invalid trit 2 at row 3, index 1"):
        memory.push_many(rows)
    assert len(memory) == 1, "a bad row stores nothing"
    with pytest.raises(ValueError, match='unknown metric "euclid"'):
        memory.top_k(th.random(100, 1), 3, "euclid")
    with pytest.raises(ValueError, match="negative"):
        memory.top_k(th.random(100, 1), -1)
    with pytest.raises(ValueError, match="top_k_batch"):
        memory.top_k(vectors(100, range(2)), 1)
    with pytest.raises(ValueError, match="push_many"):
        memory.push(vectors(100, range(2)))
    with pytest.raises(TypeError, match="float"):
        memory.top_k(np.zeros(100), 1)
    with pytest.raises(IndexError, match="no record 5"):
        memory.get(5)
    with pytest.raises(ValueError, match='unknown layout "sparse"'):
        th.ItemMemory(100, "sparse")
    with pytest.raises(ValueError, match="dimension 0"):
        th.ItemMemory(0)
    with pytest.raises(FileNotFoundError, match="no-such"):
        th.ItemMemory.open(tmp_path / "no-such.tmem")


def test_files_persist_and_reopen(layout, tmp_path):
    path = tmp_path / f"memory-{layout}.tmem"
    memory = th.ItemMemory.create(path, 500, layout)
    rows = vectors(500, range(40))
    memory.push_many(rows)
    memory.sync()
    assert memory.path == path
    with pytest.raises(FileExistsError):
        th.ItemMemory.create(path, 500, layout)
    del memory
    memory = th.ItemMemory.open(str(path))
    assert (len(memory), memory.dim, memory.layout) == (40, 500, layout)
    assert np.array_equal(memory.get(17), rows[17])
    assert memory.push(th.random(500, 99)) == 40
    del memory
    ro = th.ItemMemory.open(path, read_only=True)
    assert len(ro) == 41 and ro.cleanup(th.random(500, 99))[0] == 40
    with pytest.raises(ValueError, match="read-only"):
        ro.push(th.random(500, 1))
    # A damaged record is named with its offset.
    del ro
    data = bytearray(path.read_bytes())
    data[64 + 3] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"record 0 at offset 64 is damaged"):
        th.ItemMemory.open(path)


@pytest.fixture(scope="session")
def memory_file_tool():
    """The Rust side: trinity-runtime's example `memory_file`, built once."""
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("cargo is not installed") if not os.environ.get("CI") else pytest.fail("CI needs cargo")
    subprocess.run(
        [cargo, "build", "--quiet", "--release", "-p", "trinity-runtime", "--example", "memory_file"],
        cwd=ROOT,
        check=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "examples" / "memory_file"


def rust_read(tool, path):
    out = subprocess.run([str(tool), "read", str(path)], check=True, capture_output=True, text=True).stdout
    facts = [line.split() for line in out.splitlines()]
    return facts


def python_facts(memory):
    dim = memory.dim
    facts = [["layout", memory.layout], ["dim", str(dim)], ["len", str(len(memory))]]
    probe = th.random(dim, 1_000_000)
    for i in range(len(memory)):
        facts.append(["record", str(i), str(th.dot(memory.get(i), probe))])
    ids, scores = memory.top_k(th.random(dim, 7), 3, "cosine")
    facts += [["top", str(i), repr(float(s))] for i, s in zip(ids, scores)]
    return facts


def test_files_written_by_python_are_read_by_rust(memory_file_tool, layout, tmp_path):
    path = tmp_path / "from-python.tmem"
    memory = th.ItemMemory.create(path, 333, layout)
    memory.push_many(vectors(333, range(25)))
    memory.sync()
    assert rust_read(memory_file_tool, path) == python_facts(memory)


def test_files_written_by_rust_are_read_by_python(memory_file_tool, layout, tmp_path):
    path = tmp_path / "from-rust.tmem"
    subprocess.run([str(memory_file_tool), "write", str(path), layout, "333", "25"], check=True)
    memory = th.ItemMemory.open(path)
    assert memory.layout == layout and len(memory) == 25
    assert np.array_equal(np.stack([memory.get(i) for i in range(25)]), vectors(333, range(25)))
    assert python_facts(memory) == rust_read(memory_file_tool, path)


def test_searches_and_pushes_release_the_gil():
    from test_ops import check_releases_the_gil, long_enough

    base = vectors(10000, range(100))
    queries = vectors(10000, range(64))

    def search(rows):
        memory = th.ItemMemory(10000, "dense")
        memory.push_many(np.tile(base, (rows // 100, 1)))
        return lambda: memory.top_k_batch(queries, 10, "dot")

    def push(rows):
        m = np.tile(base, (rows // 100, 1))
        return lambda: th.ItemMemory(10000, "bits").push_many(m)

    check_releases_the_gil(long_enough(search, rows=1000))
    check_releases_the_gil(long_enough(push, rows=1000))


def test_a_push_waits_for_a_search_in_another_thread():
    memory = th.ItemMemory(10000, "dense")
    memory.push_many(np.tile(vectors(10000, range(100)), (20, 1)))
    q = vectors(10000, range(8))
    done = []
    searcher = threading.Thread(target=lambda: done.append(memory.top_k_batch(q, 5, "dot")))
    searcher.start()
    time.sleep(0.001)
    assert memory.push(th.random(10000, 1)) == 2000
    searcher.join()
    assert done and done[0][0].shape == (8, 5)
