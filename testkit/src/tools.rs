//! External tools with the CI rule (a missing tool skips a test with a printed reason, and fails
//! it under `CI=true`), llvm-mc as an encoding oracle, and reading section permissions.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Find an external tool on PATH (trying each name in turn).
///
/// When it is missing: under CI (`CI=true`) the test fails, because a skipped proof is no proof;
/// elsewhere the test prints why it skips and the caller returns early.
pub fn require_tool(names: &[&str], why: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} is required under CI for {why} but was not found on PATH", names[0]);
    }
    eprintln!("SKIPPED: {} not found on PATH; {why} is not checked", names[0]);
    None
}

/// A scratch directory for one test, `trinity-<tag>-<process id>` under the system's temporary
/// directory (created if missing).
pub fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trinity-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// llvm-mc, if available (see [`require_tool`]).
pub fn llvm_mc() -> Option<PathBuf> {
    require_tool(&["llvm-mc-14", "llvm-mc"], "the llvm-mc encoding oracle")
}

/// Assemble `source` for `triple` into the object file `obj` (its `.s` written beside it), and
/// return the object's bytes. Panics with llvm-mc's message when it fails or warns.
pub fn assemble_object(llvm_mc: &Path, triple: &str, source: &str, obj: &Path) -> Vec<u8> {
    let src = obj.with_extension("s");
    std::fs::write(&src, source).unwrap();
    let out = Command::new(llvm_mc)
        .args(["-triple", triple, "-filetype=obj", "-o"])
        .arg(obj)
        .arg(&src)
        .output()
        .expect("llvm-mc runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "llvm-mc {triple}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(obj).unwrap()
}

/// Assemble `lines` (one instruction each) with llvm-mc in one batch and return each line's
/// encoding, in order. Panics with llvm-mc's message when any line does not assemble or the
/// number of encodings differs from the number of lines.
pub fn assemble(llvm_mc: &Path, args: &[&str], lines: &[String]) -> Vec<Vec<u8>> {
    let mut child = Command::new(llvm_mc)
        .args(args)
        .arg("--show-encoding")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("llvm-mc starts");
    let mut source = lines.join("\n");
    source.push('\n');
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(source.as_bytes()));
    let output = child.wait_with_output().expect("llvm-mc runs");
    writer.join().expect("writer thread").expect("write to llvm-mc");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.trim().is_empty(),
        "llvm-mc rejected the input:\n{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let encodings: Vec<Vec<u8>> = stdout
        .lines()
        .filter_map(|line| line.split_once("encoding: [").map(|(_, rest)| rest))
        .map(|rest| {
            let list = rest.split(']').next().unwrap_or_default();
            list.split(',')
                .filter(|s| !s.is_empty())
                .map(|byte| {
                    let hex = byte.trim().trim_start_matches("0x");
                    u8::from_str_radix(hex, 16)
                        .unwrap_or_else(|_| panic!("llvm-mc printed a symbolic byte {byte:?}"))
                })
                .collect()
        })
        .collect();
    assert_eq!(
        encodings.len(),
        lines.len(),
        "llvm-mc gave {} encodings for {} lines",
        encodings.len(),
        lines.len()
    );
    encodings
}

/// Bytes as lowercase hex pairs separated by spaces.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// Executable and not writable. Mach-O has no per-section permissions: there the section must
/// be flagged as instructions and sit in the `__TEXT` segment (mapped read + execute).
pub fn executable(section: &object::Section) -> bool {
    use object::{ObjectSection, SectionFlags, SectionKind};
    match section.flags() {
        SectionFlags::Elf { sh_flags } => {
            section.kind() == SectionKind::Text
                && sh_flags & u64::from(object::elf::SHF_EXECINSTR) != 0
                && sh_flags & u64::from(object::elf::SHF_WRITE) == 0
        }
        SectionFlags::MachO { flags } => {
            flags & object::macho::S_ATTR_PURE_INSTRUCTIONS != 0
                && section.segment_name() == Ok(Some("__TEXT"))
        }
        SectionFlags::Coff { characteristics } => {
            section.kind() == SectionKind::Text
                && characteristics & object::pe::IMAGE_SCN_MEM_EXECUTE != 0
                && characteristics & object::pe::IMAGE_SCN_MEM_WRITE == 0
        }
        _ => false,
    }
}
