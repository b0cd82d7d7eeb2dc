//! Layers without loops: no file of `src/` imports, directly or around a circle, a file that
//! imports it back, and no module of a folder imports a sibling that imports it back. The
//! check reads the code with `syn` (tests/support/layers.rs) and names every file of a loop.

use crate::import_graph as layers;

use layers::Crate;
use std::path::Path;

#[test]
fn src_has_no_import_loops() {
    let report = Crate::read(Path::new("src")).expect("src parses").report();
    assert!(report.files > 100, "read {} files: is this the crate's src?", report.files);
    assert!(report.is_clean(), "{}", report.describe());
}

/// The action path's guarantee: a backend mutates only with a `Permit`, and only `ops::execute`
/// (execute and proceed, after confirmation, conflict check and audit record) grants one.
#[test]
fn only_the_action_path_grants_a_permit() {
    let code = Crate::read(Path::new("src")).expect("src parses");
    assert_eq!(code.callers("Permit", "grant"), vec!["src/ops/execute.rs".to_string()]);
}

#[test]
fn a_permit_granted_elsewhere_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            ("lib.rs", "pub mod backend;\npub mod ops;\npub mod app;\n"),
            ("backend.rs", "pub struct Permit;\nimpl Permit { pub(crate) fn grant() -> Permit { Permit } }\n"),
            ("ops.rs", "pub fn execute() { crate::backend::Permit::grant(); }\n"),
            ("app.rs", "use crate::backend::Permit;\npub fn sneak() { let _ = Permit::grant(); }\n"),
        ],
    );
    let code = Crate::read(dir.path()).expect("parses");
    let files: Vec<String> =
        code.callers("Permit", "grant").iter().map(|f| f.rsplit('/').next().unwrap_or("").to_string()).collect();
    assert_eq!(files, vec!["app.rs".to_string(), "ops.rs".to_string()]);
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

#[test]
fn a_loop_through_a_facade_is_found_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            ("lib.rs", "pub mod app;\npub mod layout;\n"),
            // app/mod.rs only re-exports: the loop runs through it to the file that defines Pane.
            ("app/mod.rs", "mod state;\nmod keys;\npub use state::*;\n"),
            ("app/state.rs", "pub enum Pane { A }\npub fn areas() { crate::layout::compute(); }\n"),
            ("app/keys.rs", "use super::state::Pane;\npub fn k(_: Pane) {}\n"),
            ("layout.rs", "use crate::app::Pane;\npub fn compute() {}\npub fn f(_: Pane) {}\n"),
        ],
    );
    let report = Crate::read(dir.path()).expect("parses").report();
    let text = report.describe();
    assert_eq!(report.file_loops.len(), 1, "{text}");
    let state = dir.path().join("app/state.rs").to_string_lossy().into_owned();
    let layout = dir.path().join("layout.rs").to_string_lossy().into_owned();
    assert!(text.contains(&format!("{layout} -> {state} (Pane)")), "{text}");
    assert!(text.contains(&format!("{state} -> {layout} (compute)")), "{text}");
    assert!(!text.contains("keys.rs ->"), "keys.rs is not in the loop: {text}");
    // The same two files also make a loop between the crate's modules app and layout.
    assert_eq!(report.module_loops.len(), 1, "{text}");
    assert_eq!(report.module_loops[0].0, "crate");
}

#[test]
fn a_loop_between_folders_is_found_even_when_no_two_files_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            ("lib.rs", "pub mod ops;\npub mod runbook;\n"),
            ("ops/mod.rs", "pub mod plan;\npub mod grammar;\n"),
            ("ops/plan.rs", "pub fn plan() { crate::runbook::check::check(); }\n"),
            ("ops/grammar.rs", "pub fn parse() {}\n"),
            ("runbook/mod.rs", "pub mod check;\n"),
            ("runbook/check.rs", "use crate::ops::grammar::parse;\npub fn check() { parse(); }\n"),
        ],
    );
    let report = Crate::read(dir.path()).expect("parses").report();
    assert!(report.file_loops.is_empty(), "{}", report.describe());
    assert_eq!(report.module_loops.len(), 1, "{}", report.describe());
    let text = report.describe();
    assert!(text.contains("crate:\n  ops -> runbook") && text.contains("runbook -> ops"), "{text}");
}

#[test]
fn test_code_and_a_facade_re_exporting_its_children_are_not_imports() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a/mod.rs", "mod inner;\npub use inner::Thing;\npub fn uses_b() { crate::b::f(); }\n"),
            ("a/inner.rs", "pub struct Thing;\n"),
            ("b.rs", "pub fn f() {}\n#[cfg(test)]\nmod tests { use crate::a::Thing; }\n"),
        ],
    );
    let report = Crate::read(dir.path()).expect("parses").report();
    assert!(report.is_clean(), "{}", report.describe());
}
