//! The one module that calls generated machine code.
//!
//! Each wrapper owns the [`Code`] handle (so the pointer cannot outlive the code), knows the
//! operand length the kernel was generated for, and checks every slice against it before the
//! call, since a kernel reads and writes exactly that many elements.
//!
//! `T` is the layout's element: `i8` for dense operands, `u64` for bitsliced ones.

use super::Code;
use crate::{Error, Result};
use std::marker::PhantomData;

type ReduceFn<T> = unsafe extern "C" fn(*const T, *const T) -> i64;
type ReduceF64Fn<T> = unsafe extern "C" fn(*const T, *const T) -> f64;
type BinaryFn<T> = unsafe extern "C" fn(*mut T, *const T, *const T);
type UnaryFn<T> = unsafe extern "C" fn(*mut T, *const T);
type BundleFn<T> = unsafe extern "C" fn(*const *const T, usize, *mut T);
type PermuteByFn<T> = unsafe extern "C" fn(*mut T, *const T, u64);

fn check_len(len: usize, expected: usize) -> Result<()> {
    if len == expected {
        Ok(())
    } else {
        Err(Error::DimensionMismatch { left: expected, right: len })
    }
}

macro_rules! kernel_wrapper {
    ($(#[$doc:meta])* $name:ident, $fn_type:ident) => {
        $(#[$doc])*
        pub struct $name<T> {
            code: Code,
            len: usize,
            f: $fn_type<T>,
            _element: PhantomData<fn(T)>,
        }

        impl<T> $name<T> {
            /// Wrap placed code.
            ///
            /// # Safety
            /// `code` must be a complete function of the platform C calling convention with
            /// this wrapper's signature, which reads (and writes) exactly `len` elements of `T`
            /// behind each pointer and touches no other memory.
            ///
            /// ```
            /// # #[cfg(target_arch = "x86_64")] {
            /// use trinity_runtime::exec::{call::ReduceKernel, Arena};
            /// // xor eax, eax ; ret
            /// let code = Arena::new().add(&[0x31, 0xc0, 0xc3])?;
            /// // SAFETY: a complete function returning 0 that reads nothing.
            /// let f = unsafe { ReduceKernel::<u64>::new(code, 2) };
            /// assert_eq!(f.operand_len(), 2);
            /// assert_eq!(f.code().len(), 3);
            /// assert_eq!(f.call(&[1, 2], &[3, 4])?, 0);
            /// assert!(f.call(&[1], &[3, 4]).is_err(), "lengths are checked");
            /// # }
            /// # Ok::<(), trinity_runtime::Error>(())
            /// ```
            pub unsafe fn new(code: Code, len: usize) -> Self {
                // SAFETY: the caller promises the entry point is a function of this type; data
                // and function pointers have the same size on every supported platform.
                let f = unsafe { std::mem::transmute::<*const u8, $fn_type<T>>(code.entry()) };
                $name { code, len, f, _element: PhantomData }
            }

            /// The placed code.
            pub fn code(&self) -> &Code {
                &self.code
            }

            /// Elements per operand.
            pub fn operand_len(&self) -> usize {
                self.len
            }
        }

        impl<T> Clone for $name<T> {
            fn clone(&self) -> Self {
                $name { code: self.code.clone(), len: self.len, f: self.f, _element: PhantomData }
            }
        }

        impl<T> std::fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?}, {} elements)", stringify!($name), self.code, self.len)
            }
        }
    };
}

kernel_wrapper!(
    /// `int64_t f(const T *a, const T *b)`: dot and hamming kernels.
    ReduceKernel,
    ReduceFn
);
kernel_wrapper!(
    /// `double f(const T *a, const T *b)`: cosine kernels (result in xmm0 / d0).
    ReduceF64Kernel,
    ReduceF64Fn
);
kernel_wrapper!(
    /// `void f(T *out, const T *a, const T *b)`: bind and bundle kernels; `out` may be `a` or `b`.
    BinaryKernel,
    BinaryFn
);
kernel_wrapper!(
    /// `void f(T *out, const T *v)`: permute kernels; `out` must not overlap `v`.
    UnaryKernel,
    UnaryFn
);

kernel_wrapper!(
    /// `void f(const T *const *vectors, size_t n, T *out)`: n-way bundle kernels
    /// (`trinity_emit::kernels::bundle`); `out` must not overlap the operands.
    BundleNKernel,
    BundleFn
);

impl<T> ReduceKernel<T> {
    /// Call the kernel on two operands of [`operand_len`](Self::operand_len) elements.
    pub fn call(&self, a: &[T], b: &[T]) -> Result<i64> {
        check_len(a.len(), self.len)?;
        check_len(b.len(), self.len)?;
        // SAFETY: per `new`, the code reads `len` elements behind each pointer, and both slices
        // have exactly that many; the handle keeps the code mapped.
        Ok(unsafe { (self.f)(a.as_ptr(), b.as_ptr()) })
    }
}

impl<T> ReduceF64Kernel<T> {
    /// Call the kernel on two operands of [`operand_len`](Self::operand_len) elements.
    pub fn call(&self, a: &[T], b: &[T]) -> Result<f64> {
        check_len(a.len(), self.len)?;
        check_len(b.len(), self.len)?;
        // SAFETY: as for ReduceKernel::call.
        Ok(unsafe { (self.f)(a.as_ptr(), b.as_ptr()) })
    }
}

impl<T> BinaryKernel<T> {
    /// `out = f(a, b)` for three distinct buffers.
    pub fn call(&self, out: &mut [T], a: &[T], b: &[T]) -> Result<()> {
        check_len(out.len(), self.len)?;
        check_len(a.len(), self.len)?;
        check_len(b.len(), self.len)?;
        // SAFETY: per `new`, the code reads `len` elements of a and b and writes `len` of out;
        // all three slices have that many, and out is exclusively borrowed.
        unsafe { (self.f)(out.as_mut_ptr(), a.as_ptr(), b.as_ptr()) };
        Ok(())
    }

    /// `a = f(a, b)` in place (the kernel ABI allows out to equal a).
    pub fn call_in_place(&self, a: &mut [T], b: &[T]) -> Result<()> {
        check_len(a.len(), self.len)?;
        check_len(b.len(), self.len)?;
        let out = a.as_mut_ptr();
        // SAFETY: as for `call`; the kernel ABI permits out == a, and no Rust reference to `a`
        // is used while the kernel runs.
        unsafe { (self.f)(out, out, b.as_ptr()) };
        Ok(())
    }
}

impl<T> BinaryKernel<T> {
    /// `b = f(a, b)` in place (the kernel ABI allows out to equal b).
    pub fn call_in_place_second(&self, a: &[T], b: &mut [T]) -> Result<()> {
        check_len(a.len(), self.len)?;
        check_len(b.len(), self.len)?;
        let out = b.as_mut_ptr();
        // SAFETY: as for `call`; the kernel ABI permits out == b, and no Rust reference to `b`
        // is used while the kernel runs.
        unsafe { (self.f)(out, a.as_ptr(), out) };
        Ok(())
    }
}

impl<T> UnaryKernel<T> {
    /// `out = f(v)`; the borrow rules make `out` and `v` distinct.
    pub fn call(&self, out: &mut [T], v: &[T]) -> Result<()> {
        check_len(out.len(), self.len)?;
        check_len(v.len(), self.len)?;
        // SAFETY: per `new`, the code reads `len` elements of v and writes `len` of out; the
        // slices have that many and cannot overlap.
        unsafe { (self.f)(out.as_mut_ptr(), v.as_ptr()) };
        Ok(())
    }
}

impl<T> BundleNKernel<T> {
    /// `out` = the bundle of `operands` (ties 0; none gives zeros). Every operand and `out`
    /// must have [`operand_len`](Self::operand_len) elements, and there may be at most
    /// `trinity_emit::kernels::bundle::MAX_OPERANDS` operands ([`Error::TooManyOperands`]).
    pub fn call(&self, operands: &[&[T]], out: &mut [T]) -> Result<()> {
        check_len(out.len(), self.len)?;
        for op in operands {
            check_len(op.len(), self.len)?;
        }
        let n = operands.len();
        if n > trinity_emit::kernels::bundle::MAX_OPERANDS {
            return Err(Error::TooManyOperands { n });
        }
        let table: Vec<*const T> = operands.iter().map(|op| op.as_ptr()).collect();
        // SAFETY: per `new`, the code reads the n pointers of `table` and `len` elements behind
        // each, and writes `len` elements of out; every slice has that many, n is within the
        // kernel's limit, and out, exclusively borrowed, overlaps no operand.
        unsafe { (self.f)(table.as_ptr(), n, out.as_mut_ptr()) };
        Ok(())
    }
}

/// `void f(T *out, const T *v, uint64_t shift)`: a permute kernel taking the shift at run time
/// (`trinity_emit::kernels::permute_by`), for one dimension D; `out` must not overlap `v`.
pub struct PermuteByKernel<T> {
    code: Code,
    len: usize,
    dim: u32,
    f: PermuteByFn<T>,
    _element: PhantomData<fn(T)>,
}

impl<T> PermuteByKernel<T> {
    /// Wrap placed code.
    ///
    /// # Safety
    /// `code` must be a complete function of the platform C calling convention with this
    /// wrapper's signature which, for every `shift` below `dim`, reads exactly `len` elements
    /// of `T` behind `v`, writes exactly `len` behind `out` and touches no other memory.
    pub unsafe fn new(code: Code, len: usize, dim: u32) -> Self {
        // SAFETY: the caller promises the entry point is a function of this type; data and
        // function pointers have the same size on every supported platform.
        let f = unsafe { std::mem::transmute::<*const u8, PermuteByFn<T>>(code.entry()) };
        PermuteByKernel { code, len, dim, f, _element: PhantomData }
    }

    /// The placed code.
    pub fn code(&self) -> &Code {
        &self.code
    }

    /// Elements per operand.
    pub fn operand_len(&self) -> usize {
        self.len
    }

    /// The dimension D, which shifts are reduced by.
    pub fn dim(&self) -> u32 {
        self.dim
    }

    /// `out = v` rotated right by `shift` (any i64; negative rotates left), reduced to
    /// `shift mod D` here before the call; the borrow rules make `out` and `v` distinct.
    pub fn call(&self, out: &mut [T], v: &[T], shift: i64) -> Result<()> {
        check_len(out.len(), self.len)?;
        check_len(v.len(), self.len)?;
        let shift = shift.checked_rem_euclid(i64::from(self.dim)).ok_or(Error::ZeroDimension)?;
        // SAFETY: per `new`, for a shift below `dim` (as rem_euclid gives) the code reads `len`
        // elements of v and writes `len` of out; the slices have that many and cannot overlap.
        unsafe { (self.f)(out.as_mut_ptr(), v.as_ptr(), shift as u64) };
        Ok(())
    }
}

impl<T> Clone for PermuteByKernel<T> {
    fn clone(&self) -> Self {
        PermuteByKernel {
            code: self.code.clone(),
            len: self.len,
            dim: self.dim,
            f: self.f,
            _element: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for PermuteByKernel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PermuteByKernel({:?}, {} elements, D = {})", self.code, self.len, self.dim)
    }
}

type ScanFn = unsafe extern "C" fn(*const u8, usize, usize, *const u8, *mut i32);

/// Why the operands of a scan over `n` records and `q` queries of `bytes` bytes each do not fit
/// the scan contract (`None` when they do): `stride` a multiple of 64 of at least `bytes`,
/// `records` holding `n` vectors and `queries` `q` at that stride (the last needs only its
/// vector's bytes), `scores` at least `n * q` entries.
pub(crate) fn scan_shape_error(
    bytes: usize,
    q: usize,
    (records, stride, n): (&[u8], usize, usize),
    queries: &[u8],
    scores: usize,
) -> Option<String> {
    if stride % 64 != 0 || stride < bytes {
        return Some(format!("stride {stride} is not a multiple of 64 of at least {bytes}"));
    }
    let span = |count: usize| {
        count.checked_sub(1).map_or(Some(0), |c| c.checked_mul(stride)?.checked_add(bytes))
    };
    for (what, len, count) in [("records", records.len(), n), ("queries", queries.len(), q)] {
        match span(count) {
            Some(needed) if len >= needed => {}
            needed => {
                return Some(format!(
                    "{what} has {len} bytes, needs {needed:?} for {count} vectors"
                ))
            }
        }
    }
    match n.checked_mul(q) {
        Some(needed) if scores >= needed => None,
        needed => Some(format!("scores has {scores} entries, needs {needed:?}")),
    }
}

/// `void f(const T *records, size_t stride, size_t n, const T *queries, int32_t *scores)`: an
/// item-memory scan kernel, scoring `n` records against a block of `Q` queries into
/// `scores[r * Q + q]` (see `trinity_emit::kernels::scan`). Records and queries are passed as
/// bytes, whatever the layout's element.
pub struct ScanKernel {
    code: Code,
    bytes: usize,
    queries: usize,
    f: ScanFn,
}

impl ScanKernel {
    /// Wrap placed code.
    ///
    /// # Safety
    /// `code` must be a complete scan function of the platform C calling convention for
    /// vectors of `bytes` bytes and blocks of `queries` queries, which reads only the operand
    /// bytes of each record and query, writes only `n * queries` scores, and touches no other
    /// memory.
    pub unsafe fn new(code: Code, bytes: usize, queries: usize) -> Self {
        // SAFETY: the caller promises the entry point is a function of this type; data and
        // function pointers have the same size on every supported platform.
        let f = unsafe { std::mem::transmute::<*const u8, ScanFn>(code.entry()) };
        ScanKernel { code, bytes, queries, f }
    }

    /// The placed code.
    pub fn code(&self) -> &Code {
        &self.code
    }

    /// Queries per call (Q).
    pub fn queries(&self) -> usize {
        self.queries
    }

    /// Score `n` records (at `stride` bytes apart in `records`) against the `Q` queries (at the
    /// same stride in `queries`) into `scores[r * Q + q]`. Operands that do not fit (see the
    /// checks in the error) are [`Error::ScanShape`].
    pub fn call(
        &self,
        records: &[u8],
        stride: usize,
        n: usize,
        queries: &[u8],
        scores: &mut [i32],
    ) -> Result<()> {
        if let Some(reason) =
            scan_shape_error(self.bytes, self.queries, (records, stride, n), queries, scores.len())
        {
            return Err(Error::ScanShape { reason });
        }
        // SAFETY: per `new`, the code reads the operand bytes of n records and Q queries at
        // `stride` and writes n * Q scores; the checks above keep all of them inside the
        // slices, and `scores` is exclusively borrowed.
        unsafe { (self.f)(records.as_ptr(), stride, n, queries.as_ptr(), scores.as_mut_ptr()) };
        Ok(())
    }
}

impl Clone for ScanKernel {
    fn clone(&self) -> Self {
        ScanKernel { code: self.code.clone(), bytes: self.bytes, queries: self.queries, f: self.f }
    }
}

impl std::fmt::Debug for ScanKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScanKernel({:?}, {} bytes, {} queries)", self.code, self.bytes, self.queries)
    }
}
