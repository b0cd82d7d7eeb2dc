//! Entering and leaving the terminal: raw mode, the alternate screen, bracketed paste, a visible
//! cursor on the way out, and all of it restored on exit, on panic and around ctrl-z.

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen};
use ratatui::prelude::CrosstermBackend;
use ratatui::DefaultTerminal;
use std::io::stdout;

pub fn enter() -> std::io::Result<DefaultTerminal> {
    // ratatui's init installs a panic hook that leaves raw mode and the alternate screen, then
    // prints the message; ours runs first and also brings back the cursor and turns bracketed
    // paste off. The hook runs before unwinding or aborting, so this holds with the release
    // profile's `panic = "abort"` too.
    //
    // Then the process ends (exit 101, Rust's panic status), whatever the panic strategy: tokio
    // catches a panic in a spawned task, and with unwinding the console would go on drawing over
    // the shell it had just handed back.
    let terminal = ratatui::try_init()?;
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Also in the log: a panic in a spawned task does not end the process, and its message
        // on the alternate screen is gone with the next frame.
        tracing::error!("panic: {info}");
        let _ = execute!(stdout(), DisableBracketedPaste, Show);
        ratatui_hook(info);
        std::process::exit(101);
    }));
    execute!(stdout(), EnableBracketedPaste)?;
    Ok(terminal)
}

pub fn leave() {
    // Best effort: there is nothing better to do with an error while tearing down.
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    let _ = execute!(stdout(), Show);
}

/// ctrl-z: hand the terminal back to the shell, stop, and take it again on `fg`.
pub fn suspend(terminal: &mut DefaultTerminal) -> std::io::Result<()> {
    leave();
    #[cfg(unix)]
    nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP).map_err(std::io::Error::other)?;
    // Execution resumes here after `fg`.
    crossterm::terminal::enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste, Clear(ClearType::All))?;
    // A fresh terminal has empty buffers, so the next draw repaints every cell. (`clear()` would
    // ask the terminal for the cursor position, and the input task owns stdin.)
    *terminal = ratatui::Terminal::new(CrosstermBackend::new(stdout()))?;
    Ok(())
}

/// The OSC 52 sequence that sets the clipboard to `text` ("c": the system clipboard). Only
/// base64 crosses the terminal, so no byte of the text can act as a control sequence.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    format!("\x1b]52;c;{}\x07", base64::engine::general_purpose::STANDARD.encode(text.as_bytes()))
}

/// Write the OSC 52 sequence to the terminal. A terminal that does not support it ignores it;
/// the console has already said what was copied.
pub fn copy_to_clipboard(text: &str) {
    use std::io::Write;
    let mut out = stdout();
    if let Err(e) = out.write_all(osc52(text).as_bytes()).and_then(|()| out.flush()) {
        tracing::warn!(error = %e, "could not write the clipboard sequence");
    }
}

#[cfg(test)]
mod clipboard_tests {
    #[test]
    fn osc52_carries_only_base64() {
        let seq = super::osc52("ecs:c/s\x1b[31m");
        assert_eq!(seq, "\x1b]52;c;ZWNzOmMvcxtbMzFt\x07");
        let inner = &seq[7..seq.len() - 1];
        assert!(inner.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)), "{inner}");
    }
}
