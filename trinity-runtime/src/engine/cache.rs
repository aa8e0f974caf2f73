//! The kernel cache: one entry per kernel key, compiled at most once even when many threads ask
//! for the same key at the same time.

use arc_swap::ArcSwap;
use rustc_hash::FxHashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

/// How a lookup was served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The entry existed (or another thread was building it and this one waited for it).
    Hit,
    /// This call built the entry.
    Miss,
}

/// A map from keys to values built once. Values are typically `Result`s, so a failed build is
/// cached like a successful one and never retried per call.
///
/// Reads take no lock: the map is an immutable snapshot behind an [`ArcSwap`], so a lookup
/// writes no cache line another thread reads. A new key publishes a new snapshot (a copy of the
/// map, under a mutex that only writers take): O(keys) per new key, which is cheap beside
/// compiling the kernel it is for.
pub(crate) struct OnceMap<K, V> {
    slots: ArcSwap<FxHashMap<K, Arc<OnceLock<V>>>>,
    insert: Mutex<()>,
}

impl<K: Eq + Hash + Clone, V> OnceMap<K, V> {
    pub(crate) fn new() -> Self {
        OnceMap { slots: ArcSwap::default(), insert: Mutex::new(()) }
    }

    /// The slot for `key`, inserting an empty one if there is none.
    fn slot(&self, key: &K) -> Arc<OnceLock<V>> {
        if let Some(slot) = self.slots.load().get(key) {
            return Arc::clone(slot);
        }
        let _writer = self.insert.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.slots.load();
        if let Some(slot) = current.get(key) {
            return Arc::clone(slot);
        }
        let mut next = FxHashMap::clone(&current);
        let slot = Arc::clone(next.entry(key.clone()).or_default());
        self.slots.store(Arc::new(next));
        slot
    }

    /// Call `with` on the value for `key`, building it with `build` if no thread has. No lock
    /// is held while building, so different keys build in parallel, and threads asking for the
    /// same key wait for the one builder.
    pub(crate) fn with<R>(
        &self,
        key: &K,
        build: impl FnOnce() -> V,
        with: impl FnOnce(&V, Lookup) -> R,
    ) -> R {
        // Fast path, a built value: borrowed from the snapshot, no reference count touched.
        if let Some(value) = self.slots.load().get(key).and_then(|slot| slot.get()) {
            return with(value, Lookup::Hit);
        }
        let slot = self.slot(key);
        let mut built = false;
        let value = slot.get_or_init(|| {
            built = true;
            build()
        });
        with(value, if built { Lookup::Miss } else { Lookup::Hit })
    }

    /// Call `with` on the value for `key` if one is built; insert and build nothing.
    pub(crate) fn with_built<R>(&self, key: &K, with: impl FnOnce(&V) -> R) -> Option<R> {
        self.slots.load().get(key).and_then(|slot| slot.get()).map(with)
    }

    /// Number of keys with an entry (built or being built).
    pub(crate) fn len(&self) -> usize {
        self.slots.load().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn builds_once_under_contention() {
        let map = Arc::new(OnceMap::<u32, u64>::new());
        let builds = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(std::sync::Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (map, builds, barrier) = (map.clone(), builds.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let build = || {
                        builds.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        49
                    };
                    map.with(&7, build, |v, lookup| (*v, lookup))
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(builds.load(Ordering::SeqCst), 1);
        assert!(results.iter().all(|(v, _)| *v == 49));
        assert_eq!(results.iter().filter(|(_, l)| *l == Lookup::Miss).count(), 1);
        assert_eq!(map.len(), 1);
    }
}
