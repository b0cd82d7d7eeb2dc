//! Query text to tokens, one at a time as the parser asks.
//!
//! The parser drives the lexer because `/` means two things: division after an operand and the
//! start of a regex where an operand is expected. Only the parser knows which, so it asks for a
//! regex with [`Lexer::regex`] when it sees [`Tok::Slash`] in operand position.

use super::error::{excerpt, QueryError};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A name: a keyword, a command, a function or a field (`@message`, `a.b`). `quoted` for
    /// backticks, which make any text a field name and never a keyword.
    Ident {
        text: String,
        quoted: bool,
    },
    Str(String),
    Regex(String),
    Number(f64),
    /// A number with a unit stuck to it: `5m`, `30s`, `100ms` (bin widths).
    Duration(String),
    Pipe,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    Bang,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Byte offset where the token starts.
    pub pos: usize,
    /// Byte offset just past the token.
    pub end: usize,
}

impl Token {
    pub fn is_keyword(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Ident { text, quoted: false } if text.eq_ignore_ascii_case(word))
    }

    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match &self.tok {
            Tok::Ident { text, quoted: true } => format!("`{}`", excerpt(text)),
            Tok::Ident { text, .. } => format!("'{}'", excerpt(text)),
            Tok::Str(s) => format!("string \"{}\"", excerpt(s)),
            Tok::Regex(r) => format!("regex /{}/", excerpt(r)),
            Tok::Number(_) | Tok::Duration(_) => "a number".to_string(),
            Tok::Eof => "the end of the query".to_string(),
            other => format!("'{}'", symbol(other)),
        }
    }
}

fn symbol(tok: &Tok) -> &'static str {
    match tok {
        Tok::Pipe => "|",
        Tok::Comma => ",",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::Eq => "=",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::Match => "=~",
        Tok::Bang => "!",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::Percent => "%",
        _ => "?",
    }
}

pub struct Lexer<'t> {
    text: &'t str,
    pos: usize,
    peeked: Option<Token>,
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t str) -> Lexer<'t> {
        Lexer { text, pos: 0, peeked: None }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    pub fn peek(&mut self) -> Result<&Token, QueryError> {
        if self.peeked.is_none() {
            let token = self.scan()?;
            self.peeked = Some(token);
        }
        match &self.peeked {
            Some(token) => Ok(token),
            None => Err(QueryError::syntax(self.text, self.pos, "internal: no token")),
        }
    }

    pub fn next(&mut self) -> Result<Token, QueryError> {
        self.peek()?;
        match self.peeked.take() {
            Some(token) => Ok(token),
            None => Err(QueryError::syntax(self.text, self.pos, "internal: no token")),
        }
    }

    /// Reads a `/regex/` whose opening slash was just peeked as [`Tok::Slash`].
    pub fn regex(&mut self) -> Result<Token, QueryError> {
        let start = match self.peeked.take() {
            Some(Token { tok: Tok::Slash, pos, .. }) => pos,
            other => {
                let at = other.as_ref().map_or(self.pos, |t| t.pos);
                return Err(QueryError::syntax(self.text, at, "expected a /regex/"));
            }
        };
        let mut pattern = String::new();
        let mut chars = self.text[start + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '/' => {
                    self.pos = start + 1 + i + 1;
                    return Ok(Token { tok: Tok::Regex(pattern), pos: start, end: self.pos });
                }
                // `\/` is a slash inside the regex; other escapes belong to the regex syntax.
                '\\' => match chars.next() {
                    Some((_, '/')) => pattern.push('/'),
                    Some((_, e)) => {
                        pattern.push('\\');
                        pattern.push(e);
                    }
                    None => break,
                },
                '\n' => break,
                c => pattern.push(c),
            }
        }
        Err(QueryError::syntax(self.text, start, "unterminated regex: a /regex/ ends with '/' on the same line"))
    }

    fn skip_space_and_comments(&mut self) {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'#' => {
                    let rest = &self.text[self.pos..];
                    self.pos += rest.find('\n').unwrap_or(rest.len());
                }
                _ => break,
            }
        }
    }

    fn scan(&mut self) -> Result<Token, QueryError> {
        self.skip_space_and_comments();
        let start = self.pos;
        let rest = &self.text[start..];
        let Some(c) = rest.chars().next() else {
            return Ok(Token { tok: Tok::Eof, pos: start, end: start });
        };
        let two = rest.get(..2).unwrap_or("");
        let (tok, len) = match (c, two) {
            (_, "=~") => (Tok::Match, 2),
            (_, "==") => (Tok::Eq, 2),
            (_, "!=") => (Tok::Ne, 2),
            (_, "<=") => (Tok::Le, 2),
            (_, ">=") => (Tok::Ge, 2),
            ('=', _) => (Tok::Eq, 1),
            ('<', _) => (Tok::Lt, 1),
            ('>', _) => (Tok::Gt, 1),
            ('!', _) => (Tok::Bang, 1),
            ('|', _) => (Tok::Pipe, 1),
            (',', _) => (Tok::Comma, 1),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            ('[', _) => (Tok::LBracket, 1),
            (']', _) => (Tok::RBracket, 1),
            ('+', _) => (Tok::Plus, 1),
            ('-', _) => (Tok::Minus, 1),
            ('*', _) => (Tok::Star, 1),
            ('/', _) => (Tok::Slash, 1),
            ('%', _) => (Tok::Percent, 1),
            ('"' | '\'', _) => return self.string(c),
            ('`', _) => return self.backticks(),
            (c, _) if c.is_ascii_digit() || (c == '.' && rest[1..].starts_with(|d: char| d.is_ascii_digit())) => {
                return self.number()
            }
            (c, _) if c.is_alphabetic() || c == '_' || c == '@' => return Ok(self.ident()),
            (c, _) => return Err(QueryError::syntax(self.text, start, format!("unexpected character '{c}'"))),
        };
        self.pos += len;
        Ok(Token { tok, pos: start, end: self.pos })
    }

    fn string(&mut self, quote: char) -> Result<Token, QueryError> {
        let start = self.pos;
        let mut value = String::new();
        let mut chars = self.text[start + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos = start + 1 + i + 1;
                    return Ok(Token { tok: Tok::Str(value), pos: start, end: self.pos });
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 't')) => value.push('\t'),
                    Some((_, 'r')) => value.push('\r'),
                    Some((_, e)) if e == quote || e == '\\' => value.push(e),
                    // Unknown escapes stay as written: a glob's `\[` means the text `\[`.
                    Some((_, e)) => {
                        value.push('\\');
                        value.push(e);
                    }
                    None => break,
                },
                c => value.push(c),
            }
        }
        Err(QueryError::syntax(self.text, start, format!("unterminated string: add the closing {quote}")))
    }

    fn backticks(&mut self) -> Result<Token, QueryError> {
        let start = self.pos;
        match self.text[start + 1..].find('`') {
            Some(0) => Err(QueryError::syntax(self.text, start, "empty field name ``")),
            Some(len) => {
                self.pos = start + 1 + len + 1;
                let text = self.text[start + 1..start + 1 + len].to_string();
                Ok(Token { tok: Tok::Ident { text, quoted: true }, pos: start, end: self.pos })
            }
            None => Err(QueryError::syntax(self.text, start, "unterminated field name: add the closing `")),
        }
    }

    fn number(&mut self) -> Result<Token, QueryError> {
        let start = self.pos;
        let rest = &self.text[start..];
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let unit = rest[digits..].find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len() - digits);
        self.pos = start + digits + unit;
        let text = &rest[..digits + unit];
        if unit > 0 {
            return Ok(Token { tok: Tok::Duration(text.to_string()), pos: start, end: self.pos });
        }
        match text.parse::<f64>() {
            Ok(n) => Ok(Token { tok: Tok::Number(n), pos: start, end: self.pos }),
            Err(_) => Err(QueryError::syntax(self.text, start, format!("'{text}' is not a number"))),
        }
    }

    fn ident(&mut self) -> Token {
        let start = self.pos;
        let rest = &self.text[start..];
        let len = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '@'))
            .map_or(rest.len(), |(i, _)| i);
        self.pos = start + len;
        Token { tok: Tok::Ident { text: rest[..len].to_string(), quoted: false }, pos: start, end: self.pos }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Result<Vec<Tok>, QueryError> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            match lexer.next()? {
                Token { tok: Tok::Eof, .. } => return Ok(out),
                t => out.push(t.tok),
            }
        }
    }

    fn ident(t: &str) -> Tok {
        Tok::Ident { text: t.to_string(), quoted: false }
    }

    #[test]
    fn names_operators_numbers_and_durations() {
        let toks = all("stats count(*) by bin(5m) # per five minutes\n| filter a.b >= 2.5 and @x =~ 3").unwrap();
        assert_eq!(
            toks,
            vec![
                ident("stats"),
                ident("count"),
                Tok::LParen,
                Tok::Star,
                Tok::RParen,
                ident("by"),
                ident("bin"),
                Tok::LParen,
                Tok::Duration("5m".into()),
                Tok::RParen,
                Tok::Pipe,
                ident("filter"),
                ident("a.b"),
                Tok::Ge,
                Tok::Number(2.5),
                ident("and"),
                ident("@x"),
                Tok::Match,
                Tok::Number(3.0),
            ]
        );
    }

    #[test]
    fn strings_take_escapes_and_backticks_quote_names() {
        let toks = all(r#"'it\'s' "a\"b\n" "\[*\]" `odd-name`"#).unwrap();
        assert_eq!(
            toks,
            vec![
                Tok::Str("it's".into()),
                Tok::Str("a\"b\n".into()),
                Tok::Str(r"\[*\]".into()),
                Tok::Ident { text: "odd-name".into(), quoted: true },
            ]
        );
    }

    #[test]
    fn a_slash_becomes_a_regex_when_the_parser_asks() {
        let mut lexer = Lexer::new(r"/(?i)err\/or\d/ | x");
        assert_eq!(lexer.peek().unwrap().tok, Tok::Slash);
        assert_eq!(lexer.regex().unwrap().tok, Tok::Regex(r"(?i)err/or\d".into()));
        assert_eq!(lexer.next().unwrap().tok, Tok::Pipe);
    }

    #[test]
    fn unterminated_strings_regexes_and_names_are_errors() {
        assert!(all("\"abc").unwrap_err().to_string().contains("unterminated string"));
        assert!(all("`abc").unwrap_err().to_string().contains("unterminated field name"));
        let mut lexer = Lexer::new("/abc");
        lexer.peek().unwrap();
        assert!(lexer.regex().unwrap_err().to_string().contains("unterminated regex"));
        assert!(all("a ; b").unwrap_err().to_string().contains("column 3: unexpected character ';'"));
    }
}
