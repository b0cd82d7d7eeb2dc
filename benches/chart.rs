//! The metric chart at its heaviest: 7 days of 1-minute data (10,080 points, with gaps), an
//! alarm's threshold and ALARM periods, drawn into a 160x40 frame. Target: under 1 ms.

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use opsdeck::chart::{plot_points, Chart, ChartSeries, Comparison, Threshold};
use opsdeck::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;

fn week_of_minutes() -> Chart {
    let start = Utc.with_ymd_and_hms(2026, 11, 14, 0, 0, 0).unwrap();
    let points = (0..10_080i64)
        .map(|m| {
            // A daily cycle, a faster wobble, a few spikes; gaps: 20 minutes every ~17 h, and 3 h on day 4.
            let day = (m as f64 / 1440.0 * std::f64::consts::TAU).sin();
            let wobble = (m as f64 / 37.0).sin() * 4.0;
            let spike = if m % 997 < 3 { 40.0 } else { 0.0 };
            let missing = m % 1013 < 20 || (5_000..5_180).contains(&m);
            (start + Duration::minutes(m), (!missing).then_some(45.0 + 25.0 * day + wobble + spike))
        })
        .collect();
    Chart {
        title: "AWS/ECS CPUUtilization  ClusterName=svg-ai-cluster ServiceName=svg-ai-service  Average, 60 s".into(),
        unit: Some("%".into()),
        start,
        end: start + Duration::minutes(10_080),
        series: vec![ChartSeries { label: "CPUUtilization".into(), points }],
        threshold: Some(Threshold { value: 80.0, comparison: Comparison::GreaterOrEqual }),
        alarm_spans: (0..7)
            .map(|d| (start + Duration::hours(24 * d + 14), start + Duration::hours(24 * d + 16)))
            .collect(),
        note: Some("3 of 5 datapoints >= 80 in 60 s periods".into()),
    }
}

fn bench_chart(c: &mut Criterion) {
    let chart = week_of_minutes();
    let theme = Theme::builtin("dark").expect("theme");
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).expect("terminal");
    c.bench_function("chart_10080_points_160x40", |b| {
        b.iter(|| {
            terminal.draw(|f| opsdeck::ui::chart::render(black_box(&chart), &theme, f, f.area())).expect("draw");
        })
    });
    c.bench_function("chart_prepare_10080_points_300_columns", |b| {
        b.iter(|| black_box(plot_points(black_box(&chart), &chart.series[0], 300)))
    });
}

criterion_group!(benches, bench_chart);
criterion_main!(benches);
