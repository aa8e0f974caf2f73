//! Executable memory: W^X, sharing, lifetimes, concurrency and the probe (x86-64 hosts; the
//! hand-assembled functions below were checked with `llvm-mc -triple=x86_64 --show-encoding`).
#![cfg(all(target_arch = "x86_64", unix))]

use std::sync::Arc;
use trinity_runtime::exec::call::{ReduceF64Kernel, ReduceKernel};
use trinity_runtime::exec::{probe, Arena, Backend, Code, ExecError};

/// `mov eax, imm32 ; ret` — returns `value` (zero-extended into rax) and ignores its arguments.
fn returns(value: u32) -> Vec<u8> {
    let mut code = vec![0xb8];
    code.extend_from_slice(&value.to_le_bytes());
    code.push(0xc3);
    code
}

fn call(code: Code) -> i64 {
    // SAFETY: `returns` builds a complete System V function returning in rax.
    let f = unsafe { ReduceKernel::<i8>::new(code, 0) };
    f.call(&[], &[]).unwrap()
}

/// Mappings of this process, as (start, end, permissions).
fn maps() -> Vec<(usize, usize, String)> {
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .map(|line| {
            let mut parts = line.split_whitespace();
            let range = parts.next().unwrap();
            let perms = parts.next().unwrap().to_string();
            let (a, b) = range.split_once('-').unwrap();
            (usize::from_str_radix(a, 16).unwrap(), usize::from_str_radix(b, 16).unwrap(), perms)
        })
        .collect()
}

fn mapping_of(addr: *const u8) -> Option<(usize, usize, String)> {
    let addr = addr as usize;
    maps().into_iter().find(|(a, b, _)| (*a..*b).contains(&addr))
}

#[test]
fn many_kernels_few_mappings_and_never_writable_and_executable() {
    let arena = Arena::new();
    let mut handles = Vec::new();
    for i in 0..500u32 {
        handles.push((i, arena.add(&returns(i)).unwrap()));
    }
    let batch: Vec<Vec<u8>> = (500..1000u32).map(returns).collect();
    let refs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
    for (i, code) in (500..1000u32).zip(arena.add_many(&refs).unwrap()) {
        handles.push((i, code));
    }
    for (i, code) in &handles {
        assert_eq!(call(code.clone()), i64::from(*i));
        assert_eq!(code.entry() as usize % 64, 0, "kernels start on 64-byte boundaries");
    }
    assert!(arena.chunks() <= 4, "{} chunks for 1000 kernels", arena.chunks());
    // The batch shares pages: 500 kernels of 6 bytes at 64-byte spacing fit in 8 pages.
    let first = handles[500].1.entry() as usize;
    let last = handles[999].1.entry() as usize;
    assert!(last - first < 500 * 64 + 64);
    for (start, end, perms) in maps() {
        let p = perms.as_bytes();
        assert!(!(p[1] == b'w' && p[2] == b'x'), "mapping {start:x}-{end:x} is {perms}");
    }
    let (_, _, perms) = mapping_of(handles[0].1.entry()).unwrap();
    assert!(perms.starts_with("r-x"), "code pages are {perms}");
}

#[test]
fn handles_keep_code_alive_and_the_last_drop_unmaps() {
    let arena = Arena::new();
    let code = arena.add(&returns(77)).unwrap();
    let entry = code.entry();
    drop(arena);
    assert_eq!(call(code.clone()), 77);
    assert!(mapping_of(entry).is_some());
    drop(code);
    assert!(mapping_of(entry).is_none(), "the chunk is unmapped once nothing refers to it");
}

#[test]
fn concurrent_adds_and_calls() {
    let arena = Arc::new(Arena::new());
    let threads: Vec<_> = (0..8u32)
        .map(|t| {
            let arena = Arc::clone(&arena);
            std::thread::spawn(move || {
                for i in 0..100u32 {
                    let value = t * 1000 + i;
                    let code = arena.add(&returns(value)).unwrap();
                    assert_eq!(call(code), i64::from(value));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn f64_results_come_back_in_xmm0() {
    // movabs rax, bits(pi) ; vmovq xmm0, rax ; ret
    let mut code = vec![0x48, 0xb8];
    code.extend_from_slice(&std::f64::consts::PI.to_bits().to_le_bytes());
    code.extend_from_slice(&[0xc4, 0xe1, 0xf9, 0x6e, 0xc0, 0xc3]);
    let arena = Arena::new();
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: a complete System V function returning a double in xmm0; the CPU has AVX.
        let f = unsafe { ReduceF64Kernel::<u64>::new(arena.add(&code).unwrap(), 2) };
        assert_eq!(f.call(&[0, 0], &[0, 0]).unwrap(), std::f64::consts::PI);
        assert!(f.call(&[0], &[0, 0]).is_err(), "operand lengths are checked");
    }
}

#[test]
fn empty_code_is_an_error() {
    assert_eq!(Arena::new().add(&[]).unwrap_err(), ExecError::Empty);
}

#[test]
fn probe_paths() {
    // This machine allows JIT code unless the environment turns it off.
    let env = std::env::var("TRINITY_JIT").ok();
    let disabled = trinity_runtime::exec::jit_disabled_by(env.as_deref());
    assert_eq!(*probe() == Backend::Jit, !disabled);
}
