//! The simulated address space: explicit regions, every access checked to lie inside one.

use std::fmt;

/// One block of simulated memory at a fixed address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The address of the first byte.
    pub address: u64,
    /// The contents.
    pub bytes: Vec<u8>,
    /// Whether stores may write it.
    pub writable: bool,
}

impl Region {
    /// One past the last byte.
    pub fn end(&self) -> u64 {
        self.address + self.bytes.len() as u64
    }
}

/// Why a memory access failed (the simulator adds the instruction offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MemError {
    /// Some byte of the access lies outside every region, or the access spans two regions.
    #[error("{} of {size} bytes at {address:#x} is not inside one region", kind(*write))]
    OutOfRegion {
        /// The first byte accessed.
        address: u64,
        /// Bytes accessed.
        size: usize,
        /// A store (true) or a load.
        write: bool,
    },
    /// A store into a read-only region.
    #[error("store of {size} bytes at {address:#x} hits a read-only region")]
    ReadOnly {
        /// The first byte stored.
        address: u64,
        /// Bytes stored.
        size: usize,
    },
    /// A new region overlaps one already present (or wraps around the address space).
    #[error("region of {size} bytes at {address:#x} overlaps another or wraps")]
    Overlap {
        /// The new region's address.
        address: u64,
        /// Its size.
        size: usize,
    },
}

fn kind(write: bool) -> &'static str {
    if write {
        "store"
    } else {
        "load"
    }
}

/// Where [`Memory::place`] puts its first region; regions are a page apart from each other.
pub const DATA_BASE: u64 = 0x1000_0000;
const PAGE: u64 = 0x1000;

/// A set of disjoint regions. Unlike guard pages, an access one byte past a region is caught
/// wherever the region ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// Sorted by address, disjoint.
    regions: Vec<Region>,
}

impl Memory {
    /// An empty address space.
    pub fn new() -> Self {
        Memory::default()
    }

    /// Add a region at `address`; an error if it overlaps another or wraps.
    pub fn add(&mut self, address: u64, bytes: Vec<u8>, writable: bool) -> Result<(), MemError> {
        let size = bytes.len();
        let overlap = MemError::Overlap { address, size };
        let end = address.checked_add(size as u64).ok_or(overlap)?;
        let at = self.regions.partition_point(|r| r.address < address);
        let clear_before = at == 0 || self.regions[at - 1].end() <= address;
        let clear_after =
            self.regions.get(at).is_none_or(|r| end <= r.address && r.address != address);
        if !(clear_before && clear_after) {
            return Err(overlap);
        }
        self.regions.insert(at, Region { address, bytes, writable });
        Ok(())
    }

    /// Add a region at a fresh page-aligned address, at least a page past every region from
    /// [`DATA_BASE`] up, and return the address.
    pub fn place(&mut self, bytes: Vec<u8>, writable: bool) -> u64 {
        let top = self.regions.iter().map(Region::end).filter(|&e| e >= DATA_BASE).max();
        let address = top.map_or(DATA_BASE, |e| e.next_multiple_of(PAGE) + PAGE);
        self.add(address, bytes, writable).expect("above every region, so free");
        address
    }

    /// The region starting exactly at `address`.
    pub fn region(&self, address: u64) -> Option<&Region> {
        self.regions.iter().find(|r| r.address == address)
    }

    /// Every region, by address.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    fn index(&self, address: u64, size: usize, write: bool) -> Result<(usize, usize), MemError> {
        let out = MemError::OutOfRegion { address, size, write };
        let at = self.regions.partition_point(|r| r.address <= address);
        let region = at.checked_sub(1).map(|i| (i, &self.regions[i])).ok_or(out)?;
        let start = (address - region.1.address) as usize;
        let end = address.checked_add(size as u64).ok_or(out)?;
        if end > region.1.end() {
            return Err(out);
        }
        Ok((region.0, start))
    }

    /// The `size` bytes at `address`, which must lie inside one region.
    pub fn read(&self, address: u64, size: usize) -> Result<&[u8], MemError> {
        let (i, start) = self.index(address, size, false)?;
        Ok(&self.regions[i].bytes[start..start + size])
    }

    /// Store `data` at `address`, which must lie inside one writable region.
    pub fn write(&mut self, address: u64, data: &[u8]) -> Result<(), MemError> {
        let size = data.len();
        let (i, start) = self.index(address, size, true)?;
        let region = &mut self.regions[i];
        if !region.writable {
            return Err(MemError::ReadOnly { address, size });
        }
        region.bytes[start..start + size].copy_from_slice(data);
        Ok(())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let access = if self.writable { "rw" } else { "r" };
        write!(f, "[{:#x}, {:#x}) {access}", self.address, self.end())
    }
}
