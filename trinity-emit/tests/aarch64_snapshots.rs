//! Reviewed snapshots of each AArch64 instruction family: offset, bytes and yaxpeax-arm's
//! disassembly, one instruction per line. A change to any emitted byte shows up here.

use trinity_emit::aarch64::*;
use trinity_emit::kernels::Arch;
use trinity_emit::EmitError;
use trinity_testkit::listing::encoded;

fn snapshot(name: &str, f: impl FnOnce(&mut Assembler) -> Result<(), EmitError>) {
    let mut a = Assembler::new();
    f(&mut a).unwrap();
    let code = a.finish().unwrap();
    let listing = |code: &[u8]| encoded(Arch::Aarch64, code, code.len());
    insta::with_settings!({snapshot_path => "../../snapshots/aarch64", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, listing(&code));
    });
}

fn sp(r: X) -> XSp {
    XSp::try_from(r).unwrap()
}

#[test]
fn arithmetic_and_logic() {
    snapshot("arithmetic_and_logic", |a| {
        a.add(SP, SP, 32)?;
        a.sub(sp(X0), sp(X1), 0x1000)?;
        a.subs(W2, WSP, 7)?;
        a.cmp(sp(X3), 4095)?;
        a.add(X0, X1, X2.lsl(3))?;
        a.subs(W4, W5, W6.asr(31))?;
        a.eor(X7, X8, X9.ror(1))?;
        a.bic(W10, W11, W12.lsr(0))?;
        a.and(SP, X0, 0xffff_0000_ffff_0000u64)?;
        a.ands(W1, W2, 0x5555_5555)?;
        a.tst(X3, 1)?;
        a.mov(X4, X5)?;
        a.mov(sp(X29), SP)?;
        a.madd(X0, X1, X2, X3)?;
        a.msub(W4, W5, W6, W7)?;
        a.mul(X8, X9, X10)?;
        a.lsl(X0, X1, 3)?;
        a.lsr(W2, W3, 31)?;
        a.asr(X4, X5, 63)?;
        a.lsr(X6, X7, X8)?;
        a.csel(X0, X1, X2, Cond::Lt)?;
        a.cset(W3, Cond::Eq)?;
        a.cneg(X4, X5, Cond::Mi)?;
        Ok(())
    });
}

#[test]
fn constants() {
    snapshot("constants", |a| {
        a.movz(X0, 0x1234, 16)?;
        a.movk(X0, 0xbeef, 48)?;
        a.movn(W1, 0, 0)?;
        a.mov_imm(X2, 0x0101_0101_0101_0101)?;
        a.mov_imm(X3, 0x1234_5678_9abc_def0)?;
        a.mov_imm(X4, 0xffff_ffff_ffff_1234)?;
        a.mov_imm(X5, 0)?;
        Ok(())
    });
}

#[test]
fn loads_and_stores() {
    snapshot("loads_and_stores", |a| {
        a.ldr(X0, Addr::offset(sp(X1), 8))?;
        a.str(W2, Addr::pre(SP, -16))?;
        a.ldr(V3.q(), Addr::post(sp(X4), 16))?;
        a.str(V5.d(), Addr::reg_scaled(sp(X6), X7))?;
        a.ldr(V8.scalar(Size::S), Addr::reg(sp(X9), X10))?;
        a.ldrb(W11, Addr::offset(sp(X12), 4095))?;
        a.strh(W13, Addr::offset(sp(X14), 2))?;
        a.ldrsb(X15, Addr::post(sp(X16), 1))?;
        a.stp(X29, X30, Addr::pre(SP, -16))?;
        a.ldp(X29, X30, Addr::post(SP, 16))?;
        a.stp(V8.d(), V9.d(), Addr::offset(SP, 16))?;
        a.ldp(V0.q(), V1.q(), Addr::offset(sp(X0), 1008))?;
        a.ld1(&[V0.b16()], Addr::base(sp(X0)))?;
        a.ld1(&[V0.b16(), V1.b16(), V2.b16(), V3.b16()], Addr::post(sp(X0), 64))?;
        a.st1(&[V30.d2(), V31.d2(), V0.d2()], Addr::reg(sp(X1), X2))?;
        Ok(())
    });
}

#[test]
fn branches_and_labels() {
    snapshot("branches_and_labels", |a| {
        let top = a.new_label();
        let out = a.new_label();
        let table = a.new_label();
        a.bind(top)?;
        a.cbz(X0, out)?;
        a.tbnz(W1, 3, top)?;
        a.b_cond(Cond::Ne, top)?;
        a.bl(out)?;
        a.adr(X2, table)?;
        a.ldr(V0.q(), table)?;
        a.b(top)?;
        a.bind(out)?;
        a.br(X16)?;
        a.blr(X17)?;
        a.svc(0)?;
        a.brk(1)?;
        a.nop()?;
        a.ret()?;
        a.align(16)?;
        a.bind(table)?;
        a.data(&[0; 16]);
        Ok(())
    });
}

#[test]
fn neon_arithmetic() {
    snapshot("neon_arithmetic", |a| {
        a.add(V0.b16(), V1.b16(), V2.b16())?;
        a.sub(V3.d2(), V4.d2(), V5.d2())?;
        a.mul(V6.h8(), V7.h8(), V8.h8())?;
        a.and(V9.b8(), V10.b8(), V11.b8())?;
        a.bsl(V12.b16(), V13.b16(), V14.b16())?;
        a.cmgt(V15.s4(), V16.s4(), V17.s4())?;
        a.smax(V18.b16(), V19.b16(), V20.b16())?;
        a.addp(V21.d2(), V22.d2(), V23.d2())?;
        a.cnt(V24.b16(), V25.b16())?;
        a.not(V26.b8(), V27.b8())?;
        a.neg(V28.s4(), V29.s4())?;
        a.cmlt(V30.b16(), V31.b16(), 0)?;
        a.uaddlp(V0.h8(), V1.b16())?;
        a.sadalp(V2.s4(), V3.h8())?;
        a.xtn(V4.b8(), V5.h8())?;
        a.sxtl(V6.h8(), V7.b8())?;
        a.smull(V8.h8(), V9.b8(), V10.b8())?;
        a.umull2(V11.d2(), V12.s4(), V13.s4())?;
        a.addv(V14.scalar(Size::B), V15.b16())?;
        a.uaddlv(V16.scalar(Size::S), V17.h8())?;
        a.ushr(V18.d2(), V19.d2(), 63)?;
        a.shl(V20.b16(), V21.b16(), 7)?;
        a.sdot(V22.s4(), V23.b16(), V24.b16())?;
        a.udot(V25.s2(), V26.b8(), V27.elem(Size::S, 3))?;
        Ok(())
    });
}

#[test]
fn neon_moves_and_scalars() {
    snapshot("neon_moves_and_scalars", |a| {
        a.ext(V0.b16(), V1.b16(), V2.b16(), 15)?;
        a.dup(V3.s4(), V4.elem(Size::S, 3))?;
        a.dup(V5.b16(), W6)?;
        a.movi(V7.b16(), 0x0f)?;
        a.movi(V8.d2(), 0xff00_ff00_0000_ffffu64)?;
        a.umov(X9, V10.elem(Size::D, 1))?;
        a.smov(W11, V12.elem(Size::B, 15))?;
        a.ins(V13.elem(Size::D, 0), X14)?;
        a.ins(V15.elem(Size::H, 7), V16.elem(Size::H, 0))?;
        a.addp_scalar(V17.d(), V18.d2())?;
        a.fmov(V19.d(), X20)?;
        a.fmov(X21, V22.d())?;
        a.scvtf(V0.d(), X0)?;
        a.fmul(V1.d(), V2.d(), V3.d())?;
        a.fsqrt(V1.d(), V1.d())?;
        a.fdiv(V0.d(), V0.d(), V1.d())?;
        a.fcmp(V0.d(), 0)?;
        Ok(())
    });
}
