//! `trinity search-bench`: how fast an item memory is searched, beside the machine's read
//! bandwidth measured in the same run.

use super::{layout_parser, parse_dim, Error};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use trinity::runtime::memory::Record;
use trinity::runtime::{BitVector, DenseVector, ItemMemory, Metric};
use trinity_emit::kernels::Layout;

/// Arguments of `trinity search-bench`.
#[derive(Debug, clap::Args)]
pub struct SearchBenchArgs {
    /// The dimension D (1..=16777216).
    #[arg(long, value_parser = parse_dim, default_value = "10000", allow_negative_numbers = true)]
    pub dim: u32,
    /// Records in the memory (at least 1).
    #[arg(long, default_value = "100000", value_parser = clap::value_parser!(u64).range(1..))]
    pub n: u64,
    /// Query counts to time, one row each (each at least 1).
    #[arg(long, value_delimiter = ',', default_value = "1,16,64",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub queries: Vec<u64>,
    /// Thread counts to time, one row each (each at least 1).
    #[arg(long, value_delimiter = ',', default_value = "1,2",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub threads: Vec<u64>,
    /// Record layout.
    #[arg(long, value_parser = layout_parser(), default_value = "bits")]
    pub layout: Layout,
    /// Hits per query.
    #[arg(long, default_value = "10")]
    pub k: usize,
    /// Search this memory file (created with --n seeded random records if it does not exist).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Seeded random vectors of either layout.
trait Random: Record + Sized {
    fn random(dim: usize, seed: u64) -> trinity::runtime::Result<Self>;
}

impl Random for BitVector {
    fn random(dim: usize, seed: u64) -> trinity::runtime::Result<Self> {
        BitVector::random(dim, seed)
    }
}

impl Random for DenseVector {
    fn random(dim: usize, seed: u64) -> trinity::runtime::Result<Self> {
        DenseVector::random(dim, seed)
    }
}

/// One timed (queries, threads) cell.
struct Row {
    queries: u64,
    threads: u64,
    /// The fastest search.
    time: Duration,
    /// The fastest read pass of those between this row's searches: the row's yardstick, taken
    /// from as many samples as the searches, at the same moments.
    read: Duration,
}

/// Searches timed per row, each after a read pass; the row keeps the fastest of each.
const ROUNDS: usize = 5;

/// A buffer as large as the memory's records, read to measure the machine's read bandwidth
/// between searches (so both see the same moments of a shared machine).
struct ReadProbe {
    words: Vec<u64>,
    fastest: Duration,
}

impl ReadProbe {
    fn new(bytes: usize) -> Self {
        ReadProbe { words: vec![1u64; bytes.div_ceil(8).max(1)], fastest: Duration::MAX }
    }

    /// Read every word once (eight independent sums, so the adds keep up with the loads);
    /// returns the time it took.
    fn pass(&mut self) -> Duration {
        let start = Instant::now();
        let mut sums = [0u64; 8];
        for chunk in self.words.chunks_exact(8) {
            for (s, &w) in sums.iter_mut().zip(chunk) {
                *s = s.wrapping_add(w);
            }
        }
        black_box(sums);
        let took = start.elapsed();
        self.fastest = self.fastest.min(took);
        took
    }

    /// Bytes per second of the fastest pass.
    fn bandwidth(&self) -> f64 {
        (self.words.len() * 8) as f64 / self.fastest.as_secs_f64()
    }
}

/// The memory to search: opened from `--file`, or built there or in RAM with a progress bar.
fn build<V: Random>(args: &SearchBenchArgs) -> Result<ItemMemory<V>, Error> {
    let failed = |e: trinity::runtime::Error| Error::Failed(e.to_string());
    let dim = args.dim as usize;
    let mut memory = match &args.file {
        Some(path) if path.exists() => {
            let memory = ItemMemory::<V>::open(path).map_err(failed)?;
            if memory.dim() != dim {
                return Err(Error::Usage(format!(
                    "--file {} holds D = {}, not --dim {dim}",
                    path.display(),
                    memory.dim()
                )));
            }
            return Ok(memory);
        }
        Some(path) => ItemMemory::<V>::create(path, dim).map_err(failed)?,
        None => ItemMemory::<V>::new(dim).map_err(failed)?,
    };
    let progress = if args.json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(args.n).with_message("building the memory")
    };
    for seed in 0..args.n {
        memory.push(&V::random(dim, seed).map_err(failed)?).map_err(failed)?;
        progress.inc(1);
    }
    memory.sync().map_err(failed)?;
    progress.finish_and_clear();
    Ok(memory)
}

fn time_rows<V: Random + Sync>(
    args: &SearchBenchArgs,
    memory: &ItemMemory<V>,
    probe: &mut ReadProbe,
) -> Result<Vec<Row>, Error> {
    let failed = |e: trinity::runtime::Error| Error::Failed(e.to_string());
    let mut rows = Vec::new();
    for &threads in &args.threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads as usize)
            .build()
            .map_err(|e| Error::Failed(format!("a pool of {threads} threads: {e}")))?;
        for &count in &args.queries {
            let queries: Vec<V> = (0..count)
                .map(|i| V::random(memory.dim(), u64::MAX - i))
                .collect::<Result<_, _>>()
                .map_err(failed)?;
            let refs: Vec<&V> = queries.iter().collect();
            let search = || memory.top_k_batch(&refs, args.k, Metric::Dot).map(drop);
            // The first search compiles the scan kernels; then read passes and searches
            // alternate, and the fastest of each counts.
            pool.install(search).map_err(failed)?;
            let (mut time, mut read) = (Duration::MAX, Duration::MAX);
            for _ in 0..ROUNDS {
                read = read.min(probe.pass());
                let start = Instant::now();
                pool.install(search).map_err(failed)?;
                time = time.min(start.elapsed());
            }
            rows.push(Row { queries: count, threads, time, read });
        }
    }
    Ok(rows)
}

/// Run and return the report.
pub fn run(args: &SearchBenchArgs) -> Result<String, Error> {
    let (rows, n, bytes, read) = match args.layout {
        Layout::Bits => measure::<BitVector>(args)?,
        Layout::Dense => measure::<DenseVector>(args)?,
    };
    let gb = |bytes_per_s: f64| bytes_per_s / 1e9;
    if args.json {
        let rows: Vec<String> = rows
            .iter()
            .map(|r| {
                let secs = r.time.as_secs_f64();
                format!(
                    "{{\"queries\":{},\"threads\":{},\"gb_per_s\":{:.3},\"pairs_per_s\":{:.0},\"read_gb_per_s\":{:.3}}}",
                    r.queries,
                    r.threads,
                    gb(bytes as f64 / secs),
                    (r.queries * n) as f64 / secs,
                    gb(bytes as f64 / r.read.as_secs_f64())
                )
            })
            .collect();
        return Ok(format!(
            "{{\"dim\":{},\"n\":{n},\"layout\":\"{}\",\"k\":{},\"read_gb_per_s\":{:.3},\"rows\":[{}]}}\n",
            args.dim,
            args.layout.name(),
            args.k,
            gb(read),
            rows.join(",")
        ));
    }
    let mut out = format!(
        "item memory: D = {}, N = {n}, {} layout, {:.1} MB, top-{} by dot\n\
         read bandwidth over a buffer of the same size (one thread, between the searches): {:.2} GB/s\n\
         (x read: against the fastest read pass between that row's own searches)\n\n\
         {:>8} {:>8} {:>12} {:>10} {:>14} {:>10} {:>10}\n",
        args.dim,
        args.layout.name(),
        bytes as f64 / 1e6,
        args.k,
        gb(read),
        "queries",
        "threads",
        "time",
        "GB/s",
        "pairs/s",
        "read GB/s",
        "x read"
    );
    for r in &rows {
        let secs = r.time.as_secs_f64();
        let scanned = bytes as f64 / secs;
        let read = bytes as f64 / r.read.as_secs_f64();
        out.push_str(&format!(
            "{:>8} {:>8} {:>10.2} ms {:>10.2} {:>14.3e} {:>10.2} {:>10.2}\n",
            r.queries,
            r.threads,
            secs * 1e3,
            gb(scanned),
            (r.queries * n) as f64 / secs,
            gb(read),
            scanned / read
        ));
    }
    Ok(out)
}

/// Build or open the memory and time every row: (rows, records, bytes of records scanned, read
/// bandwidth in bytes per second: the fastest of the read passes between the searches).
fn measure<V: Random + Sync>(args: &SearchBenchArgs) -> Result<(Vec<Row>, u64, u64, f64), Error> {
    let memory = build::<V>(args)?;
    let bytes = memory.len() * memory.stride() as u64;
    let mut probe = ReadProbe::new(bytes as usize);
    let rows = time_rows(args, &memory, &mut probe)?;
    Ok((rows, memory.len(), bytes, probe.bandwidth()))
}
