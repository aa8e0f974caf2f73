//! Arguments in and results out: NumPy arrays checked into dense operands, packed vectors,
//! names of metrics and layouts, and the errors that name the bad value and its position.

use crate::bits::PyBitVector;
use crate::error::to_py;
use numpy::prelude::*;
use numpy::{PyArray1, PyArrayDyn, PyReadonlyArrayDyn, PyUntypedArray};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use trinity_runtime::{words_per_plane, BitVector, DenseSlice, DenseVector, Error, Metric};

/// A dense argument: a C-contiguous `int8` array (the caller's own array when it was one,
/// otherwise a checked copy), as one vector (1-D) or a batch of rows (2-D). Its trits are not
/// checked yet: [`checked_row`] checks them.
pub struct Dense<'py> {
    /// The argument's name, for messages.
    pub name: &'static str,
    array: Bound<'py, PyArrayDyn<i8>>,
    /// Rows: 1 for a vector.
    pub rows: usize,
    /// D, the length of a row.
    pub dim: usize,
    /// Whether the argument was 2-D.
    pub batch: bool,
}

/// A shared borrow of a dense argument's trits, registered with rust-numpy's borrow checking
/// (so no Rust code may write the array while it lives): the way to read an array with the
/// GIL released.
pub struct Borrowed<'py>(PyReadonlyArrayDyn<'py, i8>);

impl Borrowed<'_> {
    /// Every trit, row after row.
    pub fn data(&self) -> &[i8] {
        // The array was made C-contiguous in `dense`, so this cannot fail.
        self.0.as_slice().unwrap_or(&[])
    }
}

impl<'py> Dense<'py> {
    /// The trits, borrowed for use with the GIL released (batches).
    pub fn borrow(&self) -> PyResult<Borrowed<'py>> {
        let guard = self.array.try_readonly().map_err(|e| {
            PyValueError::new_err(format!("argument '{}': cannot read the array: {e}", self.name))
        })?;
        Ok(Borrowed(guard))
    }

    /// The trits, read with the GIL held for as long as the slice is used: calls on one vector,
    /// which never release the GIL, read the array this way and skip the cost of registering a
    /// borrow (a lock and two hash-map updates a call, as much as the kernel at D = 10000).
    pub fn attached(&self, _py: Python<'py>) -> &[i8] {
        // SAFETY: `as_slice` requires that nothing writes the array while the slice lives.
        // Callers use the slice only while holding the GIL (the `Python` token proves it is
        // held now, and these calls never release it), so no Python code runs meanwhile, and
        // Rust code writing NumPy arrays holds a registered mutable borrow that it cannot have
        // handed to this call, whose arguments are plain Python objects. The array is
        // C-contiguous `int8` (checked in `dense`), so the slice covers exactly its data.
        unsafe { self.array.as_slice() }.unwrap_or(&[])
    }
}

/// Row `r` of `data` (rows of `dim` trits) checked as an operand; an invalid trit is named with
/// its row (for a batch) and index.
pub fn checked_row<'a>(
    name: &str,
    data: &'a [i8],
    dim: usize,
    batch: bool,
    r: usize,
) -> PyResult<DenseSlice<'a>> {
    DenseSlice::new(&data[r * dim..(r + 1) * dim]).map_err(|e| trit_error(name, batch, r, e))
}

/// Every row of `data` checked (rows of `dim` trits).
pub fn checked_rows<'a>(
    name: &str,
    data: &'a [i8],
    dim: usize,
    batch: bool,
) -> PyResult<Vec<DenseSlice<'a>>> {
    (0..data.len() / dim).map(|r| checked_row(name, data, dim, batch, r)).collect()
}

/// An error about row `r` of argument `name`, saying where.
pub fn trit_error(name: &str, batch: bool, r: usize, e: Error) -> PyErr {
    match e {
        Error::InvalidTrit { value, index } if batch => PyValueError::new_err(format!(
            "argument '{name}': invalid trit {value} at row {r}, index {index}: trits are -1, 0 or 1"
        )),
        Error::InvalidTrit { value, index } => PyValueError::new_err(format!(
            "argument '{name}': invalid trit {value} at index {index}: trits are -1, 0 or 1"
        )),
        e => PyValueError::new_err(format!("argument '{name}': {e}")),
    }
}

/// `obj` as a dense argument: an `int8` array is used in place (copied only when it is not
/// C-contiguous); an array of another integer dtype, or a list, is converted after every value
/// is checked to be -1, 0 or 1. Other dtypes are a `TypeError`; 0-D or 3-D arrays, empty rows
/// and out-of-range values a `ValueError`.
pub fn dense<'py>(name: &'static str, obj: &Bound<'py, PyAny>) -> PyResult<Dense<'py>> {
    let array: Bound<'py, PyArrayDyn<i8>> = match obj.cast::<PyArrayDyn<i8>>() {
        Ok(a) if a.is_c_contiguous() => a.clone(),
        Ok(a) => {
            check_shape(name, a.shape())?;
            c_contiguous(a)?
        }
        Err(_) => {
            let array = as_array(name, obj)?;
            check_dtype(name, &array)?;
            check_shape(name, array.shape())?;
            match array.cast::<PyArrayDyn<i8>>() {
                Ok(a) => c_contiguous(a)?,
                Err(_) => converted(name, &array)?,
            }
        }
    };
    if !array.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "argument '{name}': could not make the array C-contiguous"
        )));
    }
    let (rows, dim, batch) = check_shape(name, array.shape())?;
    Ok(Dense { name, array, rows, dim, batch })
}

/// The dtype's kind (`i` or `u`) of an integer array; any other dtype is a `TypeError`.
fn check_dtype(name: &str, array: &Bound<'_, PyUntypedArray>) -> PyResult<u8> {
    let dtype = array.dtype();
    match dtype.kind() {
        kind @ (b'i' | b'u') => Ok(kind),
        _ => Err(PyTypeError::new_err(format!(
            "argument '{name}': expected an int8 array (or another integer dtype) of -1, 0 and 1, got dtype {} (convert with .astype(numpy.int8))",
            dtype.str()?
        ))),
    }
}

/// The rows, D and whether it is a batch of an array of `shape`: 1-D or 2-D, D at least 1.
fn check_shape(name: &str, shape: &[usize]) -> PyResult<(usize, usize, bool)> {
    let (rows, dim, batch) = match *shape {
        [d] => (1, d, false),
        [r, d] => (r, d, true),
        _ => {
            return Err(PyValueError::new_err(format!(
                "argument '{name}': expected a 1-D vector or a 2-D batch of rows, got a {}-D array of shape {shape:?}",
                shape.len()
            )))
        }
    };
    if dim == 0 {
        return Err(PyValueError::new_err(format!(
            "argument '{name}': vectors of dimension 0 are not allowed (shape {shape:?})"
        )));
    }
    Ok((rows, dim, batch))
}

/// A C-contiguous copy of an `int8` array (`numpy.ascontiguousarray`).
fn c_contiguous<'py>(array: &Bound<'py, PyArrayDyn<i8>>) -> PyResult<Bound<'py, PyArrayDyn<i8>>> {
    let np = numpy::get_array_module(array.py())?;
    Ok(np.call_method1("ascontiguousarray", (array,))?.cast_into::<PyArrayDyn<i8>>()?)
}

/// `obj` as a NumPy array (`numpy.asarray` of anything that is not one already).
fn as_array<'py>(name: &str, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyUntypedArray>> {
    if obj.is_instance_of::<PyBitVector>() {
        return Err(PyTypeError::new_err(format!(
            "argument '{name}': expected a NumPy array, got a BitVector (the operands of one call are both NumPy arrays or both BitVectors: convert with BitVector.from_numpy or .to_numpy())"
        )));
    }
    if let Ok(a) = obj.cast::<PyUntypedArray>() {
        return Ok(a.clone());
    }
    let np = numpy::get_array_module(obj.py())?;
    let array = np.call_method1("asarray", (obj,)).map_err(|_| {
        PyTypeError::new_err(format!(
            "argument '{name}': expected a NumPy int8 array of -1, 0 and 1, got {}",
            type_name(obj)
        ))
    })?;
    Ok(array.cast_into::<PyUntypedArray>()?)
}

/// A NumPy array of a dtype other than `int8` as a checked `int8` array.
fn converted<'py>(
    name: &str,
    array: &Bound<'py, PyUntypedArray>,
) -> PyResult<Bound<'py, PyArrayDyn<i8>>> {
    let py = array.py();
    let np = numpy::get_array_module(py)?;
    let kind = check_dtype(name, array)?;
    let shape = array.shape().to_vec();
    let width = shape.last().copied().unwrap_or(1).max(1);
    let where_ = |flat: usize| {
        if shape.len() == 2 {
            format!("row {}, index {}", flat / width, flat % width)
        } else {
            format!("index {flat}")
        }
    };
    let trits: Vec<i8> = if kind == b'u' {
        let wide = np.call_method1("ascontiguousarray", (array, "uint64"))?;
        let wide = wide.cast_into::<PyArrayDyn<u64>>()?;
        let wide = wide.readonly();
        let values = wide.as_slice()?;
        if let Some(i) = values.iter().position(|&v| v > 1) {
            return Err(PyValueError::new_err(format!(
                "argument '{name}': invalid trit {} at {}: trits are -1, 0 or 1",
                values[i],
                where_(i)
            )));
        }
        values.iter().map(|&v| v as i8).collect()
    } else {
        let wide = np.call_method1("ascontiguousarray", (array, "int64"))?;
        let wide = wide.cast_into::<PyArrayDyn<i64>>()?;
        let wide = wide.readonly();
        let values = wide.as_slice()?;
        if let Some(i) = values.iter().position(|&v| !(-1..=1).contains(&v)) {
            return Err(PyValueError::new_err(format!(
                "argument '{name}': invalid trit {} at {}: trits are -1, 0 or 1",
                values[i],
                where_(i)
            )));
        }
        values.iter().map(|&v| v as i8).collect()
    };
    let flat = PyArray1::from_vec(py, trits);
    // A reshape of a fresh 1-D array is a C-contiguous view.
    Ok(flat.reshape(shape)?.to_dyn().clone())
}

/// Python's name for the type of `obj`.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "an object".into())
}

/// A 1-D `int8` array holding `trits`.
pub fn vector_out(py: Python<'_>, trits: Vec<i8>) -> Bound<'_, PyAny> {
    PyArray1::from_vec(py, trits).into_any()
}

/// A new 1-D `int8` array of `dim` trits that `fill` writes (zeros until it does).
pub fn vector_with<'py>(
    py: Python<'py>,
    dim: usize,
    fill: impl FnOnce(&mut [i8]) -> PyResult<()>,
) -> PyResult<Bound<'py, PyAny>> {
    let array = PyArray1::<i8>::zeros(py, dim, false);
    // SAFETY: the array was created just above and no reference to it has been handed out, so
    // this is the only view of its data while `fill` runs; it is C-contiguous (a fresh array).
    let out = unsafe { array.as_slice_mut() }
        .map_err(|e| PyValueError::new_err(format!("cannot write a new array: {e}")))?;
    fill(out)?;
    Ok(array.into_any())
}

/// A 2-D `int8` array of `rows` rows holding `trits` row after row.
pub fn rows_out(
    py: Python<'_>,
    trits: Vec<i8>,
    rows: usize,
    dim: usize,
) -> PyResult<Bound<'_, PyAny>> {
    Ok(PyArray1::from_vec(py, trits).reshape([rows, dim])?.into_any())
}

/// Checked trits of a row packed into both planes of a bitsliced vector (docs/design.md §2.2).
pub fn pack(name: &str, trits: &[i8], batch: bool, r: usize) -> PyResult<BitVector> {
    let slice = DenseSlice::new(trits).map_err(|e| trit_error(name, batch, r, e))?;
    Ok(pack_checked(slice))
}

/// Valid trits packed into both planes, 64 trits a word, eight at a time: a trit's byte is
/// 0x01, 0x00 or 0xff, so bit 7 of a byte marks -1 and bit 0 marks either nonzero; the bit 0s
/// of eight bytes are gathered into one byte by a multiplication.
pub fn pack_checked(trits: DenseSlice<'_>) -> BitVector {
    const LOW: u64 = 0x0101_0101_0101_0101;
    // Bit 0 of byte i lands in bit 56 + i; no two partial products meet below bit 64.
    let gather = |x: u64| x.wrapping_mul(0x0102_0408_1020_4080) >> 56;
    let trits = trits.as_slice();
    let w = words_per_plane(trits.len());
    let (mut plus, mut minus) = (vec![0u64; w], vec![0u64; w]);
    for (j, chunk) in trits.chunks(64).enumerate() {
        let (mut p, mut m) = (0u64, 0u64);
        for (k, eight) in chunk.chunks(8).enumerate() {
            let x = match <[i8; 8]>::try_from(eight) {
                Ok(full) => u64::from_le_bytes(full.map(|t| t as u8)),
                Err(_) => {
                    let mut bytes = [0u8; 8];
                    for (b, &t) in bytes.iter_mut().zip(eight) {
                        *b = t as u8;
                    }
                    u64::from_le_bytes(bytes)
                }
            };
            let neg = (x >> 7) & LOW;
            let nonzero = x & LOW;
            p |= gather(nonzero & !neg) << (8 * k);
            m |= gather(neg) << (8 * k);
        }
        plus[j] = p;
        minus[j] = m;
    }
    // Checked trits give valid planes: no position in both, no padding bit.
    BitVector::from_planes(trits.len(), &plus, &minus).expect("planes of checked trits are valid")
}

/// The trits of `v` appended to `out`, eight at a time: each byte of a plane word spread into
/// eight bytes of 0 or 1 (a multiplication, a mask and a carry test), the -1 plane's times 0xff.
pub fn unpack_into(v: &BitVector, out: &mut Vec<i8>) {
    const LOW: u64 = 0x0101_0101_0101_0101;
    let spread = |byte: u64| {
        let bit_i_of_byte_i = byte.wrapping_mul(LOW) & 0x8040_2010_0804_0201;
        ((bit_i_of_byte_i + 0x7f7f_7f7f_7f7f_7f7f) & 0x8080_8080_8080_8080) >> 7
    };
    let dim = v.dim();
    for (j, (&p, &m)) in v.plus().iter().zip(v.minus()).enumerate() {
        let n = (dim - j * 64).min(64);
        for k in 0..n.div_ceil(8) {
            let (pb, mb) = ((p >> (8 * k)) & 0xff, (m >> (8 * k)) & 0xff);
            // No position is in both planes, so the or is +1, 0 or -1 (0xff) per byte.
            let bytes = (spread(pb) | (spread(mb) * 0xff)).to_le_bytes();
            let take = (n - 8 * k).min(8);
            out.extend(bytes[..take].iter().map(|&b| b as i8));
        }
    }
}

/// The trits of `v`.
pub fn unpack(v: &BitVector) -> Vec<i8> {
    let mut out = Vec::with_capacity(v.dim());
    unpack_into(v, &mut out);
    out
}

/// A metric by name.
pub fn metric(name: &str) -> PyResult<Metric> {
    match name {
        "dot" => Ok(Metric::Dot),
        "cosine" => Ok(Metric::Cosine),
        "hamming" => Ok(Metric::Hamming),
        other => Err(PyValueError::new_err(format!(
            "unknown metric {other:?}: one of \"dot\", \"cosine\", \"hamming\""
        ))),
    }
}

/// The two layouts a vector is stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One `int8` per trit.
    Dense,
    /// Two bit planes.
    Bits,
}

impl Layout {
    /// Its name in Python.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Dense => "dense",
            Layout::Bits => "bits",
        }
    }
}

/// A layout by name.
pub fn layout(name: &str) -> PyResult<Layout> {
    match name {
        "dense" => Ok(Layout::Dense),
        "bits" => Ok(Layout::Bits),
        other => Err(PyValueError::new_err(format!(
            "unknown layout {other:?}: \"dense\" (NumPy int8 vectors) or \"bits\" (packed BitVector)"
        ))),
    }
}

/// A seed from any Python int in 0..2^64.
pub fn seed(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    let wide: i128 = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!("seed must be an int, got {}", type_name(obj)))
    })?;
    u64::try_from(wide).map_err(|_| {
        PyValueError::new_err(format!("seed {wide} is out of range: seeds are 0..2**64"))
    })
}

/// A seed, 0 when not given.
pub fn seed_or_zero(obj: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    obj.map_or(Ok(0), seed)
}

/// A dimension, checked as vectors check it.
pub fn dim(value: i64) -> PyResult<usize> {
    let dim = usize::try_from(value).map_err(|_| {
        PyValueError::new_err(format!(
            "dimension {value} is negative: vectors have 1..={} trits",
            trinity_runtime::MAX_DIM
        ))
    })?;
    DenseVector::zeros(dim).map_err(to_py)?;
    Ok(dim)
}

/// The items of a list or tuple of BitVectors (`None` when `obj` is not a list or tuple whose
/// first item is a BitVector; a later item of another type is a `TypeError`).
pub fn bit_vector_list<'py>(
    obj: &Bound<'py, PyAny>,
) -> PyResult<Option<Vec<Bound<'py, PyBitVector>>>> {
    let items: Vec<Bound<'py, PyAny>> = match obj.cast::<PyList>() {
        Ok(list) => list.iter().collect(),
        Err(_) => match obj.cast::<pyo3::types::PyTuple>() {
            Ok(tuple) => tuple.iter().collect(),
            Err(_) => return Ok(None),
        },
    };
    if items.is_empty() || !items[0].is_instance_of::<PyBitVector>() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(items.len());
    let dim = items[0].cast::<PyBitVector>()?.get().dim_();
    for (i, item) in items.into_iter().enumerate() {
        let bits = item.cast_into::<PyBitVector>().map_err(|e| {
            PyTypeError::new_err(format!(
                "item {i}: expected a BitVector like item 0, got {}",
                type_name(&e.into_inner())
            ))
        })?;
        if bits.get().dim_() != dim {
            return Err(PyValueError::new_err(format!(
                "dimension mismatch: item {i} has dimension {}, item 0 {dim}",
                bits.get().dim_()
            )));
        }
        out.push(bits);
    }
    Ok(Some(out))
}
