//! `ItemMemory`: stored vectors searched for the closest to a query, in RAM or in a file the
//! Rust API reads and writes too.

use crate::args::{self, checked_row, dense, pack_checked, Layout};
use crate::bits::PyBitVector;
use crate::error::to_py;
use numpy::prelude::*;
use numpy::PyArray1;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use std::path::PathBuf;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};
use trinity_runtime::memory::{MemoryError, OpenOptions};
use trinity_runtime::{BitVector, DenseVector, Error, Hit, ItemMemory, Metric};

/// A memory of either layout.
enum Memory {
    Dense(ItemMemory<DenseVector>),
    Bits(ItemMemory<BitVector>),
}

/// Run `$body` with `$m` bound to the memory of whichever layout, `$V` to its vector type.
macro_rules! with_memory {
    ($memory:expr, $m:ident, $body:expr) => {
        match $memory {
            Memory::Dense($m) => $body,
            Memory::Bits($m) => $body,
        }
    };
}

/// Queries (or vectors to store, or one vector read) in a memory's layout.
enum Vectors<D = Vec<DenseVector>, B = Vec<BitVector>> {
    Dense(D),
    Bits(B),
}

/// Stored ternary vectors of one dimension, searched for the ones closest to a query by
/// ``"dot"``, ``"cosine"`` or ``"hamming"``: best first (highest dot or cosine, lowest
/// hamming), ties to the lower id. In RAM (``ItemMemory(dim)``) or in a memory-mapped file
/// (``ItemMemory.create(path, dim)``, ``ItemMemory.open(path)``) in the format the Rust
/// ``trinity_runtime::ItemMemory`` reads and writes. ``layout`` is ``"bits"`` (two bit planes,
/// the fastest search) or ``"dense"`` (one byte a trit). Queries and vectors to store are NumPy
/// arrays or ``BitVector``s of either layout. Searches release the GIL and run on every core;
/// the memory can be searched from several threads at once.
#[pyclass(name = "ItemMemory", module = "trinity_hdc", frozen)]
pub struct PyItemMemory {
    memory: RwLock<Memory>,
    layout: Layout,
    dim: usize,
}

impl PyItemMemory {
    fn new_with(memory: Memory) -> Self {
        let (layout, dim) = match &memory {
            Memory::Dense(m) => (Layout::Dense, m.dim()),
            Memory::Bits(m) => (Layout::Bits, m.dim()),
        };
        PyItemMemory { memory: RwLock::new(memory), layout, dim }
    }

    /// Run `f` on the memory under the read lock: at once when the lock is free, else with the
    /// GIL released while waiting for a writer (a `push_many` in another thread).
    fn with_read<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Memory) -> PyResult<R> + Send,
    ) -> PyResult<R> {
        match self.memory.try_read() {
            Ok(memory) => f(&memory),
            Err(TryLockError::WouldBlock) => py.detach(|| f(&*self.read()?)),
            Err(TryLockError::Poisoned(_)) => Err(poisoned()),
        }
    }

    /// Run `f` on the memory under the write lock, as `with_read`.
    fn with_write<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Memory) -> PyResult<R> + Send,
    ) -> PyResult<R> {
        match self.memory.try_write() {
            Ok(mut memory) => f(&mut memory),
            Err(TryLockError::WouldBlock) => py.detach(|| f(&mut *self.write()?)),
            Err(TryLockError::Poisoned(_)) => Err(poisoned()),
        }
    }

    fn read(&self) -> PyResult<RwLockReadGuard<'_, Memory>> {
        self.memory.read().map_err(|_| poisoned())
    }

    fn write(&self) -> PyResult<RwLockWriteGuard<'_, Memory>> {
        self.memory.write().map_err(|_| poisoned())
    }

    /// `obj` (a NumPy array or `BitVector`, one vector or a batch) as vectors of this memory's
    /// layout, checked: the dimension, and every trit. Also whether it was a batch.
    /// The metric and the one query of `op` (`cleanup`, `scores`): a batch is a `ValueError`.
    fn one_query(
        &self,
        py: Python<'_>,
        op: &str,
        query: &Bound<'_, PyAny>,
        metric: &str,
    ) -> PyResult<(Metric, Vectors)> {
        let metric = args::metric(metric)?;
        let (queries, batch) = self.vectors(py, "query", query)?;
        if batch {
            return Err(PyValueError::new_err(format!(
                "{op} takes one query, got a batch of rows"
            )));
        }
        Ok((metric, queries))
    }

    fn vectors(
        &self,
        py: Python<'_>,
        name: &'static str,
        obj: &Bound<'_, PyAny>,
    ) -> PyResult<(Vectors, bool)> {
        let dim = self.dim;
        let mismatch = |found: usize| {
            PyValueError::new_err(format!(
                "dimension mismatch: the memory holds vectors of dimension {dim}, argument '{name}' has {found}"
            ))
        };
        if let Ok(b) = obj.cast::<PyBitVector>() {
            let b = b.get();
            if b.dim_() != dim {
                return Err(mismatch(b.dim_()));
            }
            let vectors = match self.layout {
                Layout::Bits => Vectors::Bits(b.rows().to_vec()),
                Layout::Dense => Vectors::Dense(
                    b.rows()
                        .iter()
                        .map(|v| DenseVector::new(args::unpack(v)))
                        .collect::<Result<_, _>>()
                        .map_err(to_py)?,
                ),
            };
            return Ok((vectors, b.is_batch()));
        }
        let d = dense(name, obj)?;
        if d.dim != dim {
            return Err(mismatch(d.dim));
        }
        let guard = d.borrow()?;
        let (data, batch, layout) = (guard.data(), d.batch, self.layout);
        let vectors = py.detach(|| -> PyResult<Vectors> {
            let rows = 0..data.len() / dim;
            Ok(match layout {
                Layout::Dense => Vectors::Dense(
                    rows.map(|r| checked_row(name, data, dim, batch, r).map(|s| s.to_vector()))
                        .collect::<PyResult<_>>()?,
                ),
                Layout::Bits => Vectors::Bits(
                    rows.map(|r| checked_row(name, data, dim, batch, r).map(pack_checked))
                        .collect::<PyResult<_>>()?,
                ),
            })
        })?;
        Ok((vectors, batch))
    }

    /// The top `k` of each of `queries` (converted to this layout) as lists of hits.
    fn search(
        &self,
        py: Python<'_>,
        queries: Vectors,
        k: usize,
        metric: Metric,
    ) -> PyResult<Vec<Vec<Hit>>> {
        py.detach(|| {
            let memory = self.read()?;
            let result = match (&*memory, &queries) {
                (Memory::Dense(m), Vectors::Dense(q)) => {
                    m.top_k_batch(&q.iter().collect::<Vec<_>>(), k, metric)
                }
                (Memory::Bits(m), Vectors::Bits(q)) => {
                    m.top_k_batch(&q.iter().collect::<Vec<_>>(), k, metric)
                }
                _ => unreachable!("queries are converted to the memory's layout"),
            };
            result.map_err(to_py)
        })
    }
}

fn poisoned() -> PyErr {
    PyRuntimeError::new_err("the item memory's lock is poisoned")
}

fn open_error_is_layout(e: &Error) -> bool {
    matches!(e, Error::Memory(MemoryError::WrongLayout { .. }))
}

/// Ids and scores of hit lists as NumPy arrays: 1-D for one list, else 2-D of one row per list
/// (every list has the same length: `min(k, len)`).
fn hits_out<'py>(py: Python<'py>, lists: &[Vec<Hit>], batch: bool) -> PyResult<Bound<'py, PyAny>> {
    let width = lists.first().map_or(0, Vec::len);
    let ids: Vec<i64> = lists.iter().flat_map(|l| l.iter().map(|h| h.id as i64)).collect();
    let scores: Vec<f64> = lists.iter().flat_map(|l| l.iter().map(|h| h.score)).collect();
    let (ids, scores) = (PyArray1::from_vec(py, ids), PyArray1::from_vec(py, scores));
    if batch {
        let shape = [lists.len(), width];
        (ids.reshape(shape)?, scores.reshape(shape)?).into_bound_py_any(py)
    } else {
        (ids, scores).into_bound_py_any(py)
    }
}

/// A search's `k`: an int of at least 0.
fn count(k: i64) -> PyResult<usize> {
    usize::try_from(k).map_err(|_| PyValueError::new_err(format!("k = {k} is negative")))
}

#[pymethods]
impl PyItemMemory {
    /// An empty memory in RAM for vectors of dimension ``dim``; ``layout`` is ``"bits"`` or
    /// ``"dense"``.
    #[new]
    #[pyo3(signature = (dim, layout = "bits"))]
    fn py_new(dim: i64, layout: &str) -> PyResult<Self> {
        let dim = args::dim(dim)?;
        let memory = match args::layout(layout)? {
            Layout::Dense => Memory::Dense(ItemMemory::new(dim).map_err(to_py)?),
            Layout::Bits => Memory::Bits(ItemMemory::new(dim).map_err(to_py)?),
        };
        Ok(Self::new_with(memory))
    }

    /// A new, empty memory file at ``path`` (an existing file is a ``FileExistsError``, never
    /// overwritten). Pushes are written to the file at once and durable after ``sync()``.
    #[staticmethod]
    #[pyo3(signature = (path, dim, layout = "bits"))]
    fn create(path: PathBuf, dim: i64, layout: &str) -> PyResult<Self> {
        let dim = args::dim(dim)?;
        let memory = match args::layout(layout)? {
            Layout::Dense => Memory::Dense(ItemMemory::create(&path, dim).map_err(to_py)?),
            Layout::Bits => Memory::Bits(ItemMemory::create(&path, dim).map_err(to_py)?),
        };
        Ok(Self::new_with(memory))
    }

    /// Open the memory file at ``path`` (of either layout, written from Python or Rust) for
    /// searching and, unless ``read_only``, appending. ``verify`` checks every record's
    /// checksum first; a damaged file is a ``ValueError`` naming the record and its offset.
    #[staticmethod]
    #[pyo3(signature = (path, verify = true, read_only = false))]
    fn open(py: Python<'_>, path: PathBuf, verify: bool, read_only: bool) -> PyResult<Self> {
        let options = OpenOptions { verify, read_only, dim: None };
        let memory =
            py.detach(|| match ItemMemory::<BitVector>::open_with(&path, options.clone()) {
                Ok(m) => Ok(Memory::Bits(m)),
                Err(e) if open_error_is_layout(&e) => {
                    ItemMemory::<DenseVector>::open_with(&path, options).map(Memory::Dense)
                }
                Err(e) => Err(e),
            });
        Ok(Self::new_with(memory.map_err(to_py)?))
    }

    /// Append one vector (a NumPy array or a ``BitVector``); returns its id, the number of
    /// vectors before it.
    fn push(&self, py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<u64> {
        let (vectors, batch) = self.vectors(py, "v", v)?;
        if batch {
            return Err(PyValueError::new_err(
                "push takes one vector; use push_many for a batch of rows",
            ));
        }
        self.with_write(py, |memory| {
            match (memory, &vectors) {
                (Memory::Dense(m), Vectors::Dense(v)) => m.push(&v[0]),
                (Memory::Bits(m), Vectors::Bits(v)) => m.push(&v[0]),
                _ => unreachable!("vectors are converted to the memory's layout"),
            }
            .map_err(to_py)
        })
    }

    /// Append every row of a 2-D array (or a ``BitVector`` batch); returns their ids as an
    /// ``int64`` array. Every row is checked before any is stored.
    fn push_many<'py>(
        &self,
        py: Python<'py>,
        rows: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (vectors, _) = self.vectors(py, "rows", rows)?;
        let ids = py.detach(|| -> PyResult<Vec<i64>> {
            let mut memory = self.write()?;
            let ids = match (&mut *memory, &vectors) {
                (Memory::Dense(m), Vectors::Dense(v)) => {
                    v.iter().map(|v| m.push(v)).collect::<Result<Vec<_>, _>>()
                }
                (Memory::Bits(m), Vectors::Bits(v)) => {
                    v.iter().map(|v| m.push(v)).collect::<Result<Vec<_>, _>>()
                }
                _ => unreachable!("vectors are converted to the memory's layout"),
            };
            Ok(ids.map_err(to_py)?.into_iter().map(|id| id as i64).collect())
        })?;
        Ok(PyArray1::from_vec(py, ids).into_any())
    }

    /// The ``k`` stored vectors best matching ``query`` by ``metric`` (``"dot"``,
    /// ``"cosine"``, ``"hamming"``), best first, ties to the lower id: ``(ids, scores)`` as
    /// NumPy ``int64`` and ``float64`` arrays of length ``min(k, len(self))``.
    #[pyo3(signature = (query, k, metric = "cosine"))]
    fn top_k<'py>(
        &self,
        py: Python<'py>,
        query: &Bound<'py, PyAny>,
        k: i64,
        metric: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (metric, k) = (args::metric(metric)?, count(k)?);
        let (queries, batch) = self.vectors(py, "query", query)?;
        if batch {
            return Err(PyValueError::new_err(
                "top_k takes one query; use top_k_batch for a batch of rows",
            ));
        }
        let lists = self.search(py, queries, k, metric)?;
        hits_out(py, &lists, false)
    }

    /// ``top_k`` of every row of ``queries`` (a 2-D array or a ``BitVector`` batch) in one
    /// pass over the memory: ``(ids, scores)`` of shape ``(len(queries), min(k, len(self)))``.
    #[pyo3(signature = (queries, k, metric = "cosine"))]
    fn top_k_batch<'py>(
        &self,
        py: Python<'py>,
        queries: &Bound<'py, PyAny>,
        k: i64,
        metric: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (metric, k) = (args::metric(metric)?, count(k)?);
        let (queries, _) = self.vectors(py, "queries", queries)?;
        let lists = self.search(py, queries, k, metric)?;
        hits_out(py, &lists, true)
    }

    /// The best match for ``query`` as ``(id, score)``, or ``None`` for an empty memory.
    #[pyo3(signature = (query, metric = "cosine"))]
    fn cleanup<'py>(
        &self,
        py: Python<'py>,
        query: &Bound<'py, PyAny>,
        metric: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (metric, queries) = self.one_query(py, "cleanup", query, metric)?;
        let lists = self.search(py, queries, 1, metric)?;
        match lists.first().and_then(|l| l.first()) {
            Some(hit) => (hit.id, hit.score).into_bound_py_any(py),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Every stored vector's score against ``query``, in id order, as a ``float64`` array.
    #[pyo3(signature = (query, metric = "cosine"))]
    fn scores<'py>(
        &self,
        py: Python<'py>,
        query: &Bound<'py, PyAny>,
        metric: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (metric, queries) = self.one_query(py, "scores", query, metric)?;
        let out = py.detach(|| -> PyResult<Vec<f64>> {
            let memory = self.read()?;
            match (&*memory, &queries) {
                (Memory::Dense(m), Vectors::Dense(q)) => {
                    let mut out = vec![0.0; m.len() as usize];
                    m.scores(&q[0], metric, &mut out).map(|()| out)
                }
                (Memory::Bits(m), Vectors::Bits(q)) => {
                    let mut out = vec![0.0; m.len() as usize];
                    m.scores(&q[0], metric, &mut out).map(|()| out)
                }
                _ => unreachable!("queries are converted to the memory's layout"),
            }
            .map_err(to_py)
        })?;
        Ok(PyArray1::from_vec(py, out).into_any())
    }

    /// The stored vector with id ``id`` (an ``IndexError`` past the end): a NumPy ``int8``
    /// array, or a ``BitVector`` with ``packed=True``.
    #[pyo3(signature = (id, packed = false))]
    fn get<'py>(&self, py: Python<'py>, id: u64, packed: bool) -> PyResult<Bound<'py, PyAny>> {
        let got = self.with_read(py, |memory| match memory {
            Memory::Dense(m) => {
                m.get(id).map(Vectors::<DenseVector, BitVector>::Dense).map_err(to_py)
            }
            Memory::Bits(m) => m.get(id).map(Vectors::Bits).map_err(to_py),
        })?;
        match got {
            Vectors::Dense(v) if packed => {
                PyBitVector::single(BitVector::from(&v)).into_bound_py_any(py)
            }
            Vectors::Dense(v) => Ok(args::vector_out(py, v.into_vec())),
            Vectors::Bits(v) if packed => PyBitVector::single(v).into_bound_py_any(py),
            Vectors::Bits(v) => Ok(args::vector_out(py, args::unpack(&v))),
        }
    }

    /// Make every push durable (``fdatasync`` of the file); nothing to do in RAM.
    fn sync(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| with_memory!(&*self.read()?, m, m.sync()).map_err(to_py))
    }

    /// The number of stored vectors.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.with_read(py, |memory| Ok(with_memory!(memory, m, m.len()) as usize))
    }

    /// D, the dimension of every stored vector.
    #[getter]
    fn dim(&self) -> usize {
        self.dim
    }

    /// ``"bits"`` or ``"dense"``.
    #[getter]
    fn layout(&self) -> &'static str {
        self.layout.name()
    }

    /// The file the memory lives in, or ``None`` in RAM.
    #[getter]
    fn path(&self, py: Python<'_>) -> PyResult<Option<PathBuf>> {
        self.with_read(py, |memory| Ok(with_memory!(memory, m, m.path().map(PathBuf::from))))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let len = self.__len__(py)?;
        let path = self.path(py)?;
        Ok(match path {
            Some(p) => format!(
                "ItemMemory(dim={}, layout={:?}, len={len}, path={:?})",
                self.dim,
                self.layout.name(),
                p.display().to_string()
            ),
            None => {
                format!("ItemMemory(dim={}, layout={:?}, len={len})", self.dim, self.layout.name())
            }
        })
    }
}
