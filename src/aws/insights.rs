//! Logs Insights: StartQuery over up to 50 log groups, GetQueryResults while it runs (status,
//! rows, records matched and scanned, bytes scanned), StopQuery to cancel, GetLogRecord for the
//! whole event behind a row's `@ptr`. Once a query is complete its rows are read page by page
//! (10,000 a page, following `nextToken`) up to 100,000, the most Logs Insights returns.

use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{QueryRequest, QueryResults, QueryRow, QueryStats, QueryStatus, MAX_ROWS, PAGE_ROWS};

/// StartQuery takes at most this many log group names.
pub(super) const GROUPS_PER_QUERY: usize = 50;

impl AwsBackend {
    pub(super) async fn logs_start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        if request.groups.is_empty() || request.groups.len() > GROUPS_PER_QUERY {
            return Err(BackendError::Invalid(format!(
                "a query reads 1 to {GROUPS_PER_QUERY} log groups, not {}",
                request.groups.len()
            )));
        }
        self.stats.count("logs:StartQuery");
        let out = self
            .logs
            .start_query()
            .set_log_group_names(Some(request.groups.clone()))
            .query_string(&request.query)
            .start_time(request.start.timestamp())
            .end_time(request.end.timestamp())
            .limit(MAX_ROWS as i32)
            .send()
            .await
            .map_err(|e| self.fail("logs:StartQuery", &e))?;
        out.query_id().map(str::to_string).ok_or_else(|| BackendError::Other("StartQuery answered no query id".into()))
    }

    /// The query's status, statistics and rows. While it runs, the first page (what is in so far);
    /// once complete, every page (`nextToken`) until none is left or [`MAX_ROWS`] are read, when
    /// `capped_at` says so.
    pub(super) async fn logs_query_results(&self, id: &str) -> Result<QueryResults, BackendError> {
        let (status, stats, mut rows, mut token) = self.logs_results_page(id, None).await?;
        if status == QueryStatus::Complete {
            while let Some(next) = token.take().filter(|_| rows.len() < MAX_ROWS) {
                let (_, _, more, after) = self.logs_results_page(id, Some(next)).await?;
                if more.is_empty() {
                    break;
                }
                rows.extend(more);
                token = after;
            }
        }
        // At the cap more may have matched (StartQuery asked for no more than it).
        let capped_at = (rows.len() >= MAX_ROWS).then_some(MAX_ROWS);
        rows.truncate(MAX_ROWS);
        Ok(QueryResults { status, rows, stats, capped_at })
    }

    /// One GetQueryResults page: status, statistics, rows and the token of the next page.
    async fn logs_results_page(
        &self,
        id: &str,
        token: Option<String>,
    ) -> Result<(QueryStatus, QueryStats, Vec<QueryRow>, Option<String>), BackendError> {
        self.stats.count("logs:GetQueryResults");
        let out = self
            .logs
            .get_query_results()
            .query_id(id)
            .max_items(PAGE_ROWS as i32)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| self.fail("logs:GetQueryResults", &e))?;
        let rows = out
            .results()
            .iter()
            .map(|row| {
                row.iter()
                    .map(|f| (f.field().unwrap_or_default().to_string(), f.value().unwrap_or_default().to_string()))
                    .collect()
            })
            .collect();
        let stats = out.statistics().map_or(QueryStats::default(), |s| QueryStats {
            records_matched: s.records_matched(),
            records_scanned: s.records_scanned(),
            bytes_scanned: s.bytes_scanned(),
        });
        let status = QueryStatus::parse(out.status().map_or("Unknown", |s| s.as_str()));
        Ok((status, stats, rows, out.next_token().map(str::to_string)))
    }

    pub(super) async fn logs_stop_query(&self, id: &str) -> Result<(), BackendError> {
        self.stats.count("logs:StopQuery");
        self.logs.stop_query().query_id(id).send().await.map_err(|e| self.fail("logs:StopQuery", &e))?;
        Ok(())
    }

    pub(super) async fn logs_record(&self, ptr: &str) -> Result<QueryRow, BackendError> {
        self.stats.count("logs:GetLogRecord");
        let out = self
            .logs
            .get_log_record()
            .log_record_pointer(ptr)
            .send()
            .await
            .map_err(|e| self.fail("logs:GetLogRecord", &e))?;
        let mut fields: QueryRow =
            out.log_record().map(|r| r.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
        fields.sort();
        Ok(fields)
    }
}
