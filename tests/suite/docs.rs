//! The docs that are generated from code stay equal to it. Run with UPDATE_DOCS=1 to rewrite.

use opsdeck::keymap::Keymap;

const BEGIN: &str = "<!-- keys:begin (generated from the keymap; UPDATE_DOCS=1 cargo test --test suite docs::) -->";
const END: &str = "<!-- keys:end -->";

#[test]
fn docs_keys_md_matches_the_default_keymap() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md");
    let doc = std::fs::read_to_string(path).expect("docs/keys.md exists");
    let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = doc.find(END).expect("end marker");
    let generated = Keymap::defaults().expect("defaults").help_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{}\n{}", &doc[..start], generated, &doc[end..]);
        std::fs::write(path, updated).expect("write docs/keys.md");
        return;
    }
    assert_eq!(
        doc[start..end].trim(),
        generated.trim(),
        "docs/keys.md is out of date: run UPDATE_DOCS=1 cargo test --test suite docs::"
    );
}
