//! Expressions evaluated against a record.
//!
//! A missing field makes a comparison false (so `filter level != "info"` drops events without a
//! level, as Insights does), arithmetic on it or on text empty, and `ispresent` false.

use super::ast::{BinOp, Builtin, Expr, FieldId, Func, Pattern};
use super::bins::bin_start;
use super::record::Record;
use super::value::{compare, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// The value of `expr` for this record; `None` when there is none.
pub fn eval<'r, R: Record<'r>>(expr: &'r Expr, record: &mut R) -> Option<Value<'r>> {
    match expr {
        Expr::Field(field) => record.get(*field),
        Expr::Str(s) => Some(Value::Str(Cow::Borrowed(s))),
        Expr::Num(n) => Some(Value::Num(*n)),
        Expr::Neg(inner) => eval(inner, record)?.as_number().map(|n| Value::Num(-n)),
        Expr::Not(inner) => Some(Value::Bool(!truthy(eval(inner, record).as_ref()))),
        Expr::Binary(BinOp::And, l, r) => {
            Some(Value::Bool(truthy(eval(l, record).as_ref()) && truthy(eval(r, record).as_ref())))
        }
        Expr::Binary(BinOp::Or, l, r) => {
            Some(Value::Bool(truthy(eval(l, record).as_ref()) || truthy(eval(r, record).as_ref())))
        }
        Expr::Binary(op, l, r) => {
            let (left, right) = (eval(l, record), eval(r, record));
            binary(*op, left.as_ref(), right.as_ref())
        }
        Expr::Like { value, pattern, negated } => {
            let value = eval(value, record)?;
            let text = value.as_text();
            let found = match pattern {
                Pattern::Substring(s) => text.contains(s.as_str()),
                Pattern::Regex(r) => r.is_match(&text),
            };
            Some(Value::Bool(found != *negated))
        }
        Expr::In { value, list, negated } => {
            let value = eval(value, record)?;
            let found = list
                .iter()
                .any(|item| eval(item, record).is_some_and(|item| compare(&value, &item) == Some(Ordering::Equal)));
            Some(Value::Bool(found != *negated))
        }
        Expr::Call(func, arg) => call(*func, eval(arg, record)),
        Expr::Bin(width) => match record.get(FieldId::Builtin(Builtin::Timestamp))? {
            Value::Time(ms) => Some(Value::Time(bin_start(ms, *width))),
            _ => None,
        },
    }
}

/// Whether a value lets a record through `filter`: true, a non-zero number, non-empty text.
pub fn truthy(value: Option<&Value<'_>>) -> bool {
    match value {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Num(n)) => *n != 0.0,
        Some(Value::Time(_)) => true,
        Some(Value::Str(s)) => !s.is_empty(),
    }
}

fn binary<'r>(op: BinOp, left: Option<&Value<'r>>, right: Option<&Value<'r>>) -> Option<Value<'r>> {
    let (Some(left), Some(right)) = (left, right) else {
        // A comparison with nothing is false; arithmetic with nothing is nothing.
        return is_comparison(op).then_some(Value::Bool(false));
    };
    if is_comparison(op) {
        let order = compare(left, right);
        let holds = match op {
            BinOp::Eq => order == Some(Ordering::Equal),
            BinOp::Ne => order.is_some_and(|o| o != Ordering::Equal),
            BinOp::Lt => order == Some(Ordering::Less),
            BinOp::Le => matches!(order, Some(Ordering::Less | Ordering::Equal)),
            BinOp::Gt => order == Some(Ordering::Greater),
            _ => matches!(order, Some(Ordering::Greater | Ordering::Equal)),
        };
        return Some(Value::Bool(holds));
    }
    let (x, y) = (left.as_number()?, right.as_number()?);
    let n = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div if y != 0.0 => x / y,
        BinOp::Rem if y != 0.0 => x % y,
        _ => return None,
    };
    n.is_finite().then_some(Value::Num(n))
}

fn is_comparison(op: BinOp) -> bool {
    matches!(op, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
}

fn call<'r>(func: Func, arg: Option<Value<'r>>) -> Option<Value<'r>> {
    match func {
        Func::IsPresent => Some(Value::Bool(arg.is_some())),
        Func::IsEmpty => Some(Value::Bool(arg.is_none_or(|v| v.as_text().is_empty()))),
        Func::StrLen => Some(Value::Num(arg?.as_text().chars().count() as f64)),
        Func::ToLower => Some(Value::Str(Cow::Owned(arg?.as_text().to_lowercase()))),
        Func::ToUpper => Some(Value::Str(Cow::Owned(arg?.as_text().to_uppercase()))),
        Func::Abs => Some(Value::Num(arg?.as_number()?.abs())),
        Func::Floor => Some(Value::Num(arg?.as_number()?.floor())),
        Func::Ceil => Some(Value::Num(arg?.as_number()?.ceil())),
    }
}
