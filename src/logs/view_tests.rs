//! Tests of `LogView` (kept beside view.rs to keep each file short).

use super::*;
use crate::logs::buffer::tests::ev;

/// A view with `n` lines "m0".."m{n-1}"; every third (ids 0, 3, 6, ...) says ERROR.
fn view(capacity: usize, n: u64) -> LogView {
    let mut v = LogView::new(capacity);
    v.set_viewport_height(3);
    v.ingest((0..n).map(line));
    v
}

fn line(i: u64) -> LogEvent {
    if i.is_multiple_of(3) {
        ev(i, &format!("m{i} ERROR"))
    } else {
        ev(i, &format!("m{i} ok"))
    }
}

fn ids<'a>(w: impl Iterator<Item = &'a LogLine>) -> Vec<u64> {
    w.map(|l| l.id).collect()
}

fn filter(s: &str) -> Option<LogFilter> {
    Some(LogFilter::parse(s).unwrap())
}

#[test]
fn defaults() {
    let v = LogView::default();
    assert!(v.follow());
    assert!(!v.wrap());
    assert!(!v.highlight_only());
    assert_eq!(v.timestamps(), TimestampMode::Relative);
    assert_eq!(v.buffer().capacity(), DEFAULT_CAPACITY);
    assert_eq!(v.window(10).count(), 0);
    assert_eq!(v.cursor(), None);
}

#[test]
fn window_follows_the_newest_lines() {
    let mut v = view(100, 10);
    assert_eq!(ids(v.window(3)), [7, 8, 9]);
    assert_eq!(v.window(3).len(), 3);
    assert_eq!(ids(v.window(3).rev()), [9, 8, 7]);
    assert_eq!(ids(v.window(50)), (0..10).collect::<Vec<_>>());
    assert_eq!(v.window(0).count(), 0);
    v.ingest([line(10)]);
    assert_eq!(ids(v.window(3)), [8, 9, 10]);
    assert_eq!(v.cursor(), Some(10));
    assert_eq!(v.unseen(), 0);
}

#[test]
fn paused_view_stays_and_counts_unseen() {
    let mut v = view(100, 10);
    v.toggle_follow();
    assert!(!v.follow());
    assert_eq!(ids(v.window(3)), [7, 8, 9]);
    v.ingest((10..15).map(line));
    assert_eq!(ids(v.window(3)), [7, 8, 9], "paused view does not move");
    assert_eq!(v.unseen(), 5);
    // Duplicates are not new.
    v.ingest((10..15).map(line));
    assert_eq!(v.unseen(), 5);
    // In filter mode only the lines the pane would show count (ids 12 and then 15 say ERROR).
    v.set_filter(filter("ERROR"));
    assert_eq!(v.unseen(), 1);
    v.ingest([line(15)]);
    assert_eq!(v.unseen(), 2);
    v.bottom();
    assert!(v.follow());
    assert_eq!(v.unseen(), 0);
    assert_eq!(ids(v.window(2)), [12, 15]);
}

#[test]
fn scrolling_moves_the_cursor_and_pauses() {
    let mut v = view(100, 10);
    v.scroll_down(1);
    assert!(v.follow(), "scrolling down while following changes nothing");
    v.scroll_up(1);
    assert!(!v.follow());
    assert_eq!(v.cursor(), Some(8));
    assert_eq!(ids(v.window(3)), [7, 8, 9]);
    v.scroll_up(2);
    assert_eq!(v.cursor(), Some(6));
    assert_eq!(ids(v.window(3)), [6, 7, 8]);
    v.scroll_up(100);
    assert_eq!(v.cursor(), Some(0));
    assert_eq!(ids(v.window(3)), [0, 1, 2]);
    v.scroll_down(4);
    assert_eq!(v.cursor(), Some(4));
    assert_eq!(ids(v.window(3)), [2, 3, 4]);
    v.scroll_down(100);
    assert_eq!(v.cursor(), Some(9));
    assert!(!v.follow(), "only bottom() resumes following");
    assert_eq!(ids(v.window(3)), [7, 8, 9]);
    v.top();
    assert_eq!(ids(v.window(3)), [0, 1, 2]);
    v.toggle_follow();
    assert!(v.follow());
}

#[test]
fn paused_window_survives_eviction() {
    let mut v = view(5, 5);
    v.top();
    assert_eq!(ids(v.window(3)), [0, 1, 2]);
    v.ingest((5..7).map(line));
    assert_eq!(v.buffer().dropped(), 2);
    // Lines 0 and 1 are gone: the view shows the oldest lines left.
    assert_eq!(ids(v.window(3)), [2, 3, 4]);
    assert_eq!(v.cursor(), Some(2));
    assert_eq!(v.unseen(), 2);
}

#[test]
fn filter_mode_and_highlight_mode() {
    let mut v = view(100, 10);
    v.set_filter(filter("error"));
    assert_eq!(v.match_count(), 4);
    assert_eq!(v.visible_len(), 4);
    assert_eq!(ids(v.window(10)), [0, 3, 6, 9]);
    let last = v.window(1).next().unwrap();
    assert_eq!(v.highlights(last), vec![3..8]);
    v.toggle_highlight_only();
    assert_eq!(v.visible_len(), 10);
    assert_eq!(ids(v.window(3)), [7, 8, 9]);
    v.toggle_highlight_only();
    v.set_filter(filter("!error"));
    assert_eq!(ids(v.window(10)), [1, 2, 4, 5, 7, 8]);
    assert!(v.highlights(v.window(1).next().unwrap()).is_empty());
    v.set_filter(None);
    assert_eq!(v.visible_len(), 10);
    assert_eq!(v.match_count(), 0);
}

#[test]
fn incremental_matches_equal_recomputed_after_eviction() {
    let mut v = LogView::new(7);
    v.set_filter(filter("ERROR"));
    for chunk in (0..40u64).collect::<Vec<_>>().chunks(3) {
        v.ingest(chunk.iter().map(|&i| line(i)));
        let incremental: Vec<u64> = v.matches.iter().copied().collect();
        let mut fresh = LogView::new(7);
        fresh.ingest(v.buffer().iter().map(|l| ev(l.id, &l.message)));
        fresh.set_filter(filter("ERROR"));
        let recomputed: Vec<u64> = fresh.matches.iter().map(|&s| fresh.buffer().get(s).unwrap().id).collect();
        let incremental_ids: Vec<u64> = incremental.iter().map(|&s| v.buffer().get(s).unwrap().id).collect();
        assert_eq!(incremental_ids, recomputed);
    }
    assert_eq!(ids(v.window(10)), [33, 36, 39]);
    assert_eq!(v.buffer().dropped(), 33);
}

#[test]
fn eviction_within_one_large_ingest_keeps_matches_bounded() {
    let mut v = LogView::new(10);
    v.set_filter(filter("ERROR"));
    v.ingest((0..10_000).map(line));
    assert!(v.matches.len() <= 10);
    assert!(v.matches.capacity() < 1000, "{}", v.matches.capacity());
}

#[test]
fn match_navigation_wraps_both_ways() {
    let mut v = view(100, 10);
    assert!(!v.next_match(), "no filter, no match");
    v.set_filter(filter("ERROR"));
    v.toggle_highlight_only();
    // While following, prev goes to the newest match.
    assert!(v.prev_match());
    assert!(!v.follow());
    assert_eq!(v.current_match(), Some(9));
    assert_eq!(v.match_position(), Some((4, 4)));
    assert!(v.prev_match());
    assert_eq!(v.current_match(), Some(6));
    assert_eq!(v.cursor(), Some(6));
    assert!(v.window(3).any(|l| l.seq == 6), "match scrolled into view");
    assert!(v.next_match());
    assert_eq!(v.current_match(), Some(9));
    assert!(v.next_match(), "wraps to the first");
    assert_eq!(v.current_match(), Some(0));
    assert_eq!(v.match_position(), Some((1, 4)));
    assert_eq!(ids(v.window(3)), [0, 1, 2]);
    assert!(v.prev_match(), "wraps to the last");
    assert_eq!(v.current_match(), Some(9));
    // Same in filter mode.
    v.toggle_highlight_only();
    assert!(v.next_match());
    assert_eq!(v.current_match(), Some(0));
    assert!(v.window(3).any(|l| l.seq == 0));
    // No match at all.
    v.set_filter(filter("nothing-like-this"));
    assert_eq!(v.current_match(), None);
    assert!(!v.next_match());
    assert!(!v.prev_match());
}

#[test]
fn next_match_from_a_paused_cursor() {
    let mut v = view(100, 10);
    v.set_filter(filter("ERROR"));
    v.toggle_highlight_only();
    v.top();
    v.scroll_down(4);
    assert_eq!(v.cursor(), Some(4));
    assert!(v.next_match());
    assert_eq!(v.current_match(), Some(6));
    v.set_filter(filter("ERROR"));
    assert_eq!(v.current_match(), Some(6), "still a match after recompute");
}

#[test]
fn current_match_evicted_is_cleared() {
    let mut v = view(5, 5);
    v.set_filter(filter("ERROR"));
    v.toggle_highlight_only();
    v.top();
    assert!(v.next_match());
    assert_eq!(v.current_match(), Some(0));
    v.ingest([line(5)]);
    assert_eq!(v.current_match(), None);
    assert!(v.next_match());
    assert_eq!(v.current_match(), Some(3));
}

#[test]
fn batch_skipped_is_counted_and_clear_resets() {
    let mut v = LogView::new(10);
    let n = v.ingest_batch(LogBatch { events: vec![line(1), line(1), line(2)], skipped: 40 });
    assert_eq!(n, 2);
    assert_eq!(v.buffer().skipped(), 40);
    v.set_filter(filter("ok"));
    v.clear();
    assert_eq!(v.visible_len(), 0);
    assert_eq!(v.buffer().skipped(), 0);
    v.ingest([line(1)]);
    assert_eq!(v.match_count(), 1, "the filter stays after clear");
}

#[test]
fn toggles() {
    let mut v = LogView::new(10);
    v.toggle_wrap();
    assert!(v.wrap());
    v.cycle_timestamps();
    assert_eq!(v.timestamps(), TimestampMode::Local);
    v.set_timestamps(TimestampMode::Off);
    assert_eq!(v.timestamps(), TimestampMode::Off);
}

#[test]
fn shown_lines_are_every_visible_line() {
    let mut v = view(100, 10);
    v.add_skipped(3);
    assert_eq!(v.buffer().skipped(), 3);
    assert_eq!(v.shown_lines().len(), 10);
    v.set_filter(filter("ERROR"));
    assert_eq!(ids(v.shown_lines()), [0, 3, 6, 9]);
    v.toggle_highlight_only();
    assert_eq!(v.shown_lines().count(), 10);
}
