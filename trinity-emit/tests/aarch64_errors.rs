//! Every error the AArch64 encoder reports: the exact variant, and a message naming the bad value.

use trinity_emit::aarch64::*;
use trinity_emit::EmitError;

fn message_has(err: &EmitError, needle: &str) {
    assert!(err.to_string().contains(needle), "`{err}` should mention {needle}");
}

/// Assemble `branch` with its label `distance` bytes after it (padding with zero data).
fn branch_over(
    distance: usize,
    branch: impl FnOnce(&mut Assembler, trinity_emit::Label) -> Result<(), EmitError>,
) -> Result<Vec<u8>, EmitError> {
    let mut a = Assembler::new();
    let label = a.new_label();
    branch(&mut a, label)?;
    a.data(&vec![0; distance - 4]);
    a.bind(label)?;
    a.finish()
}

/// The same with the label `distance` bytes before the branch.
fn branch_back(
    distance: usize,
    branch: impl FnOnce(&mut Assembler, trinity_emit::Label) -> Result<(), EmitError>,
) -> Result<Vec<u8>, EmitError> {
    let mut a = Assembler::new();
    let label = a.new_label();
    a.bind(label)?;
    a.data(&vec![0; distance]);
    branch(&mut a, label)?;
    a.finish()
}

#[test]
fn branch_ranges_are_checked_at_both_ends() {
    type Emit = fn(&mut Assembler, trinity_emit::Label) -> Result<(), EmitError>;
    let kinds: [(&str, usize, Emit); 5] = [
        ("imm26", 1 << 27, |a, l| a.b(l)),
        ("imm19", 1 << 20, |a, l| a.b_cond(Cond::Eq, l)),
        ("imm19", 1 << 20, |a, l| a.cbz(X3, l)),
        ("imm14", 1 << 15, |a, l| a.tbnz(W1, 5, l)),
        ("imm21", 1 << 20, |a, l| a.adr(X0, l)),
    ];
    for (name, reach, emit) in kinds {
        let step = if name == "imm21" { 1 } else { 4 };
        assert!(branch_over(reach - step, emit).is_ok(), "{name} forward limit");
        assert!(branch_back(reach, emit).is_ok(), "{name} backward limit");
        let err = branch_over(reach, emit).unwrap_err();
        assert!(
            matches!(err, EmitError::BranchOutOfRange { distance, .. } if distance == reach as i64),
            "{err}"
        );
        message_has(&err, name);
        message_has(&err, &reach.to_string());
        let err = branch_back(reach + step, emit).unwrap_err();
        assert!(
            matches!(err, EmitError::BranchOutOfRange { distance, .. } if distance == -((reach + step) as i64)),
            "{err}"
        );
    }
}

#[test]
fn labels_must_be_bound_once_and_belong_here() {
    let mut a = Assembler::new();
    let l = a.new_label();
    a.b(l).unwrap();
    assert_eq!(a.clone().finish().unwrap_err(), EmitError::UnboundLabel { label: 0 });
    a.bind(l).unwrap();
    assert_eq!(a.bind(l).unwrap_err(), EmitError::LabelRebound { label: 0, first: 4, second: 4 });
    let mut other = Assembler::new();
    let _ = other.new_label();
    let foreign = other.new_label();
    assert_eq!(a.b(foreign).unwrap_err(), EmitError::ForeignLabel { label: 1, count: 1 });
}

#[test]
fn immediates_out_of_range() {
    let mut a = Assembler::new();
    let e = a.add(X0, SP, 4097).unwrap_err();
    assert!(matches!(e, EmitError::ImmediateOutOfRange { value: 4097, .. }), "{e}");
    message_has(&e, "4097");
    assert!(a.add(SP, SP, 1 << 24).is_err());
    let e = a.add(X0, X1, X2.lsl(64)).unwrap_err();
    assert!(matches!(e, EmitError::ImmediateOutOfRange { value: 64, max: 63, .. }), "{e}");
    assert!(a.add(W0, W1, W2.lsl(32)).is_err());
    let e = a.movz(X0, 0x1_0000, 0).unwrap_err();
    message_has(&e, "65536");
    assert!(matches!(a.movz(W0, 1, 32).unwrap_err(), EmitError::InvalidOperand { .. }));
    assert!(matches!(a.movz(X0, 1, 8).unwrap_err(), EmitError::InvalidOperand { .. }));
    let e = a.ldr(X0, Addr::offset(SP, 8 * 4096)).unwrap_err();
    message_has(&e, "32768");
    let e = a.ldr(X0, Addr::pre(X1, 256)).unwrap_err();
    assert!(
        matches!(e, EmitError::ImmediateOutOfRange { value: 256, min: -256, max: 255, .. }),
        "{e}"
    );
    assert!(a.ldp(X0, X1, Addr::offset(SP, 64 * 8)).is_err());
    let e = a.sshr(V0.b16(), V1.b16(), 0).unwrap_err();
    assert!(matches!(e, EmitError::ImmediateOutOfRange { value: 0, min: 1, max: 8, .. }), "{e}");
    assert!(a.shl(V0.s4(), V1.s4(), 32).is_err());
    assert!(a.ext(V0.b8(), V1.b8(), V2.b8(), 8).is_err());
    assert!(a.umov(W0, V1.elem(Size::B, 16)).is_err());
    assert!(a.sdot(V0.s4(), V1.b16(), V2.elem(Size::S, 4)).is_err());
    assert!(a.tbz(W0, 32, a64_label(&mut Assembler::new())).is_err());
    assert!(a.svc(0x1_0000).is_err());
    assert!(a.movi(V0.b16(), 256).is_err());
    assert!(a.lsl(X0, X1, 64).is_err());
    assert_eq!(a.offset(), 0, "nothing is written for a rejected instruction");
}

fn a64_label(a: &mut Assembler) -> trinity_emit::Label {
    a.new_label()
}

#[test]
fn misaligned_offsets() {
    let mut a = Assembler::new();
    let e = a.ldr(X0, Addr::offset(SP, 12)).unwrap_err();
    assert_eq!(e, EmitError::Misaligned { what: "load/store offset", value: 12, multiple: 8 });
    message_has(&e, "12");
    let e = a.stp(V0.q(), V1.q(), Addr::offset(SP, 8)).unwrap_err();
    assert_eq!(e, EmitError::Misaligned { what: "pair offset", value: 8, multiple: 16 });
}

#[test]
fn unencodable_bitmasks() {
    let mut a = Assembler::new();
    for value in [0u64, u64::MAX, 0b101, 0x1234_5678_9abc_def0] {
        let e = a.and(SP, X1, value).unwrap_err();
        assert_eq!(e, EmitError::UnencodableBitmask { value, width: 64 });
        message_has(&e, &format!("{value:#x}"));
    }
    assert_eq!(
        a.orr(WSP, W1, 0x1_0000_0001u64).unwrap_err(),
        EmitError::UnencodableBitmask { value: 0x1_0000_0001, width: 32 }
    );
    assert_eq!(
        a.orr(WSP, W1, 0xffff_ffffu64).unwrap_err(),
        EmitError::UnencodableBitmask { value: 0xffff_ffff, width: 32 }
    );
    assert!(bitmask(0xffff_ffff, 64).is_some(), "32 ones are a valid 64-bit pattern");
}

#[test]
fn wrong_operands() {
    let mut a = Assembler::new();
    let e = a.add(V0.b16(), V1.h8(), V2.b16()).unwrap_err();
    assert!(matches!(e, EmitError::InvalidOperand { instruction: "add", .. }), "{e}");
    message_has(&e, "v1.8h");
    let e = a.cnt(V0.s4(), V1.s4()).unwrap_err();
    message_has(&e, ".4s");
    assert!(a.add(V0.d1(), V1.d1(), V2.d1()).is_err(), "vector add has no .1d form");
    assert!(a.saddlp(V0.h8(), V1.b8()).is_err(), "saddlp of .8b gives .4h");
    assert!(a.smull(V0.h8(), V1.b16(), V2.b16()).is_err(), "smull takes the low halves");
    assert!(a.sdot(V0.s4(), V1.b8(), V2.b8()).is_err());
    assert!(
        a.saddw(V0.s4(), V1.s4(), V2.h8()).is_err(),
        "saddw takes the low half; saddw2 the high one"
    );
    assert!(a.saddw2(V0.s4(), V1.h8(), V2.h8()).is_err(), "the wide source is .4s");
    assert!(a.sqxtn2(V0.b8(), V1.h8()).is_err(), "sqxtn2 writes the high half");
    assert!(a.addv(V0.scalar(Size::H), V1.b16()).is_err());
    assert!(a.addv(V0.scalar(Size::S), V1.s2()).is_err(), "addv has no .2s form");
    assert!(a.add(V0.b16(), V1.b16(), 1).is_err(), "no vector immediate form");
    // Unpredictable forms.
    let e = a.ldr(X1, Addr::post(X1, 8)).unwrap_err();
    message_has(&e, "x1");
    assert!(a.ldp(X2, X2, Addr::offset(SP, 0)).is_err());
    assert!(a.stp(X3, X4, Addr::pre(X3, 16)).is_err());
    assert!(a.ldp(X0, V1.d(), Addr::offset(SP, 0)).is_err(), "mixed pair");
    assert!(a.ldp(W0, W1, Addr::offset(SP, 0)).is_err(), "no W pairs here");
    assert!(a.ld1(&[V0.b16(), V2.b16()], Addr::base(SP)).is_err(), "not consecutive");
    assert!(a.ld1(&[V0.b16(), V1.b8()], Addr::base(SP)).is_err(), "mixed arrangements");
    assert!(
        a.ld1(&[V0.b16()], Addr::post(SP, 8)).is_err(),
        "post-index must equal the bytes loaded"
    );
    assert!(a.ld1(&[], Addr::base(SP)).is_err());
    assert!(a.ldrsb(V0.d(), Addr::base(SP)).is_err());
    assert!(a.umov(X0, V0.elem(Size::B, 0)).is_err());
    assert!(a.dup(V0.d2(), W1).is_err());
    assert!(a.movi(V0.d2(), 0x0100).is_err());
    assert!(a.fadd(V0.d(), V1.d(), X2).is_err());
    assert!(a.fsqrt(V0.scalar(Size::S), V1.d()).is_err());
    assert!(a.cset(X0, Cond::Al).is_err());
    assert!(a.eor(X0, X1, X2.ror(1)).is_ok());
    assert!(a.add(X0, X1, X2.ror(1)).is_err(), "ror is for logical ops only");
    assert!(a.bic(X0, X1, 1).is_err(), "bic has no immediate form");
    assert!(a.mov_imm(XZR, 5).is_err());
}

#[test]
fn sp_and_zero_register_do_not_convert() {
    let e = XSp::try_from(XZR).unwrap_err();
    assert!(matches!(e, EmitError::InvalidOperand { .. }));
    message_has(&e, "31");
    assert!(X::try_from(SP).is_err());
    assert!(WSp::try_from(WZR).is_err());
    assert_eq!(XSp::try_from(X5).unwrap().to_string(), "x5");
    assert_eq!(
        (SP.to_string(), XZR.to_string(), WSP.to_string()),
        ("sp".into(), "xzr".into(), "wsp".into())
    );
    assert!(X::new(32).is_none() && V::new(32).is_none());
}

/// Run the movz/movn/movk/orr words `mov_imm` emits through a tiny model of those four
/// instructions (semantics from the Arm ARM) and return the register's value.
fn run_mov(code: &[u8]) -> u64 {
    let mut x = 0u64;
    for word in code.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())) {
        let imm16 = u64::from((word >> 5) & 0xffff);
        let shift = 16 * ((word >> 21) & 3);
        match word & 0xff80_0000 {
            0xd280_0000 => x = imm16 << shift,
            0x9280_0000 => x = !(imm16 << shift),
            0xf280_0000 => x = (x & !(0xffff << shift)) | (imm16 << shift),
            _ if word & 0xff80_0000 == 0xb200_0000 || word & 0xffc0_0000 == 0xb240_0000 => {
                // orr xd, xzr, #bitmask: decode N:immr:imms.
                let (n, immr, imms) = ((word >> 22) & 1, (word >> 16) & 0x3f, (word >> 10) & 0x3f);
                let len = 31 - ((n << 6) | (!imms & 0x3f)).leading_zeros();
                let e = 1u32 << len;
                let ones = (imms & (e - 1)) + 1;
                let mask = if e == 64 { u64::MAX } else { (1u64 << e) - 1 };
                let run = (1u64 << ones) - 1;
                let elem =
                    if immr == 0 { run } else { ((run >> immr) | (run << (e - immr))) & mask };
                x = (0..64 / e).fold(0, |acc, k| acc | elem << (k * e));
            }
            _ => panic!("unexpected word {word:#x}"),
        }
    }
    x
}

#[test]
fn mov_imm_builds_any_constant() {
    let mut values = vec![
        0u64,
        1,
        0xffff,
        0x1_0000,
        u64::MAX,
        u64::MAX - 1,
        0x5555_5555_5555_5555,
        0x8000_0000_0000_0000,
        0x1234_5678_9abc_def0,
        0xffff_ffff_0000_ffff,
    ];
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..2000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        values.push(s);
        values.push(s & 0xffff_0000_ffff);
        values.push(s | 0xffff_ffff_0000_0000);
    }
    for value in values {
        let mut a = Assembler::new();
        a.mov_imm(X7, value).unwrap();
        let code = a.finish().unwrap();
        assert!(code.len() <= 16);
        assert_eq!(run_mov(&code), value, "{value:#x}");
    }
}

#[test]
fn instructions_beyond_the_feature_set_are_refused() {
    // A NEON-tier kernel's assembler: sdot (DotProd) is a typed error naming the feature.
    let mut a = Assembler::for_features(Features::FP.with(Features::NEON));
    let e = a.sdot(V0.s4(), V1.b16(), V2.b16()).unwrap_err();
    assert_eq!(e, EmitError::FeatureNotAllowed { mnemonic: "sdot", feature: "dotprod".into() });
    message_has(&e, "dotprod");
    assert!(a.udot(V0.s2(), V1.b8(), V2.elem(Size::S, 1)).is_err());
    assert_eq!(a.offset(), 0, "nothing is written for a refused instruction");
    a.add(V0.s4(), V1.s4(), V2.s4()).unwrap();
    let mut dotprod = Assembler::for_features(Features::ALL);
    dotprod.sdot(V0.s4(), V1.b16(), V2.b16()).unwrap();
    // The base set: general-purpose forms only, whatever the mnemonic.
    let mut base = Assembler::for_features(Features::BASE);
    base.add(X0, X1, 1).unwrap();
    let e = base.add(V0.b16(), V1.b16(), V2.b16()).unwrap_err();
    assert_eq!(e, EmitError::FeatureNotAllowed { mnemonic: "add", feature: "neon".into() });
    let e = base.fadd(V0.d(), V1.d(), V2.d()).unwrap_err();
    assert_eq!(e, EmitError::FeatureNotAllowed { mnemonic: "fadd", feature: "fp".into() });
    // Every DotProd form says so; no other form needs it.
    for inst in defs::ALL {
        let dot = matches!(inst.mnemonic, "sdot" | "udot");
        assert_eq!(inst.features().contains(Features::DOTPROD), dot, "{}", inst.mnemonic);
    }
}
