use std::time::Instant;
use trinity_emit::kernels::Layout;
use trinity_runtime::memory::{ScanMetric, Scanner};
use trinity_runtime::{BitVector, ItemMemory, Metric};
fn main() -> trinity_runtime::Result<()> {
    let (n, dim) = (100_000usize, 10_000usize);
    let mut mem = ItemMemory::new(dim)?;
    for seed in 0..n as u64 {
        mem.push(&BitVector::random(dim, seed)?)?;
    }
    let region = mem.region()?;
    let stride = mem.stride();
    let mut qmem = ItemMemory::new(dim)?;
    for s in 0..8 {
        qmem.push(&BitVector::random(dim, 999 + s)?)?;
    }
    for q in [1usize, 8] {
        let sc = Scanner::new(ScanMetric::Dot, Layout::Bits, dim, q)?;
        let mut scores = vec![0i32; n * q];
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            sc.scan(region, stride, n, qmem.region()?, &mut scores)?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "raw scan Q={q} jit={}: {:.1} ms, {:.2} GB/s, {:.1} ns/pair",
            sc.is_jit(),
            best * 1e3,
            region.len() as f64 / best / 1e9,
            best * 1e9 / (n * q) as f64
        );
        // tiled: 64 KiB tiles
        let tile = (64 << 10) / stride;
        let mut best2 = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let mut s = 0;
            while s < n {
                let e = (s + tile).min(n);
                sc.scan(
                    &region[s * stride..e * stride],
                    stride,
                    e - s,
                    qmem.region()?,
                    &mut scores,
                )?;
                s = e;
            }
            best2 = best2.min(t.elapsed().as_secs_f64());
        }
        println!("tiled scan Q={q}: {:.1} ms", best2 * 1e3);
    }
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let qv = BitVector::random(dim, 5)?;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        one.install(|| mem.top_k(&qv, 10, Metric::Dot)).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("top_k 1 thread: {:.1} ms", best * 1e3);
    let words = vec![1u64; region.len() / 8];
    let mut bestr = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let s: u64 = words.iter().fold(0u64, |a, &w| a.wrapping_add(w));
        std::hint::black_box(s);
        bestr = bestr.min(t.elapsed().as_secs_f64());
    }
    println!("read: {:.2} GB/s", region.len() as f64 / bestr / 1e9);
    Ok(())
}
