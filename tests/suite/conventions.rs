//! Conventions users bring from k9s, e1s and claws: deep links that open the console on a
//! cluster, service, endpoint, alarm or function; `c` copies the selection and `b` its AWS
//! console address (OSC 52); a badge per profile; the cluster column when services span
//! clusters. Pure update over fixtures and rendered buffers.

use crate::common;

use common::*;
use opsdeck::app::{rows, update, Badge, BadgeStyle, DeepLink, Effect, Msg, Pane, Settings, State};
use opsdeck::backend::BackendLabel;
use opsdeck::theme::Theme;
use ratatui::style::Modifier;

fn loaded_with(settings: Settings, label: BackendLabel) -> State {
    let mut state = State::new(label, settings, t0(), (160, 48));
    let effects = update(&mut state, Msg::Tick(t0()));
    answer(&mut state, effects);
    let effects = update(&mut state, Msg::Tick(t0() + chrono::Duration::milliseconds(250)));
    answer(&mut state, effects);
    state
}

fn demo() -> BackendLabel {
    BackendLabel::Demo { scenario: "calm".into(), seed: 42, speed: 1 }
}

fn linked(link: DeepLink) -> State {
    loaded_with(Settings { deep_link: Some(link), ..Settings::default() }, demo())
}

#[test]
fn deep_links_open_the_console_on_what_they_name() {
    let state = linked(DeepLink::Service("svg-ai-service".into()));
    assert_eq!(state.dashboard.focus, Pane::Services);
    assert_eq!(rows::selected_service(&state.fleet, &state.dashboard.services_list).unwrap().name, "svg-ai-service");
    assert!(state.dashboard.pending_link.is_none(), "applied once");

    let state = linked(DeepLink::Cluster("prediction-app-cluster".into()));
    let shown: Vec<String> = rows::service_rows(&state.fleet, &state.dashboard.services_list)
        .iter()
        .map(|&i| state.fleet.services.data.as_ref().unwrap()[i].cluster.clone())
        .collect();
    assert!(!shown.is_empty() && shown.iter().all(|c| c == "prediction-app-cluster"), "{shown:?}");

    let state = linked(DeepLink::Alarm("svg-ai-high-cpu".into()));
    assert_eq!(state.dashboard.focus, Pane::Alarms);
    assert_eq!(rows::selected_alarm(&state.fleet, &state.dashboard.alarms_list).unwrap().name, "svg-ai-high-cpu");

    let state = linked(DeepLink::Endpoint("prediction-endpoint".into()));
    assert_eq!(state.dashboard.focus, Pane::Endpoints);

    let state = linked(DeepLink::Function(common::functions::TRYON.into()));
    assert_eq!(state.dashboard.focus, Pane::Functions);
    assert!(state.areas().visible(Pane::Functions));

    let state = linked(DeepLink::Service("no-such-service".into()));
    assert_eq!(state.dashboard.focus, Pane::Services, "opens as usual");
    let flash = state.ctx.flash.as_ref().expect("said");
    assert!(flash.text.contains("--service no-such-service: no such service"), "{}", flash.text);
}

#[test]
fn c_copies_the_selection_and_b_its_console_address() {
    let mut state = loaded_state((160, 48));
    let effects = press(&mut state, "c");
    let selected = rows::selected_service(&state.fleet, &state.dashboard.services_list).unwrap().address();
    assert_eq!(effects, vec![Effect::Copy(selected.to_string())]);
    assert!(state.ctx.flash.as_ref().unwrap().text.starts_with("copied: ecs:"));

    let effects = press(&mut state, "b");
    let [Effect::Copy(url)] = effects.as_slice() else { panic!("{effects:?}") };
    assert!(url.starts_with("https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/"), "{url}");

    state.dashboard.focus = Pane::Alarms;
    let effects = press(&mut state, "c");
    let alarm = rows::selected_alarm(&state.fleet, &state.dashboard.alarms_list).unwrap().name.clone();
    assert_eq!(effects, vec![Effect::Copy(alarm)]);
    let effects = press(&mut state, "b");
    let [Effect::Copy(url)] = effects.as_slice() else { panic!("{effects:?}") };
    assert!(url.contains("/cloudwatch/home?region=us-east-1#alarmsV2:alarm/"), "{url}");

    state.dashboard.focus = Pane::Cost;
    let effects = press(&mut state, "c");
    assert!(effects.is_empty(), "nothing to copy in the cost pane");
    let effects = press(&mut state, "b");
    assert_eq!(effects, vec![Effect::Copy(opsdeck::links::cost())]);
}

#[test]
fn a_profile_badge_is_drawn_in_the_colour_of_its_meaning() {
    let mut settings = Settings::default();
    settings.profile_badges.insert("prod".into(), Badge { text: "PROD".into(), style: BadgeStyle::Danger });
    let label = BackendLabel::Aws { profile: "prod".into(), region: "eu-west-1".into() };
    let state = State::new(label, settings.clone(), t0(), (160, 48));
    let theme = Theme::builtin("dark").unwrap();
    let buffer = draw(&state, &theme, (160, 48));
    let (x, y) = find(&buffer, " PROD ").expect("badge in the header");
    assert_eq!(y, 0);
    let style = buffer[(x + 1, y)].style();
    assert_eq!(style.fg, theme.danger.fg);
    assert!(style.add_modifier.contains(Modifier::REVERSED));
    let status = text_of(&buffer);
    assert!(status.lines().last().unwrap().contains("PROD  prod @ eu-west-1"), "{status}");
    // Another profile has no badge.
    let label = BackendLabel::Aws { profile: "dev".into(), region: "eu-west-1".into() };
    let state = State::new(label, settings, t0(), (160, 48));
    assert!(find(&draw(&state, &theme, (160, 48)), "PROD").is_none());
}

#[test]
fn services_of_several_clusters_show_their_cluster() {
    let state = loaded_state((160, 48));
    let buffer = draw(&state, &Theme::builtin("dark").unwrap(), (160, 48));
    let screen = text_of(&buffer);
    let header = screen.lines().find(|l| l.contains("SERVICE")).unwrap();
    assert!(header.contains("CLUSTER"), "{header}");
    assert!(screen.contains("cleanistic-ai-c"), "{screen}");
}
