//! The Lambda functions pane: one row per function (its detail in the same place while open).

use super::function_detail;
use super::places::{bare, place_cells, place_widths, with_place_columns};
use super::widgets::{age, pane_block, sparkline, status_line, truncate};
use crate::app::{function_rows, Pane, State};
use crate::domain::{Function, FunctionMetrics, Series};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    if state.dashboard.functions.detail.is_some() {
        return function_detail::render(state, theme, frame, area);
    }
    let list = &state.dashboard.functions.list;
    let mut extra = vec![];
    if let Some(f) = &list.filter {
        extra.push(Span::styled(format!("/{}/ ", f.text), theme.accent));
    }
    let filter = &state.ctx.settings.function_filter;
    if !filter.is_empty() {
        let mut kept: Vec<String> = filter.prefixes.iter().map(|p| format!("{p}*")).collect();
        kept.extend(filter.tags.iter().map(|(k, v)| format!("{k}={v}")));
        extra.push(Span::styled(format!("{} ", kept.join(" ")), theme.muted));
    }
    let block = pane_block(state, theme, Pane::Functions, extra);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let f = &state.fleet.functions;
    if let Some(line) = status_line(theme, f.data.is_some(), f.error.as_deref(), f.in_flight.is_some()) {
        frame.render_widget(Paragraph::new(line), inner);
        if f.data.is_none() || inner.height < 2 {
            return;
        }
    }
    let functions = f.data.as_deref().unwrap_or_default();
    if functions.is_empty() {
        let why = if filter.is_empty() { "no functions in this region" } else { "no function matches [functions]" };
        frame.render_widget(Paragraph::new(Span::styled(why, theme.muted)), inner);
        return;
    }
    let places = place_widths(functions.iter().map(|f| f.name.as_str()));
    let metrics = state.fleet.function_metrics.data.as_ref();
    let fit = Fit::new(inner.width, places, functions, |name| metrics.and_then(|m| m.get(name)));
    let height = usize::from(inner.height.saturating_sub(1));
    let focused = state.dashboard.focus == Pane::Functions;
    let table_rows: Vec<Row> = function_rows(&state.fleet, list)
        .into_iter()
        .enumerate()
        .skip(list.offset)
        .take(height)
        .map(|(row, i)| {
            let function = &functions[i];
            let m = metrics.and_then(|m| m.get(&function.name));
            let mut row_cells = cells(state, theme, function, m, fit);
            if places.is_some() {
                row_cells.splice(0..0, place_cells(state, theme, &function.name));
            }
            let mut r = Row::new(row_cells);
            if focused && row == list.selected {
                r = r.style(theme.selection);
            }
            r
        })
        .collect();
    // The name takes what the other columns leave.
    let mut widths = vec![Constraint::Min(fit.name_min)];
    let mut titles = vec!["FUNCTION"];
    if fit.runtime {
        widths.push(Constraint::Length(RUNTIME));
        titles.push("RUNTIME");
    }
    widths.extend([
        Constraint::Length(fit.mem),
        Constraint::Length(fit.conc),
        Constraint::Length(fit.count_width()),
        Constraint::Length(fit.count_width()),
        Constraint::Length(fit.count_width()),
        Constraint::Length(WIDE_NUM),
        Constraint::Length(WIDE_NUM),
        Constraint::Length(WIDE_NUM),
    ]);
    titles.extend(["MEM", "CONC/RES", "INV/m", "ERR/m", "THR/m", "P50ms", "P99ms", "QUEUE"]);
    if fit.modified {
        widths.push(Constraint::Length(MOD));
        titles.push("MOD");
    }
    if let Some(places) = places {
        with_place_columns(&mut titles, &mut widths, places);
    }
    let header = Row::new(titles).style(theme.header);
    let area = if f.error.is_some() { Rect { y: inner.y + 1, height: inner.height - 1, ..inner } } else { inner };
    frame.render_widget(Table::new(table_rows, widths).header(header).column_spacing(1), area);
}

/// Sparkline lengths: the shortest drawn (what the 160x48 dashboard's functions pane, 97 cells
/// inside, fits beside a whole name), and the longest, where the pane is wide.
const SPARK: u16 = 5;
const SPARK_WIDE: u16 = 8;
/// Below this many cells for the name, the sparklines give way to bare numbers.
const NAME_MIN: u16 = 16;
/// A count is drawn in at most 4 cells (`12k` past 9999), a duration or a depth in 5. Beside a
/// sparkline a count has 3 cells until one of them needs 4 (the columns move only past 999).
const COUNT: u16 = 4;
const WIDE_NUM: u16 = 5;
const RUNTIME: u16 = 10;
const MOD: u16 = 4;
/// The width of INV/m, ERR/m and THR/m when they are bare numbers (their titles').
const COUNT_BARE: u16 = 5;

/// Which columns fit, and how wide. The sparklines of invocations, errors and throttles come
/// first (the name is cut, marked `…`, down to NAME_MIN cells for them); the age of the last
/// change, the runtime (both are in the detail) and longer sparklines only beside a whole name.
#[derive(Debug, Clone, Copy)]
struct Fit {
    /// The sparkline length; 0: numbers only.
    spark: u16,
    runtime: bool,
    modified: bool,
    mem: u16,
    conc: u16,
    /// The cells of the latest count beside a sparkline.
    count: u16,
    /// The cells the name has (names longer are cut with `…`).
    name: u16,
    name_min: u16,
}

impl Fit {
    fn new<'a>(
        width: u16,
        places: Option<(u16, u16)>,
        functions: &[Function],
        metrics: impl Fn(&str) -> Option<&'a FunctionMetrics>,
    ) -> Fit {
        fn longest(texts: impl Iterator<Item = String>, title: &str) -> u16 {
            let cells = texts.map(|t| t.chars().count()).max().unwrap_or(0).max(title.len());
            u16::try_from(cells).unwrap_or(u16::MAX)
        }
        let name = longest(functions.iter().map(|f| bare(&f.name).to_string()), "FUNCTION");
        let mem = longest(functions.iter().map(memory), "MEM");
        let conc = longest(functions.iter().map(|f| concurrency(f, metrics(&f.name)).0), "CONC/RES");
        let counts = |m: &FunctionMetrics| [latest(&m.invocations), latest(&m.errors), latest(&m.throttles)];
        let count = longest(
            functions.iter().filter_map(|f| metrics(&f.name)).flat_map(counts).flatten().map(|v| short(v, COUNT)),
            "999",
        );
        let mut fit = Fit { spark: 0, runtime: false, modified: false, mem, conc, count, name: 0, name_min: NAME_MIN };
        // Every column but the name, each with the cell between it and the one before.
        let place = places.map_or(0, |(account, region)| account + region + 2);
        let others = |fit: &Fit| {
            let counts = 3 * fit.count_width();
            let optional = if fit.runtime { RUNTIME + 1 } else { 0 } + if fit.modified { MOD + 1 } else { 0 };
            place + fit.mem + fit.conc + counts + 3 * WIDE_NUM + 8 + optional
        };
        let room = |fit: &Fit| width.saturating_sub(others(fit));
        fit.spark = SPARK;
        if room(&fit) < NAME_MIN.min(name) {
            fit.spark = 0;
        }
        let grows: [fn(&mut Fit); 2] = [|f| f.modified = true, |f| f.runtime = true];
        for grow in grows {
            let mut wider = fit;
            grow(&mut wider);
            if room(&wider) >= name {
                fit = wider;
            }
        }
        if fit.spark > 0 && room(&Fit { spark: SPARK_WIDE, ..fit }) >= name {
            fit.spark = SPARK_WIDE;
        }
        fit.name = room(&fit);
        fit.name_min = fit.name.min(name).max(1);
        fit
    }

    /// A count column's width: a sparkline, a space and the latest count, or the bare number.
    fn count_width(&self) -> u16 {
        if self.spark == 0 {
            COUNT_BARE
        } else {
            self.spark + 1 + self.count
        }
    }
}

/// Counts and durations are never negative; a noisy source must not print "-0".
fn latest(s: &Series) -> Option<f64> {
    s.latest().map(|v| v.max(0.0) + 0.0)
}

/// A number in at most `cells` cells: `12k`, `1.5M` where the digits would not fit.
fn short(v: f64, cells: u16) -> String {
    let plain = format!("{v:.0}");
    if plain.len() <= usize::from(cells) {
        return plain;
    }
    for (unit, div) in [("k", 1e3), ("M", 1e6), ("G", 1e9)] {
        let x = v / div;
        let text = if x < 9.95 { format!("{x:.1}{unit}") } else { format!("{x:.0}{unit}") };
        if text.len() <= usize::from(cells) {
            return text;
        }
    }
    plain
}

fn num(v: Option<f64>, cells: u16, style: Style, muted: Style) -> Cell<'static> {
    match v {
        Some(v) => Cell::from(Span::styled(short(v, cells), style)),
        None => Cell::from(Span::styled("-", muted)),
    }
}

/// A sparkline of the last minutes and the latest count, or just the count when narrow.
fn spark_cell(series: &Series, spark: Style, value: Style, muted: Style, width: u16) -> Cell<'static> {
    if width == 0 {
        return num(latest(series), COUNT_BARE, value, muted);
    }
    let max = series.points.iter().flatten().copied().fold(0.0, f64::max);
    Cell::from(Line::from(vec![
        Span::styled(sparkline(series, usize::from(width), max), spark),
        Span::raw(" "),
        Span::styled(latest(series).map_or("-".into(), |v| short(v, COUNT)), value),
    ]))
}

/// The memory in MB as the MEM column shows it.
fn memory(f: &Function) -> String {
    f.memory_mb.map_or("-".into(), |mb| mb.to_string())
}

/// Concurrent executions against reserved concurrency (`10/10`, `1/none set`), and whether the
/// function is at its limit (it throttles: the number an engineer raises is the one to see).
fn concurrency(f: &Function, m: Option<&FunctionMetrics>) -> (String, bool) {
    let concurrent = m.and_then(|m| latest(&m.concurrent));
    let at_limit = matches!((concurrent, f.reserved_concurrency), (Some(c), Some(r)) if c >= f64::from(r));
    (format!("{}/{}", concurrent.map_or("-".into(), |c| format!("{c:.0}")), f.reserved_text()), at_limit)
}

fn cells(state: &State, theme: &Theme, f: &Function, m: Option<&FunctionMetrics>, fit: Fit) -> Vec<Cell<'static>> {
    let stopped = f.reserved_concurrency == Some(0);
    let name = truncate(bare(&f.name), usize::from(fit.name));
    let mut cells = vec![Cell::from(Span::styled(name, if stopped { theme.danger } else { theme.base }))];
    if fit.runtime {
        let runtime = f.runtime.as_deref().unwrap_or("image");
        cells.push(Cell::from(Span::styled(truncate(runtime, usize::from(RUNTIME)), theme.muted)));
    }
    cells.push(Cell::from(memory(f)));
    let (conc_text, at_limit) = concurrency(f, m);
    let conc_style = if stopped || at_limit { theme.danger } else { theme.base };
    cells.push(Cell::from(Span::styled(conc_text, conc_style)));
    let modified =
        || Cell::from(Span::styled(f.last_modified.map_or("-".into(), |t| age(t, state.ctx.now)), theme.muted));
    let Some(m) = m else {
        cells.push(Cell::from(Span::styled("…", theme.muted)));
        if fit.modified {
            cells.extend(std::iter::repeat_n(Cell::from(""), 5));
            cells.push(modified());
        }
        return cells;
    };
    let alarming = |v: Option<f64>| if v.unwrap_or(0.0) > 0.0 { theme.danger } else { theme.base };
    // Errors in the window drawn colour the errors' sparkline: a spike a minute ago still shows.
    let shown = usize::from(fit.spark).min(m.errors.points.len());
    let erred = m.errors.points[m.errors.points.len() - shown..].iter().flatten().any(|&v| v > 0.0);
    let p99 = latest(&m.duration_p99_ms);
    let near_timeout = match (p99, f.timeout_secs) {
        (Some(ms), Some(t)) => ms >= f64::from(t) * 800.0,
        _ => false,
    };
    let depth: Option<f64> = m.queue_depth.values().filter_map(latest).reduce(|a, b| a + b);
    let depth_style = if depth.unwrap_or(0.0) >= 100.0 { theme.health_warn } else { theme.base };
    cells.extend([
        spark_cell(&m.invocations, theme.chart, theme.base, theme.muted, fit.spark),
        spark_cell(
            &m.errors,
            if erred { theme.danger } else { theme.muted },
            alarming(latest(&m.errors)),
            theme.muted,
            fit.spark,
        ),
        spark_cell(&m.throttles, theme.chart_alt, alarming(latest(&m.throttles)), theme.muted, fit.spark),
        num(latest(&m.duration_p50_ms), WIDE_NUM, theme.base, theme.muted),
        num(p99, WIDE_NUM, if near_timeout { theme.danger } else { theme.base }, theme.muted),
        match (f.queues().next(), depth) {
            (None, _) => Cell::from(Span::styled("", theme.muted)),
            (Some(_), d) => num(d, WIDE_NUM, depth_style, theme.muted),
        },
    ]);
    if fit.modified {
        cells.push(modified());
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn numbers_too_long_for_their_cells_are_shortened_never_cut() {
        assert_eq!(short(9999.0, 4), "9999");
        assert_eq!(short(12_345.0, 4), "12k");
        assert_eq!(short(9_999.7, 4), "10k");
        assert_eq!(short(999_700.0, 4), "1.0M");
        assert_eq!(short(1_500_000.0, 4), "1.5M");
        assert_eq!(short(55_280.0, 5), "55280");
        assert_eq!(short(900_000.0, 5), "900k");
        assert_eq!(short(0.0, 3), "0");
    }
}
