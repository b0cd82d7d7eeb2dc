//! Logs Insights queries as a backend runs them: the request, the status as it runs, the rows,
//! and the statistics (records matched and scanned, bytes scanned: what the query costs).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A query over log groups and a time window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryRequest {
    pub groups: Vec<String>,
    pub query: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// GetQueryResults' status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum QueryStatus {
    Scheduled,
    Running,
    Complete,
    Failed,
    Cancelled,
    Timeout,
    Unknown(String),
}

impl QueryStatus {
    pub fn parse(text: &str) -> QueryStatus {
        match text {
            "Scheduled" => QueryStatus::Scheduled,
            "Running" => QueryStatus::Running,
            "Complete" => QueryStatus::Complete,
            "Failed" => QueryStatus::Failed,
            "Cancelled" => QueryStatus::Cancelled,
            "Timeout" => QueryStatus::Timeout,
            other => QueryStatus::Unknown(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            QueryStatus::Scheduled => "Scheduled",
            QueryStatus::Running => "Running",
            QueryStatus::Complete => "Complete",
            QueryStatus::Failed => "Failed",
            QueryStatus::Cancelled => "Cancelled",
            QueryStatus::Timeout => "Timeout",
            QueryStatus::Unknown(s) => s,
        }
    }

    /// No more results will come.
    pub fn is_done(&self) -> bool {
        !matches!(self, QueryStatus::Scheduled | QueryStatus::Running)
    }
}

impl From<QueryStatus> for String {
    fn from(s: QueryStatus) -> String {
        s.as_str().to_string()
    }
}

/// What the query read so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct QueryStats {
    pub records_matched: f64,
    pub records_scanned: f64,
    pub bytes_scanned: f64,
}

/// Logs Insights' price per GB scanned (us-east-1; regions differ a little).
pub const USD_PER_GB_SCANNED: f64 = 0.005;
/// GetQueryResults returns at most this many rows a call (a page; `nextToken` leads to the next).
pub const PAGE_ROWS: usize = 10_000;
/// The most rows opsdeck reads of one query: Logs Insights returns up to 100,000 through pages of
/// [`PAGE_ROWS`]; past them a query stops and its summary says so.
pub const MAX_ROWS: usize = 100_000;

impl QueryStats {
    /// What the query costs at `USD_PER_GB_SCANNED`.
    pub fn estimated_usd(&self) -> f64 {
        self.bytes_scanned / 1e9 * USD_PER_GB_SCANNED
    }

    /// "12,400 of 98,000 records matched, 31.2 MB scanned (≈$0.0002)".
    pub fn describe(&self) -> String {
        let usd = self.estimated_usd();
        // Under a hundredth of a cent reads as what it is, not as $0.0000.
        let cost = if usd > 0.0 && usd < 0.0001 { "<$0.0001".to_string() } else { format!("≈${usd:.4}") };
        format!(
            "{} of {} records matched, {} scanned ({cost})",
            thousands(self.records_matched),
            thousands(self.records_scanned),
            bytes(self.bytes_scanned),
        )
    }
}

fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes(v: f64) -> String {
    match v {
        v if v >= 1e9 => format!("{:.2} GB", v / 1e9),
        v if v >= 1e6 => format!("{:.1} MB", v / 1e6),
        v if v >= 1e3 => format!("{:.1} kB", v / 1e3),
        v => format!("{v:.0} B"),
    }
}

/// One row of results: (field, value) pairs, as GetQueryResults gives them (`@ptr` included).
pub type QueryRow = Vec<(String, String)>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResults {
    pub status: QueryStatus,
    pub rows: Vec<QueryRow>,
    pub stats: QueryStats,
    /// Set when the rows stopped at this many, the most the backend returns of a query (more
    /// may have matched).
    pub capped_at: Option<usize>,
}

impl QueryResults {
    /// "42 rows; 1,234 of 98,000 records matched, 12.0 MB scanned (≈$0.0001)", and a warning when
    /// the query stopped at the most rows a query returns (`capped_at`).
    pub fn summary(&self) -> String {
        let rows = match self.rows.len() {
            1 => "1 row".to_string(),
            n => format!("{n} rows"),
        };
        let mut text = format!("{rows}; {}", self.stats.describe());
        if let Some(cap) = self.capped_at {
            text.push_str(&format!(
                "; stopped at {} rows, the most a query returns: narrow the window or filter",
                thousands(cap as f64)
            ));
        }
        text
    }

    /// The columns in the order they first appear, `@ptr` left out (it points at the event).
    pub fn fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = Vec::new();
        for row in &self.rows {
            for (field, _) in row {
                if field != "@ptr" && !fields.contains(field) {
                    fields.push(field.clone());
                }
            }
        }
        fields
    }
}

/// A row's value of `field`, empty when the row has none.
pub fn row_value<'a>(row: &'a QueryRow, field: &str) -> &'a str {
    row.iter().find(|(f, _)| f == field).map_or("", |(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_read_as_words_with_their_cost() {
        let stats = QueryStats { records_matched: 12_400.0, records_scanned: 98_000.0, bytes_scanned: 2e9 };
        assert_eq!(stats.describe(), "12,400 of 98,000 records matched, 2.00 GB scanned (≈$0.0100)");
        assert!(QueryStatus::parse("Complete").is_done());
        assert!(!QueryStatus::parse("Running").is_done());
        assert_eq!(QueryStatus::parse("Weird").as_str(), "Weird");
    }

    #[test]
    fn fields_keep_their_first_order_and_leave_the_pointer_out() {
        let row = |pairs: &[(&str, &str)]| pairs.iter().map(|(f, v)| (f.to_string(), v.to_string())).collect();
        let results = QueryResults {
            status: QueryStatus::Complete,
            rows: vec![row(&[("@timestamp", "t"), ("@message", "m"), ("@ptr", "p")]), row(&[("level", "error")])],
            stats: QueryStats::default(),
            capped_at: None,
        };
        assert_eq!(results.fields(), vec!["@timestamp", "@message", "level"]);
        assert_eq!(row_value(&results.rows[1], "level"), "error");
        assert_eq!(row_value(&results.rows[1], "missing"), "");
    }

    #[test]
    fn the_summary_says_when_the_rows_stopped_at_the_cap() {
        let mut results = QueryResults {
            status: QueryStatus::Complete,
            rows: vec![vec![("@message".to_string(), "m".to_string())]; 3],
            stats: QueryStats::default(),
            capped_at: None,
        };
        assert!(results.summary().starts_with("3 rows; "), "{}", results.summary());
        assert!(!results.summary().contains("stopped"), "{}", results.summary());
        results.capped_at = Some(MAX_ROWS);
        assert!(results
            .summary()
            .ends_with("; stopped at 100,000 rows, the most a query returns: narrow the window or filter"));
    }
}
