//! The default run: JIT-compile every requested op for both layouts at one dimension, check
//! each against portable Rust on seeded random vectors, and time both.

use super::{layout_parser, op_parser, parse_dim, Error};
use clap::Args;
use std::hint::black_box;
use std::time::{Duration, Instant};
use trinity::emit::kernels::{Layout, Op};
use trinity::runtime::engine::Vector;
use trinity::runtime::exec::Backend;
use trinity::runtime::{BitVector, DenseVector, JitEngine, Result as TResult};

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

/// Run `op` on the engine and on portable Rust; true when the results agree.
fn measure<V: Vector + PartialEq>(
    engine: &JitEngine,
    op: Op,
    a: &V,
    b: &V,
) -> TResult<(bool, Duration, Duration)> {
    let dim = a.dim();
    let (x, y) = (a.elems(), b.elems());
    let mut out_engine = a.clone();
    Ok(match op {
        Op::Dot | Op::Hamming => {
            let jit = |e: &JitEngine| if op == Op::Dot { e.dot(a, b) } else { e.hamming(a, b) };
            let ok = jit(engine)? == V::portable_reduce(op, x, y);
            (
                ok,
                time(|| drop(black_box(jit(engine)))),
                time(|| {
                    black_box(V::portable_reduce(op, x, y));
                }),
            )
        }
        Op::Cosine => {
            let ok = engine.cosine(a, b)?.to_bits() == V::portable_cosine(x, y).to_bits();
            (
                ok,
                time(|| drop(black_box(engine.cosine(a, b)))),
                time(|| {
                    black_box(V::portable_cosine(x, y));
                }),
            )
        }
        Op::Bind | Op::Bundle => {
            let mut expect = a.clone();
            let copy = expect.elems().to_vec();
            V::portable_binary(op, expect.elems_mut(), &copy, y);
            let jit = |e: &JitEngine, out: &mut V| {
                if op == Op::Bind {
                    e.bind_assign(out, b)
                } else {
                    e.bundle_assign(out, b)
                }
            };
            jit(engine, &mut out_engine)?;
            let ok = out_engine == expect;
            let mut scratch = a.clone();
            let mut out = vec![x[0]; x.len()];
            (
                ok,
                time(|| drop(jit(engine, &mut scratch))),
                time(|| V::portable_binary(op, &mut out, x, y)),
            )
        }
        Op::Permute => {
            let mut expect = a.clone();
            V::portable_permute(expect.elems_mut(), x, dim, 1);
            engine.permute_into(&mut out_engine, a, 1)?;
            let ok = out_engine == expect;
            let mut out = vec![x[0]; x.len()];
            (
                ok,
                time(|| drop(engine.permute_into(&mut out_engine, a, 1))),
                time(|| V::portable_permute(&mut out, x, dim, 1)),
            )
        }
    })
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
    let ops = if args.ops.is_empty() { Op::ALL.to_vec() } else { args.ops.clone() };
    let layouts = if args.layout.is_empty() { Layout::ALL.to_vec() } else { args.layout.clone() };
    let engine = JitEngine::new();
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
    for &layout in &layouts {
        for &op in &ops {
            progress.set_message(format!("{} {}", op.name(), layout.name()));
            let before = engine.stats().compile_time;
            let (ok, jit, portable) = match layout {
                Layout::Dense => measure(&engine, op, &dense_a, &dense_b),
                Layout::Bits => measure(&engine, op, &bits_a, &bits_b),
            }
            .map_err(|e| Error::Failed(format!("{} {}: {e}", op.name(), layout.name())))?;
            let compile = engine.stats().compile_time - before;
            rows.push(Row { op, layout, ok, jit, portable, compile });
            progress.inc(1);
        }
    }
    progress.finish_and_clear();
    let stats = engine.stats();
    let tier = stats.tier.map_or("portable", |t| t.name());
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
            "{{\"cpu\":{},\"dim\":{},\"backend\":{},\"tier\":\"{tier}\",\"ok\":{all_ok},\"rows\":[{}],\"stats\":{{\"total_ops\":{},\"jit_hits\":{},\"jit_misses\":{},\"portable_ops\":{},\"cache_size\":{},\"code_bytes\":{}}}}}\n",
            json_string(&cpu_name()),
            args.dim,
            json_string(&backend),
            rows_json.join(","),
            stats.total_ops,
            stats.jit_hits,
            stats.jit_misses,
            stats.portable_ops,
            stats.cache_size,
            stats.code_bytes
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
        "\nengine: {} ops, {} JIT hits, {} misses (hit rate {:.1}%), {} portable, {} kernels cached, {} bytes of code, {} compiling\n",
        stats.total_ops,
        stats.jit_hits,
        stats.jit_misses,
        100.0 * stats.hit_rate(),
        stats.portable_ops,
        stats.cache_size,
        stats.code_bytes,
        fmt(stats.compile_time)
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
