//! Encoding speed of the x86-64 encoder: a mixed 1000-instruction sequence (general-purpose,
//! memory operands, AVX2, branches to labels) encoded and finished, in instructions per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use trinity_emit::x86_64::{Assembler, Cond, Gpr64::*, Mem, Ymm::*};
use trinity_emit::EmitError;

/// 1000 instructions: 50 rounds of a 20-instruction loop body.
fn encode(base: trinity_emit::x86_64::Gpr64) -> Result<Vec<u8>, EmitError> {
    let mut a = Assembler::new();
    for _ in 0..50 {
        let top = a.new_label();
        a.bind(top)?;
        a.vmovdqu(Y1, Mem::base(base).index(Rax, 1))?;
        a.vmovdqu(Y2, Mem::base(Rsi).index(Rax, 1).disp(32))?;
        a.vpsignb(Y3, Y1, Y2)?;
        a.vpabsb(Y4, Y1)?;
        a.vpmaddubsw(Y5, Y4, Y3)?;
        a.vpmaddwd(Y5, Y5, Y15)?;
        a.vpaddd(Y0, Y0, Y5)?;
        a.vpxor(Y6, Y1, Y2)?;
        a.vpshufb(Y7, Y8, Y6)?;
        a.vpsadbw(Y7, Y7, Y9)?;
        a.vpaddq(Y10, Y10, Y7)?;
        a.vpsrlw(Y11, Y6, 4)?;
        a.vpand(Y11, Y11, Mem::base(R12).disp(64))?;
        a.popcnt(Rcx, Mem::base(Rdi).index(Rax, 8))?;
        a.add(Rdx, Rcx)?;
        a.add(Rax, 64)?;
        a.cmp(Rax, R8)?;
        a.jcc(Cond::B, top)?;
        a.lea(R9, Mem::base(R13).index(Rax, 4).disp(-8))?;
        a.vzeroupper()?;
    }
    a.finish()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode_x86_64");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("mixed_1000", |b| b.iter(|| encode(black_box(Rdi)).unwrap()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
