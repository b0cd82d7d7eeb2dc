use super::*;
use std::path::Path;

#[test]
fn a_full_config_parses() {
    let c = Config::parse(
        "theme = \"light\"\nrefresh_seconds = 10\nlog_buffer_lines = 5000\nctrl_c = \"quit\"\n",
        "c.toml",
    )
    .unwrap();
    assert_eq!(c.theme.as_deref(), Some("light"));
    assert_eq!(c.ctrl_c, Some(CtrlC::Quit));
    let paths = Paths::discover(Some(Path::new("/tmp/x"))).unwrap();
    let s = c.settings(None, &paths);
    assert_eq!(s.refresh, chrono::Duration::seconds(10));
    assert_eq!(s.log_capacity, 5000);
    assert!(s.ctrl_c_quits);
    assert_eq!(c.settings(Some(3), &paths).refresh, chrono::Duration::seconds(3));
}

#[test]
fn bad_configs_name_the_file_and_the_problem() {
    let err = Config::parse("refresh_second = 5\n", "c.toml").unwrap_err().to_string();
    assert!(err.starts_with("c.toml: unknown field `refresh_second`"), "{err}");
    let err = Config::parse("refresh_seconds = 0\n", "c.toml").unwrap_err().to_string();
    assert_eq!(err, "c.toml: refresh_seconds = 0: must be between 1 and 3600");
    let err = Config::parse("log_buffer_lines = 5\n", "c.toml").unwrap_err().to_string();
    assert!(err.contains("between 100 and 1000000"), "{err}");
    let err = Config::parse("ctrl_c = \"maybe\"\n", "c.toml").unwrap_err().to_string();
    assert!(err.contains("maybe"), "{err}");
    let err = Config::parse("monthly_budget = -5.0\n", "c.toml").unwrap_err().to_string();
    assert_eq!(err, "c.toml: budget -5: must be a positive number of dollars");
    let err = Config::parse("[system_budgets]\nsvg-ai = 0.0\n", "c.toml").unwrap_err().to_string();
    assert!(err.contains("budget 0"), "{err}");
    let c =
        Config::parse("cost_tag = \"system\"\nmonthly_budget = 600.0\n[system_budgets]\nsvg-ai = 250.0\n", "c.toml")
            .unwrap();
    assert_eq!(c.system_budgets.get("svg-ai"), Some(&250.0));
    let err = Config::parse("theme = [", "c.toml").unwrap_err().to_string();
    assert!(err.starts_with("c.toml: "), "{err}");
}

#[test]
fn profiles_and_invoke_payloads_are_checked() {
    let c = Config::parse("[profiles.prod]\nread_only = true\n[invoke.\"sm:pred\"]\npayload = '{\"x\":1}'\n", "c.toml")
        .unwrap();
    assert!(c.profile_read_only("prod"));
    assert!(!c.profile_read_only("dev"));
    let payloads = c.invoke_payloads(Path::new("/nonexistent")).unwrap();
    assert_eq!(payloads.get("pred").map(|(b, _)| b.as_str()), Some("{\"x\":1}"));
    let err = Config::parse("[profiles.prod]\nreadonly = true\n", "c.toml").unwrap_err().to_string();
    assert!(err.contains("readonly"), "{err}");
    let err = Config::parse("[invoke.\"ecs:a/b\"]\npayload = 'x'\n", "c.toml").unwrap_err().to_string();
    assert!(err.contains("the key must be an endpoint"), "{err}");
    let err = Config::parse("[invoke.\"sm:e\"]\ncontent_type = 'text/csv'\n", "c.toml").unwrap_err().to_string();
    assert!(err.contains("payload or payload_file is missing"), "{err}");
    let c = Config::parse("[invoke.\"sm:e\"]\npayload_file = 'missing.json'\n", "c.toml").unwrap();
    let err = c.invoke_payloads(Path::new("/nonexistent")).unwrap_err().to_string();
    assert!(err.contains("missing.json"), "{err}");
    let c = Config::parse("[invoke.\"sm:e\"]\npayload = ''\n", "c.toml").unwrap();
    assert!(c.invoke_payloads(Path::new("/x")).unwrap_err().to_string().contains("empty"));
}

#[test]
fn environments_are_checked_when_the_file_is_read() {
    let c = Config::parse(
        "[environments.garmax-dev]\nresources = [\"ecs:garmax-cluster/*\", \"lambda:GarmaxAi-TryonProcessor-DEV\"]\nsystem = \"garmax-ai\"\n",
        "c.toml",
    )
    .unwrap();
    let specs = c.environment_specs().unwrap();
    assert_eq!(specs["garmax-dev"].resources.len(), 2);
    assert_eq!(specs["garmax-dev"].system.as_deref(), Some("garmax-ai"));
    for (text, expected) in [
        ("[environments.x]\nresources = [\"sm:e/v\"]\n", "whole endpoints"),
        ("[environments.x]\nresources = []\n", "resources is empty"),
        ("[environments.x]\nresource = [\"rule:r\"]\n", "unknown field `resource`"),
        ("[environments.\"a b\"]\nresources = [\"rule:r\"]\n", "environment name 'a b'"),
        ("[environments.x]\nresources = [\"rule:r\", \"rule:r\"]\n", "listed twice"),
    ] {
        let err = Config::parse(text, "c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml: ") && err.contains(expected), "{text}: {err}");
    }
}

#[test]
fn an_explicit_config_dir_holds_everything() {
    let paths = Paths::discover(Some(Path::new("/tmp/od"))).unwrap();
    assert_eq!(paths.config_file, Path::new("/tmp/od/config.toml"));
    assert_eq!(paths.keymap_file, Path::new("/tmp/od/keymap.toml"));
    assert_eq!(paths.themes_dir, Path::new("/tmp/od/themes"));
    assert!(paths.log_file.starts_with("/tmp/od"));
    assert!(paths.saved_logs_dir.starts_with("/tmp/od"));
}

#[test]
fn profiles_take_a_badge_and_a_region_and_lambda_events_and_functions_are_checked() {
    let c = Config::parse(
        "[profiles.prod]\nread_only = true\nbadge = \"PROD\"\nregion = \"eu-west-1\"\n[profiles.dev]\nbadge = \"dev\"\nbadge_style = \"info\"\n",
        "c.toml",
    )
    .unwrap();
    assert_eq!(c.profile_region("prod").as_deref(), Some("eu-west-1"));
    assert_eq!(c.profile_region("dev"), None);
    let paths = Paths::discover(Some(Path::new("/tmp/x"))).unwrap();
    let s = c.settings(None, &paths);
    assert_eq!(s.profile_badges["prod"].style, crate::app::BadgeStyle::Danger, "danger unless said");
    assert_eq!(s.profile_badges["dev"].style, crate::app::BadgeStyle::Info);
    for (text, expected) in [
        ("[profiles.p]\nbadge = \"\"\n", "badge: 1-12 printable characters"),
        ("[profiles.p]\nbadge = \"A VERY LONG BADGE\"\n", "badge: 1-12"),
        ("[profiles.p]\nregion = \"EU WEST\"\n", "not a region name"),
        ("[profiles.p]\nbadge_style = \"loud\"\n", "loud"),
        ("[lambda.\"a b\"]\nevent = '{}'\n", "a function name is"),
        ("[lambda.f]\nevent = '{}'\ntest_event = \"e.json\"\n", "not both"),
        ("[lambda.f]\n", "is missing"),
        ("[functions]\nprefixes = [\"\"]\n", "empty prefix"),
        ("[functions]\nshares_place_with = \"header\"\n", "header"),
    ] {
        let err = Config::parse(text, "c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml: ") && err.contains(expected), "{text}: {err}");
    }
    let c = Config::parse("[lambda.f]\nevent = 'not json'\n", "c.toml").unwrap();
    assert!(c.lambda_events(Path::new("/x")).unwrap_err().to_string().contains("not JSON"));
    let c = Config::parse(
        "[functions]\nprefixes = [\"Garmax\"]\ntags = { system = \"garmax-ai\" }\nshares_place_with = \"cost\"\n",
        "c.toml",
    )
    .unwrap();
    let s = c.settings(None, &paths);
    assert_eq!(s.function_filter.prefixes, vec!["Garmax".to_string()]);
    assert_eq!(s.functions_slot, crate::app::Pane::Cost);
}

#[test]
fn the_fleet_cache_key_is_a_boolean() {
    assert_eq!(Config::parse("fleet_cache = false\n", "c.toml").unwrap().fleet_cache, Some(false));
    assert_eq!(Config::parse("", "c.toml").unwrap().fleet_cache, None);
    let err = Config::parse("fleet_cache = \"no\"\n", "c.toml").unwrap_err().to_string();
    assert!(err.starts_with("c.toml: ") && (err.contains("fleet_cache") || err.contains("bool")), "{err}");
}

#[test]
fn a_fleet_accounts_rate_limits_default_and_are_checked() {
    use crate::aws::limit::RateLimit;
    let parse = |text: &str| Config::parse(text, "c.toml");
    let fleet = "[fleet]\nregions = [\"us-east-1\", \"eu-west-1\"]\n[[fleet.accounts]]\nprofile = \"prod\"\n";
    let config = parse(fleet).unwrap();
    let members = config.fleet.unwrap().members().unwrap();
    assert_eq!(members.len(), 2);
    assert!(members.iter().all(|m| m.limit == RateLimit { in_flight: 8, per_second: 20 }), "the defaults");
    let limited = format!("{fleet}max_in_flight = 2\ncalls_per_second = 5\n");
    let members = parse(&limited).unwrap().fleet.unwrap().members().unwrap();
    assert!(members.iter().all(|m| m.limit == RateLimit { in_flight: 2, per_second: 5 }), "{members:?}");
    for (bad, says) in [
        ("max_in_flight = 0", "max_in_flight = 0: give 1 to 100"),
        ("max_in_flight = 101", "max_in_flight = 101: give 1 to 100"),
        ("calls_per_second = 0", "calls_per_second = 0: give 1 to 1000"),
        ("calls_per_second = 5000", "calls_per_second = 5000: give 1 to 1000"),
    ] {
        let err = parse(&format!("{fleet}{bad}\n")).unwrap_err().to_string();
        assert!(err.starts_with("c.toml: ") && err.contains(says), "{bad}: {err}");
    }
    let err = parse("[fleet]\n[[fleet.accounts]]\nprofile = \"p\"\nregions = [\"a-1\"]\nmax_in_flight = -1\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("c.toml: ") && err.contains("expected u32"), "{err}");
    // One account's credentials in two entries: one account, one set of limits.
    let twice = format!("{fleet}regions = [\"us-east-1\"]\nmax_in_flight = 2\n[[fleet.accounts]]\nprofile = \"prod\"\nregions = [\"eu-west-1\"]\nmax_in_flight = 4\n");
    let err = parse(&twice).unwrap_err().to_string();
    assert!(err.contains("the same credentials as prod (one account) with other limits"), "{err}");
}
