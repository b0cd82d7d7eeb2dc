//! The expression grammar shared by `filter`, `fields`, `stats` and `parse`, with the token
//! helpers the command parser uses.
//!
//! Precedence, loosest first: `or`, `and`, `not`, one comparison (`=`, `!=`, `<`, `<=`, `>`,
//! `>=`, `like`, `not like`, `=~`, `in [..]`, `not in [..]`), `+ -`, `* / %`, unary `-`.

use super::ast::{BinOp, Expr, FieldId, Func, Pattern};
use super::bins::parse_width;
use super::error::{excerpt, one_line, QueryError, SUPPORTED_FUNCTIONS};
use super::lexer::{Lexer, Tok, Token};
use super::scope::Scope;
use regex::{Regex, RegexBuilder};

/// Compiled regexes above this size are refused: a typo like `\w{1000}{1000}` would otherwise take
/// seconds and megabytes to build.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// Parentheses, `not` and unary minus nest at most this deep: the parser recurses on them.
const MAX_NESTING: usize = 64;
/// Operators and calls in one query, at most: evaluation recurses on expression trees, and this
/// bounds how deep one can be.
const MAX_NODES: usize = 1_000;

/// Words that are grammar, not field names (a field called one of these needs backticks).
const RESERVED: [&str; 9] = ["and", "or", "not", "like", "in", "as", "by", "asc", "desc"];

/// The aggregates, refused outside `stats` with a pointer to where they belong.
pub const AGGREGATES: [&str; 7] = ["count", "sum", "avg", "min", "max", "pct", "percentile"];

pub struct ExprParser<'t> {
    pub lexer: Lexer<'t>,
    pub scope: Scope,
    nesting: usize,
    nodes: usize,
}

impl<'t> ExprParser<'t> {
    pub fn new(text: &'t str) -> ExprParser<'t> {
        ExprParser { lexer: Lexer::new(text), scope: Scope::default(), nesting: 0, nodes: 0 }
    }

    /// Counts one more operator or call against [`MAX_NODES`].
    fn node(&mut self) -> Result<(), QueryError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            let at = self.lexer.peek()?.pos;
            return Err(self.invalid(at, format!("the query is too complex (over {MAX_NODES} operators)")));
        }
        Ok(())
    }

    /// Runs `parse` one level deeper, refusing past [`MAX_NESTING`].
    fn nested<T>(&mut self, parse: impl FnOnce(&mut Self) -> Result<T, QueryError>) -> Result<T, QueryError> {
        if self.nesting >= MAX_NESTING {
            let at = self.lexer.peek()?.pos;
            return Err(self.invalid(at, format!("expression nested more than {MAX_NESTING} deep")));
        }
        self.nesting += 1;
        let result = parse(self);
        self.nesting -= 1;
        result
    }

    pub fn syntax(&self, pos: usize, message: impl Into<String>) -> QueryError {
        QueryError::syntax(self.lexer.text(), pos, message)
    }

    pub fn invalid(&self, pos: usize, message: impl Into<String>) -> QueryError {
        QueryError::invalid(self.lexer.text(), pos, message)
    }

    pub fn expected(&self, token: &Token, what: &str) -> QueryError {
        self.syntax(token.pos, format!("expected {what}, found {}", token.describe()))
    }

    /// Consumes the next token if it is `tok`; otherwise says `what` was expected.
    pub fn want(&mut self, tok: Tok, what: &str) -> Result<Token, QueryError> {
        let token = self.lexer.next()?;
        if token.tok == tok {
            Ok(token)
        } else {
            Err(self.expected(&token, what))
        }
    }

    /// Consumes the next token if it is the keyword `word`.
    pub fn eat_keyword(&mut self, word: &str) -> Result<bool, QueryError> {
        let found = self.lexer.peek()?.is_keyword(word);
        if found {
            self.lexer.next()?;
        }
        Ok(found)
    }

    pub fn eat(&mut self, tok: Tok) -> Result<bool, QueryError> {
        let found = self.lexer.peek()?.tok == tok;
        if found {
            self.lexer.next()?;
        }
        Ok(found)
    }

    /// A field name (plain or in backticks) for `what` to name, with its token.
    pub fn field_name(&mut self, what: &str) -> Result<(String, Token), QueryError> {
        let token = self.lexer.next()?;
        match &token.tok {
            Tok::Ident { text, quoted } if *quoted || !is_reserved(text) => Ok((text.clone(), token.clone())),
            _ => Err(self.expected(&token, what)),
        }
    }

    /// Resolves a name read at `pos`.
    pub fn read_field(&mut self, name: &str, pos: usize) -> Result<FieldId, QueryError> {
        self.scope.read(name).map_err(|message| self.invalid(pos, message))
    }

    pub fn regex(&self, pattern: &str, pos: usize) -> Result<Regex, QueryError> {
        RegexBuilder::new(pattern).size_limit(REGEX_SIZE_LIMIT).build().map_err(|e| QueryError::BadRegex {
            pattern: one_line(&excerpt(pattern)),
            reason: one_line(&regex_reason(&e.to_string())),
            at: super::error::Location::of(self.lexer.text(), pos),
        })
    }

    pub fn expr(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.eat_keyword("or")? {
            self.node()?;
            left = Expr::Binary(BinOp::Or, Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.not()?;
        while self.eat_keyword("and")? {
            self.node()?;
            left = Expr::Binary(BinOp::And, Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if self.eat_keyword("not")? || self.eat(Tok::Bang)? {
            self.node()?;
            return Ok(Expr::Not(Box::new(self.nested(Self::not)?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, QueryError> {
        let left = self.additive()?;
        let token = self.lexer.peek()?.clone();
        if matches!(token.tok, Tok::Eq | Tok::Ne | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge | Tok::Match)
            || token.is_keyword("not")
            || token.is_keyword("like")
            || token.is_keyword("in")
        {
            self.node()?;
        }
        let op = match token.tok {
            Tok::Eq => BinOp::Eq,
            Tok::Ne => BinOp::Ne,
            Tok::Lt => BinOp::Lt,
            Tok::Le => BinOp::Le,
            Tok::Gt => BinOp::Gt,
            Tok::Ge => BinOp::Ge,
            Tok::Match => {
                self.lexer.next()?;
                let pattern = self.pattern(true)?;
                return Ok(Expr::Like { value: Box::new(left), pattern, negated: false });
            }
            _ => {
                let negated = token.is_keyword("not");
                if negated {
                    self.lexer.next()?;
                }
                let word = self.lexer.peek()?.clone();
                if word.is_keyword("like") {
                    self.lexer.next()?;
                    let pattern = self.pattern(false)?;
                    return Ok(Expr::Like { value: Box::new(left), pattern, negated });
                }
                if word.is_keyword("in") {
                    self.lexer.next()?;
                    let list = self.list()?;
                    return Ok(Expr::In { value: Box::new(left), list, negated });
                }
                if negated {
                    return Err(self.expected(&word, "'like' or 'in' after 'not'"));
                }
                return Ok(left);
            }
        };
        self.lexer.next()?;
        let right = self.additive()?;
        Ok(Expr::Binary(op, Box::new(left), Box::new(right)))
    }

    /// After `like` a /regex/ or a "substring"; after `=~` a /regex/ (or a string read as one).
    fn pattern(&mut self, string_is_regex: bool) -> Result<Pattern, QueryError> {
        let token = self.lexer.peek()?.clone();
        match token.tok {
            Tok::Slash => {
                let token = self.lexer.regex()?;
                match &token.tok {
                    Tok::Regex(p) => Ok(Pattern::Regex(self.regex(p, token.pos)?)),
                    _ => Err(self.expected(&token, "a /regex/")),
                }
            }
            Tok::Str(s) => {
                self.lexer.next()?;
                if string_is_regex {
                    Ok(Pattern::Regex(self.regex(&s, token.pos)?))
                } else {
                    Ok(Pattern::Substring(s))
                }
            }
            _ => Err(self.expected(&token, "a /regex/ or a \"string\"")),
        }
    }

    fn list(&mut self) -> Result<Vec<Expr>, QueryError> {
        self.want(Tok::LBracket, "'[' to start the list after 'in'")?;
        let mut items = Vec::new();
        if self.eat(Tok::RBracket)? {
            return Ok(items);
        }
        loop {
            items.push(self.additive()?);
            if self.eat(Tok::RBracket)? {
                return Ok(items);
            }
            self.want(Tok::Comma, "',' or ']' in the list")?;
        }
    }

    fn additive(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.lexer.peek()?.tok {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(left),
            };
            self.lexer.next()?;
            self.node()?;
            left = Expr::Binary(op, Box::new(left), Box::new(self.multiplicative()?));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.lexer.peek()?.tok {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::Percent => BinOp::Rem,
                _ => return Ok(left),
            };
            self.lexer.next()?;
            self.node()?;
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.eat(Tok::Minus)? {
            self.node()?;
            return Ok(Expr::Neg(Box::new(self.nested(Self::unary)?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        if self.lexer.peek()?.tok == Tok::Slash {
            let token = self.lexer.regex()?;
            return Err(
                self.syntax(token.pos, "a /regex/ goes after 'like' or '=~', e.g. filter @message like /error/")
            );
        }
        let token = self.lexer.next()?;
        match token.tok {
            Tok::Number(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Duration(d) => Err(self.syntax(token.pos, format!("'{d}' is a time span: it goes inside bin(...)"))),
            Tok::LParen => {
                let inner = self.nested(Self::expr)?;
                self.want(Tok::RParen, "')'")?;
                Ok(inner)
            }
            Tok::Ident { ref text, quoted: true } => Ok(Expr::Field(self.read_field(text, token.pos)?)),
            Tok::Ident { ref text, quoted: false } => {
                if self.lexer.peek()?.tok == Tok::LParen {
                    return self.call(text, token.pos);
                }
                if is_reserved(text) {
                    return Err(self.expected(&token, "a field, a number or a \"string\""));
                }
                Ok(Expr::Field(self.read_field(text, token.pos)?))
            }
            _ => Err(self.expected(&token, "a field, a number or a \"string\"")),
        }
    }

    /// `name(` has been read up to the parenthesis.
    fn call(&mut self, name: &str, pos: usize) -> Result<Expr, QueryError> {
        let lower = name.to_ascii_lowercase();
        if lower == "bin" {
            return self.bin(pos).map(Expr::Bin);
        }
        if let Some(func) = Func::named(&lower) {
            self.want(Tok::LParen, "'('")?;
            self.node()?;
            let arg = self.nested(Self::expr)?;
            self.want(Tok::RParen, &format!("')' to close {lower}( (it takes one argument)"))?;
            return Ok(Expr::Call(func, Box::new(arg)));
        }
        if AGGREGATES.contains(&lower.as_str()) {
            return Err(self.invalid(pos, format!("'{name}' is an aggregate: it works only in stats")));
        }
        Err(QueryError::UnsupportedFunction {
            name: one_line(name),
            at: super::error::Location::of(self.lexer.text(), pos),
            supported: SUPPORTED_FUNCTIONS,
        })
    }

    /// `bin(5m)` after the name: the width in milliseconds.
    pub fn bin(&mut self, pos: usize) -> Result<i64, QueryError> {
        self.want(Tok::LParen, "'(' after bin")?;
        let token = self.lexer.next()?;
        let width = match &token.tok {
            Tok::Duration(d) => parse_width(d).map_err(|m| self.invalid(token.pos, m))?,
            Tok::Number(n) => {
                return Err(self.invalid(token.pos, format!("bin({n}) needs a time unit, e.g. bin({n}m)")))
            }
            _ => return Err(self.expected(&token, "a time span such as 5m")),
        };
        self.want(Tok::RParen, "')' after the bin width")?;
        if width <= 0 {
            return Err(self.invalid(pos, "bin width must be positive"));
        }
        Ok(width)
    }
}

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

/// The regex crate's multi-line error, as the one line that says what is wrong.
fn regex_reason(message: &str) -> String {
    message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error:").map(|r| r.trim().to_string()))
        .unwrap_or_else(|| message.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Expr, QueryError> {
        let mut p = ExprParser::new(text);
        let e = p.expr()?;
        match p.lexer.next()?.tok {
            Tok::Eof => Ok(e),
            other => panic!("left over: {other:?}"),
        }
    }

    #[test]
    fn precedence_binds_arithmetic_then_comparison_then_not_and_or() {
        let e = parse("not a = 1 + 2 * 3 or b like /x/ and c in [1, 2]").unwrap();
        let Expr::Binary(BinOp::Or, left, right) = e else { panic!("or on top") };
        let Expr::Not(inner) = *left else { panic!("not") };
        let Expr::Binary(BinOp::Eq, _, sum) = *inner else { panic!("eq") };
        assert!(
            matches!(*sum, Expr::Binary(BinOp::Add, _, ref product) if matches!(**product, Expr::Binary(BinOp::Mul, _, _)))
        );
        assert!(matches!(*right, Expr::Binary(BinOp::And, ref l, ref r)
            if matches!(**l, Expr::Like { negated: false, .. }) && matches!(**r, Expr::In { negated: false, .. })));
    }

    #[test]
    fn slash_divides_after_an_operand_and_starts_a_regex_after_like() {
        assert!(matches!(parse("a / 2").unwrap(), Expr::Binary(BinOp::Div, _, _)));
        assert!(
            matches!(parse("@message like /a\\/b/").unwrap(), Expr::Like { pattern: Pattern::Regex(ref r), .. } if r.as_str() == "a/b")
        );
        assert!(matches!(
            parse("x not like \"a\"").unwrap(),
            Expr::Like { negated: true, pattern: Pattern::Substring(_), .. }
        ));
    }

    #[test]
    fn mistakes_say_where_and_what_was_expected() {
        assert_eq!(
            parse("a = ").unwrap_err().to_string(),
            "syntax error at column 5: expected a field, a number or a \"string\", found the end of the query"
        );
        assert_eq!(
            parse("a not = 1").unwrap_err().to_string(),
            "syntax error at column 7: expected 'like' or 'in' after 'not', found '='"
        );
        assert!(parse("a like /(/")
            .unwrap_err()
            .to_string()
            .starts_with("invalid regex /(/ at column 8: unclosed group"));
        assert!(parse("concat(a)").unwrap_err().to_string().starts_with("unsupported function 'concat' at column 1"));
        assert!(parse("avg(a) > 1").unwrap_err().to_string().contains("'avg' is an aggregate"));
        assert!(parse("/x/").unwrap_err().to_string().contains("goes after 'like'"));
    }

    #[test]
    fn deep_or_huge_expressions_are_refused_not_a_stack_overflow() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).unwrap_err().to_string().contains("nested more than 64 deep"));
        assert!(parse(&"not ".repeat(100_000)).unwrap_err().to_string().contains("nested more than 64 deep"));
        assert!(parse(&"-".repeat(100_000)).unwrap_err().to_string().contains("nested more than 64 deep"));
        let long = vec!["1"; 5_000].join(" + ");
        assert!(parse(&long).unwrap_err().to_string().contains("too complex (over 1000 operators)"));
        assert!(parse(&vec!["1"; 500].join(" * ")).is_ok());
    }
}
