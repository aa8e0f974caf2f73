//! What each thread keeps about the engines it calls: a small direct-mapped cache of the
//! kernels it ran last, and its own op counts per engine. A cache hit then takes no lock,
//! hashes no key into a map and writes no cache line another thread writes (docs/design.md
//! §9.1); `stats()` sums the threads' counts.

use super::Entry;
use crate::kernel::Compiled;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use trinity_emit::kernels::{Layout, Op};

/// What an op call is counted as (the fields of `EngineStats` that sum to `total_ops`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Count {
    Baked,
    JitHit,
    JitMiss,
    Portable,
    OverBudget,
}

/// Number of [`Count`]s.
pub(crate) const COUNTS: usize = 5;

/// A fresh engine identity: never 0 (an empty slot) and never reused in the process, so a
/// slot left behind by a dropped engine matches no live one.
pub(crate) fn new_engine_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// One op call's kernel key in one engine (the engine fixes the tier and convention), packed
/// in two words so that a slot compares in two instructions: the engine id with the op and
/// layout, and the dimension with the shift (both below 2^32: D <= MAX_DIM, shift < D).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    engine_op: u64,
    dim_shift: u64,
}

/// Slots per thread (a power of two).
const SLOT_BITS: u32 = 6;

impl Key {
    /// The key of `op` on `layout` at `dim` (and `shift`, for permute) in engine `engine`.
    #[inline]
    pub(crate) fn new(engine: u64, op: Op, layout: Layout, dim: usize, shift: usize) -> Key {
        debug_assert!(dim < 1 << 32 && shift < 1 << 32 && engine < 1 << 56);
        Key {
            engine_op: engine << 8 | (op as u64) << 1 | layout as u64,
            dim_shift: dim as u64 | (shift as u64) << 32,
        }
    }

    /// The engine id.
    fn engine(&self) -> u64 {
        self.engine_op >> 8
    }

    /// The key's slot: a multiplicative hash of its words, a few instructions.
    #[inline]
    fn slot(&self) -> usize {
        const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
        let fields = self.engine_op.wrapping_mul(GOLDEN) ^ self.dim_shift;
        (fields.wrapping_mul(GOLDEN) >> (64 - SLOT_BITS)) as usize
    }
}

#[derive(Clone, Copy)]
struct Slot {
    key: Key,
    /// The kernel in the engine's cache entry for `key`.
    kernel: *const Compiled,
    /// This thread's count of `key`'s calls ([`Count::Baked`] or [`Count::JitHit`]) in its
    /// tally for `key.engine`, held in [`TALLIES`].
    counter: *const AtomicU64,
}

const EMPTY: Slot = Slot {
    key: Key { engine_op: 0, dim_shift: 0 },
    kernel: std::ptr::null(),
    counter: std::ptr::null(),
};

/// One thread's op counts for one engine. Only that thread writes them (a load and a store,
/// no locked read-modify-write); `stats()` reads them from any thread.
///
/// Aligned so that no other data shares its 128-byte pair of cache lines: on a Zen 4, a tally
/// allocated next to the caller's operands made every engine hit slower.
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct Tally {
    counts: [AtomicU64; COUNTS],
    /// Set (release) by the owning thread once it will not write again.
    retired: AtomicBool,
}

impl Tally {
    fn bump(&self, count: Count) {
        bump(&self.counts[count as usize]);
    }
}

/// Add one to a count only this thread writes.
#[inline]
fn bump(n: &AtomicU64) {
    n.store(n.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

/// An engine's view of its threads' tallies.
#[derive(Default)]
pub(crate) struct Tallies(Mutex<Book>);

#[derive(Default)]
struct Book {
    live: Vec<Arc<Tally>>,
    /// Counts of retired tallies, and of calls that could not reach their thread's tally.
    folded: [u64; COUNTS],
}

impl Book {
    /// Fold the tallies their threads have let go of, so the list holds live threads' only.
    fn sweep(&mut self) {
        let folded = &mut self.folded;
        self.live.retain(|tally| {
            if !tally.retired.load(Ordering::Acquire) {
                return true;
            }
            for (sum, n) in folded.iter_mut().zip(&tally.counts) {
                *sum += n.load(Ordering::Relaxed);
            }
            false
        });
    }
}

impl Tallies {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn register(&self) -> Arc<Tally> {
        let mut book = self.book();
        book.sweep();
        let tally = Arc::<Tally>::default();
        book.live.push(Arc::clone(&tally));
        tally
    }

    /// Every call counted so far, by [`Count`].
    pub(crate) fn sum(&self) -> [u64; COUNTS] {
        let mut book = self.book();
        book.sweep();
        let mut sums = book.folded;
        for tally in &book.live {
            for (sum, n) in sums.iter_mut().zip(&tally.counts) {
                *sum += n.load(Ordering::Relaxed);
            }
        }
        sums
    }
}

/// Engines a thread keeps a tally for at once; using more retires the least recent.
const ENGINES: usize = 8;

/// A thread's tallies: (engine id, its tally), most recently used first.
struct Held(Vec<(u64, Arc<Tally>)>);

impl Held {
    /// This thread's tally for `engine`, registered with `tallies` if it has none, moved to
    /// the front.
    fn tally(&mut self, engine: u64, tallies: &Tallies) -> &Tally {
        match self.0.iter().position(|(id, _)| *id == engine) {
            Some(i) => self.0[..=i].rotate_right(1),
            None => {
                if self.0.len() == ENGINES {
                    let (evicted, tally) = self.0.pop().expect("ENGINES > 0");
                    forget(|id| id == evicted);
                    tally.retired.store(true, Ordering::Release);
                }
                self.0.insert(0, (engine, tallies.register()));
            }
        }
        &self.0[0].1
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        forget(|_| true);
        for (_, tally) in &self.0 {
            tally.retired.store(true, Ordering::Release);
        }
    }
}

thread_local! {
    /// The thread's recent kernels, direct-mapped by [`Key::slot`]. No destructor, so it is
    /// reachable all the thread's life and its access costs no state check.
    static SLOTS: [Cell<Slot>; 1 << SLOT_BITS] = const { [const { Cell::new(EMPTY) }; 1 << SLOT_BITS] };
    /// The tallies the slots point to.
    static TALLIES: RefCell<Held> = const { RefCell::new(Held(Vec::new())) };
}

/// Empty the slots of the engines `which` names, before their tallies leave [`TALLIES`].
fn forget(which: impl Fn(u64) -> bool) {
    SLOTS.with(|slots| {
        for slot in slots {
            if which(slot.get().key.engine()) {
                slot.set(EMPTY);
            }
        }
    });
}

/// The kernel this thread last ran for `key`, its call counted, or `None` (then nothing is
/// counted). The pointer is what [`remember`] stored for `key`: valid while the engine
/// `key.engine()` lives.
#[inline]
pub(crate) fn recent(key: &Key) -> Option<*const Compiled> {
    SLOTS.with(|slots| {
        let slot = slots[key.slot()].get();
        if slot.key != *key {
            return None;
        }
        // SAFETY: a slot holding a key points into this thread's tally for the key's engine,
        // an Arc in TALLIES; a tally leaves TALLIES only after `forget` emptied its engine's
        // slots.
        bump(unsafe { &*slot.counter });
        Some(slot.kernel)
    })
}

/// Count one call of `engine` (whose tallies are `tallies`) on this thread.
pub(crate) fn count(engine: u64, tallies: &Tallies, count: Count) {
    let counted = TALLIES.try_with(|held| {
        let mut held = held.try_borrow_mut().ok()?;
        held.tally(engine, tallies).bump(count);
        Some(())
    });
    if counted.ok().flatten().is_none() {
        // This thread's tallies are gone (a call from a thread-local destructor) or in use.
        tallies.book().folded[count as usize] += 1;
    }
}

/// Serve later calls of `key` on this thread from `entry`, which must be the entry for `key`
/// in the cache of the engine `key.engine()`: that cache keeps it in place while the engine
/// lives. Called after [`count`] counted the call, so the thread's front tally is the engine's.
pub(crate) fn remember(key: Key, entry: &Entry) {
    let count = if entry.baked { Count::Baked } else { Count::JitHit };
    let _ = TALLIES.try_with(|held| {
        let held = held.try_borrow().ok()?;
        let (_, tally) = held.0.first().filter(|(id, _)| *id == key.engine())?;
        let slot = Slot { key, kernel: &entry.compiled, counter: &tally.counts[count as usize] };
        SLOTS.with(|slots| slots[key.slot()].set(slot));
        Some(())
    });
}
