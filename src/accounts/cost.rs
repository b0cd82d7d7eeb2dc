//! The fleet's cost: every member's Cost Explorer figures added up, systems named with their place.

use crate::domain::{CostReport, DailyCost, SystemCost};
use std::collections::BTreeMap;

/// Sum the reports of several accounts and regions (None when there are none). A budget or a
/// present rate is summed only where every member has one: a partial sum would read as the whole.
pub fn merge(reports: Vec<(String, CostReport)>) -> Option<CostReport> {
    let (_, first) = reports.first()?;
    let mut out = CostReport {
        as_of: first.as_of,
        currency: first.currency.clone(),
        today: 0.0,
        month_to_date: 0.0,
        forecast: 0.0,
        budget: Some(0.0),
        by_service: Vec::new(),
        by_system: Vec::new(),
        daily: Vec::new(),
        hourly: Some(0.0),
    };
    let mut by_service: BTreeMap<String, f64> = BTreeMap::new();
    let mut daily: BTreeMap<chrono::NaiveDate, BTreeMap<String, f64>> = BTreeMap::new();
    for (place, r) in reports {
        out.as_of = out.as_of.min(r.as_of);
        out.today += r.today;
        out.month_to_date += r.month_to_date;
        out.forecast += r.forecast;
        out.budget = out.budget.zip(r.budget).map(|(a, b)| a + b);
        out.hourly = out.hourly.zip(r.hourly).map(|(a, b)| a + b);
        for (service, usd) in r.by_service {
            *by_service.entry(service).or_default() += usd;
        }
        out.by_system
            .extend(r.by_system.into_iter().map(|s| SystemCost { system: format!("{} ({place})", s.system), ..s }));
        for day in r.daily {
            let entry = daily.entry(day.date).or_default();
            for (service, usd) in day.by_service {
                *entry.entry(service).or_default() += usd;
            }
        }
    }
    out.by_service = by_service.into_iter().collect();
    out.by_service.sort_by(|a, b| b.1.total_cmp(&a.1));
    out.by_system.sort_by(|a, b| b.month_to_date.total_cmp(&a.month_to_date));
    out.daily = daily.into_iter().map(|(date, m)| DailyCost { date, by_service: m.into_iter().collect() }).collect();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(mtd: f64, budget: Option<f64>, system: &str) -> CostReport {
        CostReport {
            as_of: chrono::Utc::now(),
            currency: "USD".into(),
            today: 1.0,
            month_to_date: mtd,
            forecast: mtd * 2.0,
            budget,
            by_service: vec![("Amazon SageMaker".into(), mtd)],
            by_system: vec![SystemCost {
                system: system.into(),
                month_to_date: mtd,
                forecast: mtd * 2.0,
                budget: None,
            }],
            daily: Vec::new(),
            hourly: None,
        }
    }

    #[test]
    fn accounts_add_up_and_a_budget_only_when_each_has_one() {
        let merged = merge(vec![
            ("prod@us-east-1".into(), report(100.0, Some(500.0), "garmax")),
            ("staging@us-east-1".into(), report(20.0, None, "garmax")),
        ])
        .unwrap();
        assert_eq!(merged.month_to_date, 120.0);
        assert_eq!(merged.by_service, vec![("Amazon SageMaker".to_string(), 120.0)]);
        assert_eq!(merged.budget, None, "one account without a budget: no total budget");
        assert_eq!(merged.by_system[0].system, "garmax (prod@us-east-1)");
        assert!(merge(Vec::new()).is_none());
    }
}
