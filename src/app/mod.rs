//! The console's state machine: `State`, the messages that change it, and the effects it asks
//! for. It is built in layers, each file importing only files below it (tests/suite/layers.rs
//! keeps it so; docs/architecture.md draws them):
//!
//! - the ground: `loadable`, `settings`, `text_input`, `list`, `pane`, `layout`, `msg`, `inert`,
//!   `context` (what every room shares), `fleet` (what was read), `rows`, `next` (what a room asks
//!   the router to show), `perform` (effects carried out), `timeline_feed` (the open incident's
//!   timeline as kept, every operator's in team mode);
//! - helpers below the views: `action_path` (a verb to its plan), `report`, `confirm`, `quit`;
//! - the rooms, one per view: `help`, `logs`, `detail`, `endpoint_detail`, `functions`,
//!   `dashboard` (with `pane_polling`, what its panes read), `filter`, `palette`,
//!   `operations`, `audit`, `environments`, `runbook`, `timeline`, `timeline_view`,
//!   `metric_chart`, `query` (the Logs Insights view);
//! - the top: `state` (composes the rooms and `Mode`), `deep_link` (where the console opens),
//!   `copy` (`c` and `b` on the dashboard's selection), `commands` (a palette line to its room),
//!   `schedule` (what to read now), `wake` (when an idle console must next wake), `router` (keys
//!   by mode and focus), `update` (messages).

mod action_path;
mod audit;
mod commands;
mod confirm;
mod context;
mod copy;
mod dashboard;
mod deep_link;
mod detail;
mod endpoint_detail;
mod environments;
mod filter;
mod fleet;
mod functions;
mod help;
mod inert;
pub mod layout;
mod list;
mod loadable;
mod logs;
mod metric_chart;
mod msg;
mod next;
mod operations;
pub mod palette;
mod pane;
mod pane_polling;
mod perform;
mod query;
mod quit;
mod report;
mod router;
pub mod rows;
mod runbook;
pub mod schedule;
mod settings;
mod state;
mod text_input;
mod timeline;
mod timeline_feed;
mod timeline_view;
mod update;
pub mod wake;

pub use action_path::Planning;
pub use audit::AuditView;
pub use confirm::ConfirmDialog;
pub use context::{Context, Flash, FlashLevel};
pub use dashboard::{Dashboard, Panes};
pub use detail::DetailView;
pub use endpoint_detail::EndpointDetail;
pub use environments::EnvView;
pub use fleet::Fleet;
pub use functions::{function_rows, selected_function, FunctionDetailView, FunctionsPane};
pub use list::{ListState, RowFilter};
pub use loadable::{Loadable, RequestId};
pub use logs::{parse_log_filter, LogSource, LogWindow, LogsPane};
pub use metric_chart::{ChartPage, ChartRange, ChartSubject, ChartView};
pub use msg::{AuditRead, Effect, Fetch, Msg, OpEffect, Reply, TimelineRead};
pub use operations::{end_text, shown_operations, strip_rows, Operation, OpsState, STRIP_MAX};
pub use pane::Pane;
pub use perform::{perform, perform_op, save_file};
pub use query::{OpenRow, QueryRun, QueryView};
pub use report::Report;
pub use router::{context, key_to_msg};
pub use runbook::{shared_steps, Prompt, RunbookSession, SharedStep, StepRun, StepState, Waiting, STEP_OUTPUT_LINES};
pub use settings::{Badge, BadgeStyle, DeepLink, SavedQuery, Settings};
pub use state::{Mode, State};
pub use text_input::TextInput;
pub use timeline_feed::TimelineFeed;
pub use timeline_view::TimelineView;
pub use update::update;
