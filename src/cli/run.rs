//! The default run: JIT-compile every requested op for both layouts at one dimension, check
//! each against portable Rust on seeded random vectors, and time both (the JIT kernels through
//! a `KernelTable`, the engine's per-dimension handle).

use super::{layout_parser, op_parser, or_default, parse_dim, Error};
use clap::Args;
use std::hint::black_box;
use std::time::{Duration, Instant};
use trinity::emit::kernels::{Layout, Op};
use trinity::runtime::exec::Backend;
use trinity::runtime::Vector;
use trinity::runtime::{BitVector, DenseVector, JitEngine, KernelTable, Result as TResult};

/// Arguments of the default run.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The dimension D (1..=16777216).
    #[arg(long, value_parser = parse_dim, default_value = "10000", allow_negative_numbers = true)]
    pub dim: u32,
    /// Ops to run (default: all).
    #[arg(long, value_parser = op_parser(), value_delimiter = ',')]
    pub ops: Vec<Op>,
    /// Layouts to run (default: both).
    #[arg(long, value_parser = layout_parser(), value_delimiter = ',')]
    pub layout: Vec<Layout>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// One row of the result.
struct Row {
    op: Op,
    layout: Layout,
    ok: bool,
    jit: Duration,
    portable: Duration,
    compile: Duration,
}

/// Median time of one call of `f`, over batches long enough to be measured.
fn time(mut f: impl FnMut()) -> Duration {
    let mut batch = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        if start.elapsed() > Duration::from_millis(2) || batch >= 1 << 20 {
            break;
        }
        batch *= 2;
    }
    let mut samples: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed() / batch
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

/// Run `op` once on the engine (the first call compiles) and on `portable`; true when the
/// results agree.
fn check<V: Vector + PartialEq>(
    engine: &JitEngine,
    portable: &JitEngine,
    op: Op,
    a: &V,
    b: &V,
) -> TResult<bool> {
    Ok(match op {
        Op::Dot => engine.dot(a, b)? == portable.dot(a, b)?,
        Op::Hamming => engine.hamming(a, b)? == portable.hamming(a, b)?,
        Op::Cosine => engine.cosine(a, b)?.to_bits() == portable.cosine(a, b)?.to_bits(),
        Op::Bind => engine.bind(a, b)? == portable.bind(a, b)?,
        Op::Bundle => engine.bundle(a, b)? == portable.bundle(a, b)?,
        Op::Permute => engine.permute(a, 1)? == portable.permute(a, 1)?,
    })
}

/// Time `op` through the kernel table and on `portable` (the engine's fallback path), the map
/// ops into a separate output.
fn time_op<V: Vector>(
    table: &KernelTable,
    portable: &JitEngine,
    op: Op,
    a: &V,
    b: &V,
) -> (Duration, Duration) {
    let mut out = a.clone();
    let mut scratch = a.clone();
    match op {
        Op::Dot => (
            time(|| drop(black_box(table.dot(a, b)))),
            time(|| drop(black_box(portable.dot(a, b)))),
        ),
        Op::Hamming => (
            time(|| drop(black_box(table.hamming(a, b)))),
            time(|| drop(black_box(portable.hamming(a, b)))),
        ),
        Op::Cosine => (
            time(|| drop(black_box(table.cosine(a, b)))),
            time(|| drop(black_box(portable.cosine(a, b)))),
        ),
        Op::Bind => (
            time(|| drop(table.bind_into(&mut out, a, b))),
            time(|| drop(portable.bind_assign(&mut scratch, b))),
        ),
        Op::Bundle => (
            time(|| drop(table.bundle_into(&mut out, a, b))),
            time(|| drop(portable.bundle_assign(&mut scratch, b))),
        ),
        Op::Permute => (
            time(|| drop(table.permute_into(&mut out, a, 1))),
            time(|| drop(portable.permute_into(&mut out, a, 1))),
        ),
    }
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// `text` as a JSON string literal (RFC 8259 escapes; Rust's `{:?}` is not JSON).
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn fmt(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Run and return (report, all checks passed).
pub fn run(args: &RunArgs) -> Result<(String, bool), Error> {
    let (ops, layouts) = (or_default(&args.ops, &Op::ALL), or_default(&args.layout, &Layout::ALL));
    let engine = JitEngine::new();
    let portable = JitEngine::portable();
    let failed = |e: trinity::runtime::Error| Error::Failed(e.to_string());
    let dense_a = DenseVector::random(args.dim as usize, 1).map_err(failed)?;
    let dense_b = DenseVector::random(args.dim as usize, 2).map_err(failed)?;
    let (bits_a, bits_b) = (BitVector::from(&dense_a), BitVector::from(&dense_b));
    let mut rows = Vec::new();
    // Progress on stderr; hidden for --json and when stderr is not a terminal.
    let progress = if args.json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new((ops.len() * layouts.len()) as u64)
    };
    // First every check, each op's first call compiling its kernel (the compile latency);
    // then the timings, through a kernel table of the compiled kernels.
    let mut checked = Vec::new();
    for &layout in &layouts {
        for &op in &ops {
            let before = engine.stats().compile_time;
            let ok = match layout {
                Layout::Dense => check(&engine, &portable, op, &dense_a, &dense_b),
                Layout::Bits => check(&engine, &portable, op, &bits_a, &bits_b),
            }
            .map_err(|e| Error::Failed(format!("{} {}: {e}", op.name(), layout.name())))?;
            checked.push((op, layout, ok, engine.stats().compile_time - before));
        }
    }
    let table = engine.table(args.dim as usize, &[1]).map_err(failed)?;
    for (op, layout, ok, compile) in checked {
        progress.set_message(format!("{} {}", op.name(), layout.name()));
        let (jit, portable) = match layout {
            Layout::Dense => time_op(&table, &portable, op, &dense_a, &dense_b),
            Layout::Bits => time_op(&table, &portable, op, &bits_a, &bits_b),
        };
        rows.push(Row { op, layout, ok, jit, portable, compile });
        progress.inc(1);
    }
    progress.finish_and_clear();
    let stats = engine.stats();
    // The tier the timed kernels ran at: none when everything ran portable Rust.
    let tier = table.tier().map_or("portable", |t| t.name());
    let all_ok = rows.iter().all(|r| r.ok);
    let backend = match &stats.backend {
        Backend::Jit => "JIT".to_string(),
        Backend::Portable { reason } => format!("portable Rust ({reason})"),
    };
    if args.json {
        let rows_json: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{{\"op\":\"{}\",\"layout\":\"{}\",\"tier\":\"{tier}\",\"ok\":{},\"jit_ns\":{:.1},\"portable_ns\":{:.1},\"compile_ns\":{}}}",
                    r.op.name(),
                    r.layout.name(),
                    r.ok,
                    r.jit.as_secs_f64() * 1e9,
                    r.portable.as_secs_f64() * 1e9,
                    r.compile.as_nanos()
                )
            })
            .collect();
        let json = format!(
            "{{\"cpu\":{},\"dim\":{},\"backend\":{},\"tier\":\"{tier}\",\"ok\":{all_ok},\"rows\":[{}],\"stats\":{{\"total_ops\":{},\"baked_hits\":{},\"jit_hits\":{},\"jit_misses\":{},\"portable_ops\":{},\"over_budget_ops\":{},\"cache_size\":{},\"code_bytes\":{},\"table_fallbacks\":{}}}}}\n",
            json_string(&cpu_name()),
            args.dim,
            json_string(&backend),
            rows_json.join(","),
            stats.total_ops,
            stats.baked_hits,
            stats.jit_hits,
            stats.jit_misses,
            stats.portable_ops,
            stats.over_budget_ops,
            stats.cache_size,
            stats.code_bytes,
            table.stats().fallback_ops
        );
        return Ok((json, all_ok));
    }
    let mut out =
        format!("CPU: {} | backend: {backend} | tier: {tier} | D = {}\n\n", cpu_name(), args.dim);
    out.push_str(&format!(
        "{:<8} {:<6} {:<8} {:>10} {:>12} {:>8} {:>10}  {}\n",
        "op", "layout", "tier", "JIT", "portable", "speedup", "compile", "check"
    ));
    for r in &rows {
        out.push_str(&format!(
            "{:<8} {:<6} {:<8} {:>10} {:>12} {:>7.1}x {:>10}  {}\n",
            r.op.name(),
            r.layout.name(),
            tier,
            fmt(r.jit),
            fmt(r.portable),
            r.portable.as_secs_f64() / r.jit.as_secs_f64(),
            fmt(r.compile),
            if r.ok { "ok" } else { "MISMATCH" }
        ));
    }
    out.push_str(&format!(
        "\nengine: {} checked calls ({} compiled, {} cache hits, {} baked, {} portable), {} kernels cached, {} bytes of code, {} compiling\ntimings: through a kernel table of {} kernels, {} calls handed back to the engine\n",
        stats.total_ops,
        stats.jit_misses,
        stats.jit_hits,
        stats.baked_hits,
        stats.portable_ops,
        stats.cache_size,
        stats.code_bytes,
        fmt(stats.compile_time),
        table.len(),
        table.stats().fallback_ops,
    ));
    out.push_str(if all_ok { "all checks passed\n" } else { "SOME CHECKS FAILED\n" });
    Ok((out, all_ok))
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_control_characters() {
        let text = "say \"hi\" \\ tab\tnewline\n\u{1b} µs";
        let parsed: serde_json::Value = serde_json::from_str(&json_string(text)).unwrap();
        assert_eq!(parsed, serde_json::Value::String(text.to_string()));
    }
}
