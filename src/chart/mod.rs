//! A CloudWatch metric over time as data and pure maths: what a chart shows ([`Chart`]) and the
//! numbers its renderer (`ui::chart`) needs. Y bounds and ticks (`scale`), series cut at gaps and
//! thinned to the screen's resolution (`series`), x ticks in UTC (`time`). Nothing here draws, so
//! `app` can build and test a chart without importing `ui`.

mod model;
mod scale;
mod series;
mod time;

pub use model::{Chart, ChartSeries, Comparison, Threshold};
pub use scale::{human, nice_axis, tick_labels, value_bounds, with_unit, y_axis, y_bounds, YAxis, LIMIT};
pub use series::{downsample, plot_points, segments, stats, to_seconds, Point, Stats};
pub use time::{x_ticks, XTick};
