//! Fixed-shift permute kernels against the kernel that takes the shift at run time
//! (`trinity_emit::kernels::permute_by`) at D = 10000, both layouts, a shift of each class,
//! each called through its runtime wrapper (the run-time one reduces the shift with
//! `rem_euclid` first), timed in alternating batches, fastest batch of each. Prints both and
//! their ratio.
//!
//! `cargo bench --bench permute_by`

use std::hint::black_box;
use trinity::emit::kernels::permute_by::{generate_permute_by, PermuteBySpec};
use trinity::emit::kernels::{generate, KernelSpec, Layout, Tier};
use trinity::runtime::exec::call::{PermuteByKernel, UnaryKernel};
use trinity::runtime::exec::Arena;
use trinity::runtime::tune::fastest_of;
use trinity::runtime::{BitVector, DenseVector};

const DIM: usize = 10000;
const SHIFTS: [i64; 5] = [1, 64, 4096, 4321, 9999];

fn bench<T: Copy + Default>(arena: &Arena, layout: Layout, v: &[T]) {
    let n = v.len();
    let spec = PermuteBySpec::new(layout, DIM as u32, Tier::Avx2);
    let code = arena.add(&generate_permute_by(&spec).unwrap().code).unwrap();
    // SAFETY: trinity-emit generated the code for `spec` (System V, AVX2, which main checked),
    // over `n` elements per operand.
    let by = unsafe { PermuteByKernel::<T>::new(code, n, DIM as u32) };
    let mut out = vec![T::default(); n];
    for shift in SHIFTS {
        let spec = KernelSpec::permute(layout, DIM as u32, Tier::Avx2, shift);
        let code = arena.add(&generate(&spec).unwrap().code).unwrap();
        // SAFETY: as above, for the fixed-shift kernel of `spec`.
        let fixed = unsafe { UnaryKernel::<T>::new(code, n) };
        let out = std::cell::RefCell::new(&mut out);
        let t = fastest_of(
            200,
            2000,
            &mut [
                &mut || fixed.call(black_box(&mut out.borrow_mut()), black_box(v)).unwrap(),
                &mut || by.call(black_box(&mut out.borrow_mut()), black_box(v), shift).unwrap(),
            ],
        );
        println!(
            "{:<6} {shift:>5} {:>9.1} {:>9.1} {:>6.2}",
            layout.name(),
            t[0],
            t[1],
            t[1] / t[0]
        );
    }
}

fn main() {
    if !cfg!(target_arch = "x86_64") || !std::is_x86_feature_detected!("avx2") {
        println!("skipping: the AVX2 kernels cannot run on this CPU");
        return;
    }
    let arena = Arena::new();
    let v = DenseVector::random(DIM, 1).unwrap();
    println!("layout shift  fixed ns  by ns     by/fixed (fastest of 200 batches, D = {DIM})");
    bench(&arena, Layout::Dense, v.as_slice());
    bench(&arena, Layout::Bits, BitVector::from(&v).words());
}
