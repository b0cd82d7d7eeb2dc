//! What a runbook is once read: a title, an introduction, steps of prose and commands.

use crate::sanitize::inert;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A placeholder the runbook declares in its front matter, beyond the ones filled from an alarm.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub description: Option<String>,
    pub default: Option<String>,
}

/// Inline Markdown, reduced to what a terminal can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Inline {
    Text(String),
    Emphasis(String),
    Strong(String),
    Code(String),
    Link { text: String, url: String },
}

impl Inline {
    pub fn text(&self) -> &str {
        match self {
            Inline::Text(t) | Inline::Emphasis(t) | Inline::Strong(t) | Inline::Code(t) => t,
            Inline::Link { text, .. } => text,
        }
    }
}

/// One line of an ```` ```opsdeck ```` block, where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandLine {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Block {
    Paragraph(Vec<Inline>),
    /// A list item: nesting depth and its marker ("•", "2.").
    Item {
        depth: usize,
        marker: String,
        inlines: Vec<Inline>,
    },
    Heading(Vec<Inline>),
    Quote(Vec<Inline>),
    /// A fenced block that is shown, never run (shell, JSON, ...).
    Code {
        info: String,
        text: String,
    },
    /// The commands a step runs, in order.
    Commands(Vec<CommandLine>),
    Rule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookStep {
    /// The `##` heading, as written ("2. Look at the errors since the deploy").
    pub title: String,
    pub line: usize,
    pub blocks: Vec<Block>,
}

impl RunbookStep {
    pub fn commands(&self) -> impl Iterator<Item = &CommandLine> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Commands(c) => Some(c.iter()),
                _ => None,
            })
            .flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Runbook {
    /// Where it came from (a path, or `builtin:NAME`), as problems name it.
    pub origin: String,
    pub title: String,
    pub intro: Vec<Block>,
    pub params: BTreeMap<String, Param>,
    pub steps: Vec<RunbookStep>,
}

/// Something wrong with a runbook, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Problem {
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Problem {
        Problem { line, column, message: message.into() }
    }

    /// `FILE:LINE:COL: error: MESSAGE`.
    /// Inert, origin and message both: the message may quote the runbook's text.
    pub fn at(&self, origin: &str) -> String {
        let (origin, message) = (inert(origin), inert(&self.message));
        format!("{origin}:{}:{}: error: {message}", self.line, self.column)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, inert(&self.message))
    }
}
