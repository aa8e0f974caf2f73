//! `trinity_emit::build`: static libraries and headers for every target kind.

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol};
use trinity_emit::build::{Bake, BuildError};
use trinity_emit::kernels::{Arch, Layout, Op, Tier};
use trinity_testkit::tools;

#[test]
fn libraries_hold_every_symbol_for_every_target() {
    let bake = Bake::new("vsa")
        .dims(&[64, 1000])
        .ops(&[Op::Dot, Op::Permute])
        .layouts(&[Layout::Bits])
        .permute(&[1, -1]);
    // The header names the target's default tier and the calling convention of its OS.
    for (arch, os, file, prefix, target) in [
        (Arch::X86_64, "linux", "libvsa.a", "", "x86-64, CPU tier avx2, System V AMD64"),
        (Arch::X86_64, "macos", "libvsa.a", "_", "x86-64, CPU tier avx2, System V AMD64"),
        (Arch::X86_64, "windows", "vsa.lib", "", "x86-64, CPU tier avx2, Win64 (Microsoft x64)"),
        (Arch::Aarch64, "linux", "libvsa.a", "", "AArch64, CPU tier dotprod, AAPCS64"),
        (Arch::Aarch64, "macos", "libvsa.a", "_", "AArch64, CPU tier dotprod, AAPCS64"),
    ] {
        let dir = tools::scratch_dir(&format!("build-{arch:?}-{os}"));
        let baked = bake.write_to(&dir, arch, os).unwrap();
        assert_eq!(baked.library, dir.join(file));
        // 2 dims x (dot + permute by 1 and by -1).
        assert_eq!(baked.symbols.len(), 6, "{:?}", baked.symbols);
        assert!(baked.symbols.contains(&"trinity_bits_permute_1000_999".to_string()));
        let bytes = std::fs::read(&baked.library).unwrap();
        let archive = ArchiveFile::parse(&*bytes).unwrap();
        let members: Vec<_> = archive.members().map(|m| m.unwrap()).collect();
        assert_eq!(members.len(), 1);
        let object = object::File::parse(members[0].data(&*bytes).unwrap()).unwrap();
        for symbol in &baked.symbols {
            let name = format!("{prefix}{symbol}");
            assert!(
                object.symbols().any(|s| s.name() == Ok(name.as_str()) && s.is_global()),
                "{arch:?} {os}: {name}"
            );
        }
        let header = std::fs::read_to_string(&baked.header).unwrap();
        assert!(
            header.contains("int64_t trinity_bits_dot_64(const uint64_t *a, const uint64_t *b);"),
            "{header}"
        );
        assert!(header.contains("#ifndef TRINITY_VSA_H"));
        assert!(header.contains(&format!("Generated for {target} calling convention")), "{header}");
        assert!(header.contains("Dimensions: 64, 1000."), "{header}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn bad_requests_are_typed_errors() {
    let dir = tools::scratch_dir("build-errors");
    let err = Bake::new("not a name").dims(&[8]).write_to(&dir, Arch::X86_64, "linux").unwrap_err();
    assert!(
        matches!(err, BuildError::BadName { .. }) && err.to_string().contains("not a name"),
        "{err}"
    );
    let err = Bake::new("k")
        .dims(&[8])
        .tier(Tier::Neon)
        .write_to(&dir, Arch::X86_64, "linux")
        .unwrap_err();
    assert!(matches!(err, BuildError::WrongTier { tier: Tier::Neon, arch: Arch::X86_64 }), "{err}");
    let err = Bake::new("k").dims(&[0]).write_to(&dir, Arch::X86_64, "linux").unwrap_err();
    assert!(err.to_string().contains("dimension 0"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
