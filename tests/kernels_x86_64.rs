//! The x86-64 kernels run natively: aliasing, guard pages, callee-saved registers, the Win64
//! convention, determinism and snapshots. (Every cell is also compared with the reference at
//! the dimensions of DESIGN §7 by trinity-runtime's engine tests.)
#![cfg(all(target_arch = "x86_64", unix))]

use trinity::emit::kernels::{generate, CallConv, KernelSpec, Layout, Op, Tier};
use trinity::emit::x86_64::{Assembler, Cond, Gpr64::*, Mem};
use trinity::runtime::engine::detect_tier;
use trinity::runtime::exec::call::{BinaryKernel, ReduceF64Kernel, ReduceKernel, UnaryKernel};
use trinity::runtime::exec::{Arena, Code};
use trinity::runtime::{reference, BitVector, DenseVector};

fn avx2() -> bool {
    if detect_tier() == Some(Tier::Avx2) {
        true
    } else {
        eprintln!("SKIPPED: this CPU has no AVX2; the x86-64 kernels cannot run here");
        false
    }
}

fn spec(op: Op, layout: Layout, dim: usize, shift: i64) -> KernelSpec {
    if op == Op::Permute {
        KernelSpec::permute(layout, dim as u32, Tier::Avx2, shift)
    } else {
        KernelSpec::new(op, layout, dim as u32, Tier::Avx2)
    }
}

fn place(arena: &Arena, spec: &KernelSpec) -> Code {
    arena.add(&generate(spec).unwrap().code).unwrap()
}

fn elems(layout: Layout, dim: usize) -> usize {
    match layout {
        Layout::Dense => dim,
        Layout::Bits => 2 * dim.div_ceil(64),
    }
}

const DIMS: [usize; 12] = [1, 7, 31, 32, 33, 63, 64, 65, 100, 255, 1000, 10000];

#[test]
fn out_may_alias_either_input() {
    if !avx2() {
        return;
    }
    let arena = Arena::new();
    for dim in DIMS {
        let a = DenseVector::random(dim, 5).unwrap();
        let b = DenseVector::random(dim, 6).unwrap();
        for op in [Op::Bind, Op::Bundle] {
            let want = match op {
                Op::Bind => reference::bind(&a, &b).unwrap(),
                _ => reference::bundle(&a, &b).unwrap(),
            };
            let want = DenseVector::from_slice(&want).unwrap();
            // SAFETY: generated for (op, Dense, dim): a System V binary kernel over dim bytes.
            let f = unsafe {
                BinaryKernel::<i8>::new(place(&arena, &spec(op, Layout::Dense, dim, 0)), dim)
            };
            let mut x = a.as_slice().to_vec();
            f.call_in_place(&mut x, b.as_slice()).unwrap();
            assert_eq!(x, want.as_slice(), "{op:?} dense {dim} out == a");
            let mut y = b.as_slice().to_vec();
            f.call_in_place_second(a.as_slice(), &mut y).unwrap();
            assert_eq!(y, want.as_slice(), "{op:?} dense {dim} out == b");
            let (ba, bb, bw) = (BitVector::from(&a), BitVector::from(&b), BitVector::from(&want));
            let n = ba.words().len();
            // SAFETY: generated for (op, Bits, dim): a System V binary kernel over n words.
            let f = unsafe {
                BinaryKernel::<u64>::new(place(&arena, &spec(op, Layout::Bits, dim, 0)), n)
            };
            let mut x = ba.words().to_vec();
            f.call_in_place(&mut x, bb.words()).unwrap();
            assert_eq!(x, bw.words(), "{op:?} bits {dim} out == a");
            let mut y = bb.words().to_vec();
            f.call_in_place_second(ba.words(), &mut y).unwrap();
            assert_eq!(y, bw.words(), "{op:?} bits {dim} out == b");
        }
    }
}

/// `len` elements ending right before a PROT_NONE page (and starting right after one when
/// `at_start`), so any access outside the buffer faults.
struct Guarded<T> {
    map: *mut u8,
    map_len: usize,
    ptr: *mut T,
    len: usize,
}

impl<T: Copy> Guarded<T> {
    fn new(data: &[T], at_start: bool) -> Self {
        let page = 4096;
        let bytes = std::mem::size_of_val(data);
        let body = bytes.div_ceil(page) * page;
        let map_len = body + 2 * page;
        // SAFETY: an anonymous private mapping with no address hint; checked below.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(map, libc::MAP_FAILED);
        let map = map.cast::<u8>();
        // SAFETY: both guard pages lie inside the mapping just made.
        unsafe {
            assert_eq!(libc::mprotect(map.cast(), page, libc::PROT_NONE), 0);
            assert_eq!(libc::mprotect(map.add(page + body).cast(), page, libc::PROT_NONE), 0);
        }
        let offset = if at_start { page } else { page + body - bytes };
        // SAFETY: offset..offset + bytes is inside the read-write middle of the mapping, and
        // the offset keeps T's alignment (page-aligned end, sizes multiples of size_of::<T>()).
        let ptr = unsafe { map.add(offset).cast::<T>() };
        // SAFETY: as above; the destination is writable and does not overlap `data`.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ptr, data.len()) };
        Guarded { map, map_len, ptr, len: data.len() }
    }

    fn slice(&self) -> &[T] {
        // SAFETY: ptr..ptr + len was initialised in `new` and stays mapped until drop.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    fn slice_mut(&mut self) -> &mut [T] {
        // SAFETY: as above, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        // SAFETY: map/map_len are exactly what mmap returned.
        unsafe { libc::munmap(self.map.cast(), self.map_len) };
    }
}

fn guarded_run<T: Copy + PartialEq + std::fmt::Debug>(
    arena: &Arena,
    op: Op,
    layout: Layout,
    dim: usize,
    a: &[T],
    b: &[T],
    at_start: bool,
) {
    let n = a.len();
    let s = spec(op, layout, dim, dim as i64 / 3);
    let code = place(arena, &s);
    let (ga, gb) = (Guarded::new(a, at_start), Guarded::new(b, at_start));
    let mut out = Guarded::new(a, at_start);
    // SAFETY (all arms): the code was generated for `s`, a System V kernel of the op's
    // signature over n elements per operand.
    unsafe {
        match op {
            Op::Dot | Op::Hamming => {
                let want = ReduceKernel::<T>::new(code.clone(), n).call(a, b).unwrap();
                assert_eq!(
                    ReduceKernel::<T>::new(code, n).call(ga.slice(), gb.slice()).unwrap(),
                    want
                );
            }
            Op::Cosine => {
                let want = ReduceF64Kernel::<T>::new(code.clone(), n).call(a, b).unwrap();
                assert_eq!(
                    ReduceF64Kernel::<T>::new(code, n).call(ga.slice(), gb.slice()).unwrap(),
                    want
                );
            }
            Op::Bind | Op::Bundle => {
                let f = BinaryKernel::<T>::new(code, n);
                let mut want = a.to_vec();
                f.call(&mut want, a, b).unwrap();
                f.call(out.slice_mut(), ga.slice(), gb.slice()).unwrap();
                assert_eq!(out.slice(), &want[..]);
            }
            Op::Permute => {
                let f = UnaryKernel::<T>::new(code, n);
                let mut want = a.to_vec();
                f.call(&mut want, a).unwrap();
                f.call(out.slice_mut(), ga.slice()).unwrap();
                assert_eq!(out.slice(), &want[..]);
            }
        }
    }
}

#[test]
fn no_access_outside_the_operands() {
    if !avx2() {
        return;
    }
    // A stray read or write past either end of an operand hits a PROT_NONE page and kills the
    // test process; results are compared with the same kernel on ordinary memory (which the
    // engine tests compare with the reference).
    let arena = Arena::new();
    for dim in DIMS.into_iter().chain([2, 3, 15, 16, 17, 127, 129, 191, 193, 4097]) {
        let a = DenseVector::random(dim, 1).unwrap();
        let b = DenseVector::random(dim, 2).unwrap();
        let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
        for op in Op::ALL {
            for at_start in [false, true] {
                guarded_run(&arena, op, Layout::Dense, dim, a.as_slice(), b.as_slice(), at_start);
                guarded_run(&arena, op, Layout::Bits, dim, ba.words(), bb.words(), at_start);
            }
        }
    }
}

/// A harness that sets every System V callee-saved register to a canary, calls the kernel
/// placed right after it, and returns 0 when all canaries survived (1 otherwise). It takes a
/// pointer to the kernel's three arguments.
fn harness_then(kernel: &[u8]) -> Vec<u8> {
    let saved = [Rbx, Rbp, R12, R13, R14, R15];
    let canary = |i: usize| 0x5a5a_0000_0000_1111_i64.wrapping_add(i as i64 * 0x0101_0101);
    let mut a = Assembler::new();
    let kernel_label = a.new_label();
    let fail = a.new_label();
    let done = a.new_label();
    for &r in &saved {
        a.push(r).unwrap();
    }
    for (i, &r) in saved.iter().enumerate() {
        a.mov(r, canary(i)).unwrap();
    }
    a.mov(Rsi, Mem::base(Rdi).disp(8)).unwrap();
    a.mov(Rdx, Mem::base(Rdi).disp(16)).unwrap();
    a.mov(Rdi, Mem::base(Rdi)).unwrap();
    // Six pushes leave rsp at 8 mod 16; the call needs it at 0 mod 16.
    a.sub(Rsp, 8).unwrap();
    a.call(kernel_label).unwrap();
    a.add(Rsp, 8).unwrap();
    for (i, &r) in saved.iter().enumerate() {
        a.mov(R11, canary(i)).unwrap();
        a.cmp(r, R11).unwrap();
        a.jcc(Cond::Ne, fail).unwrap();
    }
    a.xor(Rax, Rax).unwrap();
    a.jmp(done).unwrap();
    a.bind(fail).unwrap();
    a.mov(Rax, 1).unwrap();
    a.bind(done).unwrap();
    for &r in saved.iter().rev() {
        a.pop(r).unwrap();
    }
    a.ret().unwrap();
    a.align(64).unwrap();
    a.bind(kernel_label).unwrap();
    a.data(kernel);
    a.finish().unwrap()
}

#[test]
fn callee_saved_registers_survive_every_cell() {
    if !avx2() {
        return;
    }
    let arena = Arena::new();
    for dim in [1, 33, 100, 1000, 10000] {
        let a = DenseVector::random(dim, 3).unwrap();
        for layout in Layout::ALL {
            let n = elems(layout, dim);
            let bits = BitVector::from(&a);
            let input: Vec<u8> = match layout {
                Layout::Dense => a.as_slice().iter().map(|&t| t as u8).collect(),
                Layout::Bits => bits.words().iter().flat_map(|w| w.to_le_bytes()).collect(),
            };
            let mut out = vec![0u8; input.len()];
            for op in Op::ALL {
                let kernel = generate(&spec(op, layout, dim, 1)).unwrap();
                let code = arena.add(&harness_then(&kernel.code)).unwrap();
                // Arguments for every signature: (a, b) or (out, a, b) or (out, v).
                let args: [u64; 3] = match op.signature() {
                    trinity::emit::kernels::Signature::Reduce
                    | trinity::emit::kernels::Signature::ReduceF64 => {
                        [input.as_ptr() as u64, input.as_ptr() as u64, 0]
                    }
                    _ => [out.as_mut_ptr() as u64, input.as_ptr() as u64, input.as_ptr() as u64],
                };
                // SAFETY: the harness is a complete System V function taking one pointer (to
                // the three arguments) and returning an integer; the kernel it calls reads and
                // writes n elements behind pointers that have that many.
                let f = unsafe { ReduceKernel::<u64>::new(code, 3) };
                let _ = n;
                assert_eq!(
                    f.call(&args, &args).unwrap(),
                    0,
                    "{op:?} {layout:?} {dim} clobbered a callee-saved register"
                );
            }
        }
    }
}

#[test]
fn win64_kernels_use_the_win64_registers_and_save_xmm6_to_15() {
    use iced_x86::{Decoder, DecoderOptions, Instruction, InstructionInfoFactory, Register};
    for layout in Layout::ALL {
        for op in Op::ALL {
            let mut s = spec(op, layout, 1000, 3);
            s.conv = CallConv::Win64;
            let code = generate(&s).unwrap().code;
            let mut decoder = Decoder::with_ip(64, &code, 0, DecoderOptions::NONE);
            let mut info = InstructionInfoFactory::new();
            let mut instruction = Instruction::default();
            let (mut saves, mut restores, mut uses_args) = (0, 0, false);
            while decoder.can_decode() {
                decoder.decode_out(&mut instruction);
                if instruction.is_invalid() || instruction.mnemonic() == iced_x86::Mnemonic::Ret {
                    break; // the code ends at its one ret; constant tables follow
                }
                for used in info.info(&instruction).used_registers() {
                    let r = used.register().full_register();
                    assert!(
                        !matches!(
                            r,
                            Register::RDI
                                | Register::RSI
                                | Register::RBX
                                | Register::RBP
                                | Register::R12
                                | Register::R13
                                | Register::R14
                                | Register::R15
                        ),
                        "{s}: {instruction} touches callee-saved {r:?}"
                    );
                    uses_args |= matches!(r, Register::RCX | Register::RDX);
                }
                let text = instruction.to_string();
                if text.starts_with("vmovdqu") && text.contains("rsp") {
                    if text.starts_with("vmovdqu [")
                        || text.contains("],xmm")
                        || text.contains("], xmm")
                    {
                        saves += 1;
                    } else {
                        restores += 1;
                    }
                }
            }
            assert!(uses_args, "{s} never reads rcx/rdx");
            assert!(
                saves >= 10 && restores >= 10,
                "{s}: {saves} saves, {restores} restores of xmm6-xmm15"
            );
        }
    }
}

#[test]
fn win64_long_permute_saves_rdi_and_rsi_around_rep_movsb() {
    let mut s = spec(Op::Permute, Layout::Dense, 10000, 7);
    s.conv = CallConv::Win64;
    let text =
        trinity::disasm::listing(trinity::emit::kernels::Arch::X86_64, &generate(&s).unwrap().code);
    let lines: Vec<&str> = text.lines().collect();
    let find = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} missing:\n{text}"))
    };
    let (push_rdi, push_rsi, rep, pop_rsi, pop_rdi) =
        (find("push rdi"), find("push rsi"), find("rep movsb"), find("pop rsi"), find("pop rdi"));
    assert!(push_rdi < push_rsi && push_rsi < rep && rep < pop_rsi && pop_rsi < pop_rdi, "{text}");
}

#[test]
fn generation_is_deterministic_and_snapshotted() {
    for layout in Layout::ALL {
        for op in Op::ALL {
            let s = spec(op, layout, 100, 37);
            let code = generate(&s).unwrap().code;
            assert_eq!(code, generate(&s).unwrap().code, "{s}");
            let listing = trinity::disasm::listing(trinity::emit::kernels::Arch::X86_64, &code);
            insta::with_settings!({snapshot_path => "../snapshots/kernels_x86_64", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(format!("{}_{}_100", op.name(), layout.name()), listing);
            });
        }
    }
}
