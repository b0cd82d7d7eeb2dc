//! The iterator over the lines one frame of the log pane draws.

use super::buffer::{LogBuffer, LogLine};
use std::collections::vec_deque;

/// The lines [`LogView::window`] hands the renderer, oldest first.
#[derive(Debug, Clone)]
pub enum Window<'a> {
    All(vec_deque::Iter<'a, LogLine>),
    Filtered { seqs: vec_deque::Iter<'a, u64>, buffer: &'a LogBuffer },
}

impl<'a> Iterator for Window<'a> {
    type Item = &'a LogLine;

    fn next(&mut self) -> Option<&'a LogLine> {
        match self {
            Window::All(it) => it.next(),
            // Every seq in `matches` is buffered: they are pruned together on eviction.
            Window::Filtered { seqs, buffer } => seqs.find_map(|&s| buffer.get(s)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Window::All(it) => it.size_hint(),
            Window::Filtered { seqs, .. } => seqs.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Window<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Window::All(it) => it.next_back(),
            Window::Filtered { seqs, buffer } => seqs.by_ref().rev().find_map(|&s| buffer.get(s)),
        }
    }
}

impl ExactSizeIterator for Window<'_> {}
