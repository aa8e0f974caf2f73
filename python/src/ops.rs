//! The ops as module-level functions over NumPy arrays or `BitVector`s, one vector or batches
//! of rows, all through the process-wide JIT engine.

use crate::args::{self, checked_row, dense, Dense};
use crate::bits::PyBitVector;
use crate::error::to_py;
use numpy::{Element, PyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;
use trinity_runtime::exec::Backend;
use trinity_runtime::{BitVector, DenseSlice, DenseVector, JitEngine, Result};

/// The engine every call runs on.
pub fn engine() -> &'static JitEngine {
    JitEngine::global()
}

/// An argument of an op: a dense array or packed vectors.
pub enum Operand<'py> {
    /// A NumPy array (1-D or 2-D).
    Dense(Dense<'py>),
    /// A `BitVector` (one or a batch).
    Bits(Bound<'py, PyBitVector>),
}

impl Operand<'_> {
    /// Rows (1 for one vector) and whether it is a batch.
    fn rows(&self) -> (usize, bool) {
        match self {
            Operand::Dense(d) => (d.rows, d.batch),
            Operand::Bits(b) => (b.get().rows().len(), b.get().is_batch()),
        }
    }

    fn dim(&self) -> usize {
        match self {
            Operand::Dense(d) => d.dim,
            Operand::Bits(b) => b.get().dim_(),
        }
    }
}

/// `obj` as an operand named `name`.
pub fn operand<'py>(name: &'static str, obj: &Bound<'py, PyAny>) -> PyResult<Operand<'py>> {
    match obj.cast::<PyBitVector>() {
        Ok(b) => Ok(Operand::Bits(b.clone())),
        Err(_) => Ok(Operand::Dense(dense(name, obj)?)),
    }
}

/// How the rows of two operands pair up.
#[derive(Clone, Copy)]
struct Pairing {
    /// Pairs.
    n: usize,
    /// Whether the result is a batch (either operand was).
    batch: bool,
    /// Whether each operand steps through its rows (else its one row is used for every pair).
    step_a: bool,
    step_b: bool,
}

impl Pairing {
    fn rows(self, i: usize) -> (usize, usize) {
        (if self.step_a { i } else { 0 }, if self.step_b { i } else { 0 })
    }
}

/// Pair `a` with `b`: one vector with one, row by row (batches of equal rows), or one against
/// each row of a batch. Both must be of one kind and dimension.
fn pairing(names: (&str, &str), a: &Operand<'_>, b: &Operand<'_>) -> PyResult<Pairing> {
    match (a, b) {
        (Operand::Dense(_), Operand::Bits(_)) | (Operand::Bits(_), Operand::Dense(_)) => {
            return Err(PyTypeError::new_err(format!(
                "arguments '{}' and '{}' mix a NumPy array and a BitVector: convert one with BitVector.from_numpy(...) or .to_numpy()",
                names.0, names.1
            )))
        }
        _ => {}
    }
    if a.dim() != b.dim() {
        return Err(PyValueError::new_err(format!(
            "dimension mismatch: argument '{}' has dimension {}, '{}' has {}",
            names.0,
            a.dim(),
            names.1,
            b.dim()
        )));
    }
    let ((ra, ba), (rb, bb)) = (a.rows(), b.rows());
    match (ba, bb) {
        (false, false) => Ok(Pairing { n: 1, batch: false, step_a: false, step_b: false }),
        (true, false) => Ok(Pairing { n: ra, batch: true, step_a: true, step_b: false }),
        (false, true) => Ok(Pairing { n: rb, batch: true, step_a: false, step_b: true }),
        (true, true) if ra == rb => Ok(Pairing { n: ra, batch: true, step_a: true, step_b: true }),
        (true, true) => Err(PyValueError::new_err(format!(
            "row count mismatch: argument '{}' has {ra} rows, '{}' has {rb} (row-wise calls need equal rows; one vector goes against every row)",
            names.0, names.1
        ))),
    }
}

/// A reduction (dot, hamming, cosine) of every pair: a Python number for one pair, a 1-D
/// array for a batch (computed without the GIL).
fn reduce<'py, T, FD, FB>(
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    on_dense: FD,
    on_bits: FB,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Element + Send + Copy + for<'a> IntoPyObject<'a>,
    FD: Fn(&JitEngine, DenseSlice<'_>, DenseSlice<'_>) -> Result<T> + Sync,
    FB: Fn(&JitEngine, &BitVector, &BitVector) -> Result<T> + Sync,
{
    let py = a.py();
    let (a, b) = (operand("a", a)?, operand("b", b)?);
    let p = pairing(("a", "b"), &a, &b)?;
    let engine = engine();
    let values: Vec<T> = match (&a, &b) {
        (Operand::Dense(a), Operand::Dense(b)) if !p.batch => {
            let x = checked_row(a.name, a.attached(py), a.dim, false, 0)?;
            let y = checked_row(b.name, b.attached(py), b.dim, false, 0)?;
            return on_dense(engine, x, y).map_err(to_py)?.into_bound_py_any(py);
        }
        (Operand::Bits(a), Operand::Bits(b)) if !p.batch => {
            let (x, y) = (&a.get().rows()[0], &b.get().rows()[0]);
            return on_bits(engine, x, y).map_err(to_py)?.into_bound_py_any(py);
        }
        (Operand::Dense(a), Operand::Dense(b)) => {
            let (ga, gb) = (a.borrow()?, b.borrow()?);
            let (da, db, dim) = (ga.data(), gb.data(), a.dim);
            let (na, nb, ba, bb) = (a.name, b.name, a.batch, b.batch);
            py.detach(|| {
                let fixed_a = (!p.step_a).then(|| checked_row(na, da, dim, ba, 0)).transpose()?;
                let fixed_b = (!p.step_b).then(|| checked_row(nb, db, dim, bb, 0)).transpose()?;
                (0..p.n)
                    .map(|i| {
                        let x = match fixed_a {
                            Some(x) => x,
                            None => checked_row(na, da, dim, true, i)?,
                        };
                        let y = match fixed_b {
                            Some(y) => y,
                            None => checked_row(nb, db, dim, true, i)?,
                        };
                        on_dense(engine, x, y).map_err(to_py)
                    })
                    .collect::<PyResult<Vec<T>>>()
            })?
        }
        (Operand::Bits(a), Operand::Bits(b)) => {
            let (ra, rb) = (a.get().rows(), b.get().rows());
            py.detach(|| {
                (0..p.n)
                    .map(|i| {
                        let (ia, ib) = p.rows(i);
                        on_bits(engine, &ra[ia], &rb[ib])
                    })
                    .collect::<Result<Vec<T>>>()
            })
            .map_err(to_py)?
        }
        _ => unreachable!("pairing rejects mixed operands"),
    };
    Ok(PyArray1::from_vec(py, values).into_any())
}

/// The dot product ``sum(a[i] * b[i])``.
///
/// ``a`` and ``b`` are NumPy arrays of -1/0/+1 (``int8`` is used in place; other integer
/// dtypes are checked and converted) or ``BitVector``s, both of one kind and dimension. Two
/// vectors give an ``int``; a 2-D batch and a vector give one value per row, two batches of
/// equal rows one value per pair of rows, as a NumPy ``int64`` array (computed with the GIL
/// released).
#[pyfunction]
pub fn dot<'py>(a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    reduce(a, b, |e, x, y| e.dot_slices(x, y), |e, x, y| e.dot(x, y))
}

/// The hamming distance: the number of positions where ``a`` and ``b`` differ. Operands and
/// batches as for ``dot``; ``int`` or ``int64`` array.
#[pyfunction]
pub fn hamming<'py>(a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    reduce(a, b, |e, x, y| e.hamming_slices(x, y), |e, x, y| e.hamming(x, y))
}

/// The cosine similarity ``dot(a, b) / sqrt(dot(a, a) * dot(b, b))``, exactly ``0.0`` when
/// either vector is all zeros (never NaN). Operands and batches as for ``dot``; ``float`` or
/// ``float64`` array.
#[pyfunction]
pub fn cosine<'py>(a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    reduce(a, b, |e, x, y| e.cosine_slices(x, y), |e, x, y| e.cosine(x, y))
}

/// The ops that map two vectors to one.
#[derive(Clone, Copy)]
enum Binary {
    Bind,
    Bundle,
}

impl Binary {
    fn dense(
        self,
        e: &JitEngine,
        out: &mut [i8],
        a: DenseSlice<'_>,
        b: DenseSlice<'_>,
    ) -> Result<()> {
        match self {
            Binary::Bind => e.bind_slices(out, a, b),
            Binary::Bundle => e.bundle_slices(out, a, b),
        }
    }

    fn bits(self, e: &JitEngine, a: &BitVector, b: &BitVector) -> Result<BitVector> {
        match self {
            Binary::Bind => e.bind(a, b),
            Binary::Bundle => e.bundle(a, b),
        }
    }
}

/// A binary op of every pair, returning the kind it was given: a 1-D or 2-D ``int8`` array, or
/// a ``BitVector`` (one or a batch).
fn binary<'py>(
    op: Binary,
    names: (&'static str, &'static str),
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = a.py();
    let (a, b) = (operand(names.0, a)?, operand(names.1, b)?);
    let p = pairing(names, &a, &b)?;
    let engine = engine();
    match (&a, &b) {
        (Operand::Dense(a), Operand::Dense(b)) if !p.batch => {
            let x = checked_row(names.0, a.attached(py), a.dim, false, 0)?;
            let y = checked_row(names.1, b.attached(py), b.dim, false, 0)?;
            args::vector_with(py, a.dim, |out| op.dense(engine, out, x, y).map_err(to_py))
        }
        (Operand::Dense(a), Operand::Dense(b)) => {
            let (ga, gb) = (a.borrow()?, b.borrow()?);
            let (da, db, dim) = (ga.data(), gb.data(), a.dim);
            let (ba, bb) = (a.batch, b.batch);
            let mut out = vec![0i8; p.n * dim];
            py.detach(|| -> PyResult<()> {
                let fixed_a =
                    (!p.step_a).then(|| checked_row(names.0, da, dim, ba, 0)).transpose()?;
                let fixed_b =
                    (!p.step_b).then(|| checked_row(names.1, db, dim, bb, 0)).transpose()?;
                for (i, row) in out.chunks_mut(dim).enumerate() {
                    let x = match fixed_a {
                        Some(x) => x,
                        None => checked_row(names.0, da, dim, true, i)?,
                    };
                    let y = match fixed_b {
                        Some(y) => y,
                        None => checked_row(names.1, db, dim, true, i)?,
                    };
                    op.dense(engine, row, x, y).map_err(to_py)?;
                }
                Ok(())
            })?;
            args::rows_out(py, out, p.n, dim)
        }
        (Operand::Bits(a), Operand::Bits(b)) => {
            let (ra, rb) = (a.get().rows(), b.get().rows());
            let dim = a.get().dim_();
            if !p.batch {
                let v = op.bits(engine, &ra[0], &rb[0]).map_err(to_py)?;
                return PyBitVector::single(v).into_bound_py_any(py);
            }
            let rows = py
                .detach(|| {
                    (0..p.n)
                        .map(|i| {
                            let (ia, ib) = p.rows(i);
                            op.bits(engine, &ra[ia], &rb[ib])
                        })
                        .collect::<Result<Vec<_>>>()
                })
                .map_err(to_py)?;
            PyBitVector::batch(rows, dim).into_bound_py_any(py)
        }
        _ => unreachable!("pairing rejects mixed operands"),
    }
}

/// Bind: ``c[i] = a[i] * b[i]``. Returns the kind it was given (a NumPy ``int8`` array or a
/// ``BitVector``); batches pair up as for ``dot`` and give a batch.
#[pyfunction]
pub fn bind<'py>(a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    binary(Binary::Bind, ("a", "b"), a, b)
}

/// Unbind: the same operation as ``bind`` (``unbind(bind(a, key), key) == a`` wherever
/// ``key`` has no zeros).
#[pyfunction]
pub fn unbind<'py>(a: &Bound<'py, PyAny>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    binary(Binary::Bind, ("a", "key"), a, key)
}

/// Bundle of two: ``c[i] = sign(a[i] + b[i])``, 0 on a tie (where they cancel). Returns the
/// kind it was given; batches pair up as for ``dot``.
#[pyfunction]
pub fn bundle<'py>(a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    binary(Binary::Bundle, ("a", "b"), a, b)
}

/// The n-way bundle ``c[i] = sign(sum of rows[k][i])``, 0 on a tie, of the rows of a 2-D
/// array (or a list of 1-D arrays), a ``BitVector`` batch or a list of ``BitVector``s; at
/// least one row. Returns one vector of the kind it was given. Runs with the GIL released.
#[pyfunction]
pub fn bundle_n<'py>(rows: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = rows.py();
    let engine = engine();
    let items: Option<Vec<Bound<'py, PyBitVector>>> = match rows.cast::<PyBitVector>() {
        Ok(b) if b.get().is_batch() => Some(vec![b.clone()]),
        Ok(_) => {
            return Err(PyValueError::new_err(
                "bundle_n takes a batch of rows (a 2-D array or a BitVector batch), got one BitVector: use BitVector.stack([...])",
            ))
        }
        Err(_) => args::bit_vector_list(rows)?,
    };
    if let Some(items) = items {
        let refs: Vec<&BitVector> = items.iter().flat_map(|b| b.get().rows()).collect();
        let v = py.detach(|| engine.bundle_n(&refs)).map_err(to_py)?;
        return PyBitVector::single(v).into_bound_py_any(py);
    }
    let d = dense("rows", rows)?;
    if !d.batch {
        return Err(PyValueError::new_err(format!(
            "bundle_n takes a 2-D batch of rows, got a 1-D array of shape ({},)",
            d.dim
        )));
    }
    let guard = d.borrow()?;
    let (data, dim) = (guard.data(), d.dim);
    let out = py.detach(|| -> PyResult<Vec<i8>> {
        let slices = args::checked_rows("rows", data, dim, true)?;
        let mut out = vec![0i8; dim];
        engine.bundle_n_slices(&mut out, &slices).map_err(to_py)?;
        Ok(out)
    })?;
    Ok(args::vector_out(py, out))
}

/// Permute by ``k`` with ``k`` in any range; `inverse` rotates by ``-k``.
fn rotate<'py>(v: &Bound<'py, PyAny>, k: i64, inverse: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = v.py();
    let engine = engine();
    match operand("v", v)? {
        Operand::Dense(d) => {
            let dim = d.dim;
            // inverse_permute(v, k) = permute(v, D - (k mod D)), which cannot overflow.
            let shift = if inverse { dim as i64 - k.rem_euclid(dim as i64) } else { k };
            if !d.batch {
                let x = checked_row("v", d.attached(py), dim, false, 0)?;
                return args::vector_with(py, dim, |out| {
                    engine.permute_slices(out, x, shift).map_err(to_py)
                });
            }
            let guard = d.borrow()?;
            let data = guard.data();
            let mut out = vec![0i8; d.rows * dim];
            py.detach(|| -> PyResult<()> {
                for (r, row) in out.chunks_mut(dim).enumerate() {
                    let x = checked_row("v", data, dim, true, r)?;
                    engine.permute_slices(row, x, shift).map_err(to_py)?;
                }
                Ok(())
            })?;
            args::rows_out(py, out, d.rows, dim)
        }
        Operand::Bits(b) => {
            let b = b.get();
            let one = |x: &BitVector| {
                if inverse {
                    engine.inverse_permute(x, k)
                } else {
                    engine.permute(x, k)
                }
            };
            if !b.is_batch() {
                return PyBitVector::single(one(&b.rows()[0]).map_err(to_py)?)
                    .into_bound_py_any(py);
            }
            let rows = py
                .detach(|| b.rows().iter().map(one).collect::<Result<Vec<_>>>())
                .map_err(to_py)?;
            PyBitVector::batch(rows, b.dim_()).into_bound_py_any(py)
        }
    }
}

/// Rotation right by ``k``: ``c[(i + k) % D] = v[i]`` (``numpy.roll(v, k)``), for any int
/// ``k`` (negative rotates left). A 2-D batch or ``BitVector`` batch rotates every row.
/// Returns the kind it was given.
#[pyfunction]
pub fn permute<'py>(v: &Bound<'py, PyAny>, k: i64) -> PyResult<Bound<'py, PyAny>> {
    rotate(v, k, false)
}

/// ``permute(v, -k)``: undoes ``permute(v, k)``.
#[pyfunction]
pub fn inverse_permute<'py>(v: &Bound<'py, PyAny>, k: i64) -> PyResult<Bound<'py, PyAny>> {
    rotate(v, k, true)
}

/// A seeded random vector as a NumPy ``int8`` array: trit for trit the Rust ``random(dim,
/// seed)`` (xoshiro256++ seeded by SplitMix64, each of -1, 0, +1 with probability 1/3), for
/// ``dim`` in 1..=2**24 and ``seed`` in 0..2**64.
#[pyfunction]
pub fn random<'py>(
    py: Python<'py>,
    dim: i64,
    seed: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let v = DenseVector::random(args::dim(dim)?, args::seed(seed)?).map_err(to_py)?;
    Ok(args::vector_out(py, v.into_vec()))
}

/// The engine's counters as a dict: ``total_ops`` (op calls, each counted once in exactly one
/// of ``baked_hits``, ``jit_hits``, ``jit_misses``, ``portable_ops``, ``over_budget_ops``),
/// ``cache_size`` (compiled kernels), ``compile_time`` (seconds), ``code_bytes``, ``hit_rate``,
/// ``backend`` (``"jit"`` or ``"portable"``), ``reason`` (why portable, else ``None``) and
/// ``tier`` (``"avx2"``, ``"avx512"``, ``"avx512vpopcnt"``, ``"neon"``, ``"dotprod"`` or
/// ``None``).
#[pyfunction]
pub fn stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let s = engine().stats();
    let d = PyDict::new(py);
    d.set_item("total_ops", s.total_ops)?;
    d.set_item("baked_hits", s.baked_hits)?;
    d.set_item("jit_hits", s.jit_hits)?;
    d.set_item("jit_misses", s.jit_misses)?;
    d.set_item("portable_ops", s.portable_ops)?;
    d.set_item("over_budget_ops", s.over_budget_ops)?;
    d.set_item("cache_size", s.cache_size)?;
    d.set_item("compile_time", s.compile_time.as_secs_f64())?;
    d.set_item("code_bytes", s.code_bytes)?;
    d.set_item("hit_rate", s.hit_rate())?;
    let (backend, reason) = match &s.backend {
        Backend::Jit => ("jit", None),
        Backend::Portable { reason } => ("portable", Some(reason.to_string())),
    };
    d.set_item("backend", backend)?;
    d.set_item("reason", reason)?;
    d.set_item("tier", s.tier.map(|t| t.name()))?;
    Ok(d)
}
