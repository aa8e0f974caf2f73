//! What can go wrong with an item memory, each naming the file, offset, record or value.

use std::path::PathBuf;

/// An item memory error, wrapped in [`Error::Memory`](crate::Error::Memory). Errors about a
/// file name it; errors about a record name its index and byte offset in the file.
///
/// ```
/// use trinity_runtime::memory::MemoryError;
/// use trinity_runtime::{BitVector, Error, ItemMemory};
/// let err = ItemMemory::<BitVector>::open("/no/such/memory.tim").unwrap_err();
/// let Error::Memory(MemoryError::Io { path, kind, .. }) = &err else { panic!("{err}") };
/// assert_eq!((path.to_str(), *kind), (Some("/no/such/memory.tim"), std::io::ErrorKind::NotFound));
/// assert!(err.to_string().contains("/no/such/memory.tim"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// An I/O call on the memory's file failed.
    #[error("{path}: {action} failed: {message}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done (`open`, `write`, `sync`, ...).
        action: &'static str,
        /// The error's kind.
        kind: std::io::ErrorKind,
        /// The OS message.
        message: String,
    },
    /// A file shorter than the header.
    #[error("{path}: truncated header: the file has {len} bytes, the header needs {needed}", path = path.display())]
    TruncatedHeader {
        /// The file.
        path: PathBuf,
        /// The file's length.
        len: u64,
        /// The header's length.
        needed: u64,
    },
    /// A file that does not start with the item memory magic.
    #[error("{path}: not an item memory: magic {found:02x?} at offset 0, expected {expected:02x?}", path = path.display(), expected = super::format::MAGIC)]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The first eight bytes.
        found: [u8; 8],
    },
    /// A format version this library does not read.
    #[error("{path}: unsupported item memory version {found} at offset 8 (this library reads version {supported})", path = path.display(), supported = super::format::VERSION)]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
    /// A header whose checksum does not match its bytes.
    #[error("{path}: header checksum mismatch: stored {stored:#010x}, computed {computed:#010x}", path = path.display())]
    HeaderChecksum {
        /// The file.
        path: PathBuf,
        /// The checksum in the file.
        stored: u32,
        /// The checksum of the header bytes.
        computed: u32,
    },
    /// A header field with an impossible value (its checksum matched, so it was written so).
    #[error("{path}: bad header field {field} = {value} at offset {offset}: {reason}", path = path.display())]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// The field's name.
        field: &'static str,
        /// Its byte offset in the file.
        offset: u64,
        /// Its value.
        value: u64,
        /// Why it is wrong.
        reason: &'static str,
    },
    /// A file of the other layout than the one asked for.
    #[error("{path}: the file holds {found} vectors, but {expected} vectors were asked for", path = path.display())]
    WrongLayout {
        /// The file.
        path: PathBuf,
        /// The file's layout (`dense` or `bits`).
        found: &'static str,
        /// The layout asked for.
        expected: &'static str,
    },
    /// A file of another dimension than the one asked for.
    #[error("{path}: the file holds vectors of dimension {found}, but dimension {expected} was asked for", path = path.display())]
    WrongDimension {
        /// The file.
        path: PathBuf,
        /// The file's dimension.
        found: usize,
        /// The dimension asked for.
        expected: usize,
    },
    /// A record whose checksum does not match its bytes and index: damaged, moved or copied.
    #[error("{path}: record {record} at offset {offset} is damaged: checksum stored {stored:#010x}, computed {computed:#010x}", path = path.display())]
    RecordChecksum {
        /// The file.
        path: PathBuf,
        /// The record's index (its id).
        record: u64,
        /// Its byte offset in the file.
        offset: u64,
        /// The checksum in its trailer.
        stored: u32,
        /// The checksum of its bytes and index.
        computed: u32,
    },
    /// A record whose checksum matches but whose bytes are not a valid vector.
    #[error("{path}: record {record} at offset {offset} is not a valid vector: {reason}", path = path.display())]
    BadRecord {
        /// The file (`<memory>` for an in-memory store).
        path: PathBuf,
        /// The record's index.
        record: u64,
        /// Its byte offset in the file.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The file became shorter than the records this memory has (changed underneath).
    #[error("{path}: the file shrank underneath: {len} bytes, but its {records} records need {needed}", path = path.display())]
    FileShrunk {
        /// The file.
        path: PathBuf,
        /// Its length now.
        len: u64,
        /// The records this memory has.
        records: u64,
        /// The bytes they need.
        needed: u64,
    },
    /// A push to a memory opened read-only.
    #[error("{path}: opened read-only, cannot push", path = path.display())]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// A record id at or past the end.
    #[error("no record {id}: the memory has {len} records")]
    NoRecord {
        /// The id asked for.
        id: u64,
        /// The number of records.
        len: u64,
    },
    /// A row range that is reversed or runs past the end.
    #[error("bad row range {start}..{end}: the memory has {len} records")]
    BadRange {
        /// The range's start.
        start: u64,
        /// The range's end.
        end: u64,
        /// The number of records.
        len: u64,
    },
    /// An output slice of the wrong length.
    #[error("{what} has length {actual}, expected {expected}")]
    WrongLength {
        /// Which slice.
        what: &'static str,
        /// The length needed.
        expected: usize,
        /// The length given.
        actual: usize,
    },
}

impl MemoryError {
    /// An [`Io`](Self::Io) error for `path`.
    pub(crate) fn io(path: &std::path::Path, action: &'static str, e: &std::io::Error) -> Self {
        MemoryError::Io { path: path.to_owned(), action, kind: e.kind(), message: e.to_string() }
    }
}
