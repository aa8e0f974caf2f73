//! Every AArch64 instruction form, over register combinations and boundary immediates,
//! against llvm-mc 14 (`-triple=aarch64 -mattr=+neon,+dotprod`).
//!
//! Cases are emitted into one assembler in order (every A64 instruction is 4 bytes), rendered
//! as assembly text at the same time, and compared word by word with llvm-mc's encodings.
//! Operands that the architecture calls unpredictable (a writeback base that is also
//! transferred, `ldp` of one register twice) are left out here; the errors test checks that
//! the encoder rejects them.

mod common;

use trinity_emit::aarch64::{self as a64, neon, *};
use trinity_emit::EmitError;

struct Cases {
    asm: Assembler,
    text: Vec<String>,
}

impl Cases {
    fn new() -> Self {
        Cases { asm: Assembler::new(), text: Vec::new() }
    }

    /// Emit one instruction and remember its text.
    fn add(&mut self, text: String, emit: impl FnOnce(&mut Assembler) -> Result<(), EmitError>) {
        let before = self.asm.offset();
        emit(&mut self.asm).unwrap_or_else(|e| panic!("`{text}` was rejected: {e}"));
        assert_eq!(self.asm.offset(), before + 4, "`{text}` must emit one word");
        self.text.push(text);
    }
}

fn x(n: u32) -> X {
    X::new(n as u8).unwrap()
}
fn xsp(n: u32) -> XSp {
    XSp::new(n as u8).unwrap()
}
fn w(n: u32) -> W {
    W::new(n as u8).unwrap()
}
fn wsp(n: u32) -> WSp {
    WSp::new(n as u8).unwrap()
}
fn v(n: u32) -> V {
    V::new(n as u8).unwrap()
}

/// Three register numbers for case `i`, so that every slot takes every value over 32 cases.
fn rot(i: u32) -> (u32, u32, u32) {
    (i % 32, (i * 7 + 3) % 32, (i * 13 + 5) % 32)
}

fn gpr_cases(c: &mut Cases) {
    // add/sub immediate, both widths, every register pair.
    let imms = [0u64, 1, 4095, 4096, 0xfff000];
    let imm_text =
        |imm: u64| if imm < 4096 { format!("#{imm}") } else { format!("#{}, lsl #12", imm >> 12) };
    for (name, flags) in [("add", false), ("sub", false), ("adds", true), ("subs", true)] {
        for d in 0..32 {
            for n in 0..32 {
                let imm = imms[((d + n) % 5) as usize];
                let dx = if flags { x(d).to_string() } else { xsp(d).to_string() };
                let dw = if flags { w(d).to_string() } else { wsp(d).to_string() };
                c.add(format!("{name} {dx}, {}, {}", xsp(n), imm_text(imm)), |a| match name {
                    "add" => a.add_imm::<X>(xsp(d), xsp(n), imm),
                    "sub" => a.sub_imm::<X>(xsp(d), xsp(n), imm),
                    "adds" => a.adds_imm::<X>(x(d), xsp(n), imm),
                    _ => a.subs_imm::<X>(x(d), xsp(n), imm),
                });
                c.add(format!("{name} {dw}, {}, {}", wsp(n), imm_text(imm)), |a| match name {
                    "add" => a.add_imm::<W>(wsp(d), wsp(n), imm),
                    "sub" => a.sub_imm::<W>(wsp(d), wsp(n), imm),
                    "adds" => a.adds_imm::<W>(w(d), wsp(n), imm),
                    _ => a.subs_imm::<W>(w(d), wsp(n), imm),
                });
            }
        }
    }
    for n in 0..32 {
        c.add(format!("cmp {}, #4095", xsp(n)), |a| a.cmp_imm::<X>(xsp(n), 4095));
        c.add(format!("mov sp, {}", xsp(n % 31)), |a| {
            a.mov_sp::<X>(SP, xsp(n % 31));
            Ok(())
        });
        c.add(format!("mov {}, sp", xsp(n % 31)), |a| {
            a.mov_sp::<X>(xsp(n % 31), SP);
            Ok(())
        });
        c.add(format!("mov {}, {}", x(n), x(31 - n)), |a| {
            a.mov::<X>(x(n), x(31 - n));
            Ok(())
        });
        c.add(format!("mov {}, {}", w(n), w(n / 2)), |a| {
            a.mov::<W>(w(n), w(n / 2));
            Ok(())
        });
    }
    // Shifted-register arithmetic and logic: every register triple once per op and width,
    // and every shift with every amount.
    for op in a64::ARITH_OPS {
        for i in 0..32 * 32 {
            let (d, n, m) = (i % 32, i / 32, (i * 13 + 5) % 32);
            let shift = [Shift::Lsl, Shift::Lsr, Shift::Asr][(i % 3) as usize];
            let amount = i % 64;
            c.add(
                format!("{} {}, {}, {}, {} #{amount}", op.mnemonic, x(d), x(n), x(m), shift.name()),
                |a| a.arith(&op, x(d), x(n), x(m), shift, amount),
            );
            c.add(
                format!(
                    "{} {}, {}, {}, {} #{}",
                    op.mnemonic,
                    w(d),
                    w(n),
                    w(m),
                    shift.name(),
                    amount % 32
                ),
                |a| a.arith(&op, w(d), w(n), w(m), shift, amount % 32),
            );
        }
    }
    for op in a64::LOGIC_OPS {
        for i in 0..32 * 32 {
            let (d, n, m) = (i % 32, i / 32, (i * 13 + 5) % 32);
            let shift = Shift::ALL[(i % 4) as usize];
            let amount = (i * 3) % 64;
            c.add(
                format!("{} {}, {}, {}, {} #{amount}", op.mnemonic, x(d), x(n), x(m), shift.name()),
                |a| a.logic(&op, x(d), x(n), x(m), shift, amount),
            );
            c.add(
                format!(
                    "{} {}, {}, {}, {} #{}",
                    op.mnemonic,
                    w(d),
                    w(n),
                    w(m),
                    shift.name(),
                    amount % 32
                ),
                |a| a.logic(&op, w(d), w(n), w(m), shift, amount % 32),
            );
        }
    }
    // Every 64-bit and 32-bit bitmask immediate, enumerated from its definition (a rotated run
    // of ones in a replicated element), through and/orr/eor/ands.
    let mut count64 = 0;
    let mut count32 = 0;
    for e in [2u32, 4, 8, 16, 32, 64] {
        for ones in 1..e {
            for r in 0..e {
                let mask = if e == 64 { u64::MAX } else { (1u64 << e) - 1 };
                let run = (1u64 << ones) - 1;
                let elem = if r == 0 { run } else { ((run >> r) | (run << (e - r))) & mask };
                let mut value = 0u64;
                for k in 0..64 / e {
                    value |= elem << (k * e);
                }
                let i = count64;
                let (d, n, _) = rot(i);
                let op = [a64::AND, a64::ORR, a64::EOR, a64::ANDS][(i % 4) as usize];
                let dtext =
                    if op.mnemonic == "ands" { x(d).to_string() } else { xsp(d).to_string() };
                c.add(format!("{} {dtext}, {}, #{value:#x}", op.mnemonic, x(n)), |a| {
                    a.logic_imm::<X>(&op, d, x(n), value)
                });
                count64 += 1;
                if e <= 32 {
                    let value32 = value & 0xffff_ffff;
                    let dtext =
                        if op.mnemonic == "ands" { w(d).to_string() } else { wsp(d).to_string() };
                    c.add(format!("{} {dtext}, {}, #{value32:#x}", op.mnemonic, w(n)), |a| {
                        a.logic_imm::<W>(&op, d, w(n), value32)
                    });
                    count32 += 1;
                }
            }
        }
    }
    assert_eq!((count64, count32), (5334, 1302), "the number of bitmask immediates is well known");
    for i in 0..32 {
        let (d, n, m) = rot(i);
        let ra = (i * 5 + 1) % 32;
        c.add(format!("madd {}, {}, {}, {}", x(d), x(n), x(m), x(ra)), |a| {
            a.madd(x(d), x(n), x(m), x(ra));
            Ok(())
        });
        c.add(format!("msub {}, {}, {}, {}", w(d), w(n), w(m), w(ra)), |a| {
            a.msub(w(d), w(n), w(m), w(ra));
            Ok(())
        });
        c.add(format!("mul {}, {}, {}", x(d), x(n), x(m)), |a| {
            a.mul(x(d), x(n), x(m));
            Ok(())
        });
        c.add(format!("clz {}, {}", x(d), x(n)), |a| {
            a.clz(x(d), x(n));
            Ok(())
        });
        c.add(format!("clz {}, {}", w(d), w(n)), |a| {
            a.clz(w(d), w(n));
            Ok(())
        });
        for shift in [Shift::Lsl, Shift::Lsr, Shift::Asr, Shift::Ror] {
            let mnemonic = ["lslv", "lsrv", "asrv", "rorv"][shift as usize];
            c.add(format!("{mnemonic} {}, {}, {}", x(d), x(n), x(m)), |a| {
                a.shift_reg(shift, x(d), x(n), x(m));
                Ok(())
            });
        }
        for cond in Cond::ALL {
            c.add(format!("csel {}, {}, {}, {}", x(d), x(n), x(m), cond.name()), |a| {
                a.csel(x(d), x(n), x(m), cond);
                Ok(())
            });
            c.add(format!("csinc {}, {}, {}, {}", w(d), w(n), w(m), cond.name()), |a| {
                a.csinc(w(d), w(n), w(m), cond);
                Ok(())
            });
            c.add(format!("csneg {}, {}, {}, {}", x(d), x(n), x(m), cond.name()), |a| {
                a.csneg(x(d), x(n), x(m), cond);
                Ok(())
            });
            if cond != Cond::Al {
                c.add(format!("cset {}, {}", x(d), cond.name()), |a| a.cset(x(d), cond, XZR));
                c.add(format!("cneg {}, {}, {}", w(d), w(n), cond.name()), |a| {
                    a.cneg(w(d), w(n), cond)
                });
            }
        }
        for shift in 0..64 {
            c.add(format!("lsl {}, {}, #{shift}", x(d), x(n)), |a| a.lsl_imm(x(d), x(n), shift));
            c.add(format!("lsr {}, {}, #{shift}", x(d), x(n)), |a| a.lsr_imm(x(d), x(n), shift));
            c.add(format!("asr {}, {}, #{shift}", x(d), x(n)), |a| a.asr_imm(x(d), x(n), shift));
            if shift < 32 {
                c.add(format!("lsl {}, {}, #{shift}", w(d), w(n)), |a| {
                    a.lsl_imm(w(d), w(n), shift)
                });
                c.add(format!("asr {}, {}, #{shift}", w(d), w(n)), |a| {
                    a.asr_imm(w(d), w(n), shift)
                });
            }
        }
        for imm in [0u32, 1, 0x7fff, 0x8000, 0xffff] {
            for hw in [0u32, 16, 32, 48] {
                c.add(format!("movz {}, #{imm}, lsl #{hw}", x(d)), |a| a.movz(x(d), imm, hw));
                c.add(format!("movk {}, #{imm}, lsl #{hw}", x(d)), |a| a.movk(x(d), imm, hw));
                c.add(format!("movn {}, #{imm}, lsl #{hw}", x(d)), |a| a.movn(x(d), imm, hw));
                if hw < 32 {
                    c.add(format!("movz {}, #{imm}, lsl #{hw}", w(d)), |a| a.movz(w(d), imm, hw));
                }
            }
        }
    }
}

fn load_store_cases(c: &mut Cases) {
    // (text of the register, register, access size in bytes)
    let kinds = |t: u32| -> Vec<(String, Rt, i64)> {
        vec![
            (x(t).to_string(), Rt::X(x(t)), 8),
            (w(t).to_string(), Rt::W(w(t)), 4),
            (format!("b{t}"), Rt::V(v(t).scalar(Size::B)), 1),
            (format!("h{t}"), Rt::V(v(t).scalar(Size::H)), 2),
            (format!("s{t}"), Rt::V(v(t).scalar(Size::S)), 4),
            (format!("d{t}"), Rt::V(v(t).d()), 8),
            (format!("q{t}"), Rt::V(v(t).q()), 16),
        ]
    };
    for i in 0..32 * 32 {
        let (t, n) = (i % 32, i / 32);
        let m = (i * 13 + 5) % 31; // never 31: the index register is a plain X register
        for (name, rt, size) in kinds(t) {
            for load in [false, true] {
                let mn = if load { "ldr" } else { "str" };
                let emit = |a: &mut Assembler, addr: Addr| {
                    if load {
                        a.ldr(rt, addr)
                    } else {
                        a.str(rt, addr)
                    }
                };
                let offset = [0, size, 4095 * size, size * 7][(i % 4) as usize];
                c.add(format!("{mn} {name}, [{}, #{offset}]", xsp(n)), |a| {
                    emit(a, Addr::offset(xsp(n), offset))
                });
                let writeback_ok = !matches!(rt, Rt::X(_) | Rt::W(_)) || t != n || n == 31;
                if writeback_ok {
                    let imm = [-256, 255, -1, 0][(i % 4) as usize];
                    c.add(format!("{mn} {name}, [{}, #{imm}]!", xsp(n)), |a| {
                        emit(a, Addr::pre(xsp(n), imm))
                    });
                    c.add(format!("{mn} {name}, [{}], #{imm}", xsp(n)), |a| {
                        emit(a, Addr::post(xsp(n), imm))
                    });
                }
                c.add(format!("{mn} {name}, [{}, {}]", xsp(n), x(m)), |a| {
                    emit(a, Addr::reg(xsp(n), x(m)))
                });
                let lsl = size.trailing_zeros();
                c.add(format!("{mn} {name}, [{}, {}, lsl #{lsl}]", xsp(n), x(m)), |a| {
                    emit(a, Addr::reg_scaled(xsp(n), x(m)))
                });
            }
        }
        let offset = [0i64, 1, 4095, 17][(i % 4) as usize];
        c.add(format!("ldrb {}, [{}, #{offset}]", w(t), xsp(n)), |a| {
            a.ldrb(w(t), Addr::offset(xsp(n), offset))
        });
        c.add(format!("strb {}, [{}, #{offset}]", w(t), xsp(n)), |a| {
            a.strb(w(t), Addr::offset(xsp(n), offset))
        });
        c.add(format!("ldrh {}, [{}, #{}]", w(t), xsp(n), offset * 2), |a| {
            a.ldrh(w(t), Addr::offset(xsp(n), offset * 2))
        });
        c.add(format!("strh {}, [{}, #{}]", w(t), xsp(n), offset * 2), |a| {
            a.strh(w(t), Addr::offset(xsp(n), offset * 2))
        });
        c.add(format!("ldrsb {}, [{}, #{offset}]", x(t), xsp(n)), |a| {
            a.ldrsb(x(t), Addr::offset(xsp(n), offset))
        });
        c.add(format!("ldrsb {}, [{}, {}]", w(t), xsp(n), x(m)), |a| {
            a.ldrsb(w(t), Addr::reg(xsp(n), x(m)))
        });
        if t != n || n == 31 {
            c.add(format!("ldrb {}, [{}], #-7", w(t), xsp(n)), |a| {
                a.ldrb(w(t), Addr::post(xsp(n), -7))
            });
        }
    }
    // Pairs: X, D, Q with every addressing mode and offset bounds.
    for i in 0..32 * 32 {
        let (t1, n) = (i % 32, i / 32);
        let t2 = (i * 7 + 3) % 32;
        for (p1, p2, r1, r2, size) in [
            (x(t1).to_string(), x(t2).to_string(), Rt::X(x(t1)), Rt::X(x(t2)), 8i64),
            (format!("d{t1}"), format!("d{t2}"), Rt::V(v(t1).d()), Rt::V(v(t2).d()), 8),
            (format!("q{t1}"), format!("q{t2}"), Rt::V(v(t1).q()), Rt::V(v(t2).q()), 16),
        ] {
            let offset = [0, -64 * size, 63 * size, size][(i % 4) as usize];
            let gpr = matches!(r1, Rt::X(_));
            let writeback_ok = !gpr || n == 31 || (t1 != n && t2 != n);
            c.add(format!("stp {p1}, {p2}, [{}, #{offset}]", xsp(n)), |a| {
                a.stp(r1, r2, Addr::offset(xsp(n), offset))
            });
            if t1 != t2 {
                c.add(format!("ldp {p1}, {p2}, [{}, #{offset}]", xsp(n)), |a| {
                    a.ldp(r1, r2, Addr::offset(xsp(n), offset))
                });
                if writeback_ok {
                    c.add(format!("ldp {p1}, {p2}, [{}, #{offset}]!", xsp(n)), |a| {
                        a.ldp(r1, r2, Addr::pre(xsp(n), offset))
                    });
                }
            }
            if writeback_ok {
                c.add(format!("stp {p1}, {p2}, [{}], #{offset}", xsp(n)), |a| {
                    a.stp(r1, r2, Addr::post(xsp(n), offset))
                });
            }
        }
    }
    // ld1/st1: 1 to 4 registers (wrapping past v31), every arrangement, every base.
    for i in 0..32 * 8 {
        let (t, arr) = (i % 32, Arr::ALL[(i / 32) as usize]);
        let n = (i * 7 + 3) % 32;
        for count in 1..=4u32 {
            let regs: Vec<VReg> = (0..count).map(|k| v((t + k) % 32).arr(arr)).collect();
            let list: Vec<String> = regs.iter().map(|r| r.to_string()).collect();
            let list = list.join(", ");
            let bytes = i64::from(count) * if arr.q() == 1 { 16 } else { 8 };
            c.add(format!("ld1 {{{list}}}, [{}]", xsp(n)), |a| a.ld1(&regs, Addr::base(xsp(n))));
            c.add(format!("st1 {{{list}}}, [{}]", xsp(n)), |a| a.st1(&regs, Addr::base(xsp(n))));
            c.add(format!("ld1 {{{list}}}, [{}], #{bytes}", xsp(n)), |a| {
                a.ld1(&regs, Addr::post(xsp(n), bytes))
            });
            let m = (i * 13 + 1) % 31;
            c.add(format!("st1 {{{list}}}, [{}], {}", xsp(n), x(m)), |a| {
                a.st1(&regs, Addr::reg(xsp(n), x(m)))
            });
        }
    }
}

/// A branch-like instruction `distance` bytes before (negative: after) its label, assembled on
/// its own (so the padding stays out of the batch) and added to the batch as its word.
fn at_distance(
    c: &mut Cases,
    text: String,
    distance: i64,
    emit: impl FnOnce(&mut Assembler, trinity_emit::Label) -> Result<(), EmitError>,
) {
    let mut a = Assembler::new();
    let label = a.new_label();
    if distance <= 0 {
        a.bind(label).unwrap();
        for _ in 0..distance.unsigned_abs() / 4 {
            a.nop();
        }
    }
    let at = a.offset();
    emit(&mut a, label).unwrap_or_else(|e| panic!("`{text}` was rejected: {e}"));
    if distance > 0 {
        while a.offset() < at + distance as usize {
            a.nop();
        }
        a.bind(label).unwrap();
    }
    let code = a.finish().unwrap();
    let word = u32::from_le_bytes(code[at..at + 4].try_into().unwrap());
    c.add(text, |a| {
        a.word(word);
        Ok(())
    });
}

fn branch_cases(c: &mut Cases) {
    let distances = [0i64, 4, 8, -4, -8, 1024, -1024, 65532, -65536, (1 << 20) - 4, -(1 << 20)];
    for (i, &d) in distances.iter().enumerate() {
        let i = i as u32;
        let cond = Cond::ALL[i as usize % 15];
        at_distance(c, format!("b #{d}"), d, |a, l| a.b(l));
        at_distance(c, format!("bl #{d}"), d, |a, l| a.bl(l));
        at_distance(c, format!("b.{} #{d}", cond.name()), d, |a, l| a.b_cond(cond, l));
        at_distance(c, format!("cbz {}, #{d}", x(i)), d, |a, l| a.cbz(x(i), l));
        at_distance(c, format!("cbnz {}, #{d}", w(i)), d, |a, l| a.cbnz(w(i), l));
        at_distance(c, format!("adr {}, #{d}", x(i)), d, |a, l| a.adr(x(i), l));
        at_distance(c, format!("ldr q{i}, #{d}"), d, |a, l| a.ldr_literal(v(i).q(), l));
        at_distance(c, format!("ldr {}, #{d}", x(i)), d, |a, l| a.ldr_literal(x(i), l));
        if d.abs() < 1 << 15 {
            let bit = (i * 11) % 64;
            at_distance(c, format!("tbz {}, #{bit}, #{d}", x(i)), d, |a, l| a.tbz(x(i), bit, l));
            at_distance(c, format!("tbnz {}, #{}, #{d}", w(i), bit % 32), d, |a, l| {
                a.tbnz(w(i), bit % 32, l)
            });
        }
    }
    for d in [(1i64 << 27) - 4, -(1 << 27)] {
        at_distance(c, format!("b #{d}"), d, |a, l| a.b(l));
    }
    for n in 0..32 {
        c.add(format!("ret {}", x(n)), |a| {
            a.ret_to(x(n));
            Ok(())
        });
        c.add(format!("br {}", x(n)), |a| {
            a.br(x(n));
            Ok(())
        });
        c.add(format!("blr {}", x(n)), |a| {
            a.blr(x(n));
            Ok(())
        });
    }
    for imm in [0u32, 1, 0x8000, 0xffff] {
        c.add(format!("svc #{imm}"), |a| a.svc(imm));
        c.add(format!("brk #{imm}"), |a| a.brk(imm));
    }
    c.add("nop".into(), |a| {
        a.nop();
        Ok(())
    });
    c.add("ret".into(), |a| a.ret());
}

fn neon_table_cases(c: &mut Cases) {
    for op in neon::ALL {
        let mn = op.mnemonic;
        let arrs: Vec<Arr> = match op.shape {
            Shape::Same3(a)
            | Shape::Same2(a)
            | Shape::Zero2(a)
            | Shape::Pairwise(a)
            | Shape::Narrow(a) => a.to_vec(),
            Shape::Long3(a)
            | Shape::Wide3(a)
            | Shape::Extend(a)
            | Shape::ShiftRight(a)
            | Shape::ShiftLeft(a) => a.to_vec(),
            Shape::Across { arrs, .. } => arrs.to_vec(),
            Shape::Dot | Shape::DotElem => vec![Arr::S2, Arr::S4],
        };
        for (k, &arr) in arrs.iter().enumerate() {
            // The first arrangement over every (d, n) pair; the rest over rotating registers.
            let count = if k == 0 { 32 * 32 } else { 32 };
            for i in 0..count {
                let (d, n, m) = if k == 0 { (i % 32, i / 32, (i * 13 + 5) % 32) } else { rot(i) };
                let (vd, vn, vm) = (v(d), v(n), v(m));
                match op.shape {
                    Shape::Same3(_) => c.add(
                        format!("{mn} {}, {}, {}", vd.arr(arr), vn.arr(arr), vm.arr(arr)),
                        |a| a.neon3(op, vd.arr(arr), vn.arr(arr), vm.arr(arr)),
                    ),
                    Shape::Same2(_) => c
                        .add(format!("{mn} {}, {}", vd.arr(arr), vn.arr(arr)), |a| {
                            a.neon2(op, vd.arr(arr), vn.arr(arr))
                        }),
                    Shape::Zero2(_) => c
                        .add(format!("{mn} {}, {}, #0", vd.arr(arr), vn.arr(arr)), |a| {
                            a.neon2(op, vd.arr(arr), vn.arr(arr))
                        }),
                    Shape::Pairwise(_) => {
                        let wide = arr.widened().unwrap();
                        c.add(format!("{mn} {}, {}", vd.arr(wide), vn.arr(arr)), |a| {
                            a.neon2(op, vd.arr(wide), vn.arr(arr))
                        })
                    }
                    Shape::Narrow(_) => {
                        let long = arr.long().unwrap();
                        c.add(format!("{mn} {}, {}", vd.arr(arr), vn.arr(long)), |a| {
                            a.neon2(op, vd.arr(arr), vn.arr(long))
                        })
                    }
                    Shape::Extend(_) => {
                        let long = arr.long().unwrap();
                        c.add(format!("{mn} {}, {}", vd.arr(long), vn.arr(arr)), |a| {
                            a.neon2(op, vd.arr(long), vn.arr(arr))
                        })
                    }
                    Shape::Long3(_) => {
                        let long = arr.long().unwrap();
                        c.add(
                            format!("{mn} {}, {}, {}", vd.arr(long), vn.arr(arr), vm.arr(arr)),
                            |a| a.neon3(op, vd.arr(long), vn.arr(arr), vm.arr(arr)),
                        )
                    }
                    Shape::Wide3(_) => {
                        let long = arr.long().unwrap();
                        c.add(
                            format!("{mn} {}, {}, {}", vd.arr(long), vn.arr(long), vm.arr(arr)),
                            |a| a.neon3(op, vd.arr(long), vn.arr(long), vm.arr(arr)),
                        )
                    }
                    Shape::Across { widen, .. } => {
                        let size = [Size::B, Size::H, Size::S, Size::D]
                            [(arr.size() + widen as u32) as usize];
                        let sd = vd.scalar(size);
                        c.add(format!("{mn} {sd}, {}", vn.arr(arr)), |a| {
                            a.neon_across(op, sd, vn.arr(arr))
                        })
                    }
                    Shape::ShiftRight(_) | Shape::ShiftLeft(_) => {
                        let esize = 8u32 << arr.size();
                        let right = matches!(op.shape, Shape::ShiftRight(_));
                        let shift = if right { 1 + i % esize } else { i % esize };
                        c.add(format!("{mn} {}, {}, #{shift}", vd.arr(arr), vn.arr(arr)), |a| {
                            a.neon_shift(op, vd.arr(arr), vn.arr(arr), shift)
                        })
                    }
                    Shape::Dot => {
                        let src = if arr == Arr::S4 { Arr::B16 } else { Arr::B8 };
                        c.add(
                            format!("{mn} {}, {}, {}", vd.arr(arr), vn.arr(src), vm.arr(src)),
                            |a| a.neon3(op, vd.arr(arr), vn.arr(src), vm.arr(src)),
                        )
                    }
                    Shape::DotElem => {
                        let src = if arr == Arr::S4 { Arr::B16 } else { Arr::B8 };
                        let index = (i % 4) as u8;
                        c.add(
                            format!("{mn} {}, {}, v{m}.4b[{index}]", vd.arr(arr), vn.arr(src)),
                            |a| a.neon_dot_elem(op, vd.arr(arr), vn.arr(src), vm, index),
                        )
                    }
                }
            }
        }
    }
}

fn neon_misc_cases(c: &mut Cases) {
    let sizes = [Size::B, Size::H, Size::S, Size::D];
    for i in 0..32u32 {
        let (d, n, m) = rot(i);
        for arr in [Arr::B8, Arr::B16] {
            let index = i % if arr.q() == 1 { 16 } else { 8 };
            c.add(
                format!("ext {}, {}, {}, #{index}", v(d).arr(arr), v(n).arr(arr), v(m).arr(arr)),
                |a| a.ext(v(d).arr(arr), v(n).arr(arr), v(m).arr(arr), index),
            );
            c.add(format!("movi {}, #{}", v(d).arr(arr), (i * 37) % 256), |a| {
                a.movi(v(d).arr(arr), (i * 37) % 256)
            });
        }
        let mask = (0..8).fold(0u64, |acc, b| {
            if (i * 73 + 11) >> b & 1 == 1 {
                acc | 0xff << (8 * b)
            } else {
                acc
            }
        });
        c.add(format!("movi {}, #{mask:#x}", v(d).d2()), |a| a.movi_2d(v(d).d2(), mask));
        for arr in neon::NO_D1 {
            let size = sizes[arr.size() as usize];
            let index = (i % (16 >> arr.size())) as u8;
            let e = v(n).elem(size, index);
            c.add(format!("dup {}, {e}", v(d).arr(*arr)), |a| a.dup_elem(v(d).arr(*arr), e));
            let (gpr, rt) = if size == Size::D {
                (x(m).to_string(), Rt::X(x(m)))
            } else {
                (w(m).to_string(), Rt::W(w(m)))
            };
            c.add(format!("dup {}, {gpr}", v(d).arr(*arr)), |a| a.dup_gpr(v(d).arr(*arr), rt));
        }
        for size in sizes {
            let index = (i % (16 >> size.log2())) as u8;
            let e = v(n).elem(size, index);
            let (gpr, rt) = if size == Size::D {
                (x(d).to_string(), Rt::X(x(d)))
            } else {
                (w(d).to_string(), Rt::W(w(d)))
            };
            c.add(format!("umov {gpr}, {e}"), |a| a.umov(rt, e));
            c.add(format!("ins {e}, {gpr}"), |a| a.ins_gpr(e, rt));
            let src = v(m).elem(size, ((i * 5) % (16 >> size.log2())) as u8);
            c.add(format!("ins {e}, {src}"), |a| a.ins_elem(e, src));
            if size != Size::D {
                c.add(format!("smov {}, {e}", x(d)), |a| a.smov(Rt::X(x(d)), e));
                if size != Size::S {
                    c.add(format!("smov {}, {e}", w(d)), |a| a.smov(Rt::W(w(d)), e));
                }
            }
        }
        c.add(format!("addp d{d}, {}", v(n).d2()), |a| a.addp_scalar(v(d).d(), v(n).d2()));
        c.add(format!("fmov d{d}, {}", x(n)), |a| a.fmov_from_gpr(v(d).d(), x(n)));
        c.add(format!("fmov {}, d{n}", x(d)), |a| a.fmov_to_gpr(x(d), v(n).d()));
        c.add(format!("scvtf d{d}, {}", x(n)), |a| a.scvtf(v(d).d(), x(n)));
        for op in FpOp::ALL {
            let mn = op.mnemonic();
            if op.binary() {
                c.add(format!("{mn} d{d}, d{n}, d{m}"), |a| {
                    a.fp(op, v(d).d(), v(n).d(), Some(v(m).d()))
                });
            } else {
                c.add(format!("{mn} d{d}, d{n}"), |a| a.fp(op, v(d).d(), v(n).d(), None));
            }
        }
        c.add(format!("fcmp d{n}, d{m}"), |a| a.fcmp(v(n).d(), Some(v(m).d())));
        c.add(format!("fcmp d{n}, #0.0"), |a| a.fcmp(v(n).d(), None));
    }
}

#[test]
fn every_form_matches_llvm_mc() {
    let Some(llvm_mc) = common::llvm_mc() else { return };
    let mut cases = Cases::new();
    gpr_cases(&mut cases);
    load_store_cases(&mut cases);
    branch_cases(&mut cases);
    neon_table_cases(&mut cases);
    neon_misc_cases(&mut cases);
    let Cases { asm, text } = cases;
    let code = asm.finish().unwrap();
    assert_eq!(code.len(), 4 * text.len());
    // Two llvm-mc processes at once: the machine has two cores.
    let half = text.len() / 2;
    let (left, right) = text.split_at(half);
    let args = ["-triple=aarch64", "-mattr=+neon,+dotprod"];
    let encodings = std::thread::scope(|s| {
        let first = s.spawn(|| common::assemble(&llvm_mc, &args, left));
        let mut all = common::assemble(&llvm_mc, &args, right);
        let mut out = first.join().unwrap();
        out.append(&mut all);
        out
    });
    let mut mismatches = Vec::new();
    for (i, (line, expected)) in text.iter().zip(&encodings).enumerate() {
        let ours = &code[4 * i..4 * i + 4];
        if ours != expected.as_slice() {
            mismatches.push(format!(
                "{line}: ours {} llvm-mc {}",
                common::hex(ours),
                common::hex(expected)
            ));
        }
    }
    println!("aarch64 oracle: {} (form, operands) cases checked against llvm-mc", text.len());
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first ones:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(30)].join("\n")
    );
    assert!(text.len() > 100_000, "only {} cases", text.len());
}
