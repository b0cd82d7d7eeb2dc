//! An idle console does nothing that is not due: it wakes for the reads on screen and for
//! labels that change, not on a fixed tick (it ticked 4 times a second: 240 wake-ups a minute
//! before any read). The counts are printed for the issue notes; the bounds keep them.

use crate::common;
use crate::console;

use console::Headless;
use opsdeck::keymap::Action;

#[tokio::test]
async fn an_idle_minute_on_the_demo_wakes_for_reads_and_changing_labels_only() {
    let mut h = Headless::new("calm", 42).await;
    h.advance(10).await;
    let (wakes, frames) = h.idle(60).await;
    println!("calm demo, log tail on screen: {wakes} wake-ups and {frames} frames in an idle minute");
    // The newest log lines say "10s ago": a frame when their tens of seconds change (it was a
    // frame every second while any said "12s ago"). A quiet tail is read every 5 s, not every
    // second, and its reads share the labels' wakes; plus the 5 s refreshes' replies (a fixed
    // 250 ms tick alone was 240 a minute before any reply; reading the tail every second, 172).
    assert!(wakes <= 130, "{wakes} wake-ups");
    assert!(frames <= 62, "{frames} frames");
    assert!(frames >= 10, "the screen still follows the fleet: {frames} frames");
}

#[tokio::test]
async fn with_only_minute_old_ages_on_screen_the_console_mostly_sleeps() {
    let mut h = Headless::new("calm", 42).await;
    h.advance(10).await;
    // The alarms pane alone (zoomed): ages in minutes, no log tail.
    h.state.dashboard.focus = opsdeck::app::Pane::Alarms;
    let effects = opsdeck::app::update(&mut h.state, opsdeck::app::Msg::Action(Action::Zoom));
    h.run(effects).await;
    let (wakes, frames) = h.idle(60).await;
    println!("alarms zoomed: {wakes} wake-ups and {frames} frames in an idle minute");
    // Alarms and services every 5 s (the status bar counts alarms), nothing else.
    assert!(wakes <= 40, "{wakes} wake-ups");
    assert!(frames <= 14, "{frames} frames");
}

/// A read that fails is retried on its schedule, not on every update: the rows it would fill
/// stay "missing", and that alone once sent ListMonitoringSchedules twice a second.
#[test]
fn a_failing_read_for_rows_on_screen_is_not_repeated_on_every_update() {
    use common::*;
    use opsdeck::app::{update, Effect, Fetch, Msg, Reply};
    let mut state = new_state((160, 48));
    let mut requests = 0;
    for second in 0..30 {
        let mut queue = update(&mut state, Msg::Tick(t0() + chrono::Duration::seconds(second)));
        // Services and endpoints answer; the models are denied; the rest never answers.
        // Bounded: without the fix each denied answer asked again at once, for ever.
        while let Some(effect) = queue.pop().filter(|_| requests < 100) {
            let Effect::Fetch { id, fetch } = effect else { continue };
            let reply = match fetch {
                Fetch::Services => Reply::Services(Ok(services())),
                Fetch::Endpoints => Reply::Endpoints(Ok(endpoints())),
                Fetch::EndpointModels(_) => {
                    requests += 1;
                    Reply::EndpointModels(Err(opsdeck::backend::BackendError::Other(
                        "access denied: sagemaker:ListMonitoringSchedules".into(),
                    )))
                }
                _ => continue,
            };
            queue.extend(update(&mut state, Msg::Fetched(id, reply)));
        }
    }
    assert_eq!(requests, 1, "one read, then the 5-minute schedule: {requests} in 30 s");
}
