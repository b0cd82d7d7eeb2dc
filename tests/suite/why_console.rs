//! The why of an incident in the console, headless over the simulated fleet: `m` charts a firing
//! alarm's metric with its threshold and ALARM period, a service's and an endpoint's metrics page
//! by page; the Logs Insights view runs a query over the fleet's logs, shows its progress, charts
//! a `stats ... by bin()`, opens a row's whole event, stops a running query, waits in a queue at
//! the account's limit, refuses a query it cannot parse, and writes a finished query on the
//! incident timeline.

use crate::console;

use console::Headless;
use opsdeck::app::{rows, ChartRange, ChartSubject, Mode, Pane, QueryRun, QueryView};
use opsdeck::domain::{AlarmState, QueryRequest, QueryStatus};

fn query_view(h: &Headless) -> &QueryView {
    match &h.state.mode {
        Mode::Query(view) => view,
        other => panic!("not the query view: {other:?} ({:?})", h.state.ctx.flash),
    }
}

async fn palette(h: &mut Headless, line: &str) {
    h.key(":").await;
    h.text(line).await;
    h.key("enter").await;
}

/// Seconds until the query view's query has ended (complete, failed or stopped).
async fn until_finished(h: &mut Headless) -> i64 {
    h.advance_until(120, |h| query_view(h).run == QueryRun::Finished).await.expect("the query never finished")
}

#[tokio::test]
async fn m_on_a_firing_alarm_charts_its_metric_against_the_threshold_with_the_alarm_period() {
    let mut h = Headless::new("bad-deploy", 7).await;
    let fired = h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    assert!(fired.is_some(), "the alarm never fired");
    h.advance(120).await;
    h.state.dashboard.focus = Pane::Alarms;
    let alarm = rows::selected_alarm(&h.state.fleet, &h.state.dashboard.alarms_list).unwrap();
    assert_eq!(alarm.name, "CleanisticAI-HighErrorRate");
    h.key("m").await;
    let Mode::Chart(view) = &h.state.mode else { panic!("no chart: {:?}", h.state.ctx.flash) };
    assert!(matches!(&view.subject, ChartSubject::Alarm { name, .. } if name == "CleanisticAI-HighErrorRate"));
    assert_eq!(view.range, ChartRange::ThreeHours);
    assert_eq!(view.window.1 - view.window.0, chrono::Duration::hours(3));
    let series = view.page_series();
    assert_eq!(series.len(), 1, "one metric: {series:?}");
    let points = &series[0].1;
    assert_eq!(points.len(), 180, "a point (or a gap) per 60 s period of the 3 hours");
    let latest = points.iter().rev().find_map(|(_, v)| *v).expect("recent datapoints");
    assert!(latest > 5.0, "the error rate is over the threshold now: {latest}");
    let spans = view.alarm_spans();
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0].1, view.window.1, "still in ALARM at the window's end");
    assert!(spans[0].0 > view.window.0, "it fired inside the window");

    let screen = h.screen();
    assert!(screen.contains("Chart  alarm CleanisticAI-HighErrorRate  last 3h"), "{screen}");
    assert!(screen.contains("CleanisticAI/API ErrorRate"), "the metric is named: {screen}");
    assert!(screen.contains("datapoints > 5"), "the evaluation in words: {screen}");
    assert!(screen.contains("> 5"), "the threshold is labelled: {screen}");
    assert!(screen.contains(opsdeck::ui::chart::ALARM_MARK), "the ALARM period is marked: {screen}");

    // d: the last 24 hours, read again; esc closes.
    h.key("d").await;
    let Mode::Chart(view) = &h.state.mode else { panic!("chart closed") };
    assert_eq!(view.range, ChartRange::Day);
    assert_eq!(view.page_series()[0].1.len(), 1440);
    assert!(h.screen().contains("last 24h"));
    h.key("esc").await;
    assert_eq!(h.state.mode, Mode::Normal);
}

#[tokio::test]
async fn m_on_a_service_and_on_an_endpoint_variant_pages_through_their_metrics() {
    let mut h = Headless::new("latency-spike", 3).await;
    h.advance(240).await;
    h.state.dashboard.focus = Pane::Services;
    h.key("m").await;
    let Mode::Chart(view) = &h.state.mode else { panic!("no chart: {:?}", h.state.ctx.flash) };
    let titles: Vec<String> = view.pages.iter().map(|p| p.title.clone()).collect();
    assert_eq!(&titles[..2], ["CPU", "memory"], "{titles:?}");
    assert!(titles.iter().any(|t| t.starts_with("targets of ")), "target health has a page: {titles:?}");
    let titles = titles.len();
    assert!(!view.page_series()[0].1.is_empty());
    h.key("tab").await;
    let Mode::Chart(view) = &h.state.mode else { panic!("chart closed") };
    assert_eq!(view.page, 1);
    assert!(h.screen().contains(&format!("2/{titles}")), "{}", h.screen());
    h.key("backtab").await;
    h.key("backtab").await;
    let Mode::Chart(view) = &h.state.mode else { panic!("chart closed") };
    assert_eq!(view.page, titles - 1, "backtab wraps");
    h.key("esc").await;

    // The endpoint whose latency climbed: its latency page, in milliseconds, shows it.
    h.state.dashboard.focus = Pane::Endpoints;
    let row = rows::endpoint_rows(&h.state.fleet, &h.state.dashboard.endpoints_list)
        .iter()
        .position(|r| {
            rows::endpoint_row_parts(&h.state.fleet, *r)
                .is_some_and(|(e, v)| e.name == "prediction-endpoint" && v.is_some_and(|v| v.name == "model-v1"))
        })
        .expect("the variant's row");
    h.state.dashboard.endpoints_list.selected = row;
    h.key("m").await;
    let Mode::Chart(view) = &h.state.mode else { panic!("no chart: {:?}", h.state.ctx.flash) };
    assert!(matches!(&view.subject, ChartSubject::Resource(a) if a.to_string() == "sm:prediction-endpoint/model-v1"));
    let latency = view.pages.iter().position(|p| p.title.contains("latency")).expect("a latency page");
    while let Mode::Chart(view) = &h.state.mode {
        if view.page == latency {
            break;
        }
        h.key("tab").await;
    }
    let Mode::Chart(view) = &h.state.mode else { panic!("chart closed") };
    assert_eq!(view.pages[latency].unit.as_deref(), Some("ms"));
    let p99 = view.page_series().into_iter().find(|(label, _)| label.contains("p99")).expect("a p99 line");
    let peak = p99.1.iter().filter_map(|(_, v)| *v).fold(0.0, f64::max);
    assert!(peak > 1000.0, "the spike is seconds, drawn in ms: {peak}");
}

#[tokio::test]
async fn a_query_from_the_palette_runs_over_the_fleet_logs_shows_progress_and_charts_its_bins() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await.unwrap();
    palette(
        &mut h,
        "query --group /ecs/cleanistic-ai --since 1h 'filter @message like /KeyError/ | stats count(*) as errors by bin(1m)'",
    )
    .await;
    let view = query_view(&h);
    assert!(matches!(view.run, QueryRun::Running { .. }), "{:?} {:?}", view.run, view.message);
    assert_eq!(view.groups, ["/ecs/cleanistic-ai"]);
    h.advance(1).await;
    let progress = query_view(&h).message.clone().unwrap().unwrap();
    assert!(progress.starts_with("running:") && progress.contains("scanned"), "progress is shown: {progress}");
    let took = until_finished(&mut h).await;
    assert!(took <= 5, "a small query over the fleet's logs takes seconds: {took}");
    let view = query_view(&h);
    let results = view.results.as_ref().unwrap();
    assert_eq!(results.status, QueryStatus::Complete);
    assert!(!results.rows.is_empty(), "the failing revision's KeyErrors are counted");
    assert_eq!(results.fields(), ["bin(1m)", "errors"]);
    let message = view.message.clone().unwrap().unwrap();
    assert!(message.contains("records matched"), "{message}");
    assert!(message.contains('$'), "what it scanned costs is said: {message}");
    assert!(h.screen().contains("bin(1m)"), "{}", h.screen());

    // c: the bins as a chart over the hour; c again: the table.
    h.key("c").await;
    let chart = query_view(&h).chart().expect("a chart");
    assert_eq!(chart.series.len(), 1);
    assert_eq!(chart.series[0].label, "errors");
    let screen = h.screen();
    assert!(screen.contains("errors"), "{screen}");
    assert!(screen.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)), "braille plot: {screen}");
    h.key("c").await;
    assert!(query_view(&h).chart().is_none());

    // A query without bins cannot be charted, and says so.
    h.key("e").await;
    assert!(query_view(&h).editing());
    h.key("ctrl-u").await;
    h.text("fields @timestamp, @message | filter @message like /KeyError/ | limit 5").await;
    h.key("enter").await;
    until_finished(&mut h).await;
    h.key("c").await;
    let view = query_view(&h);
    assert!(view.chart().is_none());
    assert!(matches!(&view.message, Some(Err(e)) if e.contains("by bin")), "{:?}", view.message);

    // enter: the row's whole event, read by its pointer (GetLogRecord).
    h.key("enter").await;
    let open = query_view(&h).open.as_ref().expect("a row opened");
    let event = open.event.data.as_ref().expect("the event was read");
    let message = event.iter().find(|(f, _)| f == "@message").map(|(_, v)| v.as_str()).unwrap();
    assert!(message.contains("KeyError"), "{message}");
    assert!(event.iter().any(|(f, v)| f == "@log" && v == "/ecs/cleanistic-ai"), "{event:?}");
    assert!(h.screen().contains("THE WHOLE EVENT"), "{}", h.screen());
    h.key("x").await;
    assert!(query_view(&h).open.is_none(), "any other key closes the row");
    h.key("esc").await;
    assert_eq!(h.state.mode, Mode::Normal);
}

#[tokio::test]
async fn q_on_the_log_pane_queries_its_group_and_esc_stops_a_running_query() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.advance(30).await;
    h.state.dashboard.focus = Pane::Services;
    for _ in 0..10 {
        if rows::selected_service(&h.state.fleet, &h.state.dashboard.services_list).unwrap().name == "cleanistic-ai-api"
        {
            break;
        }
        h.key("j").await;
    }
    h.advance(3).await;
    h.state.dashboard.focus = Pane::Logs;
    h.key("Q").await;
    let view = query_view(&h);
    assert_eq!(view.groups, ["/ecs/cleanistic-ai"], "the log pane's group");
    assert!(view.editing());
    assert_eq!(view.picked, Some(0), "the first saved query is offered");
    assert!(!view.input.text.is_empty());
    // Down picks the next saved query into the editor.
    let first = view.input.text.clone();
    h.key("down").await;
    assert_ne!(query_view(&h).input.text, first);

    h.key("enter").await;
    assert!(matches!(query_view(&h).run, QueryRun::Running { .. }), "{:?}", query_view(&h).message);
    let QueryRun::Running { query_id, .. } = query_view(&h).run.clone() else { unreachable!() };
    h.key("esc").await;
    let view = query_view(&h);
    assert_eq!(view.run, QueryRun::Finished, "esc stopped it (StopQuery)");
    assert!(matches!(&view.message, Some(Ok(m)) if m.starts_with("stopped")), "{:?}", view.message);
    let after = h.backend().query_results(&query_id).await.unwrap();
    assert_eq!(after.status, QueryStatus::Cancelled, "the fleet no longer runs it");
    // The view stays open on what was read; esc now closes it.
    h.key("esc").await;
    assert_eq!(h.state.mode, Mode::Normal);
}

#[tokio::test]
async fn a_query_waits_at_the_accounts_limit_and_a_bad_query_is_refused_with_where() {
    let mut h = Headless::new("calm", 1).await;
    h.advance(5).await;
    let now = h.fleet.now();
    let busy = QueryRequest {
        groups: vec!["/ecs/backend-service".into()],
        query: "stats count(*) by bin(1m)".into(),
        start: now - chrono::Duration::hours(1),
        end: now,
    };
    for _ in 0..30 {
        h.backend().start_query(&busy).await.unwrap();
    }
    palette(&mut h, "query --group /ecs/backend-service 'stats count(*) by bin(5m)'").await;
    let view = query_view(&h);
    assert!(matches!(view.run, QueryRun::Queued { .. }), "{:?}", view.run);
    assert!(matches!(&view.message, Some(Ok(m)) if m.starts_with("queued")), "{:?}", view.message);
    // The thirty end within seconds; the queued query then starts by itself and finishes.
    until_finished(&mut h).await;
    let view = query_view(&h);
    assert_eq!(view.results.as_ref().unwrap().status, QueryStatus::Complete, "{:?}", view.message);

    // A typo: refused with where it is, nothing started, the text kept to fix.
    h.key("e").await;
    h.key("ctrl-u").await;
    h.text("stats count(*) by bin(1m) | sortt @timestamp").await;
    h.key("enter").await;
    let view = query_view(&h);
    assert!(view.editing(), "back to the editor");
    let Some(Err(why)) = &view.message else { panic!("{:?}", view.message) };
    assert!(why.starts_with("refused:"), "{why}");
    assert!(why.contains("sortt"), "names what it did not understand: {why}");
    assert!(view.input.text.contains("sortt"), "the text is kept");
    assert!(h.screen().contains("sortt"));
}

#[tokio::test]
async fn a_finished_query_goes_on_the_open_incident_timeline() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.advance(10).await;
    palette(&mut h, "incident start drill-queries").await;
    assert_eq!(h.state.ctx.incident.as_deref(), Some("drill-queries"), "{:?}", h.state.ctx.flash);
    palette(&mut h, "query --group /ecs/cleanistic-ai 'stats count(*) as lines by bin(5m)'").await;
    until_finished(&mut h).await;
    let entries = h.ops.incidents.read().unwrap();
    let entry = entries.iter().find(|e| e.what.starts_with("query over /ecs/cleanistic-ai")).expect("on the timeline");
    assert_eq!(entry.incident, "drill-queries");
    assert_eq!(entry.commands, ["stats count(*) as lines by bin(5m)"]);
    assert!(entry.what.contains("records matched"), "{}", entry.what);
}
