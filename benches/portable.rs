//! The portable fallback against the plain Rust loops a user would write, at D = 10000: each
//! plain loop built for the baseline target and, on x86-64 CPUs with AVX2, built for AVX2 too
//! (`#[target_feature]`), timed in alternating batches with the portable function, fastest
//! batch of each (as `min_ratio` does). The portable functions pick their AVX2 build at run
//! time where the CPU has it, so on such a CPU the AVX2 plain loop is their yardstick, and the
//! baseline one shows what the baseline build alone would give.
//!
//! `cargo bench --bench portable`; `TRINITY_PORTABLE=baseline cargo bench --bench portable`
//! times the portable functions' baseline builds instead (the last column then compares them
//! with the baseline plain loops).

use std::hint::black_box;
use trinity::runtime::tune::fastest_of;
use trinity::runtime::{portable, BitVector, DenseVector};

/// Race the portable function `p`, the baseline plain loop `q` and, where the CPU has AVX2,
/// the AVX2 plain loop `h`.
fn race_builds(p: &mut dyn FnMut(), q: &mut dyn FnMut(), h: Option<&mut dyn FnMut()>) -> Vec<f64> {
    match h {
        Some(h) => fastest_of(100, 200, &mut [p, q, h]),
        None => fastest_of(100, 200, &mut [p, q]),
    }
}

/// The plain loops, written once and built twice.
macro_rules! plain {
    ($($name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block)*) => {
        mod baseline {
            use trinity::runtime::portable;
            $(pub fn $name($($arg: $ty),*) $(-> $ret)? $body)*
        }
        #[cfg(target_arch = "x86_64")]
        mod avx2 {
            use trinity::runtime::portable;
            $(
                /// # Safety
                /// The CPU must have AVX2.
                #[target_feature(enable = "avx2,popcnt")]
                pub unsafe fn $name($($arg: $ty),*) $(-> $ret)? $body
            )*
        }
    };
}

plain! {
    dense_dot(a: &[i8], b: &[i8]) -> i64 {
        a.iter().zip(b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum::<i32>() as i64
    }
    dense_hamming(a: &[i8], b: &[i8]) -> i64 {
        a.iter().zip(b).filter(|(x, y)| x != y).count() as i64
    }
    dense_bind(out: &mut [i8], a: &[i8], b: &[i8]) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = x * y;
        }
    }
    dense_bundle(out: &mut [i8], a: &[i8], b: &[i8]) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = (x + y).signum();
        }
    }
    dense_cosine(a: &[i8], b: &[i8]) -> f64 {
        let (mut ab, mut aa, mut bb) = (0i32, 0i32, 0i32);
        for (&x, &y) in a.iter().zip(b) {
            let (x, y) = (i32::from(x), i32::from(y));
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        portable::cosine_from_sums(ab.into(), aa.into(), bb.into())
    }
    bits_hamming(a: &[u64], b: &[u64]) -> i64 {
        let w = a.len() / 2;
        let mut sum = 0i64;
        for i in 0..w {
            sum += i64::from(((a[i] ^ b[i]) | (a[w + i] ^ b[w + i])).count_ones());
        }
        sum
    }
    bits_cosine(a: &[u64], b: &[u64]) -> f64 {
        let w = a.len() / 2;
        let (mut ab, mut aa, mut bb) = (0i64, 0i64, 0i64);
        for i in 0..w {
            let (ap, am, bp, bm) = (a[i], a[w + i], b[i], b[w + i]);
            ab += i64::from(((ap & bp) | (am & bm)).count_ones());
            ab -= i64::from(((ap & bm) | (am & bp)).count_ones());
            aa += i64::from((ap | am).count_ones());
            bb += i64::from((bp | bm).count_ones());
        }
        portable::cosine_from_sums(ab, aa, bb)
    }
    bits_bundle(out: &mut [u64], a: &[u64], b: &[u64]) {
        let w = a.len() / 2;
        for i in 0..w {
            let (plus, minus) = (a[i] | b[i], a[w + i] | b[w + i]);
            out[i] = plus & !minus;
            out[w + i] = minus & !plus;
        }
    }
    bits_dot(a: &[u64], b: &[u64]) -> i64 {
        let w = a.len() / 2;
        let mut sum = 0i64;
        for i in 0..w {
            let (ap, am, bp, bm) = (a[i], a[w + i], b[i], b[w + i]);
            sum += i64::from(((ap & bp) | (am & bm)).count_ones());
            sum -= i64::from(((ap & bm) | (am & bp)).count_ones());
        }
        sum
    }
    dense_permute(out: &mut [i8], v: &[i8], k: usize) {
        // What clippy steers a user to: two slice copies.
        let d = v.len();
        out[k..].copy_from_slice(&v[..d - k]);
        out[..k].copy_from_slice(&v[d - k..]);
    }
    bits_permute(out: &mut [u64], v: &[u64], dim: usize, k: usize) {
        let w = v.len() / 2;
        let (q, r) = (k / 64, k % 64);
        let (p, t) = ((dim - k) / 64, (dim - k) % 64);
        for plane in 0..2 {
            let s = &v[plane * w..(plane + 1) * w];
            for i in 0..w {
                let mut x = 0;
                if i >= q {
                    x |= s[i - q] << r;
                    if r > 0 && i > q {
                        x |= s[i - q - 1] >> (64 - r);
                    }
                }
                if k > 0 && i + p < w {
                    x |= s[i + p] >> t;
                    if t > 0 && i + p + 1 < w {
                        x |= s[i + p + 1] << (64 - t);
                    }
                }
                out[plane * w + i] = x;
            }
            if dim % 64 != 0 {
                out[plane * w + w - 1] &= (1 << (dim % 64)) - 1;
            }
        }
    }
    bits_bind(out: &mut [u64], a: &[u64], b: &[u64]) {
        let w = a.len() / 2;
        for i in 0..w {
            let (ap, am, bp, bm) = (a[i], a[w + i], b[i], b[w + i]);
            out[i] = (ap & bp) | (am & bm);
            out[w + i] = (ap & bm) | (am & bp);
        }
    }
}

fn main() {
    let dim = 10_000;
    let (da, db) = (DenseVector::random(dim, 1).unwrap(), DenseVector::random(dim, 2).unwrap());
    let (ba, bb) = (BitVector::from(&da), BitVector::from(&db));
    let (a, b) = (da.as_slice(), db.as_slice());
    let (wa, wb) = (ba.words(), bb.words());
    let host = cfg!(target_arch = "x86_64")
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("popcnt");
    let baseline_builds = std::env::var_os("TRINITY_PORTABLE").is_some_and(|v| v == "baseline");
    let same = if host && !baseline_builds { "AVX2" } else { "baseline" };
    println!(
        "D = {dim}; ns per call, fastest of 100 alternating batches; AVX2 plain loops: {host}; \
         portable builds: {same}"
    );
    println!("| op | portable | plain (baseline) | plain (AVX2) | portable / plain ({same}) |");
    println!("|---|---|---|---|---|");
    let mut out8 = vec![0i8; dim];
    let mut out64 = vec![0u64; wa.len()];
    let row = |name: &str, t: Vec<f64>| {
        let yardstick = if same == "AVX2" { t[2] } else { t[1] };
        let ratio = format!("{:.2}", t[0] / yardstick);
        let host = t.get(2).map_or("-".to_string(), |h| format!("{h:.0}"));
        println!("| {name} | {:.0} | {:.0} | {host} | {ratio} |", t[0], t[1]);
    };
    macro_rules! reduce {
        ($name:ident, $x:expr, $y:expr) => {{
            assert_eq!(portable::$name($x, $y), baseline::$name($x, $y));
            let mut p = || {
                black_box(portable::$name(black_box($x), black_box($y)));
            };
            let mut q = || {
                black_box(baseline::$name(black_box($x), black_box($y)));
            };
            #[cfg(target_arch = "x86_64")]
            // SAFETY: only called when `host` says the CPU has AVX2 and POPCNT.
            let mut h = || {
                black_box(unsafe { avx2::$name(black_box($x), black_box($y)) });
            };
            #[cfg(target_arch = "x86_64")]
            let h: Option<&mut dyn FnMut()> = host.then_some(&mut h);
            #[cfg(not(target_arch = "x86_64"))]
            let h = None;
            row(stringify!($name), race_builds(&mut p, &mut q, h));
        }};
    }
    macro_rules! map {
        ($name:ident, $out:expr $(, $arg:expr)*) => {{
            let mut want = $out.clone();
            baseline::$name(&mut want $(, $arg)*);
            portable::$name(&mut $out $(, $arg)*);
            assert_eq!($out, want);
            let t = {
                let out = std::cell::RefCell::new(&mut $out);
                let mut p = || portable::$name(black_box(&mut out.borrow_mut()[..]) $(, $arg)*);
                let mut q = || baseline::$name(black_box(&mut out.borrow_mut()[..]) $(, $arg)*);
                #[cfg(target_arch = "x86_64")]
                // SAFETY: only called when `host` says the CPU has AVX2 and POPCNT.
                let mut h =
                    || unsafe { avx2::$name(black_box(&mut out.borrow_mut()[..]) $(, $arg)*) };
                #[cfg(target_arch = "x86_64")]
                let h: Option<&mut dyn FnMut()> = host.then_some(&mut h);
                #[cfg(not(target_arch = "x86_64"))]
                let h = None;
                race_builds(&mut p, &mut q, h)
            };
            row(stringify!($name), t);
        }};
    }
    reduce!(dense_dot, a, b);
    reduce!(dense_hamming, a, b);
    map!(dense_bind, out8, a, b);
    map!(dense_bundle, out8, a, b);
    reduce!(dense_cosine, a, b);
    reduce!(bits_dot, wa, wb);
    reduce!(bits_hamming, wa, wb);
    reduce!(bits_cosine, wa, wb);
    map!(bits_bind, out64, wa, wb);
    map!(bits_bundle, out64, wa, wb);
    // An odd shift: every output word takes bits from two source words in each half.
    let k = 3_333;
    map!(dense_permute, out8, a, k);
    map!(bits_permute, out64, wa, dim, k);
}
