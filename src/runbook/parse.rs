//! Markdown to a runbook: each `##` heading is a step, its prose kept as blocks to show, its
//! ```` ```opsdeck ```` fences the commands it runs. Everything else is shown, never run.
//! Structural problems (no steps, unclosed fences, bad front matter) come back with their line
//! and column, the way a compiler reports them.

use super::model::{Block, CommandLine, Inline, Param, Problem, Runbook, RunbookStep};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The fence info string whose lines are commands.
pub const RUNNABLE: &str = "opsdeck";

/// Byte offset -> (line, column), both 1-based, the column in characters.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    fn at(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = text.get(start..offset.min(text.len())).map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    #[serde(default)]
    params: BTreeMap<String, Param>,
}

/// Split off `+++` TOML front matter; returns it, the body, and the body's first line number.
fn front_matter(source: &str) -> Result<(Option<FrontMatter>, &str, usize), Problem> {
    if source.starts_with("---") {
        return Err(Problem::new(1, 1, "front matter is TOML between +++ lines (not YAML between ---)"));
    }
    let Some(rest) = source.strip_prefix("+++\n").or_else(|| source.strip_prefix("+++\r\n")) else {
        return Ok((None, source, 0));
    };
    // The closing line is the first that is exactly +++ (it may be the very next one).
    let end = if rest.starts_with("+++") { Some(0) } else { rest.find("\n+++").map(|i| i + 1) };
    let Some(end) = end else {
        return Err(Problem::new(1, 1, "front matter opened with +++ is never closed"));
    };
    let toml_text = &rest[..end];
    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|span| {
                let l = Lines::new(toml_text);
                let (line, col) = l.at(toml_text, span.start);
                (line + 1, col)
            })
            .unwrap_or((1, 1));
        Problem::new(line, col, format!("front matter: {}", e.message()))
    })?;
    let after = &rest[end..];
    let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
    let skipped_lines = source[..source.len() - after.len() + body_start].matches('\n').count();
    Ok((Some(front), &after[body_start..], skipped_lines))
}

/// Parse a runbook. `origin` names it in problems (a path).
pub fn parse(origin: &str, source: &str) -> Result<Runbook, Vec<Problem>> {
    let (front, body, line_offset) = front_matter(source).map_err(|p| vec![p])?;
    let lines = Lines::new(body);
    let mut problems = Vec::new();
    let mut title: Option<String> = front.as_ref().and_then(|f| f.title.clone());
    let params = front.map(|f| f.params).unwrap_or_default();
    let mut intro: Vec<Block> = Vec::new();
    let mut steps: Vec<RunbookStep> = Vec::new();
    let mut builder = BlockBuilder::default();
    let mut heading: Option<(HeadingLevel, usize, Vec<Inline>)> = None;
    let mut code: Option<(String, usize, String)> = None;
    let at = |offset: usize| {
        let (line, col) = lines.at(body, offset);
        (line + line_offset, col)
    };

    for (event, range) in Parser::new_ext(body, Options::empty()).into_offset_iter() {
        if let Some((_, _, inlines)) = heading.as_mut() {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    let Some((level, start, inlines)) = heading.take() else { continue };
                    let text = plain(&inlines);
                    match level {
                        HeadingLevel::H1 if title.is_none() && steps.is_empty() => title = Some(text),
                        HeadingLevel::H2 => {
                            let (line, _) = at(start);
                            steps.push(RunbookStep { title: text, line, blocks: Vec::new() });
                        }
                        _ => builder.push(current(&mut intro, &mut steps), Block::Heading(inlines)),
                    }
                }
                other => inline_event(inlines, other),
            }
            continue;
        }
        if let Some((_, _, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let Some((info, start, text)) = code.take() else { continue };
                    let closed = fence_closed(&body[range.clone()]);
                    if !closed {
                        let (line, col) = at(start);
                        problems.push(Problem::new(line, col, "this ``` fence is never closed"));
                    }
                    let block = if info.split_whitespace().next() == Some(RUNNABLE) {
                        let (first, _) = at(start);
                        let commands = commands(&text, first + 1, body, start);
                        if commands.is_empty() {
                            let (line, col) = at(start);
                            problems.push(Problem::new(line, col, "an ```opsdeck block with no command"));
                        }
                        Block::Commands(commands)
                    } else {
                        Block::Code { info, text }
                    };
                    builder.push(current(&mut intro, &mut steps), block);
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                builder.flush(current(&mut intro, &mut steps));
                heading = Some((level, range.start, Vec::new()));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                builder.flush(current(&mut intro, &mut steps));
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info.trim().to_string(), range.start, String::new()));
            }
            other => builder.event(current(&mut intro, &mut steps), other),
        }
    }
    builder.flush(current(&mut intro, &mut steps));
    if steps.is_empty() {
        problems.push(Problem::new(1 + line_offset, 1, "no steps: each step is a `## heading`"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Runbook {
        origin: origin.to_string(),
        title: title.unwrap_or_else(|| origin.rsplit('/').next().unwrap_or(origin).to_string()),
        intro,
        params,
        steps,
    })
}

/// Where blocks go now: the last step, or the introduction before the first.
fn current<'a>(intro: &'a mut Vec<Block>, steps: &'a mut [RunbookStep]) -> &'a mut Vec<Block> {
    match steps.last_mut() {
        Some(step) => &mut step.blocks,
        None => intro,
    }
}

/// A fenced block's source ends with a closing fence line (pulldown-cmark runs an unclosed one
/// to the end of the document without saying so).
fn fence_closed(source: &str) -> bool {
    let first = source.lines().next().unwrap_or_default().trim_start();
    let fence_char = first.chars().next().unwrap_or('`');
    let fence_len = first.chars().take_while(|c| *c == fence_char).count();
    let Some(last) = source.trim_end_matches(['\n', '\r']).lines().last() else { return false };
    source.lines().count() > 1 && {
        let last = last.trim();
        last.chars().all(|c| c == fence_char) && last.chars().count() >= fence_len
    }
}

/// The command lines of an `opsdeck` block: one per non-empty line; `#` starts a comment line.
fn commands(text: &str, first_line: usize, body: &str, block_start: usize) -> Vec<CommandLine> {
    // Indentation of the fence itself is stripped from its lines by CommonMark; columns count
    // from the line's start in the file.
    let fence_indent = body[..block_start].rsplit('\n').next().map_or(0, |s| s.chars().count());
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            let leading = l.chars().take_while(|c| c.is_whitespace()).count();
            CommandLine { text: l.trim().to_string(), line: first_line + i, column: fence_indent + leading + 1 }
        })
        .collect()
}

fn plain(inlines: &[Inline]) -> String {
    inlines.iter().map(Inline::text).collect::<Vec<_>>().concat().trim().to_string()
}

fn inline_event(inlines: &mut Vec<Inline>, event: Event<'_>) {
    match event {
        Event::Text(t) => inlines.push(Inline::Text(t.to_string())),
        Event::Code(t) => inlines.push(Inline::Code(t.to_string())),
        Event::SoftBreak | Event::HardBreak => inlines.push(Inline::Text(" ".into())),
        _ => {}
    }
}

/// Paragraphs, list items and quotes as they stream past.
#[derive(Default)]
struct BlockBuilder {
    inlines: Vec<Inline>,
    /// Nesting of lists: each entry the next ordinal (None: bullets).
    lists: Vec<Option<u64>>,
    item_marker: Option<(usize, String)>,
    quote: usize,
    emphasis: usize,
    strong: usize,
    link: Option<String>,
}

impl BlockBuilder {
    fn push(&mut self, out: &mut Vec<Block>, block: Block) {
        self.flush(out);
        out.push(block);
    }

    fn flush(&mut self, out: &mut Vec<Block>) {
        if self.inlines.iter().all(|i| i.text().trim().is_empty()) {
            self.inlines.clear();
            return;
        }
        let inlines = std::mem::take(&mut self.inlines);
        let block = match (&self.item_marker, self.quote) {
            (Some((depth, marker)), _) => Block::Item { depth: *depth, marker: marker.clone(), inlines },
            (None, q) if q > 0 => Block::Quote(inlines),
            _ => Block::Paragraph(inlines),
        };
        out.push(block);
    }

    fn text(&mut self, t: String) {
        let inline = if let Some(url) = &self.link {
            Inline::Link { text: t, url: url.clone() }
        } else if self.strong > 0 {
            Inline::Strong(t)
        } else if self.emphasis > 0 {
            Inline::Emphasis(t)
        } else {
            Inline::Text(t)
        };
        self.inlines.push(inline);
    }

    fn event(&mut self, out: &mut Vec<Block>, event: Event<'_>) {
        match event {
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => {
                self.flush(out);
                if matches!(event, Event::End(TagEnd::Item)) {
                    self.item_marker = None;
                }
            }
            Event::Start(Tag::List(start)) => {
                self.flush(out);
                self.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                self.flush(out);
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                self.flush(out);
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}.");
                        *n += 1;
                        m
                    }
                    _ => "•".to_string(),
                };
                self.item_marker = Some((depth, marker));
            }
            Event::Start(Tag::BlockQuote(_)) => {
                self.flush(out);
                self.quote += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush(out);
                self.quote = self.quote.saturating_sub(1);
            }
            Event::Start(Tag::Emphasis) => self.emphasis += 1,
            Event::End(TagEnd::Emphasis) => self.emphasis = self.emphasis.saturating_sub(1),
            Event::Start(Tag::Strong) => self.strong += 1,
            Event::End(TagEnd::Strong) => self.strong = self.strong.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => self.link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => self.link = None,
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => self.text(t.to_string()),
            Event::Code(t) => self.inlines.push(Inline::Code(t.to_string())),
            Event::SoftBreak | Event::HardBreak => self.inlines.push(Inline::Text(" ".into())),
            Event::Rule => {
                self.flush(out);
                out.push(Block::Rule);
            }
            _ => {}
        }
    }
}
