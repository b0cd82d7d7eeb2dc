//! The value axis: bounds that hold the data and the threshold with a little room, ticks on
//! round numbers, and numbers as people read them (12.5k, 3.2M, 0.05).

use super::model::Chart;
use super::series::window_values;

/// Round steps per power of ten, smallest first.
const NICE: [f64; 9] = [1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0];
/// Thousands suffixes, largest first.
const SUFFIXES: [(f64, &str); 4] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];

/// A value axis: its bounds and the ticks to label, `step` apart.
#[derive(Debug, Clone, PartialEq)]
pub struct YAxis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub step: f64,
}

/// Data beyond ±this is clipped: the braille canvas multiplies `hi - lo` by its resolution (up
/// to 4 × 65,535 dots), and an overflow there becomes an endless line.
pub const LIMIT: f64 = 1e300;

/// Bounds of the value axis: every finite value inside the window and the threshold, with 5 %
/// room above and below (see [`value_bounds`]).
pub fn y_bounds(chart: &Chart) -> (f64, f64) {
    let values = chart.series.iter().flat_map(|s| window_values(chart, s).map(|(_, v)| v));
    value_bounds(values, chart.threshold_value())
}

/// Bounds that hold `values` and the threshold with 5 % room above and below. Values that
/// never go below zero start at zero when that at most doubles the height (counts,
/// percentages, latencies); a flat series or a single value gets a range around it; nothing at
/// all gives `0..1`. Non-finite values are ignored. Always `lo < hi`, with `hi - lo` finite even
/// when multiplied by a screen's resolution (values beyond ±[`LIMIT`] are clipped).
pub fn value_bounds(values: impl IntoIterator<Item = f64>, threshold: Option<f64>) -> (f64, f64) {
    let values = values.into_iter().chain(threshold).filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let (lo, hi) = (lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT));
    let zero_based = lo >= 0.0 && lo <= hi - lo;
    let pad = if hi > lo {
        (hi - lo) / 20.0
    } else if hi == 0.0 {
        1.0
    } else {
        hi.abs() / 10.0
    };
    let lo = if zero_based { 0.0 } else { lo - pad };
    let hi = hi + pad;
    if hi > lo {
        (lo, hi)
    } else {
        // The pad vanished in rounding (subnormal values).
        (lo, lo + 1.0)
    }
}

/// The value axis for at most `max_ticks` labelled ticks (at least 2): [`y_bounds`] widened to
/// whole steps of 1, 2, 2.5 or 5 × 10ⁿ.
pub fn y_axis(chart: &Chart, max_ticks: usize) -> YAxis {
    nice_axis(y_bounds(chart), max_ticks)
}

/// `bounds` widened to whole steps of 1, 2, 2.5 or 5 × 10ⁿ, with at most `max_ticks` ticks (at
/// least 2); the bounds as they are when no round step fits.
pub fn nice_axis((lo, hi): (f64, f64), max_ticks: usize) -> YAxis {
    let max_ticks = max_ticks.max(2);
    let fallback = YAxis { lo, hi, ticks: vec![lo, hi], step: hi / 2.0 - lo / 2.0 };
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 {
        return fallback;
    }
    let raw = span / (max_ticks - 1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    for m in NICE {
        let step = magnitude * m;
        if step.is_nan() || step <= 0.0 || step < raw * (1.0 - 1e-9) {
            continue;
        }
        let first = (lo / step).floor();
        let last = (hi / step).ceil();
        let intervals = last - first;
        if intervals.is_finite() && intervals + 1.0 <= max_ticks as f64 + 1e-9 {
            let (lo, hi) = (first * step, last * step);
            if !lo.is_finite() || !hi.is_finite() || lo >= hi {
                return fallback;
            }
            let ticks = (0..=intervals as usize).map(|i| (first + i as f64) * step).collect();
            return YAxis { lo, hi, ticks, step };
        }
    }
    fallback
}

/// Labels for ticks `step` apart, sharing one suffix and as many decimals as the step needs:
/// `0, 2.5k, 5k, 7.5k`; `0, 0.05, 0.1`.
pub fn tick_labels(ticks: &[f64], step: f64) -> Vec<String> {
    let top = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    let (div, suffix) = suffix_for(top);
    let scaled_step = step / div;
    let decimals = (0..=6).find(|d| {
        let x = scaled_step * 10f64.powi(*d);
        (x - x.round()).abs() <= 1e-6 * x.abs().max(1.0)
    });
    let Some(decimals) = decimals.filter(|_| top < 1e15 && scaled_step.is_finite() && scaled_step > 0.0) else {
        return ticks.iter().map(|t| human(*t)).collect();
    };
    ticks
        .iter()
        .map(|t| {
            let text = trim_zeros(format!("{:.*}", decimals as usize, t / div));
            if text == "0" || text == "-0" {
                "0".to_owned()
            } else {
                format!("{text}{suffix}")
            }
        })
        .collect()
}

/// A value in three significant digits with a thousands suffix: `12.5k`, `3.2M`, `87.3`, `0.05`;
/// very large or very small values in exponent form (`1.2e-5`).
pub fn human(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    let a = v.abs();
    if !(1e-3..1e15).contains(&a) {
        let text = format!("{v:.2e}");
        return match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa.to_owned())),
            None => text,
        };
    }
    let unit = 10f64.powi(a.log10().floor() as i32 - 2);
    let rounded = (v / unit).round() * unit;
    let (div, suffix) = suffix_for(rounded.abs());
    let scaled = rounded / div;
    let decimals = (2 - scaled.abs().log10().floor() as i32).max(0) as usize;
    format!("{}{suffix}", trim_zeros(format!("{scaled:.decimals$}")))
}

/// A value with its unit: `42.1%`, `250 ms`.
pub fn with_unit(v: f64, unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some("%") => format!("{}%", human(v)),
        Some(unit) => format!("{} {unit}", human(v)),
        None => human(v),
    }
}

fn suffix_for(magnitude: f64) -> (f64, &'static str) {
    SUFFIXES.into_iter().find(|(div, _)| magnitude >= *div).unwrap_or((1.0, ""))
}

fn trim_zeros(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartSeries, Comparison, Threshold};
    use chrono::{Duration, TimeZone, Utc};

    fn chart(values: &[Option<f64>], threshold: Option<f64>) -> Chart {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        let points = values.iter().enumerate().map(|(i, v)| (start + Duration::minutes(i as i64), *v)).collect();
        Chart {
            start,
            end: start + Duration::minutes(values.len().max(1) as i64),
            series: vec![ChartSeries { label: "m1".into(), points }],
            threshold: threshold.map(|value| Threshold { value, comparison: Comparison::Greater }),
            ..Chart::default()
        }
    }

    #[test]
    fn bounds_hold_the_data_with_room_and_start_at_zero_for_non_negative_data() {
        let (lo, hi) = y_bounds(&chart(&[Some(20.0), Some(60.0), Some(40.0)], None));
        assert_eq!(lo, 0.0, "non-negative data near zero starts at zero");
        assert!(hi > 60.0 && hi < 70.0, "{hi}");
        // Latency far from zero keeps its detail.
        let (lo, hi) = y_bounds(&chart(&[Some(200.0), Some(220.0)], None));
        assert!(lo > 190.0 && lo < 200.0 && hi > 220.0 && hi < 230.0, "{lo}..{hi}");
        let (lo, hi) = y_bounds(&chart(&[Some(-5.0), Some(5.0)], None));
        assert!(lo < -5.0 && hi > 5.0);
    }

    #[test]
    fn bounds_include_a_threshold_above_or_below_all_data() {
        let (lo, hi) = y_bounds(&chart(&[Some(10.0), Some(20.0)], Some(50.0)));
        assert!(lo <= 10.0 && hi > 50.0, "{lo}..{hi}");
        let (lo, hi) = y_bounds(&chart(&[Some(500.0), Some(520.0)], Some(100.0)));
        assert!(lo < 100.0 && hi > 520.0, "{lo}..{hi}");
        let (lo, hi) = y_bounds(&chart(&[Some(-20.0), Some(-10.0)], Some(-50.0)));
        assert!(lo < -50.0 && hi > -10.0, "{lo}..{hi}");
        // A threshold alone still gives a range around it.
        let (lo, hi) = y_bounds(&chart(&[None, None], Some(10.0)));
        assert!(lo < 10.0 && hi > 10.0, "{lo}..{hi}");
    }

    #[test]
    fn flat_single_and_missing_data_still_get_a_visible_range() {
        let (lo, hi) = y_bounds(&chart(&[Some(5.0), Some(5.0), Some(5.0)], None));
        assert!(lo < 5.0 && hi > 5.0, "{lo}..{hi}");
        assert_eq!(y_bounds(&chart(&[Some(0.0)], None)), (0.0, 1.0));
        let (lo, hi) = y_bounds(&chart(&[Some(-3.0)], None));
        assert!(lo < -3.0 && hi > -3.0);
        assert_eq!(y_bounds(&chart(&[None, None], None)), (0.0, 1.0));
        assert_eq!(y_bounds(&chart(&[], None)), (0.0, 1.0));
        assert_eq!(y_bounds(&Chart::default()), (0.0, 1.0));
    }

    #[test]
    fn nan_and_infinite_values_are_ignored_and_extremes_stay_finite() {
        let c = chart(&[Some(f64::NAN), Some(10.0), Some(f64::INFINITY), Some(f64::NEG_INFINITY), Some(30.0)], None);
        let (lo, hi) = y_bounds(&c);
        assert!(lo == 0.0 && hi > 30.0 && hi < 40.0, "{lo}..{hi}");
        assert_eq!(y_bounds(&chart(&[None], Some(f64::NAN))), (0.0, 1.0));
        for values in [[Some(f64::MAX), Some(-f64::MAX)], [Some(f64::MAX), Some(f64::MAX)], [Some(5e-324), None]] {
            let (lo, hi) = y_bounds(&chart(&values, None));
            assert!(((hi - lo) * 1e6).is_finite() && lo < hi, "{values:?}: {lo}..{hi}");
            let axis = y_axis(&chart(&values, None), 5);
            assert!(axis.lo < axis.hi && axis.ticks.len() >= 2, "{axis:?}");
        }
    }

    #[test]
    fn the_axis_lands_on_round_ticks_within_the_budget() {
        let axis = y_axis(&chart(&[Some(3.0), Some(81.0)], Some(80.0)), 6);
        assert_eq!((axis.lo, axis.hi, axis.step), (0.0, 100.0, 20.0));
        assert_eq!(axis.ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let axis = y_axis(&chart(&[Some(0.0), Some(1.0)], None), 5);
        assert_eq!(axis.ticks, vec![0.0, 0.5, 1.0, 1.5]);
        for max in 2..10 {
            let axis = y_axis(&chart(&[Some(-7.0), Some(1234.0)], None), max);
            assert!(axis.ticks.len() <= max.max(2), "{max}: {axis:?}");
            assert!(axis.lo <= -7.0 && axis.hi >= 1234.0);
        }
    }

    #[test]
    fn tick_labels_share_a_suffix_and_the_steps_decimals() {
        assert_eq!(tick_labels(&[0.0, 2500.0, 5000.0, 7500.0], 2500.0), ["0", "2.5k", "5k", "7.5k"]);
        assert_eq!(tick_labels(&[0.0, 0.05, 0.1], 0.05), ["0", "0.05", "0.1"]);
        assert_eq!(tick_labels(&[-20.0, 0.0, 20.0], 20.0), ["-20", "0", "20"]);
        assert_eq!(tick_labels(&[3e6, 3.5e6], 5e5), ["3M", "3.5M"]);
    }

    #[test]
    fn human_numbers() {
        assert_eq!(human(12_500.0), "12.5k");
        assert_eq!(human(3_200_000.0), "3.2M");
        assert_eq!(human(0.05), "0.05");
        assert_eq!(human(87.34), "87.3");
        assert_eq!(human(999_500.0), "1M");
        assert_eq!(human(-1234.0), "-1.23k");
        assert_eq!(human(0.0), "0");
        assert_eq!(human(0.000012), "1.2e-5");
        assert_eq!(human(4.5e20), "4.5e20");
        assert_eq!(with_unit(42.14, Some("%")), "42.1%");
        assert_eq!(with_unit(250.0, Some("ms")), "250 ms");
        assert_eq!(with_unit(3.0, None), "3");
    }
}
