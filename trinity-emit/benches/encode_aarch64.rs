//! Encoding speed of the AArch64 encoder: a mixed 1000-instruction sequence (loads with
//! post-index, NEON arithmetic and reductions, general-purpose arithmetic, branches to labels)
//! encoded and finished, in instructions per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use trinity_emit::aarch64::*;
use trinity_emit::EmitError;

/// 1000 instructions: 50 rounds of a 20-instruction loop body.
fn encode(base: X) -> Result<Vec<u8>, EmitError> {
    let mut a = Assembler::new();
    let src = XSp::try_from(base)?;
    for _ in 0..50 {
        let top = a.new_label();
        a.bind(top)?;
        a.ld1(&[V1.b16(), V2.b16()], Addr::post(src, 32))?;
        a.ldr(V3.q(), Addr::post(XSp::try_from(X1)?, 16))?;
        a.and(V4.b16(), V1.b16(), V3.b16())?;
        a.eor(V5.b16(), V2.b16(), V3.b16())?;
        a.cnt(V4.b16(), V4.b16())?;
        a.cnt(V5.b16(), V5.b16())?;
        a.uadalp(V6.h8(), V4.b16())?;
        a.uadalp(V7.h8(), V5.b16())?;
        a.sdot(V8.s4(), V1.b16(), V2.b16())?;
        a.mul(V9.b16(), V1.b16(), V2.b16())?;
        a.add(V10.b16(), V10.b16(), V9.b16())?;
        a.uaddlv(V11.scalar(Size::S), V6.h8())?;
        a.umov(W2, V11.elem(Size::S, 0))?;
        a.add(X3, X3, X2)?;
        a.eor(X4, X4, X3.lsr(7))?;
        a.madd(X5, X3, X4, X5)?;
        a.subs(X6, XSp::try_from(X6)?, 1)?;
        a.csel(X7, X5, X4, Cond::Gt)?;
        a.b_cond(Cond::Ne, top)?;
        a.str(X7, Addr::offset(SP, 8))?;
    }
    a.finish()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode_aarch64");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("mixed_1000", |b| b.iter(|| encode(black_box(X0)).unwrap()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
