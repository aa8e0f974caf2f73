//! The C header `trinity bake` and the build-script baker write: it states, from the kernels'
//! specs, what a C caller needs (tier, calling convention, dimensions, operand layout per
//! dimension, alignment, aliasing), declares every kernel once with the prototype of its
//! signature, and compiles as C against function pointers of the expected types.

use trinity_testkit::tools;

use std::process::Command;
use trinity_emit::kernels::{generate, CallConv, Kernel, KernelSpec, Layout, Op, Tier};
use trinity_emit::object_file::c_header;

const DIMS: [u32; 6] = [1, 63, 64, 100, 10000, 65537];
const SHIFTS: [i64; 2] = [1, -1];

fn kernels(tier: Tier, conv: CallConv, layouts: &[Layout], ops: &[Op]) -> Vec<Kernel> {
    let mut specs = trinity_emit::kernels::spec_set(&DIMS, ops, layouts, &SHIFTS, tier);
    for spec in &mut specs {
        spec.conv = conv;
    }
    specs.iter().map(|s| generate(s).unwrap_or_else(|e| panic!("{s}: {e}"))).collect()
}

/// The C element type and the prototype the header must give `spec`, written out here from
/// the signature shapes of the design (not from the header code).
fn prototype(spec: &KernelSpec) -> (String, &'static str, String) {
    let t = if spec.layout == Layout::Dense { "int8_t" } else { "uint64_t" };
    let name = spec.symbol();
    let (ret, params) = match spec.op {
        Op::Dot | Op::Hamming => ("int64_t", format!("const {t} *a, const {t} *b")),
        Op::Cosine => ("double", format!("const {t} *a, const {t} *b")),
        Op::Bind | Op::Bundle => ("void", format!("{t} *out, const {t} *a, const {t} *b")),
        Op::Permute => ("void", format!("{t} *out, const {t} *v")),
    };
    (format!("{ret} {name}({params});"), ret, params)
}

/// The fewest 64-bit words that hold `dim` bits (found by search, not by the code under test).
fn words_per_plane(dim: u32) -> usize {
    (1..).find(|w| 64 * w >= dim as usize).expect("some word count holds any u32 of bits")
}

/// The lines the header must state for one dimension of `layout`, computed from D here.
fn operand_line(layout: Layout, dim: u32) -> String {
    match layout {
        Layout::Dense => {
            format!("D = {dim}: {dim} {} per operand", if dim == 1 { "byte" } else { "bytes" })
        }
        Layout::Bits => {
            let words = words_per_plane(dim);
            let padding = if dim % 64 == 0 {
                "no padding bits".to_string()
            } else {
                format!(
                    "bits {}..63 of words {} and {} (the last of each plane) are padding",
                    dim % 64,
                    words - 1,
                    2 * words - 1
                )
            };
            format!(
                "D = {dim}: W = {words}, {} words ({} bytes) per operand; {padding}",
                2 * words,
                2 * words * 8
            )
        }
    }
}

const DENSE_SECTION: &str =
    "Dense kernels (trinity_dense_*): an operand is D int8_t, each -1, 0 or +1";
const BITS_SECTION: &str = "Bitsliced kernels (trinity_bits_*): an operand is 2 * W uint64_t";

/// Comment text joined into one line (the header wraps its prose at ` * `).
fn prose(header: &str) -> String {
    header
        .lines()
        .map(|l| l.trim_start_matches([' ', '/', '*']).trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_header_states_what_a_c_caller_needs_for_every_target() {
    for (tier, conv, arch, convention) in [
        (Tier::Avx2, CallConv::Native, "x86-64", "System V AMD64"),
        (Tier::Avx2, CallConv::Win64, "x86-64", "Win64"),
        (Tier::Neon, CallConv::Native, "AArch64", "AAPCS64"),
        (Tier::DotProd, CallConv::Native, "AArch64", "AAPCS64"),
    ] {
        let kernels = kernels(tier, conv, &Layout::ALL, &Op::ALL);
        let header = c_header(&kernels, "TEST_H");
        let text = prose(&header);
        let what = format!("{} {conv:?}", tier.name());
        assert!(
            text.contains(&format!("Generated for {arch}, CPU tier {}, {convention}", tier.name())),
            "{what}:\n{header}"
        );
        assert!(text.contains("docs/design.md") && !header.contains("DESIGN"), "{what}:\n{header}");
        let dims: Vec<String> = DIMS.iter().map(u32::to_string).collect();
        assert!(text.contains(&format!("Dimensions: {}.", dims.join(", "))), "{what}:\n{header}");
        assert!(text.contains("Pointers need no alignment"), "{what}:\n{header}");
        assert!(text.contains("a and b are only read"), "{what}:\n{header}");
        assert!(text.contains("out may be the same pointer as a or b"), "{what}:\n{header}");
        assert!(text.contains("out must not overlap v at all"), "{what}:\n{header}");
        // Each layout's operand description once, with a line per dimension.
        assert_eq!(text.matches(DENSE_SECTION).count(), 1, "{what}:\n{header}");
        assert_eq!(text.matches(BITS_SECTION).count(), 1, "{what}:\n{header}");
        for phrase in [
            "the +1 plane (words 0..W-1), then the -1 plane (words W..2W-1)",
            "bit i % 64 (bit 0 least significant) of word i / 64 of each plane",
            "never in both",
            "little-endian",
            "padding bits D..64W-1 of each plane must be zero on input; outputs keep them zero",
        ] {
            assert_eq!(text.matches(phrase).count(), 1, "{what}: {phrase:?}\n{header}");
        }
        for layout in Layout::ALL {
            for dim in DIMS {
                let line = operand_line(layout, dim);
                assert_eq!(header.matches(&line).count(), 1, "{what}: {line:?}\n{header}");
            }
        }
        // The dense description precedes every dense declaration, the bitsliced one every
        // bitsliced declaration, and each kernel is declared exactly once.
        let (dense_at, bits_at) =
            (header.find(DENSE_SECTION).unwrap(), header.find("Bitsliced kernels").unwrap());
        for kernel in &kernels {
            let (line, _, _) = prototype(&kernel.spec);
            assert_eq!(header.matches(&line).count(), 1, "{what}: {line}\n{header}");
            assert_eq!(header.matches(&format!(" {}(", kernel.spec.symbol())).count(), 1);
            let at = header.find(&line).unwrap();
            match kernel.spec.layout {
                Layout::Dense => assert!(dense_at < at && at < bits_at, "{line}"),
                Layout::Bits => assert!(bits_at < at, "{line}"),
            }
        }
    }
}

#[test]
fn the_header_says_only_what_its_kernels_need() {
    // Reductions of one layout: no other layout's description, no output aliasing rules.
    let kernels = kernels(Tier::Avx2, CallConv::Native, &[Layout::Dense], &[Op::Dot, Op::Cosine]);
    let header = c_header(&kernels, "DENSE_H");
    let text = prose(&header);
    assert!(text.contains(DENSE_SECTION) && !text.contains("Bitsliced"), "{header}");
    assert!(text.contains("a and b are only read"), "{header}");
    assert!(!text.contains("out may") && !text.contains("overlap v"), "{header}");
    assert!(text.contains("dot      returns") && text.contains("cosine   returns"), "{header}");
    assert!(!text.contains("hamming  returns") && !text.contains("permute  out["), "{header}");
    // One bitsliced permute at one dimension: only that dimension and the permute rules.
    let spec = KernelSpec::permute(Layout::Bits, 10000, Tier::Neon, -3);
    let header = c_header(&[generate(&spec).unwrap()], "P_H");
    let text = prose(&header);
    assert!(text.contains("Dimensions: 10000.") && text.contains("tier neon"), "{header}");
    assert!(text.contains(&operand_line(Layout::Bits, 10000)), "{header}");
    assert!(
        header.contains("void trinity_bits_permute_10000_9997(uint64_t *out, const uint64_t *v);")
    );
    assert!(text.contains("out must not overlap v") && !text.contains("a and b"), "{header}");
    assert!(!text.contains(DENSE_SECTION), "{header}");
    // The word count the header gives for D = 10000 is ceil(10000 / 64) per plane.
    let per_plane = words_per_plane(10000);
    assert!(text.contains(&format!("W = {per_plane}, {} words", 2 * per_plane)), "{header}");
}

/// The header compiles as C99 with every warning an error, and each declaration has exactly the
/// type the design gives its signature: the C program assigns every kernel to a pointer of
/// that type (a mismatch is an incompatible-pointer-types diagnostic).
#[test]
fn the_header_compiles_as_c_with_the_designed_prototypes() {
    let Some(cc) = tools::require_tool(&["cc"], "compiling the C header") else { return };
    let dir = tools::scratch_dir("c-header");
    for (tier, conv) in [(Tier::Avx2, CallConv::Native), (Tier::DotProd, CallConv::Native)] {
        let kernels = kernels(tier, conv, &Layout::ALL, &Op::ALL);
        std::fs::write(dir.join("kernels.h"), c_header(&kernels, "KERNELS_H")).unwrap();
        let mut program = String::from("#include \"kernels.h\"\n#include \"kernels.h\"\n\n");
        for (i, kernel) in kernels.iter().enumerate() {
            let (_, ret, params) = prototype(&kernel.spec);
            program
                .push_str(&format!("{ret} (*const f{i})({params}) = {};\n", kernel.spec.symbol()));
        }
        std::fs::write(dir.join("check.c"), &program).unwrap();
        let out = Command::new(&cc)
            .current_dir(&dir)
            .args(["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror"])
            .args(["-Wno-unused-variable", "-c", "check.c", "-o", "check.o"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: cc failed:\n{}",
            tier.name(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A deliberately wrong prototype is caught, so the check above can fail.
    std::fs::write(
        dir.join("wrong.c"),
        "#include \"kernels.h\"\nint64_t (*const f)(const int8_t *, const int8_t *) = trinity_bits_dot_64;\n",
    )
    .unwrap();
    let wrong = Command::new(&cc)
        .current_dir(&dir)
        .args(["-std=c99", "-Wall", "-Werror", "-c", "wrong.c", "-o", "wrong.o"])
        .output()
        .unwrap();
    assert!(!wrong.status.success(), "a mismatched prototype must not compile");
    let _ = std::fs::remove_dir_all(&dir);
}
