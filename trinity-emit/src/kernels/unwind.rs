//! Win64 unwind data: what a kernel's prologue did to `rsp` and where it saved nonvolatile
//! registers, so that debuggers, profilers and structured exception handling can walk through
//! the kernel (Microsoft's "x64 exception handling": `UNWIND_INFO` in `.xdata`,
//! `RUNTIME_FUNCTION` in `.pdata`).
//!
//! The x86-64 generator describes a kernel's prologue once, as a list of [`PrologueOp`]s: it
//! emits the instructions from that list (and the epilogue from the list reversed) and records
//! where each instruction ends, which is all an [`UnwindInfo`] holds. Object files
//! ([`write_object`](crate::object_file::write_object)) encode it with [`UnwindInfo::to_bytes`];
//! assembler source ([`kernel_source`](crate::asm_source::kernel_source)) turns it into SEH
//! directives.
//!
//! Only Win64 kernels whose prologue moves `rsp` have unwind data. A kernel that leaves `rsp`
//! alone is a leaf function and needs none: finding no table entry, the unwinder takes the
//! return address at `[rsp]`, which is right for it. Kernels for the native conventions
//! (System V, AAPCS64) have none either: their platforms unwind from other formats (`.eh_frame`,
//! compact unwind), which Trinity does not write.

use crate::x86_64::{Gpr64, Xmm};

/// One prologue instruction, as the unwinder must undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrologueOp {
    /// `push reg`: saves a nonvolatile general-purpose register, `rsp -= 8`.
    Push(Gpr64),
    /// `sub rsp, bytes`: the fixed stack allocation (a nonzero multiple of 8).
    Alloc(u32),
    /// A 128-bit store of a nonvolatile xmm register to `[rsp + offset]`, `offset` counted from
    /// `rsp` at the end of the prologue (a multiple of 16).
    SaveXmm(Xmm, u32),
}

/// A prologue instruction and where it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrologueStep {
    /// What the instruction does.
    pub op: PrologueOp,
    /// The code offset just past the instruction (the unwind code's "offset in prolog").
    pub end: usize,
}

/// Why prologue steps cannot be described as Win64 unwind data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnwindError {
    /// A step ends past the 255 bytes an `UNWIND_INFO` prologue may span.
    #[error(
        "prologue step {op:?} ends at offset {end}, past the 255 bytes unwind data can describe"
    )]
    PrologueTooLong {
        /// The step.
        op: PrologueOp,
        /// Where it ends.
        end: usize,
    },
    /// A step does not end after the one before it.
    #[error(
        "prologue step {op:?} ends at offset {end}, not after the previous step's end {previous}"
    )]
    OutOfOrder {
        /// The step.
        op: PrologueOp,
        /// Where it ends.
        end: usize,
        /// Where the step before it ends.
        previous: usize,
    },
    /// More unwind code slots than the 255 an `UNWIND_INFO` can count.
    #[error(
        "the prologue needs {count} unwind code slots, more than the 255 unwind data can hold"
    )]
    TooManyCodes {
        /// The slots needed.
        count: usize,
    },
    /// A stack allocation of zero bytes or of bytes that are not a multiple of 8.
    #[error("stack allocation of {bytes} bytes is not a nonzero multiple of 8")]
    BadAlloc {
        /// The size given.
        bytes: u32,
    },
    /// An xmm save slot that is not a multiple of 16 bytes from `rsp`.
    #[error("xmm save offset {offset} is not a multiple of 16")]
    BadXmmOffset {
        /// The offset given.
        offset: u32,
    },
}

/// The unwind data of one kernel: its prologue steps, in prologue order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnwindInfo {
    steps: Vec<PrologueStep>,
}

// Unwind operation codes (the low nibble of an unwind code's second byte).
const UWOP_PUSH_NONVOL: u8 = 0;
const UWOP_ALLOC_LARGE: u8 = 1;
const UWOP_ALLOC_SMALL: u8 = 2;
const UWOP_SAVE_XMM128: u8 = 8;
const UWOP_SAVE_XMM128_FAR: u8 = 9;

impl UnwindInfo {
    /// Unwind data for `steps`, checked: each step ends after the one before and within 255
    /// bytes, allocations are nonzero multiples of 8, xmm slots multiples of 16, and the codes
    /// fit in 255 slots.
    pub fn new(steps: Vec<PrologueStep>) -> Result<Self, UnwindError> {
        let mut previous = 0;
        for &PrologueStep { op, end } in &steps {
            if end <= previous {
                return Err(UnwindError::OutOfOrder { op, end, previous });
            }
            if end > usize::from(u8::MAX) {
                return Err(UnwindError::PrologueTooLong { op, end });
            }
            match op {
                PrologueOp::Alloc(bytes) if bytes == 0 || bytes % 8 != 0 => {
                    return Err(UnwindError::BadAlloc { bytes })
                }
                PrologueOp::SaveXmm(_, offset) if offset % 16 != 0 => {
                    return Err(UnwindError::BadXmmOffset { offset })
                }
                _ => {}
            }
            previous = end;
        }
        let info = UnwindInfo { steps };
        match info.codes().len() {
            count @ 256.. => Err(UnwindError::TooManyCodes { count }),
            _ => Ok(info),
        }
    }

    /// The prologue steps, in prologue order.
    pub fn steps(&self) -> &[PrologueStep] {
        &self.steps
    }

    /// The prologue's length in bytes: where its last step ends (0 without steps).
    pub fn prologue_size(&self) -> usize {
        self.steps.last().map_or(0, |s| s.end)
    }

    /// The unwind code slots (16-bit, little-endian in memory), last prologue step first, each
    /// in its shortest encoding.
    pub fn codes(&self) -> Vec<u16> {
        let mut slots = Vec::new();
        for step in self.steps.iter().rev() {
            // `new` checked end <= 255.
            let code =
                |op: u8, info: u8| u16::from(step.end as u8) | u16::from(op | info << 4) << 8;
            match step.op {
                PrologueOp::Push(reg) => slots.push(code(UWOP_PUSH_NONVOL, reg.num())),
                PrologueOp::Alloc(bytes @ 8..=128) => {
                    slots.push(code(UWOP_ALLOC_SMALL, (bytes / 8 - 1) as u8))
                }
                PrologueOp::Alloc(bytes) if bytes / 8 <= 0xffff => {
                    slots.extend([code(UWOP_ALLOC_LARGE, 0), (bytes / 8) as u16])
                }
                PrologueOp::Alloc(bytes) => {
                    slots.extend([code(UWOP_ALLOC_LARGE, 1), bytes as u16, (bytes >> 16) as u16])
                }
                PrologueOp::SaveXmm(reg, offset) if offset / 16 <= 0xffff => {
                    slots.extend([code(UWOP_SAVE_XMM128, reg.num()), (offset / 16) as u16])
                }
                PrologueOp::SaveXmm(reg, offset) => slots.extend([
                    code(UWOP_SAVE_XMM128_FAR, reg.num()),
                    offset as u16,
                    (offset >> 16) as u16,
                ]),
            }
        }
        slots
    }

    /// The `UNWIND_INFO` structure: version 1, no flags (no handler), no frame register, the
    /// prologue size, the count and the slots of [`codes`](Self::codes), padded to an even
    /// number of slots (so the structure is a whole number of 32-bit words).
    ///
    /// ```
    /// use trinity_emit::kernels::unwind::{PrologueOp, PrologueStep, UnwindInfo};
    /// use trinity_emit::x86_64::Gpr64;
    /// let info = UnwindInfo::new(vec![PrologueStep { op: PrologueOp::Push(Gpr64::Rdi), end: 1 }])?;
    /// // push rdi ends at 1: UWOP_PUSH_NONVOL (0) of register 7.
    /// assert_eq!(info.to_bytes(), [1, 1, 1, 0, 0x01, 0x70, 0, 0]);
    /// # Ok::<(), trinity_emit::kernels::unwind::UnwindError>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut slots = self.codes();
        // `new` checked the count fits its byte.
        let count = slots.len() as u8;
        if slots.len() % 2 == 1 {
            slots.push(0);
        }
        let mut bytes = vec![1, self.prologue_size() as u8, count, 0];
        bytes.extend(slots.iter().flat_map(|s| s.to_le_bytes()));
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x86_64::{Gpr64::*, Xmm::*};

    fn info(ops: &[PrologueOp]) -> Result<UnwindInfo, UnwindError> {
        let steps = ops.iter().enumerate().map(|(k, &op)| PrologueStep { op, end: 4 * (k + 1) });
        UnwindInfo::new(steps.collect())
    }

    /// Each code in its shortest encoding at the manual's boundaries, last step first. Expected
    /// slots written out by hand: offset byte | (op | info << 4) << 8, then the operand slots.
    #[test]
    fn codes_take_the_shortest_encoding() {
        use PrologueOp::*;
        let cases: [(PrologueOp, &[u16]); 8] = [
            (Push(R15), &[0xf000]),
            (Alloc(8), &[0x0200]),
            (Alloc(128), &[0xf200]),
            (Alloc(136), &[0x0100, 17]),
            (Alloc(512 * 1024 - 8), &[0x0100, 0xffff]),
            (Alloc(512 * 1024), &[0x1100, 0x0000, 0x0008]),
            (SaveXmm(X6, 16 * 0xffff), &[0x6800, 0xffff]),
            (SaveXmm(X15, 16 * 0x10000), &[0xf900, 0x0000, 0x0010]),
        ];
        for (op, slots) in cases {
            let mut expected = slots.to_vec();
            expected[0] |= 4;
            assert_eq!(info(&[op]).unwrap().codes(), expected, "{op:?}");
        }
        let two = info(&[Push(Rdi), Alloc(40)]).unwrap();
        assert_eq!(two.codes(), [0x4208, 0x7004], "reverse prologue order");
        // Header, two slots, no padding; then three slots padded to four.
        assert_eq!(two.to_bytes(), [1, 8, 2, 0, 0x08, 0x42, 0x04, 0x70]);
        let three = info(&[Alloc(136), Push(Rsi)]).unwrap();
        assert_eq!(three.to_bytes(), [1, 8, 3, 0, 0x08, 0x60, 0x04, 0x01, 17, 0, 0, 0]);
    }

    #[test]
    fn bad_steps_are_typed_errors() {
        use PrologueOp::*;
        assert_eq!(info(&[Alloc(0)]), Err(UnwindError::BadAlloc { bytes: 0 }));
        assert_eq!(info(&[Alloc(12)]), Err(UnwindError::BadAlloc { bytes: 12 }));
        assert_eq!(info(&[SaveXmm(X6, 8)]), Err(UnwindError::BadXmmOffset { offset: 8 }));
        let step = |end| PrologueStep { op: Push(Rdi), end };
        assert_eq!(
            UnwindInfo::new(vec![step(3), step(3)]),
            Err(UnwindError::OutOfOrder { op: Push(Rdi), end: 3, previous: 3 })
        );
        assert_eq!(
            UnwindInfo::new(vec![step(0)]).unwrap_err(),
            UnwindError::OutOfOrder { op: Push(Rdi), end: 0, previous: 0 }
        );
        assert_eq!(
            UnwindInfo::new(vec![step(256)]),
            Err(UnwindError::PrologueTooLong { op: Push(Rdi), end: 256 })
        );
        // 3 slots each: 85 fit in 255, 86 do not.
        let far = |n: usize| {
            let steps = (1..=n).map(|end| PrologueStep { op: Alloc(1 << 20), end });
            UnwindInfo::new(steps.collect())
        };
        assert!(far(85).is_ok_and(|i| i.codes().len() == 255));
        assert_eq!(far(86), Err(UnwindError::TooManyCodes { count: 258 }));
    }
}
