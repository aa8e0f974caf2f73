//! A child process appends to a memory file and is killed with SIGKILL at random moments;
//! every reopen must give a prefix of the pushed records that holds every one whose push
//! returned (and so every synced one).
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use trinity_runtime::memory::OpenOptions;
use trinity_runtime::{BitVector, ItemMemory};

const CHILD: &str = "TRINITY_MEMORY_CRASH_CHILD";
const TEST: &str = "sigkill_during_appends_loses_no_returned_push";
/// 8 KiB of elements per record: its slot spans three pages, so a kill can land inside a
/// record's write (rarely: the copy is short; torn tails are tested directly elsewhere).
const DIM: usize = 1 << 15;
const KILLS: usize = 60;
/// Kills per file; a new file then keeps the file (and the verify at open) small.
const KILLS_PER_FILE: usize = 12;

/// Record `i`: cheap to derive (a random vector of this size is slow in a debug build) and
/// different for every index.
fn record(i: u64) -> BitVector {
    let w = DIM / 64;
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let plus: Vec<u64> = (0..w).map(|_| next()).collect();
    let minus: Vec<u64> = plus.iter().map(|p| next() & !p).collect();
    BitVector::from_planes(DIM, &plus, &minus).unwrap()
}

/// The child: append records, reporting every returned push and every sync, until killed
/// (or, should the parent fail to kill it, for a few seconds).
fn child(path: &str) {
    let start = Instant::now();
    let mut mem = ItemMemory::<BitVector>::open(path).unwrap();
    // On its own line: libtest has already printed "test NAME ... " on this one.
    println!("\nready {}", mem.len());
    while start.elapsed() < Duration::from_secs(5) {
        let id = mem.push(&record(mem.len())).unwrap();
        println!("pushed {}", id + 1);
        if id % 4 == 3 {
            mem.sync().unwrap();
            println!("synced {}", id + 1);
        }
    }
}

#[test]
fn sigkill_during_appends_loses_no_returned_push() {
    if let Ok(path) = std::env::var(CHILD) {
        return child(&path);
    }
    let start = Instant::now();
    let mut seed = u64::from(std::process::id()) | 1;
    let mut random = move |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    };
    let (mut torn, mut records) = (0, 0);
    for file in 0..KILLS.div_ceil(KILLS_PER_FILE) {
        let path = std::env::temp_dir()
            .join(format!("trinity-memory-crash-{}-{file}.tim", std::process::id()));
        let _ = std::fs::remove_file(&path);
        drop(ItemMemory::<BitVector>::create(&path, DIM).unwrap());
        let (mut before, mut len): (Vec<u8>, u64) = (Vec::new(), 0);
        for _ in 0..KILLS_PER_FILE {
            let mut child = Command::new(std::env::current_exe().unwrap())
                .args(["--exact", TEST, "--nocapture", "--test-threads", "1"])
                .env(CHILD, &path)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
            // Wait until the child has appended, then kill it at a random moment.
            let first = lines.by_ref().map_while(Result::ok).find(|l| l.starts_with("pushed "));
            assert!(first.is_some(), "the child did not append");
            std::thread::sleep(Duration::from_micros(random(6000)));
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            let count =
                |line: &str, prefix: &str| line.strip_prefix(prefix).map(|n| n.parse().unwrap());
            let (mut pushed, mut synced) = (count(&first.unwrap(), "pushed ").unwrap(), 0);
            for line in lines.map_while(Result::ok) {
                pushed = count(&line, "pushed ").unwrap_or(pushed);
                synced = count(&line, "synced ").unwrap_or(synced);
            }

            // Read-only: see the file as the crash left it (a torn tail stays for the next
            // child to cut off).
            let options = OpenOptions { read_only: true, ..OpenOptions::default() };
            let mem = ItemMemory::<BitVector>::open_with(&path, options).unwrap();
            torn += usize::from(mem.open_report().unwrap().dropped_bytes > 0);
            len = mem.len();
            assert!(
                len >= pushed && pushed >= synced, // every returned push, so every synced one
                "{len} records, {pushed} pushed, {synced} synced"
            );
            let region = mem.region().unwrap();
            assert_eq!(&region[..before.len()], &before[..], "earlier records changed");
            let checked = (before.len() / mem.stride()) as u64;
            for i in checked..len {
                assert_eq!(mem.get(i).unwrap(), record(i), "record {i}");
            }
            before = region.to_vec();
        }
        records += len;
        std::fs::remove_file(&path).unwrap();
    }
    let elapsed = start.elapsed();
    eprintln!("{KILLS} kills, {records} records appended, {torn} torn tails, in {elapsed:?}");
}
