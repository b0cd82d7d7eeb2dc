//! Property tests ("fuzzing") of every parser that reads user or AWS input: config, keymap, key
//! chords, themes, addresses, the command grammar (lines, durations, times, counts, revisions,
//! qualifiers), the `:` palette, runbook Markdown, payload files, the Logs Insights subset and
//! the log and row filters, and the cached fleet file.
//!
//! Inputs are real examples (`tests/fuzz/seeds/<parser>/`, taken from docs/, runbooks, themes
//! and the demo config) mutated with control sequences, quotes, brackets and pieces of other
//! seeds, plus plain garbage. Every parser must, for every input: not panic, and either accept it
//! or refuse it with a non-empty message that is inert (`opsdeck::sanitize::inert` leaves it
//! unchanged: no ESC, C0/C1 control or bidi override) and, where the UI shows it on one line,
//! one line. Inputs that once broke a property live in `tests/fuzz/regressions/<parser>/` and
//! are replayed by `regressions_stay_fixed`.
//!
//! Each property prints its case count and time (`cargo test --test suite fuzz_parsers:: -- --nocapture`).
//! `OPSDECK_FUZZ_SCALE=N` multiplies every case count by N for a longer run.

use crate::common;
use opsdeck::app::{palette, parse_log_filter, RowFilter, Settings, State};
use opsdeck::backend::BackendLabel;
use opsdeck::config::Config;
use opsdeck::domain::Address;
use opsdeck::insights::{self, Event};
use opsdeck::keymap::{KeyChord, Keymap};
use opsdeck::ops::env::EnvironmentSpec;
use opsdeck::ops::environment::ResourcePattern;
use opsdeck::ops::grammar::{self, ActionConfig, Verb};
use opsdeck::ops::{invoke, RevisionChoice};
use opsdeck::sanitize::inert;
use opsdeck::theme::Theme;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use std::path::{Path, PathBuf};
use std::time::Instant;

// ---------------------------------------------------------------------------------------------
// Seeds and mutations
// ---------------------------------------------------------------------------------------------

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz")
}

/// Every file of `tests/fuzz/seeds/<parser>/`, whole, sorted by name.
fn file_seeds(parser: &str) -> Vec<String> {
    let dir = fuzz_dir().join("seeds").join(parser);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let seeds: Vec<String> = paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

/// The lines of `tests/fuzz/seeds/<parser>/lines.txt`, one seed each.
fn line_seeds(parser: &str) -> Vec<String> {
    let path = fuzz_dir().join("seeds").join(parser).join("lines.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let seeds: Vec<String> = text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
    assert!(!seeds.is_empty(), "no seeds in {}", path.display());
    seeds
}

/// Text that breaks parsers and terminals: control sequences, bidi overrides, quoting and
/// structure characters of TOML, Markdown, shell words and regexes, odd Unicode.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\x1b[2J".to_string()),
        Just("\x1b]52;c;cHduZWQ=\x07".to_string()),
        Just("\u{9b}31m".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{2066}".to_string()),
        Just("\u{85}".to_string()),
        Just("\x07".to_string()),
        // Escapes TOML and JSON decode to control characters and bidi overrides.
        Just("\\u001b[2J".to_string()),
        Just("\\u202E".to_string()),
        Just("\\u0007".to_string()),
        Just("\x00".to_string()),
        Just("\x7f".to_string()),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("\u{feff}".to_string()),
        Just("\u{2028}".to_string()),
        Just("é".to_string()),
        Just("日本".to_string()),
        Just("🚀".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("`".to_string()),
        Just("```".to_string()),
        Just("```opsdeck\n".to_string()),
        Just("+++\n".to_string()),
        Just("## ".to_string()),
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("[[".to_string()),
        Just("=".to_string()),
        Just(":".to_string()),
        Just("/".to_string()),
        Just("\\".to_string()),
        Just("|".to_string()),
        Just("*".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("-".to_string()),
        Just("--".to_string()),
        Just("#".to_string()),
        Just(" ".to_string()),
        Just("ctrl-".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("99999999999999999999".to_string()),
        Just("1e309".to_string()),
        Just("nan".to_string()),
        any::<char>().prop_map(String::from),
        "[ -~]{0,6}",
    ]
}

/// One edit of a seed. Positions are taken modulo the length and moved back to a char boundary.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, String),
    /// Insert just inside the next quoted string (a TOML key or value, a JSON string), where
    /// the text reaches a name, a message or the screen instead of breaking the syntax.
    InString(usize, String),
    /// Insert a piece of another seed (a word of it).
    Splice(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), nasty()).prop_map(|(at, s)| Mutation::Insert(at, s)),
        2 => (any::<usize>(), nasty()).prop_map(|(at, s)| Mutation::InString(at, s)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(at, word)| Mutation::Splice(at, word)),
        2 => (any::<usize>(), 1usize..12).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (any::<usize>(), 1usize..24).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn boundary(s: &str, at: usize) -> usize {
    let mut i = at % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(seed: &str, mutations: &[Mutation], words: &[String]) -> String {
    let mut s = seed.to_string();
    for m in mutations {
        match m {
            Mutation::Insert(at, text) => {
                let i = boundary(&s, *at);
                s.insert_str(i, text);
            }
            Mutation::InString(at, text) => {
                let i = boundary(&s, *at);
                let quote = s[i..].find('"').map_or(i, |q| i + q + 1);
                s.insert_str(quote, text);
            }
            Mutation::Splice(at, word) => {
                let i = boundary(&s, *at);
                if !words.is_empty() {
                    s.insert_str(i, &words[word % words.len()]);
                }
            }
            Mutation::Delete(at, n) => {
                let i = boundary(&s, *at);
                let j = boundary(&s, i + n).max(i);
                s.replace_range(i..j, "");
            }
            Mutation::Duplicate(at, n) => {
                let i = boundary(&s, *at);
                let j = boundary(&s, i + n).max(i);
                let piece = s[i..j].to_string();
                s.insert_str(j, &piece);
            }
            Mutation::Truncate(at) => {
                let i = boundary(&s, *at);
                s.truncate(i);
            }
        }
    }
    s
}

/// Seeds as they are, seeds mutated (mostly), and garbage.
fn inputs(seeds: Vec<String>, max_mutations: usize) -> BoxedStrategy<String> {
    let mut words: Vec<String> = seeds.iter().flat_map(|s| s.split_whitespace().map(str::to_string)).collect();
    words.sort();
    words.dedup();
    let picked = proptest::sample::select(seeds);
    prop_oneof![
        1 => picked.clone(),
        8 => (picked, proptest::collection::vec(mutation(), 1..=max_mutations))
            .prop_map(move |(seed, ms)| apply(&seed, &ms, &words)),
        1 => any::<String>(),
        1 => proptest::collection::vec(nasty(), 0..12).prop_map(|v| v.concat()),
    ]
    .boxed()
}

/// How many cases a property runs: `base`, times `OPSDECK_FUZZ_SCALE` when set.
fn cases(base: u32) -> u32 {
    let scale = std::env::var("OPSDECK_FUZZ_SCALE").ok().and_then(|v| v.parse::<u32>().ok()).unwrap_or(1);
    base.saturating_mul(scale.max(1))
}

thread_local! {
    /// Set while a property runs on this thread: its panics are findings, reported once at the
    /// end with the shrunk input, not printed for every case tried while shrinking.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set by a check when the parser under test accepted its input (see [`accepted`]).
    static ACCEPTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                default(info);
            }
        }));
    });
}

/// Runs `check` on `cases` inputs; a panic or failed assertion fails the test with the
/// smallest input proptest can shrink it to. Prints the count and the time taken.
fn fuzz(parser: &str, base: u32, strategy: BoxedStrategy<String>, check: fn(&str)) {
    let n = cases(base);
    let mut runner = TestRunner::new(RunnerConfig { cases: n, failure_persistence: None, ..RunnerConfig::default() });
    quiet_panics();
    let start = Instant::now();
    QUIET.with(|q| q.set(true));
    let accepted = std::cell::Cell::new(0u32);
    let result = runner.run(&strategy, |input| {
        ACCEPTED.with(|a| a.set(false));
        check(&input);
        if ACCEPTED.with(|a| a.get()) {
            accepted.set(accepted.get() + 1);
        }
        Ok(())
    });
    QUIET.with(|q| q.set(false));
    let accepted = accepted.get();
    println!("fuzz {parser}: {n} cases in {:.2?} ({accepted} accepted, the rest refused)", start.elapsed());
    if let Err(e) = result {
        panic!("{parser}: {e}\n(keep the input as tests/fuzz/regressions/{parser}/NAME once fixed)");
    }
}

// ---------------------------------------------------------------------------------------------
// What every refusal must be
// ---------------------------------------------------------------------------------------------

/// The parser under test accepted the input: counted, to show the inputs reach past the syntax.
fn accepted() {
    ACCEPTED.with(|a| a.set(true));
}

/// A refusal the UI shows on one line (status bar, flash, prompt): non-empty, one line, inert.
fn one_line_error(input: &str, message: &str) {
    assert!(!message.trim().is_empty(), "empty error for {input:?}");
    assert_eq!(inert(message), message, "error for {input:?} is not inert");
    assert!(!message.contains('\n'), "error for {input:?} is more than one line: {message:?}");
}

/// A refusal of a file shown one problem a line (runbook check, compiler-style): each line inert.
fn lines_error(input: &str, message: &str) {
    assert!(!message.trim().is_empty(), "empty error for {input:?}");
    for line in message.lines() {
        assert!(!line.trim().is_empty(), "empty line in the error for {input:?}: {message:?}");
        assert_eq!(inert(line), line, "error for {input:?} is not inert");
    }
}

/// Text shown as accepted (an address, a chord, a command line): inert.
fn inert_output(input: &str, shown: &str) {
    assert_eq!(inert(shown), shown, "{input:?} is accepted and shown as {shown:?}, which is not inert");
}

// ---------------------------------------------------------------------------------------------
// The parsers
// ---------------------------------------------------------------------------------------------

fn check_config(text: &str) {
    match Config::parse(text, "config.toml") {
        Ok(config) => {
            accepted();
            // `settings` trusts what `parse` checked.
            assert!(config.environment_specs().is_ok(), "{text:?}: accepted, but its environments are not");
            let _ = config.with_demo_defaults().map_err(|e| one_line_error(text, &e.to_string()));
        }
        Err(e) => one_line_error(text, &e.to_string()),
    }
}

fn check_keymap(text: &str) {
    let defaults = Keymap::defaults().unwrap();
    match defaults.layered(text, "keymap.toml") {
        Ok(keymap) => {
            accepted();
            for entry in keymap.help() {
                for key in &entry.keys {
                    inert_output(text, &key.to_string());
                }
            }
        }
        Err(e) => one_line_error(text, &e.to_string()),
    }
}

fn check_chord(text: &str) {
    match text.parse::<KeyChord>() {
        Ok(chord) => {
            accepted();
            let shown = chord.to_string();
            inert_output(text, &shown);
            assert_eq!(shown.parse::<KeyChord>().ok(), Some(chord), "{text:?} shown as {shown:?} does not read back");
        }
        Err(e) => one_line_error(text, &e.to_string()),
    }
}

fn check_theme(text: &str) {
    let dark = Theme::builtin("dark").unwrap();
    match Theme::from_toml_over(&dark, text, "themes/mine.toml") {
        Ok(_) => accepted(),
        Err(e) => one_line_error(text, &e.to_string()),
    }
    // Its first line as a theme name (`theme = "..."`, `--theme`); built-in themes only.
    let name = text.lines().next().unwrap_or("");
    match Theme::load(name, None) {
        Ok(theme) => inert_output(text, &theme.name),
        Err(e) => one_line_error(text, &e.to_string()),
    }
}

fn check_address(text: &str) {
    match text.parse::<Address>() {
        Ok(address) => {
            accepted();
            let shown = address.to_string();
            inert_output(text, &shown);
            assert_eq!(shown.parse::<Address>().as_ref(), Ok(&address), "{text:?} shown as {shown:?}");
        }
        Err(e) => one_line_error(text, &e.to_string()),
    }
    match grammar::parse_address(text) {
        Ok(a) => inert_output(text, &a.to_string()),
        Err(e) => one_line_error(text, &e),
    }
    match text.parse::<ResourcePattern>() {
        Ok(p) => inert_output(text, &p.to_string()),
        Err(e) => one_line_error(text, &e),
    }
    // The same text as an environment name and as its one resource.
    match EnvironmentSpec::parse(text, &[text.to_string()], None, None) {
        Ok(spec) => inert_output(text, &spec.name),
        Err(e) => one_line_error(text, &e),
    }
}

/// Configuration as the grammar's checks see it: one endpoint payload, one test event, one
/// environment.
struct FuzzConfig;

impl ActionConfig for FuzzConfig {
    fn configured(&self, endpoint: &str) -> Option<(String, Option<String>)> {
        (endpoint == "prediction-endpoint").then(|| (r#"{"instances":[[1,2]]}"#.into(), None))
    }
    fn test_event(&self, function: &str) -> Option<String> {
        function.starts_with("GarmaxAi").then(|| "{}".into())
    }
    fn environment(&self, name: &str) -> Option<EnvironmentSpec> {
        (name == "garmax-dev")
            .then(|| EnvironmentSpec::parse(name, &["lambda:GarmaxAi-TryonProcessor-DEV".into()], None, None).ok())
            .flatten()
    }
    fn environment_names(&self) -> Vec<String> {
        vec!["garmax-dev".into()]
    }
    fn env_dir(&self) -> PathBuf {
        std::env::temp_dir().join("opsdeck-fuzz-envs")
    }
}

fn check_grammar(line: &str) {
    let verb = match grammar::parse_line(line) {
        Ok(verb) => {
            accepted();
            verb
        }
        Err(e) => return one_line_error(line, &e),
    };
    // `--payload -` reads stdin: not from a test.
    if let Verb::Invoke(a) = &verb {
        if a.payload.as_deref() == Some("-") {
            return;
        }
    }
    match grammar::intent_of(&verb, &FuzzConfig) {
        Ok(Some(intent)) => {
            inert_output(line, &intent.command_line());
            inert_output(line, &intent.target().to_string());
        }
        Ok(None) => {}
        Err(e) => one_line_error(line, &e),
    }
}

fn check_palette(line: &str) {
    match palette::parse(line) {
        Ok(_) => accepted(),
        Err(e) => one_line_error(line, &e),
    }
}

/// Durations, times, counts, reserved concurrency and revisions: the grammar's values.
fn check_values(text: &str) {
    // Accepted: by any of them.
    match grammar::parse_duration(text) {
        Ok(_) => accepted(),
        Err(e) => one_line_error(text, &e),
    }
    match grammar::parse_time(text) {
        Ok(_) => accepted(),
        Err(e) => one_line_error(text, &e),
    }
    match opsdeck::ops::grammar::parse_reserved(text) {
        Ok(_) => accepted(),
        Err(e) => one_line_error(text, &e),
    }
    match text.parse::<RevisionChoice>() {
        Ok(r) => {
            accepted();
            inert_output(text, &r.to_string());
        }
        Err(e) => one_line_error(text, &e),
    }
}

fn check_runbook(text: &str) {
    match opsdeck::runbook::load_text("runbooks/mine.md", text) {
        Ok(runbook) => {
            accepted();
            let _ = opsdeck::runbook::render::lines(&runbook.intro, 60);
            for step in &runbook.steps {
                let _ = opsdeck::runbook::render::lines(&step.blocks, 60);
            }
        }
        Err(e) => lines_error(text, &e),
    }
}

/// A payload body, written to a file and loaded as `--payload FILE` would, then as a Lambda
/// event; the same text as a configured payload and as a content type.
fn check_payload(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("payload.json");
    std::fs::write(&path, text).unwrap();
    let shown_path = path.to_str().unwrap();
    match invoke::load(shown_path, None) {
        Ok(p) => {
            accepted();
            inert_output(text, &p.describe());
            if let Err(e) = invoke::event(p) {
                one_line_error(text, &e);
            }
        }
        Err(e) => one_line_error(text, &e),
    }
    match invoke::from_config(text, Some(text)) {
        Ok(p) => inert_output(text, &p.as_flags()),
        Err(e) => one_line_error(text, &e),
    }
    // The text as a file name that does not exist.
    let missing = format!("{}/{}", dir.path().display(), text.replace('/', "_"));
    match invoke::load(&missing, None) {
        Ok(_) => {}
        Err(e) => one_line_error(text, &e),
    }
}

fn insights_events() -> Vec<Event<'static>> {
    use chrono::TimeZone;
    let lines = [
        r#"{"level":"error","method":"POST","path":"/api/v1/detect","status":500,"latency_ms":1204,"error":{"type":"KeyError"}}"#,
        r#"{"level":"info","path":"/health","status":200,"latency_ms":3,"tags":["a","b"]}"#,
        "[2026-12-04 15:51:02 +0000] [7] [ERROR] Worker timeout (pid:12)",
        "KeyError: 'MODEL_PATH' \u{1b}[2J",
        "",
    ];
    lines
        .iter()
        .enumerate()
        .map(|(i, message)| Event {
            timestamp: chrono::Utc.timestamp_opt(1_796_399_400 + 37 * i as i64, 0).single().unwrap(),
            message,
            log_stream: "ecs/detector/task1",
            log_group: "/ecs/detector",
            ptr: "p",
        })
        .collect()
}

fn check_insights(text: &str) {
    match insights::parse(text) {
        Ok(query) => {
            accepted();
            let _ = query.columns();
            let _ = query.time_bin();
            if let Err(e) = query.run(insights_events()) {
                one_line_error(text, &e.to_string());
            }
        }
        Err(e) => one_line_error(text, &e.to_string()),
    }
}

fn check_filter(text: &str) {
    match parse_log_filter(text) {
        Ok(f) => {
            accepted();
            let line = "GET /health 200 \u{2400}[2J KeyError 日本";
            let _ = f.is_match(line);
            for r in f.match_ranges(line) {
                assert!(line.is_char_boundary(r.start) && line.is_char_boundary(r.end), "{text:?}: {r:?}");
            }
        }
        Err(e) => one_line_error(text, &e),
    }
    match RowFilter::parse(text) {
        Ok(f) => {
            let _ = f.keeps("ecs:svg-ai-cluster/svg-ai-service");
        }
        Err(e) => one_line_error(text, &e),
    }
}

/// The cached fleet (`opsdeck::fleet_cache::parse`): refused with one inert line, or drawn with
/// every name, status and reason from the file inert, on screen and in the state.
fn check_fleet_cache(text: &str) {
    let fleet = match opsdeck::fleet_cache::parse(text.as_bytes()) {
        Ok(Some(fleet)) => {
            accepted();
            fleet
        }
        Ok(None) => return,
        Err(e) => return one_line_error(text, &e),
    };
    let aws = BackendLabel::Aws { profile: "prod".into(), region: "eu-west-1".into() };
    let mut state = State::new(aws, Settings::default(), common::t0(), (160, 48));
    state.fleet.seed_from_cache(fleet);
    let f = &state.fleet;
    for s in f.services.data.iter().flatten() {
        for shown in [&s.cluster, &s.name, &s.task_definition.family] {
            inert_output(text, shown);
        }
    }
    for e in f.endpoints.data.iter().flatten() {
        inert_output(text, &e.name);
        inert_output(text, &e.status);
    }
    for a in f.alarms.data.iter().flatten() {
        inert_output(text, &a.name);
        inert_output(text, &a.reason);
    }
    let theme = Theme::builtin("dark").unwrap();
    for line in common::text_of(&common::draw(&state, &theme, (160, 48))).lines() {
        inert_output(text, line);
    }
}

/// The fleet-cache seed is what the fixtures' fleet writes today: a changed cache format shows
/// here first. `UPDATE_FUZZ_SEEDS=1` writes it again.
#[test]
fn the_fleet_cache_seed_is_the_current_format() {
    let fleet = opsdeck::fleet_cache::CachedFleet {
        version: opsdeck::fleet_cache::VERSION,
        written_at: common::t0(),
        services: Some(common::services()),
        endpoints: Some(common::endpoints()),
        alarms: Some(common::alarms()),
        cost: Some(common::cost()),
    };
    let path = fuzz_dir().join("seeds/fleet_cache/fleet.json");
    if std::env::var_os("UPDATE_FUZZ_SEEDS").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&fleet).unwrap()).unwrap();
    }
    let seed = std::fs::read(&path).unwrap();
    assert_eq!(opsdeck::fleet_cache::parse(&seed).unwrap(), Some(fleet), "run with UPDATE_FUZZ_SEEDS=1");
}

// ---------------------------------------------------------------------------------------------
// One property per parser
// ---------------------------------------------------------------------------------------------

#[test]
fn fuzz_config() {
    fuzz("config", 300, inputs(file_seeds("config"), 6), check_config);
}

#[test]
fn fuzz_keymap() {
    fuzz("keymap", 300, inputs(file_seeds("keymap"), 6), check_keymap);
}

#[test]
fn fuzz_chord() {
    fuzz("chord", 3000, inputs(line_seeds("chord"), 3), check_chord);
}

#[test]
fn fuzz_theme() {
    fuzz("theme", 300, inputs(file_seeds("theme"), 6), check_theme);
}

#[test]
fn fuzz_address() {
    fuzz("address", 3000, inputs(line_seeds("address"), 3), check_address);
}

#[test]
fn fuzz_grammar() {
    fuzz("grammar", 1000, inputs(line_seeds("grammar"), 4), check_grammar);
}

#[test]
fn fuzz_values() {
    let mut seeds = line_seeds("duration");
    seeds.extend(line_seeds("time"));
    seeds.extend(line_seeds("count"));
    seeds.extend(line_seeds("revision"));
    fuzz("values", 3000, inputs(seeds, 3), check_values);
}

#[test]
fn fuzz_palette() {
    fuzz("palette", 1000, inputs(line_seeds("palette"), 4), check_palette);
}

#[test]
fn fuzz_runbook() {
    fuzz("runbook", 300, inputs(file_seeds("runbook"), 8), check_runbook);
}

#[test]
fn fuzz_payload() {
    fuzz("payload", 300, inputs(file_seeds("payload"), 4), check_payload);
}

#[test]
fn fuzz_insights() {
    fuzz("insights", 1500, inputs(line_seeds("insights"), 4), check_insights);
}

#[test]
fn fuzz_fleet_cache() {
    fuzz("fleet_cache", 300, inputs(file_seeds("fleet_cache"), 6), check_fleet_cache);
}

#[test]
fn fuzz_filter() {
    fuzz("filter", 1000, inputs(line_seeds("filter"), 3), check_filter);
}

// ---------------------------------------------------------------------------------------------
// Inputs that once broke a property, kept and replayed
// ---------------------------------------------------------------------------------------------

fn checker(parser: &str) -> Option<fn(&str)> {
    Some(match parser {
        "config" => check_config,
        "keymap" => check_keymap,
        "chord" => check_chord,
        "theme" => check_theme,
        "address" => check_address,
        "grammar" => check_grammar,
        "values" => check_values,
        "palette" => check_palette,
        "runbook" => check_runbook,
        "payload" => check_payload,
        "insights" => check_insights,
        "filter" => check_filter,
        "fleet_cache" => check_fleet_cache,
        _ => return None,
    })
}

#[test]
fn regressions_stay_fixed() {
    let root = fuzz_dir().join("regressions");
    let mut replayed = 0;
    let mut back = Vec::new();
    let mut parsers: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    parsers.sort();
    for dir in parsers.iter().filter(|p| p.is_dir()) {
        let parser = dir.file_name().unwrap().to_string_lossy().into_owned();
        let check = checker(&parser).unwrap_or_else(|| panic!("{}: no parser named {parser}", dir.display()));
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{}: not UTF-8", file.display()));
            if std::panic::catch_unwind(|| check(&text)).is_err() {
                back.push(file.display().to_string());
            }
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no regression inputs under {}", root.display());
    assert!(back.is_empty(), "regressions are back (each panicked above):\n{}", back.join("\n"));
    println!("replayed {replayed} regression inputs");
}

#[test]
fn the_properties_can_fail() {
    quiet_panics();
    QUIET.with(|q| q.set(true));
    // A refusal that quotes its input raw is caught...
    let raw = std::panic::catch_unwind(|| one_line_error("x", "'\u{1b}[2J' is not a key"));
    assert!(raw.is_err());
    // ... and so is one on two lines, or none at all.
    assert!(std::panic::catch_unwind(|| one_line_error("x", "line one\nline two")).is_err());
    assert!(std::panic::catch_unwind(|| one_line_error("x", "")).is_err());
    assert!(std::panic::catch_unwind(|| lines_error("x", "a.md:1:1: error: \u{202e}")).is_err());
    QUIET.with(|q| q.set(false));
    // Mutations stay on char boundaries, whatever the positions.
    let out = apply("日本🚀", &[Mutation::Insert(1, "\x1b".into()), Mutation::Delete(5, 3)], &[]);
    assert!(out.contains('\x1b'));
}
