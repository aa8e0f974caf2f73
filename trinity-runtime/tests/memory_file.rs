//! Item memory files: torn tails, damaged and foreign files, files changed underneath.

use std::path::{Path, PathBuf};
use trinity_runtime::memory::{MemoryError, OpenOptions, Record, HEADER_LEN};
use trinity_runtime::{BitVector, DenseVector, Error, ItemMemory, Metric};

fn temp_path(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("trinity-memfile-{name}-{}.tim", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn bits(dim: usize, seed: u64) -> BitVector {
    BitVector::random(dim, seed).unwrap()
}

/// A bitsliced memory file of `n` records `bits(dim, i)`; returns its stride.
fn write_bits(path: &Path, dim: usize, n: u64) -> usize {
    let mut mem = ItemMemory::create(path, dim).unwrap();
    for i in 0..n {
        mem.push(&bits(dim, i)).unwrap();
    }
    mem.stride()
}

fn memory_error(err: Error) -> MemoryError {
    match err {
        Error::Memory(e) => e,
        other => panic!("expected a memory error, got {other:?}"),
    }
}

fn open_err(path: &Path) -> MemoryError {
    memory_error(ItemMemory::<BitVector>::open(path).unwrap_err())
}

fn offset(stride: usize, record: u64) -> usize {
    HEADER_LEN + record as usize * stride
}

/// Cutting the file anywhere inside its last record loses that record only, and says so;
/// opened for writing, the torn bytes go before the next append.
fn check_torn_tails<V: Record + PartialEq + std::fmt::Debug>(
    name: &str,
    make: impl Fn(u64) -> V,
    create: impl Fn(&Path),
    open: impl Fn(&Path, OpenOptions) -> trinity_runtime::Result<ItemMemory<V>>,
) {
    let (whole, cut_path) =
        (temp_path(&format!("{name}-whole")), temp_path(&format!("{name}-cut")));
    create(&whole);
    let bytes = std::fs::read(&whole).unwrap();
    let stride = open(&whole, OpenOptions::default()).unwrap().stride();
    assert_eq!(bytes.len(), offset(stride, 3));
    for cut in offset(stride, 2)..bytes.len() {
        std::fs::write(&cut_path, &bytes[..cut]).unwrap();
        let read_only = OpenOptions { read_only: true, ..OpenOptions::default() };
        let mem = open(&cut_path, read_only).unwrap();
        let dropped = (cut - offset(stride, 2)) as u64;
        let report = mem.open_report().unwrap();
        assert_eq!(
            (report.records, report.dropped_bytes, report.tail_removed),
            (2, dropped, false)
        );
        assert_eq!((mem.get(0).unwrap(), mem.get(1).unwrap()), (make(0), make(1)), "cut {cut}");
        assert!(mem.get(2).is_err());
        drop(mem);
        assert_eq!(
            std::fs::metadata(&cut_path).unwrap().len(),
            cut as u64,
            "read-only changes nothing"
        );

        let mut mem = open(&cut_path, OpenOptions::default()).unwrap();
        assert_eq!(mem.open_report().unwrap().tail_removed, dropped > 0);
        assert_eq!(std::fs::metadata(&cut_path).unwrap().len(), offset(stride, 2) as u64);
        assert_eq!(mem.push(&make(7)).unwrap(), 2);
        drop(mem);
        let mem = open(&cut_path, OpenOptions::default()).unwrap();
        let back: Vec<V> = mem.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, [make(0), make(1), make(7)], "cut {cut}");
    }
    std::fs::remove_file(&whole).unwrap();
    std::fs::remove_file(&cut_path).unwrap();
}

#[test]
fn torn_tails_are_dropped_and_reported_bitsliced() {
    let dim = 1000;
    check_torn_tails(
        "torn-bits",
        |i| bits(dim, i),
        |p| {
            write_bits(p, dim, 3);
        },
        |p, o| ItemMemory::open_with(p, o),
    );
}

#[test]
fn torn_tails_are_dropped_and_reported_dense() {
    let dim = 100;
    let make = move |i| DenseVector::random(dim, i).unwrap();
    check_torn_tails(
        "torn-dense",
        make,
        |p| {
            let mut mem = ItemMemory::create(p, dim).unwrap();
            for i in 0..3 {
                mem.push(&make(i)).unwrap();
            }
        },
        |p, o| ItemMemory::open_with(p, o),
    );
}

#[test]
fn a_zero_filled_tail_is_torn_but_a_zero_record_inside_is_damage() {
    let (path, dim) = (temp_path("zero-tail"), 300);
    let stride = write_bits(&path, dim, 3);
    let mut bytes = std::fs::read(&path).unwrap();
    // A crash after the file grew by two records but before their data reached the disk.
    bytes.extend(vec![0u8; 2 * stride + 5]);
    std::fs::write(&path, &bytes).unwrap();
    let mem = ItemMemory::<BitVector>::open(&path).unwrap();
    let report = mem.open_report().unwrap();
    assert_eq!((report.records, report.dropped_bytes), (3, 2 * stride as u64 + 5));
    drop(mem);
    // Zeros followed by a whole record are not a tail.
    bytes.truncate(offset(stride, 3));
    let last = bytes[offset(stride, 2)..].to_vec();
    bytes[offset(stride, 1)..offset(stride, 2)].fill(0);
    bytes.extend(last);
    std::fs::write(&path, &bytes).unwrap();
    let err = open_err(&path);
    assert!(matches!(err, MemoryError::RecordChecksum { record: 1, .. }), "{err}");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn damaged_moved_and_copied_records_are_caught_at_open() {
    let (path, dim) = (temp_path("damaged"), 200);
    let stride = write_bits(&path, dim, 4);
    let good = std::fs::read(&path).unwrap();
    let at = |r| offset(stride, r);
    type Damage<'a> = Box<dyn Fn(&mut Vec<u8>) + 'a>;
    let cases: Vec<(&str, Damage, u64)> = vec![
        ("a flipped element bit", Box::new(|b| b[at(1) + 5] ^= 0x10), 1),
        ("a flipped nnz bit", Box::new(|b| b[at(2) + stride - 8] ^= 1), 2),
        ("a flipped checksum bit", Box::new(|b| b[at(0) + stride - 1] ^= 0x80), 0),
        ("a flipped padding bit", Box::new(|b| b[at(1) + 60] ^= 4), 1),
        ("record 0 copied over record 2", Box::new(|b| b.copy_within(at(0)..at(1), at(2))), 2),
        (
            "records 0 and 1 swapped",
            Box::new(|b| {
                let first = b[at(0)..at(1)].to_vec();
                b.copy_within(at(1)..at(2), at(0));
                b[at(1)..at(2)].copy_from_slice(&first);
            }),
            0,
        ),
    ];
    for (what, damage, record) in cases {
        let mut bytes = good.clone();
        damage(&mut bytes);
        std::fs::write(&path, &bytes).unwrap();
        let err = open_err(&path);
        let MemoryError::RecordChecksum { path: p, record: r, offset: o, .. } = &err else {
            panic!("{what}: {err}");
        };
        assert_eq!((p, *r, *o), (&path, record, at(record) as u64), "{what}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("record {record}")) && text.contains(path.to_str().unwrap())
        );
        // Unverified, it opens (the caller asked to trust it) and the count is unchanged.
        let trusting = OpenOptions { verify: false, ..OpenOptions::default() };
        let mem = ItemMemory::<BitVector>::open_with(&path, trusting).unwrap();
        assert_eq!((mem.len(), mem.open_report().unwrap().verified), (4, false));
    }
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_record_with_a_valid_checksum_but_invalid_trits_is_caught() {
    let (path, dim) = (temp_path("invalid-trits"), 64);
    let stride = write_bits(&path, dim, 2);
    let mut bytes = std::fs::read(&path).unwrap();
    // Record 1: trit 3 set in both planes, re-checksummed as the format says.
    let slot = offset(stride, 1);
    bytes[slot] |= 8;
    bytes[slot + 8] |= 8;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&1u64.to_le_bytes());
    crc.update(&bytes[slot..slot + stride - 4]);
    bytes[slot + stride - 4..slot + stride].copy_from_slice(&crc.finalize().to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let err = open_err(&path);
    assert!(matches!(err, MemoryError::BadRecord { record: 1, .. }), "{err}");
    assert!(err.to_string().contains("trit 3"), "{err}");
    // Trusted without verifying, the bad record is still an error at `get`, not a panic.
    let trusting = OpenOptions { verify: false, ..OpenOptions::default() };
    let mem = ItemMemory::<BitVector>::open_with(&path, trusting).unwrap();
    assert_eq!(mem.get(0).unwrap(), bits(dim, 0));
    assert!(matches!(
        memory_error(mem.get(1).unwrap_err()),
        MemoryError::BadRecord { record: 1, .. }
    ));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn bad_headers_are_typed_errors_naming_the_file() {
    let path = temp_path("header");
    let name = path.to_str().unwrap().to_owned();
    write_bits(&path, 100, 2);
    let good = std::fs::read(&path).unwrap();
    let with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = good.clone();
        f(&mut bytes);
        std::fs::write(&path, &bytes).unwrap();
        open_err(&path)
    };
    let rechecksum = |b: &mut Vec<u8>| {
        let crc = crc32fast::hash(&b[..60]);
        b[60..64].copy_from_slice(&crc.to_le_bytes());
    };

    let err = with(&|b| b[0] = b'X');
    assert!(
        matches!(err, MemoryError::BadMagic { found, .. } if &found[..] == b"XRINMEM\0"),
        "{err}"
    );
    assert!(err.to_string().contains(&name) && err.to_string().contains("offset 0"));
    let err = with(&|b| b[8..12].copy_from_slice(&99u32.to_le_bytes()));
    assert!(matches!(err, MemoryError::UnsupportedVersion { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("99"));
    for len in [0, 5, 40, 63] {
        let err = with(&|b| b.truncate(len));
        let want = MemoryError::TruncatedHeader { path: path.clone(), len: len as u64, needed: 64 };
        assert_eq!(err, want);
        assert!(err.to_string().contains(&name));
    }
    let err = with(&|b| b[16] ^= 1);
    assert!(matches!(err, MemoryError::HeaderChecksum { .. }), "{err}");
    let err = with(&|b| {
        b[24] = 0x80; // stride 128 (rechecksummed): not the stride 64 of D = 100
        rechecksum(b);
    });
    let MemoryError::BadHeader { field: "stride", offset: 24, value: 128, .. } = err else {
        panic!("{err}")
    };
    let err = with(&|b| {
        b[12] = 7;
        rechecksum(b);
    });
    assert!(matches!(err, MemoryError::BadHeader { field: "layout", value: 7, .. }), "{err}");
    let err = with(&|b| {
        b[16..24].fill(0);
        rechecksum(b);
    });
    assert!(matches!(err, MemoryError::BadHeader { field: "dim", value: 0, .. }), "{err}");

    std::fs::write(&path, &good).unwrap();
    let err = memory_error(ItemMemory::<DenseVector>::open(&path).unwrap_err());
    let want = MemoryError::WrongLayout { path: path.clone(), found: "bits", expected: "dense" };
    assert_eq!(err, want);
    assert!(err.to_string().contains("bits") && err.to_string().contains("dense"));
    let asked = OpenOptions { dim: Some(101), ..OpenOptions::default() };
    let err = memory_error(ItemMemory::<BitVector>::open_with(&path, asked).unwrap_err());
    assert_eq!(err, MemoryError::WrongDimension { path: path.clone(), found: 100, expected: 101 });
    std::fs::remove_file(&path).unwrap();

    let err = open_err(&path);
    assert!(matches!(err, MemoryError::Io { kind: std::io::ErrorKind::NotFound, .. }), "{err}");
    assert!(err.to_string().contains(&name));
}

#[test]
fn create_never_overwrites() {
    let path = temp_path("exists");
    write_bits(&path, 64, 3);
    let err = memory_error(ItemMemory::<BitVector>::create(&path, 64).unwrap_err());
    assert!(
        matches!(err, MemoryError::Io { kind: std::io::ErrorKind::AlreadyExists, .. }),
        "{err}"
    );
    assert_eq!(ItemMemory::<BitVector>::open(&path).unwrap().len(), 3);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_file_shrunk_underneath_is_an_error_not_a_crash() {
    let (path, dim) = (temp_path("shrunk"), 1000);
    let stride = write_bits(&path, dim, 5);
    let mem = ItemMemory::<BitVector>::open(&path).unwrap();
    let q = bits(dim, 3);
    assert_eq!(mem.cleanup(&q, Metric::Hamming).unwrap().unwrap().id, 3);
    // Another process cuts the file after our open.
    let other = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    other.set_len(offset(stride, 2) as u64 + 10).unwrap();
    let want = MemoryError::FileShrunk {
        path: path.clone(),
        len: offset(stride, 2) as u64 + 10,
        records: 5,
        needed: offset(stride, 5) as u64,
    };
    assert_eq!(memory_error(mem.top_k(&q, 3, Metric::Dot).unwrap_err()), want);
    assert_eq!(memory_error(mem.get(0).unwrap_err()), want);
    assert_eq!(memory_error(mem.scores(&q, Metric::Dot, &mut [0.0; 5]).unwrap_err()), want);
    assert!(want.to_string().contains(path.to_str().unwrap()));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn read_only_memories_search_but_do_not_push() {
    let (path, dim) = (temp_path("read-only"), 64);
    write_bits(&path, dim, 3);
    let options = OpenOptions { read_only: true, ..OpenOptions::default() };
    let mut mem = ItemMemory::<BitVector>::open_with(&path, options).unwrap();
    assert_eq!(mem.cleanup(&bits(dim, 2), Metric::Cosine).unwrap().unwrap().id, 2);
    let err = memory_error(mem.push(&bits(dim, 9)).unwrap_err());
    assert_eq!(err, MemoryError::ReadOnly { path: path.clone() });
    assert_eq!(
        (mem.len(), std::fs::metadata(&path).unwrap().len()),
        (3, offset(mem.stride(), 3) as u64)
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn appends_past_the_first_mapping_are_searched() {
    // 600 records of 2560 bytes: more than the first mapping of 1 MiB.
    let (path, dim) = (temp_path("growth"), 10_000);
    let mut mem = ItemMemory::create(&path, dim).unwrap();
    let q = bits(dim, 1);
    for i in 0..600u64 {
        mem.push(&bits(dim, i % 50)).unwrap();
        if i % 97 == 0 || i == 599 {
            // Each search sees every record pushed so far: the copies of seed 1 come first.
            let hits = mem.top_k(&q, 20, Metric::Hamming).unwrap();
            let exact: Vec<u64> = hits.iter().filter(|h| h.score == 0.0).map(|h| h.id).collect();
            let want: Vec<u64> = (0..=i).filter(|j| j % 50 == 1).take(20).collect();
            assert_eq!((hits.len() as u64, exact), ((i + 1).min(20), want), "after {i}");
        }
    }
    assert_eq!(mem.get(599).unwrap(), bits(dim, 49));
    drop(mem);
    assert_eq!(ItemMemory::<BitVector>::open(&path).unwrap().len(), 600);
    std::fs::remove_file(&path).unwrap();
}
