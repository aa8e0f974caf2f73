//! A small, strict x86-64 simulator for Trinity's generated kernels.
//!
//! It interprets exactly the instructions Trinity's kernels use (decoded by `iced-x86`), with
//! the semantics of the Intel SDM, so that kernels of a tier this machine lacks (AVX-512) are
//! still proven, and kernels of the tiers it has are cross-checked against the hardware.
//! Strict means:
//!
//! - memory is a set of explicit [`Region`]s and every load and store must lie entirely inside
//!   one ([`MemError`]): a one-byte over-read is caught wherever a region ends, which guard
//!   pages only catch at page edges; prefetches never fault and are not checked;
//! - every instruction's CPUID features must be in the allowed [`Features`], which also proves
//!   a kernel uses only its tier's instructions;
//! - an instruction outside the supported set, a flag read while undefined, a callee-saved
//!   register not restored, or running past a step limit are typed errors ([`SimError`]).
//!
//! ```
//! use trinity_testkit::x86_sim::{Features, Simulator};
//! // lea rax, [rdi + rsi]; ret
//! let code = [0x48, 0x8d, 0x04, 0x37, 0xc3];
//! let sim = Simulator::new(Features::avx2_tier());
//! assert_eq!(sim.call(&code, &[40, 2])?.rax, 42);
//! # Ok::<(), trinity_testkit::x86_sim::SimError>(())
//! ```

mod memory;
mod scalar;
mod vector;

use std::collections::BTreeSet;

use iced_x86::{
    CpuidFeature, Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, OpKind, Register,
};

use trinity_emit::kernels::x86_64::tier_features;
use trinity_emit::kernels::{Arch, Tier};

pub use memory::{MemError, Memory, Region, DATA_BASE};

/// Where [`Simulator::call`] places the code (a read-only region).
pub const CODE_BASE: u64 = 0x40_0000;
/// The highest address of the stack region, exclusive.
pub const STACK_TOP: u64 = 0x7fff_0000_0000;
/// The return address [`Simulator::call`] pushes: a `ret` to it ends the call.
pub const RETURN_SENTINEL: u64 = 0xdead_0000_0000_beef;
/// What every register that is neither an argument nor callee-saved holds at entry, so a
/// kernel relying on a zeroed register fails.
pub const GARBAGE: u64 = 0x6b6b_6b6b_6b6b_6b6b;
/// The System V argument registers, in order (indices into [`Machine::gpr`]).
pub const SYSV_ARGS: [usize; 6] = [RDI, RSI, RDX, RCX, R8, R9];
/// The System V callee-saved registers besides rsp (indices into [`Machine::gpr`]).
pub const SYSV_SAVED: [usize; 6] = [RBX, RBP, R12, R13, R14, R15];

/// Indices into [`Machine::gpr`], in the architecture's numbering.
pub const RAX: usize = 0;
/// rcx.
pub const RCX: usize = 1;
/// rdx.
pub const RDX: usize = 2;
/// rbx.
pub const RBX: usize = 3;
/// rsp.
pub const RSP: usize = 4;
/// rbp.
pub const RBP: usize = 5;
/// rsi.
pub const RSI: usize = 6;
/// rdi.
pub const RDI: usize = 7;
/// r8.
pub const R8: usize = 8;
/// r9.
pub const R9: usize = 9;
/// r12.
pub const R12: usize = 12;
/// r13.
pub const R13: usize = 13;
/// r14.
pub const R14: usize = 14;
/// r15.
pub const R15: usize = 15;

const GPR_NAMES: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];

/// Why a simulated call failed. Offsets are bytes from the start of the code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A load or store outside the regions, or a store to a read-only one.
    #[error("instruction at offset {offset:#x} ({text}): {error}")]
    Memory {
        /// The instruction's offset.
        offset: u64,
        /// The instruction, in Intel syntax.
        text: String,
        /// The access.
        error: MemError,
    },
    /// An aligned access (`vmovdqa` and kin) to a misaligned address (#GP on hardware).
    #[error("instruction at offset {offset:#x} ({text}): address {address:#x} is not {align}-byte aligned")]
    Misaligned {
        /// The instruction's offset.
        offset: u64,
        /// The instruction, in Intel syntax.
        text: String,
        /// The address.
        address: u64,
        /// The alignment required.
        align: usize,
    },
    /// An instruction needing a CPU feature outside the allowed set.
    #[error("instruction at offset {offset:#x} ({text}) needs {missing:?}, outside the allowed features")]
    Feature {
        /// The instruction's offset.
        offset: u64,
        /// The instruction, in Intel syntax.
        text: String,
        /// The features it needs that are not allowed.
        missing: Vec<CpuidFeature>,
    },
    /// An instruction the simulator does not implement.
    #[error(
        "instruction at offset {offset:#x} ({text}): {mnemonic} is not supported in this form"
    )]
    Unsupported {
        /// The instruction's offset.
        offset: u64,
        /// Its mnemonic, lower case.
        mnemonic: String,
        /// The instruction, in Intel syntax.
        text: String,
    },
    /// Bytes that do not decode to an instruction (or run past the code).
    #[error("no valid instruction at offset {offset:#x}")]
    Decode {
        /// Where decoding failed.
        offset: u64,
    },
    /// Control reached an address outside the code (other than the return sentinel).
    #[error("jump to {rip:#x}, outside the code")]
    Fetch {
        /// The address.
        rip: u64,
    },
    /// A flag read (by a jcc, cmovcc or setcc) while the last instruction to write it left it
    /// undefined.
    #[error("instruction at offset {offset:#x} ({text}) reads {flag}, which is undefined here")]
    UndefinedFlag {
        /// The reading instruction's offset.
        offset: u64,
        /// The instruction, in Intel syntax.
        text: String,
        /// The flag: CF, ZF, SF, OF or PF.
        flag: &'static str,
    },
    /// More instructions ran than the limit.
    #[error("no return after {limit} instructions")]
    StepLimit {
        /// The limit.
        limit: u64,
    },
    /// A callee-saved register (or rsp) differs after the call from before it.
    #[error("callee-saved {register} is {found:#x} after the call, {expected:#x} before")]
    CalleeSaved {
        /// The register's name.
        register: &'static str,
        /// Its value at entry (for rsp: at entry plus 8).
        expected: u64,
        /// Its value at return.
        found: u64,
    },
    /// More arguments than System V passes in registers.
    #[error("{count} arguments; at most 6 go in registers")]
    TooManyArgs {
        /// The number given.
        count: usize,
    },
    /// The code or stack region collides with a caller's region.
    #[error("cannot place the {what}: {error}")]
    Layout {
        /// `code` or `stack`.
        what: &'static str,
        /// The collision.
        error: MemError,
    },
}

/// A set of CPU features, as iced-x86 names them; instructions needing others are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features(BTreeSet<CpuidFeature>);

impl Features {
    /// Exactly `features`.
    pub fn new(features: impl IntoIterator<Item = CpuidFeature>) -> Self {
        Features(features.into_iter().collect())
    }

    /// Baseline x86-64 (8086 to 486, x64, CMOV, CX8, SSE, SSE2, multi-byte NOP).
    pub fn baseline() -> Self {
        use CpuidFeature::*;
        Features::new([INTEL8086, INTEL186, INTEL286, INTEL386, INTEL486, X64, CMOV, CX8]).with([
            SSE,
            SSE2,
            MULTIBYTENOP,
        ])
    }

    /// What the `avx2` tier may use: [`for_tier`](Self::for_tier)`(Tier::Avx2)`.
    pub fn avx2_tier() -> Self {
        Features::for_tier(Tier::Avx2)
    }

    /// [`avx2_tier`](Self::avx2_tier) plus AVX-512 F, BW, VL, VPOPCNTDQ and BITALG: every
    /// feature of the encoder's EVEX forms.
    pub fn avx512_tier() -> Self {
        use CpuidFeature::*;
        Features::avx2_tier().with([AVX512F, AVX512BW, AVX512VL, AVX512_VPOPCNTDQ, AVX512_BITALG])
    }

    /// What kernels of `tier` may use: [`baseline`](Self::baseline) and the tier's
    /// [`tier_features`] (the encoder's names are iced's without underscores), so `avx2` is
    /// AVX, AVX2 and POPCNT, `avx512` adds AVX-512 F and BW, `avx512vpopcnt` VPOPCNTDQ (never
    /// BITALG); the empty set for the AArch64 tiers, whose code this simulator does not run.
    ///
    /// ```
    /// use iced_x86::CpuidFeature::{AVX512BW, AVX512_BITALG, AVX512_VPOPCNTDQ, BMI2, POPCNT};
    /// use trinity_emit::kernels::Tier;
    /// use trinity_testkit::x86_sim::Features;
    /// let avx2 = Features::for_tier(Tier::Avx2);
    /// assert!(avx2.contains(POPCNT) && !avx2.contains(BMI2));
    /// let avx512 = Features::for_tier(Tier::Avx512);
    /// assert!(avx512.contains(AVX512BW) && !avx512.contains(AVX512_VPOPCNTDQ));
    /// let vpopcnt = Features::for_tier(Tier::Avx512Vpopcnt);
    /// assert!(vpopcnt.contains(AVX512_VPOPCNTDQ) && !vpopcnt.contains(AVX512_BITALG));
    /// ```
    pub fn for_tier(tier: Tier) -> Self {
        if tier.arch() != Arch::X86_64 {
            return Features::new([]);
        }
        let names: Vec<String> = tier_features(tier).iter().map(|f| f.to_string()).collect();
        let iced = CpuidFeature::values()
            .filter(|f| names.contains(&format!("{f:?}").to_lowercase().replace('_', "")));
        Features::baseline().with(iced)
    }

    /// These features and `more`.
    pub fn with(mut self, more: impl IntoIterator<Item = CpuidFeature>) -> Self {
        self.0.extend(more);
        self
    }

    /// These features but `less`.
    pub fn without(mut self, less: impl IntoIterator<Item = CpuidFeature>) -> Self {
        for f in less {
            self.0.remove(&f);
        }
        self
    }

    /// Whether `feature` is in the set.
    pub fn contains(&self, feature: CpuidFeature) -> bool {
        self.0.contains(&feature)
    }
}

/// The arithmetic flags the kernels' conditions read; `None` while undefined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// Carry.
    pub cf: Option<bool>,
    /// Zero.
    pub zf: Option<bool>,
    /// Sign.
    pub sf: Option<bool>,
    /// Overflow.
    pub of: Option<bool>,
    /// Parity (of the low byte).
    pub pf: Option<bool>,
}

/// The result of a simulated call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// rax at return.
    pub rax: u64,
    /// xmm0 at return (little-endian bytes).
    pub xmm0: [u8; 16],
    /// Instructions executed.
    pub steps: u64,
    /// The memory at return (the caller's regions, the code and the stack).
    pub memory: Memory,
}

impl Outcome {
    /// The low double of xmm0 (a `double` return value).
    pub fn xmm0_f64(&self) -> f64 {
        f64::from_le_bytes(self.xmm0[..8].try_into().expect("8 bytes"))
    }
}

/// Runs code against a memory under a feature set: the configuration of simulated calls.
#[derive(Debug, Clone)]
pub struct Simulator {
    /// The features instructions may need.
    pub features: Features,
    /// The caller's regions (operands); each call starts from a copy.
    pub memory: Memory,
    /// The most instructions one call may execute.
    pub step_limit: u64,
    /// Bytes of stack below the return address.
    pub stack_bytes: usize,
}

impl Simulator {
    /// A simulator with an empty memory, a 64 KiB stack and a limit of 10^9 instructions.
    pub fn new(features: Features) -> Self {
        Simulator {
            features,
            memory: Memory::new(),
            step_limit: 1_000_000_000,
            stack_bytes: 1 << 16,
        }
    }

    /// A machine ready to run `code` from its start: the code read-only at [`CODE_BASE`], a
    /// copy of the memory, a stack whose top holds [`RETURN_SENTINEL`] (rsp 8 mod 16, as at a
    /// System V entry), every GPR and vector register [`GARBAGE`], every mask register zero.
    pub fn machine(&self, code: &[u8]) -> Result<Machine, SimError> {
        let mut memory = self.memory.clone();
        memory
            .add(CODE_BASE, code.to_vec(), false)
            .map_err(|error| SimError::Layout { what: "code", error })?;
        let mut stack = vec![0u8; self.stack_bytes + 8];
        stack[self.stack_bytes..].copy_from_slice(&RETURN_SENTINEL.to_le_bytes());
        let stack_base = STACK_TOP - stack.len() as u64;
        memory
            .add(stack_base, stack, true)
            .map_err(|error| SimError::Layout { what: "stack", error })?;
        let mut gpr = [GARBAGE; 16];
        gpr[RSP] = STACK_TOP - 8;
        Ok(Machine {
            gpr,
            rip: CODE_BASE,
            flags: Flags::default(),
            zmm: [[GARBAGE as u8; 64]; 32],
            k: [0; 8],
            mxcsr: MXCSR_DEFAULT,
            memory,
            features: self.features.clone(),
            code_len: code.len(),
            decoded: vec![None; code.len()],
            steps: 0,
        })
    }

    /// Call `code` as a System V function of `args` (at most six, in rdi, rsi, rdx, rcx, r8,
    /// r9) and run it until it returns; check that rbx, rbp, r12-r15 and rsp are restored.
    pub fn call(&self, code: &[u8], args: &[u64]) -> Result<Outcome, SimError> {
        if args.len() > SYSV_ARGS.len() {
            return Err(SimError::TooManyArgs { count: args.len() });
        }
        let mut m = self.machine(code)?;
        for (&r, &a) in SYSV_ARGS.iter().zip(args) {
            m.gpr[r] = a;
        }
        for (i, &r) in SYSV_SAVED.iter().enumerate() {
            m.gpr[r] = canary(i);
        }
        let rsp = m.gpr[RSP];
        m.run(self.step_limit)?;
        let expected = SYSV_SAVED.iter().enumerate().map(|(i, &r)| (r, canary(i)));
        for (r, expected) in expected.chain([(RSP, rsp + 8)]) {
            if m.gpr[r] != expected {
                return Err(SimError::CalleeSaved {
                    register: GPR_NAMES[r],
                    expected,
                    found: m.gpr[r],
                });
            }
        }
        let xmm0 = m.zmm[0][..16].try_into().expect("16 bytes");
        Ok(Outcome { rax: m.gpr[RAX], xmm0, steps: m.steps, memory: m.memory })
    }
}

fn canary(i: usize) -> u64 {
    0x5a5a_0000_0000_0000 ^ 0x0101_0101_0101_0101_u64.wrapping_mul(i as u64 + 3)
}

/// MXCSR at reset: all exceptions masked, round to nearest (the only mode simulated).
pub const MXCSR_DEFAULT: u32 = 0x1f80;

/// The simulated machine state.
#[derive(Debug, Clone)]
pub struct Machine {
    /// rax..r15, in the architecture's numbering (see [`RAX`] and the other indices).
    pub gpr: [u64; 16],
    /// The address of the next instruction.
    pub rip: u64,
    /// The arithmetic flags.
    pub flags: Flags,
    /// zmm0..zmm31, little-endian bytes; xmm and ymm are their low 16 and 32 bytes.
    pub zmm: [[u8; 64]; 32],
    /// k0..k7.
    pub k: [u64; 8],
    /// MXCSR (only the default, round to nearest, is simulated).
    pub mxcsr: u32,
    /// The address space, code and stack included.
    pub memory: Memory,
    features: Features,
    code_len: usize,
    decoded: Vec<Option<Instruction>>,
    /// Instructions executed so far.
    pub steps: u64,
}

impl Machine {
    /// Execute from `rip` until a `ret` to [`RETURN_SENTINEL`], or an error; at most `limit`
    /// instructions.
    pub fn run(&mut self, limit: u64) -> Result<(), SimError> {
        while self.rip != RETURN_SENTINEL {
            if self.steps >= limit {
                return Err(SimError::StepLimit { limit });
            }
            self.step()?;
        }
        Ok(())
    }

    /// Execute one instruction.
    pub fn step(&mut self) -> Result<(), SimError> {
        let ins = self.fetch()?;
        self.rip = ins.next_ip();
        self.steps += 1;
        let done = scalar::execute(self, &ins)?;
        if !done && !vector::execute(self, &ins)? {
            return Err(unsupported(&ins));
        }
        Ok(())
    }

    /// The instruction at `rip`, decoded once and checked against the features.
    fn fetch(&mut self) -> Result<Instruction, SimError> {
        let at = self.rip.wrapping_sub(CODE_BASE);
        if at >= self.code_len as u64 {
            return Err(SimError::Fetch { rip: self.rip });
        }
        let at = at as usize;
        if let Some(ins) = self.decoded[at] {
            return Ok(ins);
        }
        let code = self.memory.read(CODE_BASE, self.code_len).expect("the code region");
        let mut decoder = Decoder::with_ip(64, &code[at..], self.rip, DecoderOptions::NONE);
        let ins = decoder.decode();
        if ins.is_invalid() {
            return Err(SimError::Decode { offset: at as u64 });
        }
        let missing: Vec<CpuidFeature> =
            ins.cpuid_features().iter().copied().filter(|&f| !self.features.contains(f)).collect();
        if !missing.is_empty() {
            return Err(SimError::Feature { offset: at as u64, text: text(&ins), missing });
        }
        self.decoded[at] = Some(ins);
        Ok(ins)
    }

    /// The effective address of the instruction's memory operand.
    fn address(&self, ins: &Instruction) -> u64 {
        if ins.is_ip_rel_memory_operand() {
            return ins.ip_rel_memory_address();
        }
        let reg = |r: Register| if r == Register::None { 0 } else { self.gpr[gpr_index(r)] };
        let index = reg(ins.memory_index()).wrapping_mul(u64::from(ins.memory_index_scale()));
        reg(ins.memory_base()).wrapping_add(index).wrapping_add(ins.memory_displacement64())
    }

    /// Load `size` bytes at `address` for `ins`.
    fn load(&self, ins: &Instruction, address: u64, size: usize) -> Result<&[u8], SimError> {
        self.memory.read(address, size).map_err(|error| mem_error(ins, error))
    }

    /// Store `data` at `address` for `ins`.
    fn store(&mut self, ins: &Instruction, address: u64, data: &[u8]) -> Result<(), SimError> {
        self.memory.write(address, data).map_err(|error| mem_error(ins, error))
    }

    /// A GPR operand's value, zero-extended from its width.
    fn reg(&self, r: Register) -> u64 {
        let value = self.gpr[gpr_index(r)];
        value & width_mask(r.size())
    }

    /// Write a GPR operand: 32-bit writes zero the upper half, 8- and 16-bit ones merge.
    fn set_reg(&mut self, r: Register, value: u64) {
        let i = gpr_index(r);
        self.gpr[i] = match r.size() {
            8 => value,
            4 => value & 0xffff_ffff,
            n => self.gpr[i] & !width_mask(n) | value & width_mask(n),
        };
    }

    /// The value of scalar operand `i` (register, memory or immediate), zero-extended.
    fn operand(&self, ins: &Instruction, i: u32) -> Result<u64, SimError> {
        Ok(match ins.op_kind(i) {
            OpKind::Register => self.reg(ins.op_register(i)),
            OpKind::Memory => {
                let size = ins.memory_size().size();
                le(self.load(ins, self.address(ins), size)?)
            }
            _ => ins.immediate(i),
        })
    }

    /// Write scalar operand `i` (register or memory) with `size` bytes of `value`.
    fn set_operand(&mut self, ins: &Instruction, i: u32, value: u64) -> Result<(), SimError> {
        match ins.op_kind(i) {
            OpKind::Register => {
                self.set_reg(ins.op_register(i), value);
                Ok(())
            }
            _ => {
                let size = ins.memory_size().size();
                self.store(ins, self.address(ins), &value.to_le_bytes()[..size])
            }
        }
    }
}

/// Bytes of scalar operand `i`: its register's or its memory's size.
fn operand_size(ins: &Instruction, i: u32) -> usize {
    match ins.op_kind(i) {
        OpKind::Register => ins.op_register(i).size(),
        _ => ins.memory_size().size(),
    }
}

fn gpr_index(r: Register) -> usize {
    r.full_register().number()
}

/// All ones in the low `bytes` bytes.
fn width_mask(bytes: usize) -> u64 {
    if bytes >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * bytes)) - 1
    }
}

/// A little-endian integer of up to 8 bytes.
fn le(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(b)
}

fn offset(ins: &Instruction) -> u64 {
    ins.ip() - CODE_BASE
}

fn mem_error(ins: &Instruction, error: MemError) -> SimError {
    SimError::Memory { offset: offset(ins), text: text(ins), error }
}

fn unsupported(ins: &Instruction) -> SimError {
    SimError::Unsupported {
        offset: offset(ins),
        mnemonic: format!("{:?}", ins.mnemonic()).to_lowercase(),
        text: text(ins),
    }
}

/// The instruction in Intel syntax, for messages.
fn text(ins: &Instruction) -> String {
    let mut out = String::new();
    IntelFormatter::new().format(ins, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> Simulator {
        Simulator::new(Features::avx2_tier())
    }

    #[test]
    fn a_clobbered_callee_saved_register_is_reported() {
        // mov rbx, 0; ret
        let err = sim().call(&[0x48, 0xc7, 0xc3, 0, 0, 0, 0, 0xc3], &[]).unwrap_err();
        assert_eq!(err, SimError::CalleeSaved { register: "rbx", expected: canary(0), found: 0 });
    }

    #[test]
    fn an_unsupported_instruction_names_its_mnemonic_and_offset() {
        // nop; ud2
        match sim().call(&[0x90, 0x0f, 0x0b], &[]) {
            Err(SimError::Unsupported { offset: 1, mnemonic, .. }) => assert_eq!(mnemonic, "ud2"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reading_an_undefined_flag_is_an_error() {
        // shr rax, 2; jo next; ret (OF is defined only for shifts by one)
        let code = [0x48, 0xc1, 0xe8, 0x02, 0x70, 0x00, 0xc3];
        match sim().call(&code, &[]) {
            Err(SimError::UndefinedFlag { offset: 4, flag: "OF", .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_loop_without_end_hits_the_step_limit() {
        let mut sim = sim();
        sim.step_limit = 100;
        assert_eq!(sim.call(&[0xeb, 0xfe], &[]), Err(SimError::StepLimit { limit: 100 }));
    }

    #[test]
    fn loads_outside_and_stores_to_read_only_regions_are_errors() {
        let mut sim = sim();
        let at = sim.memory.place(vec![0; 12], false);
        // mov rax, [rdi + 8]; ret: bytes 8..16 of a 12-byte region.
        match sim.call(&[0x48, 0x8b, 0x47, 0x08, 0xc3], &[at]) {
            Err(SimError::Memory { offset: 0, error, .. }) => {
                assert_eq!(error, MemError::OutOfRegion { address: at + 8, size: 8, write: false })
            }
            other => panic!("{other:?}"),
        }
        // mov [rdi], rax; ret
        match sim.call(&[0x48, 0x89, 0x07, 0xc3], &[at]) {
            Err(SimError::Memory { error, .. }) => {
                assert_eq!(error, MemError::ReadOnly { address: at, size: 8 })
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn regions_may_not_overlap() {
        let mut memory = Memory::new();
        memory.add(100, vec![0; 10], true).unwrap();
        assert_eq!(
            memory.add(109, vec![0; 1], true),
            Err(MemError::Overlap { address: 109, size: 1 })
        );
        assert_eq!(
            memory.add(95, vec![0; 6], true),
            Err(MemError::Overlap { address: 95, size: 6 })
        );
        memory.add(110, vec![0; 1], true).unwrap();
        memory.add(90, vec![0; 10], true).unwrap();
        assert_eq!(memory.read(98, 2).unwrap().len(), 2);
        // Adjacent regions are still two: an access may not span them.
        let spanning = MemError::OutOfRegion { address: 99, size: 2, write: false };
        assert_eq!(memory.read(99, 2), Err(spanning));
    }
}
