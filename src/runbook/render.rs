//! A runbook's prose as lines of styled runs, for the terminal: emphasis, code spans, lists and
//! quotes kept readable, nothing else. The console maps the kinds to theme styles; the CLI
//! prints the text.

use super::model::{Block, Inline};
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plain,
    Emphasis,
    Strong,
    Code,
    Link,
    Heading,
    Quote,
    /// A fenced block that is shown, never run.
    Shown,
    /// A command of the step (the console marks it runnable).
    Command,
}

pub type Run = (Kind, String);
pub type StyledLine = Vec<Run>;

fn runs(inlines: &[Inline]) -> Vec<Run> {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) => (Kind::Plain, t.clone()),
            Inline::Emphasis(t) => (Kind::Emphasis, t.clone()),
            Inline::Strong(t) => (Kind::Strong, t.clone()),
            Inline::Code(t) => (Kind::Code, t.clone()),
            Inline::Link { text, url } if text == url => (Kind::Link, url.clone()),
            Inline::Link { text, url } => (Kind::Link, format!("{text} <{url}>")),
        })
        .collect()
}

/// Wrap runs to `width` cells on spaces, keeping each word's kind; `indent` starts every line
/// after the first.
fn wrap(prefix: Run, runs: Vec<Run>, width: usize, indent: usize) -> Vec<StyledLine> {
    let mut lines: Vec<StyledLine> = Vec::new();
    let mut line: StyledLine = vec![prefix.clone()];
    let mut used = prefix.1.width();
    let width = width.max(indent + 10);
    for (kind, text) in runs {
        // Split into words, keeping the spaces with the word that follows them.
        let mut words: Vec<String> = Vec::new();
        for (i, w) in text.split(' ').enumerate() {
            words.push(if i == 0 { w.to_string() } else { format!(" {w}") });
        }
        for word in words {
            let w = word.width();
            if used + w > width && used > indent {
                if let Some(last) = line.last_mut() {
                    last.1 = last.1.trim_end().to_string();
                }
                lines.push(std::mem::take(&mut line));
                line = vec![(Kind::Plain, " ".repeat(indent))];
                used = indent;
                let trimmed = word.trim_start().to_string();
                used += trimmed.width();
                line.push((kind, trimmed));
            } else {
                used += w;
                line.push((kind, word));
            }
        }
    }
    lines.push(line);
    lines
}

/// Every block as lines no wider than `width` (0: no wrapping).
pub fn lines(blocks: &[Block], width: usize) -> Vec<StyledLine> {
    let width = if width == 0 { usize::MAX / 2 } else { width };
    let mut out: Vec<StyledLine> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 && !matches!(block, Block::Item { .. }) {
            out.push(Vec::new());
        }
        match block {
            Block::Paragraph(inlines) => out.extend(wrap((Kind::Plain, String::new()), runs(inlines), width, 0)),
            Block::Item { depth, marker, inlines } => {
                let prefix = format!("{}{marker} ", "  ".repeat(*depth));
                let indent = prefix.width();
                out.extend(wrap((Kind::Plain, prefix), runs(inlines), width, indent));
            }
            Block::Heading(inlines) => {
                let text: String = inlines.iter().map(Inline::text).collect();
                out.push(vec![(Kind::Heading, text)]);
            }
            Block::Quote(inlines) => out.extend(wrap((Kind::Quote, "│ ".into()), runs(inlines), width, 2)),
            Block::Code { info, text } => {
                if !info.is_empty() {
                    out.push(vec![(Kind::Shown, format!("  ({info}, shown, not run)"))]);
                }
                out.extend(text.lines().map(|l| vec![(Kind::Shown, format!("  {l}"))]));
            }
            Block::Commands(commands) => {
                out.extend(commands.iter().map(|c| vec![(Kind::Command, format!("  $ {}", c.text))]));
            }
            Block::Rule => out.push(vec![(Kind::Shown, "─".repeat(width.min(40)))]),
        }
    }
    out
}

/// The text of a styled line.
pub fn text(line: &StyledLine) -> String {
    line.iter().map(|(_, t)| t.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    #[test]
    fn prose_keeps_its_emphasis_lists_and_commands_and_wraps() {
        let rb = parse(
            "rb.md",
            "## 1. Look\nRead *the* logs of `svc` before **anything** else happens here.\n\n- one\n- two\n\n```opsdeck\nlogs {{service}}\n```\n```sh\naws ecs x\n```\n",
        )
        .unwrap();
        let lines = lines(&rb.steps[0].blocks, 30);
        let texts: Vec<String> = lines.iter().map(text).collect();
        assert!(texts.iter().all(|t| t.width() <= 30), "{texts:#?}");
        assert_eq!(texts[0], "Read the logs of svc before");
        assert!(lines[0].contains(&(Kind::Emphasis, "the".into())), "{:?}", lines[0]);
        assert!(lines[0].contains(&(Kind::Code, "svc".into())), "{:?}", lines[0]);
        assert!(texts.contains(&"• one".to_string()) && texts.contains(&"• two".to_string()));
        assert!(texts.contains(&"  $ logs {{service}}".to_string()));
        assert!(texts.contains(&"  (sh, shown, not run)".to_string()));
    }
}
