//! Timing kernel variants on this machine (docs/design.md §5.2, §9.4): what `trinity tune`
//! and the variant bench measure with. Nothing here runs unless called; the engine never
//! times anything itself.

use crate::exec::call::{BinaryKernel, ReduceF64Kernel, ReduceKernel};
use crate::exec::{Arena, Code};
use crate::vector::sealed::Internal;
use crate::{reference, BitVector, DenseVector, Error, Result, Vector};
use std::hint::black_box;
use std::time::Instant;
use trinity_emit::kernels::{generate, KernelError, KernelSpec, Layout, Op, Variant};

/// The fastest per-call time, in nanoseconds, of each contender over `rounds` rounds, each
/// running every contender `reps` times in turn (alternating, so a slow spell of a shared
/// machine hits all alike; the minimum is what noise disturbs least).
///
/// ```
/// let mut n = 0u64;
/// let times = trinity_runtime::tune::fastest_of(3, 10, &mut [&mut || n += 1, &mut || ()]);
/// assert_eq!((times.len(), n), (2, 30));
/// ```
pub fn fastest_of(rounds: u32, reps: u32, contenders: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut best = vec![f64::MAX; contenders.len()];
    for _ in 0..rounds {
        for (f, best) in contenders.iter_mut().zip(&mut best) {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            *best = best.min(t.elapsed().as_nanos() as f64 / f64::from(reps.max(1)));
        }
    }
    best
}

/// Calls per timed batch at dimension `dim`: batches of roughly 20 µs of work or more.
pub fn reps_for(dim: u32) -> u32 {
    (2_000_000 / dim.max(1)).clamp(10, 10_000)
}

/// One variant's time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// The variant.
    pub variant: Variant,
    /// Its fastest per-call time, in nanoseconds.
    pub nanos: f64,
}

/// A kernel bound to its operands: each call returns a reduction's result as `f64`, and 0.0
/// for bind and bundle (whose output is checked whole when they are bound).
pub type BoundCall = Box<dyn FnMut() -> f64 + Send>;

/// The kernel of each of `variants` of `spec` (a dot, hamming, cosine, bind or bundle spec),
/// generated, placed and bound to copies of the operands `a` and `b` in the spec's layout; a
/// bind or bundle kernel writes into a buffer of its own.
///
/// Errors: the op is permute, or the spec's tier or convention is not what this machine runs
/// (`KernelError::Unsupported`); the dimensions differ from the spec's; a variant cannot be
/// generated or placed; a bind or bundle variant's output differs from the reference
/// (`KernelError::Unsupported` naming the variant: a generator bug).
pub fn bind_variants(
    spec: &KernelSpec,
    variants: &[Variant],
    a: &DenseVector,
    b: &DenseVector,
) -> Result<Vec<BoundCall>> {
    let plain = KernelSpec { variant: Variant::DEFAULT, ..*spec };
    let runs_here = crate::cpu::preference(crate::cpu::detect_tier(), spec.tier).is_some()
        && spec.conv == crate::cpu::native_conv();
    if spec.op == Op::Permute || !runs_here {
        return Err(KernelError::Unsupported { spec: plain }.into());
    }
    for v in [a, b] {
        if v.dim() != spec.dim as usize {
            return Err(Error::DimensionMismatch { left: spec.dim as usize, right: v.dim() });
        }
    }
    // Operands in the vector types, so aligned as a user's are (`VECTOR_ALIGN`).
    let (da, db) = (a.clone(), b.clone());
    let (wa, wb) = (BitVector::from(a), BitVector::from(b));
    let arena = Arena::new();
    let mut calls: Vec<BoundCall> = Vec::new();
    for &variant in variants {
        let spec = KernelSpec { variant, ..plain };
        let code = arena.add(&generate(&spec)?.code)?;
        // SAFETY: in every arm, trinity-emit generated this code for `spec`, a reduction of the
        // handle's shape over operands of this length, for a tier and convention this machine
        // runs (checked above).
        let call: BoundCall = unsafe {
            match (spec.layout, spec.op) {
                (Layout::Dense, Op::Bind | Op::Bundle) => bound_binary(&spec, code, &da, &db)?,
                (Layout::Bits, Op::Bind | Op::Bundle) => bound_binary(&spec, code, &wa, &wb)?,
                (Layout::Dense, Op::Cosine) => {
                    let (f, x, y) = (ReduceF64Kernel::new(code, da.dim()), da.clone(), db.clone());
                    Box::new(move || {
                        f.call(black_box(x.as_slice()), black_box(y.as_slice())).unwrap_or(f64::NAN)
                    })
                }
                (Layout::Dense, _) => {
                    let (f, x, y) = (ReduceKernel::new(code, da.dim()), da.clone(), db.clone());
                    Box::new(move || {
                        let (x, y) = (black_box(x.as_slice()), black_box(y.as_slice()));
                        f.call(x, y).map_or(f64::NAN, |r| r as f64)
                    })
                }
                (Layout::Bits, Op::Cosine) => {
                    let n = wa.words().len();
                    let (f, x, y) = (ReduceF64Kernel::new(code, n), wa.clone(), wb.clone());
                    Box::new(move || {
                        f.call(black_box(x.words()), black_box(y.words())).unwrap_or(f64::NAN)
                    })
                }
                (Layout::Bits, _) => {
                    let n = wa.words().len();
                    let (f, x, y) = (ReduceKernel::new(code, n), wa.clone(), wb.clone());
                    Box::new(move || {
                        let (x, y) = (black_box(x.words()), black_box(y.words()));
                        f.call(x, y).map_or(f64::NAN, |r| r as f64)
                    })
                }
            }
        };
        calls.push(call);
    }
    Ok(calls)
}

/// A bind or bundle kernel bound to copies of `x` and `y`, writing into a buffer of its own
/// (so the time is the kernel's, not an allocation's), its output checked once against the
/// reference first.
///
/// # Safety
/// `code` is what trinity-emit generated for `spec`, a bind or bundle of `V`'s layout at the
/// operands' dimension, for a tier and convention this machine runs.
unsafe fn bound_binary<V: Vector + Send + 'static>(
    spec: &KernelSpec,
    code: Code,
    x: &V,
    y: &V,
) -> Result<BoundCall> {
    let want = if spec.op == Op::Bind { reference::bind(x, y)? } else { reference::bundle(x, y)? };
    let (x, y, mut out) = (x.clone(), y.clone(), x.clone());
    // SAFETY: forwarded from the caller: a binary kernel over one operand's elements.
    let f = unsafe { BinaryKernel::new(code, x.elems().len()) };
    f.call(out.elems_mut(Internal(())), x.elems(), y.elems())?;
    if out.to_trits() != want {
        return Err(KernelError::Unsupported { spec: *spec }.into());
    }
    Ok(Box::new(move || {
        let out = black_box(out.elems_mut(Internal(())));
        f.call(out, black_box(x.elems()), black_box(y.elems())).map_or(f64::NAN, |()| 0.0)
    }))
}

/// What a [`BoundCall`] of `op` on `a` and `b` returns: the reference result of a reduction as
/// `f64`, 0.0 for bind and bundle.
pub fn reference_result(op: Op, a: &DenseVector, b: &DenseVector) -> Result<f64> {
    Ok(match op {
        Op::Dot => reference::dot(a, b)? as f64,
        Op::Hamming => reference::hamming(a, b)? as f64,
        Op::Bind | Op::Bundle => 0.0,
        _ => reference::cosine(a, b)?,
    })
}

/// Time every variant of `spec` ([`Variant::candidates`]; its own variant is ignored) on
/// seeded random operands, after checking each variant's result against the reference:
/// `rounds` alternating rounds of [`reps_for`] calls. Returns the timings in candidate order.
///
/// Errors: those of [`bind_variants`], and `KernelError::Unsupported` naming a variant whose
/// result is wrong (a generator bug).
pub fn race_variants(spec: &KernelSpec, rounds: u32) -> Result<Vec<Timing>> {
    let plain = KernelSpec { variant: Variant::DEFAULT, ..*spec };
    let dim = spec.dim as usize;
    let (a, b) = (DenseVector::random(dim, 1)?, DenseVector::random(dim, 2)?);
    let want = reference_result(spec.op, &a, &b)?;
    let variants = Variant::candidates(&plain);
    let mut calls = bind_variants(&plain, &variants, &a, &b)?;
    for (call, &variant) in calls.iter_mut().zip(&variants) {
        if call().to_bits() != want.to_bits() {
            return Err(KernelError::Unsupported { spec: KernelSpec { variant, ..plain } }.into());
        }
    }
    let mut timed: Vec<Box<dyn FnMut()>> = calls
        .into_iter()
        .map(|mut call| {
            Box::new(move || {
                black_box(call());
            }) as Box<dyn FnMut()>
        })
        .collect();
    let mut refs: Vec<&mut dyn FnMut()> = timed.iter_mut().map(|c| &mut **c as _).collect();
    let times = fastest_of(rounds, reps_for(spec.dim), &mut refs);
    Ok(variants.into_iter().zip(times).map(|(variant, nanos)| Timing { variant, nanos }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use trinity_emit::kernels::Tier;

    /// Bind and bundle race like the reductions: one timing per candidate, in candidate order,
    /// each bound call checked against the reference first; permute is refused.
    #[test]
    fn binary_ops_race_every_variant_and_permute_is_refused() {
        let Some(tier) = crate::cpu::detect_tier() else {
            println!("SKIPPED: this CPU has no kernel tier");
            return;
        };
        for layout in Layout::ALL {
            for op in [Op::Bind, Op::Bundle] {
                let spec = KernelSpec::new(op, layout, 1000, tier);
                let times = race_variants(&spec, 2).unwrap();
                let raced: Vec<Variant> = times.iter().map(|t| t.variant).collect();
                assert_eq!(raced, Variant::candidates(&spec), "{spec}");
                assert!(times.iter().all(|t| t.nanos > 0.0), "{times:?}");
            }
        }
        let avx512 = KernelSpec::new(Op::Bind, Layout::Bits, 1000, Tier::Avx512);
        if tier.runs(Tier::Avx512) {
            assert_eq!(Variant::candidates(&avx512).len(), 2, "the zmm and the ymm code");
        }
        let (a, b) = (DenseVector::random(1000, 1).unwrap(), DenseVector::random(1000, 2).unwrap());
        let permute = KernelSpec::permute(Layout::Bits, 1000, tier, 3);
        assert!(matches!(
            bind_variants(&permute, &[Variant::DEFAULT], &a, &b),
            Err(Error::Kernel(KernelError::Unsupported { .. }))
        ));
    }
}
