//! `stats`: records grouped by their `by` values, each group folded into its aggregates.
//!
//! A group's key borrows from the events, so an event of an existing group costs one hash lookup
//! and no allocation.

use super::ast::{AggFunc, Aggregate, StatsSpec};
use super::eval::eval;
use super::record::{Record, Row};
use super::value::{natural_cmp, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One `by` value as a hash key. Numbers by their bits (with -0 as 0), no value as `Null`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key<'r> {
    Null,
    Str(Cow<'r, str>),
    Num(u64),
    Time(i64),
    Bool(bool),
}

impl<'r> Key<'r> {
    fn of(value: Option<Value<'r>>) -> Key<'r> {
        match value {
            None => Key::Null,
            Some(Value::Str(s)) => Key::Str(s),
            Some(Value::Num(n)) => Key::Num(if n == 0.0 { 0.0f64.to_bits() } else { n.to_bits() }),
            Some(Value::Time(t)) => Key::Time(t),
            Some(Value::Bool(b)) => Key::Bool(b),
        }
    }

    fn value(&self) -> Option<Value<'r>> {
        match self {
            Key::Null => None,
            Key::Str(s) => Some(Value::Str(s.clone())),
            Key::Num(bits) => Some(Value::Num(f64::from_bits(*bits))),
            Key::Time(t) => Some(Value::Time(*t)),
            Key::Bool(b) => Some(Value::Bool(*b)),
        }
    }
}

/// The running state of one aggregate in one group.
#[derive(Debug, Clone)]
enum Acc {
    Count(u64),
    Sum {
        total: f64,
        seen: bool,
    },
    Avg {
        total: f64,
        n: u64,
    },
    /// Min or max; `time` when every value was a timestamp, so the result prints as one.
    Extreme {
        best: Option<f64>,
        time: bool,
        max: bool,
    },
    Pct {
        values: Vec<f64>,
        at: f64,
    },
}

impl Acc {
    fn new(func: AggFunc) -> Acc {
        match func {
            AggFunc::Count => Acc::Count(0),
            AggFunc::Sum => Acc::Sum { total: 0.0, seen: false },
            AggFunc::Avg => Acc::Avg { total: 0.0, n: 0 },
            AggFunc::Min => Acc::Extreme { best: None, time: true, max: false },
            AggFunc::Max => Acc::Extreme { best: None, time: true, max: true },
            AggFunc::Pct(at) => Acc::Pct { values: Vec::new(), at },
        }
    }

    fn add<'r, R: Record<'r>>(&mut self, aggregate: &'r Aggregate, record: &mut R) {
        let value = match &aggregate.arg {
            None => {
                if let Acc::Count(n) = self {
                    *n += 1;
                }
                return;
            }
            Some(arg) => eval(arg, record),
        };
        let Some(value) = value else { return };
        if let Acc::Count(n) = self {
            *n += 1;
            return;
        }
        let Some(x) = value.as_number() else { return };
        match self {
            Acc::Sum { total, seen } => {
                *total += x;
                *seen = true;
            }
            Acc::Avg { total, n } => {
                *total += x;
                *n += 1;
            }
            Acc::Extreme { best, time, max } => {
                *time &= matches!(value, Value::Time(_));
                let better = best.is_none_or(|b| if *max { x > b } else { x < b });
                if better {
                    *best = Some(x);
                }
            }
            Acc::Pct { values, .. } => values.push(x),
            Acc::Count(_) => {}
        }
    }

    fn result(self) -> Option<Value<'static>> {
        match self {
            Acc::Count(n) => Some(Value::Num(n as f64)),
            Acc::Sum { total, seen } => seen.then_some(Value::Num(total)),
            Acc::Avg { total, n } => (n > 0).then(|| Value::Num(total / n as f64)),
            Acc::Extreme { best, time, .. } => best.map(|b| if time { Value::Time(b as i64) } else { Value::Num(b) }),
            Acc::Pct { mut values, at } => {
                if values.is_empty() {
                    return None;
                }
                values.sort_unstable_by(f64::total_cmp);
                // Nearest rank: the smallest value with at least `at` percent of values at or below it.
                let rank = ((at / 100.0) * values.len() as f64).ceil() as usize;
                values.get(rank.clamp(1, values.len()) - 1).map(|v| Value::Num(*v))
            }
        }
    }
}

/// Folds records into the groups of one `stats` command.
pub struct Grouper<'r> {
    spec: &'r StatsSpec,
    slot_count: usize,
    index: HashMap<Vec<Key<'r>>, usize>,
    groups: Vec<(Vec<Key<'r>>, Vec<Acc>)>,
    scratch: Vec<Key<'r>>,
}

impl<'r> Grouper<'r> {
    pub fn new(spec: &'r StatsSpec, slot_count: usize) -> Grouper<'r> {
        Grouper { spec, slot_count, index: HashMap::new(), groups: Vec::new(), scratch: Vec::new() }
    }

    pub fn add<R: Record<'r>>(&mut self, record: &mut R) {
        let spec = self.spec;
        self.scratch.clear();
        for group in &spec.by {
            self.scratch.push(Key::of(eval(&group.expr, record)));
        }
        let index = match self.index.get(self.scratch.as_slice()) {
            Some(&i) => i,
            None => {
                let i = self.groups.len();
                self.index.insert(self.scratch.clone(), i);
                let accs = spec.aggregates.iter().map(|a| Acc::new(a.func)).collect();
                self.groups.push((self.scratch.clone(), accs));
                i
            }
        };
        if let Some((_, accs)) = self.groups.get_mut(index) {
            for (acc, aggregate) in accs.iter_mut().zip(&spec.aggregates) {
                acc.add(aggregate, record);
            }
        }
    }

    /// One row per group: newest bin first, other `by` values in natural order. A `stats`
    /// without `by` always gives one row (a count of 0 when nothing matched).
    pub fn finish(mut self) -> Vec<Row<'r>> {
        if self.groups.is_empty() && self.spec.by.is_empty() {
            self.groups.push((Vec::new(), self.spec.aggregates.iter().map(|a| Acc::new(a.func)).collect()));
        }
        let spec = self.spec;
        self.groups.sort_by(|(a, _), (b, _)| {
            for ((x, y), group) in a.iter().zip(b).zip(&spec.by) {
                let order = match (x.value(), y.value()) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(_), None) => Ordering::Less,
                    (Some(x), Some(y)) if group.bin_ms.is_some() => natural_cmp(&y, &x),
                    (Some(x), Some(y)) => natural_cmp(&x, &y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        });
        let slot_count = self.slot_count;
        self.groups
            .into_iter()
            .map(|(keys, accs)| {
                let mut cells = vec![None; slot_count];
                for (key, group) in keys.iter().zip(&spec.by) {
                    if let Some(cell) = cells.get_mut(group.slot) {
                        *cell = key.value();
                    }
                }
                for (acc, aggregate) in accs.into_iter().zip(&spec.aggregates) {
                    if let Some(cell) = cells.get_mut(aggregate.slot) {
                        *cell = acc.result();
                    }
                }
                Row { event: None, cells }
            })
            .collect()
    }
}
