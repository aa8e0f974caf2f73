//! Encoding speed of the AArch64 encoder: a mixed 1000-instruction sequence (loads with
//! post-index, NEON arithmetic and reductions, general-purpose arithmetic, branches to labels)
//! encoded and finished, in instructions per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use trinity_emit::aarch64::{self as a64, neon, *};
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
        a.neon3(&neon::AND, V4.b16(), V1.b16(), V3.b16())?;
        a.neon3(&neon::EOR, V5.b16(), V2.b16(), V3.b16())?;
        a.neon2(&neon::CNT, V4.b16(), V4.b16())?;
        a.neon2(&neon::CNT, V5.b16(), V5.b16())?;
        a.neon2(&neon::UADALP, V6.h8(), V4.b16())?;
        a.neon2(&neon::UADALP, V7.h8(), V5.b16())?;
        a.neon3(&neon::SDOT, V8.s4(), V1.b16(), V2.b16())?;
        a.neon3(&neon::MUL, V9.b16(), V1.b16(), V2.b16())?;
        a.neon3(&neon::ADD, V10.b16(), V10.b16(), V9.b16())?;
        a.neon_across(&neon::UADDLV, V11.scalar(Size::S), V6.h8())?;
        a.umov(Rt::W(W2), V11.elem(Size::S, 0))?;
        a.arith(&a64::ADD, X3, X3, X2, Shift::Lsl, 0)?;
        a.logic(&a64::EOR, X4, X4, X3, Shift::Lsr, 7)?;
        a.madd(X5, X3, X4, X5);
        a.subs_imm(X6, XSp::try_from(X6)?, 1)?;
        a.csel(X7, X5, X4, Cond::Gt);
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
