//! The ECS services pane: one row per service, or the tasks and events of one service.

use super::places::{bare, place_cells, place_errors_line, place_widths, with_place_columns};
use super::widgets::{age, pane_block, sparkline, status_line};
use crate::app::{rows, Pane, State};
use crate::domain::{summary, RolloutState, Service, ServiceMetrics};
use crate::theme::Theme;
use crate::width::truncate;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

const SPARK: usize = 8;
/// The fewest cells the CLUSTER column is given beside whole service names.
const CLUSTER_MIN: usize = 8;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let visible = rows::service_rows(&state.fleet, &state.dashboard.services_list);
    let total = state.fleet.services.data.as_ref().map_or(0, Vec::len);
    let mut extra = vec![Span::styled(format!("{}/{} ", visible.len(), total), theme.muted)];
    if let Some(f) = &state.dashboard.services_list.filter {
        extra.push(Span::styled(format!("/{}/ ", f.text), theme.accent));
    }
    let block = pane_block(state, theme, Pane::Services, extra);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let line = status_line(
        theme,
        state.fleet.services.data.is_some(),
        state.fleet.services.error.as_deref(),
        state.fleet.services.in_flight.is_some(),
    );
    // A fleet session: an account that could not be read is said above the rows (its own keep
    // their last values, marked ✗).
    if let Some(line) = line.or_else(|| state.fleet.services.data.as_ref().and(place_errors_line(state, theme))) {
        let [msg, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        frame.render_widget(Paragraph::new(line), msg);
        if state.fleet.services.data.is_none() {
            return;
        }
        return table(state, theme, frame, rest, &visible);
    }
    table(state, theme, frame, inner, &visible);
}

fn table(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, visible: &[usize]) {
    let Some(services) = state.fleet.services.data.as_ref() else { return };
    let places = place_widths(services.iter().map(|s| s.cluster.as_str()));
    let multi_cluster = services.iter().any(|s| bare(&s.cluster) != bare(&services[0].cluster));
    let mut header = vec!["SERVICE", "TASKS", "TARGETS", "ROLLOUT", "REV", "CPU", "MEM", "DEPLOYED"];
    // The sparklines give way to the cluster column until the pane is wide enough for both.
    let wide_for = |with_cluster: bool| area.width >= 88 && (!with_cluster || area.width >= 120);
    let fixed_for = |wide: bool| {
        let metric_cells = if wide { SPARK as u16 + 5 } else { 4 };
        [7, 7, 11, 5, metric_cells, metric_cells, 8]
    };
    let taken_for =
        |fixed: &[u16; 7]| fixed.iter().sum::<u16>() + fixed.len() as u16 + places.map_or(0, |(a, r)| a + r + 2);
    // Services of several clusters get a CLUSTER column when two clusters hold a service of the
    // same name (it is how they are told apart), or when it fits beside whole service names;
    // a narrow pane keeps the names whole instead (the detail names the cluster).
    let longest_name = services.iter().map(|s| s.name.width()).max().unwrap_or(0);
    let names_collide = {
        let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        services.iter().any(|s| *seen.entry(s.name.as_str()).or_insert(bare(&s.cluster)) != bare(&s.cluster))
    };
    let room_for_both =
        usize::from(area.width.saturating_sub(taken_for(&fixed_for(wide_for(true))) + 1)) >= longest_name + CLUSTER_MIN;
    let with_cluster = area.width >= 130 || (multi_cluster && area.width >= 60 && (names_collide || room_for_both));
    let wide = wide_for(with_cluster);
    let fixed = fixed_for(wide);
    let mut widths: Vec<Constraint> =
        std::iter::once(Constraint::Fill(2)).chain(fixed.iter().map(|&w| Constraint::Length(w))).collect();
    // The names share what the fixed columns leave: the cluster a third of it, half when wide.
    let cluster_fill = if area.width >= 130 { 2 } else { 1 };
    let names_cells = usize::from(area.width.saturating_sub(taken_for(&fixed) + u16::from(with_cluster)));
    if with_cluster {
        header.insert(0, "CLUSTER");
        widths.insert(0, Constraint::Fill(cluster_fill));
    }
    if let Some(places) = places {
        with_place_columns(&mut header, &mut widths, places);
    }
    let cluster_cells =
        if with_cluster { names_cells * usize::from(cluster_fill) / usize::from(cluster_fill + 2) } else { 0 };
    let service_cells = names_cells - cluster_cells;
    let clusters = with_cluster.then(|| ClusterLabels::new(services.iter().map(|s| bare(&s.cluster)), cluster_cells));
    let height = usize::from(area.height.saturating_sub(1));
    let list = &state.dashboard.services_list;
    let metrics = state.fleet.service_metrics.data.as_ref();
    let focused = state.dashboard.focus == Pane::Services;
    let rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(list.offset)
        .take(height)
        .map(|(row, &i)| {
            let s = &services[i];
            let m = metrics.and_then(|m| m.get(&s.address()));
            let cluster = clusters.as_ref().map(|c| c.label(bare(&s.cluster)));
            let mut r = service_row(state, theme, s, m, wide, (cluster, service_cells), places.is_some());
            if focused && row == list.selected {
                r = r.style(theme.selection);
            }
            r
        })
        .collect();
    let table = Table::new(rows, widths).header(Row::new(header).style(theme.header)).column_spacing(1);
    frame.render_widget(table, area);
}

/// How the CLUSTER column names each cluster. Whole when it fits its cells; else without the
/// start and the end that every cluster shares (cut at a `-`, `_` or `.`), `…`
/// marking each cut, so `scale-cluster-07` among `scale-cluster-00`..`19` reads `…07`, not a
/// `scale-clus` the same on every row; then cut at the end like any other cell.
struct ClusterLabels {
    /// Characters shared at the start and at the end, left out.
    prefix: usize,
    suffix: usize,
    cells: usize,
}

impl ClusterLabels {
    fn new<'a>(names: impl Iterator<Item = &'a str>, cells: usize) -> ClusterLabels {
        let mut distinct: Vec<&str> = names.collect();
        distinct.sort_unstable();
        distinct.dedup();
        let fits = distinct.iter().all(|n| n.width() <= cells);
        if fits || distinct.len() < 2 {
            return ClusterLabels { prefix: 0, suffix: 0, cells };
        }
        let chars: Vec<Vec<char>> = distinct.iter().map(|n| n.chars().collect()).collect();
        let shortest = chars.iter().map(Vec::len).min().unwrap_or(0);
        let shared = |at: &dyn Fn(&Vec<char>, usize) -> char| {
            (0..shortest).take_while(|&i| chars.iter().all(|c| at(c, i) == at(&chars[0], i))).count()
        };
        let separator = |c: char| matches!(c, '-' | '_' | '.');
        // Cut only just after a separator at the start and just before one at the end.
        let mut prefix = shared(&|c, i| c[i]);
        while prefix > 0 && !separator(chars[0][prefix - 1]) {
            prefix -= 1;
        }
        let mut suffix = shared(&|c, i| c[c.len() - 1 - i]);
        while suffix > 0 && !separator(chars[0][chars[0].len() - suffix]) {
            suffix -= 1;
        }
        // Something must be left of the shortest name.
        if prefix + suffix >= shortest {
            suffix = 0;
        }
        if prefix >= shortest {
            prefix = 0;
        }
        ClusterLabels { prefix, suffix, cells }
    }

    fn label(&self, name: &str) -> String {
        let chars: Vec<char> = name.chars().collect();
        if name.width() <= self.cells || self.prefix + self.suffix >= chars.len() {
            return truncate(name, self.cells);
        }
        let mut out = String::new();
        if self.prefix > 0 {
            out.push('…');
        }
        out.extend(&chars[self.prefix..chars.len() - self.suffix]);
        if self.suffix > 0 {
            out.push('…');
        }
        truncate(&out, self.cells)
    }
}

fn rollout_style(theme: &Theme, s: &Service) -> ratatui::style::Style {
    match s.rollout {
        RolloutState::Failed => theme.danger,
        RolloutState::InProgress => theme.info,
        _ if s.running < s.desired => theme.health_warn,
        _ => theme.health_ok,
    }
}

fn metric_cell<'a>(theme: &Theme, series: Option<&crate::domain::Series>, wide: bool) -> Cell<'a> {
    let latest = series.and_then(|s| s.latest());
    let value = latest.map_or("  - ".to_string(), |v| format!("{v:>3.0}%"));
    let style = match latest {
        Some(v) if v >= 90.0 => theme.danger,
        Some(v) if v >= 75.0 => theme.health_warn,
        Some(_) => theme.base,
        None => theme.muted,
    };
    if !wide {
        return Cell::from(Span::styled(value, style));
    }
    let spark = series.map_or_else(|| " ".repeat(SPARK), |s| sparkline(s, SPARK, 100.0));
    Cell::from(Line::from(vec![Span::styled(spark, theme.chart), Span::raw(" "), Span::styled(value, style)]))
}

fn service_row<'a>(
    state: &State,
    theme: &Theme,
    s: &'a Service,
    m: Option<&ServiceMetrics>,
    wide: bool,
    (cluster, name_cells): (Option<String>, usize),
    placed: bool,
) -> Row<'a> {
    let tasks_style = if s.running < s.desired { theme.health_warn } else { theme.base };
    let mut tasks = format!("{}/{}", s.running, s.desired);
    if s.pending > 0 {
        tasks.push_str(&format!(" +{}", s.pending));
    }
    let mut cells = vec![
        Cell::from(truncate(&s.name, name_cells)),
        Cell::from(Span::styled(tasks, tasks_style)),
        targets_cell(state, theme, s),
        Cell::from(Span::styled(s.rollout.as_str(), rollout_style(theme, s))),
        Cell::from(revision(s)),
        metric_cell(theme, m.map(|m| &m.cpu), wide),
        metric_cell(theme, m.map(|m| &m.memory), wide),
        Cell::from(Span::styled(
            s.last_deployment_at.map_or("-".to_string(), |at| age(at, state.ctx.now)),
            theme.muted,
        )),
    ];
    if let Some(name) = cluster {
        cells.insert(0, Cell::from(Span::styled(name, theme.muted)));
    }
    if placed {
        cells.splice(0..0, place_cells(state, theme, &s.cluster));
    }
    Row::new(cells)
}

/// Healthy targets out of those serving (`3/3`; `1/3 ✗` when a target fails its health checks),
/// blank for a service behind no load balancer, `·` until its target groups are read.
fn targets_cell<'a>(state: &State, theme: &Theme, s: &Service) -> Cell<'a> {
    if s.target_groups.is_empty() {
        return Cell::from("");
    }
    let groups: Vec<_> = state.fleet.target_groups_of(s).collect();
    if groups.is_empty() {
        return Cell::from(Span::styled("·", theme.muted));
    }
    let (healthy, total, failing) = summary(groups);
    let (text, style) = match (failing, healthy < total) {
        (true, _) => (format!("{healthy}/{total} ✗"), theme.danger),
        (false, true) => (format!("{healthy}/{total}"), theme.health_warn),
        (false, false) => (format!("{healthy}/{total}"), theme.health_ok),
    };
    Cell::from(Span::styled(text, style))
}

/// The revision, or "old→new" while a deployment replaces one revision with another.
fn revision(s: &Service) -> String {
    let primary = s.task_definition.revision;
    match s.deployments.iter().find(|d| d.status != "PRIMARY" && d.task_definition.revision != primary) {
        Some(old) => format!("{}→{}", old.task_definition.revision, primary),
        None => primary.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::ClusterLabels;

    fn labels(names: &[&str], cells: usize) -> Vec<String> {
        let l = ClusterLabels::new(names.iter().copied(), cells);
        names.iter().map(|n| l.label(n)).collect()
    }

    #[test]
    fn clusters_sharing_a_start_are_told_apart_by_what_differs() {
        let names = ["scale-cluster-00", "scale-cluster-07", "scale-cluster-19"];
        assert_eq!(labels(&names, 10), ["…00", "…07", "…19"]);
        // Whole names when they fit.
        assert_eq!(labels(&names, 16), names);
    }

    #[test]
    fn a_shared_end_is_left_out_too_and_only_at_a_separator() {
        let names = ["svg-ai-cluster", "cleanistic-ai-cluster", "prediction-app-cluster"];
        assert_eq!(labels(&names, 14), ["svg-ai-cluster", "cleanistic-ai…", "prediction-ap…"]);
        // `garmax` and `gateway` share `ga`, but not up to a separator: nothing is left out.
        assert_eq!(labels(&["garmax", "gateway-prod"], 8), ["garmax", "gateway…"]);
    }

    #[test]
    fn names_that_share_nothing_are_cut_at_the_end() {
        let names = ["garmaxai-cluster-prod", "svg-ai-cluster"];
        assert_eq!(labels(&names, 8), ["garmaxa…", "svg-ai-…"]);
        // One cluster: nothing to tell apart.
        assert_eq!(labels(&["only-one-cluster-name"], 8), ["only-on…"]);
    }
}
