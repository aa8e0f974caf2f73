//! The x86-64 simulator's AVX-512 (EVEX) semantics, on snippets llvm-mc assembles, against
//! results computed here from the SDM's definitions: each snippet runs on random registers
//! and its destination is compared element by element with the formula (vpternlog's truth
//! table evaluated bit by bit, vpopcnt by `count_ones`, masking and zeroing per element, fault
//! suppression of masked-off bytes at the end of a region).
//!
//! On a CPU with AVX-512 F, BW, VL, VPOPCNTDQ and BITALG every register snippet also runs
//! natively from the same registers, and the simulator's final zmm0..zmm31 and k0..k7 must
//! equal the CPU's; elsewhere that cross-check prints that it skipped.

use trinity_testkit::tools;

use iced_x86::CpuidFeature;
use trinity_testkit::x86_sim::{Features, Machine, MemError, SimError, Simulator, DATA_BASE};

const MATTR: &str = "-mattr=+avx512f,+avx512bw,+avx512vl,+avx512vpopcntdq,+avx512bitalg";

/// The snippet's machine code followed by `ret`, or `None` when llvm-mc is missing.
fn assemble(lines: &[&str]) -> Option<Vec<u8>> {
    let mc = tools::llvm_mc()?;
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let args = ["-triple=x86_64", MATTR, "-x86-asm-syntax=intel"];
    let mut code: Vec<u8> = tools::assemble(&mc, &args, &lines).concat();
    code.push(0xc3);
    Some(code)
}

/// SplitMix64, for register contents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn zmm(&mut self) -> [u8; 64] {
        std::array::from_fn(|_| self.next() as u8)
    }
}

/// Run `code` on a machine whose zmm1..zmm7 and k1..k7 are random (seeded), with `sim`'s
/// memory; return the machine before and after.
fn run_with(sim: &Simulator, code: &[u8], seed: u64) -> Result<(Machine, Machine), SimError> {
    let mut m = sim.machine(code)?;
    let mut rng = Rng(seed);
    for r in 1..8 {
        m.zmm[r] = rng.zmm();
        m.k[r] = rng.next();
    }
    let before = m.clone();
    m.run(1000)?;
    Ok((before, m))
}

fn run(code: &[u8], seed: u64) -> (Machine, Machine) {
    let sim = Simulator::new(Features::avx512_tier());
    let (before, after) = run_with(&sim, code, seed).unwrap_or_else(|e| panic!("{e}"));
    native::check(code, &before, &after);
    (before, after)
}

fn elem(v: &[u8], e: usize, w: usize) -> u64 {
    let mut b = [0u8; 8];
    b[..w].copy_from_slice(&v[e * w..e * w + w]);
    u64::from_le_bytes(b)
}

/// The destination the SDM defines: `f(element)` where k1 has the bit, else the old element
/// (merging) or zero (`{z}`); zero above `vl` bytes.
fn masked(
    before: &Machine,
    dst: usize,
    vl: usize,
    w: usize,
    zeroing: bool,
    f: impl Fn(usize) -> u64,
) -> [u8; 64] {
    let mut out = [0u8; 64];
    for e in 0..vl / w {
        let v = if before.k[1] >> e & 1 == 1 {
            f(e)
        } else if zeroing {
            0
        } else {
            elem(&before.zmm[dst], e, w)
        };
        out[e * w..e * w + w].copy_from_slice(&v.to_le_bytes()[..w]);
    }
    out
}

#[test]
fn vpternlog_follows_its_truth_table_bit_by_bit() {
    for imm in [0x00u8, 0x96, 0xe8, 0xca, 0xfe, 0x01, 0x5a, 0x3c] {
        for (w, name) in [(8, "q"), (4, "d")] {
            for zeroing in [false, true] {
                let z = if zeroing { " {z}" } else { "" };
                let line = format!("vpternlog{name} zmm1 {{k1}}{z}, zmm2, zmm3, {imm}");
                let Some(code) = assemble(&[&line]) else { return };
                let (b, a) = run(&code, u64::from(imm));
                let bit = |v: &[u8; 64], i: usize| v[i / 8] >> (i % 8) & 1;
                let want = masked(&b, 1, 64, w, zeroing, |e| {
                    (0..8 * w).fold(0, |r, j| {
                        let i = 8 * w * e + j;
                        let row =
                            bit(&b.zmm[1], i) << 2 | bit(&b.zmm[2], i) << 1 | bit(&b.zmm[3], i);
                        r | u64::from(imm >> row & 1) << j
                    })
                });
                assert_eq!(a.zmm[1], want, "{line}");
            }
        }
    }
}

#[test]
fn vpopcnt_counts_ones_per_element() {
    for (w, name) in [(1, "b"), (2, "w"), (4, "d"), (8, "q")] {
        for (vl, reg) in [(64, "zmm"), (32, "ymm"), (16, "xmm")] {
            let line = format!("vpopcnt{name} {reg}1 {{k1}}, {reg}2");
            let Some(code) = assemble(&[&line]) else { return };
            let (b, a) = run(&code, w as u64 * 7 + vl as u64);
            let want =
                masked(&b, 1, vl, w, false, |e| u64::from(elem(&b.zmm[2], e, w).count_ones()));
            assert_eq!(a.zmm[1], want, "{line}");
        }
    }
}

/// Lane-wise arithmetic, with merging, zeroing and none.
#[test]
fn lane_ops_mask_merge_and_zero() {
    type F = fn(u64, u64, u32) -> u64;
    let sx = |v: u64, bits: u32| ((v << (64 - bits)) as i64) >> (64 - bits);
    let cases: [(&str, usize, F); 8] = [
        ("vpaddb", 1, |a, b, _| a.wrapping_add(b)),
        ("vpaddq", 8, |a, b, _| a.wrapping_add(b)),
        ("vpsubb", 1, |a, b, _| a.wrapping_sub(b)),
        ("vpsubq", 8, |a, b, _| a.wrapping_sub(b)),
        ("vpandd", 4, |a, b, _| a & b),
        ("vpandnq", 8, |a, b, _| !a & b),
        ("vpord", 4, |a, b, _| a | b),
        ("vpxorq", 8, |a, b, _| a ^ b),
    ];
    for (name, w, f) in cases {
        for (mask, zeroing) in [(" {k1}", false), (" {k1} {z}", true), ("", false)] {
            for (vl, reg) in [(64, "zmm"), (32, "ymm")] {
                let line = format!("{name} {reg}1{mask}, {reg}2, {reg}3");
                let Some(code) = assemble(&[&line]) else { return };
                let (mut b, a) = run(&code, w as u64 + vl as u64);
                if mask.is_empty() {
                    b.k[1] = u64::MAX;
                }
                let bits = 8 * w as u32;
                let want = masked(&b, 1, vl, w, zeroing, |e| {
                    f(elem(&b.zmm[2], e, w), elem(&b.zmm[3], e, w), bits)
                });
                assert_eq!(a.zmm[1], want, "{line}");
            }
        }
    }
    // vpabsb: |x| of the signed byte.
    let Some(code) = assemble(&["vpabsb zmm1 {k1} {z}, zmm2"]) else { return };
    let (b, a) = run(&code, 3);
    let want = masked(&b, 1, 64, 1, true, |e| sx(elem(&b.zmm[2], e, 1), 8).unsigned_abs());
    assert_eq!(a.zmm[1], want, "vpabsb");
}

/// vpsadbw, vpmaddubsw, vpmaddwd and vpshufb at 512 bits, from their SDM definitions.
#[test]
fn block_ops_at_512_bits() {
    let Some(code) = assemble(&[
        "vpsadbw zmm1, zmm2, zmm3",
        "vpmaddubsw zmm4 {k1}, zmm2, zmm3",
        "vpmaddwd zmm5 {k1} {z}, zmm2, zmm3",
        "vpshufb zmm6 {k1}, zmm2, zmm3",
    ]) else {
        return;
    };
    let (b, a) = run(&code, 99);
    let (x, y) = (&b.zmm[2], &b.zmm[3]);
    let mut b1 = b.clone();
    b1.k[1] = u64::MAX;
    let sad = masked(&b1, 1, 64, 8, false, |e| {
        (0..8).map(|j| u64::from(x[8 * e + j].abs_diff(y[8 * e + j]))).sum()
    });
    assert_eq!(a.zmm[1], sad, "vpsadbw");
    let maddubs = masked(&b, 4, 64, 2, false, |e| {
        let p = |k: usize| i64::from(x[k]) * i64::from(y[k] as i8);
        (p(2 * e) + p(2 * e + 1)).clamp(-32768, 32767) as u64
    });
    assert_eq!(a.zmm[4], maddubs, "vpmaddubsw");
    let madd = masked(&b, 5, 64, 4, true, |e| {
        let word = |v: &[u8; 64], k: usize| i64::from(i16::from_le_bytes([v[2 * k], v[2 * k + 1]]));
        (word(x, 2 * e) * word(y, 2 * e) + word(x, 2 * e + 1) * word(y, 2 * e + 1)) as u64
    });
    assert_eq!(a.zmm[5], madd, "vpmaddwd");
    let shuf = masked(&b, 6, 64, 1, false, |e| {
        let sel = y[e];
        if sel & 0x80 != 0 {
            0
        } else {
            u64::from(x[e / 16 * 16 + usize::from(sel & 15)])
        }
    });
    assert_eq!(a.zmm[6], shuf, "vpshufb");
}

/// Compares into k (masked by k1), kortest's flags, vpmovb2m and vpmovm2b, vpblendmb.
#[test]
fn compares_and_mask_registers() {
    let Some(code) = assemble(&[
        "vpcmpeqb k2 {k1}, zmm2, zmm3",
        "vpcmpub k3, zmm2, zmm3, 1",
        "vpcmpb k4, zmm2, zmm3, 6",
        "vpmovb2m k5, zmm2",
        "vpmovm2b zmm4, k3",
        "vpblendmb zmm5 {k1}, zmm2, zmm3",
        "kandq k6, k3, k4",
        "knotq k7, k6",
        "kshiftrq k6, k6, 5",
        "kortestq k5, k5",
    ]) else {
        return;
    };
    let mut sim = Simulator::new(Features::avx512_tier());
    sim.memory.place(vec![0], false);
    let (mut b, _) = run_with(&sim, &code, 5).unwrap();
    // Make some bytes equal so that vpcmpeqb finds some.
    let low: [u8; 32] = b.zmm[2][..32].try_into().unwrap();
    b.zmm[3][..32].copy_from_slice(&low);
    let mut m = b.clone();
    m.run(1000).unwrap();
    native::check(&code, &b, &m);
    let (x, y) = (&b.zmm[2], &b.zmm[3]);
    let bits = |f: &dyn Fn(usize) -> bool| (0..64).fold(0u64, |k, e| k | u64::from(f(e)) << e);
    assert_eq!(m.k[2], bits(&|e| x[e] == y[e]) & b.k[1], "vpcmpeqb");
    assert_eq!(m.k[3], bits(&|e| x[e] < y[e]), "vpcmpub lt");
    assert_eq!(m.k[4], bits(&|e| (x[e] as i8) > (y[e] as i8)), "vpcmpb nle");
    assert_eq!(m.k[5], bits(&|e| x[e] >= 0x80), "vpmovb2m");
    let ones: [u8; 64] = std::array::from_fn(|e| if m.k[3] >> e & 1 == 1 { 0xff } else { 0 });
    assert_eq!(m.zmm[4], ones, "vpmovm2b");
    let blend: [u8; 64] = std::array::from_fn(|e| if b.k[1] >> e & 1 == 1 { y[e] } else { x[e] });
    assert_eq!(m.zmm[5], blend, "vpblendmb");
    assert_eq!(m.k[7], !(m.k[3] & m.k[4]), "knotq of kandq");
    assert_eq!(m.k[6], (m.k[3] & m.k[4]) >> 5, "kshiftrq");
    assert_eq!(m.flags.zf, Some(m.k[5] == 0), "kortestq ZF");
    assert_eq!(m.flags.cf, Some(m.k[5] == u64::MAX), "kortestq CF");
}

/// Cross-lane moves: vpermq by imm8, vextracti64x4/32x4, vinserti64x4, vpbroadcastb/q,
/// vpmovsxbw.
#[test]
fn cross_lane_moves() {
    let Some(code) = assemble(&[
        "vpermq zmm1 {k1}, zmm2, 0x1b",
        "vextracti64x4 ymm3, zmm2, 1",
        "vextracti32x4 xmm4 {k1} {z}, zmm2, 2",
        "vinserti64x4 zmm5, zmm6, ymm7, 1",
        "vpbroadcastb zmm6, xmm2",
        "vpbroadcastq zmm7 {k1} {z}, xmm2",
        "vpmovsxbw zmm0, ymm2",
    ]) else {
        return;
    };
    let (b, a) = run(&code, 11);
    let x = &b.zmm[2];
    let q = |e: usize| elem(x, e, 8);
    assert_eq!(
        a.zmm[1],
        masked(&b, 1, 64, 8, false, |e| q(e / 4 * 4 + (0x1b >> (2 * (e % 4)) & 3))),
        "vpermq"
    );
    let mut hi = [0u8; 64];
    hi[..32].copy_from_slice(&x[32..]);
    assert_eq!(a.zmm[3], hi, "vextracti64x4");
    assert_eq!(a.zmm[4], masked(&b, 4, 16, 4, true, |e| elem(x, 8 + e, 4)), "vextracti32x4");
    let mut ins = b.zmm[6];
    ins[32..].copy_from_slice(&b.zmm[7][..32]);
    assert_eq!(a.zmm[5], ins, "vinserti64x4");
    assert_eq!(a.zmm[6], [x[0]; 64], "vpbroadcastb");
    assert_eq!(a.zmm[7], masked(&b, 7, 64, 8, true, |_| q(0)), "vpbroadcastq");
    let words: [u8; 64] =
        std::array::from_fn(|i| (i64::from(x[i / 2] as i8) >> (8 * (i % 2))) as u8);
    assert_eq!(a.zmm[0], words, "vpmovsxbw");
}

/// A masked load or store at the end of a region touches only the unmasked bytes (fault
/// suppression), so reading 10 bytes with a 10-bit mask is fine, with an 11-bit mask it is not.
#[test]
fn masked_memory_access_touches_only_unmasked_elements() {
    let Some(load) = assemble(&["vmovdqu8 zmm1 {k1} {z}, zmmword ptr [rdi]"]) else { return };
    let Some(store) = assemble(&["vmovdqu8 zmmword ptr [rdi] {k1}, zmm2"]) else { return };
    let data: Vec<u8> = (1..=10).collect();
    for (bits, ok) in [(10, true), (11, false), (0, true)] {
        let mut sim = Simulator::new(Features::avx512_tier());
        let at = sim.memory.place(data.clone(), true);
        assert_eq!(at, DATA_BASE);
        for (code, write) in [(&load, false), (&store, true)] {
            let mut m = sim.machine(code).unwrap();
            m.gpr[7] = at;
            m.k[1] = (1u64 << bits) - 1;
            m.zmm[2] = [0xee; 64];
            match (m.run(10), ok) {
                (Ok(()), true) => {
                    if write {
                        let mut want = data.clone();
                        want[..bits].fill(0xee);
                        assert_eq!(m.memory.region(at).unwrap().bytes, want, "store {bits}");
                    } else {
                        let mut want = [0u8; 64];
                        want[..bits].copy_from_slice(&data[..bits]);
                        assert_eq!(m.zmm[1], want, "load {bits}");
                    }
                }
                (
                    Err(SimError::Memory {
                        error: MemError::OutOfRegion { address, size, write: w },
                        ..
                    }),
                    false,
                ) => {
                    assert_eq!((address, size, w), (at + 10, 1, write), "the 11th byte");
                }
                (r, _) => panic!("{bits}-bit mask, store {write}: {r:?}"),
            }
        }
    }
}

#[test]
fn avx512_instructions_need_their_features() {
    let Some(code) = assemble(&["vpopcntq zmm1, zmm2"]) else { return };
    let sim = Simulator::new(Features::avx512_tier().without([CpuidFeature::AVX512_VPOPCNTDQ]));
    match run_with(&sim, &code, 1) {
        Err(SimError::Feature { missing, .. }) => {
            assert_eq!(missing, [CpuidFeature::AVX512_VPOPCNTDQ])
        }
        other => panic!("expected a feature error, got {other:?}"),
    }
    let sim = Simulator::new(Features::avx2_tier());
    assert!(matches!(run_with(&sim, &code, 1), Err(SimError::Feature { .. })));
}

/// The CPU as the judge of the simulator: a register snippet runs natively between a prologue
/// that loads every zmm and k register from a state block and an epilogue that stores them.
mod native {
    use super::{assemble, Machine};
    use std::sync::OnceLock;
    use trinity_runtime::exec::call::UnaryKernel;
    use trinity_runtime::exec::Arena;

    /// zmm0..zmm31, then k0..k7.
    const STATE: usize = 32 * 64 + 8 * 8;
    const K_AT: usize = 32 * 64;

    /// Whether this CPU has every feature the snippets use; says once why not. System V only:
    /// the wrapper overwrites xmm6-15, which Win64 callers keep.
    fn cpu_has_them() -> bool {
        static HAS: OnceLock<bool> = OnceLock::new();
        *HAS.get_or_init(|| {
            #[cfg(all(target_arch = "x86_64", unix))]
            let has = is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx512vpopcntdq")
                && is_x86_feature_detected!("avx512bitalg");
            #[cfg(not(all(target_arch = "x86_64", unix)))]
            let has = false;
            if !has {
                eprintln!(
                    "native cross-check skipped: this is not an x86-64 Unix CPU with AVX-512 F, \
                     BW, VL, VPOPCNTDQ and BITALG (the simulator is checked against the formulas only)"
                );
            }
            has
        })
    }

    /// Lines loading the state from rsi, or storing it to rdi.
    fn moves(load: bool) -> Vec<String> {
        let zmm = (0..32).map(|r| {
            let at = format!("zmmword ptr [{}{:+}]", if load { "rsi" } else { "rdi" }, 64 * r);
            if load {
                format!("vmovdqu64 zmm{r}, {at}")
            } else {
                format!("vmovdqu64 {at}, zmm{r}")
            }
        });
        let k = (0..8).map(|r| {
            let at = format!("qword ptr [{}{:+}]", if load { "rsi" } else { "rdi" }, K_AT + 8 * r);
            if load {
                format!("kmovq k{r}, {at}")
            } else {
                format!("kmovq {at}, k{r}")
            }
        });
        zmm.chain(k).collect()
    }

    /// Run `code` (a snippet ending in `ret`, with no branches and no memory operands) natively
    /// from `before`'s zmm and k registers and compare them afterwards with `after`'s.
    pub fn check(code: &[u8], before: &Machine, after: &Machine) {
        if !cpu_has_them() {
            return;
        }
        let (Some(load), Some(mut store)) = (
            assemble(&moves(true).iter().map(String::as_str).collect::<Vec<_>>()),
            assemble(&moves(false).iter().map(String::as_str).collect::<Vec<_>>()),
        ) else {
            return;
        };
        // Each piece ends in `ret`: keep only the last one's, behind vzeroupper.
        let mut wrapped = load[..load.len() - 1].to_vec();
        wrapped.extend_from_slice(&code[..code.len() - 1]);
        store.pop();
        wrapped.extend_from_slice(&store);
        wrapped.extend_from_slice(&[0xc5, 0xf8, 0x77, 0xc3]);
        let mut input = vec![0u8; STATE];
        for (r, z) in before.zmm.iter().enumerate() {
            input[64 * r..64 * r + 64].copy_from_slice(z);
        }
        for (r, k) in before.k.iter().enumerate() {
            input[K_AT + 8 * r..K_AT + 8 * r + 8].copy_from_slice(&k.to_le_bytes());
        }
        let arena = Arena::new();
        let placed = arena.add(&wrapped).expect("executable memory for the snippet");
        // SAFETY: the code is the snippet (llvm-mc's bytes for AVX-512 register instructions,
        // which this CPU has) between loads from the `STATE` bytes at rsi and stores to the
        // `STATE` bytes at rdi; it touches no other memory, uses no stack and returns.
        let kernel = unsafe { UnaryKernel::<u8>::new(placed, STATE) };
        let mut output = vec![0u8; STATE];
        kernel.call(&mut output, &input).expect("operands of the state's length");
        for (r, z) in after.zmm.iter().enumerate() {
            assert_eq!(
                &output[64 * r..64 * r + 64],
                z,
                "zmm{r}: the CPU differs from the simulator"
            );
        }
        for (r, &k) in after.k.iter().enumerate() {
            let got =
                u64::from_le_bytes(output[K_AT + 8 * r..K_AT + 8 * r + 8].try_into().unwrap());
            assert_eq!(got, k, "k{r}: the CPU differs from the simulator");
        }
    }
}
