//! Every way x86-64 encoding can fail: the exact error variant, a message naming the bad value,
//! and (for instructions) nothing written.

use trinity_emit::x86_64::{
    Assembler, Branch, BranchSize, Cond, Gpr32, Gpr64::*, Gpr8, Mem, MemSize, Xmm, Ymm, Zmm, K,
};
use trinity_emit::EmitError;

/// Run `f` on a fresh assembler (after `setup`), check it fails and wrote nothing.
fn fails(
    setup: impl FnOnce(&mut Assembler),
    f: impl FnOnce(&mut Assembler) -> Result<(), EmitError>,
) -> EmitError {
    let mut asm = Assembler::new();
    setup(&mut asm);
    let before = asm.bytes().to_vec();
    let err = f(&mut asm).expect_err("must fail");
    assert_eq!(asm.bytes(), &before[..], "bytes written despite {err}");
    err
}

fn reason(err: &EmitError) -> &str {
    match err {
        EmitError::InvalidOperand { reason, .. } => reason,
        other => panic!("expected InvalidOperand, got {other:?}"),
    }
}

#[test]
fn unbound_label_at_finish() {
    let mut asm = Assembler::new();
    let _unused = asm.new_label();
    let never = asm.new_label();
    asm.jmp(never).unwrap();
    let err = asm.finish().unwrap_err();
    assert_eq!(err, EmitError::UnboundLabel { label: 1 });
    assert!(err.to_string().contains("label 1"), "{err}");
}

#[test]
fn unbound_label_in_rip_relative_operand() {
    let mut asm = Assembler::new();
    let table = asm.new_label();
    asm.vmovdqu(Ymm::Y0, Mem::label(table)).unwrap();
    assert_eq!(asm.finish().unwrap_err(), EmitError::UnboundLabel { label: 0 });
}

#[test]
fn short_forward_branch_out_of_range() {
    let mut asm = Assembler::new();
    let far = asm.new_label();
    asm.jmp_short(far).unwrap();
    asm.data(&[0xCC; 128]);
    asm.bind(far).unwrap();
    let err = asm.finish().unwrap_err();
    assert_eq!(
        err,
        EmitError::BranchOutOfRange {
            kind: "rel8",
            at: 0,
            target: 130,
            distance: 128,
            min: -128,
            max: 127
        }
    );
    assert!(err.to_string().contains("distance 128"), "{err}");
}

#[test]
fn short_backward_branch_out_of_range() {
    let mut asm = Assembler::new();
    let top = asm.new_label();
    asm.bind(top).unwrap();
    asm.data(&[0x90; 127]);
    asm.jcc_short(Cond::Ne, top).unwrap();
    let err = asm.finish().unwrap_err();
    assert_eq!(
        err,
        EmitError::BranchOutOfRange {
            kind: "rel8",
            at: 127,
            target: 0,
            distance: -129,
            min: -128,
            max: 127
        }
    );
    assert!(err.to_string().contains("-129"), "{err}");
}

#[test]
fn short_branches_at_the_limits_are_fine() {
    let mut asm = Assembler::new();
    let top = asm.new_label();
    let end = asm.new_label();
    asm.bind(top).unwrap();
    asm.data(&[0x90; 126]);
    asm.jcc_short(Cond::Ne, top).unwrap(); // distance -128
    asm.jmp_short(end).unwrap();
    asm.data(&[0x90; 127]);
    asm.bind(end).unwrap(); // distance 127
    let code = asm.finish().unwrap();
    // llvm-mc: `1: .fill 126; jne 1b; jmp 2f; .fill 127; 2:` gives 75 80 eb 7f here.
    assert_eq!(&code[126..130], &[0x75, 0x80, 0xEB, 0x7F]);
}

#[test]
fn call_has_no_short_form() {
    let err = fails(
        |_| {},
        |asm| {
            let l = asm.new_label();
            asm.branch(Branch::Call, l, BranchSize::Short)
        },
    );
    assert!(reason(&err).contains("rel8"), "{err}");
}

#[test]
fn shift_count_out_of_range() {
    let err = fails(|_| {}, |asm| asm.shl(Rax, 64));
    assert_eq!(
        err,
        EmitError::ImmediateOutOfRange { what: "shift count", value: 64, min: 0, max: 63 }
    );
    assert!(err.to_string().contains("64"), "{err}");
    let err = fails(|_| {}, |asm| asm.sar(Gpr32::Eax, 32));
    assert_eq!(
        err,
        EmitError::ImmediateOutOfRange { what: "shift count", value: 32, min: 0, max: 31 }
    );
    let err = fails(|_| {}, |asm| asm.ror(Rax, -1));
    assert_eq!(
        err,
        EmitError::ImmediateOutOfRange { what: "shift count", value: -1, min: 0, max: 63 }
    );
}

#[test]
fn imm8_out_of_range() {
    let err = fails(|_| {}, |asm| asm.vpalignr(Ymm::Y0, Ymm::Y1, Ymm::Y2, 256));
    assert_eq!(err, EmitError::ImmediateOutOfRange { what: "imm8", value: 256, min: 0, max: 255 });
    assert!(err.to_string().contains("256"), "{err}");
    let err = fails(|_| {}, |asm| asm.vpsrlq(Ymm::Y0, Ymm::Y1, -1));
    assert_eq!(err, EmitError::ImmediateOutOfRange { what: "imm8", value: -1, min: 0, max: 255 });
    let err = fails(|_| {}, |asm| asm.mov(Gpr8::Al, 128));
    assert_eq!(
        err,
        EmitError::ImmediateOutOfRange { what: "imm8", value: 128, min: -128, max: 127 }
    );
}

#[test]
fn imm32_out_of_range() {
    let big = i64::from(i32::MAX) + 1;
    let err = fails(|_| {}, |asm| asm.add(Rax, big));
    assert_eq!(
        err,
        EmitError::ImmediateOutOfRange {
            what: "imm32",
            value: big,
            min: i32::MIN.into(),
            max: i32::MAX.into()
        }
    );
    assert!(err.to_string().contains("2147483648"), "{err}");
    // mov to memory has no imm64 form either.
    let err = fails(|_| {}, |asm| asm.mov(Mem::base(Rdi).qword(), big));
    assert!(matches!(err, EmitError::ImmediateOutOfRange { what: "imm32", .. }), "{err:?}");
}

#[test]
fn bad_scale() {
    let err = fails(|_| {}, |asm| asm.lea(Rax, Mem::base(Rbx).index(Rcx, 3)));
    assert!(matches!(err, EmitError::InvalidOperand { instruction: "lea", .. }), "{err:?}");
    assert!(reason(&err).contains("scale 3"), "{err}");
    let err = fails(|_| {}, |asm| asm.vmovdqu(Ymm::Y0, Mem::index_only(Rcx, 16)));
    assert!(reason(&err).contains("scale 16"), "{err}");
}

#[test]
fn rsp_as_index() {
    let err = fails(|_| {}, |asm| asm.mov(Rax, Mem::base(Rbx).index(Rsp, 1)));
    assert!(matches!(err, EmitError::InvalidOperand { instruction: "mov", .. }), "{err:?}");
    assert!(reason(&err).contains("rsp cannot be an index"), "{err}");
    // rsp as base is fine (it takes a SIB byte).
    let mut asm = Assembler::new();
    asm.mov(Rax, Mem::base(Rsp)).unwrap(); // llvm-mc: 48 8b 04 24
    assert_eq!(asm.finish().unwrap(), [0x48, 0x8B, 0x04, 0x24]);
}

#[test]
fn index_with_rip_or_label() {
    let err = fails(|_| {}, |asm| asm.lea(Rax, Mem::rip(8).index(Rcx, 2)));
    assert!(reason(&err).contains("rcx"), "{err}");
    let err = fails(
        |_| {},
        |asm| {
            let table = asm.new_label();
            asm.vpshufb(Ymm::Y0, Ymm::Y1, Mem::label(table).index(Rdx, 1))
        },
    );
    assert!(reason(&err).contains("rdx"), "{err}");
}

#[test]
fn register_of_the_wrong_class() {
    let err = fails(|_| {}, |asm| asm.vpand(Ymm::Y0, Xmm::X1, Ymm::Y2));
    assert!(matches!(err, EmitError::InvalidOperand { instruction: "vpand", .. }), "{err:?}");
    assert!(reason(&err).contains("xmm1"), "{err}");
    let err = fails(|_| {}, |asm| asm.add(Rax, Xmm::X3));
    assert!(reason(&err).contains("xmm3"), "{err}");
    let err = fails(|_| {}, |asm| asm.popcnt(Rax, Ymm::Y0));
    assert!(reason(&err).contains("ymm0"), "{err}");
}

#[test]
fn register_of_the_wrong_width() {
    let err = fails(|_| {}, |asm| asm.mov(Rax, Gpr32::Ecx));
    assert!(reason(&err).contains("ecx"), "{err}");
    let err = fails(|_| {}, |asm| asm.shl(Rax, Gpr8::Dl));
    assert!(reason(&err).contains("dl"), "{err}");
    let err = fails(|_| {}, |asm| asm.vpmovmskb(Rax, Ymm::Y0));
    assert!(reason(&err).contains("rax"), "{err}");
}

#[test]
fn memory_where_none_is_allowed() {
    let err = fails(|_| {}, |asm| asm.vpsllq(Ymm::Y0, Mem::base(Rax), 3));
    assert!(reason(&err).contains("[rax]"), "{err}");
    let err = fails(|_| {}, |asm| asm.push(Mem::base(Rax)));
    assert!(reason(&err).contains("[rax]"), "{err}");
}

#[test]
fn ambiguous_or_wrong_memory_size() {
    let err = fails(|_| {}, |asm| asm.add(Mem::base(Rdi), 1));
    assert!(reason(&err).contains("ambiguous"), "{err}");
    let err = fails(|_| {}, |asm| asm.inc(Mem::base(Rdi)));
    assert!(reason(&err).contains("ambiguous"), "{err}");
    let err = fails(|_| {}, |asm| asm.vpand(Ymm::Y0, Ymm::Y1, Mem::base(Rsi).qword()));
    assert!(reason(&err).contains("[rsi]"), "{err}");
    // With a size they encode; where the operands fix the size none is needed.
    let mut asm = Assembler::new();
    asm.add(Mem::base(Rdi).dword(), 1).unwrap();
    asm.vpand(Ymm::Y0, Ymm::Y1, Mem::base(Rsi)).unwrap();
    asm.vpand(Ymm::Y0, Ymm::Y1, Mem::base(Rsi).sized(MemSize::Y256)).unwrap();
    // llvm-mc: `add dword ptr [rdi], 1` and `vpand ymm0, ymm1, ymmword ptr [rsi]`.
    assert_eq!(
        asm.finish().unwrap(),
        [0x83, 0x07, 0x01, 0xC5, 0xF5, 0xDB, 0x06, 0xC5, 0xF5, 0xDB, 0x06]
    );
}

#[test]
fn k0_is_not_a_write_mask() {
    let err = fails(|_| {}, |asm| asm.vpaddb(Zmm::Z1.mask(K::K0), Zmm::Z2, Zmm::Z3));
    assert!(matches!(err, EmitError::InvalidOperand { instruction: "vpaddb", .. }), "{err:?}");
    assert!(reason(&err).contains("zmm1 {k0}"), "{err}");
    let err = fails(|_| {}, |asm| asm.vmovdqu8(Mem::base(Rdi).mask(K::K0), Zmm::Z0));
    assert!(reason(&err).contains("[rdi] {k0}"), "{err}");
    // k0 is an ordinary operand elsewhere: `kmovq k0, rax` is C4 E1 FB 92 C0 (SDM: VEX.L0.F2.0F.W1
    // 92 /r, ModRM 11 000 000).
    let mut asm = Assembler::new();
    asm.kmovq(K::K0, Rax).unwrap();
    assert_eq!(asm.finish().unwrap(), [0xC4, 0xE1, 0xFB, 0x92, 0xC0]);
}

#[test]
fn zeroing_only_where_the_architecture_allows_it() {
    // A memory destination only merges.
    let err = fails(|_| {}, |asm| asm.vmovdqu8(Mem::base(Rdi).mask(K::K1).zero(), Zmm::Z0));
    assert!(matches!(err, EmitError::InvalidOperand { instruction: "vmovdqu8", .. }), "{err:?}");
    assert!(reason(&err).contains("[rdi] {k1} {z}"), "{err}");
    assert!(reason(&err).contains("memory"), "{err}");
    let err = fails(|_| {}, |asm| asm.vextracti64x4(Mem::base(Rsi).mask(K::K2).zero(), Zmm::Z3, 1));
    assert!(reason(&err).contains("[rsi] {k2} {z}"), "{err}");
    // So does a compare into a mask register.
    let err = fails(|_| {}, |asm| asm.vpcmpeqb(K::K1.mask(K::K2).zero(), Zmm::Z0, Zmm::Z1));
    assert!(reason(&err).contains("k1 {k2} {z}"), "{err}");
    assert!(reason(&err).contains("only merges"), "{err}");
}

#[test]
fn write_mask_where_the_form_takes_none() {
    // vpsadbw and vpmovb2m have no masked EVEX form; VEX forms never take a mask.
    let err = fails(|_| {}, |asm| asm.vpsadbw(Zmm::Z0.mask(K::K1), Zmm::Z1, Zmm::Z2));
    assert!(reason(&err).contains("zmm0 {k1}"), "{err}");
    let err = fails(|_| {}, |asm| asm.vpmovb2m(K::K1.mask(K::K2), Zmm::Z1));
    assert!(reason(&err).contains("k1 {k2}"), "{err}");
    let err = fails(|_| {}, |asm| asm.vpand(Ymm::Y0.mask(K::K1), Ymm::Y1, Ymm::Y2));
    assert!(reason(&err).contains("ymm0 {k1}"), "{err}");
    // Only the destination is masked.
    let err = fails(|_| {}, |asm| asm.vpaddb(Zmm::Z0, Zmm::Z1.mask(K::K1), Zmm::Z2));
    assert!(reason(&err).contains("zmm1 {k1}"), "{err}");
}

#[test]
fn zmm_and_mask_operands_of_the_wrong_class() {
    // vpand has no zmm form (AVX-512 spells it vpandd/vpandq).
    let err = fails(|_| {}, |asm| asm.vpand(Zmm::Z0, Zmm::Z1, Zmm::Z2));
    assert!(reason(&err).contains("zmm0"), "{err}");
    let err = fails(|_| {}, |asm| asm.vpaddb(Zmm::Z0, Ymm::Y1, Zmm::Z2));
    assert!(reason(&err).contains("ymm1"), "{err}");
    let err =
        fails(|_| {}, |asm| asm.vpaddb(Zmm::Z0, Zmm::Z1, Mem::base(Rsi).sized(MemSize::Y256)));
    assert!(reason(&err).contains("[rsi]"), "{err}");
    // vpmovb2m reads a register only; a compare writes a mask register, not a vector.
    let err = fails(|_| {}, |asm| asm.vpmovb2m(K::K1, Mem::base(Rax)));
    assert!(reason(&err).contains("[rax]"), "{err}");
    let err = fails(|_| {}, |asm| asm.vpcmpeqb(Zmm::Z5, Zmm::Z0, Zmm::Z1));
    assert!(reason(&err).contains("zmm5"), "{err}");
    let err = fails(|_| {}, |asm| asm.kmovq(K::K1, Gpr32::Eax));
    assert!(reason(&err).contains("eax"), "{err}");
}

#[test]
fn evex_immediates_out_of_range() {
    let err = fails(|_| {}, |asm| asm.vpternlogd(Zmm::Z0, Zmm::Z1, Zmm::Z2, 256));
    assert_eq!(err, EmitError::ImmediateOutOfRange { what: "imm8", value: 256, min: 0, max: 255 });
    let err = fails(|_| {}, |asm| asm.kshiftrq(K::K1, K::K2, -1));
    assert!(err.to_string().contains("-1"), "{err}");
}

#[test]
fn wrong_operand_count() {
    let mut asm = Assembler::new();
    let err = asm.emit(&trinity_emit::x86_64::defs::VPAND, &[Ymm::Y0.into()]).unwrap_err();
    assert!(reason(&err).contains("ymm0"), "{err}");
}

#[test]
fn bad_alignment() {
    let err = fails(|_| {}, |asm| asm.align(3));
    assert_eq!(
        err,
        EmitError::InvalidOperand {
            instruction: "align",
            reason: "alignment 3 is not a power of two up to 4096".into()
        }
    );
    let err = fails(|_| {}, |asm| asm.align(8192));
    assert!(reason(&err).contains("8192"), "{err}");
}

#[test]
fn label_from_another_assembler() {
    let mut other = Assembler::new();
    let mut foreign = other.new_label();
    for _ in 0..3 {
        foreign = other.new_label();
    }
    let err = fails(|_| {}, |asm| asm.jmp(foreign));
    assert_eq!(err, EmitError::ForeignLabel { label: 3, count: 0 });
    assert!(err.to_string().contains("label 3"), "{err}");
    let err = fails(|_| {}, |asm| asm.lea(Rax, Mem::label(foreign)));
    assert_eq!(err, EmitError::ForeignLabel { label: 3, count: 0 });
}

#[test]
fn label_bound_twice() {
    let mut asm = Assembler::new();
    let l = asm.new_label();
    asm.bind(l).unwrap();
    asm.ret().unwrap();
    let err = asm.bind(l).unwrap_err();
    assert_eq!(err, EmitError::LabelRebound { label: 0, first: 0, second: 1 });
    assert!(err.to_string().contains("label 0"), "{err}");
}

#[test]
fn instructions_beyond_the_feature_set_are_refused() {
    use trinity_emit::kernels::{x86_64::tier_features, Tier};
    use trinity_emit::x86_64::Features;
    // An avx2-tier assembler: any AVX-512 form is a typed error naming what it lacks, and
    // writes nothing; the VEX forms of the same mnemonic still encode.
    let mut avx2 = Assembler::for_features(tier_features(Tier::Avx2));
    let e = avx2.vpaddb(Zmm::Z1, Zmm::Z2, Zmm::Z3).unwrap_err();
    assert_eq!(
        e,
        EmitError::FeatureNotAllowed { mnemonic: "vpaddb", feature: "avx512f+avx512bw".into() }
    );
    assert!(e.to_string().contains("vpaddb needs avx512f+avx512bw"), "{e}");
    let e = avx2.kmovq(K::K1, Rax).unwrap_err();
    assert_eq!(
        e,
        EmitError::FeatureNotAllowed { mnemonic: "kmovq", feature: "avx512f+avx512bw".into() }
    );
    let e = avx2.andn(Rax, Rbx, Rcx).unwrap_err();
    assert_eq!(e, EmitError::FeatureNotAllowed { mnemonic: "andn", feature: "bmi1".into() });
    assert_eq!(avx2.offset(), 0, "nothing is written for a refused instruction");
    avx2.vpaddb(Ymm::Y1, Ymm::Y2, Ymm::Y3).unwrap();
    avx2.popcnt(Rax, Rbx).unwrap();
    // vpopcntq in an avx512 (no VPOPCNTDQ) assembler; fine one tier up.
    let mut avx512 = Assembler::for_features(tier_features(Tier::Avx512));
    avx512.vpaddb(Zmm::Z1, Zmm::Z2, Zmm::Z3).unwrap();
    let e = avx512.vpopcntq(Zmm::Z1, Zmm::Z2).unwrap_err();
    assert_eq!(
        e,
        EmitError::FeatureNotAllowed { mnemonic: "vpopcntq", feature: "avx512vpopcntdq".into() }
    );
    let mut vpopcnt = Assembler::for_features(tier_features(Tier::Avx512Vpopcnt));
    vpopcnt.vpopcntq(Zmm::Z1, Zmm::Z2).unwrap();
    let e = vpopcnt.vpopcntb(Zmm::Z1, Zmm::Z2).unwrap_err();
    assert_eq!(
        e,
        EmitError::FeatureNotAllowed { mnemonic: "vpopcntb", feature: "avx512bitalg".into() }
    );
    // Baseline only: general-purpose code encodes, the first AVX instruction does not.
    let mut base = Assembler::for_features(Features::BASE);
    base.add(Rax, 1).unwrap();
    let e = base.vzeroupper().unwrap_err();
    assert_eq!(e, EmitError::FeatureNotAllowed { mnemonic: "vzeroupper", feature: "avx".into() });
    // Assembler::new allows every feature.
    Assembler::new().vpopcntw(Zmm::Z1, Zmm::Z2).unwrap();
}
