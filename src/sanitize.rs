//! Rendering outside text inert.
//!
//! Everything that comes from AWS (log lines, resource names, stop reasons, alarm reasons) is
//! untrusted: a log line can carry `ESC [ 2 J` (clear the screen), an OSC 52 sequence (write the
//! user's clipboard), a C1 `CSI`, or bidi overrides that make text read differently than it is.
//! [`inert`] maps every such character to a visible, harmless stand-in, so what reaches the
//! terminal is only printable text and one event always stays one row:
//!
//! | input | becomes |
//! | --- | --- |
//! | C0 controls U+0000..=U+001F (ESC, BEL, `\n`, `\r`, ...) | their Control Picture U+2400 + c (`␛`, `␇`, `␊`, `␍`) |
//! | TAB (U+0009) | a single space: a tab's width depends on the column, a space's does not |
//! | DEL (U+007F) | `␡` (U+2421) |
//! | C1 controls U+0080..=U+009F (e.g. U+009B, a one-character CSI) | U+FFFD |
//! | bidi embeddings/overrides U+202A..=U+202E and isolates U+2066..=U+2069 | U+FFFD |
//!
//! Everything else, including all other Unicode text, passes through unchanged. When nothing needs
//! replacing the input is returned borrowed, without allocating.

use std::borrow::Cow;

/// `s` with every terminal control character replaced by a visible stand-in (see the module docs).
/// Borrowed, without allocating, when `s` contains nothing to replace.
pub fn inert(s: &str) -> Cow<'_, str> {
    match first_unsafe(s.as_bytes()) {
        None => Cow::Borrowed(s),
        Some(at) => {
            let (clean, rest) = s.split_at(at);
            let mut out = String::with_capacity(s.len() + 16);
            out.push_str(clean);
            for c in rest.chars() {
                push_inert(&mut out, c);
            }
            Cow::Owned(out)
        }
    }
}

fn push_inert(out: &mut String, c: char) {
    match c {
        '\t' => out.push(' '),
        '\u{00}'..='\u{1F}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
        '\u{7F}' => out.push('\u{2421}'),
        '\u{80}'..='\u{9F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => out.push('\u{FFFD}'),
        _ => out.push(c),
    }
}

/// Byte offset of the first character `inert` replaces, if any. `b` is valid UTF-8, and every
/// character replaced starts on the byte inspected here.
fn first_unsafe(b: &[u8]) -> Option<usize> {
    // Fast path: printable ASCII only (checked a chunk at a time so it vectorizes).
    let mut start = 0;
    for chunk in b.chunks(32) {
        let outside = chunk.iter().fold(false, |acc, &x| acc | (x.wrapping_sub(0x20) > 0x5E));
        if outside {
            break;
        }
        start += chunk.len();
    }
    let mut i = start;
    while i < b.len() {
        match b[i] {
            0x00..=0x1F | 0x7F => return Some(i),
            // U+0080..=U+009F encode as C2 80..=C2 9F.
            0xC2 if matches!(b.get(i + 1), Some(0x80..=0x9F)) => return Some(i),
            // U+202A..=U+202E encode as E2 80 AA..=AE; U+2066..=U+2069 as E2 81 A6..=A9.
            0xE2 if matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(0x80), Some(0xAA..=0xAE)) | (Some(0x81), Some(0xA6..=0xA9))
            ) =>
            {
                return Some(i)
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(s: &str) -> String {
        match inert(s) {
            Cow::Owned(o) => o,
            Cow::Borrowed(b) => panic!("expected a replacement in {b:?}"),
        }
    }

    fn no_controls(s: &str) {
        for c in s.chars() {
            assert!(!c.is_control(), "control {c:?} left in {s:?}");
            assert!(!matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'), "bidi left in {s:?}");
        }
    }

    #[test]
    fn clear_screen_becomes_visible() {
        let out = owned("before\x1b[2Jafter");
        assert_eq!(out, "before␛[2Jafter");
        no_controls(&out);
    }

    #[test]
    fn osc52_clipboard_write_is_defused() {
        let out = owned("x\x1b]52;c;ZWNobyBwd25lZA==\x07y");
        assert_eq!(out, "x␛]52;c;ZWNobyBwd25lZA==␇y");
        no_controls(&out);
    }

    #[test]
    fn c1_csi_is_replaced() {
        let out = owned("a\u{9B}31mred\u{9B}0m");
        assert_eq!(out, "a\u{FFFD}31mred\u{FFFD}0m");
        no_controls(&out);
        assert_eq!(owned("\u{80}\u{9F}"), "\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn bidi_overrides_and_isolates_are_replaced() {
        let out = owned("user\u{202E}gnp.exe\u{202C} \u{2066}x\u{2069} \u{202A}\u{2067}\u{2068}");
        assert_eq!(out, "user\u{FFFD}gnp.exe\u{FFFD} \u{FFFD}x\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}");
        no_controls(&out);
    }

    #[test]
    fn newlines_tab_and_del() {
        assert_eq!(owned("a\nb\r\nc"), "a␊b␍␊c");
        assert_eq!(owned("k\tv"), "k v");
        assert_eq!(owned("\x7f\x00\x1f"), "␡␀␟");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = r#"{"level":"INFO","path":"/invocations","status":200,"latency_ms":12.5}"#;
        assert!(matches!(inert(s), Cow::Borrowed(b) if std::ptr::eq(b, s)));
        assert!(matches!(inert(""), Cow::Borrowed("")));
        let long = "x".repeat(1000);
        assert!(matches!(inert(&long), Cow::Borrowed(_)));
    }

    #[test]
    fn unicode_text_is_borrowed_unchanged() {
        // Neighbours of the replaced ranges must survive: U+00A0.., U+2029, U+202F, U+2065, U+206A.
        for s in
            ["héllo wörld ✓ 日本語 🚀", "\u{A0}\u{FF}\u{2029}\u{202F}\u{2065}\u{206A}", "ë\u{301}", "עברית العربية"]
        {
            assert!(matches!(inert(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn replacement_after_long_clean_prefix() {
        let s = format!("{}\x1b", "a".repeat(100));
        assert_eq!(owned(&s), format!("{}␛", "a".repeat(100)));
    }

    #[test]
    fn every_c0_maps_to_its_picture() {
        for b in 0u8..0x20 {
            if b == b'\t' {
                continue;
            }
            let s = (b as char).to_string();
            let out = owned(&s);
            assert_eq!(out.chars().next().map(|c| c as u32), Some(0x2400 + b as u32));
        }
    }
}
