//! Reviewed snapshots of each AArch64 instruction family: offset, bytes and yaxpeax-arm's
//! disassembly, one instruction per line. A change to any emitted byte shows up here.

mod common;

use common::hex;
use std::fmt::Write as _;
use trinity_emit::aarch64::{self as a64, neon, *};
use trinity_emit::EmitError;
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::InstDecoder;

fn listing(code: &[u8]) -> String {
    let decoder = InstDecoder::default();
    let mut out = String::new();
    for (i, word) in code.chunks(4).enumerate() {
        let mut reader = U8Reader::new(word);
        let text = match decoder.decode(&mut reader) {
            Ok(inst) => inst.to_string(),
            Err(e) => format!("(undecodable: {e})"),
        };
        writeln!(out, "{:04x}  {}  {text}", 4 * i, hex(word)).unwrap();
    }
    out
}

fn snapshot(name: &str, f: impl FnOnce(&mut Assembler) -> Result<(), EmitError>) {
    let mut a = Assembler::new();
    f(&mut a).unwrap();
    let code = a.finish().unwrap();
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
        a.add_imm::<X>(SP, SP, 32)?;
        a.sub_imm::<X>(sp(X0), sp(X1), 0x1000)?;
        a.subs_imm::<W>(W2, WSP, 7)?;
        a.cmp_imm::<X>(sp(X3), 4095)?;
        a.arith(&a64::ADD, X0, X1, X2, Shift::Lsl, 3)?;
        a.arith(&a64::SUBS, W4, W5, W6, Shift::Asr, 31)?;
        a.logic(&a64::EOR, X7, X8, X9, Shift::Ror, 1)?;
        a.logic(&a64::BIC, W10, W11, W12, Shift::Lsr, 0)?;
        a.and_imm::<X>(SP, X0, 0xffff_0000_ffff_0000)?;
        a.ands_imm::<W>(W1, W2, 0x5555_5555)?;
        a.tst_imm::<X>(X3, 1)?;
        a.mov::<X>(X4, X5);
        a.mov_sp::<X>(sp(X29), SP);
        a.madd(X0, X1, X2, X3);
        a.msub(W4, W5, W6, W7);
        a.mul(X8, X9, X10);
        a.lsl_imm(X0, X1, 3)?;
        a.lsr_imm(W2, W3, 31)?;
        a.asr_imm(X4, X5, 63)?;
        a.shift_reg(Shift::Lsr, X6, X7, X8);
        a.csel(X0, X1, X2, Cond::Lt);
        a.cset(W3, Cond::Eq, WZR)?;
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
        a.ldr_literal(V0.q(), table)?;
        a.b(top)?;
        a.bind(out)?;
        a.br(X16);
        a.blr(X17);
        a.svc(0)?;
        a.brk(1)?;
        a.nop();
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
        a.neon3(&neon::ADD, V0.b16(), V1.b16(), V2.b16())?;
        a.neon3(&neon::SUB, V3.d2(), V4.d2(), V5.d2())?;
        a.neon3(&neon::MUL, V6.h8(), V7.h8(), V8.h8())?;
        a.neon3(&neon::AND, V9.b8(), V10.b8(), V11.b8())?;
        a.neon3(&neon::BSL, V12.b16(), V13.b16(), V14.b16())?;
        a.neon3(&neon::CMGT, V15.s4(), V16.s4(), V17.s4())?;
        a.neon3(&neon::SMAX, V18.b16(), V19.b16(), V20.b16())?;
        a.neon3(&neon::ADDP, V21.d2(), V22.d2(), V23.d2())?;
        a.neon2(&neon::CNT, V24.b16(), V25.b16())?;
        a.neon2(&neon::NOT, V26.b8(), V27.b8())?;
        a.neon2(&neon::NEG, V28.s4(), V29.s4())?;
        a.neon2(&neon::CMLT0, V30.b16(), V31.b16())?;
        a.neon2(&neon::UADDLP, V0.h8(), V1.b16())?;
        a.neon2(&neon::SADALP, V2.s4(), V3.h8())?;
        a.neon2(&neon::XTN, V4.b8(), V5.h8())?;
        a.neon2(&neon::SXTL, V6.h8(), V7.b8())?;
        a.neon3(&neon::SMULL, V8.h8(), V9.b8(), V10.b8())?;
        a.neon3(&neon::UMULL2, V11.d2(), V12.s4(), V13.s4())?;
        a.neon_across(&neon::ADDV, V14.scalar(Size::B), V15.b16())?;
        a.neon_across(&neon::UADDLV, V16.scalar(Size::S), V17.h8())?;
        a.neon_shift(&neon::USHR, V18.d2(), V19.d2(), 63)?;
        a.neon_shift(&neon::SHL, V20.b16(), V21.b16(), 7)?;
        a.neon3(&neon::SDOT, V22.s4(), V23.b16(), V24.b16())?;
        a.neon_dot_elem(&neon::UDOT_ELEM, V25.s2(), V26.b8(), V27, 3)?;
        Ok(())
    });
}

#[test]
fn neon_moves_and_scalars() {
    snapshot("neon_moves_and_scalars", |a| {
        a.ext(V0.b16(), V1.b16(), V2.b16(), 15)?;
        a.dup_elem(V3.s4(), V4.elem(Size::S, 3))?;
        a.dup_gpr(V5.b16(), Rt::W(W6))?;
        a.movi(V7.b16(), 0x0f)?;
        a.movi_2d(V8.d2(), 0xff00_ff00_0000_ffff)?;
        a.umov(Rt::X(X9), V10.elem(Size::D, 1))?;
        a.smov(Rt::W(W11), V12.elem(Size::B, 15))?;
        a.ins_gpr(V13.elem(Size::D, 0), Rt::X(X14))?;
        a.ins_elem(V15.elem(Size::H, 7), V16.elem(Size::H, 0))?;
        a.addp_scalar(V17.d(), V18.d2())?;
        a.fmov_from_gpr(V19.d(), X20)?;
        a.fmov_to_gpr(X21, V22.d())?;
        a.scvtf(V0.d(), X0)?;
        a.fp(FpOp::Fmul, V1.d(), V2.d(), Some(V3.d()))?;
        a.fp(FpOp::Fsqrt, V1.d(), V1.d(), None)?;
        a.fp(FpOp::Fdiv, V0.d(), V0.d(), Some(V1.d()))?;
        a.fcmp(V0.d(), None)?;
        Ok(())
    });
}
