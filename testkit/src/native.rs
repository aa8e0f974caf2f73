//! Running x86-64 kernels on this CPU: a harness that runs any kernel between canary checks
//! (and adapts Win64 kernels to be callable from System V), guard-paged operand buffers, and
//! [`Native`], the runner the simulator suites compare with.

use crate::reference::{trits, words, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use trinity_emit::kernels::bundle::BundleKernel;
use trinity_emit::kernels::permute_by::PermuteByKernel;
use trinity_emit::kernels::scan::ScanKernel;
use trinity_emit::kernels::{CallConv, Kernel, KernelSpec, Layout, Signature};
use trinity_emit::x86_64::{Assembler, Cond, Gpr32, Gpr64, Gpr64::*, Gpr8, Mem, Xmm, Ymm};
use trinity_runtime::exec::call::{
    self, BinaryKernel, BundleNKernel, ReduceF64Kernel, ReduceKernel, UnaryKernel,
};
use trinity_runtime::exec::{Arena, Code};

/// Whether this host can run AVX2 kernels; prints why not when it cannot.
pub fn host_has_avx2() -> bool {
    let ok = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("popcnt");
    if !ok {
        eprintln!("skipping: this CPU lacks AVX2 or POPCNT, so AVX2 kernels cannot run here");
    }
    ok
}

/// Whether this host runs kernels of `tier`; prints why not when it does not.
pub fn host_runs(tier: trinity_emit::kernels::Tier) -> bool {
    let ok = trinity_runtime::cpu::detect_tier().is_some_and(|cpu| cpu.runs(tier));
    if !ok {
        eprintln!("skipping {}: this CPU lacks the tier's features", tier.name());
    }
    ok
}

/// Which argument the output aliases, for bind and bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alias {
    /// `f(out, a, b)` with three distinct operands.
    None,
    /// `f(x, x, y)`: the harness takes `(x, y)` (a unary signature).
    OutIsA,
    /// `f(x, y, x)`: the harness takes `(x, y)` (a unary signature).
    OutIsB,
}

/// Callee-saved registers the harness fills with canaries, in flag-bit order.
const SYSV_SAVED: [Gpr64; 6] = [Rbx, Rbp, R12, R13, R14, R15];
/// Win64 adds rdi and rsi (flag bits 6, 7) and xmm6-xmm15 (bits 8..18).
const WIN64_SAVED_GPR: [Gpr64; 2] = [Rdi, Rsi];

fn canary(bit: u32) -> i64 {
    0x5a5a_0000_0000_0000 ^ (0x0101_0101_0101_0101_u64.wrapping_mul(u64::from(bit) + 3)) as i64
}

/// Names of the registers set in a harness flag (for failure messages).
pub fn clobbered(flag: u64) -> Vec<String> {
    let mut names = Vec::new();
    for bit in 0..64 {
        if flag >> bit & 1 == 1 {
            names.push(match bit {
                0..=5 => SYSV_SAVED[bit].to_string(),
                6 | 7 => WIN64_SAVED_GPR[bit - 6].to_string(),
                8..=17 => format!("xmm{}", bit - 2),
                _ => format!("bit {bit}"),
            });
        }
    }
    names
}

/// Machine code that calls `kernel` the System V way, with:
/// - every callee-saved register of the kernel's convention set to a canary before the call
///   and compared after it; a bit per clobbered register is stored to `*flag`;
/// - every other register (scratch GPRs, all ymm not holding canaries) filled with garbage, so
///   a kernel relying on a zeroed register fails;
/// - for Win64 kernels, arguments moved from rdi/rsi/rdx to rcx/rdx/r8 and 32 bytes of shadow
///   space reserved, so Win64 code runs on this host;
/// - for aliased bind/bundle, the output pointer duplicated into the aliased input.
///
/// The kernel is copied into the same code after the harness and called by label, so it also
/// runs away from offset 0 of a page (it must be position-independent).
pub fn harness_code(kernel: &Kernel, alias: Alias, flag: &AtomicU64) -> Vec<u8> {
    let args: &[Gpr64] = match kernel.spec.op.signature() {
        Signature::Binary => &[Rdi, Rsi, Rdx],
        _ => &[Rdi, Rsi],
    };
    let win64 = kernel.spec.conv == CallConv::Win64;
    build_harness(&kernel.code, win64, args, alias, flag).expect("harness encodes")
}

/// [`harness_code`] for a System V scan kernel: its five arguments pass through.
pub fn scan_harness_code(kernel: &ScanKernel, flag: &AtomicU64) -> Vec<u8> {
    build_harness(&kernel.code, false, &[Rdi, Rsi, Rdx, Rcx, R8], Alias::None, flag)
        .expect("harness encodes")
}

/// [`harness_code`] for a System V n-way bundle kernel: its three arguments pass through.
pub fn bundle_harness_code(kernel: &BundleKernel, flag: &AtomicU64) -> Vec<u8> {
    build_harness(&kernel.code, false, &[Rdi, Rsi, Rdx], Alias::None, flag)
        .expect("harness encodes")
}

/// [`harness_code`] for a System V permute-by kernel: its three arguments pass through.
pub fn permute_by_harness_code(kernel: &PermuteByKernel, flag: &AtomicU64) -> Vec<u8> {
    build_harness(&kernel.code, false, &[Rdi, Rsi, Rdx], Alias::None, flag)
        .expect("harness encodes")
}

fn build_harness(
    code: &[u8],
    win64: bool,
    args: &[Gpr64],
    alias: Alias,
    flag: &AtomicU64,
) -> Result<Vec<u8>, trinity_emit::EmitError> {
    let mut a = Assembler::new();
    let target = a.new_label();
    let xmm_canaries = a.new_label();
    for r in SYSV_SAVED {
        a.push(r)?;
    }
    // Entry rsp is 8 mod 16; after six pushes still 8; 56 more makes it 0 mod 16 at the call.
    // [rsp, rsp+32): Win64 shadow space; [rsp+32]: saved rax; [rsp+40]: saved xmm0.
    a.sub(Rsp, 56)?;
    match alias {
        Alias::None => {}
        Alias::OutIsA => {
            a.mov(Rdx, Rsi)?;
            a.mov(Rsi, Rdi)?;
        }
        Alias::OutIsB => a.mov(Rdx, Rdi)?,
    }
    let args: Vec<Gpr64> = if win64 {
        // System V rdi, rsi, rdx -> Win64 rcx, rdx, r8 (in an order that loses nothing).
        a.mov(R8, Rdx)?;
        a.mov(Rdx, Rsi)?;
        a.mov(Rcx, Rdi)?;
        [Rcx, Rdx, R8][..args.len()].to_vec()
    } else {
        args.to_vec()
    };
    // Garbage in every scratch GPR that is not an argument.
    for r in [Rax, Rcx, Rdx, Rsi, Rdi, R8, R9, R10, R11] {
        if !(args.contains(&r) || win64 && WIN64_SAVED_GPR.contains(&r)) {
            a.mov(r, 0x6b6b_6b6b_6b6b_6b6b_i64)?;
        }
    }
    for (bit, &r) in SYSV_SAVED.iter().enumerate() {
        a.mov(r, canary(bit as u32))?;
    }
    for y in Ymm::ALL {
        a.vpcmpeqd(y, y, y)?;
    }
    if win64 {
        for (k, &r) in WIN64_SAVED_GPR.iter().enumerate() {
            a.mov(r, canary(6 + k as u32))?;
        }
        for k in 0..10 {
            a.vmovdqu(Xmm::ALL[6 + k], Mem::label(xmm_canaries).disp(16 * k as i32))?;
        }
    }
    a.call(target)?;
    a.mov(Mem::base(Rsp).disp(32), Rax)?;
    a.vmovq(Mem::base(Rsp).disp(40), Xmm::X0)?;
    // rcx collects one bit per clobbered register.
    a.xor(Gpr32::Ecx, Gpr32::Ecx)?;
    let check = |a: &mut Assembler, bit: u32| -> Result<(), trinity_emit::EmitError> {
        a.setcc(Cond::Ne, Gpr8::Dl)?;
        a.movzx(Gpr32::Edx, Gpr8::Dl)?;
        a.shl(Rdx, bit as u8)?;
        a.or(Rcx, Rdx)
    };
    let mut saved: Vec<(u32, Gpr64)> =
        SYSV_SAVED.iter().enumerate().map(|(b, &r)| (b as u32, r)).collect();
    if win64 {
        saved.extend(WIN64_SAVED_GPR.iter().enumerate().map(|(k, &r)| (6 + k as u32, r)));
    }
    for (bit, r) in saved {
        a.mov(Rax, canary(bit))?;
        a.cmp(r, Rax)?;
        check(&mut a, bit)?;
    }
    if win64 {
        for k in 0..10 {
            a.vpcmpeqb(Xmm::X1, Xmm::ALL[6 + k], Mem::label(xmm_canaries).disp(16 * k as i32))?;
            a.vpmovmskb(Gpr32::Eax, Xmm::X1)?;
            a.cmp(Gpr32::Eax, 0xffff)?;
            check(&mut a, 8 + k as u32)?;
        }
    }
    a.mov(Rax, flag as *const AtomicU64 as i64)?;
    a.mov(Mem::base(Rax), Rcx)?;
    a.mov(Rax, Mem::base(Rsp).disp(32))?;
    a.vmovq(Xmm::X0, Mem::base(Rsp).disp(40))?;
    a.add(Rsp, 56)?;
    for r in SYSV_SAVED.iter().rev() {
        a.pop(*r)?;
    }
    a.vzeroupper()?;
    a.ret()?;
    a.align(16)?;
    a.bind(xmm_canaries)?;
    for k in 0..10u8 {
        a.data(&[0xc0 | k; 16]);
    }
    // Kernels align their constants to 32 bytes relative to their start; keep that true.
    a.align(64)?;
    a.bind(target)?;
    a.data(code);
    a.finish()
}

/// A kernel placed behind the harness, with its flag.
pub struct Harnessed {
    /// The placed harness (kernel included).
    pub code: Code,
    /// Where the harness stores its clobber bits.
    pub flag: Box<AtomicU64>,
    /// Elements per operand.
    pub len: usize,
    /// The kernel's spec.
    pub spec: KernelSpec,
    /// Which argument the output aliases.
    pub alias: Alias,
}

impl Harnessed {
    /// Place `kernel` behind a harness in `arena`.
    pub fn new(arena: &Arena, kernel: &Kernel, alias: Alias) -> Self {
        let flag = Box::new(AtomicU64::new(u64::MAX));
        let bytes = harness_code(kernel, alias, &flag);
        let code = arena.add(&bytes).expect("place harness");
        let len = match kernel.spec.layout {
            Layout::Dense => kernel.spec.dim as usize,
            Layout::Bits => 2 * (kernel.spec.dim as usize).div_ceil(64),
        };
        Harnessed { code, flag, len, spec: kernel.spec, alias }
    }

    /// What one call gives on the operands `a` and `b` (the layout's bytes; `b` is unused by
    /// permute), with the output (a fresh one, or the aliased input) filled with garbage
    /// first where the kernel writes one; panics if it clobbers a callee-saved register.
    pub fn run(&self, a: &[u8], b: &[u8]) -> Output {
        let output = match self.spec.layout {
            Layout::Dense => {
                self.run_typed(trits(a), trits(b), |out| out.iter().map(|&t| t as u8).collect())
            }
            Layout::Bits => self.run_typed(&words(a), &words(b), |out| {
                out.iter().flat_map(|w| w.to_le_bytes()).collect()
            }),
        };
        self.assert_intact(&format!("{} ({:?})", self.spec, self.alias));
        output
    }

    /// Panics, naming `what` and the registers, if the last call clobbered a callee-saved
    /// register (or there was no call).
    pub fn assert_intact(&self, what: &str) {
        let flag = self.take_flag();
        assert_eq!(flag, 0, "{what}: callee-saved registers clobbered: {:?}", clobbered(flag));
    }

    /// [`Harnessed::run`] on operands of `T`; `bytes` lays out an output operand.
    fn run_typed<T: Copy + Garbage>(
        &self,
        a: &[T],
        b: &[T],
        bytes: impl Fn(&[T]) -> Vec<u8>,
    ) -> Output {
        let mut out = vec![T::GARBAGE; a.len()];
        match (self.spec.op.signature(), self.alias) {
            (Signature::Reduce, _) => Output::Int(self.reduce::<T>().call(a, b).unwrap()),
            (Signature::ReduceF64, _) => {
                Output::Float(self.reduce_f64::<T>().call(a, b).unwrap().to_bits())
            }
            (Signature::Binary, Alias::None) => {
                self.binary::<T>().call(&mut out, a, b).unwrap();
                Output::Operand(bytes(&out))
            }
            // f(x, x, y) with x = a, or f(x, y, x) with x = b: the harness takes (x, y).
            (Signature::Binary, alias) => {
                let (x, y) = if alias == Alias::OutIsA { (a, b) } else { (b, a) };
                let mut x = x.to_vec();
                self.unary::<T>().call(&mut x, y).unwrap();
                Output::Operand(bytes(&x))
            }
            (Signature::Unary, _) => {
                self.unary::<T>().call(&mut out, a).unwrap();
                Output::Operand(bytes(&out))
            }
        }
    }

    /// The clobber bits of the last call (u64::MAX before any call).
    pub fn take_flag(&self) -> u64 {
        self.flag.swap(u64::MAX, Ordering::SeqCst)
    }

    /// As a reduce kernel.
    pub fn reduce<T>(&self) -> ReduceKernel<T> {
        // SAFETY: the harness is a System V function (a, b) -> i64 that calls the generated
        // kernel with the same arguments; the kernel reads exactly `len` elements of each.
        unsafe { ReduceKernel::new(self.code.clone(), self.len) }
    }

    /// As a cosine kernel.
    pub fn reduce_f64<T>(&self) -> ReduceF64Kernel<T> {
        // SAFETY: as for `reduce`, returning the kernel's xmm0.
        unsafe { ReduceF64Kernel::new(self.code.clone(), self.len) }
    }

    /// As a binary kernel (no aliasing).
    pub fn binary<T>(&self) -> BinaryKernel<T> {
        // SAFETY: the harness passes (out, a, b) through; the kernel writes `len` elements of
        // out and reads `len` of a and b.
        unsafe { BinaryKernel::new(self.code.clone(), self.len) }
    }

    /// As a unary kernel: permute, or an aliased bind/bundle taking (x, y).
    pub fn unary<T>(&self) -> UnaryKernel<T> {
        // SAFETY: permute: (out, v) passed through. Aliased: the kernel gets (x, x, y) or
        // (x, y, x); it reads and writes `len` elements of x (exclusively borrowed by the
        // wrapper) and reads `len` elements of y.
        unsafe { UnaryKernel::new(self.code.clone(), self.len) }
    }
}

/// A scan kernel placed behind the canary harness (see [`scan_harness_code`]).
pub struct HarnessedScan {
    code: Code,
    flag: Box<AtomicU64>,
    kernel: ScanKernel,
}

impl HarnessedScan {
    /// Place `kernel` behind a harness in `arena`.
    pub fn new(arena: &Arena, kernel: &ScanKernel) -> Self {
        let flag = Box::new(AtomicU64::new(u64::MAX));
        let code = arena.add(&scan_harness_code(kernel, &flag)).expect("place harness");
        HarnessedScan { code, flag, kernel: kernel.clone() }
    }

    /// Scan `n` records at `stride` bytes from the start of `records` against the queries at
    /// the same stride in `queries`, into `scores`; returns the harness's clobber bits.
    ///
    /// Panics unless the buffers hold what the contract reads and writes.
    pub fn call(
        &self,
        records: &[u8],
        stride: usize,
        n: usize,
        queries: &[u8],
        scores: &mut [i32],
    ) -> u64 {
        let spec = self.kernel.spec;
        let bytes = spec.layout.operand_bytes(spec.dim);
        let q = spec.queries as usize;
        assert!(stride % 64 == 0 && stride >= bytes, "stride {stride} for {bytes}-byte operands");
        assert!(n == 0 || records.len() >= (n - 1) * stride + bytes, "records too short");
        assert!(queries.len() >= (q - 1) * stride + bytes, "queries too short");
        assert!(scores.len() >= n * q, "scores too short");
        type Scan = unsafe extern "sysv64" fn(*const u8, usize, usize, *const u8, *mut i32);
        // SAFETY: the harness is a System V function of five arguments that calls the scan
        // kernel with them and returns; the asserts above give the kernel every byte the
        // contract lets it read (n records and Q queries at `stride`) and write (n * Q scores).
        unsafe {
            let scan: Scan = std::mem::transmute(self.code.entry());
            scan(records.as_ptr(), stride, n, queries.as_ptr(), scores.as_mut_ptr());
        }
        self.flag.swap(u64::MAX, Ordering::SeqCst)
    }
}

/// Operand memory with an inaccessible page right after its last byte, or right before its
/// first, so that any access outside the operand faults.
pub struct Guarded {
    base: *mut u8,
    map_len: usize,
    data: *mut u8,
    bytes: usize,
}

/// Where the operand sits against a guard page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Last byte right before a PROT_NONE page.
    End,
    /// First byte right after a PROT_NONE page.
    Start,
}

impl Guarded {
    /// `bytes` bytes (at least 1) between PROT_NONE pages, flush against `edge`.
    pub fn new(bytes: usize, edge: Edge) -> Self {
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let data_pages = bytes.div_ceil(page).max(1);
        let map_len = (data_pages + 2) * page;
        // SAFETY: an anonymous private mapping of a fresh range; the result is checked.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED, "mmap {map_len} bytes");
        let base = base.cast::<u8>();
        // SAFETY: both ranges are whole pages inside the mapping just made.
        unsafe {
            assert_eq!(libc::mprotect(base.cast(), page, libc::PROT_NONE), 0);
            let tail = base.add((data_pages + 1) * page);
            assert_eq!(libc::mprotect(tail.cast(), page, libc::PROT_NONE), 0);
        }
        let data = match edge {
            // SAFETY: inside the mapping: the data pages end at (data_pages + 1) * page.
            Edge::End => unsafe { base.add((data_pages + 1) * page - bytes) },
            // SAFETY: the first data page.
            Edge::Start => unsafe { base.add(page) },
        };
        Guarded { base, map_len, data, bytes }
    }

    /// The operand as a slice of `T` (`bytes` must be a multiple of its size; the address is
    /// aligned for it because pages are and `bytes` is a multiple of 8 for `u64`).
    pub fn slice<T: Copy>(&mut self) -> &mut [T] {
        let size = std::mem::size_of::<T>();
        assert_eq!(self.bytes % size, 0);
        assert_eq!(self.data as usize % std::mem::align_of::<T>(), 0);
        // SAFETY: the range is readable and writable, inside the mapping, aligned for T, and
        // borrowed mutably through self; any bit pattern is a valid i8/u64.
        unsafe { std::slice::from_raw_parts_mut(self.data.cast::<T>(), self.bytes / size) }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `new`; no slice outlives self.
        unsafe { libc::munmap(self.base.cast(), self.map_len) };
    }
}

/// An n-way bundle kernel placed behind the canary harness (see [`bundle_harness_code`]).
pub struct HarnessedBundle {
    kernel: BundleNKernel<u8>,
    flag: Box<AtomicU64>,
}

impl HarnessedBundle {
    /// Place `kernel` behind a harness in `arena`.
    pub fn new(arena: &Arena, kernel: &BundleKernel) -> Self {
        let flag = Box::new(AtomicU64::new(u64::MAX));
        let code = arena.add(&bundle_harness_code(kernel, &flag)).expect("place harness");
        let bytes = kernel.spec.layout.operand_bytes(kernel.spec.dim);
        // SAFETY: the harness is a System V function (vectors, n, out) that calls the bundle
        // kernel with the same arguments; the kernel reads the n pointers and the operand
        // bytes behind each and writes the operand bytes of out (its contract).
        let kernel = unsafe { BundleNKernel::new(code, bytes) };
        HarnessedBundle { kernel, flag }
    }

    /// Bundle `operands` (operand bytes each) into `out`; returns the harness's clobber bits.
    pub fn call(&self, operands: &[&[u8]], out: &mut [u8]) -> u64 {
        self.kernel.call(operands, out).expect("operands fit the kernel");
        self.flag.swap(u64::MAX, Ordering::SeqCst)
    }
}

/// A permute-by kernel placed behind the canary harness (see [`permute_by_harness_code`]) and
/// called through the runtime's wrapper, which reduces the shift.
pub struct HarnessedPermuteBy {
    kernel: call::PermuteByKernel<u8>,
    flag: Box<AtomicU64>,
}

impl HarnessedPermuteBy {
    /// Place `kernel` behind a harness in `arena`.
    pub fn new(arena: &Arena, kernel: &PermuteByKernel) -> Self {
        let flag = Box::new(AtomicU64::new(u64::MAX));
        let code = arena.add(&permute_by_harness_code(kernel, &flag)).expect("place harness");
        let bytes = kernel.spec.layout.operand_bytes(kernel.spec.dim);
        // SAFETY: the harness is a System V function (out, v, shift) that calls the permute-by
        // kernel with the same arguments; for a shift below D the kernel reads the operand
        // bytes of v and writes those of out (its contract), and the wrapper reduces shifts.
        let kernel = unsafe { call::PermuteByKernel::new(code, bytes, kernel.spec.dim) };
        HarnessedPermuteBy { kernel, flag }
    }

    /// `out` = `v` rotated right by `shift` (any i64); returns the harness's clobber bits.
    pub fn call(&self, out: &mut [u8], v: &[u8], shift: i64) -> u64 {
        self.kernel.call(out, v, shift).expect("operands fit the kernel");
        self.flag.swap(u64::MAX, Ordering::SeqCst)
    }
}

/// Runs pair, scan and n-way bundle kernels on this CPU through the canary harnesses, for the
/// simulator suites to compare with: `None` for a kernel whose tier this CPU does not run
/// (said once per tier when the runner is made).
pub struct Native {
    arena: Arena,
    runs: Vec<trinity_emit::kernels::Tier>,
}

impl Native {
    /// A runner for kernels of `tiers`.
    pub fn new(tiers: &[trinity_emit::kernels::Tier]) -> Native {
        let runs = tiers.iter().copied().filter(|&t| host_runs(t)).collect();
        Native { arena: Arena::new(), runs }
    }

    /// The arena to place a kernel of `tier` in, if this CPU runs the tier.
    pub fn arena(&self, tier: trinity_emit::kernels::Tier) -> Option<&Arena> {
        self.runs.contains(&tier).then_some(&self.arena)
    }

    /// What the pair kernel `k` gives on the operands `a` and `b` (the layout's bytes; `b` is
    /// unused by permute), with callee-saved registers checked.
    pub fn pair(&self, k: &Kernel, a: &[u8], b: &[u8]) -> Option<Output> {
        Some(Harnessed::new(self.arena(k.spec.tier)?, k, Alias::None).run(a, b))
    }

    /// The scores of `k` over `n` records `stride` bytes apart, with callee-saved registers
    /// checked.
    pub fn scan(
        &self,
        k: &ScanKernel,
        records: &[u8],
        stride: usize,
        n: usize,
        queries: &[u8],
    ) -> Option<Vec<i32>> {
        let h = HarnessedScan::new(self.arena(k.spec.tier)?, k);
        let mut scores = vec![0; n * k.spec.queries as usize];
        let flag = h.call(records, stride, n, queries, &mut scores);
        assert_eq!(flag, 0, "{}: callee-saved registers clobbered", k.spec);
        Some(scores)
    }

    /// The n-way bundle of `operands` by `k`, with callee-saved registers checked.
    pub fn bundle(&self, k: &BundleKernel, operands: &[&[u8]]) -> Option<Vec<u8>> {
        let h = HarnessedBundle::new(self.arena(k.spec.tier)?, k);
        let mut out = vec![0; k.spec.layout.operand_bytes(k.spec.dim)];
        let flag = h.call(operands, &mut out);
        assert_eq!(flag, 0, "{}: callee-saved registers clobbered", k.spec);
        Some(out)
    }
}

/// The element an output is filled with before a call, so that an element the kernel fails
/// to write shows (a padding bit set, a byte that is not a trit).
trait Garbage {
    const GARBAGE: Self;
}

impl Garbage for i8 {
    const GARBAGE: i8 = 0x55;
}

impl Garbage for u64 {
    const GARBAGE: u64 = 0x5555_5555_5555_5555;
}
