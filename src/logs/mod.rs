//! Log buffer and filter: the log pane's model, pure (no I/O, no clock reads).
//!
//! - [`buffer`]: [`LogBuffer`], a bounded ring of inert [`LogLine`]s, deduplicated by event id,
//!   counting what it evicts (`dropped`) and what the source skipped (`skipped`).
//! - [`filter`]: [`LogFilter`], a smart-case regex, `!` in front to invert.
//! - [`view`]: [`LogView`], buffer + filter + follow/pause, scrolling and match navigation.
//! - [`window`]: [`Window`], the lines one frame draws.
//! - [`timestamps`]: [`TimestampMode`], how the timestamp column reads.

pub mod buffer;
pub mod filter;
mod navigate;
pub mod timestamps;
pub mod view;
pub mod window;

pub use buffer::{LogBuffer, LogLine, DEFAULT_CAPACITY};
pub use filter::{FilterError, LogFilter};
pub use timestamps::TimestampMode;
pub use view::LogView;
pub use window::Window;
