//! The AArch64 permute-by kernels under qemu-user (see support/qemu_aarch64.rs): both layouts
//! and both tiers at the pair suites' dimensions, every shift class (0, word-aligned,
//! byte-aligned, odd, D - 1, the shifts that leave D - k word-aligned, seeded ones; every shift
//! up to D = 70), against the reference (`trinity_testkit::reference`).
//!
//! The three operands end at unmapped pages (and start after one at odd dimensions); the output
//! starts as 0xa5 bytes and must keep them past its end; the callee-saved registers (x18,
//! x19-x29, d8-d15) and sp must be intact. `neon` runs under `-cpu cortex-a72` (no DotProd),
//! `dotprod` under `-cpu max`. Negative and large shifts are the runtime wrapper's to reduce
//! (tests/permute_by_x86_64.rs); the kernel is given shifts below D, as its contract says.

use std::path::Path;
use trinity::emit::kernels::permute_by::{generate_permute_by, PermuteByKernel, PermuteBySpec};
use trinity::emit::kernels::{Arch, Layout, Tier};
use trinity_testkit::cases::{dims, operand, permute_vectors, rotated, shifts};
use trinity_testkit::qemu_aarch64::{cpu, qemu, run_calls, Arg, Call, Input};

/// Bytes after the output that the kernel must leave as the harness's 0xa5 poison.
const SLACK: usize = 16;

fn kernel(layout: Layout, dim: usize, tier: Tier) -> PermuteByKernel {
    let spec = PermuteBySpec::new(layout, dim as u32, tier);
    generate_permute_by(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// Every shift of [`shifts`] on every vector of [`vectors`], in one qemu run. Returns the calls.
fn check(qemu: &Path, k: &PermuteByKernel, guard_start: bool) -> usize {
    let spec = k.spec;
    let (dim, len) = (spec.dim as usize, spec.layout.operand_bytes(spec.dim));
    let vs = permute_vectors(dim, dim as u64);
    let operands: Vec<Vec<u8>> = vs.iter().map(|v| operand(spec.layout, v)).collect();
    let call = Call {
        inputs: operands.iter().map(|o| Input::Bytes(o)).collect(),
        out_len: Some(len + SLACK),
        guard_start,
        out_aliases: None,
    };
    let cases: Vec<(usize, usize)> =
        (0..vs.len()).flat_map(|i| shifts(dim).into_iter().map(move |k| (i, k))).collect();
    let orders: Vec<Vec<Arg>> =
        cases.iter().map(|&(i, k)| vec![Arg::Out, Arg::Input(i), Arg::Value(k as u64)]).collect();
    let orders: Vec<Option<&[Arg]>> = orders.iter().map(|o| Some(o.as_slice())).collect();
    let outcomes = run_calls(qemu, cpu(spec.tier), &k.code, &call, &orders)
        .unwrap_or_else(|e| panic!("{spec}: {e}"));
    for (&(i, k), got) in cases.iter().zip(outcomes) {
        let what = format!("{spec}, vector {i}, shift {k}");
        assert!(got.callee_saved_intact, "{what}: a callee-saved register or sp changed");
        assert!(got.out[len..].iter().all(|&b| b == 0xa5), "{what}: wrote past the output");
        assert_eq!(got.out[..len], rotated(spec.layout, &vs[i], k as i64), "{what}");
    }
    cases.len()
}

fn check_tier(tier: Tier) {
    let Some(qemu) = qemu() else { return };
    let (mut runs, mut calls) = (0, 0);
    for (i, dim) in dims().into_iter().enumerate() {
        for layout in Layout::ALL {
            calls += check(&qemu, &kernel(layout, dim, tier), i % 2 == 1);
            runs += 1;
        }
    }
    println!("{calls} AArch64 {} permute_by calls checked in {runs} qemu runs", tier.name());
}

#[test]
fn neon_permutes_match_the_reference() {
    check_tier(Tier::Neon);
}

#[test]
fn dotprod_permutes_match_the_reference() {
    check_tier(Tier::DotProd);
}

/// The same spec gives the same bytes, and both tiers the same code; the kernels at
/// D = 10000 as reviewed disassembly.
#[test]
fn generation_is_deterministic_and_snapshotted() {
    for layout in Layout::ALL {
        let code = kernel(layout, 10000, Tier::Neon).code;
        assert_eq!(code, kernel(layout, 10000, Tier::Neon).code);
        assert_eq!(code, kernel(layout, 10000, Tier::DotProd).code, "no DotProd instruction");
        let listing = trinity::disasm::listing(Arch::Aarch64, &code);
        let name = format!("{}_permute_by_10000", layout.name());
        insta::with_settings!({snapshot_path => "../snapshots/permute_by_aarch64", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, listing);
        });
    }
}
