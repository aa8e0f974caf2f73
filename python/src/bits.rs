//! `BitVector`: packed (bitsliced) ternary vectors for Python, one vector or a batch of rows.

use crate::args::{self, dense, pack, unpack_into};
use crate::error::to_py;
use numpy::prelude::*;
use numpy::{PyArray1, PyArrayDyn};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use pyo3::IntoPyObjectExt;
use trinity_runtime::{words_per_plane, BitVector};

/// Packed ternary vectors: each trit as two bits, a +1 plane and a -1 plane of 64-bit words
/// (a quarter of the size of int8, and the fastest layout for every op). A ``BitVector`` is
/// one vector (``ndim == 1``) or a batch of rows of the same dimension (``ndim == 2``), made
/// with ``BitVector.from_numpy`` and turned back into trits with ``to_numpy``. The ops
/// (``dot``, ``bind``, ...) take and return ``BitVector`` as they take and return NumPy arrays.
/// Immutable, hashable by value neither: compare with ``==``.
#[pyclass(name = "BitVector", module = "trinity_hdc", frozen)]
pub struct PyBitVector {
    rows: Vec<BitVector>,
    dim: usize,
    batch: bool,
}

impl PyBitVector {
    /// One vector.
    pub fn single(v: BitVector) -> Self {
        PyBitVector { dim: v.dim(), rows: vec![v], batch: false }
    }

    /// A batch of rows of dimension `dim`.
    pub fn batch(rows: Vec<BitVector>, dim: usize) -> Self {
        PyBitVector { rows, dim, batch: true }
    }

    /// The rows (one for a single vector).
    pub fn rows(&self) -> &[BitVector] {
        &self.rows
    }

    /// D.
    pub fn dim_(&self) -> usize {
        self.dim
    }

    /// Whether this is a batch of rows.
    pub fn is_batch(&self) -> bool {
        self.batch
    }

    /// The trits, row after row.
    pub fn trits(&self) -> Vec<i8> {
        let mut out = Vec::with_capacity(self.rows.len() * self.dim);
        for v in &self.rows {
            unpack_into(v, &mut out);
        }
        out
    }
}

#[pymethods]
impl PyBitVector {
    /// Pack a NumPy array of -1/0/+1 (any integer dtype; 1-D for one vector, 2-D for a batch
    /// of rows). Raises ``ValueError`` naming the first value that is not a trit and its
    /// position, ``TypeError`` for a non-integer dtype.
    #[staticmethod]
    fn from_numpy(py: Python<'_>, array: &Bound<'_, PyAny>) -> PyResult<Self> {
        let arg = dense("array", array)?;
        let guard = arg.borrow()?;
        let (data, dim, batch) = (guard.data(), arg.dim, arg.batch);
        let rows = py.detach(|| {
            data.chunks(dim)
                .enumerate()
                .map(|(r, row)| pack("array", row, batch, r))
                .collect::<PyResult<Vec<_>>>()
        })?;
        Ok(PyBitVector { rows, dim, batch })
    }

    /// The trits as a NumPy ``int8`` array: shape ``(dim,)`` for one vector, ``(rows, dim)``
    /// for a batch.
    fn to_numpy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let trits = py.detach(|| self.trits());
        if self.batch {
            args::rows_out(py, trits, self.rows.len(), self.dim)
        } else {
            Ok(args::vector_out(py, trits))
        }
    }

    /// A seeded random vector, trit for trit ``trinity_hdc.random(dim, seed)``.
    #[staticmethod]
    fn random(dim: i64, seed: &Bound<'_, PyAny>) -> PyResult<Self> {
        let v = BitVector::random(args::dim(dim)?, args::seed(seed)?).map_err(to_py)?;
        Ok(Self::single(v))
    }

    /// The all-zero vector of dimension ``dim``.
    #[staticmethod]
    fn zeros(dim: i64) -> PyResult<Self> {
        Ok(Self::single(BitVector::zeros(args::dim(dim)?).map_err(to_py)?))
    }

    /// A batch holding the rows of every ``BitVector`` in ``vectors`` (single vectors or
    /// batches, all of one dimension), in order.
    #[staticmethod]
    fn stack(vectors: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut rows = Vec::new();
        let mut dim = None;
        for (i, item) in vectors.try_iter()?.enumerate() {
            let item = item?;
            let v = item.cast::<PyBitVector>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "item {i}: expected a BitVector, got {}",
                    args::type_name(&item)
                ))
            })?;
            let v = v.get();
            match dim {
                Some(d) if d != v.dim => {
                    return Err(PyValueError::new_err(format!(
                        "dimension mismatch: item {i} has dimension {}, the items before it {d}",
                        v.dim
                    )))
                }
                _ => dim = Some(v.dim),
            }
            rows.extend(v.rows.iter().cloned());
        }
        let dim = dim.ok_or_else(|| PyValueError::new_err("stack needs at least one BitVector"))?;
        Ok(Self::batch(rows, dim))
    }

    /// Vectors from their words, as ``words()`` gives them: ``uint64``, the +1 plane then the
    /// -1 plane, ``2 * ceil(dim / 64)`` words a vector (1-D for one vector, 2-D for a batch).
    /// Checked: a position set in both planes or a padding bit past ``dim`` is a ``ValueError``.
    #[staticmethod]
    fn from_words(dim: i64, words: &Bound<'_, PyAny>) -> PyResult<Self> {
        let dim = args::dim(dim)?;
        let w = words_per_plane(dim);
        let array = words.cast::<PyArrayDyn<u64>>().map_err(|_| {
            PyTypeError::new_err(format!(
                "words must be a NumPy uint64 array, got {}",
                args::type_name(words)
            ))
        })?;
        let shape = array.shape().to_vec();
        let batch = match shape[..] {
            [n] if n == 2 * w => false,
            [_, n] if n == 2 * w => true,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "words of shape {shape:?} do not hold vectors of dimension {dim}: each needs {} words",
                    2 * w
                )))
            }
        };
        let array = array.to_owned_array();
        let flat: Vec<u64> = array.iter().copied().collect();
        let rows = flat
            .chunks(2 * w)
            .enumerate()
            .map(|(r, words)| {
                BitVector::from_planes(dim, &words[..w], &words[w..])
                    .map_err(|e| args::trit_error("words", batch, r, e))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyBitVector { rows, dim, batch })
    }

    /// The words of every vector: ``uint64``, the +1 plane then the -1 plane (bit ``i % 64``
    /// of word ``i // 64`` of a plane is trit ``i``), shape ``(2 * ceil(dim / 64),)`` or
    /// ``(rows, 2 * ceil(dim / 64))``.
    fn words<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let w = 2 * words_per_plane(self.dim);
        let flat: Vec<u64> = self.rows.iter().flat_map(|v| v.words().iter().copied()).collect();
        let array = PyArray1::from_vec(py, flat);
        if self.batch {
            Ok(array.reshape([self.rows.len(), w])?.into_any())
        } else {
            Ok(array.into_any())
        }
    }

    /// The packed storage bytes of one vector (the original Trinity's format: a 9-byte
    /// header, then five trits a byte), readable by ``from_bytes`` and by the Rust API.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let v = self.one("to_bytes")?;
        Ok(PyBytes::new(py, &v.to_packed_bytes()))
    }

    /// One vector from packed storage bytes; every malformation is a ``ValueError`` naming it.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Ok(Self::single(BitVector::from_packed_bytes(data).map_err(to_py)?))
    }

    /// D, the number of trits of each vector.
    #[getter]
    fn dim(&self) -> usize {
        self.dim
    }

    /// 1 for one vector, 2 for a batch of rows.
    #[getter]
    fn ndim(&self) -> usize {
        if self.batch {
            2
        } else {
            1
        }
    }

    /// ``(dim,)`` or ``(rows, dim)``, as ``to_numpy().shape``.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        if self.batch {
            PyTuple::new(py, [self.rows.len(), self.dim])
        } else {
            PyTuple::new(py, [self.dim])
        }
    }

    /// The number of rows of a batch, or ``dim`` for one vector (as ``len`` of the NumPy
    /// array).
    fn __len__(&self) -> usize {
        if self.batch {
            self.rows.len()
        } else {
            self.dim
        }
    }

    /// Row ``i`` of a batch (a ``BitVector``), or trit ``i`` of one vector (an ``int``);
    /// negative indices count from the end.
    fn __getitem__<'py>(&self, py: Python<'py>, i: i64) -> PyResult<Bound<'py, PyAny>> {
        let n = self.__len__();
        let at = if i < 0 { i + n as i64 } else { i };
        if at < 0 || at >= n as i64 {
            return Err(PyIndexError::new_err(format!("index {i} is out of range for length {n}")));
        }
        let at = at as usize;
        if self.batch {
            Self::single(self.rows[at].clone()).into_bound_py_any(py)
        } else {
            self.rows[0].get(at).unwrap_or(0).into_bound_py_any(py)
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyBitVector>() {
            Ok(o) => {
                let o = o.get();
                o.dim == self.dim && o.batch == self.batch && o.rows == self.rows
            }
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        if self.batch {
            format!("BitVector(rows={}, dim={})", self.rows.len(), self.dim)
        } else {
            let head: Vec<String> = (0..self.dim.min(8))
                .map(|i| self.rows[0].get(i).unwrap_or(0).to_string())
                .collect();
            let more = if self.dim > 8 { ", ..." } else { "" };
            format!("BitVector(dim={}, trits=[{}{more}])", self.dim, head.join(", "))
        }
    }

    /// Pickling: the words and the dimension.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let from_words = py.get_type::<PyBitVector>().getattr("from_words")?;
        let words = slf.get().words(py)?;
        (from_words, (slf.get().dim, words)).into_bound_py_any(py)
    }
}

impl PyBitVector {
    /// The one vector of a non-batch, or a `ValueError` saying `what` needs one.
    fn one(&self, what: &str) -> PyResult<&BitVector> {
        if self.batch {
            Err(PyValueError::new_err(format!(
                "{what} takes one vector, got a batch of {} rows",
                self.rows.len()
            )))
        } else {
            Ok(&self.rows[0])
        }
    }
}
