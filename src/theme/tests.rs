use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/themes")
}

fn fixture_error(name: &str) -> String {
    let path = fixtures().join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let base = Theme::builtin("dark").expect("dark parses");
    let err = Theme::from_toml_over(&base, &text, &format!("themes/{name}.toml")).expect_err("fixture is invalid");
    err.to_string()
}

fn all_builtins() -> Vec<Theme> {
    BUILTIN_THEMES.iter().map(|name| Theme::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"))).collect()
}

#[test]
fn every_builtin_parses_defines_every_slot_and_is_named() {
    assert_eq!(BUILTIN_THEMES.len(), BUILTIN_SOURCES.len());
    for theme in all_builtins() {
        assert!(BUILTIN_THEMES.contains(&theme.name.as_str()));
        assert_eq!(theme.styles().len(), SLOTS.len());
    }
    assert_eq!(Theme::default(), Theme::builtin("dark").expect("dark"));
}

#[test]
fn meaningful_slots_differ_from_base_and_from_each_other() {
    let must_differ_from_base = [
        "muted",
        "title_focused",
        "border_focused",
        "header",
        "selection",
        "health_warn",
        "health_bad",
        "danger",
        "badge_demo",
        "badge_live",
        "match_highlight",
        "over_budget",
        "status_bar",
        "key_hint",
        "chart_threshold",
        "chart_alarm",
    ];
    let pairs = [
        ("title", "title_focused"),
        ("border", "border_focused"),
        ("health_ok", "health_warn"),
        ("health_warn", "health_bad"),
        ("health_ok", "health_bad"),
        ("selection", "match_highlight"),
        ("badge_demo", "badge_live"),
        ("status_bar", "badge_demo"),
        ("status_bar", "badge_live"),
        ("chart", "chart_alt"),
        // A metric chart's threshold and ALARM marks stand apart from its data line.
        ("chart", "chart_threshold"),
        ("chart", "chart_alarm"),
        ("chart_alt", "chart_threshold"),
    ];
    for theme in all_builtins() {
        let get = |slot: &str| theme.style(slot).expect("known slot");
        for slot in must_differ_from_base {
            // High contrast keeps secondary text at full contrast on purpose.
            if theme.name == "high-contrast" && slot == "muted" {
                continue;
            }
            assert_ne!(get(slot), theme.base, "{}: {slot} looks like base", theme.name);
        }
        for (a, b) in pairs {
            assert_ne!(get(a), get(b), "{}: {a} looks like {b}", theme.name);
        }
    }
}

#[test]
fn monochrome_has_no_colour_and_carries_meaning_with_modifiers() {
    let theme = Theme::builtin("monochrome").expect("monochrome");
    for (slot, style) in theme.styles() {
        for c in [style.fg, style.bg] {
            assert!(matches!(c, None | Some(Color::Reset)), "{slot}: {c:?}");
        }
    }
    assert!(theme.danger.add_modifier.contains(Modifier::BOLD | Modifier::REVERSED));
    assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
    let m = Modifier::UNDERLINED | Modifier::BOLD;
    assert!(theme.match_highlight.add_modifier.contains(m));
    assert!(theme.muted.add_modifier.contains(Modifier::DIM));
    // Without colour a chart's threshold and ALARM marks still stand out from the data line.
    assert!(theme.chart_threshold.add_modifier.contains(Modifier::BOLD));
    assert!(theme.chart_alarm.add_modifier.contains(Modifier::BOLD));
    assert!(!theme.chart_alarm.add_modifier.contains(Modifier::REVERSED), "reversed would hide the █ marks");
}

#[test]
fn dark_and_light_use_only_the_16_ansi_colours() {
    for name in ["dark", "light"] {
        let theme = Theme::builtin(name).expect("builtin");
        for (slot, style) in theme.styles() {
            for c in [style.fg, style.bg].into_iter().flatten() {
                let extended = matches!(c, Color::Rgb(..) | Color::Indexed(_));
                assert!(!extended, "{name}.{slot}: {c:?}");
            }
        }
    }
}

#[test]
fn high_contrast_uses_only_black_white_yellow() {
    let theme = Theme::builtin("high-contrast").expect("high-contrast");
    for (slot, style) in theme.styles() {
        for c in [style.fg, style.bg] {
            let ok = matches!(c, Some(Color::Black | Color::White | Color::Yellow));
            assert!(ok, "high-contrast.{slot}: {c:?}");
        }
    }
}

#[test]
fn colour_syntax_names_hex_index_and_shorthand() {
    let base = Theme::builtin("dark").expect("dark");
    let text = r##"
        [styles]
        danger = "lightred"
        info = { fg = "#ff8800", bg = "236" }
        accent = { fg = 208, bold = false }
        muted = { fg = "Dark Grey", dim = true }
    "##;
    let theme = Theme::from_toml_over(&base, text, "t.toml").expect("valid");
    assert_eq!(theme.danger, Style::default().fg(Color::LightRed));
    assert_eq!(theme.info, Style::default().fg(Color::Rgb(0xff, 0x88, 0)).bg(Color::Indexed(236)));
    let accent = Style::default().fg(Color::Indexed(208));
    assert_eq!(theme.accent, accent.remove_modifier(Modifier::BOLD));
    let muted = Style::default().fg(Color::DarkGray).add_modifier(Modifier::DIM);
    assert_eq!(theme.muted, muted);
}

#[test]
fn partial_user_file_keeps_other_slots() {
    let dark = Theme::builtin("dark").expect("dark");
    let theme = Theme::load("prod", Some(&fixtures())).expect("prod fixture is valid");
    assert_eq!(theme.name, "prod");
    assert_eq!(theme.badge_live, Style::default().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD));
    assert_eq!(theme.border_focused, Style::default().fg(Color::LightRed));
    let changed = ["badge_live", "border_focused", "status_bar"];
    for (slot, style) in theme.styles() {
        if !changed.contains(&slot) {
            assert_eq!(Some(style), dark.style(slot), "{slot} should come from dark");
        }
    }
}

#[test]
fn user_file_with_a_builtin_name_layers_over_that_builtin() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("light.toml"), "[styles]\ndanger = \"magenta\"\n").expect("write");
    let light = Theme::builtin("light").expect("light");
    let theme = Theme::load("light", Some(dir.path())).expect("valid");
    assert_eq!(theme.danger, Style::default().fg(Color::Magenta));
    assert_eq!(theme.selection, light.selection);
    assert_eq!(theme.name, "light");
    // No user file of that name: the builtin; no user dir at all: the builtin.
    assert_eq!(Theme::load("dark", Some(dir.path())).expect("dark").name, "dark");
    assert_eq!(Theme::load("monochrome", None).expect("mono").name, "monochrome");
}

#[test]
fn available_lists_builtins_then_user_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in ["zeta.toml", "alpha.toml", "dark.toml", "notes.txt"] {
        std::fs::write(dir.path().join(file), "").expect("write");
    }
    let mut expected: Vec<String> = BUILTIN_THEMES.iter().map(|s| s.to_string()).collect();
    assert_eq!(Theme::available(None), expected);
    expected.extend(["alpha".to_owned(), "zeta".to_owned()]);
    assert_eq!(Theme::available(Some(dir.path())), expected);
    assert_eq!(Theme::available(Some(&dir.path().join("missing"))).len(), 4);
}

#[test]
fn bad_colour_names_file_slot_and_value() {
    assert_eq!(
        fixture_error("bad-colour"),
        "themes/bad-colour.toml: styles.danger.fg: 'redd' is not a colour \
         (use a name like \"red\", #rrggbb, or 0-255)"
    );
    let base = Theme::default();
    let err = Theme::from_toml_over(&base, "[styles]\nmuted = \"#12345\"", "x.toml");
    let msg = err.expect_err("short hex").to_string();
    assert!(msg.starts_with("x.toml: styles.muted: '#12345' is not a colour"), "{msg}");
    let err = Theme::from_toml_over(&base, "[styles]\nmuted = { bg = 256 }", "x.toml");
    let msg = err.expect_err("index too big").to_string();
    assert!(msg.starts_with("x.toml: styles.muted.bg: '256' is not a colour"), "{msg}");
}

#[test]
fn unknown_slot_lists_known_slots() {
    let msg = fixture_error("unknown-slot");
    assert!(msg.starts_with("themes/unknown-slot.toml: unknown style 'dangr' (known: base, muted, "), "{msg}");
    assert!(msg.ends_with("key_hint, input)"), "{msg}");
}

#[test]
fn unknown_key_bad_flag_and_bad_style_are_specific() {
    assert_eq!(
        fixture_error("unknown-key"),
        "themes/unknown-key.toml: styles.danger: unknown key 'bolt' \
         (known: fg, bg, bold, dim, italic, underline, reversed)"
    );
    assert_eq!(
        fixture_error("bad-flag"),
        "themes/bad-flag.toml: styles.selection.reversed: expected true or false, got \"yes\""
    );
    let err = Theme::from_toml_over(&Theme::default(), "[styles]\nbase = true", "x.toml");
    let msg = err.expect_err("bool style").to_string();
    assert!(msg.starts_with("x.toml: styles.base: expected a colour"), "{msg}");
}

#[test]
fn bad_toml_gives_file_line_and_column() {
    let msg = fixture_error("not-toml");
    assert!(msg.starts_with("themes/not-toml.toml: line 3, column "), "{msg}");
    let msg = fixture_error("unknown-top-level");
    assert!(msg.starts_with("themes/unknown-top-level.toml: line 3, column 1: "), "{msg}");
    assert!(msg.contains("unknown field `danger`"), "{msg}");
}

#[test]
fn errors_from_user_files_name_the_path_and_change_nothing() {
    let err = Theme::load("bad-colour", Some(&fixtures())).expect_err("invalid");
    let path = fixtures().join("bad-colour.toml");
    assert!(matches!(err, ThemeError::BadColour { .. }));
    assert!(err.to_string().starts_with(&format!("{}: styles.danger.fg", path.display())));
    let base = Theme::builtin("light").expect("light");
    let before = base.clone();
    let text = "[styles]\ndanger = \"red\"\nmuted = \"nope\"";
    assert!(Theme::from_toml_over(&base, text, "x").is_err());
    assert_eq!(base, before);
}

#[test]
fn unknown_and_invalid_theme_names() {
    let err = Theme::load("solarized", None).expect_err("unknown");
    assert_eq!(err.to_string(), "unknown theme 'solarized' (available: dark, light, high-contrast, monochrome)");
    let err = Theme::load("solarized", Some(&fixtures())).expect_err("unknown");
    assert!(err.to_string().contains("monochrome, bad-colour, "), "{err}");
    assert!(err.to_string().contains(", prod, "), "{err}");
    let err = Theme::builtin("prod").expect_err("not builtin");
    assert!(err.to_string().starts_with("unknown theme 'prod' (available: dark, "));
    for bad in ["../dark", "a/b", "", "dark.toml"] {
        let err = Theme::load(bad, Some(&fixtures())).expect_err("invalid name");
        assert!(matches!(err, ThemeError::InvalidName { .. }), "{bad}: {err}");
    }
}

#[test]
fn choose_theme_name_precedence() {
    assert_eq!(choose_theme_name(None, None, None), "dark");
    assert_eq!(choose_theme_name(None, Some("light"), None), "light");
    assert_eq!(choose_theme_name(None, Some("light"), Some("1")), "monochrome");
    assert_eq!(choose_theme_name(None, None, Some("1")), "monochrome");
    assert_eq!(choose_theme_name(Some("high-contrast"), Some("light"), Some("1")), "high-contrast");
    // NO_COLOR set but empty is ignored (no-color.org).
    assert_eq!(choose_theme_name(None, Some("light"), Some("")), "light");
    assert_eq!(choose_theme_name(None, None, Some("")), "dark");
    // Empty choices count as not given.
    assert_eq!(choose_theme_name(Some(""), Some(" "), None), "dark");
    assert_eq!(choose_theme_name(Some(""), Some("light"), Some("1")), "monochrome");
}
