//! A parsed query: its commands, its expressions, and the fields its records carry.
//!
//! Field names are resolved once, at parse time: a built-in is a [`Builtin`], every other name a
//! slot number, so running the query never looks a name up.

use super::json::JsonFields;
use regex::Regex;

/// The fields every event has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    Timestamp,
    Message,
    LogStream,
    Log,
    Ptr,
}

impl Builtin {
    pub const ALL: [(&'static str, Builtin); 5] = [
        ("@timestamp", Builtin::Timestamp),
        ("@message", Builtin::Message),
        ("@logStream", Builtin::LogStream),
        ("@log", Builtin::Log),
        ("@ptr", Builtin::Ptr),
    ];

    pub fn named(name: &str) -> Option<Builtin> {
        Builtin::ALL.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Builtin(Builtin),
    /// A discovered (JSON), extracted (`parse`), computed (`fields ... as`) or `stats` field.
    Slot(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

/// The right side of `like` / `=~`.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// `like "text"`: the text appears in the value (case-sensitive).
    Substring(String),
    Regex(Regex),
}

/// The functions an expression may call outside `stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    IsPresent,
    IsEmpty,
    StrLen,
    ToLower,
    ToUpper,
    Abs,
    Floor,
    Ceil,
}

impl Func {
    pub fn named(name: &str) -> Option<Func> {
        Some(match name {
            "ispresent" => Func::IsPresent,
            "isempty" => Func::IsEmpty,
            "strlen" => Func::StrLen,
            "tolower" => Func::ToLower,
            "toupper" => Func::ToUpper,
            "abs" => Func::Abs,
            "floor" => Func::Floor,
            "ceil" => Func::Ceil,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub enum Expr {
    Field(FieldId),
    Str(String),
    Num(f64),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Like {
        value: Box<Expr>,
        pattern: Pattern,
        negated: bool,
    },
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Call(Func, Box<Expr>),
    /// `bin(5m)`: the start of the bin `@timestamp` falls in; the width in milliseconds.
    Bin(i64),
}

/// One item of `fields`: the column name and where its value is (a computed item writes `target`).
#[derive(Debug, Clone)]
pub struct Projection {
    pub name: String,
    pub target: FieldId,
    /// `None` for a plain field (`fields level`): nothing to compute.
    pub compute: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct ParseSpec {
    pub source: Expr,
    pub regex: Regex,
    /// (capture group index, slot it fills).
    pub targets: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AggFunc {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    /// `pct(field, 99)`: the percentile, 0 to 100.
    Pct(f64),
}

#[derive(Debug, Clone)]
pub struct Aggregate {
    pub func: AggFunc,
    /// `None` for `count()` / `count(*)`.
    pub arg: Option<Expr>,
    pub slot: usize,
}

#[derive(Debug, Clone)]
pub struct GroupBy {
    pub expr: Expr,
    pub slot: usize,
    /// The width when the group is `bin(...)`.
    pub bin_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct StatsSpec {
    pub aggregates: Vec<Aggregate>,
    pub by: Vec<GroupBy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub field: FieldId,
    pub descending: bool,
}

#[derive(Debug, Clone)]
pub enum Command {
    Fields(Vec<Projection>),
    Filter(Expr),
    Parse(ParseSpec),
    Stats(StatsSpec),
    Sort(Vec<SortKey>),
    Limit(usize),
    Dedup(Vec<FieldId>),
}

impl Command {
    /// Fields, filter and parse work on one record at a time, so they run as the events stream by.
    pub fn is_per_record(&self) -> bool {
        matches!(self, Command::Fields(_) | Command::Filter(_) | Command::Parse(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub field: FieldId,
}

/// A parsed query, ready to run any number of times. Build it with `insights::parse`.
#[derive(Debug, Clone)]
pub struct Query {
    pub(super) commands: Vec<Command>,
    pub(super) slot_count: usize,
    /// The JSON paths the query reads from events, and their slots.
    pub(super) json: JsonFields,
    /// The result's columns.
    pub(super) columns: Vec<Column>,
}
