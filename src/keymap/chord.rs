//! Key chords as written in keymap files ("ctrl-f", "G", "enter") and as crossterm reports them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyChord {
    pub code: ChordCode,
    pub ctrl: bool,
    pub alt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChordCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

const NAMED: &[(&str, ChordCode)] = &[
    ("enter", ChordCode::Enter),
    ("esc", ChordCode::Esc),
    ("tab", ChordCode::Tab),
    ("backtab", ChordCode::BackTab),
    ("shift-tab", ChordCode::BackTab),
    ("backspace", ChordCode::Backspace),
    ("delete", ChordCode::Delete),
    ("up", ChordCode::Up),
    ("down", ChordCode::Down),
    ("left", ChordCode::Left),
    ("right", ChordCode::Right),
    ("home", ChordCode::Home),
    ("end", ChordCode::End),
    ("pgup", ChordCode::PageUp),
    ("pgdn", ChordCode::PageDown),
    ("space", ChordCode::Char(' ')),
];

impl KeyChord {
    pub fn plain(c: char) -> Self {
        KeyChord { code: ChordCode::Char(c), ctrl: false, alt: false }
    }

    /// None for events opsdeck never binds (media keys, lone modifiers, key releases).
    pub fn from_event(event: &KeyEvent) -> Option<Self> {
        let code = match event.code {
            KeyCode::Char(c) => ChordCode::Char(c),
            KeyCode::Enter => ChordCode::Enter,
            KeyCode::Esc => ChordCode::Esc,
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => ChordCode::BackTab,
            KeyCode::Tab => ChordCode::Tab,
            KeyCode::BackTab => ChordCode::BackTab,
            KeyCode::Backspace => ChordCode::Backspace,
            KeyCode::Delete => ChordCode::Delete,
            KeyCode::Up => ChordCode::Up,
            KeyCode::Down => ChordCode::Down,
            KeyCode::Left => ChordCode::Left,
            KeyCode::Right => ChordCode::Right,
            KeyCode::Home => ChordCode::Home,
            KeyCode::End => ChordCode::End,
            KeyCode::PageUp => ChordCode::PageUp,
            KeyCode::PageDown => ChordCode::PageDown,
            KeyCode::F(n) => ChordCode::F(n),
            _ => return None,
        };
        // Shift is already in the character ('G'), so it is not part of the chord.
        Some(KeyChord {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a key: use a character, ctrl-X, alt-X, f1-f12 or one of enter, esc, tab, shift-tab, backspace, delete, up, down, left, right, home, end, pgup, pgdn, space")]
pub struct ChordError(pub String);

impl FromStr for KeyChord {
    type Err = ChordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // The error quotes what was written, inert: a keymap file is outside text.
        let bad = || ChordError(crate::sanitize::inert(s).into_owned());
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        // A lone "-" is the minus key, not a separator.
        while rest.len() > 1 {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = if let Some((_, code)) = NAMED.iter().find(|(name, _)| *name == rest) {
            *code
        } else if let Some(n) = rest.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            if !(1..=12).contains(&n) {
                return Err(bad());
            }
            ChordCode::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                // Only a character that shows as itself: no control, no bidi override.
                (Some(c), None) if crate::sanitize::inert(rest) == rest => ChordCode::Char(c),
                _ => return Err(bad()),
            }
        };
        Ok(KeyChord { code, ctrl, alt })
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            ChordCode::Char(' ') => f.write_str("space"),
            ChordCode::Char(c) => write!(f, "{c}"),
            ChordCode::F(n) => write!(f, "f{n}"),
            code => {
                let name = NAMED.iter().find(|(_, c)| *c == code).map_or("?", |(name, _)| *name);
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        for s in ["a", "G", "ctrl-f", "alt-x", "enter", "esc", "backtab", "pgdn", "f5", "-", "/", "?", "space"] {
            let chord: KeyChord = s.parse().unwrap();
            assert_eq!(chord.to_string(), s, "round trip of {s}");
        }
        assert_eq!("shift-tab".parse::<KeyChord>().unwrap().to_string(), "backtab");
    }

    #[test]
    fn rejects_nonsense() {
        for s in ["", "ctrl-", "enterr", "f13", "ab", "ctrl-foo"] {
            let err = s.parse::<KeyChord>().unwrap_err();
            assert!(err.to_string().contains("is not a key"), "{s}: {err}");
        }
    }

    #[test]
    fn shifted_letters_match_their_character() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&event), Some(KeyChord::plain('G')));
        let event = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(KeyChord::from_event(&event).unwrap().to_string(), "ctrl-c");
    }
}
