//! A CloudWatch metric over time as a braille line chart: the alarm's threshold as a dashed
//! line labelled with its comparison, the periods in ALARM as `█` under the time axis, missing
//! data as gaps. It reads without colour (the threshold and the ALARM marks are their own
//! characters) and draws a one-line summary when the area is under 40x10.
//!
//! `geometry` places the parts, `plot` draws the lines, `axes` the axes and the ALARM row,
//! `text` the title, legend, note and summary. The data and its maths are in `crate::chart`.

mod axes;
mod geometry;
mod plot;
mod text;

use crate::chart::{plot_points, Chart};
use crate::theme::Theme;
use geometry::Geometry;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Widget};
use ratatui::Frame;

pub use axes::ALARM_MARK;
pub use geometry::{MIN_HEIGHT, MIN_WIDTH};
pub use plot::THRESHOLD;

/// Draws `chart` into `area` of the frame (clipped to the frame); every style from `theme`.
pub fn render(chart: &Chart, theme: &Theme, frame: &mut Frame, area: Rect) {
    draw(chart, theme, frame.buffer_mut(), area);
}

/// [`render`] into a buffer.
pub fn draw(chart: &Chart, theme: &Theme, buf: &mut Buffer, area: Rect) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    Clear.render(area, buf);
    buf.set_style(area, theme.base);
    if !Geometry::fits(area) {
        text::summary(chart, theme, area, buf);
        return;
    }
    // Thinned to two points per cell of the whole width: at least the braille resolution of
    // the plot, whose width depends on the y labels, which depend on these values.
    let columns = usize::from(area.width) * 2;
    let mut runs: Vec<_> = chart.series.iter().map(|series| plot_points(chart, series, columns)).collect();
    let Some(g) = Geometry::compute(chart, area, &runs) else {
        text::summary(chart, theme, area, buf);
        return;
    };
    text::title(chart, theme, &g, buf);
    text::header(chart, theme, &g, buf);
    plot::draw(chart, theme, &g, &mut runs, buf);
    axes::y_axis(chart, theme, &g, buf);
    axes::x_axis(chart, theme, &g, buf);
    axes::alarm_row(chart, theme, &g, buf);
    text::note(chart, theme, &g, buf);
}
