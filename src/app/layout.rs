//! Where each pane goes for a terminal size. Pure, and shared with update so the rows it
//! pages by and polls for are exactly the rows on screen.

use super::pane::Pane;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// Below this the dashboard would squeeze every pane unreadable; show one pane with tabs instead.
pub const DASHBOARD_MIN: (u16, u16) = (120, 30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub status: Rect,
    pub panes: Vec<(Pane, Rect)>,
    /// True when one pane fills the body and the header lists the others as tabs.
    pub tabbed: bool,
    /// The operations strip above the status bar, while actions are being watched.
    pub strip: Option<Rect>,
}

impl Areas {
    pub fn of(&self, pane: Pane) -> Option<Rect> {
        self.panes.iter().find(|(p, _)| *p == pane).map(|(_, r)| *r)
    }

    /// Data rows a bordered table with one header row shows in this pane.
    pub fn table_rows(&self, pane: Pane) -> usize {
        self.of(pane).map_or(0, |r| usize::from(r.height.saturating_sub(3)))
    }

    pub fn visible(&self, pane: Pane) -> bool {
        self.of(pane).is_some_and(|r| r.height > 2 && r.width > 2)
    }
}

/// `strip_rows` is the height the operations strip wants (0: none); it never takes more than a
/// third of the body. `swap` puts a pane in another's place (the functions pane in the place it
/// shares).
pub fn compute(size: (u16, u16), focus: Pane, zoomed: bool, strip_rows: u16, swap: Option<(Pane, Pane)>) -> Areas {
    let area = Rect::new(0, 0, size.0, size.1);
    let header = Rect { height: area.height.min(1), ..area };
    let status = Rect { y: area.height.saturating_sub(1), height: area.height.min(1), ..area };
    let full_body = Rect { y: 1, height: area.height.saturating_sub(2), ..area };
    let strip_rows = strip_rows.min(full_body.height / 3);
    let body = Rect { height: full_body.height - strip_rows, ..full_body };
    let strip = (strip_rows > 0).then(|| Rect { y: body.y + body.height, height: strip_rows, ..full_body });
    let dashboard = !zoomed && size.0 >= DASHBOARD_MIN.0 && size.1 >= DASHBOARD_MIN.1;
    if !dashboard {
        return Areas { header, status, panes: vec![(focus, body)], tabbed: true, strip };
    }
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Percentage(42), Constraint::Percentage(26), Constraint::Min(6)])
        .split(body);
    let split = |r: Rect| {
        Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(62), Constraint::Percentage(38)])
            .split(r)
    };
    let top = split(rows[0]);
    let middle = split(rows[1]);
    let placed = |pane: Pane| match swap {
        Some((place, instead)) if place == pane => instead,
        _ => pane,
    };
    Areas {
        header,
        status,
        panes: vec![
            (placed(Pane::Services), top[0]),
            (placed(Pane::Alarms), top[1]),
            (placed(Pane::Endpoints), middle[0]),
            (placed(Pane::Cost), middle[1]),
            (placed(Pane::Logs), rows[2]),
        ],
        tabbed: false,
        strip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_terminals_show_every_pane() {
        let areas = compute((160, 48), Pane::Services, false, 0, None);
        assert!(!areas.tabbed);
        for pane in Pane::ALL.into_iter().filter(|p| *p != Pane::Functions) {
            assert!(areas.visible(pane), "{pane:?} hidden at 160x48");
        }
        assert!(!areas.visible(Pane::Functions), "functions share a place, shown when chosen");
    }

    #[test]
    fn the_functions_pane_takes_the_place_it_shares() {
        let plain = compute((160, 48), Pane::Functions, false, 0, None);
        let swapped = compute((160, 48), Pane::Functions, false, 0, Some((Pane::Endpoints, Pane::Functions)));
        assert_eq!(swapped.of(Pane::Functions), plain.of(Pane::Endpoints));
        assert!(!swapped.visible(Pane::Endpoints));
        assert_eq!(swapped.of(Pane::Services), plain.of(Pane::Services));
        let in_cost = compute((160, 48), Pane::Functions, false, 0, Some((Pane::Cost, Pane::Functions)));
        assert_eq!(in_cost.of(Pane::Functions), plain.of(Pane::Cost));
        assert!(in_cost.visible(Pane::Endpoints));
    }

    #[test]
    fn small_terminals_and_zoom_show_the_focused_pane_only() {
        let areas = compute((80, 24), Pane::Alarms, false, 0, None);
        assert!(areas.tabbed);
        assert_eq!(areas.panes.len(), 1);
        assert_eq!(areas.of(Pane::Alarms), Some(Rect::new(0, 1, 80, 22)));
        assert!(compute((200, 50), Pane::Logs, true, 0, None).tabbed);
    }

    #[test]
    fn the_operations_strip_takes_rows_from_the_body_not_the_status_bar() {
        let areas = compute((160, 48), Pane::Services, false, 5, None);
        assert_eq!(areas.strip, Some(Rect::new(0, 42, 160, 5)));
        assert_eq!(areas.status, Rect::new(0, 47, 160, 1));
        assert!(areas.panes.iter().all(|(_, r)| r.y + r.height <= 42));
        // A small terminal keeps two thirds of its body for the pane.
        let areas = compute((80, 12), Pane::Services, false, 7, None);
        assert_eq!(areas.strip.map(|r| r.height), Some(3));
    }

    #[test]
    fn degenerate_sizes_do_not_underflow() {
        for size in [(0, 0), (1, 1), (2, 1), (1, 3), (119, 29)] {
            let areas = compute(size, Pane::Cost, false, 7, None);
            assert!(areas.table_rows(Pane::Cost) <= usize::from(size.1));
        }
    }
}
