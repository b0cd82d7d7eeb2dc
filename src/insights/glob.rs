//! `parse @message "[*] * (pid:*)" as a, b, c`: a glob pattern as the regex that runs it.

/// The regex for a glob and how many fields it captures. Each `*` captures as little as it can,
/// except a `*` that ends the pattern, which takes the rest of the text. The pattern may match
/// anywhere in the text, and `.` spans lines (tracebacks are one multi-line event).
pub fn to_regex(glob: &str) -> (String, usize) {
    let pieces: Vec<&str> = glob.split('*').collect();
    let stars = pieces.len() - 1;
    let mut regex = String::from("(?s)");
    for (i, piece) in pieces.iter().enumerate() {
        regex.push_str(&regex::escape(piece));
        if i < stars {
            let last_at_end = i + 1 == stars && pieces[stars].is_empty();
            regex.push_str(if last_at_end { "(.*)" } else { "(.*?)" });
        }
    }
    (regex, stars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captures(glob: &str, text: &str) -> Vec<String> {
        let (pattern, _) = to_regex(glob);
        let regex = regex::Regex::new(&pattern).unwrap();
        let caps = regex.captures(text).unwrap();
        caps.iter().skip(1).map(|m| m.map_or("", |m| m.as_str()).to_string()).collect()
    }

    #[test]
    fn stars_capture_lazily_but_a_final_star_takes_the_rest() {
        let line = "[2026-12-04 15:51:02 +0000] [7] [ERROR] Worker timeout (pid:12)";
        assert_eq!(
            captures("[*] [*] [*] *", line),
            ["2026-12-04 15:51:02 +0000", "7", "ERROR", "Worker timeout (pid:12)"]
        );
        assert_eq!(captures("(pid:*)", line), ["12"]);
    }

    #[test]
    fn regex_characters_in_the_glob_are_literal() {
        let (pattern, stars) = to_regex("a.b+(*)");
        assert_eq!(stars, 1);
        assert!(regex::Regex::new(&pattern).unwrap().is_match("a.b+(x)"));
        assert!(!regex::Regex::new(&pattern).unwrap().is_match("aXb+(x)"));
    }
}
