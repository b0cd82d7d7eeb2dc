//! Cost Explorer for the simulated account. A pure function of (seed, date, time of day) and of
//! what the meter says ran: days before the simulation never change, today accrues as the day
//! goes on, and a resource that was torn down stops accruing its share for as long as it is down.

use super::billing::{Meter, Unit, ECS, LAMBDA, SAGEMAKER};
use super::rng::{gauss, rng_keyed};
use crate::domain::{CostReport, DailyCost, SystemCost};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
const CLOUDWATCH: &str = "Amazon CloudWatch";
const S3: &str = "Amazon Simple Storage Service";
const ELB: &str = "Elastic Load Balancing";
const ELASTICACHE: &str = "Amazon ElastiCache";
const RDS: &str = "Amazon Relational Database Service";
const APIGW: &str = "Amazon API Gateway";

/// (system, Cost Explorer service, typical USD per day).
const LINES: [(&str, &str, f64); 31] = [
    ("cleanistic-ai", SAGEMAKER, 2.60),
    ("cleanistic-ai", ECS, 1.30),
    ("cleanistic-ai", RDS, 0.90),
    ("cleanistic-ai", ELB, 0.45),
    ("cleanistic-ai", ELASTICACHE, 0.40),
    ("cleanistic-ai", S3, 0.25),
    ("cleanistic-ai", CLOUDWATCH, 0.10),
    ("svg-ai", ECS, 1.90),
    ("svg-ai", ELB, 0.60),
    ("svg-ai", ELASTICACHE, 0.50),
    ("svg-ai", S3, 0.35),
    ("svg-ai", CLOUDWATCH, 0.25),
    ("garmax-ai", ECS, 0.50),
    ("garmax-ai", LAMBDA, 0.45),
    ("garmax-ai", ELASTICACHE, 0.35),
    ("garmax-ai", APIGW, 0.20),
    ("garmax-ai", S3, 0.20),
    ("garmax-ai", RDS, 0.15),
    ("garmax-ai", CLOUDWATCH, 0.15),
    ("children-drawing", ELB, 0.55),
    ("children-drawing", ECS, 0.30),
    ("children-drawing", CLOUDWATCH, 0.08),
    ("children-drawing", S3, 0.05),
    ("children-drawing", LAMBDA, 0.02),
    ("prediction-app", SAGEMAKER, 3.20),
    ("prediction-app", ECS, 1.20),
    ("prediction-app", ELB, 0.50),
    ("prediction-app", APIGW, 0.35),
    ("prediction-app", CLOUDWATCH, 0.15),
    ("prediction-app", S3, 0.10),
    ("prediction-app", LAMBDA, 0.04),
];

const SYSTEMS: [(&str, Option<f64>); 5] = [
    ("cleanistic-ai", None),
    ("svg-ai", Some(250.0)),
    ("garmax-ai", Some(120.0)),
    ("children-drawing", Some(40.0)),
    ("prediction-app", None),
];

const ACCOUNT_BUDGET: f64 = 600.0;

/// Full-day charge of every line on `date`, in `LINES` order.
fn day_lines(seed: u64, date: NaiveDate) -> [f64; LINES.len()] {
    let mut rng = rng_keyed(seed, date.num_days_from_ce() as u64);
    let weekend = date.weekday().num_days_from_monday() >= 5;
    let mut out = [0.0; LINES.len()];
    for (slot, (_, service, usd)) in out.iter_mut().zip(LINES.iter()) {
        // Request-priced services dip at weekends; provisioned capacity does not.
        let traffic = matches!(*service, LAMBDA | APIGW | CLOUDWATCH | S3);
        let dip = if weekend && traffic { 0.75 } else { 1.0 };
        *slot = (usd * dip * (1.0 + 0.06 * gauss(&mut rng))).max(0.0);
    }
    out
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn line_index(system: &str, service: &str) -> Option<usize> {
    LINES.iter().position(|&(s, svc, _)| s == system && svc == service)
}

/// Takes off each line the part of its full-day charge that did not run: `short` is, per unit,
/// catalog-size seconds not running that day.
fn charge_shortfall(lines: &mut [f64; LINES.len()], full: &[f64; LINES.len()], short: &[f64]) {
    for (unit, &secs) in Unit::all().zip(short) {
        let (system, service, share) = unit.line();
        if secs == 0.0 {
            continue;
        }
        if let Some(l) = line_index(system, service) {
            lines[l] = (lines[l] - full[l] * share * secs / 86_400.0).max(0.0);
        }
    }
}

/// What the account costs per hour at `now`, given what runs.
fn hourly(full_today: &[f64; LINES.len()], meter: &Meter, now: i64) -> f64 {
    let mut running = [1.0; LINES.len()];
    for unit in Unit::all() {
        let (system, service, share) = unit.line();
        if let Some(l) = line_index(system, service) {
            running[l] -= share * (1.0 - meter.running(unit, now));
        }
    }
    full_today.iter().zip(running).map(|(usd, r)| usd * r.max(0.0) / 24.0).sum()
}

/// Per-line month to date and per-day totals, plus how much of the month has elapsed.
struct Month {
    mtd: [f64; LINES.len()],
    daily: Vec<DailyCost>,
    today: f64,
    /// Days left in the month, counting the rest of today.
    days_left: f64,
    /// Average of the full days so far (today's full-day value on the 1st).
    avg_daily: [f64; LINES.len()],
    hourly: f64,
}

fn month(seed: u64, now: DateTime<Utc>, meter: &Meter) -> Month {
    let today = now.date_naive();
    let shortfall = meter.shortfall(now.timestamp());
    let frac = f64::from(now.num_seconds_from_midnight()) / 86_400.0;
    let mut mtd = [0.0; LINES.len()];
    let mut full = [0.0; LINES.len()];
    let mut daily = Vec::new();
    let mut today_total = 0.0;
    let mut today_full = [0.0; LINES.len()];
    for day in 1..=today.day() {
        let Some(date) = today.with_day(day) else {
            continue;
        };
        let full_day = day_lines(seed, date);
        let mut lines = full_day;
        if date == today {
            today_full = lines;
            lines.iter_mut().for_each(|v| *v *= frac);
        }
        let epoch_day = date.signed_duration_since(NaiveDate::default()).num_days();
        if let Some(short) = shortfall.get(&epoch_day) {
            charge_shortfall(&mut lines, &full_day, short);
        }
        if date == today {
            today_total = lines.iter().sum();
        } else {
            full.iter_mut().zip(lines.iter()).for_each(|(f, v)| *f += v);
        }
        mtd.iter_mut().zip(lines.iter()).for_each(|(m, v)| *m += v);
        daily.push(DailyCost { date, by_service: by_service(&lines) });
    }
    let full_days = f64::from(today.day() - 1);
    let avg_daily = if full_days > 0.0 { full.map(|v| v / full_days) } else { today_full };
    let days_in_month = days_in_month(today);
    let days_left = f64::from(days_in_month - today.day()) + (1.0 - frac);
    let hourly = hourly(&today_full, meter, now.timestamp());
    Month { mtd, daily, today: today_total, days_left, avg_daily, hourly }
}

fn days_in_month(d: NaiveDate) -> u32 {
    (28..=31).rev().find(|&n| d.with_day(n).is_some()).unwrap_or(28)
}

/// Sums lines per AWS service, largest first.
fn by_service(lines: &[f64; LINES.len()]) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for ((_, service, _), v) in LINES.iter().zip(lines.iter()) {
        match out.iter_mut().find(|(s, _)| s == service) {
            Some((_, total)) => *total += v,
            None => out.push((service.to_string(), *v)),
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

fn system_sum(system: &str, lines: &[f64; LINES.len()]) -> f64 {
    LINES.iter().zip(lines.iter()).filter(|((s, _, _), _)| *s == system).map(|(_, v)| v).sum()
}

/// Month-to-date charges of one system (what a billing alarm on it would see).
pub(crate) fn system_month_to_date(seed: u64, now: DateTime<Utc>, system: &str, meter: &Meter) -> f64 {
    system_sum(system, &month(seed, now, meter).mtd)
}

pub(crate) fn report(seed: u64, now: DateTime<Utc>, meter: &Meter) -> CostReport {
    let m = month(seed, now, meter);
    let month_to_date: f64 = m.mtd.iter().sum();
    let avg: f64 = m.avg_daily.iter().sum();
    let by_system = SYSTEMS
        .iter()
        .map(|&(system, budget)| {
            let mtd = system_sum(system, &m.mtd);
            SystemCost {
                system: system.to_string(),
                month_to_date: round2(mtd),
                forecast: round2(mtd + system_sum(system, &m.avg_daily) * m.days_left),
                budget,
            }
        })
        .collect();
    CostReport {
        as_of: now,
        currency: "USD".to_string(),
        today: m.today,
        month_to_date,
        forecast: month_to_date + avg * m.days_left,
        budget: Some(ACCOUNT_BUDGET),
        by_service: by_service(&m.mtd),
        by_system,
        daily: m.daily,
        hourly: Some(m.hourly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn month_to_date_is_the_sum_of_days_and_forecast_exceeds_it() {
        let r = report(42, at(21, 3), &Meter::default());
        let daily: f64 = r.daily.iter().flat_map(|d| d.by_service.iter().map(|(_, v)| v)).sum();
        assert!((daily - r.month_to_date).abs() < 1e-6);
        let services: f64 = r.by_service.iter().map(|(_, v)| v).sum();
        assert!((services - r.month_to_date).abs() < 1e-6);
        assert!(r.forecast >= r.month_to_date);
        assert_eq!(r.daily.len(), 21);
        assert!(r.by_service.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(r.by_system.iter().all(|s| s.forecast >= s.month_to_date));
        assert!(r.forecast > 300.0 && r.forecast < 700.0, "{}", r.forecast);
    }

    #[test]
    fn past_days_are_fixed_and_today_accrues() {
        let calm = Meter::default();
        let early = report(42, at(21, 3), &calm);
        let late = report(42, at(21, 20), &calm);
        assert_eq!(early.daily[..20], late.daily[..20]);
        assert!(late.today > early.today);
        assert!(late.month_to_date > early.month_to_date);
        assert_ne!(report(43, at(21, 3), &calm).daily[0], early.daily[0]);
        let first = report(42, at(1, 0), &calm);
        assert!(first.forecast > 0.0 && first.today == 0.0);
    }
}
