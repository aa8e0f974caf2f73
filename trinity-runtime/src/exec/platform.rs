//! The operating-system side of executable memory, kept in one small module: reserving
//! read-write pages, turning written pages read+execute, and making the instruction cache see
//! new code.
//!
//! - Linux and other Unix systems (x86-64 and AArch64): an anonymous memmap2 mapping, written
//!   while read-write, then `mprotect`ed to read+execute page range by page range. A page that
//!   holds handed-out code is never made writable again.
//! - macOS on AArch64 (Apple silicon): the mapping is made with `MAP_JIT`, writes happen between
//!   `pthread_jit_write_protect_np(0)` and `(1)` on the writing thread, and
//!   `sys_icache_invalidate` runs after each write.
//! - AArch64 elsewhere: after writing, the data cache is cleaned and the instruction cache
//!   invalidated over the range (`dc cvau`, `dsb ish`, `ic ivau`, `dsb ish`, `isb`, line sizes
//!   from `CTR_EL0`). x86-64 keeps its caches coherent and needs nothing.

use std::io;

/// The system page size.
pub(crate) fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions; _SC_PAGESIZE is always supported.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 {
        size as usize
    } else {
        4096
    }
}

/// A reserved range of pages: read-write until sealed, page by page, to read+execute.
pub(crate) struct Region {
    #[cfg(not(all(target_os = "macos", target_arch = "aarch64")))]
    map: memmap2::MmapMut,
    #[cfg(all(target_os = "macos", target_arch = "aarch64"))]
    map: macos::JitMap,
}

impl Region {
    /// Reserve `len` bytes (a multiple of the page size) of read-write memory.
    pub(crate) fn new(len: usize) -> io::Result<Region> {
        #[cfg(not(all(target_os = "macos", target_arch = "aarch64")))]
        let map = memmap2::MmapMut::map_anon(len)?;
        #[cfg(all(target_os = "macos", target_arch = "aarch64"))]
        let map = macos::JitMap::new(len)?;
        Ok(Region { map })
    }

    /// The first byte.
    pub(crate) fn base(&self) -> *const u8 {
        self.map.as_ptr()
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Copy `code` to `offset` and make it visible to instruction fetch once sealed.
    ///
    /// # Safety
    /// `offset..offset + code.len()` must lie inside the region in pages that were never
    /// sealed, so no thread can be executing them; the caller serialises calls (the arena's lock).
    pub(crate) unsafe fn write(&self, offset: usize, code: &[u8]) {
        debug_assert!(offset + code.len() <= self.len());
        // SAFETY: per the caller, offset..offset + code.len() is inside the mapping.
        let dst = unsafe { self.map.as_ptr().add(offset) } as *mut u8;
        #[cfg(all(target_os = "macos", target_arch = "aarch64"))]
        // SAFETY: dst.. is inside the live MAP_JIT mapping and in pages nobody executes yet.
        unsafe {
            macos::write_jit(dst, code)
        };
        #[cfg(not(all(target_os = "macos", target_arch = "aarch64")))]
        {
            // SAFETY: dst.. is inside the read-write mapping, which `code` (a Rust slice)
            // cannot overlap, and no other thread writes or runs it (the arena's lock, and the
            // pages are not sealed yet).
            unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), dst, code.len()) };
            flush_icache(dst, code.len());
        }
    }

    /// Make the pages `from..to` read+execute, for good.
    ///
    /// # Safety
    /// `from` and `to` must be page-aligned offsets inside the region.
    pub(crate) unsafe fn seal(&self, from: usize, to: usize) -> io::Result<()> {
        debug_assert!(from <= to && to <= self.len());
        #[cfg(all(target_os = "macos", target_arch = "aarch64"))]
        {
            // MAP_JIT pages are executable for every thread not inside write_jit.
            let _ = (from, to);
            Ok(())
        }
        #[cfg(not(all(target_os = "macos", target_arch = "aarch64")))]
        {
            // SAFETY: per the caller, `from` is a page-aligned offset inside the mapping.
            let start = unsafe { self.map.as_ptr().add(from) } as *mut libc::c_void;
            // SAFETY: start..start + (to - from) is a page-aligned range of our own mapping;
            // changing its protection affects no Rust reference (the map is only accessed
            // through raw pointers once written).
            if unsafe { libc::mprotect(start, to - from, libc::PROT_READ | libc::PROT_EXEC) } != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }
    }
}

/// Make the instruction stream see `len` freshly written bytes at `start`.
#[cfg(not(target_arch = "aarch64"))]
fn flush_icache(_start: *const u8, _len: usize) {}

/// Make the instruction stream see `len` freshly written bytes at `start` (AArch64, not macOS):
/// clean each data-cache line to the point of unification, then invalidate each
/// instruction-cache line, with the barriers the architecture requires between the steps.
#[cfg(all(target_arch = "aarch64", not(target_os = "macos")))]
fn flush_icache(start: *const u8, len: usize) {
    use std::arch::asm;
    let ctr: u64;
    // SAFETY: CTR_EL0 is readable from EL0 on Linux (the kernel enables or emulates it).
    unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack, preserves_flags)) };
    // Line sizes are encoded as log2 of the number of 4-byte words.
    let dline = 4usize << ((ctr >> 16) & 0xf);
    let iline = 4usize << (ctr & 0xf);
    let (begin, end) = (start as usize, start as usize + len);
    let mut at = begin & !(dline - 1);
    while at < end {
        // SAFETY: cleaning a data-cache line of memory we own has no other effect.
        unsafe { asm!("dc cvau, {}", in(reg) at, options(nostack, preserves_flags)) };
        at += dline;
    }
    // SAFETY: barriers have no memory-safety preconditions.
    unsafe { asm!("dsb ish", options(nostack, preserves_flags)) };
    let mut at = begin & !(iline - 1);
    while at < end {
        // SAFETY: invalidating an instruction-cache line of memory we own has no other effect.
        unsafe { asm!("ic ivau, {}", in(reg) at, options(nostack, preserves_flags)) };
        at += iline;
    }
    // SAFETY: barriers have no memory-safety preconditions.
    unsafe { asm!("dsb ish", "isb", options(nostack, preserves_flags)) };
    // The `isb` above synchronises only this (the writing) thread. A thread that later runs
    // the code needs no `isb` of its own, because it cannot hold stale instructions for these
    // addresses: the pages were read-write (execute-never) from the moment they were mapped
    // until the seal that follows this flush, so no core has fetched from them, not even
    // speculatively; a page is never written again once sealed; and an address of an unmapped
    // chunk is only reused after every `Code` handle into it, and so every caller, is gone.
    // The function pointer then reaches other threads only through a lock or an atomic with
    // release/acquire ordering (the arena's mutex, the engine's cache), which orders the
    // cleaned and invalidated lines before the first branch to them.
}

#[cfg(all(target_os = "macos", target_arch = "aarch64"))]
mod macos {
    use std::io;

    extern "C" {
        fn pthread_jit_write_protect_np(enabled: libc::c_int);
        fn sys_icache_invalidate(start: *mut libc::c_void, len: libc::size_t);
    }

    /// A `MAP_JIT` mapping, unmapped on drop.
    pub(crate) struct JitMap {
        ptr: *mut u8,
        len: usize,
    }

    // SAFETY: the mapping is plain memory; the arena serialises writes.
    unsafe impl Send for JitMap {}
    // SAFETY: as above; shared access only reads or executes.
    unsafe impl Sync for JitMap {}

    impl JitMap {
        pub(crate) fn new(len: usize) -> io::Result<JitMap> {
            // SAFETY: an anonymous private mapping with no address hint has no preconditions.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                    libc::MAP_PRIVATE | libc::MAP_ANON | libc::MAP_JIT,
                    -1,
                    0,
                )
            };
            if ptr == libc::MAP_FAILED {
                return Err(io::Error::last_os_error());
            }
            Ok(JitMap { ptr: ptr.cast(), len })
        }

        pub(crate) fn as_ptr(&self) -> *const u8 {
            self.ptr
        }

        pub(crate) fn len(&self) -> usize {
            self.len
        }
    }

    impl Drop for JitMap {
        fn drop(&mut self) {
            // SAFETY: ptr/len are exactly what mmap returned; no handle outlives the map.
            unsafe { libc::munmap(self.ptr.cast(), self.len) };
        }
    }

    /// Copy `code` to `dst` inside a MAP_JIT mapping and make it visible to instruction fetch.
    ///
    /// # Safety
    /// `dst..dst + code.len()` is inside a live MAP_JIT mapping and not executing.
    pub(crate) unsafe fn write_jit(dst: *mut u8, code: &[u8]) {
        // SAFETY: toggling this thread's JIT write protection has no preconditions; the copy
        // stays inside the caller's range of a live MAP_JIT mapping, which `code` cannot
        // overlap; invalidating our own range has no other effect.
        unsafe {
            pthread_jit_write_protect_np(0);
            std::ptr::copy_nonoverlapping(code.as_ptr(), dst, code.len());
            pthread_jit_write_protect_np(1);
            sys_icache_invalidate(dst.cast(), code.len());
        }
    }
}
