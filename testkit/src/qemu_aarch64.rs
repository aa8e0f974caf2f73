//! Running AArch64 kernels on this x86-64 host: each call becomes a tiny static AArch64 Linux
//! executable, written here with the `object` crate's ELF writer, and run by `qemu-aarch64`.
//!
//! Layout of the executable:
//! - one read+execute segment at `CODE`: a harness, then the kernel at a 64-byte boundary;
//! - one read-write segment per operand, placed so that the operand ends exactly at a page
//!   boundary with nothing mapped after it (and, on request, starts right after an unmapped
//!   page), so that any access outside an operand faults; an operand given as bytes is stored
//!   in the file, an [`Input::Generated`] one (and the output) is zero-initialised memory
//!   (`p_filesz < p_memsz`) that the harness writes itself, so operands of 2^24 trits cost
//!   nothing in the file;
//! - one read-only segment per [`Arg::Table`] of operand addresses, ending at a page boundary
//!   with nothing mapped after it;
//! - one read-write result page.
//!
//! The harness writes the generated operands and fills the output with 0xa5 bytes, fills x18
//! (the platform register), the callee-saved x19-x29 and d8-d15 with canaries, calls the
//! kernel with the operand addresses in x0-x2, stores x0, d0 and a canary flag (which also
//! covers sp) in the result page, writes the result page and then the output operand (if any)
//! to stdout, and exits.

use object::write::elf::{FileHeader, ProgramHeader, Writer};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use trinity_emit::aarch64::{self as a64, Addr, Assembler, Cond, XSp, V, W, X, XZR};
use trinity_emit::kernels::Tier;
use trinity_emit::Label;

const PAGE: u64 = 0x1000;
const CODE: u64 = 0x40_0000;
const RESULT: u64 = 0x80_0000;
/// Operand i lives in the 64 MiB window starting at `OPERANDS + i * WINDOW`.
const OPERANDS: u64 = 0x1000_0000;
const WINDOW: u64 = 0x400_0000;

/// What a run returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// x0 after the call.
    pub x0: i64,
    /// d0 after the call.
    pub d0: f64,
    /// Whether every callee-saved register kept its canary, and sp its value.
    pub callee_saved_intact: bool,
    /// The output operand after the call (empty for reductions).
    pub out: Vec<u8>,
}

/// The initial contents of one input operand.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// These bytes, stored in the executable.
    Bytes(&'a [u8]),
    /// The bytes of these fills one after the other (see [`generated_bytes`]), written by the
    /// harness before the call: nothing is stored in the executable.
    Generated(&'a [Fill]),
}

impl Input<'_> {
    fn len(&self) -> usize {
        match self {
            Input::Bytes(bytes) => bytes.len(),
            Input::Generated(fills) => fills.iter().map(|f| f.len).sum(),
        }
    }
}

/// `len` bytes: the little-endian bytes of `pattern.word(0)`, `pattern.word(1)`, ...,
/// truncated to `len`.
#[derive(Debug, Clone, Copy)]
pub struct Fill {
    /// The number of bytes.
    pub len: usize,
    /// The words they are taken from.
    pub pattern: Pattern,
}

/// A sequence of words that the harness computes in a short loop, and [`Pattern::word`]
/// computes here, independently. The seeded patterns come from [`mix`], a bijection of the
/// word index, so that a misplaced word shows.
#[derive(Debug, Clone, Copy)]
pub enum Pattern {
    /// Every word is this value.
    Const(u64),
    /// Dense trits: byte i of word j is 0x00 (0), 0x01 (+1) or 0xff (-1), from bits 8i and
    /// 8i + 1 of `mix(j, seed)`.
    Dense(u64),
    /// The +1 plane of bitsliced trits: with r = `mix(j, seed)`, bit i is set when bit i of r
    /// is set and bit i + 1 (mod 64) is not.
    Plus(u64),
    /// The matching -1 plane: bit i + 1 (mod 64) of r set and bit i not (never both planes).
    Minus(u64),
}

/// The seeded word hash behind [`Pattern`]: a bijection of `j` for each seed.
pub fn mix(j: u64, seed: u64) -> u64 {
    let mut z = (j ^ seed).wrapping_mul(MIX1);
    z ^= z >> 32;
    z = z.wrapping_mul(MIX2);
    z ^ (z >> 32)
}

const MIX1: u64 = 0x9e37_79b9_7f4a_7c15;
const MIX2: u64 = 0xd6e8_feb8_6659_fd93;
const LOW_BITS: u64 = 0x0101_0101_0101_0101;

impl Pattern {
    /// Word `j` of the sequence.
    pub fn word(self, j: u64) -> u64 {
        match self {
            Pattern::Const(c) => c,
            Pattern::Dense(seed) => {
                let r = mix(j, seed);
                let nonzero = r & LOW_BITS;
                let negative = nonzero & (r >> 1);
                nonzero | (negative * 0xfe)
            }
            Pattern::Plus(seed) => {
                let r = mix(j, seed);
                r & !r.rotate_right(1)
            }
            Pattern::Minus(seed) => {
                let r = mix(j, seed);
                r.rotate_right(1) & !r
            }
        }
    }
}

/// The bytes the harness writes for `fills`.
pub fn generated_bytes(fills: &[Fill]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(fills.iter().map(|f| f.len).sum());
    for fill in fills {
        bytes.extend((0..).flat_map(|j| fill.pattern.word(j).to_le_bytes()).take(fill.len));
    }
    bytes
}

/// One call: the inputs, whether the kernel writes an output of `out_len` bytes passed as the
/// first argument, and whether operands should also start right after an unmapped page.
pub struct Call<'a> {
    /// The input operands, in argument order.
    pub inputs: Vec<Input<'a>>,
    /// The output's length in bytes, for a kernel that writes one (passed first).
    pub out_len: Option<usize>,
    /// Whether operands start right after an unmapped page (otherwise they end right before
    /// one).
    pub guard_start: bool,
    /// When set, the output is input `i` itself (the kernel is called with out == that input).
    pub out_aliases: Option<usize>,
}

/// The `qemu-aarch64 -cpu` model that runs kernels of `tier`: `max` for `dotprod`, and for
/// `neon` `cortex-a72`, which has no DotProd (so a stray `sdot` dies with SIGILL).
pub fn cpu(tier: Tier) -> &'static str {
    if tier == Tier::DotProd {
        "max"
    } else {
        "cortex-a72"
    }
}

/// The qemu-aarch64 binary, or `None` (after printing why) outside CI; under CI a missing
/// qemu fails the test.
pub fn qemu() -> Option<PathBuf> {
    crate::tools::require_tool(&["qemu-aarch64"], "running AArch64 kernels (package qemu-user)")
}

fn operand_addr(i: usize, len: usize, guard_start: bool) -> u64 {
    let window = OPERANDS + i as u64 * WINDOW;
    if guard_start {
        // Start right after the unmapped page at the window's start.
        window + PAGE
    } else {
        // End at the page boundary half-way up the window.
        window + WINDOW / 2 - len as u64
    }
}

fn sp(r: X) -> XSp {
    XSp::try_from(r).expect("not xzr")
}

fn canary(i: u64) -> u64 {
    0x5a5a_0000_0000_0101 ^ (i << 40) ^ i
}

fn x(n: u8) -> X {
    X::new(n).unwrap()
}

/// Write `fills` one after the other from `addr`: a loop over whole words, then the bytes of
/// a last partial word. x1 is the destination, x2 the word index, x3 the count down, x4 the
/// word; x5-x7 are scratch and x10-x13 hold the pattern's constants.
fn emit_fills(a: &mut Assembler, mut addr: u64, fills: &[Fill]) {
    for fill in fills {
        match fill.pattern {
            Pattern::Const(c) => a.mov_imm(x(4), c).unwrap(),
            Pattern::Dense(seed) | Pattern::Plus(seed) | Pattern::Minus(seed) => {
                a.mov_imm(x(10), MIX1).unwrap();
                a.mov_imm(x(11), MIX2).unwrap();
                a.mov_imm(x(12), seed).unwrap();
                a.movz(x(13), 0xfe, 0).unwrap();
            }
        }
        // x4 = word x2 of the pattern (as Pattern::word).
        let word = |a: &mut Assembler| {
            if let Pattern::Const(_) = fill.pattern {
                return;
            }
            a.eor(x(5), x(2), x(12)).unwrap();
            a.mul(x(5), x(5), x(10)).unwrap();
            a.eor(x(5), x(5), x(5).lsr(32)).unwrap();
            a.mul(x(5), x(5), x(11)).unwrap();
            a.eor(x(5), x(5), x(5).lsr(32)).unwrap();
            match fill.pattern {
                Pattern::Dense(_) => {
                    a.and(sp(x(6)), x(5), LOW_BITS).unwrap();
                    a.and(x(7), x(6), x(5).lsr(1)).unwrap();
                    a.mul(x(7), x(7), x(13)).unwrap();
                    a.orr(x(4), x(6), x(7)).unwrap();
                }
                Pattern::Plus(_) => a.bic(x(4), x(5), x(5).ror(1)).unwrap(),
                _ => {
                    a.orr(x(6), XZR, x(5).ror(1)).unwrap();
                    a.bic(x(4), x(6), x(5)).unwrap();
                }
            }
        };
        a.mov_imm(x(1), addr).unwrap();
        a.movz(x(2), 0, 0).unwrap();
        let words = fill.len / 8;
        if words > 0 {
            a.mov_imm(x(3), words as u64).unwrap();
            let top = a.new_label();
            a.bind(top).unwrap();
            word(a);
            a.str(x(4), Addr::post(sp(x(1)), 8)).unwrap();
            a.add(sp(x(2)), sp(x(2)), 1).unwrap();
            a.subs(x(3), sp(x(3)), 1).unwrap();
            a.b_cond(Cond::Ne, top).unwrap();
        }
        if fill.len % 8 != 0 {
            // x2 == words: the partial word's bytes, lowest first.
            word(a);
            for i in 0..fill.len % 8 {
                a.strb(W::new(4).unwrap(), Addr::offset(sp(x(1)), i as i64)).unwrap();
                a.lsr(x(4), x(4), 8).unwrap();
            }
        }
        addr += fill.len as u64;
    }
}

/// The harness: generated operands, canaries, arguments, call, checks, output, exit.
/// With several calls (each of kernel `calls[i].0`), each one repeats everything from the
/// canaries to the output (and first fills the output with `refill` again).
fn harness(
    kernels: &[&[u8]],
    generated: &[(u64, Vec<Fill>)],
    calls: &[(usize, Vec<u64>)],
    out: Option<(u64, usize)>,
    refill: Option<&(u64, Vec<Fill>)>,
) -> Vec<u8> {
    let mut a = Assembler::new();
    let labels: Vec<Label> = kernels.iter().map(|_| a.new_label()).collect();
    for (addr, fills) in generated {
        emit_fills(&mut a, *addr, fills);
    }
    for (k, (kernel, args)) in calls.iter().enumerate() {
        if let (true, Some((addr, fills))) = (k > 0, refill) {
            emit_fills(&mut a, *addr, fills);
        }
        one_call(&mut a, labels[*kernel], args, out);
    }
    a.movz(x(0), 0, 0).unwrap();
    a.movz(x(8), 93, 0).unwrap();
    a.svc(0).unwrap();
    for (kernel, &label) in kernels.iter().zip(&labels) {
        a.align(64).unwrap();
        a.bind(label).unwrap();
        a.data(kernel);
    }
    a.finish().unwrap()
}

/// Canaries, arguments, the call, checks, and the result page and output written to stdout.
fn one_call(a: &mut Assembler, kernel_label: Label, args: &[u64], out: Option<(u64, usize)>) {
    let fail = a.new_label();
    let checked = a.new_label();
    // x18 (the platform register, reserved on Apple and Windows), x19-x28 and the frame
    // pointer x29; then d8-d15.
    for i in 0..12u8 {
        a.mov_imm(x(18 + i), canary(u64::from(i))).unwrap();
    }
    for i in 0..8u8 {
        a.mov_imm(x(9), canary(20 + u64::from(i))).unwrap();
        a.fmov(V::new(8 + i).unwrap().d(), x(9)).unwrap();
    }
    // sp, kept in the result page past what is written out.
    a.mov_imm(x(9), RESULT).unwrap();
    a.mov(sp(x(10)), a64::SP).unwrap();
    a.str(x(10), Addr::offset(sp(x(9)), 32)).unwrap();
    for (i, &arg) in args.iter().enumerate() {
        a.mov_imm(x(i as u8), arg).unwrap();
    }
    a.bl(kernel_label).unwrap();
    a.mov_imm(x(9), RESULT).unwrap();
    a.str(x(0), Addr::offset(sp(x(9)), 0)).unwrap();
    a.str(V::new(0).unwrap().d(), Addr::offset(sp(x(9)), 8)).unwrap();
    // Canary flag: 0 when intact (and sp is back).
    a.mov(sp(x(10)), a64::SP).unwrap();
    a.ldr(x(11), Addr::offset(sp(x(9)), 32)).unwrap();
    a.subs(XZR, x(11), x(10)).unwrap();
    a.b_cond(Cond::Ne, fail).unwrap();
    for i in 0..12u8 {
        a.mov_imm(x(10), canary(u64::from(i))).unwrap();
        a.subs(XZR, x(18 + i), x(10)).unwrap();
        a.b_cond(Cond::Ne, fail).unwrap();
    }
    for i in 0..8u8 {
        a.mov_imm(x(10), canary(20 + u64::from(i))).unwrap();
        a.fmov(x(11), V::new(8 + i).unwrap().d()).unwrap();
        a.subs(XZR, x(11), x(10)).unwrap();
        a.b_cond(Cond::Ne, fail).unwrap();
    }
    a.str(XZR, Addr::offset(sp(x(9)), 16)).unwrap();
    a.b(checked).unwrap();
    a.bind(fail).unwrap();
    a.movz(x(10), 1, 0).unwrap();
    a.str(x(10), Addr::offset(sp(x(9)), 16)).unwrap();
    a.bind(checked).unwrap();
    // write(1, RESULT, 24), then write(1, out, len): Linux syscall 64; exit is 93.
    let write = |a: &mut Assembler, addr: u64, len: u64| {
        a.movz(x(0), 1, 0).unwrap();
        a.mov_imm(x(1), addr).unwrap();
        a.mov_imm(x(2), len).unwrap();
        a.movz(x(8), 64, 0).unwrap();
        a.svc(0).unwrap();
    };
    write(a, RESULT, 24);
    if let Some((addr, len)) = out {
        write(a, addr, len as u64);
    }
}

struct Segment {
    vaddr: u64,
    data: Vec<u8>,
    memsz: u64,
    flags: u32,
}

/// A static AArch64 ELF executable made of `segments`, entry at the first one's start.
fn elf(segments: &[Segment]) -> Vec<u8> {
    let mut buffer = Vec::new();
    let mut w = Writer::new(object::Endianness::Little, true, &mut buffer);
    w.reserve_file_header();
    w.reserve_program_headers(segments.len() as u32);
    let mut offsets = Vec::new();
    for s in segments {
        // File offsets must agree with addresses modulo the page size.
        let here = w.reserved_len() as u64;
        let pad = (s.vaddr % PAGE + PAGE - here % PAGE) % PAGE;
        w.reserve(pad as usize, 1);
        offsets.push(w.reserve(s.data.len(), 1) as u64);
    }
    w.write_file_header(&FileHeader {
        os_abi: object::elf::ELFOSABI_NONE,
        abi_version: 0,
        e_type: object::elf::ET_EXEC,
        e_machine: object::elf::EM_AARCH64,
        e_entry: segments[0].vaddr,
        e_flags: 0,
    })
    .unwrap();
    w.write_align_program_headers();
    for (s, &offset) in segments.iter().zip(&offsets) {
        w.write_program_header(&ProgramHeader {
            p_type: object::elf::PT_LOAD,
            p_flags: s.flags,
            p_offset: offset,
            p_vaddr: s.vaddr,
            p_paddr: s.vaddr,
            p_filesz: s.data.len() as u64,
            p_memsz: s.memsz,
            p_align: PAGE,
        });
    }
    for (s, &offset) in segments.iter().zip(&offsets) {
        let pad = offset as usize - w.len();
        w.write(&vec![0; pad]);
        w.write(&s.data);
    }
    drop(w);
    buffer
}

/// One argument register's value, for kernels whose arguments are not `(out,) inputs...`.
#[derive(Debug, Clone)]
pub enum Arg {
    /// The address of input `i`.
    Input(usize),
    /// The address of the output.
    Out,
    /// This value.
    Value(u64),
    /// The address of a table of input addresses (8 bytes each: input `ids[0]`'s, then
    /// `ids[1]`'s, ...), read-only and ending at a page boundary with nothing mapped after it,
    /// so that reading past the last entry faults (an empty table is just that boundary).
    Table(Vec<usize>),
}

/// Build the executable for one call of `kernel`.
pub fn executable(kernel: &[u8], call: &Call) -> (Vec<u8>, Option<(u64, usize)>) {
    executable_with(&[kernel], call, &[None])
}

/// [`executable`] for one call of each of `kernels` per entry of `orders`, each with the
/// argument registers it gives (`None`: the output, if not aliased, then the inputs).
fn executable_with(
    kernels: &[&[u8]],
    call: &Call,
    orders: &[Option<&[Arg]>],
) -> (Vec<u8>, Option<(u64, usize)>) {
    use object::elf::{PF_R, PF_W, PF_X};
    assert!(
        orders.len() * kernels.len() == 1 || call.out_aliases.is_none(),
        "a call that writes an input cannot be repeated"
    );
    let mut segments = Vec::new();
    let mut args = Vec::new();
    let mut out = None;
    let mut generated = Vec::new();
    let mut refill = None;
    // The output starts as 0xa5 bytes, so that a byte the kernel fails to write shows.
    let poison =
        call.out_len.map(|len| [Fill { len, pattern: Pattern::Const(0xa5a5_a5a5_a5a5_a5a5) }]);
    let mut operands: Vec<(Input, bool)> = Vec::new();
    match (&poison, call.out_aliases) {
        (Some(poison), None) => operands.push((Input::Generated(poison), true)),
        (Some(_), Some(_)) => {}
        (None, _) => {}
    }
    for (i, input) in call.inputs.iter().enumerate() {
        operands.push((*input, call.out_aliases == Some(i)));
    }
    for (i, (input, is_out)) in operands.iter().enumerate() {
        let len = input.len();
        let addr = operand_addr(i, len, call.guard_start);
        let start = addr - addr % PAGE;
        let mut data = vec![0u8; (addr - start) as usize];
        match input {
            Input::Bytes(bytes) => data.extend_from_slice(bytes),
            Input::Generated(fills) => {
                generated.push((addr, fills.to_vec()));
                if *is_out {
                    refill = Some((addr, fills.to_vec()));
                }
            }
        }
        let memsz = (addr + len as u64 - start).div_ceil(PAGE) * PAGE;
        segments.push(Segment { vaddr: start, data, memsz, flags: PF_R | PF_W });
        args.push(addr);
        if *is_out {
            out = Some((addr, len));
        }
    }
    if let (Some((addr, _)), Some(_)) = (out, call.out_aliases) {
        // The output argument comes first, then the inputs.
        args.insert(0, addr);
    }
    // args holds the output's address (when separate), then the inputs'.
    let inputs = args.len() - call.inputs.len();
    // Tables take the windows after the operands'.
    let mut windows = operands.len() as u64;
    let per_order: Vec<Vec<u64>> = orders
        .iter()
        .map(|order| {
            let Some(order) = order else { return args.clone() };
            order
                .iter()
                .map(|arg| match arg {
                    Arg::Input(i) => args[inputs + i],
                    Arg::Out => out.expect("an output").0,
                    Arg::Value(value) => *value,
                    Arg::Table(ids) => {
                        let data: Vec<u8> =
                            ids.iter().flat_map(|&i| args[inputs + i].to_le_bytes()).collect();
                        let end = OPERANDS + windows * WINDOW + WINDOW / 2;
                        windows += 1;
                        let addr = end - data.len() as u64;
                        if !data.is_empty() {
                            let start = addr - addr % PAGE;
                            let mut bytes = vec![0u8; (addr - start) as usize];
                            bytes.extend_from_slice(&data);
                            segments.push(Segment {
                                vaddr: start,
                                data: bytes,
                                memsz: end - start,
                                flags: PF_R,
                            });
                        }
                        addr
                    }
                })
                .collect()
        })
        .collect();
    let calls: Vec<(usize, Vec<u64>)> = (0..kernels.len())
        .flat_map(|k| per_order.iter().map(move |args| (k, args.clone())))
        .collect();
    segments.push(Segment { vaddr: RESULT, data: vec![0; 24], memsz: PAGE, flags: PF_R | PF_W });
    let code = harness(kernels, &generated, &calls, out, refill.as_ref());
    segments.insert(
        0,
        Segment { vaddr: CODE, memsz: code.len() as u64, data: code, flags: PF_R | PF_X },
    );
    (elf(&segments), out)
}

/// Run one call under `qemu-aarch64 -cpu <cpu>`. `Err` carries qemu's status and stderr (a
/// fault, or SIGILL for an instruction the CPU model lacks).
pub fn run(qemu: &Path, cpu: &str, kernel: &[u8], call: &Call) -> Result<Outcome, String> {
    run_with(qemu, cpu, kernel, call, None)
}

/// [`run`] with the argument registers given by `order` (see [`Arg`]).
pub fn run_with(
    qemu: &Path,
    cpu: &str,
    kernel: &[u8],
    call: &Call,
    order: Option<&[Arg]>,
) -> Result<Outcome, String> {
    let mut outcomes = run_calls(qemu, cpu, kernel, call, &[order])?;
    Ok(outcomes.remove(0))
}

/// Several calls of `kernel` in one qemu run, on the same operands, one per entry of `orders`
/// (as in [`run_with`]); the output is filled with the poison again before each call, and
/// every call has its own tables. Saves qemu's start-up time per call.
pub fn run_calls(
    qemu: &Path,
    cpu: &str,
    kernel: &[u8],
    call: &Call,
    orders: &[Option<&[Arg]>],
) -> Result<Vec<Outcome>, String> {
    run_batch(qemu, cpu, &[kernel], call, orders)
}

/// One call of each of `kernels` in one qemu run, on the same operands (as in [`run`]), in
/// order: how kernels sharing inputs (variants, or reductions of one pair) save qemu's
/// start-up time.
pub fn run_kernels(
    qemu: &Path,
    cpu: &str,
    kernels: &[&[u8]],
    call: &Call,
) -> Result<Vec<Outcome>, String> {
    run_batch(qemu, cpu, kernels, call, &[None])
}

/// Every kernel with every order, kernel by kernel.
fn run_batch(
    qemu: &Path,
    cpu: &str,
    kernels: &[&[u8]],
    call: &Call,
    orders: &[Option<&[Arg]>],
) -> Result<Vec<Outcome>, String> {
    let calls = kernels.len() * orders.len();
    let (exe, out) = executable_with(kernels, call, orders);
    let dir = std::env::temp_dir().join(format!("trinity-a64-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A unique name per run: tests call this from parallel threads of one process.
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("k{run}"));
    {
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&exe).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let output =
        Command::new(qemu).args(["-cpu", cpu]).arg(&path).stdin(Stdio::null()).output().unwrap();
    let _ = std::fs::remove_file(&path);
    if !output.status.success() {
        return Err(format!("{:?}: {}", output.status, String::from_utf8_lossy(&output.stderr)));
    }
    let stdout = output.stdout;
    let out_len = out.map_or(0, |(_, len)| len);
    let each = 24 + out_len;
    if stdout.len() != calls * each {
        return Err(format!("expected {} bytes of output, got {}", calls * each, stdout.len()));
    }
    Ok(stdout.chunks(each).map(outcome).collect())
}

/// One call's result page and output.
fn outcome(stdout: &[u8]) -> Outcome {
    let word = |i: usize| u64::from_le_bytes(stdout[8 * i..8 * i + 8].try_into().unwrap());
    Outcome {
        x0: word(0) as i64,
        d0: f64::from_bits(word(1)),
        callee_saved_intact: word(2) == 0,
        out: stdout[24..].to_vec(),
    }
}
