//! Query text to a [`Query`]: the commands, piped with `|`, checked before anything runs.

use super::ast::{
    AggFunc, Aggregate, Column, Command, Expr, FieldId, GroupBy, ParseSpec, Projection, Query, SortKey, StatsSpec,
};
use super::error::{Location, QueryError, SUPPORTED_AGGREGATES};
use super::expr_parse::ExprParser;
use super::glob;
use super::json::JsonFields;
use super::lexer::Tok;

/// Insights returns at most this many rows; `limit` can't ask for more.
pub const MAX_LIMIT: usize = 10_000;

/// Parses a Logs Insights query. See the [module documentation](super) for what is understood.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let mut p = ExprParser::new(text);
    let mut commands = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut after_dedup = false;
    loop {
        let token = p.lexer.next()?;
        if token.tok == Tok::Eof && commands.is_empty() {
            return Err(QueryError::Empty);
        }
        let name = match &token.tok {
            Tok::Ident { text, quoted: false } => text.clone(),
            _ => return Err(p.expected(&token, "a command (fields, filter, parse, stats, sort, limit or dedup)")),
        };
        let keyword = name.to_ascii_lowercase();
        if after_dedup && keyword != "limit" {
            return Err(p.invalid(token.pos, format!("only limit may follow dedup, not {keyword}")));
        }
        let command = match keyword.as_str() {
            "fields" => fields(&mut p, &mut columns)?,
            "filter" => Command::Filter(p.expr()?),
            "parse" => parse_command(&mut p)?,
            "stats" => stats(&mut p, &mut columns)?,
            "sort" => sort(&mut p)?,
            "limit" => limit(&mut p)?,
            "dedup" => {
                after_dedup = true;
                dedup(&mut p)?
            }
            _ => {
                let name = super::error::one_line(&name);
                return Err(QueryError::UnsupportedCommand { name, at: Location::of(text, token.pos) });
            }
        };
        commands.push(command);
        let next = p.lexer.next()?;
        match next.tok {
            Tok::Pipe => {}
            Tok::Eof => break,
            _ => return Err(p.expected(&next, &format!("'|' or the end of the query after the {keyword} command"))),
        }
    }
    if columns.is_empty() {
        for name in ["@timestamp", "@message"] {
            let field = p.read_field(name, 0)?;
            columns.push(Column { name: name.to_string(), field });
        }
    }
    Ok(Query { commands, slot_count: p.scope.slot_count(), json: JsonFields::new(p.scope.json_paths()), columns })
}

/// The text between two offsets, as a column name: spaces collapsed, like Insights' headers.
fn source_name(p: &ExprParser<'_>, start: usize, end: usize) -> String {
    let text = p.lexer.text();
    text.get(start..end).unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An optional `as name`.
fn alias(p: &mut ExprParser<'_>) -> Result<Option<String>, QueryError> {
    if p.eat_keyword("as")? {
        return Ok(Some(p.field_name("a name after 'as'")?.0));
    }
    Ok(None)
}

fn add_column(columns: &mut Vec<Column>, name: String, field: FieldId) {
    match columns.iter_mut().find(|c| c.name == name) {
        Some(column) => column.field = field,
        None => columns.push(Column { name, field }),
    }
}

fn fields(p: &mut ExprParser<'_>, columns: &mut Vec<Column>) -> Result<Command, QueryError> {
    let mut items = Vec::new();
    loop {
        let start = p.lexer.peek()?.pos;
        let expr = p.expr()?;
        let end = p.lexer.peek()?.pos;
        let alias_pos = end;
        let item = match (alias(p)?, expr) {
            (None, Expr::Field(field)) => Projection {
                name: source_name(p, start, end).trim_matches('`').to_string(),
                target: field,
                compute: None,
            },
            (name, expr) => {
                let name = name.unwrap_or_else(|| source_name(p, start, end));
                if p.scope.is_builtin(&name) {
                    return Err(p.invalid(alias_pos, format!("can't assign to the built-in field {name}")));
                }
                Projection { target: FieldId::Slot(p.scope.write(&name)), name, compute: Some(expr) }
            }
        };
        add_column(columns, item.name.clone(), item.target);
        items.push(item);
        if !p.eat(Tok::Comma)? {
            return Ok(Command::Fields(items));
        }
    }
}

fn parse_command(p: &mut ExprParser<'_>) -> Result<Command, QueryError> {
    let next = p.lexer.peek()?.clone();
    let source = match next.tok {
        // `parse "pattern" ...` reads @message.
        Tok::Str(_) | Tok::Slash => Expr::Field(p.read_field("@message", next.pos)?),
        _ => {
            let (name, token) = p.field_name("the field to parse, e.g. parse @message \"...\"")?;
            Expr::Field(p.read_field(&name, token.pos)?)
        }
    };
    let pattern = p.lexer.peek()?.clone();
    let (regex, names) = match pattern.tok {
        Tok::Str(glob_text) => {
            p.lexer.next()?;
            let (regex_text, stars) = glob::to_regex(&glob_text);
            if stars == 0 {
                return Err(p.invalid(pattern.pos, "a parse pattern needs a * for each field it extracts"));
            }
            let as_token = p.lexer.next()?;
            if !as_token.is_keyword("as") {
                return Err(p.expected(&as_token, &format!("'as' and {stars} field name(s) after the pattern")));
            }
            let mut names = Vec::new();
            loop {
                names.push(p.field_name("a field name")?);
                if !p.eat(Tok::Comma)? {
                    break;
                }
            }
            if names.len() != stars {
                return Err(p.invalid(
                    as_token.pos,
                    format!("the pattern has {stars} * but {} names follow 'as'", names.len()),
                ));
            }
            let numbered: Vec<(usize, (String, usize))> =
                names.into_iter().enumerate().map(|(i, (n, t))| (i + 1, (n, t.pos))).collect();
            (p.regex(&regex_text, pattern.pos)?, numbered)
        }
        Tok::Slash => {
            let token = p.lexer.regex()?;
            let Tok::Regex(text) = &token.tok else { return Err(p.expected(&token, "a /regex/")) };
            let regex = p.regex(text, token.pos)?;
            let named: Vec<(usize, (String, usize))> = regex
                .capture_names()
                .enumerate()
                .filter_map(|(i, n)| n.map(|n| (i, (n.to_string(), token.pos))))
                .collect();
            if named.is_empty() {
                return Err(p.invalid(token.pos, "a parse regex names what it extracts: (?<name>...)"));
            }
            (regex, named)
        }
        _ => return Err(p.expected(&pattern, "a \"glob * pattern\" or a /regex/ with (?<name>...) groups")),
    };
    let mut targets = Vec::new();
    for (group, (name, pos)) in names {
        if p.scope.is_builtin(&name) {
            return Err(p.invalid(pos, format!("can't assign to the built-in field {name}")));
        }
        targets.push((group, p.scope.write(&name)));
    }
    Ok(Command::Parse(ParseSpec { source, regex, targets }))
}

fn stats(p: &mut ExprParser<'_>, columns: &mut Vec<Column>) -> Result<Command, QueryError> {
    let mut aggregates: Vec<(AggFunc, Option<Expr>, String)> = Vec::new();
    loop {
        aggregates.push(aggregate(p)?);
        if !p.eat(Tok::Comma)? {
            break;
        }
    }
    let mut groups: Vec<(Expr, String, Option<i64>)> = Vec::new();
    if p.eat_keyword("by")? {
        loop {
            let start = p.lexer.peek()?.pos;
            let expr = p.expr()?;
            let end = p.lexer.peek()?.pos;
            let bin = if let Expr::Bin(width) = expr { Some(width) } else { None };
            let name = alias(p)?.unwrap_or_else(|| source_name(p, start, end).trim_matches('`').to_string());
            groups.push((expr, name, bin));
            if !p.eat(Tok::Comma)? {
                break;
            }
        }
    }
    let next = p.lexer.peek()?.clone();
    if !matches!(next.tok, Tok::Pipe | Tok::Eof) {
        let hint = if groups.is_empty() {
            "',', 'by', '|' or the end of the query"
        } else {
            "',', '|' or the end of the query"
        };
        return Err(p.syntax(
            next.pos,
            format!("expected {hint} after a stats column, found {} (one aggregate per column; arithmetic on aggregates is not supported)", next.describe()),
        ));
    }
    let names: Vec<&str> = groups.iter().map(|g| g.1.as_str()).chain(aggregates.iter().map(|a| a.2.as_str())).collect();
    if let Some(dup) = names.iter().enumerate().find_map(|(i, n)| names[..i].contains(n).then_some(*n)) {
        return Err(p.invalid(next.pos, format!("stats has two columns named '{dup}': rename one with 'as'")));
    }
    let slots = p.scope.stats_outputs(&names);
    columns.clear();
    for (name, slot) in names.iter().zip(&slots) {
        columns.push(Column { name: name.to_string(), field: FieldId::Slot(*slot) });
    }
    let (group_slots, aggregate_slots) = slots.split_at(groups.len());
    let by =
        groups.into_iter().zip(group_slots).map(|((expr, _, bin_ms), &slot)| GroupBy { expr, slot, bin_ms }).collect();
    let aggregates = aggregates
        .into_iter()
        .zip(aggregate_slots)
        .map(|((func, arg, _), &slot)| Aggregate { func, arg, slot })
        .collect();
    Ok(Command::Stats(StatsSpec { aggregates, by }))
}

/// `count(*)`, `avg(latency_ms) as mean`, `pct(latency_ms, 99)`: function, argument, column name.
fn aggregate(p: &mut ExprParser<'_>) -> Result<(AggFunc, Option<Expr>, String), QueryError> {
    let token = p.lexer.next()?;
    let Tok::Ident { text: name, quoted: false } = &token.tok else {
        return Err(p.expected(&token, "an aggregate such as count(*) or avg(field)"));
    };
    let lower = name.to_ascii_lowercase();
    if p.lexer.peek()?.tok != Tok::LParen {
        let next = p.lexer.peek()?.clone();
        return Err(
            p.expected(&next, &format!("'(' after {name}: stats takes aggregates such as count(*) or avg(field)"))
        );
    }
    let known = ["count", "sum", "avg", "min", "max", "pct", "percentile"];
    if !known.contains(&lower.as_str()) {
        return Err(QueryError::UnsupportedFunction {
            name: super::error::one_line(name),
            at: Location::of(p.lexer.text(), token.pos),
            supported: SUPPORTED_AGGREGATES,
        });
    }
    p.want(Tok::LParen, "'('")?;
    let (func, arg) = if lower == "count" {
        if p.eat(Tok::Star)? || p.lexer.peek()?.tok == Tok::RParen {
            (AggFunc::Count, None)
        } else {
            (AggFunc::Count, Some(p.expr()?))
        }
    } else {
        let arg = p.expr()?;
        let func = match lower.as_str() {
            "sum" => AggFunc::Sum,
            "avg" => AggFunc::Avg,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            _ => {
                p.want(Tok::Comma, &format!("',' and the percentile after {name}(field"))?;
                let at = p.lexer.next()?;
                match at.tok {
                    Tok::Number(n) if (0.0..=100.0).contains(&n) => AggFunc::Pct(n),
                    Tok::Number(n) => return Err(p.invalid(at.pos, format!("percentile {n} is not between 0 and 100"))),
                    _ => return Err(p.expected(&at, "a percentile between 0 and 100")),
                }
            }
        };
        (func, Some(arg))
    };
    let close = p.want(Tok::RParen, &format!("')' to close {name}("))?;
    let default = source_name(p, token.pos, close.end);
    let column = alias(p)?.unwrap_or(default);
    Ok((func, arg, column))
}

fn sort(p: &mut ExprParser<'_>) -> Result<Command, QueryError> {
    let mut keys = Vec::new();
    loop {
        let (name, token) = p.field_name("a field to sort by")?;
        let field = p.read_field(&name, token.pos)?;
        let descending = if p.eat_keyword("desc")? {
            true
        } else {
            p.eat_keyword("asc")?;
            false
        };
        keys.push(SortKey { field, descending });
        if !p.eat(Tok::Comma)? {
            return Ok(Command::Sort(keys));
        }
    }
}

fn limit(p: &mut ExprParser<'_>) -> Result<Command, QueryError> {
    let token = p.lexer.next()?;
    match token.tok {
        Tok::Number(n) if n.fract() == 0.0 && (1.0..=MAX_LIMIT as f64).contains(&n) => Ok(Command::Limit(n as usize)),
        Tok::Number(n) => Err(p.invalid(token.pos, format!("limit {n} must be a whole number from 1 to {MAX_LIMIT}"))),
        _ => Err(p.expected(&token, "the number of rows after limit")),
    }
}

fn dedup(p: &mut ExprParser<'_>) -> Result<Command, QueryError> {
    let mut fields = Vec::new();
    loop {
        let (name, token) = p.field_name("a field to dedup by")?;
        fields.push(p.read_field(&name, token.pos)?);
        if !p.eat(Tok::Comma)? {
            return Ok(Command::Dedup(fields));
        }
    }
}
