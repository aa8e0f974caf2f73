//! Where records live: a 64-byte-aligned buffer in RAM, or a file read through a mapping.
//! Both expose the records as one byte region at the memory's stride.

use super::format::{Header, HEADER_LEN};
use super::record::sealed::Stored;
use super::{MemoryError, OpenOptions, OpenReport};
use crate::Result;
use memmap2::{Mmap, MmapOptions};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// 64 bytes on a 64-byte boundary: a `Vec<Block>` is an aligned byte buffer.
#[repr(C, align(64))]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Block([u8; 64]);

/// A zeroed aligned buffer of `bytes` (a multiple of 64) bytes.
pub(crate) fn aligned(bytes: usize) -> Vec<Block> {
    vec![Block([0; 64]); bytes / 64]
}

pub(crate) enum Store {
    Ram(Vec<Block>),
    File(FileStore),
}

pub(crate) struct FileStore {
    path: PathBuf,
    file: File,
    /// The file from offset 0; `None` until there is a record. It may extend past the end of
    /// the file (see `map_len`); only bytes below the checked file length are ever read.
    map: Option<Mmap>,
    writable: bool,
}

impl Store {
    /// The first `len` records: record `i` at bytes `i * stride..(i + 1) * stride`.
    pub fn region(&self, header: &Header, len: u64) -> Result<&[u8]> {
        let bytes = len as usize * header.stride;
        match self {
            Store::Ram(blocks) => Ok(&bytemuck::cast_slice(blocks)[..bytes]),
            Store::File(f) => {
                let Some(map) = &f.map else { return Ok(&[]) };
                // Never touch a page the file no longer backs (reading it would be SIGBUS).
                let needed = header.offset(len);
                let now = f.file.metadata().map_err(|e| f.io("stat", &e))?.len();
                if now < needed {
                    let path = f.path.clone();
                    return Err(
                        MemoryError::FileShrunk { path, len: now, records: len, needed }.into()
                    );
                }
                Ok(&map[HEADER_LEN..HEADER_LEN + bytes])
            }
        }
    }

    /// Append record `index` (== the current record count).
    pub fn push(&mut self, header: &Header, index: u64, elems: &[u8], nnz: u32) -> Result<()> {
        match self {
            Store::Ram(blocks) => {
                let start = blocks.len() * 64;
                blocks.resize(blocks.len() + header.stride / 64, Block([0; 64]));
                let slot = &mut bytemuck::cast_slice_mut(blocks)[start..];
                header.fill_slot(slot, index, elems, nnz);
                Ok(())
            }
            Store::File(f) => {
                let mut slot = vec![0u8; header.stride];
                header.fill_slot(&mut slot, index, elems, nnz);
                f.append(header.offset(index), &slot)
            }
        }
    }

    pub fn sync(&self) -> Result<()> {
        match self {
            Store::Ram(_) => Ok(()),
            Store::File(f) => f.file.sync_data().map_err(|e| f.io("sync", &e)),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Store::Ram(_) => None,
            Store::File(f) => Some(&f.path),
        }
    }
}

impl FileStore {
    fn io(&self, action: &'static str, e: &std::io::Error) -> crate::Error {
        MemoryError::io(&self.path, action, e).into()
    }

    /// A new file holding only the header, synced with its directory entry.
    pub fn create(path: &Path, header: &Header) -> Result<FileStore> {
        let io = |action, e: std::io::Error| crate::Error::from(MemoryError::io(path, action, &e));
        let mut file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| io("create", e))?;
        file.write_all(&header.encode()).map_err(|e| io("write header", e))?;
        file.sync_all().map_err(|e| io("sync", e))?;
        sync_dir(path).map_err(|e| io("sync directory", e))?;
        Ok(FileStore { path: path.to_owned(), file, map: None, writable: true })
    }

    /// Open, check the header against `V` and `options`, drop a torn tail (cutting it off
    /// the file when writable), and verify every record unless told not to.
    pub fn open<V: Stored>(
        path: &Path,
        layout: trinity_emit::kernels::Layout,
        options: &OpenOptions,
    ) -> Result<(FileStore, Header, OpenReport)> {
        let io = |action, e: std::io::Error| crate::Error::from(MemoryError::io(path, action, &e));
        let mut file = File::options()
            .read(true)
            .write(!options.read_only)
            .open(path)
            .map_err(|e| io("open", e))?;
        let file_len = file.metadata().map_err(|e| io("stat", e))?.len();
        let mut head = Vec::with_capacity(HEADER_LEN);
        (&mut file)
            .take(HEADER_LEN as u64)
            .read_to_end(&mut head)
            .map_err(|e| io("read header", e))?;
        let header = Header::decode(path, &head)?;
        if header.layout != layout {
            let (found, expected) = (header.layout.name(), layout.name());
            return Err(MemoryError::WrongLayout { path: path.to_owned(), found, expected }.into());
        }
        if let Some(expected) = options.dim.filter(|&d| d != header.dim) {
            let found = header.dim;
            return Err(
                MemoryError::WrongDimension { path: path.to_owned(), found, expected }.into()
            );
        }
        let mut f =
            FileStore { path: path.to_owned(), file, map: None, writable: !options.read_only };
        // The record count comes from the length alone; a partial record at the end is torn.
        let stride = header.stride as u64;
        let mut records = file_len.saturating_sub(HEADER_LEN as u64) / stride;
        f.remap(header.offset(records))?;
        if let Some(map) = &f.map {
            // Whole records of zeros at the end failing their checksum: a crash after the
            // file grew but before its data was written (some file systems show this).
            while records > 0 {
                let last = header.slot_in_file(map, records - 1);
                if header.check_slot(last, records - 1).is_ok() || last.iter().any(|&b| b != 0) {
                    break;
                }
                records -= 1;
            }
            if options.verify {
                for i in 0..records {
                    verify::<V>(&header, path, header.slot_in_file(map, i), i)?;
                }
            }
        }
        let kept = header.offset(records);
        let report = OpenReport {
            records,
            dropped_bytes: file_len.saturating_sub(kept),
            tail_removed: f.writable && file_len > kept,
            verified: options.verify,
        };
        if report.tail_removed {
            // Cut the torn bytes before any append lands after them.
            f.file.set_len(kept).map_err(|e| io("truncate torn tail", e))?;
            f.file.sync_data().map_err(|e| io("sync", e))?;
        }
        Ok((f, header, report))
    }

    /// Write a record at `offset` (the current end) and make the mapping cover it.
    fn append(&mut self, offset: u64, slot: &[u8]) -> Result<()> {
        if !self.writable {
            return Err(MemoryError::ReadOnly { path: self.path.clone() }.into());
        }
        let written =
            self.file.seek(SeekFrom::Start(offset)).and_then(|_| self.file.write_all(slot));
        if let Err(e) = written {
            // Best effort: leave no partial record behind (open would drop it anyway).
            let _ = self.file.set_len(offset);
            return Err(self.io("write record", &e));
        }
        self.remap(offset + slot.len() as u64)
    }

    /// Make the mapping cover the file's first `needed` bytes.
    fn remap(&mut self, needed: u64) -> Result<()> {
        let current = self.map.as_ref().map_or(0, |m| m.len() as u64);
        if needed <= current || needed <= HEADER_LEN as u64 {
            return Ok(());
        }
        let len = map_len(needed, current);
        let len = usize::try_from(len).map_err(|_| {
            let e = std::io::Error::new(std::io::ErrorKind::OutOfMemory, "file too large to map");
            self.io("map", &e)
        })?;
        // SAFETY: the mapping is read-only and this process only appends past what it reads.
        // Bytes the mapping shows may still change if another process writes the file; that
        // is the documented single-writer rule, and a file shortened by another process is
        // caught by the length check in `region` before any page past its end is read (the
        // race left between that check and the read is documented in the module docs).
        let map = unsafe { MmapOptions::new().len(len).map(&self.file) };
        self.map = Some(map.map_err(|e| self.io("map", &e))?);
        Ok(())
    }
}

/// The mapping length for a file of `needed` bytes. On 64-bit Unix a mapping may extend past
/// the end of its file (pages there are never touched), so it grows geometrically and most
/// appends need no new mapping; elsewhere it is exactly the file.
fn map_len(needed: u64, current: u64) -> u64 {
    if cfg!(all(unix, target_pointer_width = "64")) {
        needed.max(current.saturating_mul(2)).max(1 << 20)
    } else {
        needed
    }
}

/// Check one record at open: its checksum, then its elements and stored nnz.
fn verify<V: Stored>(header: &Header, path: &Path, slot: &[u8], record: u64) -> Result<()> {
    let offset = header.offset(record);
    if let Err((stored, computed)) = header.check_slot(slot, record) {
        let path = path.to_owned();
        return Err(MemoryError::RecordChecksum { path, record, offset, stored, computed }.into());
    }
    let bad = |reason| MemoryError::BadRecord { path: path.to_owned(), record, offset, reason };
    let elems =
        bytemuck::try_cast_slice(&slot[..header.record_bytes]).map_err(|e| bad(e.to_string()))?;
    let nnz = V::check(header.dim, elems).map_err(bad)?;
    let stored = header.slot_nnz(slot);
    if nnz != stored {
        return Err(bad(format!("stored nnz {stored}, the vector has {nnz}")).into());
    }
    Ok(())
}

/// Sync the directory holding `path`, so a new file's name survives a crash.
fn sync_dir(path: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}
