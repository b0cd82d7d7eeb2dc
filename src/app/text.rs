//! Keys typed into the palette, a filter prompt, or the quit confirmation.

use super::msg::Effect;
use super::state::{parse_log_filter, Mode, Pane, RowFilter, State, TextInput};
use super::{keys, palette};
use crate::keymap::{ChordCode, KeyChord};

pub fn handle_key(state: &mut State, chord: KeyChord, effects: &mut Vec<Effect>) {
    if matches!(state.mode, Mode::Confirm(_)) {
        return super::operations::confirm_key(state, chord, effects);
    }
    if state.mode == Mode::Runbook {
        return super::runbooks::prompt_key(state, chord, effects);
    }
    if state.mode == Mode::ConfirmQuit {
        let yes =
            matches!((chord.code, chord.ctrl), (ChordCode::Char('y' | 'Y'), false) | (ChordCode::Char('c'), true));
        if yes {
            state.quit = true;
        }
        state.mode = Mode::Normal;
        return;
    }
    let input = match &mut state.mode {
        Mode::Palette(input) | Mode::Filter(input) => input,
        _ => return,
    };
    match (chord.code, chord.ctrl) {
        (ChordCode::Esc, _) | (ChordCode::Char('c'), true) => state.mode = Mode::Normal,
        (ChordCode::Enter, _) => submit(state, effects),
        (ChordCode::Tab, _) => {
            if let Mode::Palette(input) = &mut state.mode {
                if let Some(done) = palette::complete(&input.text) {
                    *input = TextInput::with_text(&done);
                }
            }
        }
        (ChordCode::Backspace, _) | (ChordCode::Char('h'), true) => {
            if input.cursor > 0 {
                input.cursor -= 1;
                remove_char(input);
            } else if input.text.is_empty() {
                state.mode = Mode::Normal;
            }
        }
        (ChordCode::Delete, _) => remove_char(input),
        (ChordCode::Left, _) => input.cursor = input.cursor.saturating_sub(1),
        (ChordCode::Right, _) => input.cursor = (input.cursor + 1).min(input.text.chars().count()),
        (ChordCode::Home, _) | (ChordCode::Char('a'), true) => input.cursor = 0,
        (ChordCode::End, _) | (ChordCode::Char('e'), true) => input.cursor = input.text.chars().count(),
        (ChordCode::Char('u'), true) => *input = TextInput::default(),
        (ChordCode::Char('w'), true) => delete_word(input),
        (ChordCode::Char(c), false) if !chord.alt => insert(input, &c.to_string()),
        _ => {}
    }
}

pub fn handle_paste(state: &mut State, pasted: &str) {
    if let Mode::Palette(input) | Mode::Filter(input) = &mut state.mode {
        // One line only: a pasted newline must not submit a command.
        let line: String = pasted.chars().filter(|c| !c.is_control()).collect();
        insert(input, &line);
    }
}

fn byte_at(text: &str, char_index: usize) -> usize {
    text.char_indices().nth(char_index).map_or(text.len(), |(i, _)| i)
}

fn insert(input: &mut TextInput, s: &str) {
    let at = byte_at(&input.text, input.cursor);
    input.text.insert_str(at, s);
    input.cursor += s.chars().count();
}

fn remove_char(input: &mut TextInput) {
    let at = byte_at(&input.text, input.cursor);
    if at < input.text.len() {
        input.text.remove(at);
    }
}

fn delete_word(input: &mut TextInput) {
    let chars: Vec<char> = input.text.chars().collect();
    let mut start = input.cursor.min(chars.len());
    while start > 0 && chars[start - 1] == ' ' {
        start -= 1;
    }
    while start > 0 && chars[start - 1] != ' ' {
        start -= 1;
    }
    let rest: String = chars[input.cursor.min(chars.len())..].iter().collect();
    input.text = chars[..start].iter().collect::<String>() + &rest;
    input.cursor = start;
}

fn submit(state: &mut State, effects: &mut Vec<Effect>) {
    let mode = std::mem::replace(&mut state.mode, Mode::Normal);
    match mode {
        Mode::Palette(input) => palette::run(state, &input.text, effects),
        Mode::Filter(input) => {
            if !apply_filter(state, &input.text) {
                // Keep the prompt open with what was typed, so it can be fixed.
                state.mode = Mode::Filter(input);
            }
        }
        other => state.mode = other,
    }
}

/// Set (or with empty text, clear) the focused pane's filter. A bad regex changes nothing.
pub fn apply_filter(state: &mut State, text: &str) -> bool {
    let text = text.trim();
    if state.focus == Pane::Logs {
        if text.is_empty() {
            state.logs.view.set_filter(None);
            state.logs.filter_text = None;
            return true;
        }
        return match parse_log_filter(text) {
            Ok(filter) => {
                state.logs.view.set_filter(Some(filter));
                state.logs.filter_text = Some(text.to_string());
                true
            }
            Err(e) => {
                state.flash_error(e);
                false
            }
        };
    }
    let filter = if text.is_empty() {
        None
    } else {
        match RowFilter::parse(text) {
            Ok(f) => Some(f),
            Err(e) => {
                state.flash_error(e);
                return false;
            }
        }
    };
    let focus = state.focus;
    if let Some(list) = keys::list_mut(state, focus) {
        list.filter = filter;
        list.selected = 0;
        list.offset = 0;
    } else {
        state.flash_info(format!("{} has no rows to filter", focus.title()));
    }
    keys::clamp_all(state);
    if matches!(focus, Pane::Services | Pane::Endpoints) {
        state.log_follows = focus;
        super::logs_ctl::follow_selection(state, focus, false);
    }
    true
}
