//! What every room of the console shares: which account it shows, the settings, the time (which
//! arrives as `Msg::Tick`; update never reads a clock), the terminal size, the message line,
//! the API usage, the open incident, and the request ids that tell a stale reply from a wanted one.

use super::loadable::RequestId;
use super::settings::Settings;
use crate::backend::{ApiUsage, BackendLabel};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashLevel {
    Info,
    Error,
}

/// A message in the status bar, until it is eight of the engineer's seconds old.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub level: FlashLevel,
    pub at: DateTime<Utc>,
}

pub struct Context {
    pub label: BackendLabel,
    pub settings: Settings,
    pub now: DateTime<Utc>,
    /// Terminal size in cells; layout (and so what is visible, and polled) derives from it.
    pub size: (u16, u16),
    pub flash: Option<Flash>,
    pub usage: Option<ApiUsage>,
    /// A fleet session: the accounts and regions (`ACCOUNT@REGION`) whose last read failed, and
    /// why; their rows are the last read and marked so.
    pub place_errors: Vec<(String, String)>,
    /// The incident open now, as last read or started.
    pub incident: Option<String>,
    pub next_request: RequestId,
    /// When a label on the last frame reads differently (None: nothing drawn is relative to now).
    pub redraw_at: Option<DateTime<Utc>>,
}

impl Context {
    pub fn new(label: BackendLabel, settings: Settings, now: DateTime<Utc>, size: (u16, u16)) -> Context {
        Context {
            label,
            settings,
            now,
            size,
            flash: None,
            usage: None,
            place_errors: Vec::new(),
            incident: None,
            next_request: 1,
            redraw_at: None,
        }
    }

    pub fn request_id(&mut self) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        id
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash { text: text.into(), level: FlashLevel::Info, at: self.now });
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash { text: text.into(), level: FlashLevel::Error, at: self.now });
    }

    /// Simulated seconds per real second (1 on AWS): on-screen lifetimes are the engineer's
    /// seconds, however fast the simulated clock runs.
    pub fn speed(&self) -> i64 {
        match self.label {
            BackendLabel::Demo { speed, .. } => i64::from(speed.max(1)),
            BackendLabel::Aws { .. } => 1,
        }
    }

    pub fn is_demo(&self) -> bool {
        matches!(self.label, BackendLabel::Demo { .. })
    }

    /// When the flash on screen goes (None: there is none).
    pub fn flash_expires_at(&self) -> Option<DateTime<Utc>> {
        let limit = chrono::Duration::seconds(8 * self.speed());
        self.flash.as_ref().map(|f| f.at + limit + chrono::Duration::milliseconds(1))
    }

    /// Forget an old flash: eight of the engineer's seconds. True when one went.
    pub fn expire_flash(&mut self) -> bool {
        let limit = chrono::Duration::seconds(8 * self.speed());
        if self.flash.as_ref().is_some_and(|f| self.now - f.at > limit) {
            self.flash = None;
            return true;
        }
        false
    }
}
