//! Reviewed snapshots of each x86-64 instruction family: offset, bytes and iced-x86's Intel
//! disassembly, one instruction per line. A change to any emitted byte shows up here.

use trinity_emit::kernels::Arch;
use trinity_emit::x86_64::{
    Assembler, Cond, Gpr32::*, Gpr64::*, Gpr8::*, Mem, Xmm::*, Ymm::*, Zmm::*, K::*,
};
use trinity_emit::EmitError;
use trinity_testkit::listing;

/// Build with `f`, finish, and snapshot the listing under `name`.
fn snapshot(name: &str, f: impl FnOnce(&mut Assembler) -> Result<(), EmitError>) {
    let mut asm = Assembler::new();
    f(&mut asm).unwrap();
    let code = asm.finish().unwrap();
    let text = listing::encoded(Arch::X86_64, &code, code.len());
    insta::with_settings!({snapshot_path => "../../snapshots/x86_64", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn gpr_moves() {
    snapshot("gpr_moves", |a| {
        a.mov(Rax, Rbx)?;
        a.mov(R15, Rsp)?;
        a.mov(Eax, R9d)?;
        a.mov(Spl, Dil)?;
        a.mov(R8b, Al)?;
        a.mov(Rax, 0)?;
        a.mov(Rax, -1)?;
        a.mov(R10, i64::from(i32::MAX))?;
        a.mov(R10, 1_i64 << 32)?;
        a.mov(R11, i64::MIN)?;
        a.mov(Ecx, -1)?;
        a.mov(Sil, 7)?;
        a.mov(Rdx, Mem::base(Rsi).disp(8))?;
        a.mov(Mem::base(Rdi).index(Rcx, 8), R12)?;
        a.mov(Mem::base(Rdi).qword(), -5)?;
        a.mov(Mem::base(Rdi).dword(), 5)?;
        a.mov(Mem::base(Rdi).byte(), -1)?;
        a.mov(Mem::base(R13).index(R12, 1), Bpl)?;
        a.movzx(Eax, Mem::base(Rsi))?;
        a.movzx(Rax, R14b)?;
        a.movsx(Rcx, Mem::base(Rsi).disp(-1))?;
        a.movsx(Edx, Spl)?;
        a.movsxd(Rax, Ecx)?;
        a.movsxd(R8, Mem::base(Rsp).disp(4))?;
        a.lea(Rax, Mem::base(Rdi).index(Rdi, 2))?;
        a.lea(R9, Mem::index_only(Rcx, 8).disp(-8))?;
        a.push(Rbx)?;
        a.push(R12)?;
        a.pop(R15)?;
        a.pop(Rbp)
    });
}

#[test]
fn gpr_alu() {
    snapshot("gpr_alu", |a| {
        a.add(Rax, Rbx)?;
        a.or(R8, R9)?;
        a.adc(Ecx, Edx)?;
        a.sbb(R10d, Mem::base(Rsp))?;
        a.and(Mem::base(Rbp), Rax)?;
        a.sub(Rsp, 8)?;
        a.xor(Eax, Eax)?;
        a.cmp(Rcx, 127)?;
        a.cmp(Rcx, 128)?;
        a.add(Rax, 128)?;
        a.and(Eax, -256)?;
        a.sub(Mem::base(Rdi).disp(16).qword(), -128)?;
        a.xor(Mem::base(Rdi).dword(), 0x1234_5678)?;
        a.test(Rax, Rax)?;
        a.test(R11d, 1)?;
        a.test(Rax, 0x100)?;
        a.test(Mem::base(Rsi).qword(), 4)?;
        a.imul(Rax, Rdx)?;
        a.imul(R9d, Mem::base(R12).disp(4))?;
        a.imul3(Rax, Rbx, 10)?;
        a.imul3(Rcx, Mem::base(Rsi), 1000)?;
        a.neg(Rax)?;
        a.not(R13d)?;
        a.inc(Rcx)?;
        a.dec(Mem::base(Rdi).dword())
    });
}

#[test]
fn shifts_and_bits() {
    snapshot("shifts_and_bits", |a| {
        a.shl(Rax, 1)?;
        a.shl(Rax, 3)?;
        a.shr(R9, 63)?;
        a.sar(Ecx, 31)?;
        a.rol(Rdx, 8)?;
        a.ror(Eax, 1)?;
        a.shl(Rbx, Cl)?;
        a.shr(R12d, Cl)?;
        a.sar(Mem::base(Rdi).qword(), 2)?;
        a.popcnt(Rax, Rdi)?;
        a.popcnt(R8, Mem::base(Rsi).index(Rcx, 8))?;
        a.popcnt(Eax, R15d)?;
        a.tzcnt(Rax, Rcx)?;
        a.lzcnt(Ecx, Edx)?;
        a.andn(Rax, Rbx, Rcx)?;
        a.bzhi(Rax, R9, Rcx)?;
        a.shlx(R8, Mem::base(Rdi), Rdx)?;
        a.shrx(Rax, Rax, R10)?;
        a.blsr(Rax, Rbx)
    });
}

#[test]
fn conditions() {
    snapshot("conditions", |a| {
        let target = a.new_label();
        a.bind(target)?;
        for cond in Cond::ALL {
            a.setcc(cond, Al)?;
        }
        a.setcc(Cond::E, Sil)?;
        a.setcc(Cond::L, Mem::base(Rdi))?;
        a.cmovcc(Cond::Ge, Rax, Rbx)?;
        a.cmovcc(Cond::B, R9d, Mem::base(Rsi))?;
        for cond in Cond::ALL {
            a.jcc(cond, target)?;
        }
        for cond in [Cond::E, Cond::Ne, Cond::L, Cond::G] {
            a.jcc_near(cond, target)?;
        }
        Ok(())
    });
}

#[test]
fn addressing() {
    snapshot("addressing", |a| {
        for base in [Rax, Rsp, Rbp, R12, R13] {
            for disp in [0, 8, -128, 1000] {
                a.mov(Rcx, Mem::base(base).disp(disp))?;
            }
        }
        a.mov(Rcx, Mem::base(Rax).index(R12, 4))?;
        a.mov(Rcx, Mem::base(R13).index(Rbp, 2))?;
        a.mov(Rcx, Mem::base(Rsp).index(R15, 8).disp(-1))?;
        a.mov(Rcx, Mem::index_only(Rbx, 4))?;
        a.mov(Rcx, Mem::abs(0x1000))?;
        a.mov(Rcx, Mem::rip(0x10))?;
        a.vmovdqu(Y8, Mem::base(R13).index(R9, 1).disp(32))?;
        let table = a.new_label();
        a.vpshufb(Y0, Y1, Mem::label(table))?;
        a.vpalignr(Y0, Y1, Mem::label(table).disp(32), 5)?;
        a.align(32)?;
        a.bind(table)?;
        a.nops(64);
        Ok(())
    });
}

#[test]
fn avx_moves() {
    snapshot("avx_moves", |a| {
        a.vmovdqu(Y0, Mem::base(Rdi))?;
        a.vmovdqu(Mem::base(Rdi).disp(32), Y15)?;
        a.vmovdqa(X3, Mem::base(Rsp).disp(-16))?;
        a.vmovdqa(Mem::base(Rsp), X12)?;
        a.vmovdqu(Y0, Y8)?;
        a.vmovdqu(Y8, Y0)?;
        a.vmovdqu(Y9, Y10)?;
        a.vmovd(X0, Eax)?;
        a.vmovd(R8d, X9)?;
        a.vmovd(X1, Mem::base(Rsi))?;
        a.vmovq(X0, Rax)?;
        a.vmovq(R15, X7)?;
        a.vmovq(X2, Mem::base(Rsi))?;
        a.vmovq(Mem::base(Rdi), X2)?;
        a.vmovq(X0, X8)?;
        a.vmovq(X8, X0)?;
        a.vpextrq(Rax, X1, 1)?;
        a.vpextrd(Mem::base(Rdi), X1, 3)?;
        a.vpinsrq(X0, X0, Rcx, 1)?;
        a.vpinsrd(X9, X9, Mem::base(Rsi), 2)?;
        a.vpbroadcastb(Y0, X1)?;
        a.vpbroadcastb(Y2, Mem::base(Rsi))?;
        a.vpbroadcastw(X3, X4)?;
        a.vpbroadcastd(Y5, Mem::base(Rsi))?;
        a.vpbroadcastq(Y6, X14)?;
        a.vbroadcasti128(Y7, Mem::base(Rsi))?;
        a.vpmovsxbw(Y0, X1)?;
        a.vpmovzxbw(X2, Mem::base(Rsi))?;
        a.vpmovmskb(Eax, Y1)?;
        a.vpmovmskb(R9d, X10)?;
        a.vzeroupper()
    });
}

#[test]
fn avx512_moves_and_masks() {
    snapshot("avx512_moves_and_masks", |a| {
        a.vmovdqu8(Z0, Mem::base(Rdi))?;
        a.vmovdqu8(Z31, Mem::base(Rdi).disp(64 * 127))?;
        a.vmovdqu8(Z16, Mem::base(Rdi).disp(64 * 128))?;
        a.vmovdqu8(Z1, Mem::base(Rdi).disp(-64 * 128))?;
        a.vmovdqu8(Z1, Mem::base(R13).index(R12, 8).disp(65))?;
        a.vmovdqu8(Z2.mask(K1).zero(), Mem::base(Rsi))?;
        a.vmovdqu8(Mem::base(Rdi).disp(64).mask(K7), Z17)?;
        a.vmovdqu16(Z3, Z19)?;
        a.vmovdqu32(Mem::base(Rsp), Z8)?;
        a.vmovdqu64(Z9.mask(K2), Mem::rip(0))?;
        a.vmovdqa32(Z10, Mem::base(Rbp))?;
        a.vmovdqa64(Mem::base(Rax), Z24)?;
        a.vpbroadcastb(Z0, X1)?;
        a.vpbroadcastb(Z20, Mem::base(Rsi).disp(127))?;
        a.vpbroadcastb(Z21.mask(K3).zero(), Eax)?;
        a.vpbroadcastq(Z4, R9)?;
        a.vpbroadcastq(Z5, Mem::base(Rsi).disp(8 * 16))?;
        a.vpmovsxbw(Z6, Y7)?;
        a.vpmovsxwd(Z30, Mem::base(Rdx).disp(32))?;
        a.vextracti64x4(Y1, Z29, 1)?;
        a.vextracti64x4(Mem::base(Rdi).disp(32).mask(K1), Z2, 1)?;
        a.vextracti32x4(X3.mask(K1), Z4, 3)?;
        a.vinserti64x4(Z5, Z6, Y7, 1)?;
        a.vpermq(Z8.mask(K4).zero(), Z25, 0x4E)?;
        a.kmovw(K1, Eax)?;
        a.kmovw(Eax, K1)?;
        a.kmovd(K2, K3)?;
        a.kmovq(K4, Rdx)?;
        a.kmovq(Rdx, K4)?;
        a.kmovq(Mem::base(Rsp).disp(8), K5)?;
        a.kortestq(K1, K1)?;
        a.kandq(K1, K2, K3)?;
        a.kaddq(K4, K5, K6)?;
        a.knotq(K7, K0)?;
        a.kshiftrq(K1, K2, 63)?;
        a.kshiftlq(K3, K4, 1)
    });
}

#[test]
fn avx512_integer() {
    snapshot("avx512_integer", |a| {
        a.vpxord(Z0, Z0, Z0)?;
        a.vpandq(Z1, Z2, Z31)?;
        a.vpandnd(Z16.mask(K1), Z17, Mem::base(Rdi).disp(-64 * 129))?;
        a.vpord(Z3, Z4, Z5)?;
        a.vpternlogd(Z6, Z7, Z8, 0x96)?;
        a.vpternlogq(Z9.mask(K2).zero(), Z10, Mem::base(Rsi).disp(64), 0xE8)?;
        a.vpaddb(Z11, Z12, Z13)?;
        a.vpaddq(Z14, Z15, Z16)?;
        a.vpsubb(Z17.mask(K3), Z18, Z19)?;
        a.vpsadbw(Z20, Z21, Z22)?;
        a.vpshufb(Z23, Z24, Z25)?;
        a.vpmaddubsw(Z26, Z27, Z28)?;
        a.vpmaddwd(Z29, Z30, Z31)?;
        a.vpabsb(Z0, Z1)?;
        a.vpopcntb(Z2, Z3)?;
        a.vpopcntw(Z4, Z5)?;
        a.vpopcntd(Z6, Z7)?;
        a.vpopcntq(Z8.mask(K5).zero(), Mem::base(R12))?;
        a.vpsrlw(Z9, Z10, 4)?;
        a.vpsllw(Z11, Z12, X13)?;
        a.vpsrlq(Z14, Mem::base(Rax).disp(128), 1)?;
        a.vpsllq(Z15, Z16, Mem::base(Rax).disp(16))?;
        a.vpsrlvq(Z17, Z18, Z19)?;
        a.vpsllvq(Z20, Z21, Z22)?;
        a.vpackssdw(Z23, Z24, Z25)?;
        a.vpacksswb(Z26, Z27, Z28)?;
        a.vpunpcklbw(Z29, Z30, Z31)?;
        a.vpunpckhbw(Z0, Z1, Z2)?;
        a.vpunpcklwd(Z3, Z4, Z5)?;
        a.vpunpckhwd(Z6, Z7, Z8)?;
        a.vpcmpeqb(K1, Z9, Z10)?;
        a.vpcmpgtb(K2.mask(K1), Z11, Mem::base(Rdi))?;
        a.vpcmpb(K3, Z12, Z13, 1)?;
        a.vpcmpub(K4, Z14, Z15, 6)?;
        a.vpmovb2m(K5, Z16)?;
        a.vpmovm2b(Z17, K6)?;
        a.vpblendmb(Z18.mask(K7), Z19, Z20)
    });
}

#[test]
fn avx_integer() {
    snapshot("avx_integer", |a| {
        a.vpand(Y0, Y1, Y2)?;
        a.vpandn(Y3, Y4, Y15)?;
        a.vpor(X0, X8, X9)?;
        a.vpxor(Y0, Y0, Mem::base(Rdi))?;
        a.vptest(Y1, Y1)?;
        a.vpaddb(Y0, Y1, Y2)?;
        a.vpaddw(Y0, Y1, Y2)?;
        a.vpaddd(Y0, Y1, Y2)?;
        a.vpaddq(Y0, Y1, Y2)?;
        a.vpsubb(Y0, Y1, Y2)?;
        a.vpsubw(Y0, Y1, Y2)?;
        a.vpsubd(Y0, Y1, Y2)?;
        a.vpsubq(Y0, Y1, Y2)?;
        a.vpaddsb(Y0, Y1, Y2)?;
        a.vpsubsb(Y0, Y1, Y2)?;
        a.vpaddsw(Y0, Y1, Y2)?;
        a.vpaddusb(Y0, Y1, Y2)?;
        a.vpsubusb(Y0, Y1, Y2)?;
        a.vpsignb(Y0, Y1, Y2)?;
        a.vpsignw(Y0, Y1, Y2)?;
        a.vpsignd(Y0, Y1, Y2)?;
        a.vpabsb(Y0, Y1)?;
        a.vpabsw(Y0, Mem::base(Rsi))?;
        a.vpabsd(X0, X1)?;
        a.vpmaddubsw(Y0, Y1, Y2)?;
        a.vpmaddwd(Y0, Y1, Y2)?;
        a.vphaddd(Y0, Y1, Y2)?;
        a.vpmullw(Y0, Y1, Y2)?;
        a.vpmulld(Y0, Y1, Y2)?;
        a.vpsadbw(Y0, Y1, Y2)?;
        a.vpminsb(Y0, Y1, Y2)?;
        a.vpmaxsb(Y0, Y1, Y2)?;
        a.vpminub(Y0, Y1, Y2)?;
        a.vpmaxub(Y0, Y1, Y2)?;
        a.vpminsw(Y0, Y1, Y2)?;
        a.vpmaxsw(Y0, Y1, Y2)?;
        a.vpcmpeqb(Y0, Y1, Y2)?;
        a.vpcmpeqw(Y0, Y1, Y2)?;
        a.vpcmpeqd(Y0, Y1, Y2)?;
        a.vpcmpeqq(Y0, Y1, Y2)?;
        a.vpcmpgtb(Y0, Y1, Y2)?;
        a.vpcmpgtw(Y0, Y1, Y2)?;
        a.vpcmpgtd(Y0, Y1, Y2)?;
        a.vpcmpgtq(Y12, Y13, Mem::base(R14).disp(64))
    });
}

#[test]
fn avx_shuffles_and_shifts() {
    snapshot("avx_shuffles_and_shifts", |a| {
        a.vpshufb(Y0, Y1, Y2)?;
        a.vpshufd(Y0, Y1, 0x4E)?;
        a.vpalignr(Y0, Y1, Y2, 1)?;
        a.vpblendd(Y0, Y1, Mem::base(Rsi), 0xF0)?;
        a.vpblendvb(Y0, Y1, Y2, Y3)?;
        a.vpblendvb(X8, X9, Mem::base(Rdi), X15)?;
        a.vperm2i128(Y0, Y1, Y2, 0x21)?;
        a.vpermq(Y0, Y1, 0x4E)?;
        a.vpermd(Y0, Y1, Y2)?;
        a.vextracti128(X1, Y0, 1)?;
        a.vextracti128(Mem::base(Rdi), Y9, 1)?;
        a.vinserti128(Y0, Y0, X1, 1)?;
        a.vinserti128(Y0, Y0, Mem::base(Rsi), 0)?;
        a.vpunpcklbw(Y0, Y1, Y2)?;
        a.vpunpckhbw(Y0, Y1, Y2)?;
        a.vpunpcklqdq(X0, X1, X2)?;
        a.vpunpckhqdq(X0, X1, X2)?;
        a.vpacksswb(Y0, Y1, Y2)?;
        a.vpsllw(Y0, Y1, 1)?;
        a.vpsrlw(Y0, Y1, 4)?;
        a.vpsraw(Y0, Y1, 15)?;
        a.vpslld(Y0, Y1, 2)?;
        a.vpsrld(Y0, Y1, 3)?;
        a.vpsrad(Y0, Y1, 31)?;
        a.vpsllq(Y0, Y1, 1)?;
        a.vpsrlq(Y8, Y9, 63)?;
        a.vpsrldq(Y0, Y1, 8)?;
        a.vpslldq(X0, X1, 15)?;
        a.vpsllvd(Y0, Y1, Y2)?;
        a.vpsllvq(Y0, Y1, Y2)?;
        a.vpsrlvd(Y0, Y1, Y2)?;
        a.vpsrlvq(Y0, Y1, Y2)
    });
}

#[test]
fn scalar_double() {
    snapshot("scalar_double", |a| {
        a.vxorpd(X0, X0, X0)?;
        a.vcvtsi2sd(X0, X0, Rax)?;
        a.vcvtsi2sd(X1, X1, Mem::base(Rsp).qword())?;
        a.vcvtsi2sd(X2, X2, Ecx)?;
        a.vmulsd(X1, X1, X2)?;
        a.vaddsd(X0, X0, Mem::base(Rdi))?;
        a.vsubsd(X0, X0, X1)?;
        a.vsqrtsd(X1, X1, X1)?;
        a.vdivsd(X0, X0, X1)?;
        a.vucomisd(X1, X0)?;
        a.vmovsd(X0, Mem::base(Rsi).disp(8))?;
        a.vmovsd(Mem::base(Rdi), X0)?;
        a.vmovsd3(X0, X1, X8)?;
        a.vmovq(X0, X9)?;
        a.vcvttsd2si(Rax, X0)?;
        a.vxorpd(Y1, Y1, Y1)
    });
}

#[test]
fn control_and_padding() {
    snapshot("control_and_padding", |a| {
        let top = a.new_label();
        let done = a.new_label();
        let helper = a.new_label();
        a.push(Rbx)?;
        a.align(16)?;
        a.bind(top)?;
        a.dec(Rcx)?;
        a.jcc(Cond::Ne, top)?; // backward in reach: rel8
        a.jmp(done)?; // forward: rel32
        a.jmp_short(done)?;
        a.call(helper)?;
        a.jcc_short(Cond::E, top)?;
        for n in 1..=15 {
            a.nops(n);
        }
        a.bind(done)?;
        a.pop(Rbx)?;
        a.ret()?;
        a.bind(helper)?;
        a.nop()?;
        a.int3()?;
        a.ud2()?;
        a.prefetcht0(Mem::base(Rdi).index(R9, 1).disp(4096))?;
        a.ret()
    });
}

/// A small kernel in the shape the generators emit: the Hamming weight of the XOR of two
/// 1024-byte bit-planes (nibble lookup with `vpshufb`, byte sums with `vpsadbw`), with its
/// constants reached RIP-relative and placed after the code.
#[test]
fn kernel_shape() {
    let mut a = Assembler::new();
    let table = a.new_label();
    let top = a.new_label();
    let build = |a: &mut Assembler| -> Result<usize, EmitError> {
        a.vpxor(Y0, Y0, Y0)?; // accumulator
        a.vpxor(Y7, Y7, Y7)?; // zero for vpsadbw
        a.vmovdqa(Y5, Mem::label(table))?; // popcount of each nibble value
        a.vmovdqa(Y6, Mem::label(table).disp(32))?; // 0x0f in every byte
        a.xor(Eax, Eax)?;
        a.align(32)?;
        a.bind(top)?;
        a.vmovdqu(Y1, Mem::base(Rdi).index(Rax, 1))?;
        a.vpxor(Y1, Y1, Mem::base(Rsi).index(Rax, 1))?;
        a.vpsrlw(Y2, Y1, 4)?;
        a.vpand(Y1, Y1, Y6)?;
        a.vpand(Y2, Y2, Y6)?;
        a.vpshufb(Y1, Y5, Y1)?;
        a.vpshufb(Y2, Y5, Y2)?;
        a.vpaddb(Y1, Y1, Y2)?;
        a.vpsadbw(Y1, Y1, Y7)?;
        a.vpaddq(Y0, Y0, Y1)?;
        a.add(Rax, 32)?;
        a.cmp(Rax, 1024)?;
        a.jcc(Cond::B, top)?;
        a.vextracti128(X1, Y0, 1)?;
        a.vpaddq(X0, X0, X1)?;
        a.vpextrq(Rcx, X0, 1)?;
        a.vmovq(Rax, X0)?;
        a.add(Rax, Rcx)?;
        a.vzeroupper()?;
        a.ret()?;
        a.align(32)?;
        let end = a.offset();
        a.bind(table)?;
        let lut: Vec<u8> = (0u8..32).map(|i| (i % 16).count_ones() as u8).collect();
        a.data(&lut);
        a.data(&[0x0F; 32]);
        Ok(end)
    };
    let code_end = build(&mut a).unwrap();
    let code = a.finish().unwrap();
    let text = listing::encoded(Arch::X86_64, &code, code_end);
    insta::with_settings!({snapshot_path => "../../snapshots/x86_64", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("kernel_shape", text);
    });
}
