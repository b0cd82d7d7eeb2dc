//! The metric chart widget rendered into buffers: snapshots of the text at 80x24 and 160x48,
//! explicit checks of the characters and styles that carry meaning (the threshold, the ALARM
//! marks, the gaps), the monochrome theme, the one-line summary, and no panic for any size or data.

use crate::common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{find, text_of};
use opsdeck::chart::{Chart, ChartSeries, Comparison, Threshold};
use opsdeck::theme::Theme;
use opsdeck::ui::chart::{self, ALARM_MARK, THRESHOLD};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::Terminal;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 2, 0, 0).unwrap()
}

fn at(minute: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minute)
}

/// Minute 140 to 154 have no datapoint: the gap.
const GAP: std::ops::Range<i64> = 140..155;

/// (a) One service's CPU over 3 h of 1-minute data: over the 80 % threshold from minute 97 to
/// 121 (in ALARM from 99 to 122), and a quarter of an hour with no data.
fn alarm_chart() -> Chart {
    let points = (0..=180)
        .map(|m| {
            let wave = 35.0 + 10.0 * (m as f64 / 9.0).sin();
            let v = if (97..122).contains(&m) { 88.0 + (m % 5) as f64 } else { wave };
            (at(m), (!GAP.contains(&m)).then_some(v))
        })
        .collect();
    Chart {
        title: "AWS/ECS CPUUtilization  ClusterName=svg-ai-cluster ServiceName=svg-ai-service  Average, 60 s".into(),
        unit: Some("%".into()),
        start: t0(),
        end: at(180),
        series: vec![ChartSeries { label: "CPUUtilization".into(), points }],
        threshold: Some(Threshold { value: 80.0, comparison: Comparison::Greater }),
        alarm_spans: vec![(at(99), at(122))],
        note: Some("2 of 2 datapoints > 80 in 60 s periods".into()),
    }
}

/// (b) A metric-math alarm's two metrics over 1 h, no threshold: an endpoint's p50 and p99.
fn math_chart() -> Chart {
    let series = |label: &str, base: f64, swing: f64| ChartSeries {
        label: label.into(),
        points: (0..=60).map(|m| (at(m), Some(base + swing * (m as f64 / 7.0).cos().abs()))).collect(),
    };
    Chart {
        title: "AWS/SageMaker ModelLatency  EndpointName=prediction-endpoint  p50, p99, 60 s".into(),
        unit: Some("ms".into()),
        start: t0(),
        end: at(60),
        series: vec![series("m1 p50", 120.0, 30.0), series("m2 p99", 400.0, 250.0)],
        threshold: None,
        alarm_spans: vec![],
        note: None,
    }
}

fn theme(name: &str) -> Theme {
    Theme::builtin(name).unwrap()
}

fn draw(chart: &Chart, theme: &Theme, size: (u16, u16)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    terminal.draw(|f| chart::render(chart, theme, f, f.area())).unwrap();
    terminal.backend().buffer().clone()
}

/// Every cell holding `symbol`, as (x, y).
fn cells_with(buffer: &Buffer, symbol: &str) -> Vec<(u16, u16)> {
    let area = buffer.area;
    (0..area.height)
        .flat_map(|y| (0..area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| buffer[(x, y)].symbol() == symbol)
        .collect()
}

fn is_braille(symbol: &str) -> bool {
    symbol.chars().next().is_some_and(|c| ('\u{2801}'..='\u{28FF}').contains(&c))
}

fn fg(style: Style) -> Color {
    style.fg.unwrap_or(Color::Reset)
}

#[test]
fn alarm_chart_at_80x24() {
    let buffer = draw(&alarm_chart(), &theme("dark"), (80, 24));
    insta::assert_snapshot!("chart_alarm_80x24", text_of(&buffer));
}

#[test]
fn alarm_chart_at_160x48() {
    let buffer = draw(&alarm_chart(), &theme("dark"), (160, 48));
    insta::assert_snapshot!("chart_alarm_160x48", text_of(&buffer));
}

#[test]
fn metric_math_chart_at_80x24() {
    let buffer = draw(&math_chart(), &theme("dark"), (80, 24));
    insta::assert_snapshot!("chart_metric_math_80x24", text_of(&buffer));
}

#[test]
fn metric_math_chart_at_160x48() {
    let buffer = draw(&math_chart(), &theme("dark"), (160, 48));
    insta::assert_snapshot!("chart_metric_math_160x48", text_of(&buffer));
}

#[test]
fn the_threshold_is_a_dashed_row_in_the_threshold_slot_labelled_with_its_comparison() {
    let theme = theme("dark");
    let buffer = draw(&alarm_chart(), &theme, (80, 24));
    let dashes = cells_with(&buffer, THRESHOLD);
    assert!(dashes.len() > 40, "the threshold runs across the plot: {}", dashes.len());
    let row = dashes[0].1;
    assert!(dashes.iter().all(|(_, y)| *y == row), "one row");
    for (x, y) in &dashes {
        assert_eq!(fg(buffer[(*x, *y)].style()), fg(theme.chart_threshold), "({x},{y})");
    }
    let (x, y) = find(&buffer, "> 80").expect("the threshold is labelled on the y axis");
    assert_eq!(y, row, "on the threshold's row");
    assert_eq!(fg(buffer[(x, y)].style()), fg(theme.chart_threshold));
    // The data crosses the threshold: there the line wins, so it is never hidden.
    assert!((0..80).any(|x| is_braille(buffer[(x, row)].symbol())), "the data line crosses the threshold row");
}

#[test]
fn alarm_periods_are_blocks_in_the_alarm_slot_under_the_time_axis() {
    let theme = theme("dark");
    let buffer = draw(&alarm_chart(), &theme, (80, 24));
    let marks = cells_with(&buffer, ALARM_MARK);
    let (label_x, row) = find(&buffer, "ALARM").expect("the row is labelled");
    assert_eq!(fg(buffer[(label_x, row)].style()), fg(theme.chart_alarm));
    assert!(marks.iter().all(|(_, y)| *y == row), "all on the ALARM row");
    for (x, y) in &marks {
        let style = buffer[(*x, *y)].style();
        assert_eq!(fg(style), fg(theme.chart_alarm));
        assert!(style.add_modifier.contains(Modifier::BOLD));
    }
    // 23 minutes of 180 over a plot of about 75 columns: about 10 columns, contiguous.
    assert!((8..=12).contains(&marks.len()), "{} marks", marks.len());
    let xs: Vec<u16> = marks.iter().map(|(x, _)| *x).collect();
    assert!(xs.windows(2).all(|w| w[1] == w[0] + 1), "one unbroken span: {xs:?}");
    // Under the data that breaches: the plot's highest points sit above the marks.
    let top_row = (0..24).find(|y| (0..80).any(|x| is_braille(buffer[(x, *y)].symbol()))).expect("data drawn");
    let peak_xs: Vec<u16> = (0..80).filter(|x| is_braille(buffer[(*x, top_row)].symbol())).collect();
    assert!(peak_xs.iter().all(|x| xs.contains(x) || xs.contains(&(x + 1)) || xs.contains(&(x - 1))), "{peak_xs:?}");
}

#[test]
fn missing_data_is_a_gap_not_a_line_and_not_zero() {
    let buffer = draw(&alarm_chart(), &theme("dark"), (160, 48));
    // The plot starts right of the y axis corner and runs to the right edge.
    let (corner, axis_row) = find(&buffer, "└").expect("axis corner");
    let (left, width) = (corner + 1, 160 - (corner + 1));
    let column = |minute: i64| left + ((minute as f64 / 180.0 * f64::from(width * 2 - 1)).round() as u16) / 2;
    let (before, after) = (column(GAP.start - 1), column(GAP.end));
    assert!(after > before + 4, "the gap spans columns: {before}..{after}");
    for x in before + 1..after {
        for y in 0..axis_row {
            let symbol = buffer[(x, y)].symbol();
            assert!(!is_braille(symbol), "data drawn at ({x},{y}) inside the gap: {symbol}");
        }
    }
    // Either side of the gap the line is there.
    assert!((0..axis_row).any(|y| is_braille(buffer[(before, y)].symbol())));
    assert!((0..axis_row).any(|y| is_braille(buffer[(after, y)].symbol())));
}

#[test]
fn monochrome_keeps_threshold_and_alarm_as_their_own_characters_without_colour() {
    let theme = theme("monochrome");
    let buffer = draw(&alarm_chart(), &theme, (80, 24));
    let area = buffer.area;
    for y in 0..area.height {
        for x in 0..area.width {
            let cell = &buffer[(x, y)];
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "colour at ({x},{y})");
        }
    }
    let dashes = cells_with(&buffer, THRESHOLD);
    let marks = cells_with(&buffer, ALARM_MARK);
    assert!(dashes.len() > 40 && !marks.is_empty(), "{} dashes, {} marks", dashes.len(), marks.len());
    assert!(find(&buffer, "> 80").is_some() && find(&buffer, "ALARM").is_some());
    let braille: usize =
        (0..area.height).map(|y| (0..area.width).filter(|x| is_braille(buffer[(*x, y)].symbol())).count()).sum();
    assert!(braille > 40, "the data is drawn: {braille}");
    // Distinct marks: threshold, ALARM and data never share a character.
    assert!(!is_braille(THRESHOLD) && !is_braille(ALARM_MARK) && THRESHOLD != ALARM_MARK);
    let (x, y) = dashes[0];
    assert!(buffer[(x, y)].modifier.contains(Modifier::BOLD), "the threshold is bold");
}

#[test]
fn two_series_get_a_legend_in_their_own_slots() {
    let theme = theme("dark");
    let buffer = draw(&math_chart(), &theme, (80, 24));
    let (x1, y1) = find(&buffer, "m1 p50").expect("first in the legend");
    let (x2, y2) = find(&buffer, "m2 p99").expect("second in the legend");
    assert_eq!(y1, y2, "one legend row");
    assert_eq!(fg(buffer[(x1, y1)].style()), fg(theme.chart));
    assert_eq!(fg(buffer[(x2, y2)].style()), fg(theme.chart_alt));
    // Both lines are drawn, each in its series' slot.
    let colours: Vec<Color> = (0..24u16)
        .flat_map(|y| (0..80u16).map(move |x| (x, y)))
        .filter(|&(x, y)| is_braille(buffer[(x, y)].symbol()))
        .map(|(x, y)| buffer[(x, y)].fg)
        .collect();
    assert!(colours.contains(&fg(theme.chart)) && colours.contains(&fg(theme.chart_alt)));
    assert!(find(&buffer, THRESHOLD).is_none() && find(&buffer, "ALARM").is_none(), "no threshold, no ALARM");
    assert!(find(&buffer, "ms").is_some(), "the unit over the y axis");
}

#[test]
fn every_part_is_still_there_at_40x10() {
    let buffer = draw(&alarm_chart(), &theme("dark"), (40, 10));
    let text = text_of(&buffer);
    for part in ["AWS/ECS", "> 80", "ALARM", "2 of 2", "└", ":00"] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    assert!(!cells_with(&buffer, THRESHOLD).is_empty() && !cells_with(&buffer, ALARM_MARK).is_empty());
}

#[test]
fn below_40x10_a_one_line_summary_replaces_the_chart() {
    let theme = theme("dark");
    for size in [(39, 24), (80, 9), (60, 1)] {
        let buffer = draw(&alarm_chart(), &theme, size);
        let text = text_of(&buffer);
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        assert!(first.starts_with("ALARM last 44.1% min 25% max 92%"), "{size:?}: {first}");
        assert!(lines.all(str::is_empty), "{size:?}: only one line:\n{text}");
        assert!(cells_with(&buffer, THRESHOLD).is_empty());
        let (x, y) = find(&buffer, "ALARM").expect("ALARM first");
        assert_eq!(fg(buffer[(x, y)].style()), fg(theme.chart_alarm));
    }
    let wide = text_of(&draw(&alarm_chart(), &theme, (120, 5)));
    assert!(wide.starts_with("ALARM last 44.1% min 25% max 92%  > 80%  AWS/ECS CPUUtilization"), "{wide}");
    let empty = Chart { series: vec![], ..alarm_chart() };
    let text = text_of(&draw(&empty, &theme, (60, 3)));
    assert!(text.starts_with("ALARM no data  > 80%"), "{text}");
}

#[test]
fn a_chart_with_no_datapoints_says_so_in_the_plot() {
    let chart = Chart { series: vec![ChartSeries { label: "x".into(), points: vec![(at(1), None)] }], ..math_chart() };
    let buffer = draw(&chart, &theme("dark"), (80, 24));
    assert!(find(&buffer, "no data").is_some());
    assert!(find(&buffer, "└").is_some(), "the axes are still drawn");
}

/// Charts no backend should send but one might.
fn degenerate() -> Vec<Chart> {
    let base = alarm_chart();
    let with = |points: Vec<(DateTime<Utc>, Option<f64>)>| Chart {
        series: vec![ChartSeries { label: "x".into(), points }],
        ..base.clone()
    };
    let nan = Threshold { value: f64::NAN, comparison: Comparison::LessOrEqual };
    vec![
        Chart::default(),
        Chart { series: vec![], ..base.clone() },
        with(vec![]),
        with(vec![(at(3), None), (at(4), None)]),
        with(vec![(at(3), Some(f64::NAN)), (at(4), Some(f64::INFINITY)), (at(5), Some(f64::NEG_INFINITY))]),
        with(vec![(at(90), Some(42.0))]),
        with((0..180).map(|m| (at(m), Some(7.0))).collect()),
        with(vec![(at(1), Some(f64::MAX)), (at(2), Some(-f64::MAX)), (at(3), Some(f64::MIN_POSITIVE))]),
        with(vec![(at(1), Some(1e300)), (at(2), Some(1e300 + 1e284))]),
        with(vec![(at(1), Some(1e306)), (at(2), Some(-1e306)), (at(3), Some(5e305)), (at(4), Some(0.0))]),
        with((0..180).rev().map(|m| (at(m), Some(m as f64))).collect()),
        with(vec![(at(-600), Some(1.0)), (at(600), Some(2.0)), (at(5), Some(3.0)), (at(5), Some(4.0))]),
        Chart { end: base.start, ..base.clone() },
        Chart { end: base.start - Duration::hours(1), ..base.clone() },
        Chart { start: DateTime::<Utc>::MIN_UTC, end: DateTime::<Utc>::MAX_UTC, ..base.clone() },
        Chart { threshold: Some(nan), alarm_spans: vec![(at(50), at(10)), (at(-99), at(999))], ..base.clone() },
        Chart {
            title: "\u{1b}[31m日本語のタイトル\u{7}".repeat(20),
            unit: Some("Bytes/Second (per instance, averaged)".into()),
            note: Some("\n\t".into()),
            series: (0..7)
                .map(|i| ChartSeries { label: format!("m{i} {}", "x".repeat(i * 9)), ..base.series[0].clone() })
                .collect(),
            threshold: Some(Threshold { value: -1e12, comparison: Comparison::Less }),
            ..base.clone()
        },
    ]
}

#[test]
fn no_panic_and_nothing_drawn_outside_the_area_for_any_size_or_data() {
    let themes = [theme("dark"), theme("monochrome")];
    let widths = [1, 2, 3, 7, 20, 39, 40, 41, 57, 80, 119, 160, 200];
    let heights = [1, 2, 3, 5, 9, 10, 11, 14, 24, 48, 60];
    let sentinel = "¤";
    for (i, chart) in degenerate().iter().enumerate() {
        let theme = &themes[i % 2];
        for &w in &widths {
            for &h in &heights {
                // The chart gets an area inset in a bigger buffer, prefilled with a sentinel.
                let outer = Rect::new(0, 0, w + 4, h + 2);
                let area = Rect::new(2, 1, w, h);
                let mut buffer = Buffer::filled(outer, ratatui::buffer::Cell::new(sentinel));
                chart::draw(chart, theme, &mut buffer, area);
                for y in 0..outer.height {
                    for x in 0..outer.width {
                        let inside = area.contains(ratatui::layout::Position::new(x, y));
                        let symbol = buffer[(x, y)].symbol();
                        assert_eq!(symbol == sentinel, !inside, "chart {i} at {w}x{h}: ({x},{y}) = {symbol:?}");
                    }
                }
            }
        }
    }
    // And an area partly off the frame is clipped to it.
    let buffer = draw(&alarm_chart(), &themes[0], (30, 8));
    let mut terminal = Terminal::new(TestBackend::new(30, 8)).unwrap();
    terminal.draw(|f| chart::render(&alarm_chart(), &themes[0], f, Rect::new(10, 4, 200, 60))).unwrap();
    assert!(text_of(&buffer).starts_with("ALARM"));
    assert!(text_of(terminal.backend().buffer()).lines().nth(4).is_some_and(|l| l.starts_with("          ALARM")));
}
