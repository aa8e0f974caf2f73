//! The encoders: `Codebook`, `Levels`, `Bundler`, and `ngram`, `sequence`, `sequence_batch`,
//! `record` over them.

use crate::args::{self, checked_row, dense, Layout};
use crate::bits::PyBitVector;
use crate::error::to_py;
use crate::ops::engine;
use numpy::prelude::*;
use numpy::{PyArray1, PyArrayDyn, PyUntypedArray};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use trinity_runtime::encode::{self, Bundler, Codebook, Levels};
use trinity_runtime::{BitVector, DenseVector, Result};

/// One vector of either layout as the kind Python gets: a NumPy `int8` array or a `BitVector`.
enum Out {
    Dense(DenseVector),
    Bits(BitVector),
}

impl Out {
    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        match self {
            Out::Dense(v) => Ok(args::vector_out(py, v.into_vec())),
            Out::Bits(v) => PyBitVector::single(v).into_bound_py_any(py),
        }
    }
}

/// Vectors of one layout as a batch: a 2-D `int8` array or a `BitVector` batch.
fn batch_out<'py>(py: Python<'py>, dim: usize, rows: Vec<Out>) -> PyResult<Bound<'py, PyAny>> {
    if matches!(rows.first(), Some(Out::Bits(_))) {
        let bits = rows
            .into_iter()
            .map(|r| match r {
                Out::Bits(v) => v,
                Out::Dense(v) => BitVector::from(&v),
            })
            .collect();
        return PyBitVector::batch(bits, dim).into_bound_py_any(py);
    }
    let n = rows.len();
    let mut trits = Vec::with_capacity(n * dim);
    for r in rows {
        match r {
            Out::Dense(v) => trits.extend_from_slice(v.as_slice()),
            Out::Bits(v) => args::unpack_into(&v, &mut trits),
        }
    }
    args::rows_out(py, trits, n, dim)
}

/// Non-negative ints from a list, tuple, range or NumPy integer array.
fn indices(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let values: Vec<i64> = if let Ok(array) = obj.cast::<PyUntypedArray>() {
        let kind = array.dtype().kind();
        if kind != b'i' && kind != b'u' {
            return Err(PyTypeError::new_err(format!(
                "{name} must be ints, got an array of dtype {}",
                array.dtype().str()?
            )));
        }
        let np = numpy::get_array_module(obj.py())?;
        let wide = np.call_method1("ascontiguousarray", (array, "int64"))?;
        let wide = wide.cast_into::<PyArrayDyn<i64>>()?;
        let values = wide.readonly().as_slice()?.to_vec();
        values
    } else {
        if obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(PyTypeError::new_err(format!(
                "{name} must be ints (symbol ids), got a str: map its characters to ids first"
            )));
        }
        obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{name} must be a sequence of ints, got {}",
                args::type_name(obj)
            ))
        })?
    };
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            usize::try_from(v)
                .map_err(|_| PyValueError::new_err(format!("{name}[{i}] = {v} is negative")))
        })
        .collect()
}

/// A codebook of either layout.
enum Book {
    Dense(Codebook<DenseVector>),
    Bits(Codebook<BitVector>),
}

/// An alphabet of ``size`` symbols ``0..size``, each a seeded random vector of dimension
/// ``dim``: symbol ``i`` is the Rust ``Codebook``'s (``random(dim, symbol_seed(seed, i))``),
/// the same trits in either layout. Vectors are made the first time they are asked for.
/// ``layout="dense"`` gives NumPy ``int8`` arrays, ``"bits"`` gives ``BitVector``s; the
/// encoders return the codebook's kind.
#[pyclass(name = "Codebook", module = "trinity_hdc", frozen)]
pub struct PyCodebook {
    book: Book,
    layout: Layout,
}

impl PyCodebook {
    fn get_out(&self, symbol: usize) -> Result<Out> {
        Ok(match &self.book {
            Book::Dense(b) => Out::Dense(b.get(symbol)?.clone()),
            Book::Bits(b) => Out::Bits(b.get(symbol)?.clone()),
        })
    }

    fn dim_(&self) -> usize {
        match &self.book {
            Book::Dense(b) => b.dim(),
            Book::Bits(b) => b.dim(),
        }
    }
}

#[pymethods]
impl PyCodebook {
    /// A codebook of ``size`` symbols of dimension ``dim`` from ``seed``.
    #[new]
    #[pyo3(signature = (dim, size, seed = None, layout = "dense"))]
    fn new(dim: i64, size: i64, seed: Option<&Bound<'_, PyAny>>, layout: &str) -> PyResult<Self> {
        let (dim, seed, layout) =
            (args::dim(dim)?, args::seed_or_zero(seed)?, args::layout(layout)?);
        let size = usize::try_from(size)
            .map_err(|_| PyValueError::new_err(format!("size {size} is negative")))?;
        let book = match layout {
            Layout::Dense => Book::Dense(Codebook::new(dim, size, seed).map_err(to_py)?),
            Layout::Bits => Book::Bits(Codebook::new(dim, size, seed).map_err(to_py)?),
        };
        Ok(PyCodebook { book, layout })
    }

    /// The vector of ``symbol`` (a ``ValueError`` past the end).
    fn get<'py>(&self, py: Python<'py>, symbol: i64) -> PyResult<Bound<'py, PyAny>> {
        let symbol = usize::try_from(symbol)
            .map_err(|_| PyValueError::new_err(format!("symbol {symbol} is negative")))?;
        self.get_out(symbol).map_err(to_py)?.into_py(py)
    }

    /// ``get(symbol)``.
    fn __getitem__<'py>(&self, py: Python<'py>, symbol: i64) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, symbol)
    }

    /// The vectors of ``symbols`` (a sequence or array of ints) as one batch: a 2-D array or a
    /// ``BitVector`` batch.
    fn vectors<'py>(
        &self,
        py: Python<'py>,
        symbols: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let symbols = indices("symbols", symbols)?;
        let rows = py
            .detach(|| symbols.iter().map(|&s| self.get_out(s)).collect::<Result<Vec<_>>>())
            .map_err(to_py)?;
        batch_out(py, self.dim_(), rows)
    }

    /// The number of symbols.
    fn __len__(&self) -> usize {
        match &self.book {
            Book::Dense(b) => b.size(),
            Book::Bits(b) => b.size(),
        }
    }

    /// D.
    #[getter]
    fn dim(&self) -> usize {
        self.dim_()
    }

    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        match &self.book {
            Book::Dense(b) => b.seed(),
            Book::Bits(b) => b.seed(),
        }
    }

    /// ``"dense"`` or ``"bits"``.
    #[getter]
    fn layout(&self) -> &'static str {
        self.layout.name()
    }

    fn __repr__(&self) -> String {
        format!(
            "Codebook(dim={}, size={}, seed={}, layout={:?})",
            self.dim_(),
            self.__len__(),
            self.seed(),
            self.layout.name()
        )
    }
}

/// The n-gram of a window of symbols: ``bind`` over ``j`` of ``permute(codebook[window[j]],
/// j)``. Returns the codebook's kind.
#[pyfunction]
pub fn ngram<'py>(
    codebook: &Bound<'py, PyCodebook>,
    window: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = codebook.py();
    let window = indices("window", window)?;
    let out = match &codebook.get().book {
        Book::Dense(b) => encode::ngram(engine(), b, &window).map(Out::Dense),
        Book::Bits(b) => encode::ngram(engine(), b, &window).map(Out::Bits),
    };
    out.map_err(to_py)?.into_py(py)
}

/// The sequence encoding: the bundle of the ``ngram``s of every window of ``n`` symbols of
/// ``symbols`` (ints below ``len(codebook)``). Returns the codebook's kind.
#[pyfunction]
#[pyo3(signature = (codebook, symbols, n = 3))]
pub fn sequence<'py>(
    codebook: &Bound<'py, PyCodebook>,
    symbols: &Bound<'py, PyAny>,
    n: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let py = codebook.py();
    let symbols = indices("symbols", symbols)?;
    let book = &codebook.get().book;
    let out = py.detach(|| match book {
        Book::Dense(b) => encode::sequence(engine(), b, &symbols, n).map(Out::Dense),
        Book::Bits(b) => encode::sequence(engine(), b, &symbols, n).map(Out::Bits),
    });
    out.map_err(to_py)?.into_py(py)
}

/// ``sequence`` of each of ``sequences`` (an iterable of int sequences or arrays), as one
/// batch: a 2-D array or a ``BitVector`` batch, one row per sequence, encoded with the GIL
/// released.
#[pyfunction]
#[pyo3(signature = (codebook, sequences, n = 3))]
pub fn sequence_batch<'py>(
    codebook: &Bound<'py, PyCodebook>,
    sequences: &Bound<'py, PyAny>,
    n: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let py = codebook.py();
    let all = sequences
        .try_iter()?
        .enumerate()
        .map(|(i, s)| indices(&format!("sequences[{i}]"), &s?))
        .collect::<PyResult<Vec<_>>>()?;
    let book = &codebook.get().book;
    let rows = py.detach(|| {
        all.iter()
            .enumerate()
            .map(|(i, symbols)| {
                match book {
                    Book::Dense(b) => encode::sequence(engine(), b, symbols, n).map(Out::Dense),
                    Book::Bits(b) => encode::sequence(engine(), b, symbols, n).map(Out::Bits),
                }
                .map_err(|e| PyValueError::new_err(format!("sequences[{i}]: {e}")))
            })
            .collect::<PyResult<Vec<_>>>()
    })?;
    batch_out(py, codebook.get().dim_(), rows)
}

/// A key-value record: the bundle of ``bind(keys[j], values[j])`` over the rows of ``keys``
/// and ``values`` (2-D arrays of equal shape, or ``BitVector`` batches of equal rows). Returns
/// one vector of the kind given.
#[pyfunction]
pub fn record<'py>(
    keys: &Bound<'py, PyAny>,
    values: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = keys.py();
    match (keys.cast::<PyBitVector>(), values.cast::<PyBitVector>()) {
        (Ok(k), Ok(v)) => {
            let (k, v) = (k.get(), v.get());
            check_pairs(k.dim_(), k.rows().len(), v.dim_(), v.rows().len())?;
            let pairs: Vec<(&BitVector, &BitVector)> = k.rows().iter().zip(v.rows()).collect();
            let out = py.detach(|| encode::record(engine(), &pairs)).map_err(to_py)?;
            PyBitVector::single(out).into_bound_py_any(py)
        }
        (Err(_), Err(_)) => {
            let (k, v) = (dense("keys", keys)?, dense("values", values)?);
            check_pairs(k.dim, k.rows, v.dim, v.rows)?;
            let (kg, vg) = (k.borrow()?, v.borrow()?);
            let (kd, vd, dim) = (kg.data(), vg.data(), k.dim);
            let out = py.detach(|| -> PyResult<DenseVector> {
                let rows = |name, data: &[i8], batch| {
                    (0..data.len() / dim)
                        .map(|r| checked_row(name, data, dim, batch, r).map(|s| s.to_vector()))
                        .collect::<PyResult<Vec<_>>>()
                };
                let (ks, vs) = (rows("keys", kd, k.batch)?, rows("values", vd, v.batch)?);
                let pairs: Vec<(&DenseVector, &DenseVector)> = ks.iter().zip(&vs).collect();
                encode::record(engine(), &pairs).map_err(to_py)
            })?;
            Ok(args::vector_out(py, out.into_vec()))
        }
        _ => Err(PyTypeError::new_err(
            "keys and values mix a NumPy array and a BitVector: convert one with BitVector.from_numpy(...) or .to_numpy()",
        )),
    }
}

fn check_pairs(kd: usize, kn: usize, vd: usize, vn: usize) -> PyResult<()> {
    if kd != vd {
        return Err(PyValueError::new_err(format!(
            "dimension mismatch: keys have dimension {kd}, values {vd}"
        )));
    }
    if kn != vn {
        return Err(PyValueError::new_err(format!(
            "{kn} keys but {vn} values: a record pairs them row by row"
        )));
    }
    Ok(())
}

/// Levels of either layout.
enum LevelSet {
    Dense(Levels<DenseVector>),
    Bits(Levels<BitVector>),
}

/// ``count`` level vectors for a scalar feature quantized to ``0..count``, nearby levels
/// similar: the cosine of levels ``a`` and ``b`` is about ``1 - |a - b| / (count - 1)``, the
/// first and last near-orthogonal (the Rust ``Levels``). ``layout`` as for ``Codebook``.
#[pyclass(name = "Levels", module = "trinity_hdc", frozen)]
pub struct PyLevels {
    levels: LevelSet,
    layout: Layout,
}

impl PyLevels {
    fn get_out(&self, level: usize) -> Result<Out> {
        Ok(match &self.levels {
            LevelSet::Dense(l) => Out::Dense(l.get(level)?.clone()),
            LevelSet::Bits(l) => Out::Bits(l.get(level)?.clone()),
        })
    }

    fn count(&self) -> usize {
        match &self.levels {
            LevelSet::Dense(l) => l.count(),
            LevelSet::Bits(l) => l.count(),
        }
    }

    fn dim_(&self) -> usize {
        match &self.levels {
            LevelSet::Dense(l) => l.dim(),
            LevelSet::Bits(l) => l.dim(),
        }
    }
}

#[pymethods]
impl PyLevels {
    /// ``count`` levels (2 up to ``dim // 2 + 1``) of dimension ``dim`` from ``seed``.
    #[new]
    #[pyo3(signature = (dim, count, seed = None, layout = "dense"))]
    fn new(dim: i64, count: i64, seed: Option<&Bound<'_, PyAny>>, layout: &str) -> PyResult<Self> {
        let (dim, seed, layout) =
            (args::dim(dim)?, args::seed_or_zero(seed)?, args::layout(layout)?);
        let count = usize::try_from(count)
            .map_err(|_| PyValueError::new_err(format!("count {count} is negative")))?;
        let levels = match layout {
            Layout::Dense => LevelSet::Dense(Levels::new(dim, count, seed).map_err(to_py)?),
            Layout::Bits => LevelSet::Bits(Levels::new(dim, count, seed).map_err(to_py)?),
        };
        Ok(PyLevels { levels, layout })
    }

    /// The vector of ``level`` (a ``ValueError`` past the last).
    fn get<'py>(&self, py: Python<'py>, level: i64) -> PyResult<Bound<'py, PyAny>> {
        let level = usize::try_from(level)
            .map_err(|_| PyValueError::new_err(format!("level {level} is negative")))?;
        self.get_out(level).map_err(to_py)?.into_py(py)
    }

    /// ``get(level)``.
    fn __getitem__<'py>(&self, py: Python<'py>, level: i64) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, level)
    }

    /// The vectors of ``levels`` (a sequence or array of ints) as one batch.
    fn vectors<'py>(
        &self,
        py: Python<'py>,
        levels: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let levels = indices("levels", levels)?;
        let rows =
            levels.iter().map(|&l| self.get_out(l)).collect::<Result<Vec<_>>>().map_err(to_py)?;
        batch_out(py, self.dim_(), rows)
    }

    /// The level of each of ``values`` (floats) on a linear scale from ``low`` (level 0) to
    /// ``high`` (the last level), rounded to the nearest and clipped to the range, as one
    /// batch of vectors (a 2-D array or a ``BitVector`` batch); NaN is a ``ValueError``.
    fn encode<'py>(
        &self,
        py: Python<'py>,
        values: &Bound<'py, PyAny>,
        low: f64,
        high: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        if high.partial_cmp(&low) != Some(std::cmp::Ordering::Greater) {
            return Err(PyValueError::new_err(format!("high ({high}) must be above low ({low})")));
        }
        let np = numpy::get_array_module(py)?;
        let array = np.call_method1("ascontiguousarray", (values, "float64"))?;
        let array = array.cast_into::<PyArrayDyn<f64>>()?;
        let array = array.readonly();
        let top = (self.count() - 1) as f64;
        let levels = array
            .as_slice()?
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if v.is_nan() {
                    return Err(PyValueError::new_err(format!("values[{i}] is NaN")));
                }
                Ok(((v - low) / (high - low) * top).round().clamp(0.0, top) as usize)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let rows =
            levels.iter().map(|&l| self.get_out(l)).collect::<Result<Vec<_>>>().map_err(to_py)?;
        batch_out(py, self.dim_(), rows)
    }

    /// The number of levels.
    fn __len__(&self) -> usize {
        self.count()
    }

    /// D.
    #[getter]
    fn dim(&self) -> usize {
        self.dim_()
    }

    /// ``"dense"`` or ``"bits"``.
    #[getter]
    fn layout(&self) -> &'static str {
        self.layout.name()
    }

    fn __repr__(&self) -> String {
        format!(
            "Levels(dim={}, count={}, layout={:?})",
            self.dim_(),
            self.count(),
            self.layout.name()
        )
    }
}

/// An n-way bundle built up a vector (or a batch of rows) at a time, in ``O(dim)`` memory:
/// per-position sums of every vector added; ``finish()`` gives ``sign(sum)`` per position, 0 on
/// a tie, the same as ``bundle_n`` of everything added. Vectors of either kind may be added.
#[pyclass(name = "Bundler", module = "trinity_hdc")]
pub struct PyBundler {
    inner: Bundler,
}

#[pymethods]
impl PyBundler {
    /// An empty bundler for vectors of dimension ``dim``.
    #[new]
    fn new(dim: i64) -> PyResult<Self> {
        Ok(PyBundler { inner: Bundler::new(args::dim(dim)?).map_err(to_py)? })
    }

    /// Add one vector, or every row of a batch (a 2-D array or a ``BitVector`` batch): all or
    /// none (a bad row adds nothing).
    fn add(&mut self, py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<()> {
        let dim = self.inner.dim();
        let mismatch = |found: usize| {
            PyValueError::new_err(format!(
                "dimension mismatch: the bundler has dimension {dim}, the vector {found}"
            ))
        };
        if let Ok(b) = v.cast::<PyBitVector>() {
            let b = b.get();
            if b.dim_() != dim {
                return Err(mismatch(b.dim_()));
            }
            let inner = &mut self.inner;
            return py
                .detach(|| inner.add_all(&b.rows().iter().collect::<Vec<_>>()))
                .map_err(to_py);
        }
        let d = dense("v", v)?;
        if d.dim != dim {
            return Err(mismatch(d.dim));
        }
        let guard = d.borrow()?;
        let (data, batch) = (guard.data(), d.batch);
        let inner = &mut self.inner;
        py.detach(|| -> PyResult<()> {
            let rows = (0..data.len() / dim)
                .map(|r| checked_row("v", data, dim, batch, r).map(|s| s.to_vector()))
                .collect::<PyResult<Vec<_>>>()?;
            inner.add_all(&rows.iter().collect::<Vec<_>>()).map_err(to_py)
        })
    }

    /// Add everything ``other`` holds, as if its vectors had been added here.
    fn merge(&mut self, other: PyRef<'_, PyBundler>) -> PyResult<()> {
        self.inner.merge(&other.inner).map_err(to_py)
    }

    /// The bundle: a NumPy ``int8`` array (``layout="dense"``) or a ``BitVector``
    /// (``"bits"``). An empty bundler is a ``ValueError``. More may be added afterwards.
    #[pyo3(signature = (layout = "dense"))]
    fn finish<'py>(&self, py: Python<'py>, layout: &str) -> PyResult<Bound<'py, PyAny>> {
        match args::layout(layout)? {
            Layout::Dense => Out::Dense(self.inner.finish_dense().map_err(to_py)?).into_py(py),
            Layout::Bits => Out::Bits(self.inner.finish_bits().map_err(to_py)?).into_py(py),
        }
    }

    /// The per-position sums as an ``int32`` array.
    fn sums<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        PyArray1::from_slice(py, self.inner.sums()).into_any()
    }

    /// Forget every vector added, keeping the dimension.
    fn clear(&mut self) {
        self.inner.clear()
    }

    /// How many vectors were added.
    #[getter]
    fn count(&self) -> usize {
        self.inner.count()
    }

    /// ``count``.
    fn __len__(&self) -> usize {
        self.inner.count()
    }

    /// D.
    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn __repr__(&self) -> String {
        format!("Bundler(dim={}, count={})", self.inner.dim(), self.inner.count())
    }
}
