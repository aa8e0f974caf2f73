//! Object files for C: a C program includes the generated header, links the generated x86-64
//! ELF object, runs every kernel and prints the results, which must equal portable Rust's. The
//! AArch64, Mach-O and COFF objects are read back with the `object` crate.

use trinity_testkit::tools;

use object::{Object, ObjectSection, ObjectSymbol, SectionKind};
use std::fmt::Write as _;
use std::process::Command;
use trinity::emit::kernels::{generate, CallConv, Kernel, KernelSpec, Layout, Op, Tier};
use trinity::emit::object_file::{c_header, write_object, ObjectFormat};
use trinity::runtime::{BitVector, DenseVector};
use trinity_testkit::cases::operand;
use trinity_testkit::reference::{expected, trits, words, Output};

const DIMS: [u32; 3] = [100, 1000, 10001];
const SHIFT: i64 = -1;

fn specs(tier: Tier, conv: CallConv) -> Vec<KernelSpec> {
    let mut specs = Vec::new();
    for dim in DIMS {
        for layout in Layout::ALL {
            for op in Op::ALL {
                let mut spec = if op == Op::Permute {
                    KernelSpec::permute(layout, dim, tier, SHIFT)
                } else {
                    KernelSpec::new(op, layout, dim, tier)
                };
                spec.conv = conv;
                specs.push(spec);
            }
        }
    }
    specs
}

fn kernels(tier: Tier, conv: CallConv) -> Vec<Kernel> {
    specs(tier, conv).iter().map(|s| generate(s).unwrap()).collect()
}

fn c_array(name: &str, ty: &str, values: impl Iterator<Item = String>) -> String {
    format!("static {ty} {name}[] = {{{}}};\n", values.collect::<Vec<_>>().join(","))
}

/// What the C program prints for one kernel, computed in Rust.
fn expected_line(spec: &KernelSpec, a: &DenseVector, b: &DenseVector) -> String {
    let (xa, xb) = (operand(spec.layout, a), operand(spec.layout, b));
    let value = match expected(spec.op, spec.layout, a.dim(), &xa, &xb, spec.shift as usize) {
        Output::Int(x) => x.to_string(),
        Output::Float(bits) => format!("{bits:016x}"),
        // The program prints a checksum of the output operand.
        Output::Operand(out) => match spec.layout {
            Layout::Dense => {
                let sum = trits(&out).iter().enumerate();
                sum.map(|(i, &t)| (i as i64 + 1) * i64::from(t)).sum::<i64>().to_string()
            }
            Layout::Bits => {
                let words = words(&out);
                words.iter().fold(0u64, |h, &w| h.wrapping_mul(31).wrapping_add(w)).to_string()
            }
        },
    };
    format!("{} {value}", spec.symbol())
}

/// The C program: inputs as arrays, one call per kernel, one printed line per call.
fn c_program(specs: &[KernelSpec]) -> String {
    let mut c = String::from(
        "#include <stdio.h>\n#include <stdint.h>\n#include <string.h>\n#include \"kernels.h\"\n\n",
    );
    for dim in DIMS {
        let a = DenseVector::random(dim as usize, 1).unwrap();
        let b = DenseVector::random(dim as usize, 2).unwrap();
        let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
        c.push_str(&c_array(
            &format!("da{dim}"),
            "int8_t",
            a.as_slice().iter().map(|t| t.to_string()),
        ));
        c.push_str(&c_array(
            &format!("db{dim}"),
            "int8_t",
            b.as_slice().iter().map(|t| t.to_string()),
        ));
        c.push_str(&c_array(
            &format!("ba{dim}"),
            "uint64_t",
            ba.words().iter().map(|w| format!("{w}ull")),
        ));
        c.push_str(&c_array(
            &format!("bb{dim}"),
            "uint64_t",
            bb.words().iter().map(|w| format!("{w}ull")),
        ));
        c.push_str(&format!(
            "static int8_t dout{dim}[{dim}];\nstatic uint64_t bout{dim}[{}];\n",
            ba.words().len()
        ));
    }
    c.push_str(
        "static long long sum_i8(const int8_t *v, int n) { long long s = 0; for (int i = 0; i < n; i++) s += (long long)(i + 1) * v[i]; return s; }\n\
         static unsigned long long sum_u64(const uint64_t *v, int n) { unsigned long long h = 0; for (int i = 0; i < n; i++) h = h * 31 + v[i]; return h; }\n\
         static void bits_of(double d, char *out) { uint64_t u; memcpy(&u, &d, 8); sprintf(out, \"%016llx\", (unsigned long long)u); }\n\n\
         int main(void) {\n    char hex[32];\n",
    );
    for spec in specs {
        let dim = spec.dim;
        let words = 2 * dim.div_ceil(64);
        let (a, b, out, n, sum, fmt) = match spec.layout {
            Layout::Dense => (
                format!("da{dim}"),
                format!("db{dim}"),
                format!("dout{dim}"),
                dim,
                "sum_i8",
                "%lld\\n\", (long long)",
            ),
            Layout::Bits => (
                format!("ba{dim}"),
                format!("bb{dim}"),
                format!("bout{dim}"),
                words,
                "sum_u64",
                "%llu\\n\", (unsigned long long)",
            ),
        };
        let name = spec.symbol();
        let line = match spec.op {
            Op::Dot | Op::Hamming => {
                format!("    printf(\"{name} %lld\\n\", (long long){name}({a}, {b}));\n")
            }
            Op::Cosine => {
                format!("    bits_of({name}({a}, {b}), hex);\n    printf(\"{name} %s\\n\", hex);\n")
            }
            Op::Bind | Op::Bundle => format!(
                "    {name}({out}, {a}, {b});\n    printf(\"{name} {fmt}{sum}({out}, {n}));\n"
            ),
            Op::Permute => {
                format!("    {name}({out}, {a});\n    printf(\"{name} {fmt}{sum}({out}, {n}));\n")
            }
        };
        c.push_str(&line);
    }
    c.push_str("    return 0;\n}\n");
    c
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[test]
fn c_program_links_the_object_and_agrees_with_rust() {
    if trinity::runtime::cpu::detect_tier().is_none_or(|t| !t.runs(Tier::Avx2)) {
        eprintln!("SKIPPED: no AVX2 on this CPU; the x86-64 object cannot run here");
        return;
    }
    let Some(cc) = tools::require_tool(&["cc"], "the C object test") else { return };
    let dir = tools::scratch_dir("c");
    let kernels = kernels(Tier::Avx2, CallConv::Native);
    std::fs::write(dir.join("kernels.o"), write_object(&kernels, ObjectFormat::Elf).unwrap())
        .unwrap();
    std::fs::write(dir.join("kernels.h"), c_header(&kernels, "KERNELS_H")).unwrap();
    let specs: Vec<KernelSpec> = kernels.iter().map(|k| k.spec).collect();
    std::fs::write(dir.join("main.c"), c_program(&specs)).unwrap();
    let status = Command::new(cc)
        .current_dir(&dir)
        .args(["-std=c99", "-O1", "-Wall", "-Werror", "main.c", "kernels.o", "-o", "main"])
        .status()
        .unwrap();
    assert!(status.success(), "cc failed");
    let out = Command::new(dir.join("main")).output().unwrap();
    assert!(out.status.success());
    let got = String::from_utf8(out.stdout).unwrap();
    let mut want = String::new();
    for spec in &specs {
        let a = DenseVector::random(spec.dim as usize, 1).unwrap();
        let b = DenseVector::random(spec.dim as usize, 2).unwrap();
        writeln!(want, "{}", expected_line(spec, &a, &b)).unwrap();
    }
    assert_eq!(got, want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every kernel's symbol exists, lies in an executable section, is 64-byte aligned, and its
/// bytes are the generator's.
fn check_object(bytes: &[u8], kernels: &[Kernel], prefix: &str) {
    let file = object::File::parse(bytes).unwrap();
    for kernel in kernels {
        let name = format!("{prefix}{}", kernel.spec.symbol());
        let symbol = file
            .symbols()
            .find(|s| s.name() == Ok(name.as_str()))
            .unwrap_or_else(|| panic!("{name} missing"));
        assert!(symbol.is_global(), "{name}");
        let section = file.section_by_index(symbol.section_index().unwrap()).unwrap();
        assert_eq!(section.kind(), SectionKind::Text, "{name} must be in an executable section");
        assert_eq!(symbol.address() % 64, 0, "{name}");
        let data = section.data().unwrap();
        let start = (symbol.address() - section.address()) as usize;
        assert_eq!(&data[start..start + kernel.code.len()], &kernel.code[..], "{name}");
    }
}

#[test]
fn objects_for_every_platform_read_back() {
    let x86 = kernels(Tier::Avx2, CallConv::Native);
    let elf = write_object(&x86, ObjectFormat::Elf).unwrap();
    check_object(&elf, &x86, "");
    let file = object::File::parse(&*elf).unwrap();
    assert!(
        file.section_by_name(".note.GNU-stack").is_some(),
        "ELF objects mark the stack non-executable"
    );
    check_object(&write_object(&x86, ObjectFormat::MachO).unwrap(), &x86, "_");
    let win = kernels(Tier::Avx2, CallConv::Win64);
    check_object(&write_object(&win, ObjectFormat::Coff).unwrap(), &win, "");
    for tier in [Tier::Neon, Tier::DotProd] {
        let arm = kernels(tier, CallConv::Native);
        let elf = write_object(&arm, ObjectFormat::Elf).unwrap();
        assert_eq!(
            object::File::parse(&*elf).unwrap().architecture(),
            object::Architecture::Aarch64
        );
        check_object(&elf, &arm, "");
        check_object(&write_object(&arm, ObjectFormat::MachO).unwrap(), &arm, "_");
    }
    // Mismatched inputs are typed errors.
    assert!(write_object(&[], ObjectFormat::Elf).is_err());
    assert!(write_object(&x86, ObjectFormat::Coff).is_err(), "COFF x86-64 needs Win64 kernels");
    let mut mixed = x86.clone();
    mixed.extend(kernels(Tier::Neon, CallConv::Native));
    assert!(write_object(&mixed, ObjectFormat::Elf).is_err());
    let mut twice = x86[..1].to_vec();
    twice.push(x86[0].clone());
    assert!(write_object(&twice, ObjectFormat::Elf).is_err());
}
