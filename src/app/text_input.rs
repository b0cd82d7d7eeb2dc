//! A one-line text field (the palette, the filter prompt) and the keys that edit it, readline
//! style: arrows, home/end, ctrl-a/e/u/w, backspace and delete. The cursor is a char index.

use crate::keymap::{ChordCode, KeyChord};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
    pub cursor: usize,
}

/// What a key did to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text or the cursor changed (or the key meant nothing here).
    Edited,
    /// enter
    Submit,
    /// esc, ctrl-c, or backspace on an empty field.
    Cancel,
    /// tab: the field's owner may complete the text.
    Complete,
}

impl TextInput {
    pub fn with_text(text: &str) -> Self {
        TextInput { text: text.to_string(), cursor: text.chars().count() }
    }

    pub fn edit(&mut self, chord: KeyChord) -> Edit {
        match (chord.code, chord.ctrl) {
            (ChordCode::Esc, _) | (ChordCode::Char('c'), true) => return Edit::Cancel,
            (ChordCode::Enter, _) => return Edit::Submit,
            (ChordCode::Tab, _) => return Edit::Complete,
            (ChordCode::Backspace, _) | (ChordCode::Char('h'), true) => {
                if self.cursor > 0 {
                    self.cursor -= 1;
                    self.remove_char();
                } else if self.text.is_empty() {
                    return Edit::Cancel;
                }
            }
            (ChordCode::Delete, _) => self.remove_char(),
            (ChordCode::Left, _) => self.cursor = self.cursor.saturating_sub(1),
            (ChordCode::Right, _) => self.cursor = (self.cursor + 1).min(self.text.chars().count()),
            (ChordCode::Home, _) | (ChordCode::Char('a'), true) => self.cursor = 0,
            (ChordCode::End, _) | (ChordCode::Char('e'), true) => self.cursor = self.text.chars().count(),
            (ChordCode::Char('u'), true) => *self = TextInput::default(),
            (ChordCode::Char('w'), true) => self.delete_word(),
            (ChordCode::Char(c), false) if !chord.alt => self.insert(&c.to_string()),
            _ => {}
        }
        Edit::Edited
    }

    /// A paste is one line: a pasted newline must not submit a command.
    pub fn paste(&mut self, pasted: &str) {
        let line: String = pasted.chars().filter(|c| !c.is_control()).collect();
        self.insert(&line);
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.text.char_indices().nth(char_index).map_or(self.text.len(), |(i, _)| i)
    }

    fn insert(&mut self, s: &str) {
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, s);
        self.cursor += s.chars().count();
    }

    fn remove_char(&mut self) {
        let at = self.byte_at(self.cursor);
        if at < self.text.len() {
            self.text.remove(at);
        }
    }

    fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut start = self.cursor.min(chars.len());
        while start > 0 && chars[start - 1] == ' ' {
            start -= 1;
        }
        while start > 0 && chars[start - 1] != ' ' {
            start -= 1;
        }
        let rest: String = chars[self.cursor.min(chars.len())..].iter().collect();
        self.text = chars[..start].iter().collect::<String>() + &rest;
        self.cursor = start;
    }
}
