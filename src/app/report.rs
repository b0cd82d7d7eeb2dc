//! A report: text to read, not act on (an invocation's answer, a revision list or diff, a
//! command's output, a dry run's plan). Movement keys scroll it; any other key closes it.

use crate::keymap::Action;
use crate::sanitize::inert;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
}

impl Report {
    pub fn new(title: impl Into<String>, lines: Vec<String>) -> Report {
        Report { title: title.into(), lines, scroll: 0 }
    }

    /// Lines that came from outside (AWS, a command's output), made inert first.
    pub fn of_outside_text(title: impl Into<String>, lines: &[String]) -> Report {
        Report::new(title, lines.iter().map(|l| inert(l).into_owned()).collect())
    }

    /// Scroll, or close: true when the key closes the report.
    pub fn on_action(&mut self, action: Action) -> bool {
        match action {
            Action::Down => self.scroll += 1,
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll += 10,
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::Top => self.scroll = 0,
            _ => return true,
        }
        false
    }
}
