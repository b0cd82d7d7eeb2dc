//! Entering and leaving the terminal: raw mode, the alternate screen, bracketed paste, and
//! restoring all of it on exit, on panic and around ctrl-z.

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use ratatui::DefaultTerminal;
use std::io::stdout;

pub fn enter() -> std::io::Result<DefaultTerminal> {
    // ratatui's init installs a panic hook that restores the terminal before the message prints.
    let terminal = ratatui::try_init()?;
    execute!(stdout(), EnableBracketedPaste)?;
    Ok(terminal)
}

pub fn leave() {
    // Best effort: there is nothing better to do with an error while tearing down.
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
}

/// ctrl-z: hand the terminal back to the shell, stop, and take it again on `fg`.
pub fn suspend(terminal: &mut DefaultTerminal) -> std::io::Result<()> {
    leave();
    #[cfg(unix)]
    nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP).map_err(std::io::Error::other)?;
    // Execution resumes here after `fg`.
    crossterm::terminal::enable_raw_mode()?;
    execute!(stdout(), crossterm::terminal::EnterAlternateScreen, EnableBracketedPaste)?;
    terminal.clear()
}
