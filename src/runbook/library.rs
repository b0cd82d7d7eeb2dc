//! Where runbooks are found: the configured folder, the ones built into opsdeck (docs/runbooks/),
//! and which runbook an alarm links to.

use super::model::Runbook;
use super::{check, parse};
use crate::domain::Alarm;
use std::path::{Path, PathBuf};

/// The runbooks shipped in docs/runbooks/, for the seed systems' alarms; built in so the
/// simulated fleet's drills work anywhere.
const BUILTIN: [(&str, &str); 3] = [
    ("high-error-rate-after-deploy.md", include_str!("../../docs/runbooks/high-error-rate-after-deploy.md")),
    ("endpoint-latency-spike.md", include_str!("../../docs/runbooks/endpoint-latency-spike.md")),
    ("budget-overrun-idle-teardown.md", include_str!("../../docs/runbooks/budget-overrun-idle-teardown.md")),
];

/// `[[runbooks]] alarm = "GLOB" file = "..."` in config.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmLink {
    pub alarm: String,
    pub file: String,
}

impl AlarmLink {
    /// `*` any run of characters, `?` one; the whole name must match. Asked for every alarm on
    /// every frame, so it compiles nothing (a regex built each time was a fifth of an idle
    /// console's CPU): the classic wildcard walk, going back to the last `*` on a mismatch.
    pub fn matches(&self, name: &str) -> bool {
        let (pattern, name): (Vec<char>, Vec<char>) = (self.alarm.chars().collect(), name.chars().collect());
        wildcard(&pattern, &name)
    }
}

fn wildcard(pattern: &[char], name: &[char]) -> bool {
    let (mut p, mut n) = (0, 0);
    // The last `*` seen and the name position it is currently standing for.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and try again from there.
                Some((sp, sn)) => {
                    star = Some((sp, sn + 1));
                    p = sp + 1;
                    n = sn + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// What an alarm links to: a runbook opsdeck can run, or a page it can only name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A runbook name (in the folder or built in) or a path.
    Runbook { name: String, how: &'static str },
    /// A web page (a wiki): shown, not fetched.
    Url { url: String, how: &'static str },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Library {
    /// The configured runbooks folder.
    pub dir: PathBuf,
    pub links: Vec<AlarmLink>,
    /// The `.md` files the folder held when it was read (at start): which alarms have a runbook
    /// by name is answered from this, without touching the disk while drawing.
    pub files: Vec<String>,
}

/// One runbook in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub origin: String,
    /// Its title, or why it does not parse.
    pub title: Result<String, String>,
    pub steps: usize,
}

impl Library {
    pub fn new(dir: PathBuf, links: Vec<AlarmLink>) -> Library {
        let files = markdown_files(&dir);
        Library { dir, links, files }
    }

    /// Every runbook in the folder, then the built-in ones (a file of the same name wins).
    pub fn list(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        let names = markdown_files(&self.dir);
        for name in &names {
            out.push(self.entry(name));
        }
        for (name, _) in BUILTIN {
            if !names.iter().any(|n| n == name) {
                out.push(self.entry(name));
            }
        }
        out
    }

    fn entry(&self, name: &str) -> Entry {
        let (origin, loaded) = match self.read(name) {
            Ok((origin, text)) => {
                let loaded = load_text(&origin, &text);
                (origin, loaded)
            }
            Err(e) => (name.to_string(), Err(e)),
        };
        Entry {
            name: name.to_string(),
            origin,
            steps: loaded.as_ref().map_or(0, |r| r.steps.len()),
            title: loaded.map(|r| r.title),
        }
    }

    /// A runbook's text: a path as given, else a name in the folder (`.md` optional), else a
    /// built-in one. Returns where it came from and the text.
    pub fn read(&self, name: &str) -> Result<(String, String), String> {
        let with_md = if name.ends_with(".md") { name.to_string() } else { format!("{name}.md") };
        let candidates = [PathBuf::from(name), self.dir.join(name), self.dir.join(&with_md)];
        if let Some(path) = candidates.iter().find(|p| p.is_file()) {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            return Ok((path.display().to_string(), text));
        }
        let base = Path::new(&with_md).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        match BUILTIN.iter().find(|(n, _)| *n == base) {
            Some((n, text)) => Ok((format!("builtin:{n}"), text.to_string())),
            None => Err(format!(
                "no runbook '{name}' (looked for a file, {} and the built-in ones: see `opsdeck runbook list`)",
                self.dir.join(&with_md).display()
            )),
        }
    }

    /// Read, parse and check a runbook: every problem with its file, line and column.
    pub fn load(&self, name: &str) -> Result<Runbook, String> {
        let (origin, text) = self.read(name)?;
        load_text(&origin, &text)
    }

    /// The runbook an alarm links to: a `runbook_url` tag, a path or URL in its description, a
    /// configured glob, then `<runbooks>/<alarm-name>.md`, in that order.
    pub fn for_alarm(&self, alarm: &Alarm) -> Option<Link> {
        if let Some(tag) = alarm.runbook_tag.as_deref().filter(|t| !t.trim().is_empty()) {
            return Some(reference(tag.trim(), "its runbook_url tag"));
        }
        if let Some(found) = alarm.description.as_deref().and_then(in_description) {
            return Some(reference(&found, "its description"));
        }
        if let Some(link) = self.links.iter().find(|l| l.matches(&alarm.name)) {
            return Some(Link::Runbook { name: link.file.clone(), how: "a [[runbooks]] entry in config.toml" });
        }
        let by_name = format!("{}.md", alarm.name);
        self.files.contains(&by_name).then_some(Link::Runbook { name: by_name, how: "its name in the runbooks folder" })
    }
}

/// The `.md` files of a folder, sorted (none when it does not exist).
fn markdown_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".md"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Parse and check: problems as `FILE:LINE:COL: error: ...`, one per line.
pub fn load_text(origin: &str, text: &str) -> Result<Runbook, String> {
    let runbook = parse::parse(origin, text).map_err(|ps| join(origin, &ps))?;
    let problems = check::check(&runbook);
    if problems.is_empty() {
        Ok(runbook)
    } else {
        Err(join(origin, &problems))
    }
}

fn join(origin: &str, problems: &[super::Problem]) -> String {
    problems.iter().map(|p| p.at(origin)).collect::<Vec<_>>().join("\n")
}

fn reference(text: &str, how: &'static str) -> Link {
    if text.starts_with("http://") || text.starts_with("https://") {
        Link::Url { url: text.to_string(), how }
    } else {
        Link::Runbook { name: text.to_string(), how }
    }
}

/// A URL, or a path ending in `.md`, in an alarm's description ("Runbook: high-error-rate.md").
fn in_description(description: &str) -> Option<String> {
    description
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | ',' | ';' | '"' | '\'')))
        .map(|w| w.strip_suffix('.').filter(|s| s.ends_with(".md")).unwrap_or(w))
        .find(|w| w.starts_with("http://") || w.starts_with("https://") || w.ends_with(".md"))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alarm_glob_matches_the_whole_name() {
        let link = |glob: &str| AlarmLink { alarm: glob.into(), file: "x.md".into() };
        assert!(link("*-BudgetMonitor-*").matches("GarmaxAI-BudgetMonitor-PROD"));
        assert!(!link("*-BudgetMonitor-*").matches("GarmaxAI-BudgetMonitor"));
        assert!(link("Api?Errors").matches("Api5Errors"));
        assert!(!link("Api?Errors").matches("ApiErrors"));
        assert!(link("a*b*c").matches("aXbYbZc") && link("*").matches("") && link("**x").matches("yx"));
        assert!(!link("a*b").matches("aXbY"), "the whole name, not a prefix");
        assert!(link("Modèle-?").matches("Modèle-é"), "? is one character, not one byte");
        assert!(link("a.c").matches("a.c") && !link("a.c").matches("abc"), "no regex meaning");
    }
    use crate::domain::AlarmState;

    fn alarm(name: &str, description: Option<&str>, tag: Option<&str>) -> Alarm {
        Alarm {
            name: name.into(),
            state: AlarmState::Alarm,
            reason: String::new(),
            state_since: chrono::Utc::now(),
            condition: String::new(),
            watches: None,
            description: description.map(str::to_string),
            runbook_tag: tag.map(str::to_string),
            rule: None,
        }
    }

    #[test]
    fn alarms_find_their_runbook_in_the_documented_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("svg-ai-high-cpu.md"), "## s\n").unwrap();
        let lib = Library::new(
            dir.path().to_path_buf(),
            vec![AlarmLink { alarm: "*-BudgetMonitor-*".into(), file: "budget-overrun-idle-teardown.md".into() }],
        );
        let tagged = alarm("x", Some("see https://wiki/x"), Some("high-error-rate-after-deploy.md"));
        assert!(matches!(lib.for_alarm(&tagged), Some(Link::Runbook { how: "its runbook_url tag", .. })));
        let described = alarm("x", Some("p99 too high. Runbook: endpoint-latency-spike.md."), None);
        assert_eq!(
            lib.for_alarm(&described),
            Some(Link::Runbook { name: "endpoint-latency-spike.md".into(), how: "its description" })
        );
        let wiki = alarm("x", Some("Runbook <https://wiki.example/rb/42>"), None);
        assert!(matches!(lib.for_alarm(&wiki), Some(Link::Url { ref url, .. }) if url == "https://wiki.example/rb/42"));
        let budget = alarm("GarmaxAI-BudgetMonitor-PROD", None, None);
        assert!(matches!(
            lib.for_alarm(&budget),
            Some(Link::Runbook { how: "a [[runbooks]] entry in config.toml", .. })
        ));
        let by_name = alarm("svg-ai-high-cpu", None, None);
        assert!(matches!(lib.for_alarm(&by_name), Some(Link::Runbook { how: "its name in the runbooks folder", .. })));
        assert_eq!(lib.for_alarm(&alarm("other", None, None)), None);
    }

    #[test]
    fn the_shipped_runbooks_parse_and_check() {
        let lib = Library::new(PathBuf::from("/nonexistent"), Vec::new());
        for (name, _) in BUILTIN {
            let rb = lib.load(name).unwrap_or_else(|e| panic!("{name}:\n{e}"));
            assert!(rb.steps.len() >= 3, "{name}");
        }
        assert!(lib.load("nope").unwrap_err().contains("no runbook 'nope'"));
        assert_eq!(lib.list().len(), BUILTIN.len());
    }
}
