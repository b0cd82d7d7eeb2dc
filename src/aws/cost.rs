//! Cost Explorer. Every request is billed ($0.01) and the data changes a few times a day, so
//! answers are cached on disk for hours and read again only when the cache is stale.

use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{CostReport, DailyCost, SystemCost};
use aws_sdk_costexplorer::types::{DateInterval, Granularity, GroupDefinition, GroupDefinitionType, Metric};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long a cached answer is served before Cost Explorer is asked again.
pub const CACHE_HOURS: i64 = 6;
const MICRO_USD_PER_REQUEST: u64 = 10_000;

impl AwsBackend {
    /// Month to date per value of a cost allocation tag; forecasts project each value's average.
    async fn cost_by_tag(
        &self,
        tag: &str,
        month: DateInterval,
        days_so_far: i64,
        days_left: i64,
    ) -> Result<Vec<SystemCost>, BackendError> {
        self.stats.count("ce:GetCostAndUsage");
        let out = self
            .costexplorer
            .get_cost_and_usage()
            .time_period(month)
            .granularity(Granularity::Monthly)
            .metrics("UnblendedCost")
            .group_by(GroupDefinition::builder().r#type(GroupDefinitionType::Tag).key(tag).build())
            .send()
            .await
            .map_err(|e| self.fail("ce:GetCostAndUsage", &e))?;
        self.stats.charge(MICRO_USD_PER_REQUEST);
        let mut totals: BTreeMap<String, f64> = BTreeMap::new();
        for result in out.results_by_time() {
            for group in result.groups() {
                // Keys read "tag$value"; an empty value is spend without the tag.
                let key = group.keys().first().map(String::as_str).unwrap_or_default();
                let value = key.split_once('$').map_or(key, |(_, v)| v);
                let name = if value.is_empty() { format!("(no {tag} tag)") } else { value.to_string() };
                let amount = unblended(group);
                *totals.entry(name).or_default() += amount;
            }
        }
        let mut systems: Vec<SystemCost> = totals
            .into_iter()
            .map(|(system, mtd)| SystemCost {
                forecast: mtd + mtd / days_so_far.max(1) as f64 * days_left as f64,
                month_to_date: mtd,
                budget: None,
                system,
            })
            .collect();
        systems.sort_by(|a, b| b.month_to_date.total_cmp(&a.month_to_date));
        Ok(systems)
    }
}

/// A group's unblended cost in dollars (Cost Explorer sends amounts as strings).
fn unblended(group: &aws_sdk_costexplorer::types::Group) -> f64 {
    group
        .metrics()
        .and_then(|m| m.get("UnblendedCost"))
        .and_then(|v| v.amount())
        .and_then(|a| a.parse::<f64>().ok())
        .unwrap_or(0.0)
}

#[derive(Serialize, Deserialize)]
struct Cached {
    fetched_at: DateTime<Utc>,
    report: CostReport,
}

impl AwsBackend {
    fn cost_cache_path(&self) -> std::path::PathBuf {
        let name: String = format!("cost-{}-{}.json", self.profile, self.region)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
            .collect();
        self.cache_dir.join(name)
    }

    pub(super) fn cached_cost(&self, now: DateTime<Utc>) -> Option<CostReport> {
        let text = std::fs::read_to_string(self.cost_cache_path()).ok()?;
        let cached: Cached = serde_json::from_str(&text).ok()?;
        (now - cached.fetched_at < Duration::hours(CACHE_HOURS)).then_some(cached.report)
    }

    fn store_cost(&self, report: &CostReport) {
        let cached = Cached { fetched_at: report.as_of, report: report.clone() };
        let result = std::fs::create_dir_all(&self.cache_dir).and_then(|()| {
            let text = serde_json::to_string(&cached).map_err(std::io::Error::other)?;
            std::fs::write(self.cost_cache_path(), text)
        });
        if let Err(e) = result {
            tracing::warn!("could not cache cost: {e}");
        }
    }

    pub(super) async fn ce_cost(&self, fresh: bool) -> Result<CostReport, BackendError> {
        let now = Utc::now();
        if let Some(report) = self.cached_cost(now).filter(|_| !fresh) {
            return Ok(report);
        }
        let today = now.date_naive();
        let month_start = today.with_day(1).unwrap_or(today);
        let tomorrow = today + Duration::days(1);
        let interval = |start: NaiveDate, end: NaiveDate| {
            DateInterval::builder()
                .start(start.format("%Y-%m-%d").to_string())
                .end(end.format("%Y-%m-%d").to_string())
                .build()
                .map_err(|e| BackendError::Other(format!("cost: {e}")))
        };
        let mut daily: BTreeMap<NaiveDate, BTreeMap<String, f64>> = BTreeMap::new();
        let mut token = None;
        loop {
            self.stats.count("ce:GetCostAndUsage");
            let out = self
                .costexplorer
                .get_cost_and_usage()
                .time_period(interval(month_start, tomorrow)?)
                .granularity(Granularity::Daily)
                .metrics("UnblendedCost")
                .group_by(GroupDefinition::builder().r#type(GroupDefinitionType::Dimension).key("SERVICE").build())
                .set_next_page_token(token)
                .send()
                .await
                .map_err(|e| self.fail("ce:GetCostAndUsage", &e))?;
            // Billed only when answered; a refused or unsent request costs nothing.
            self.stats.charge(MICRO_USD_PER_REQUEST);
            for result in out.results_by_time() {
                let Some(date) =
                    result.time_period().and_then(|p| NaiveDate::parse_from_str(p.start(), "%Y-%m-%d").ok())
                else {
                    continue;
                };
                let day = daily.entry(date).or_default();
                for group in result.groups() {
                    let name = group.keys().first().cloned().unwrap_or_else(|| "other".to_string());
                    let amount = unblended(group);
                    *day.entry(name).or_default() += amount;
                }
            }
            token = out.next_page_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        let month_to_date: f64 = daily.values().flat_map(|d| d.values()).sum();
        let days_so_far = (today - month_start).num_days() + 1;
        let month_end = (month_start + Duration::days(32)).with_day(1).unwrap_or(tomorrow);
        let days_left = (month_end - tomorrow).num_days().max(0);
        let forecast = if days_left == 0 {
            month_to_date
        } else {
            self.stats.count("ce:GetCostForecast");
            let asked = self
                .costexplorer
                .get_cost_forecast()
                .time_period(interval(tomorrow, month_end)?)
                .metric(Metric::UnblendedCost)
                .granularity(Granularity::Monthly)
                .send()
                .await;
            match asked {
                Ok(out) => {
                    self.stats.charge(MICRO_USD_PER_REQUEST);
                    month_to_date
                        + out.total().and_then(|t| t.amount()).and_then(|a| a.parse::<f64>().ok()).unwrap_or(0.0)
                }
                Err(e) => {
                    // Forecasts fail on new accounts (too little history): project the average instead.
                    let _ = self.fail("ce:GetCostForecast", &e);
                    month_to_date + month_to_date / days_so_far.max(1) as f64 * days_left as f64
                }
            }
        };
        let mut by_service: BTreeMap<String, f64> = BTreeMap::new();
        for day in daily.values() {
            for (name, v) in day {
                *by_service.entry(name.clone()).or_default() += v;
            }
        }
        let mut by_service: Vec<(String, f64)> = by_service.into_iter().collect();
        by_service.sort_by(|a, b| b.1.total_cmp(&a.1));
        let by_system = match &self.cost_tag {
            Some(tag) => self.cost_by_tag(tag, interval(month_start, tomorrow)?, days_so_far, days_left).await?,
            None => Vec::new(),
        };
        let report = CostReport {
            as_of: now,
            currency: "USD".to_string(),
            today: daily.get(&today).map_or(0.0, |d| d.values().sum()),
            month_to_date,
            forecast,
            budget: None,
            by_service,
            by_system,
            daily: daily
                .into_iter()
                .map(|(date, services)| DailyCost { date, by_service: services.into_iter().collect() })
                .collect(),
            hourly: None,
        };
        self.store_cost(&report);
        Ok(report)
    }
}
