//! General-purpose instructions: moves, arithmetic with its flags, control flow, the stack,
//! `rep movsb`, and hints that do nothing here (nops, prefetches).

use iced_x86::{ConditionCode, Instruction, Mnemonic as M, OpKind, Register};

use super::{
    le, offset, operand_size, text, unsupported, width_mask, Flags, Machine, SimError, RCX, RDI,
    RSI, RSP,
};

/// Execute `ins` if it is a general-purpose instruction; `Ok(false)` if it is not one.
pub(super) fn execute(m: &mut Machine, ins: &Instruction) -> Result<bool, SimError> {
    if (0..ins.op_count()).any(|i| {
        ins.op_kind(i) == OpKind::Register
            && matches!(
                ins.op_register(i),
                Register::AH | Register::BH | Register::CH | Register::DH
            )
    }) {
        return Err(unsupported(ins));
    }
    match ins.mnemonic() {
        M::Nop | M::Prefetcht0 | M::Prefetcht1 | M::Prefetcht2 | M::Prefetchnta => {}
        M::Mov => {
            let v = m.operand(ins, 1)?;
            m.set_operand(ins, 0, v)?;
        }
        M::Movzx => {
            let v = m.operand(ins, 1)?;
            m.set_operand(ins, 0, v)?;
        }
        M::Movsx | M::Movsxd => {
            let v = sign_extend(m.operand(ins, 1)?, operand_size(ins, 1));
            m.set_operand(ins, 0, v as u64)?;
        }
        M::Lea => {
            let a = m.address(ins);
            m.set_operand(ins, 0, a)?;
        }
        M::Add | M::Sub | M::Cmp | M::And | M::Or | M::Xor | M::Test => {
            let size = operand_size(ins, 0);
            let (a, b) = (m.operand(ins, 0)?, m.operand(ins, 1)? & width_mask(size));
            let (r, flags) = alu(ins.mnemonic(), a, b, size);
            m.flags = flags;
            if !matches!(ins.mnemonic(), M::Cmp | M::Test) {
                m.set_operand(ins, 0, r)?;
            }
        }
        M::Inc | M::Dec | M::Neg => {
            let size = operand_size(ins, 0);
            let a = m.operand(ins, 0)?;
            let (r, mut flags) = match ins.mnemonic() {
                M::Inc => alu(M::Add, a, 1, size),
                M::Dec => alu(M::Sub, a, 1, size),
                _ => alu(M::Sub, 0, a, size),
            };
            if ins.mnemonic() != M::Neg {
                flags.cf = m.flags.cf;
            }
            m.flags = flags;
            m.set_operand(ins, 0, r)?;
        }
        M::Shl | M::Shr | M::Sar => {
            let size = operand_size(ins, 0);
            let count = m.operand(ins, 1)? & if size == 8 { 63 } else { 31 };
            let a = m.operand(ins, 0)?;
            if count > 0 {
                let (r, flags) = shift(ins.mnemonic(), a, count as u32, size);
                m.flags = flags;
                m.set_operand(ins, 0, r)?;
            }
        }
        M::Imul if ins.op_count() >= 2 => {
            let size = operand_size(ins, 0);
            let a = sign_extend(m.operand(ins, ins.op_count() - 2)?, size);
            let b = sign_extend(m.operand(ins, ins.op_count() - 1)? & width_mask(size), size);
            let wide = i128::from(a) * i128::from(b);
            let r = wide as u64 & width_mask(size);
            let overflow = i128::from(sign_extend(r, size)) != wide;
            m.flags = Flags { cf: Some(overflow), of: Some(overflow), ..Flags::default() };
            m.set_operand(ins, 0, r)?;
        }
        M::Popcnt | M::Lzcnt | M::Tzcnt => {
            let size = operand_size(ins, 0);
            let a = m.operand(ins, 1)?;
            let bits = 8 * size as u32;
            let r = match ins.mnemonic() {
                M::Popcnt => a.count_ones(),
                M::Lzcnt => (a << (64 - bits)).leading_zeros().min(bits),
                _ => a.trailing_zeros().min(bits),
            };
            m.flags = if ins.mnemonic() == M::Popcnt {
                let f = Some(false);
                Flags { cf: f, zf: Some(a == 0), sf: f, of: f, pf: f }
            } else {
                Flags { cf: Some(a == 0), zf: Some(r == 0), ..Flags::default() }
            };
            m.set_operand(ins, 0, u64::from(r))?;
        }
        M::Push => {
            let v = m.operand(ins, 0)?;
            push(m, ins, v)?;
        }
        M::Pop => {
            let v = le(m.load(ins, m.gpr[RSP], 8)?);
            m.gpr[RSP] += 8;
            m.set_operand(ins, 0, v)?;
        }
        M::Ret if ins.op_count() == 0 => {
            m.rip = le(m.load(ins, m.gpr[RSP], 8)?);
            m.gpr[RSP] += 8;
        }
        M::Call if ins.op0_kind() == OpKind::NearBranch64 => {
            push(m, ins, ins.next_ip())?;
            m.rip = ins.near_branch_target();
        }
        M::Jmp if ins.op0_kind() == OpKind::NearBranch64 => m.rip = ins.near_branch_target(),
        _ if ins.is_jcc_short_or_near() => {
            if condition(m, ins)? {
                m.rip = ins.near_branch_target();
            }
        }
        _ if is_setcc(ins.mnemonic()) => {
            let taken = condition(m, ins)?;
            m.set_operand(ins, 0, u64::from(taken))?;
        }
        _ if ins.condition_code() != ConditionCode::None
            && ins.op_count() == 2
            && !is_setcc(ins.mnemonic()) =>
        {
            // cmovcc reads its source either way; a 32-bit destination is zero-extended even
            // when nothing moves.
            let taken = condition(m, ins)?;
            let v = m.operand(ins, 1)?;
            let keep = m.operand(ins, 0)?;
            m.set_operand(ins, 0, if taken { v } else { keep })?;
        }
        M::Movsb if !ins.has_repne_prefix() => {
            // The direction flag is clear (System V guarantees it at calls; nothing sets it).
            let count = if ins.has_rep_prefix() { m.gpr[RCX] } else { 1 };
            for _ in 0..count {
                let byte = m.load(ins, m.gpr[RSI], 1)?[0];
                m.store(ins, m.gpr[RDI], &[byte])?;
                m.gpr[RSI] = m.gpr[RSI].wrapping_add(1);
                m.gpr[RDI] = m.gpr[RDI].wrapping_add(1);
            }
            if ins.has_rep_prefix() {
                m.gpr[RCX] = 0;
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn is_setcc(m: M) -> bool {
    matches!(
        m,
        M::Seta
            | M::Setae
            | M::Setb
            | M::Setbe
            | M::Sete
            | M::Setne
            | M::Setg
            | M::Setge
            | M::Setl
            | M::Setle
            | M::Sets
            | M::Setns
            | M::Seto
            | M::Setno
            | M::Setp
            | M::Setnp
    )
}

fn push(m: &mut Machine, ins: &Instruction, value: u64) -> Result<(), SimError> {
    let rsp = m.gpr[RSP].wrapping_sub(8);
    m.store(ins, rsp, &value.to_le_bytes())?;
    m.gpr[RSP] = rsp;
    Ok(())
}

fn sign_extend(value: u64, bytes: usize) -> i64 {
    let shift = 64 - 8 * bytes as u32;
    ((value << shift) as i64) >> shift
}

/// ZF, SF and PF of a `size`-byte result.
fn result_flags(r: u64, size: usize) -> Flags {
    let sign = r >> (8 * size - 1) & 1 == 1;
    Flags {
        zf: Some(r == 0),
        sf: Some(sign),
        pf: Some((r as u8).count_ones() % 2 == 0),
        ..Flags::default()
    }
}

/// Result and flags of add, sub/cmp and the logic ops on `size`-byte operands.
fn alu(op: M, a: u64, b: u64, size: usize) -> (u64, Flags) {
    let mask = width_mask(size);
    let top = 8 * size as u32 - 1;
    let (r, cf, of) = match op {
        M::Add => {
            let r = a.wrapping_add(b) & mask;
            (r, r < a, ((a ^ r) & (b ^ r)) >> top & 1 == 1)
        }
        M::Sub | M::Cmp => {
            let r = a.wrapping_sub(b) & mask;
            (r, a < b, ((a ^ b) & (a ^ r)) >> top & 1 == 1)
        }
        M::And | M::Test => (a & b, false, false),
        M::Or => (a | b, false, false),
        _ => (a ^ b, false, false),
    };
    (r, Flags { cf: Some(cf), of: Some(of), ..result_flags(r, size) })
}

/// Result and flags of shl, shr and sar by a nonzero (already masked) `count`.
fn shift(op: M, a: u64, count: u32, size: usize) -> (u64, Flags) {
    let bits = 8 * size as u32;
    let mask = width_mask(size);
    let wide = match op {
        M::Sar => sign_extend(a, size) as u64,
        _ => a,
    };
    // The last bit shifted out; undefined once the count reaches the width (8-/16-bit only).
    let (r, cf, of) = match op {
        M::Shl => {
            let r = a.checked_shl(count).unwrap_or(0) & mask;
            let cf = (count <= bits).then(|| a >> (bits - count) & 1 == 1);
            (r, cf, cf.map(|c| (r >> (bits - 1) & 1 == 1) != c))
        }
        M::Shr => {
            let r = a.checked_shr(count).unwrap_or(0);
            (r, (count <= bits).then(|| a >> (count - 1) & 1 == 1), Some(a >> (bits - 1) & 1 == 1))
        }
        _ => {
            let r = ((wide as i64) >> count.min(63)) as u64 & mask;
            (r, Some((wide as i64) >> (count - 1).min(63) & 1 == 1), Some(false))
        }
    };
    let of = if count == 1 { of } else { None };
    (r, Flags { cf, of, ..result_flags(r, size) })
}

/// Whether the condition of a jcc, setcc or cmovcc holds; reading an undefined flag is an error.
fn condition(m: &Machine, ins: &Instruction) -> Result<bool, SimError> {
    let read = |flag: Option<bool>, name: &'static str| {
        flag.ok_or_else(|| SimError::UndefinedFlag {
            offset: offset(ins),
            text: text(ins),
            flag: name,
        })
    };
    let f = m.flags;
    let cf = || read(f.cf, "CF");
    let zf = || read(f.zf, "ZF");
    let sf = || read(f.sf, "SF");
    let of = || read(f.of, "OF");
    let pf = || read(f.pf, "PF");
    use ConditionCode as C;
    Ok(match ins.condition_code() {
        C::o => of()?,
        C::no => !of()?,
        C::b => cf()?,
        C::ae => !cf()?,
        C::e => zf()?,
        C::ne => !zf()?,
        C::be => cf()? || zf()?,
        C::a => !cf()? && !zf()?,
        C::s => sf()?,
        C::ns => !sf()?,
        C::p => pf()?,
        C::np => !pf()?,
        C::l => sf()? != of()?,
        C::ge => sf()? == of()?,
        C::le => zf()? || sf()? != of()?,
        C::g => !zf()? && sf()? == of()?,
        _ => return Err(unsupported(ins)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flags from the definitions: a wide computation, not the bit tricks above.
    #[test]
    fn add_and_sub_flags_match_wide_arithmetic() {
        let samples = [
            0u64,
            1,
            2,
            0x7f,
            0x80,
            0xff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            u64::MAX,
            1 << 63,
            (1 << 63) - 1,
        ];
        for size in [1usize, 4, 8] {
            let mask = width_mask(size);
            let bits = 8 * size as u32;
            for &a in &samples {
                for &b in &samples {
                    let (a, b) = (a & mask, b & mask);
                    let sa = i128::from(sign_extend(a, size));
                    let sb = i128::from(sign_extend(b, size));
                    let fits = |v: i128| v >= -(1i128 << (bits - 1)) && v < 1i128 << (bits - 1);
                    let (r, f) = alu(M::Add, a, b, size);
                    assert_eq!(r, (u128::from(a) + u128::from(b)) as u64 & mask);
                    assert_eq!(f.cf, Some(u128::from(a) + u128::from(b) > u128::from(mask)));
                    assert_eq!(f.of, Some(!fits(sa + sb)), "{a:#x} + {b:#x} at {size}");
                    let (r, f) = alu(M::Sub, a, b, size);
                    assert_eq!(r, a.wrapping_sub(b) & mask);
                    assert_eq!(f.cf, Some(a < b));
                    assert_eq!(f.of, Some(!fits(sa - sb)), "{a:#x} - {b:#x} at {size}");
                    assert_eq!(f.zf, Some(a == b));
                    assert_eq!(f.sf, Some(r >> (bits - 1) == 1));
                    assert_eq!(f.pf, Some((r & 0xff).count_ones() % 2 == 0));
                }
            }
        }
    }

    #[test]
    fn shifts_follow_the_manual() {
        let (r, f) = shift(M::Shr, 0b1011, 2, 8);
        assert_eq!((r, f.cf, f.of), (0b10, Some(true), None));
        let (r, f) = shift(M::Shl, 1 << 63 | 1, 1, 8);
        assert_eq!((r, f.cf, f.of), (2, Some(true), Some(true)));
        let (r, f) = shift(M::Sar, 0x80, 3, 1);
        assert_eq!((r, f.cf, f.sf), (0xf0, Some(false), Some(true)));
        assert_eq!(shift(M::Shr, 0xff, 9, 1).1.cf, None);
    }
}
