//! Log pane throughput and memory.
//!
//! - `ingest_filter_1m`: 1,000,000 events into a 1M-line `LogView` with a filter applied.
//! - `filter_change_1m`: recomputing the matches of a full 1M-line buffer after a filter change.
//! - `buffer_100k`: filling a 100k-line `LogBuffer`.
//!
//! Before the groups run, the bytes a 100k-line buffer holds are measured with a counting
//! allocator and printed to stderr.

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use opsdeck::domain::LogEvent;
use opsdeck::logs::{LogBuffer, LogFilter, LogView};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static HELD: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            HELD.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            HELD.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        HELD.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            HELD.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn held() -> isize {
    HELD.load(Ordering::Relaxed)
}

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

const PATHS: [&str; 5] = ["/invocations", "/ping", "/v1/embed", "/v1/rerank", "/metrics"];
const MODELS: [&str; 3] = ["bert-base-v3", "llama-8b-int4", "clip-vit-l14"];

/// `n` events as an inference service logs them: JSON access lines, mostly INFO and 2xx, some
/// WARN, a few ERROR and 5xx, plus the odd plain-text traceback line; 8 task streams.
fn events(n: usize) -> Vec<LogEvent> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start: DateTime<Utc> = Utc.timestamp_opt(1_717_000_000, 0).single().unwrap_or_default();
    let streams: Vec<String> = (0..8).map(|i| format!("ecs/inference/4f1c9a2b7e3d4c5a8b6e{i:012x}")).collect();
    (0..n as u64)
        .map(|id| {
            let roll = rng.below(1000);
            let (level, status) = match roll {
                0..=19 => ("ERROR", 500 + rng.below(4)),
                20..=69 => ("WARN", 429),
                70..=79 => ("INFO", 503),
                _ => ("INFO", 200),
            };
            let message = if roll == 999 {
                "Traceback (most recent call last):\tFile \"/app/serve.py\", line 88".to_string()
            } else {
                format!(
                    r#"{{"level":"{level}","ts":"2024-05-29T16:{:02}:{:02}.{:03}Z","path":"{}","status":{status},"latency_ms":{}.{},"model":"{}","request_id":"{:016x}"}}"#,
                    rng.below(60),
                    rng.below(60),
                    rng.below(1000),
                    PATHS[rng.below(PATHS.len() as u64) as usize],
                    rng.below(900),
                    rng.below(10),
                    MODELS[rng.below(MODELS.len() as u64) as usize],
                    rng.next(),
                )
            };
            LogEvent {
                id,
                timestamp: start + chrono::Duration::milliseconds(id as i64 * 3),
                stream: streams[rng.below(8) as usize].clone(),
                message,
            }
        })
        .collect()
}

const FILTER: &str = r#"status":5\d\d|ERROR"#;

fn filter(pattern: &str) -> LogFilter {
    match LogFilter::parse(pattern) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    }
}

fn report_memory() {
    const N: usize = 100_000;
    // The events are consumed by the buffer (their messages move into it), so count from before
    // they existed: what is held afterwards is the buffer alone.
    let before = held();
    let lines = events(N);
    let avg_message = lines.iter().map(|e| e.message.len()).sum::<usize>() as f64 / N as f64;
    let mut buffer = LogBuffer::new(N);
    buffer.extend(lines);
    let bytes = (held() - before).max(0) as f64;
    eprintln!(
        "memory: {N} lines buffered = {:.1} MB ({:.0} bytes/line; messages average {avg_message:.0} bytes; approx_bytes() says {:.1} MB)",
        bytes / 1e6,
        bytes / N as f64,
        buffer.approx_bytes() as f64 / 1e6,
    );
    black_box(&buffer);
}

fn ingest(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let lines = events(N);
    let f = filter(FILTER);
    let mut group = c.benchmark_group("logs");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(N as u64));

    group.bench_function("ingest_filter_1m", |b| {
        b.iter_batched(
            || lines.clone(),
            |lines| {
                let mut view = LogView::new(N);
                view.set_filter(Some(f.clone()));
                view.ingest(lines);
                view
            },
            BatchSize::PerIteration,
        )
    });

    let mut view = LogView::new(N);
    view.ingest(lines.iter().cloned());
    drop(lines);
    let filters = [f.clone(), filter(r"latency_ms.:8\d\d|WARN")];
    let mut turn = 0;
    group.bench_function("filter_change_1m", |b| {
        b.iter(|| {
            turn += 1;
            view.set_filter(Some(filters[turn % 2].clone()));
            black_box(view.match_count())
        })
    });
    eprintln!("filter_change_1m: {} of {} lines match the last filter", view.match_count(), view.buffer().len());
    group.finish();
}

fn buffer_fill(c: &mut Criterion) {
    const N: usize = 100_000;
    let lines = events(N);
    let mut group = c.benchmark_group("logs");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("buffer_100k", |b| {
        b.iter_batched(
            || lines.clone(),
            |lines| {
                let mut buffer = LogBuffer::new(N);
                buffer.extend(lines);
                buffer
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, ingest, buffer_fill);

fn main() {
    report_memory();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
