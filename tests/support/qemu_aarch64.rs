//! Running AArch64 kernels on this x86-64 host: each call becomes a tiny static AArch64 Linux
//! executable, written here with the `object` crate's ELF writer, and run by `qemu-aarch64`.
//!
//! Layout of the executable:
//! - one read+execute segment at `CODE`: a harness, then the kernel at a 64-byte boundary;
//! - one read-write segment per operand, placed so that the operand ends exactly at a page
//!   boundary with nothing mapped after it (and, on request, starts right after an unmapped
//!   page), so that any access outside an operand faults;
//! - one read-write result page.
//!
//! The harness fills the callee-saved registers x19-x28 and d8-d15 with canaries, calls the
//! kernel with the operand addresses in x0-x2, stores x0, d0 and a canary flag in the result
//! page, writes the result page and then the output operand (if any) to stdout, and exits.
#![allow(dead_code)]

use object::write::elf::{FileHeader, ProgramHeader, Writer};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use trinity::emit::aarch64::{self as a64, Addr, Assembler, Cond, Shift, XSp, V, X, XZR};

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
    /// Whether every callee-saved register kept its canary.
    pub callee_saved_intact: bool,
    /// The output operand after the call (empty for reductions).
    pub out: Vec<u8>,
}

/// One call: the inputs (as bytes), whether the kernel writes an output of `out_len` bytes
/// passed as the first argument, and whether operands should also start right after an
/// unmapped page.
pub struct Call<'a> {
    pub inputs: Vec<&'a [u8]>,
    pub out_len: Option<usize>,
    pub guard_start: bool,
    /// When set, the output is input `i` itself (the kernel is called with out == that input).
    pub out_aliases: Option<usize>,
}

/// The qemu-aarch64 binary, or `None` (after printing why) outside CI; under CI a missing
/// qemu fails the test.
pub fn qemu() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(found) =
        std::env::split_paths(&path).map(|d| d.join("qemu-aarch64")).find(|p| p.is_file())
    {
        return Some(found);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("qemu-aarch64 (package qemu-user) is required under CI to run AArch64 kernels");
    }
    eprintln!("SKIPPED: qemu-aarch64 not found; AArch64 kernels are not executed");
    None
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

/// The harness: arguments, canaries, call, checks, output, exit.
fn harness(kernel: &[u8], args: &[u64], out: Option<(u64, usize)>) -> Vec<u8> {
    let mut a = Assembler::new();
    let kernel_label = a.new_label();
    let fail = a.new_label();
    let checked = a.new_label();
    let x = |n: u8| X::new(n).unwrap();
    for i in 0..10u8 {
        a.mov_imm(x(19 + i), canary(u64::from(i))).unwrap();
    }
    for i in 0..8u8 {
        a.mov_imm(x(9), canary(10 + u64::from(i))).unwrap();
        a.fmov_from_gpr(V::new(8 + i).unwrap().d(), x(9)).unwrap();
    }
    for (i, &arg) in args.iter().enumerate() {
        a.mov_imm(x(i as u8), arg).unwrap();
    }
    a.bl(kernel_label).unwrap();
    a.mov_imm(x(9), RESULT).unwrap();
    a.str(x(0), Addr::offset(sp(x(9)), 0)).unwrap();
    a.str(V::new(0).unwrap().d(), Addr::offset(sp(x(9)), 8)).unwrap();
    // Canary flag: 0 when intact.
    for i in 0..10u8 {
        a.mov_imm(x(10), canary(u64::from(i))).unwrap();
        a.arith(&a64::SUBS, XZR, x(19 + i), x(10), Shift::Lsl, 0).unwrap();
        a.b_cond(Cond::Ne, fail).unwrap();
    }
    for i in 0..8u8 {
        a.mov_imm(x(10), canary(10 + u64::from(i))).unwrap();
        a.fmov_to_gpr(x(11), V::new(8 + i).unwrap().d()).unwrap();
        a.arith(&a64::SUBS, XZR, x(11), x(10), Shift::Lsl, 0).unwrap();
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
    write(&mut a, RESULT, 24);
    if let Some((addr, len)) = out {
        write(&mut a, addr, len as u64);
    }
    a.movz(x(0), 0, 0).unwrap();
    a.movz(x(8), 93, 0).unwrap();
    a.svc(0).unwrap();
    a.align(64).unwrap();
    a.bind(kernel_label).unwrap();
    a.data(kernel);
    a.finish().unwrap()
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

/// Build the executable for one call of `kernel`.
pub fn executable(kernel: &[u8], call: &Call) -> (Vec<u8>, Option<(u64, usize)>) {
    use object::elf::{PF_R, PF_W, PF_X};
    let mut segments = Vec::new();
    let mut args = Vec::new();
    let mut out = None;
    let mut operands: Vec<(Vec<u8>, bool)> = Vec::new();
    match (call.out_len, call.out_aliases) {
        (Some(len), None) => operands.push((vec![0xa5; len], true)),
        (Some(_), Some(_)) => {}
        (None, _) => {}
    }
    for (i, input) in call.inputs.iter().enumerate() {
        operands.push((input.to_vec(), call.out_aliases == Some(i)));
    }
    for (i, (bytes, is_out)) in operands.iter().enumerate() {
        let addr = operand_addr(i, bytes.len(), call.guard_start);
        let start = addr - addr % PAGE;
        let mut data = vec![0u8; (addr - start) as usize];
        data.extend_from_slice(bytes);
        let memsz = (data.len() as u64).div_ceil(PAGE) * PAGE;
        segments.push(Segment { vaddr: start, data, memsz, flags: PF_R | PF_W });
        args.push(addr);
        if *is_out {
            out = Some((addr, bytes.len()));
        }
    }
    if let (Some((addr, _)), Some(_)) = (out, call.out_aliases) {
        // The output argument comes first, then the inputs.
        args.insert(0, addr);
    }
    segments.push(Segment { vaddr: RESULT, data: vec![0; 24], memsz: PAGE, flags: PF_R | PF_W });
    let code = harness(kernel, &args, out);
    segments.insert(
        0,
        Segment { vaddr: CODE, memsz: code.len() as u64, data: code, flags: PF_R | PF_X },
    );
    (elf(&segments), out)
}

/// Run one call under `qemu-aarch64 -cpu <cpu>`. `Err` carries qemu's status and stderr (a
/// fault, or SIGILL for an instruction the CPU model lacks).
pub fn run(qemu: &Path, cpu: &str, kernel: &[u8], call: &Call) -> Result<Outcome, String> {
    let (exe, out) = executable(kernel, call);
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
    let word = |i: usize| u64::from_le_bytes(stdout[8 * i..8 * i + 8].try_into().unwrap());
    let out_len = out.map_or(0, |(_, len)| len);
    if stdout.len() != 24 + out_len {
        return Err(format!("expected {} bytes of output, got {}", 24 + out_len, stdout.len()));
    }
    Ok(Outcome {
        x0: word(0) as i64,
        d0: f64::from_bits(word(1)),
        callee_saved_intact: word(2) == 0,
        out: stdout[24..].to_vec(),
    })
}
