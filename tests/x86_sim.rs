//! The x86-64 simulator (trinity-testkit) against the hardware and the reference: a sample of every
//! AVX2 kernel family (pair ops in both layouts, permute shifts, scan blocks, n-way bundles) runs
//! in the simulator under the `avx2` tier's features, each operand an exact region (so any byte
//! read or written outside the contract is an error), and its results must equal the reference
//! (`trinity_testkit::reference`) and, where this CPU has AVX2, the same kernel run natively. The
//! simulator must also report an operand one element short and an instruction outside the allowed
//! features.

use iced_x86::CpuidFeature;
use trinity_emit::kernels::bundle::{generate_bundle, BundleSpec};
use trinity_emit::kernels::scan::{generate_scan, ScanMetric, ScanSpec, QUERY_BLOCKS};
use trinity_emit::kernels::{generate, Kernel, KernelSpec, Layout, Op, Signature, Tier};
use trinity_runtime::{reference, DenseVector};
use trinity_testkit::cases::{self, operand};
use trinity_testkit::native::Native;
use trinity_testkit::reference::{expected, Output};
use trinity_testkit::x86_sim::{Features, MemError, Outcome, SimError, Simulator};

const DIMS: [usize; 12] = [1, 7, 63, 64, 65, 100, 255, 256, 257, 1000, 1023, 10000];

fn sim() -> Simulator {
    Simulator::new(Features::avx2_tier())
}

fn pair_kernel(spec: KernelSpec) -> Kernel {
    generate(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// Run a pair kernel in the simulator: a and b read-only, the output (if any) writable and
/// filled with garbage.
fn simulate(k: &Kernel, a: &[u8], b: &[u8]) -> Result<Output, SimError> {
    let mut sim = sim();
    let pa = sim.memory.place(a.to_vec(), false);
    let pb = sim.memory.place(b.to_vec(), false);
    let bytes = k.spec.layout.operand_bytes(k.spec.dim);
    Ok(match k.spec.op.signature() {
        Signature::Reduce => Output::Int(sim.call(&k.code, &[pa, pb])?.rax as i64),
        Signature::ReduceF64 => Output::Float(sim.call(&k.code, &[pa, pb])?.xmm0_f64().to_bits()),
        Signature::Binary => {
            let out = sim.memory.place(vec![0x5a; bytes], true);
            output(&sim.call(&k.code, &[out, pa, pb])?, out)
        }
        Signature::Unary => {
            let out = sim.memory.place(vec![0x5a; bytes], true);
            output(&sim.call(&k.code, &[out, pa])?, out)
        }
    })
}

fn output(outcome: &Outcome, address: u64) -> Output {
    Output::Operand(outcome.memory.region(address).expect("the output region").bytes.clone())
}

/// The reference's answer for a pair kernel.
fn expected_of(spec: &KernelSpec, a: &[u8], b: &[u8]) -> Output {
    let (dim, shift) = (spec.dim as usize, spec.shift as usize);
    expected(spec.op, spec.layout, dim, a, b, shift)
}

/// Pairs of operands per dimension (of [`cases::vectors`]): seeded random, and all -1
/// against all +1.
const PAIRS: [(usize, usize); 2] = [(0, 1), (2, 3)];

fn specs(dim: usize) -> Vec<KernelSpec> {
    let d = dim as u32;
    let mut specs = Vec::new();
    for layout in Layout::ALL {
        for op in Op::ALL {
            if op == Op::Permute {
                let mut shifts: Vec<i64> = vec![0, 1, 63, 64, dim as i64 - 1];
                shifts.iter_mut().for_each(|s| *s = s.rem_euclid(dim as i64));
                shifts.sort();
                shifts.dedup();
                specs.extend(shifts.iter().map(|&s| KernelSpec::permute(layout, d, Tier::Avx2, s)));
            } else {
                specs.push(KernelSpec::new(op, layout, d, Tier::Avx2));
            }
        }
    }
    specs
}

#[test]
fn pair_kernels_match_reference_and_hardware() {
    let native = Native::new(&[Tier::Avx2]);
    let (mut calls, mut steps) = (0, 0u64);
    for dim in DIMS {
        let pairs = cases::pairs(dim, dim as u64, &PAIRS);
        for spec in specs(dim) {
            let k = pair_kernel(spec);
            for (a, b) in &pairs {
                let (ba, bb) = (operand(spec.layout, a), operand(spec.layout, b));
                let got = simulate(&k, &ba, &bb).unwrap_or_else(|e| panic!("{spec}: {e}"));
                assert_eq!(
                    got,
                    expected_of(&spec, &ba, &bb),
                    "{spec}: simulator against the reference"
                );
                if let Some(hw) = native.pair(&k, &ba, &bb) {
                    assert_eq!(got, hw, "{spec}: simulator against the hardware");
                }
                calls += 1;
            }
            steps += sim_steps(
                &k,
                &operand(spec.layout, &pairs[0].0),
                &operand(spec.layout, &pairs[0].1),
            );
        }
    }
    println!("{calls} pair-kernel calls agree ({steps} instructions simulated in the first pairs)");
}

fn sim_steps(k: &Kernel, a: &[u8], b: &[u8]) -> u64 {
    let mut sim = sim();
    let pa = sim.memory.place(a.to_vec(), false);
    let pb = sim.memory.place(b.to_vec(), false);
    let out = sim.memory.place(vec![0; a.len()], true);
    let args = match k.spec.op.signature() {
        Signature::Binary => vec![out, pa, pb],
        Signature::Unary => vec![out, pa],
        _ => vec![pa, pb],
    };
    sim.call(&k.code, &args).map(|o| o.steps).unwrap_or(0)
}

#[test]
fn bind_and_bundle_in_place_match_reference() {
    for dim in [7, 257, 1000] {
        let (a, b) = &cases::pairs(dim, dim as u64, &PAIRS)[0];
        for layout in Layout::ALL {
            for op in [Op::Bind, Op::Bundle] {
                let spec = KernelSpec::new(op, layout, dim as u32, Tier::Avx2);
                let k = pair_kernel(spec);
                let mut sim = sim();
                let (ba, bb) = (operand(layout, a), operand(layout, b));
                let want = expected_of(&spec, &ba, &bb);
                let pa = sim.memory.place(ba, true);
                let pb = sim.memory.place(bb, true);
                for args in [[pa, pa, pb], [pb, pa, pb]] {
                    let got = sim.call(&k.code, &args).unwrap_or_else(|e| panic!("{spec}: {e}"));
                    assert_eq!(output(&got, args[0]), want, "{spec}: out at {:#x}", args[0]);
                }
            }
        }
    }
}

#[test]
fn scan_kernels_match_reference_and_hardware() {
    let native = Native::new(&[Tier::Avx2]);
    let mut calls = 0;
    for dim in [1, 63, 65, 257, 1000, 10000] {
        for layout in Layout::ALL {
            let records: Vec<Vec<u8>> =
                cases::records(dim, 5, dim as u64).iter().map(|v| operand(layout, v)).collect();
            let pool: Vec<Vec<u8>> =
                cases::query_pool(dim, dim as u64).iter().map(|v| operand(layout, v)).collect();
            let stride = cases::stride(layout, dim);
            let image = cases::image(&records, stride);
            for metric in ScanMetric::ALL {
                // One bitsliced query also in the form for records streaming from memory.
                let forms = QUERY_BLOCKS
                    .map(|q| (q, false))
                    .into_iter()
                    .chain((layout == Layout::Bits).then_some((1, true)));
                for (q, streaming) in forms {
                    let spec = ScanSpec {
                        streaming,
                        ..ScanSpec::new(metric, layout, dim as u32, Tier::Avx2, q)
                    };
                    let k = generate_scan(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
                    let queries = &pool[..q as usize];
                    let qimage = cases::image(queries, stride);
                    let want = cases::scan_scores(metric, layout, &records, queries);
                    let mut sim = sim();
                    let pr = sim.memory.place(image.clone(), false);
                    let pq = sim.memory.place(qimage.clone(), false);
                    let ps = sim.memory.place(vec![0xa5; 4 * want.len()], true);
                    let n = records.len() as u64;
                    let out = sim
                        .call(&k.code, &[pr, stride as u64, n, pq, ps])
                        .unwrap_or_else(|e| panic!("{spec}: {e}"));
                    let got: Vec<i32> = out
                        .memory
                        .region(ps)
                        .unwrap()
                        .bytes
                        .chunks(4)
                        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
                        .collect();
                    assert_eq!(got, want, "{spec}: simulator against the reference");
                    if let Some(hw) = native.scan(&k, &image, stride, records.len(), &qimage) {
                        assert_eq!(got, hw, "{spec}: simulator against the hardware");
                    }
                    calls += 1;
                }
            }
        }
    }
    println!("{calls} scan-kernel calls agree");
}

#[test]
fn bundle_kernels_match_reference_and_hardware() {
    let native = Native::new(&[Tier::Avx2]);
    let mut calls = 0;
    for dim in [1, 63, 64, 65, 257, 1000, 10000] {
        let pool = cases::records(dim, 7, dim as u64 ^ 0xb0b);
        for layout in Layout::ALL {
            let spec = BundleSpec::new(layout, dim as u32, Tier::Avx2);
            let k = generate_bundle(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
            let bytes: Vec<Vec<u8>> = pool.iter().map(|v| operand(layout, v)).collect();
            for n in [0usize, 1, 2, 3, 16, 130] {
                let picks: Vec<usize> = (0..n).map(|i| (i * 3 + n) % pool.len()).collect();
                let want = if n == 0 {
                    vec![0; dim]
                } else {
                    let chosen: Vec<&DenseVector> = picks.iter().map(|&i| &pool[i]).collect();
                    reference::bundle_n(&chosen).unwrap()
                };
                let want = operand(layout, &DenseVector::new(want).unwrap());
                let mut sim = sim();
                let placed: Vec<u64> =
                    bytes.iter().map(|b| sim.memory.place(b.clone(), false)).collect();
                let pointers: Vec<u8> =
                    picks.iter().flat_map(|&i| placed[i].to_le_bytes()).collect();
                let pv = sim.memory.place(pointers, false);
                let out = sim.memory.place(vec![0x5a; want.len()], true);
                let got = sim
                    .call(&k.code, &[pv, n as u64, out])
                    .unwrap_or_else(|e| panic!("{spec}, n = {n}: {e}"));
                let got = got.memory.region(out).unwrap().bytes.clone();
                assert_eq!(got, want, "{spec}, n = {n}: simulator against the reference");
                let operands: Vec<&[u8]> = picks.iter().map(|&i| &bytes[i][..]).collect();
                if let Some(hw) = native.bundle(&k, &operands) {
                    assert_eq!(got, hw, "{spec}, n = {n}: simulator against the hardware");
                }
                calls += 1;
            }
        }
    }
    println!("{calls} bundle_n calls agree");
}

/// An operand one element short: the kernel's first access past it is reported with its
/// address and size, for loads (an input) and stores (the output).
#[test]
fn an_operand_one_element_short_is_out_of_region() {
    for (op, layout, dim) in [
        (Op::Dot, Layout::Dense, 100),
        (Op::Bind, Layout::Dense, 1000),
        (Op::Hamming, Layout::Bits, 1000),
        (Op::Bundle, Layout::Bits, 65),
    ] {
        let spec = KernelSpec::new(op, layout, dim, Tier::Avx2);
        let k = pair_kernel(spec);
        let element = match layout {
            Layout::Dense => 1,
            Layout::Bits => 8,
        };
        let bytes = layout.operand_bytes(dim);
        let (a, b) = &cases::pairs(dim as usize, dim as u64, &PAIRS)[0];
        let full = operand(layout, b);
        let short = full[..bytes - element].to_vec();
        // The short operand is b for a reduction, out for a binary op.
        let mut sim = sim();
        let pa = sim.memory.place(operand(layout, a), false);
        let (args, short_at, write) = if op.signature() == Signature::Binary {
            let pb = sim.memory.place(full, false);
            let out = sim.memory.place(vec![0; bytes - element], true);
            (vec![out, pa, pb], out, true)
        } else {
            let pb = sim.memory.place(short, false);
            (vec![pa, pb], pb, false)
        };
        match sim.call(&k.code, &args) {
            Err(SimError::Memory {
                error: MemError::OutOfRegion { address, size, write: w },
                offset,
                text,
            }) => {
                assert_eq!(w, write, "{spec}: {text}");
                let end = short_at + (bytes - element) as u64;
                assert!(
                    address < end + element as u64 && address + size as u64 > end,
                    "{spec}: {text} at {address:#x}+{size}, region ends at {end:#x}"
                );
                assert!((offset as usize) < k.code.len(), "{spec}: offset {offset}");
            }
            other => panic!("{spec}: expected an out-of-region access, got {other:?}"),
        }
    }
}

#[test]
fn a_kernel_outside_the_allowed_features_is_refused() {
    let k = pair_kernel(KernelSpec::new(Op::Dot, Layout::Dense, 1000, Tier::Avx2));
    let mut sim = Simulator::new(Features::avx2_tier().without([CpuidFeature::AVX2]));
    let a = sim.memory.place(vec![1; 1000], false);
    match sim.call(&k.code, &[a, a]) {
        Err(SimError::Feature { missing, text, .. }) => {
            assert_eq!(missing, [CpuidFeature::AVX2], "{text}")
        }
        other => panic!("expected a feature error, got {other:?}"),
    }
}
