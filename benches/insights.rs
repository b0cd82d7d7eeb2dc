//! The Logs Insights engine over 100,000 log lines like the demo's (JSON access lines, JSON
//! errors, gunicorn lines, traceback lines), two hours of them.
//!
//! - `count_by_bin_100k`: `stats count(*) by bin(1m)`, which never reads JSON.
//! - `filter_avg_by_path_100k`: a filter on a JSON field, then `avg(...) by` another: every JSON
//!   line is read once.
//! - `default_view_100k`: the console's default query, newest 20 events.
//!
//! The target is under 100 ms for each in release.

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use opsdeck::insights::{parse, Event};
use std::hint::black_box;

const N: usize = 100_000;
const PATHS: [&str; 4] = ["/api/v1/detect", "/api/v1/classify", "/health", "/metrics"];
const METHODS: [&str; 2] = ["POST", "GET"];

/// A small deterministic generator (xorshift64*), so every run sees the same lines.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Line {
    timestamp: DateTime<Utc>,
    message: String,
    stream: &'static str,
    ptr: String,
}

fn lines() -> Vec<Line> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = Utc.with_ymd_and_hms(2026, 12, 4, 14, 0, 0).single().unwrap_or_default();
    (0..N)
        .map(|i| {
            let timestamp = start + Duration::milliseconds(i as i64 * 72);
            let (message, stream) = match rng.below(100) {
                0..=84 => (
                    format!(
                        r#"{{"level":"info","method":"{}","path":"{}","status":200,"latency_ms":{},"request_id":"{:016x}"}}"#,
                        METHODS[rng.below(2) as usize],
                        PATHS[rng.below(4) as usize],
                        20 + rng.below(400),
                        rng.next()
                    ),
                    "ecs/detector/task1",
                ),
                85..=89 => (
                    format!(
                        r#"{{"level":"error","method":"POST","path":"{}","status":500,"latency_ms":{},"request_id":"{:016x}","error":{{"type":"KeyError","detail":"MODEL_PATH"}}}}"#,
                        PATHS[rng.below(2) as usize],
                        1000 + rng.below(2000),
                        rng.next()
                    ),
                    "ecs/detector/task1",
                ),
                90..=95 => (
                    format!("[{}] [{}] [ERROR] Worker timeout (pid:{})", timestamp.format("%Y-%m-%d %H:%M:%S +0000"), 7, 10 + rng.below(20)),
                    "ecs/detector/task2",
                ),
                _ => ("KeyError: 'MODEL_PATH'".to_string(), "ecs/detector/task2"),
            };
            Line { timestamp, message, stream, ptr: format!("ptr-{i}") }
        })
        .collect()
}

fn events(lines: &[Line]) -> Vec<Event<'_>> {
    lines
        .iter()
        .map(|l| Event {
            timestamp: l.timestamp,
            message: &l.message,
            log_stream: l.stream,
            log_group: "/ecs/detector",
            ptr: &l.ptr,
        })
        .collect()
}

fn bench_insights(c: &mut Criterion) {
    let lines = lines();
    let events = events(&lines);
    let queries = [
        ("count_by_bin_100k", "stats count(*) by bin(1m)"),
        ("filter_avg_by_path_100k", "filter method = \"POST\" and status >= 200 | stats avg(latency_ms) by path"),
        ("default_view_100k", "fields @timestamp, @message | sort @timestamp desc | limit 20"),
    ];
    let mut group = c.benchmark_group("insights");
    group.sample_size(20);
    group.throughput(Throughput::Elements(N as u64));
    for (name, text) in queries {
        let query = match parse(text) {
            Ok(q) => q,
            Err(e) => panic!("{text}: {e}"),
        };
        match query.run(events.iter().copied()) {
            Ok(out) => eprintln!(
                "{name}: {} rows, {} of {} records matched",
                out.rows.len(),
                out.records_matched,
                out.records_scanned
            ),
            Err(e) => panic!("{text}: {e}"),
        }
        group.bench_function(name, |b| b.iter(|| black_box(query.run(events.iter().copied()))));
    }
    group.finish();
}

criterion_group!(benches, bench_insights);
criterion_main!(benches);
