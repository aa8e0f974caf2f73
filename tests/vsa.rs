//! `#[trinity::vsa]`: baked kernels called through the `Vsa` API and through the engine,
//! compared with the plain reference; and the test binary itself read back with the object
//! crate, to show every baked kernel is a global symbol in an executable section, 64-byte
//! aligned, holding exactly the bytes trinity-emit generates for its key.

use trinity_testkit::tools;

use object::{Object, ObjectSection, ObjectSymbol};
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op};
use trinity::runtime::exec::Backend;
use trinity::runtime::reference::{self, Trits};
use trinity::runtime::{baked, BitVector, DenseVector, Error, JitEngine};
use trinity::runtime::{cpu::detect_tier, Vector};
use trinity::Vsa;

#[trinity::vsa(dim = 10000)]
pub struct Hv;

/// A second struct of the same dimension in the same crate: its symbols must not collide.
#[trinity::vsa(dim = 10000, ops(dot), layout = bits)]
struct HvDotOnly;

#[trinity::vsa(dim = 1)]
struct One;

#[trinity::vsa(dim = 65)]
struct D65;

#[trinity::vsa(dim = 1025, ops(bind, permute), layout = dense, permute(1, 3, -1))]
struct Shifts;

#[trinity::vsa(dim = 59049)]
struct Big;

/// Whether this CPU runs the kernels baked for it (x86-64 with AVX2, any AArch64).
fn baked_here() -> bool {
    detect_tier().is_some()
}

fn inputs<V: Vector>(dim: usize, from: impl Fn(&DenseVector) -> V) -> Vec<(V, V)> {
    let all = |t: i8| DenseVector::from_slice(&vec![t; dim]).unwrap();
    [
        (DenseVector::random(dim, 1).unwrap(), DenseVector::random(dim, 2).unwrap()),
        (all(-1), all(-1)),
        (all(-1), all(1)),
        (all(0), DenseVector::random(dim, 3).unwrap()),
    ]
    .iter()
    .map(|(a, b)| (from(a), from(b)))
    .collect()
}

/// Every op of `H` on `V` against the reference; returns how many calls were made.
fn check_ops<H: Vsa, V: Vector + PartialEq + std::fmt::Debug>(
    from: impl Fn(&DenseVector) -> V,
    shifts: &[i64],
) -> u64 {
    let mut calls = 0;
    for (a, b) in inputs(H::DIM, from) {
        assert_eq!(H::dot(&a, &b).unwrap(), reference::dot(&a, &b).unwrap());
        assert_eq!(H::hamming(&a, &b).unwrap(), reference::hamming(&a, &b).unwrap());
        let (got, want) = (H::cosine(&a, &b).unwrap(), reference::cosine(&a, &b).unwrap());
        assert_eq!(got.to_bits(), want.to_bits(), "cosine {got} vs {want}");
        assert_eq!(H::bind(&a, &b).unwrap().to_trits(), reference::bind(&a, &b).unwrap());
        assert_eq!(H::bundle(&a, &b).unwrap().to_trits(), reference::bundle(&a, &b).unwrap());
        let mut in_place = a.clone();
        H::bundle_assign(&mut in_place, &b).unwrap();
        assert_eq!(in_place.to_trits(), reference::bundle(&a, &b).unwrap());
        let mut out = b.clone();
        H::bind_into(&mut out, &a, &b).unwrap();
        assert_eq!(out.to_trits(), reference::bind(&a, &b).unwrap());
        H::bundle_into(&mut out, &b, &a).unwrap();
        assert_eq!(out.to_trits(), reference::bundle(&b, &a).unwrap());
        calls += 8;
        for &k in shifts {
            assert_eq!(H::permute(&a, k).unwrap().to_trits(), reference::permute(&a, k), "k = {k}");
            assert_eq!(H::inverse_permute(&H::permute(&a, k).unwrap(), k).unwrap(), a);
            calls += 3;
        }
    }
    calls
}

#[test]
fn every_op_matches_the_reference_in_both_layouts() {
    let shifts = [1, 0, -1, 2];
    let dense_calls = check_ops::<Hv, DenseVector>(DenseVector::clone, &shifts);
    let bits_calls = check_ops::<Hv, BitVector>(|d: &DenseVector| BitVector::from(d), &shifts);
    check_ops::<One, _>(DenseVector::clone, &[1]);
    check_ops::<One, _>(|d: &DenseVector| BitVector::from(d), &[1]);
    check_ops::<D65, DenseVector>(DenseVector::clone, &[1, 64, 7]);
    check_ops::<D65, BitVector>(|d: &DenseVector| BitVector::from(d), &[1, 64, 7]);
    check_ops::<Big, DenseVector>(DenseVector::clone, &[1, -1]);
    check_ops::<Big, BitVector>(|d: &DenseVector| BitVector::from(d), &[1, -1]);
    let stats = Hv::kernels().stats();
    if baked_here() {
        // Only shift 1 is baked. Per input, permute by k runs shift k twice and shift -k once:
        // k = 1 falls back once (shift -1), k = 0 three times, k = -1 twice, k = 2 three times.
        assert_eq!(stats.fallback_ops, (1 + 3 + 2 + 3) * 4 * 2, "{stats:?}");
        assert_eq!(Hv::kernels().len(), 12);
    } else {
        eprintln!("NOTE: no tier on this CPU, so every call fell back to the engine");
        assert_eq!(stats.fallback_ops, dense_calls + bits_calls);
    }
}

#[test]
fn attribute_subsets_bake_what_they_name() {
    if !baked_here() {
        eprintln!("SKIPPED: this CPU runs no baked tier");
        return;
    }
    let specs = Shifts::kernels().specs();
    let names: Vec<String> = specs.iter().map(KernelSpec::symbol).collect();
    assert_eq!(
        names,
        [
            "trinity_dense_bind_1025",
            "trinity_dense_permute_1025_1",
            "trinity_dense_permute_1025_3",
            "trinity_dense_permute_1025_1024",
        ]
    );
    let v = Shifts::random_dense(5).unwrap();
    for k in [1, 3, -1, 1024, 2049] {
        assert_eq!(Shifts::permute(&v, k).unwrap().to_trits(), reference::permute(&v, k));
    }
    assert_eq!(Shifts::kernels().stats().fallback_ops, 0, "1024 and 2049 are baked shifts mod D");
    let dot_only = HvDotOnly::kernels().specs();
    assert_eq!(dot_only.len(), 1);
    assert_eq!((dot_only[0].op, dot_only[0].layout), (Op::Dot, Layout::Bits));
    // Ops and layouts outside the subset are served by the engine, with the same results.
    let (a, b) = (HvDotOnly::random_dense(1).unwrap(), HvDotOnly::random_dense(2).unwrap());
    assert_eq!(HvDotOnly::dot(&a, &b).unwrap(), reference::dot(&a, &b).unwrap());
    assert_eq!(HvDotOnly::kernels().stats().fallback_ops, 1);
}

#[test]
fn operands_of_another_dimension_are_typed_errors() {
    let a = Hv::random_bits(1).unwrap();
    let short = BitVector::random(9999, 1).unwrap();
    let mismatch = Error::DimensionMismatch { left: 10000, right: 9999 };
    assert_eq!(Hv::dot(&a, &short), Err(mismatch.clone()));
    assert_eq!(Hv::dot(&short, &a), Err(mismatch.clone()));
    assert_eq!(Hv::cosine(&short, &a), Err(mismatch.clone()));
    assert_eq!(Hv::bind(&a, &short), Err(mismatch.clone()));
    let mut out = BitVector::zeros(9999).unwrap();
    assert_eq!(Hv::bind_into(&mut out, &a, &a), Err(mismatch.clone()));
    assert_eq!(Hv::permute(&short, 1), Err(mismatch.clone()));
    assert_eq!(Hv::bundle_n(&[&a, &short]), Err(mismatch.clone()));
    assert_eq!(Hv::permute_into(&mut out, &a, 1), Err(mismatch));
    assert_eq!(Hv::bundle_n::<BitVector>(&[]), Err(Error::EmptyBundle));
}

#[test]
fn the_engine_serves_baked_kernels_without_compiling() {
    if !baked_here() {
        eprintln!("SKIPPED: this CPU runs no baked tier");
        return;
    }
    let engine = JitEngine::new();
    let a = Hv::random_bits(1).unwrap();
    let b = Hv::random_bits(2).unwrap();
    assert_eq!(engine.dot(&a, &b).unwrap(), reference::dot(&a, &b).unwrap());
    assert_eq!(engine.dot(&a, &b).unwrap(), reference::dot(&a, &b).unwrap());
    let (da, db) = (DenseVector::from(&a), DenseVector::from(&b));
    assert_eq!(engine.bundle(&da, &db).unwrap().to_trits(), reference::bundle(&a, &b).unwrap());
    let stats = engine.stats();
    assert_eq!(stats.baked_hits, 3, "{stats:?}");
    assert_eq!((stats.jit_misses, stats.jit_hits, stats.code_bytes), (0, 0, 0), "{stats:?}");
    assert_eq!(stats.cache_size, 2);
    // A dimension nothing baked is compiled as before.
    let c = BitVector::random(10001, 1).unwrap();
    engine.dot(&c, &c).unwrap();
    if engine.stats().backend == trinity::runtime::exec::Backend::Jit {
        assert_eq!(engine.stats().jit_misses, 1);
    }
}

/// Set in the child process that runs with `TRINITY_JIT=off`.
const JIT_OFF_CHILD: &str = "TRINITY_TEST_JIT_OFF_CHILD";

#[test]
fn baked_kernels_serve_the_engine_with_the_jit_off() {
    if std::env::var_os(JIT_OFF_CHILD).is_some() {
        // The child: the JIT is off, but baked kernels need no executable memory of their own.
        let engine = JitEngine::new();
        assert!(matches!(engine.stats().backend, Backend::Portable { .. }));
        let (a, b) = (Hv::random_bits(1).unwrap(), Hv::random_bits(2).unwrap());
        assert_eq!(engine.dot(&a, &b).unwrap(), reference::dot(&a, &b).unwrap());
        // D = 10001 has nothing baked: portable Rust.
        let c = BitVector::random(10001, 1).unwrap();
        assert_eq!(engine.dot(&c, &c).unwrap(), reference::dot(&c, &c).unwrap());
        let stats = engine.stats();
        let counts = (stats.baked_hits, stats.portable_ops, stats.jit_misses, stats.code_bytes);
        if baked_here() {
            assert_eq!(counts, (1, 1, 0, 0), "{stats:?}");
        } else {
            assert_eq!(counts, (0, 2, 0, 0), "{stats:?}");
        }
        println!("jit-off child: {counts:?}");
        return;
    }
    let me = std::env::current_exe().expect("test binary path");
    let name = "baked_kernels_serve_the_engine_with_the_jit_off";
    let out = std::process::Command::new(me)
        .args(["--exact", name, "--nocapture", "--test-threads", "1"])
        .env(JIT_OFF_CHILD, "1")
        .env("TRINITY_JIT", "off")
        .output()
        .expect("the test binary runs");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the TRINITY_JIT=off run failed:\n{text}");
    assert!(text.contains("jit-off child:") && text.contains("1 passed"), "{text}");
}

#[test]
fn the_binary_holds_every_baked_kernel_in_an_executable_section() {
    let registry = baked::registry();
    let baked_arch = cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));
    if !baked_arch {
        assert!(registry.is_empty());
        return;
    }
    // Hv 12 + HvDotOnly 1 + One 12 (shifts 1 = 0 mod 1) + D65 12 + Shifts 4 + Big 12, per tier.
    let tiers = if cfg!(target_arch = "aarch64") { 2 } else { 3 };
    assert_eq!(registry.len(), 53 * tiers);
    let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let file = object::File::parse(&*exe).unwrap();
    let mut load_bias = None;
    for kernel in registry {
        let name = kernel.symbol();
        let symbol = file
            .symbols()
            .find(|s| {
                s.name().is_ok_and(|n| n.trim_start_matches('_') == name.trim_start_matches('_'))
            })
            .unwrap_or_else(|| panic!("{name} is not in the binary's symbol table"));
        assert!(symbol.is_global(), "{name} is not global");
        assert_eq!(symbol.address() % 64, 0, "{name} at {:#x}", symbol.address());
        let section = file.section_by_index(symbol.section_index().unwrap()).unwrap();
        assert!(tools::executable(&section), "{name} is in {:?}", section.name());
        let want = generate(kernel.spec()).unwrap().code;
        let start = (symbol.address() - section.address()) as usize;
        let bytes = section.data().unwrap();
        assert_eq!(&bytes[start..start + want.len()], &want[..], "{name}: bytes in the file");
        assert_eq!(kernel.code().bytes(), &want[..], "{name}: bytes in memory");
        // The registry's entry is the symbol: one load bias for every kernel.
        let bias = kernel.code().entry() as u64 - symbol.address();
        assert_eq!(*load_bias.get_or_insert(bias), bias, "{name} is not where its symbol is");
    }
}
