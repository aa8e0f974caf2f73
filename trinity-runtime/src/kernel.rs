//! Typed handles to kernels: the entry point of placed or baked code, wrapped in the
//! [`exec::call`](crate::exec::call) type of its op's signature, for either layout.

use crate::exec::call::{
    BinaryKernel, BundleNKernel, PermuteByKernel, ReduceF64Kernel, ReduceKernel, UnaryKernel,
};
use crate::exec::Code;
use trinity_emit::kernels::bundle::BundleSpec;
use trinity_emit::kernels::permute_by::PermuteBySpec;
use trinity_emit::kernels::{KernelSpec, Layout, Signature};

/// A kernel with its typed entry point; `T` is the layout's element (`i8` or `u64`).
///
/// ```
/// use trinity_runtime::kernel::KernelFn;
/// fn is_reduce<T>(k: &KernelFn<T>) -> bool { matches!(k, KernelFn::Reduce(_)) }
/// # let _ = is_reduce::<i8>;
/// ```
#[derive(Clone, Debug)]
pub enum KernelFn<T> {
    /// dot, hamming.
    Reduce(ReduceKernel<T>),
    /// cosine.
    ReduceF64(ReduceF64Kernel<T>),
    /// bind, bundle.
    Binary(BinaryKernel<T>),
    /// permute.
    Unary(UnaryKernel<T>),
}

/// A kernel of either layout, as the engine caches it and tables hold it.
#[derive(Clone, Debug)]
pub(crate) enum Compiled {
    Dense(KernelFn<i8>),
    Bits(KernelFn<u64>),
}

impl Compiled {
    /// The typed entry point of `code`.
    ///
    /// # Safety
    /// `code` must be the code trinity-emit generates for `spec`: a complete function of the
    /// platform calling convention with the op's signature, reading and writing exactly one
    /// operand's elements behind each pointer (docs/design.md §3).
    pub(crate) unsafe fn new(spec: &KernelSpec, code: Code) -> Compiled {
        let signature = spec.op.signature();
        let bytes = spec.layout.operand_bytes(spec.dim);
        // SAFETY: forwarded from the caller; `len` is the operand length in elements.
        unsafe {
            match spec.layout {
                Layout::Dense => Compiled::Dense(typed(signature, code, bytes)),
                Layout::Bits => Compiled::Bits(typed(signature, code, bytes / 8)),
            }
        }
    }
}

/// Wrap placed code in the typed function for `signature`.
///
/// # Safety
/// As for the wrappers' `new`: `code` is a function of that signature over `len` elements.
unsafe fn typed<T>(signature: Signature, code: Code, len: usize) -> KernelFn<T> {
    // SAFETY: forwarded from the caller.
    unsafe {
        match signature {
            Signature::Reduce => KernelFn::Reduce(ReduceKernel::new(code, len)),
            Signature::ReduceF64 => KernelFn::ReduceF64(ReduceF64Kernel::new(code, len)),
            Signature::Binary => KernelFn::Binary(BinaryKernel::new(code, len)),
            Signature::Unary => KernelFn::Unary(UnaryKernel::new(code, len)),
        }
    }
}

/// An n-way bundle kernel of either layout, as the engine caches it.
#[derive(Clone, Debug)]
pub(crate) enum CompiledBundle {
    Dense(BundleNKernel<i8>),
    Bits(BundleNKernel<u64>),
}

impl CompiledBundle {
    /// The typed entry point of `code`.
    ///
    /// # Safety
    /// `code` must be the code trinity-emit generates for `spec` (the contract of
    /// `trinity_emit::kernels::bundle`).
    pub(crate) unsafe fn new(spec: &BundleSpec, code: Code) -> CompiledBundle {
        let bytes = spec.layout.operand_bytes(spec.dim);
        // SAFETY: forwarded from the caller; `len` is the operand length in elements.
        unsafe {
            match spec.layout {
                Layout::Dense => CompiledBundle::Dense(BundleNKernel::new(code, bytes)),
                Layout::Bits => CompiledBundle::Bits(BundleNKernel::new(code, bytes / 8)),
            }
        }
    }
}

/// A permute kernel taking the shift at run time, of either layout
/// (`trinity_emit::kernels::permute_by`): what the engine caches for shifts it has no
/// fixed-shift kernel for.
#[derive(Clone, Debug)]
pub enum CompiledPermuteBy {
    /// Dense operands.
    Dense(PermuteByKernel<i8>),
    /// Bitsliced operands.
    Bits(PermuteByKernel<u64>),
}

impl CompiledPermuteBy {
    /// The typed entry point of `code`.
    ///
    /// # Safety
    /// `code` must be the code `trinity_emit::kernels::permute_by::generate_permute_by`
    /// generates for `spec`, for a tier this CPU runs.
    ///
    /// ```
    /// # #[cfg(target_arch = "x86_64")] {
    /// use trinity_emit::kernels::permute_by::{generate_permute_by, PermuteBySpec};
    /// use trinity_emit::kernels::{Layout, Tier};
    /// use trinity_runtime::{exec::Arena, kernel::CompiledPermuteBy};
    /// if std::is_x86_feature_detected!("avx2") {
    ///     let spec = PermuteBySpec::new(Layout::Dense, 5, Tier::Avx2);
    ///     let code = Arena::new().add(&generate_permute_by(&spec)?.code)?;
    ///     // SAFETY: trinity-emit generated the code for `spec`, and the CPU has AVX2.
    ///     let CompiledPermuteBy::Dense(f) = (unsafe { CompiledPermuteBy::new(&spec, code) }) else {
    ///         unreachable!()
    ///     };
    ///     let mut out = [0i8; 5];
    ///     f.call(&mut out, &[1, 0, -1, 0, 1], -1)?;
    ///     assert_eq!(out, [0, -1, 0, 1, 1]);
    /// }
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub unsafe fn new(spec: &PermuteBySpec, code: Code) -> CompiledPermuteBy {
        let bytes = spec.layout.operand_bytes(spec.dim);
        // SAFETY: forwarded from the caller; `len` is the operand length in elements, and the
        // kernel's contract covers every shift below `spec.dim`.
        unsafe {
            match spec.layout {
                Layout::Dense => {
                    CompiledPermuteBy::Dense(PermuteByKernel::new(code, bytes, spec.dim))
                }
                Layout::Bits => {
                    CompiledPermuteBy::Bits(PermuteByKernel::new(code, bytes / 8, spec.dim))
                }
            }
        }
    }
}
