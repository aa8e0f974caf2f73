//! The header and record slots of the on-disk format (described in the module docs of
//! [`memory`](super)); RAM stores use the same slots, so both expose one region.

use super::MemoryError;
use std::path::Path;
use trinity_emit::kernels::Layout;

/// The first eight bytes of every item memory file.
pub const MAGIC: [u8; 8] = *b"TRINMEM\0";
/// The format version this library writes and reads.
pub const VERSION: u32 = 1;
/// Header bytes; records start here, so a page-aligned mapping keeps them 64-byte aligned.
pub const HEADER_LEN: usize = 64;
/// Bytes of a record's trailer: its nnz (`u32`) and its checksum (`u32`).
pub const TRAILER_LEN: usize = 8;
/// The byte-order code of this machine, recorded because record words are stored natively.
const ENDIAN: u32 = if cfg!(target_endian = "little") { 0 } else { 1 };

/// The shape of every record of a memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub layout: Layout,
    pub dim: usize,
    /// Bytes of the vector's elements.
    pub record_bytes: usize,
    /// Bytes from one record to the next: a multiple of 64 with room for the trailer.
    pub stride: usize,
}

impl Header {
    pub fn new(layout: Layout, dim: usize) -> Header {
        let record_bytes = layout.operand_bytes(dim as u32);
        Header {
            layout,
            dim,
            record_bytes,
            stride: (record_bytes + TRAILER_LEN).next_multiple_of(64),
        }
    }

    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(&MAGIC);
        h[8..12].copy_from_slice(&VERSION.to_le_bytes());
        h[12..16].copy_from_slice(&layout_code(self.layout).to_le_bytes());
        h[16..24].copy_from_slice(&(self.dim as u64).to_le_bytes());
        h[24..32].copy_from_slice(&(self.stride as u64).to_le_bytes());
        h[32..40].copy_from_slice(&(self.record_bytes as u64).to_le_bytes());
        h[40..44].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        h[44..48].copy_from_slice(&ENDIAN.to_le_bytes());
        let crc = crc32fast::hash(&h[..60]);
        h[60..64].copy_from_slice(&crc.to_le_bytes());
        h
    }

    /// The header at the start of `bytes` (the file's first bytes, at most its length).
    pub fn decode(path: &Path, bytes: &[u8]) -> Result<Header, MemoryError> {
        let path = || path.to_owned();
        let truncated =
            || MemoryError::TruncatedHeader { path: path(), len: bytes.len() as u64, needed: 64 };
        let magic: [u8; 8] = bytes.get(..8).ok_or_else(truncated)?.try_into().unwrap_or_default();
        if magic != MAGIC {
            return Err(MemoryError::BadMagic { path: path(), found: magic });
        }
        let h = bytes.get(..HEADER_LEN).ok_or_else(truncated)?;
        let u32_at = |at: usize| u32::from_le_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
        let u64_at = |at: usize| u64::from(u32_at(at)) | u64::from(u32_at(at + 4)) << 32;
        if u32_at(8) != VERSION {
            return Err(MemoryError::UnsupportedVersion { path: path(), found: u32_at(8) });
        }
        let (stored, computed) = (u32_at(60), crc32fast::hash(&h[..60]));
        if stored != computed {
            return Err(MemoryError::HeaderChecksum { path: path(), stored, computed });
        }
        let bad = |field, offset: u64, value: u64, reason| MemoryError::BadHeader {
            path: path(),
            field,
            offset,
            value,
            reason,
        };
        let layout = match u32_at(12) {
            0 => Layout::Dense,
            1 => Layout::Bits,
            code => {
                return Err(bad("layout", 12, code.into(), "layouts are 0 (dense) or 1 (bits)"))
            }
        };
        let dim = u64_at(16);
        if dim == 0 || dim > crate::MAX_DIM as u64 {
            return Err(bad("dim", 16, dim, "dimensions are 1..=MAX_DIM"));
        }
        if u32_at(44) != ENDIAN {
            return Err(bad(
                "byte order",
                44,
                u32_at(44).into(),
                "written on a machine of the other byte order",
            ));
        }
        let header = Header::new(layout, dim as usize);
        if u64_at(24) != header.stride as u64 {
            return Err(bad(
                "stride",
                24,
                u64_at(24),
                "not the stride of this layout and dimension",
            ));
        }
        if u64_at(32) != header.record_bytes as u64 {
            return Err(bad(
                "record bytes",
                32,
                u64_at(32),
                "not the size of this layout and dimension",
            ));
        }
        if u32_at(40) != HEADER_LEN as u32 {
            return Err(bad(
                "header length",
                40,
                u32_at(40).into(),
                "this version's header has 64 bytes",
            ));
        }
        Ok(header)
    }

    /// Write record `index` (the vector's bytes and its nnz) into `slot`, which has `stride`
    /// bytes: elements, zero padding, nnz, checksum.
    pub fn fill_slot(&self, slot: &mut [u8], index: u64, elems: &[u8], nnz: u32) {
        let (body, crc) = slot.split_at_mut(self.stride - 4);
        body[..elems.len()].copy_from_slice(elems);
        body[elems.len()..self.stride - TRAILER_LEN].fill(0);
        body[self.stride - TRAILER_LEN..].copy_from_slice(&nnz.to_le_bytes());
        crc.copy_from_slice(&slot_crc(index, body).to_le_bytes());
    }

    /// The nnz stored in a slot's trailer.
    pub fn slot_nnz(&self, slot: &[u8]) -> u32 {
        let at = self.stride - TRAILER_LEN;
        u32::from_le_bytes([slot[at], slot[at + 1], slot[at + 2], slot[at + 3]])
    }

    /// `Err((stored, computed))` when a slot's checksum does not match its bytes and `index`.
    pub fn check_slot(&self, slot: &[u8], index: u64) -> Result<(), (u32, u32)> {
        let (body, crc) = slot.split_at(self.stride - 4);
        let stored = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
        let computed = slot_crc(index, body);
        if stored == computed {
            Ok(())
        } else {
            Err((stored, computed))
        }
    }

    /// Record `index`'s slot in the bytes of a whole file.
    pub fn slot_in_file<'a>(&self, file: &'a [u8], index: u64) -> &'a [u8] {
        let at = self.offset(index) as usize;
        &file[at..at + self.stride]
    }

    /// The file offset of record `index`.
    pub fn offset(&self, index: u64) -> u64 {
        HEADER_LEN as u64 + index * self.stride as u64
    }
}

/// The checksum of a record: its index first, so a record moved or copied elsewhere fails.
fn slot_crc(index: u64, body: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&index.to_le_bytes());
    h.update(body);
    h.finalize()
}

fn layout_code(layout: Layout) -> u32 {
    match layout {
        Layout::Dense => 0,
        Layout::Bits => 1,
    }
}
