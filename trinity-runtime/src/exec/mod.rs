//! Executable memory for generated kernels (docs/design.md §6).
//!
//! An [`Arena`] places code in shared chunks of pages. Pages are written while read-write and
//! then sealed read+execute; a sealed page is never made writable again, so no page is ever
//! writable and executable at once, and code that another thread may be running is never
//! touched. [`Arena::add_many`] packs several kernels into the same pages with one seal;
//! [`Arena::add`] places one kernel starting on a fresh page. A [`Code`] handle keeps its chunk
//! mapped: the memory is unmapped when the arena and every handle into the chunk are gone.
//! [`Arena::with_limit`] bounds the pages an arena places (the engine's code budget).
//!
//! [`probe`] checks once whether this process may execute generated code at all; where the
//! system refuses (SELinux `deny_execmem`, PaX MPROTECT, hardened runtimes) or
//! `TRINITY_JIT=off` is set, the engine uses portable Rust and says why.

pub mod call;
mod platform;

use std::sync::{Arc, Mutex, OnceLock};

/// Why executable memory could not be provided.
///
/// ```
/// use trinity_runtime::exec::{Arena, ExecError};
/// assert_eq!(Arena::new().add(&[]).unwrap_err(), ExecError::Empty);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// Reserving pages failed.
    #[error("mmap of {len} bytes failed: {message} (errno {errno})")]
    Map {
        /// Bytes asked for.
        len: usize,
        /// The OS error number.
        errno: i32,
        /// The OS message.
        message: String,
    },
    /// Making pages executable failed.
    #[error("mprotect of {len} bytes to read+execute failed: {message} (errno {errno})")]
    Protect {
        /// Bytes to protect.
        len: usize,
        /// The OS error number.
        errno: i32,
        /// The OS message.
        message: String,
    },
    /// Nothing to place.
    #[error("no code to place")]
    Empty,
    /// Placing the code would pass the arena's limit ([`Arena::with_limit`]).
    #[error("placing {len} bytes of pages would pass the code budget of {limit} bytes ({placed} placed)")]
    OverBudget {
        /// Bytes of whole pages the placement needs.
        len: usize,
        /// Bytes of pages placed so far.
        placed: usize,
        /// The limit.
        limit: usize,
    },
}

fn os_error(e: &std::io::Error) -> (i32, String) {
    (e.raw_os_error().unwrap_or(0), e.to_string())
}

/// Kernels start on this boundary, as the kernel ABI and object files do.
///
/// ```
/// use trinity_runtime::exec::{Arena, CODE_ALIGN};
/// let arena = Arena::new();
/// let codes = arena.add_many(&[&[0xc3], &[0xc3]])?;
/// assert_eq!(codes[1].entry() as usize - codes[0].entry() as usize, CODE_ALIGN);
/// # Ok::<(), trinity_runtime::exec::ExecError>(())
/// ```
pub const CODE_ALIGN: usize = 64;

/// Bytes reserved per chunk (a kernel batch larger than this gets a chunk of its own size).
const CHUNK_BYTES: usize = 1 << 20;

struct Chunk {
    region: platform::Region,
}

/// A handle to executable code: JIT code placed in an [`Arena`] (its entry point stays
/// executable while the handle lives), or code that is part of the program image, such as a
/// kernel baked by `#[trinity::vsa]` ([`Code::from_static`]).
///
/// ```
/// use trinity_runtime::exec::Arena;
/// let code = Arena::new().add(&[0x90, 0xc3])?;
/// assert_eq!(code.bytes(), &[0x90, 0xc3]);
/// assert_eq!((code.len(), code.is_empty(), code.is_static()), (2, false, false));
/// assert!(!code.entry().is_null());
/// # Ok::<(), trinity_runtime::exec::ExecError>(())
/// ```
#[derive(Clone)]
pub struct Code {
    entry: *const u8,
    len: usize,
    /// Keeps JIT code mapped; `None` for code in the program image.
    chunk: Option<Arc<Chunk>>,
}

// SAFETY: the bytes behind `entry` are never written after the handle exists (sealed arena
// pages, or program text) and stay mapped while it lives, so handles may move and be shared
// between threads; the chunk itself is an Arc of Send + Sync data.
unsafe impl Send for Code {}
// SAFETY: as above.
unsafe impl Sync for Code {}

impl Code {
    /// Code that is part of the program image, such as a kernel baked into an executable
    /// section by `#[trinity::vsa]`.
    ///
    /// # Safety
    /// `entry..entry + len` must be mapped readable and executable for the rest of the program
    /// and never written.
    ///
    /// ```
    /// use trinity_runtime::exec::Code;
    /// static BYTES: [u8; 2] = [0x90, 0xc3];
    /// // SAFETY: a static lives for the whole program and is never written (only read here).
    /// let code = unsafe { Code::from_static(BYTES.as_ptr(), BYTES.len()) };
    /// assert!(code.is_static());
    /// assert_eq!(code.bytes(), &BYTES);
    /// ```
    pub unsafe fn from_static(entry: *const u8, len: usize) -> Code {
        Code { entry, len, chunk: None }
    }

    /// The address of the first instruction.
    pub fn entry(&self) -> *const u8 {
        self.entry
    }

    /// Code length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the code is empty (never for placed code: placing empty code is an error).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the code is part of the program image rather than placed in an arena.
    pub fn is_static(&self) -> bool {
        self.chunk.is_none()
    }

    /// The code's bytes, as the CPU sees them.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the range was written before sealing (or is program text, per
        // `from_static`), is never written again, and stays mapped while this handle lives.
        unsafe { std::slice::from_raw_parts(self.entry, self.len) }
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Code {{ entry: {:p}, len: {} }}", self.entry(), self.len)
    }
}

struct Open {
    chunk: Option<Arc<Chunk>>,
    /// First never-sealed page offset in the open chunk.
    next: usize,
    mapped: usize,
    chunks: usize,
    /// Bytes of pages placed (sealed), in every chunk.
    placed: usize,
}

/// A W^X code arena shared by many kernels. `Send + Sync`: placement is serialised by a lock,
/// and placed code is immutable.
///
/// ```
/// # #[cfg(target_arch = "x86_64")] {
/// use trinity_runtime::exec::{Arena, call::ReduceKernel};
/// let arena = Arena::new();
/// // mov eax, 7 ; ret  (ignores its arguments)
/// let code = arena.add(&[0xb8, 7, 0, 0, 0, 0xc3])?;
/// // SAFETY: the bytes are a complete System V function returning in rax.
/// let f = unsafe { ReduceKernel::<i8>::new(code, 4) };
/// assert_eq!(f.call(&[0; 4], &[0; 4])?, 7);
/// # }
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub struct Arena {
    open: Mutex<Open>,
    /// Most bytes of pages `add_many` places in all.
    limit: usize,
}

impl Default for Arena {
    fn default() -> Self {
        Self::new()
    }
}

impl Arena {
    /// An empty arena; nothing is mapped until code is added.
    pub fn new() -> Self {
        Self::with_limit(usize::MAX)
    }

    /// An empty arena that places at most `limit` bytes of pages in all (each placement
    /// counted as the whole pages it takes, which is what it makes resident); a placement
    /// that would pass it fails with [`ExecError::OverBudget`] and places nothing.
    ///
    /// ```
    /// use trinity_runtime::exec::{Arena, ExecError};
    /// let arena = Arena::with_limit(1);
    /// assert!(matches!(arena.add(&[0xc3]), Err(ExecError::OverBudget { placed: 0, limit: 1, .. })));
    /// assert_eq!(arena.placed_bytes(), 0);
    /// ```
    pub fn with_limit(limit: usize) -> Self {
        let open = Open { chunk: None, next: 0, mapped: 0, chunks: 0, placed: 0 };
        Arena { open: Mutex::new(open), limit }
    }

    /// Place one kernel; it starts on a fresh page of the open chunk.
    pub fn add(&self, code: &[u8]) -> Result<Code, ExecError> {
        Ok(self.add_many(&[code])?.remove(0))
    }

    /// Place several kernels packed together (each on a [`CODE_ALIGN`] boundary), sealing their
    /// pages once.
    ///
    /// ```
    /// use trinity_runtime::exec::Arena;
    /// let arena = Arena::new();
    /// let placed = arena.add_many(&[&[0xc3], &[0x90, 0xc3]])?;
    /// assert_eq!(placed.len(), 2);
    /// assert_eq!(arena.chunks(), 1);
    /// assert!(arena.mapped_bytes() >= 4096);
    /// # Ok::<(), trinity_runtime::exec::ExecError>(())
    /// ```
    pub fn add_many(&self, codes: &[&[u8]]) -> Result<Vec<Code>, ExecError> {
        if codes.is_empty() || codes.iter().any(|c| c.is_empty()) {
            return Err(ExecError::Empty);
        }
        let page = platform::page_size();
        let mut offsets = Vec::with_capacity(codes.len());
        let mut total = 0usize;
        for code in codes {
            offsets.push(total);
            total = (total + code.len()).next_multiple_of(CODE_ALIGN);
        }
        let span = total.next_multiple_of(page);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if span > self.limit - open.placed {
            return Err(ExecError::OverBudget {
                len: span,
                placed: open.placed,
                limit: self.limit,
            });
        }
        let fits = open.chunk.as_ref().is_some_and(|c| open.next + span <= c.region.len());
        if !fits {
            let len = span.max(CHUNK_BYTES);
            let region = platform::Region::new(len).map_err(|e| {
                let (errno, message) = os_error(&e);
                ExecError::Map { len, errno, message }
            })?;
            open.chunk = Some(Arc::new(Chunk { region }));
            open.next = 0;
            open.mapped += len;
            open.chunks += 1;
        }
        let chunk = Arc::clone(open.chunk.as_ref().expect("a chunk is open"));
        let base = open.next;
        for (code, &offset) in codes.iter().zip(&offsets) {
            // SAFETY: base.. is past every sealed page of this chunk (open.next only grows),
            // inside the region (checked by `fits` or the new chunk's size), and we hold the lock.
            unsafe { chunk.region.write(base + offset, code) };
        }
        // SAFETY: the pages base..base+span are inside the region and hold only the code just
        // written; sealing them read+execute is the W^X flip.
        unsafe { chunk.region.seal(base, base + span) }.map_err(|e| {
            let (errno, message) = os_error(&e);
            ExecError::Protect { len: span, errno, message }
        })?;
        open.next = base + span;
        open.placed += span;
        Ok(codes
            .iter()
            .zip(offsets)
            .map(|(code, offset)| Code {
                // SAFETY: base + offset is inside the region (it was just written there).
                entry: unsafe { chunk.region.base().add(base + offset) },
                len: code.len(),
                chunk: Some(Arc::clone(&chunk)),
            })
            .collect())
    }

    /// Bytes of address space this arena has mapped (chunks still alive or not).
    pub fn mapped_bytes(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).mapped
    }

    /// Bytes of pages this arena has placed code in (whole pages per placement), the measure
    /// [`with_limit`](Self::with_limit) bounds.
    ///
    /// ```
    /// use trinity_runtime::exec::Arena;
    /// let arena = Arena::new();
    /// arena.add(&[0xc3])?;
    /// arena.add(&[0xc3])?;
    /// let page = arena.placed_bytes() / 2;
    /// assert!(page >= 4096 && page.is_power_of_two(), "each add takes whole pages of its own");
    /// # Ok::<(), trinity_runtime::exec::ExecError>(())
    /// ```
    pub fn placed_bytes(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).placed
    }

    /// Number of chunks (mappings) this arena has created.
    pub fn chunks(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).chunks
    }
}

/// Which backend runs kernels in this process.
///
/// ```
/// use trinity_runtime::exec::{probe, Backend};
/// match probe() {
///     Backend::Jit => println!("generated code runs here"),
///     Backend::Portable { reason } => println!("portable Rust: {reason}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// Generated machine code.
    Jit,
    /// Portable Rust, with the reason.
    Portable {
        /// Why generated code is not used.
        reason: String,
    },
}

/// Whether the value of `TRINITY_JIT` turns the JIT off (`off`, `0`, `false`, `no`, any case).
///
/// ```
/// use trinity_runtime::exec::jit_disabled_by;
/// assert!(jit_disabled_by(Some("off")) && jit_disabled_by(Some("FALSE")));
/// assert!(!jit_disabled_by(Some("on")) && !jit_disabled_by(None));
/// ```
pub fn jit_disabled_by(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        matches!(v.trim().to_ascii_lowercase().as_str(), "off" | "0" | "false" | "no")
    })
}

/// A tiny function returning 42, for the probe.
fn probe_code() -> Option<&'static [u8]> {
    if cfg!(target_arch = "x86_64") {
        // mov eax, 42 ; ret
        Some(&[0xb8, 42, 0, 0, 0, 0xc3])
    } else if cfg!(target_arch = "aarch64") {
        // movz x0, #42 ; ret
        Some(&[0x40, 0x05, 0x80, 0xd2, 0xc0, 0x03, 0x5f, 0xd6])
    } else {
        None
    }
}

/// Decide the backend: `env` is the value of `TRINITY_JIT`, `place` places code (an arena's
/// [`Arena::add`] in real use; a failing closure simulates a system that refuses).
///
/// Crate-private on purpose: it calls whatever code `place` returns, so a public version would
/// let safe code run bytes Trinity did not generate.
pub(crate) fn probe_with(
    env: Option<&str>,
    place: impl FnOnce(&[u8]) -> Result<Code, ExecError>,
) -> Backend {
    if jit_disabled_by(env) {
        return Backend::Portable { reason: "TRINITY_JIT turns the JIT off".into() };
    }
    let Some(bytes) = probe_code() else {
        return Backend::Portable { reason: "no code generator for this architecture".into() };
    };
    match place(bytes) {
        Ok(code) => {
            // SAFETY: the probe bytes are a complete function of the platform ABI returning an
            // integer and ignoring its arguments.
            let f = unsafe { call::ReduceKernel::<i8>::new(code, 0) };
            match f.call(&[], &[]) {
                Ok(42) => Backend::Jit,
                other => Backend::Portable { reason: format!("probe function returned {other:?}") },
            }
        }
        Err(e) => Backend::Portable { reason: format!("executable memory refused: {e}") },
    }
}

/// The backend of this process, probed once: portable when `TRINITY_JIT` turns the JIT off
/// ([`jit_disabled_by`]), when there is no code generator for this architecture, or when
/// placing and running a tiny generated function fails; generated code otherwise.
pub fn probe() -> &'static Backend {
    static BACKEND: OnceLock<Backend> = OnceLock::new();
    BACKEND.get_or_init(|| {
        let env = std::env::var("TRINITY_JIT").ok();
        let arena = Arena::new();
        probe_with(env.as_deref(), |bytes| arena.add(bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_paths() {
        match probe_with(Some("off"), |_| unreachable!("the JIT is off")) {
            Backend::Portable { reason } => assert!(reason.contains("TRINITY_JIT"), "{reason}"),
            other => panic!("{other:?}"),
        }
        if probe_code().is_none() {
            println!("skipped the rest: no code generator for this architecture");
            return;
        }
        let arena = Arena::new();
        assert_eq!(probe_with(None, |b| arena.add(b)), Backend::Jit);
        let refused = probe_with(None, |_| {
            Err(ExecError::Protect { len: 4096, errno: 13, message: "Permission denied".into() })
        });
        match refused {
            Backend::Portable { reason } => {
                assert!(reason.contains("Permission denied"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}
