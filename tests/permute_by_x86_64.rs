//! The x86-64 AVX2 permute-by kernels, run natively through the runtime's wrapper: both
//! layouts at the pair suites' dimensions, every shift class (0, word-aligned, byte-aligned,
//! odd, D - 1, the shifts that leave D - k word-aligned, seeded ones; every shift up to
//! D = 70), each also given as a negative and as a large shift for the wrapper to reduce,
//! against the reference (`trinity_testkit::reference`). The operand and the output sit flush
//! against guard pages (any access past them faults), the output starts as garbage, and
//! callee-saved registers are checked around every call.
#![cfg(target_arch = "x86_64")]

use trinity::emit::kernels::permute_by::{generate_permute_by, PermuteByKernel, PermuteBySpec};
use trinity::emit::kernels::{CallConv, KernelError, Layout, Tier, MAX_DIM};
use trinity::runtime::exec::Arena;
use trinity::runtime::DenseVector;
use trinity_testkit::cases::{self, operand, permute_vectors, rotated, shifts};
use trinity_testkit::native::{self, Edge, Guarded, HarnessedPermuteBy};

fn kernel(layout: Layout, dim: usize) -> PermuteByKernel {
    let spec = PermuteBySpec::new(layout, dim as u32, Tier::Avx2);
    generate_permute_by(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// Every shift of [`shifts`] on every vector of [`vectors`], with the operand and the output
/// against a guard page at `edge` (the output at the other edge). Returns the calls.
fn check(arena: &Arena, k: &PermuteByKernel, edge: Edge) -> usize {
    let spec = k.spec;
    let (dim, bytes) = (spec.dim as usize, spec.layout.operand_bytes(spec.dim));
    let h = HarnessedPermuteBy::new(arena, k);
    let other = if edge == Edge::End { Edge::Start } else { Edge::End };
    let (mut input, mut out) = (Guarded::new(bytes, edge), Guarded::new(bytes, other));
    let mut calls = 0;
    for v in permute_vectors(dim, dim as u64) {
        input.slice::<u8>().copy_from_slice(&operand(spec.layout, &v));
        for k in shifts(dim) {
            let k = k as i64;
            let want = rotated(spec.layout, &v, k);
            let d = dim as i64;
            for given in [k, k - d, k + d * (1 << 40), k - d * 977] {
                out.slice::<u8>().fill(0x5a);
                let flag = h.call(out.slice(), input.slice(), given);
                let what = format!("{spec}, shift {given} (= {k}), operand at the {edge:?}");
                assert_eq!(flag, 0, "{what}: clobbered {:?}", native::clobbered(flag));
                assert_eq!(out.slice::<u8>(), &want[..], "{what}");
                calls += 1;
            }
        }
    }
    calls
}

fn check_dims(dims: impl IntoIterator<Item = usize>) -> usize {
    let arena = Arena::new();
    let mut calls = 0;
    for (i, dim) in dims.into_iter().enumerate() {
        let edge = if i % 2 == 0 { Edge::End } else { Edge::Start };
        for layout in Layout::ALL {
            calls += check(&arena, &kernel(layout, dim), edge);
        }
    }
    calls
}

#[test]
fn small_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    println!("{} permute_by calls checked", check_dims(cases::SMALL_DIMS));
}

#[test]
fn boundary_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    // And both sides of the dense kernels' rep movsb threshold (4096).
    let dims = cases::BOUNDARY_DIMS.into_iter().chain([4095, 4096, 4097, 4160]);
    println!("{} permute_by calls checked", check_dims(dims));
}

#[test]
fn large_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    println!("{} permute_by calls checked", check_dims(cases::LARGE_DIMS));
}

/// D = 2^24: the longest copies and planes, a shift of each class.
#[test]
fn max_dim_matches_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let arena = Arena::new();
    let dim = MAX_DIM as usize;
    let v = DenseVector::random(dim, 9).unwrap();
    for layout in Layout::ALL {
        let h = HarnessedPermuteBy::new(&arena, &kernel(layout, dim));
        let input = operand(layout, &v);
        let mut out = vec![0x5a; input.len()];
        for shift in [0, 1, 64, 4096, 4097, dim as i64 / 2 + 8, dim as i64 - 1, -4097] {
            assert_eq!(h.call(&mut out, &input, shift), 0, "{layout:?}: clobbered");
            assert!(out == rotated(layout, &v, shift), "{layout:?} at MAX_DIM, shift {shift}");
        }
    }
}

/// The extreme i64 shifts reduce like any other.
#[test]
fn extreme_shifts_reduce() {
    if !native::host_has_avx2() {
        return;
    }
    let arena = Arena::new();
    for layout in Layout::ALL {
        for dim in [1, 100, 10000] {
            let h = HarnessedPermuteBy::new(&arena, &kernel(layout, dim));
            let v = &permute_vectors(dim, 3)[0];
            let input = operand(layout, v);
            for shift in [i64::MIN, i64::MIN + 1, i64::MAX, -1, 1 - dim as i64] {
                let mut out = vec![0x5a; input.len()];
                assert_eq!(h.call(&mut out, &input, shift), 0, "{layout:?} {dim}: clobbered");
                assert_eq!(out, rotated(layout, v, shift), "{layout:?} {dim} shift {shift}");
            }
        }
    }
}

#[test]
fn only_the_native_convention() {
    let spec = PermuteBySpec {
        conv: CallConv::Win64,
        ..PermuteBySpec::new(Layout::Bits, 100, Tier::Avx2)
    };
    assert_eq!(
        generate_permute_by(&spec).unwrap_err(),
        KernelError::NativeOnly { kind: "permute_by", conv: CallConv::Win64 }
    );
}

/// The same spec gives the same bytes; the kernels at D = 10000 (every copy path, the bitsliced
/// runs with vector loops and single words) as hex and iced-x86 disassembly, reviewed.
#[test]
fn snapshots() {
    for layout in Layout::ALL {
        let k = kernel(layout, 10000);
        assert_eq!(k.code, kernel(layout, 10000).code, "{}", k.spec);
        let name = format!("{}_permute_by_10000", layout.name());
        let text = format!("{}\n{}", k.spec, trinity_testkit::listing::x86_64_kernel(&k.code));
        insta::with_settings!({snapshot_path => "../snapshots/permute_by_x86_64", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, text);
        });
    }
}
