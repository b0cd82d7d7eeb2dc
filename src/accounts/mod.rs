//! Many accounts and regions in one console (`opsdeck --fleet`): one [`Backend`] made of a
//! backend per `[fleet]` member. Lists are read from every member and merged, each row's names
//! carrying the member's place (`ACCOUNT@REGION:NAME`, `domain/place.rs`); anything asked about
//! one resource, an action above all, goes to the member its place names and nowhere else.
//!
//! Every member is read side by side. An account's members (one account's credentials, all its
//! regions) share its rate limits: on AWS every request of theirs goes through the account's
//! limiter (`aws/limit.rs`, `[[fleet.accounts]] max_in_flight`, `calls_per_second`), which
//! `main.rs` gives each member's backend. A member whose read fails keeps its last rows
//! and is named in `place_errors`, so the console marks its rows alone.

mod cost;
pub mod qualify;
mod reads;

use crate::backend::{ApiUsage, Backend, BackendError};
use crate::domain::place;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// One account in one region, with its backend (or why there is none).
pub struct Member {
    pub alias: Option<String>,
    pub profile: Option<String>,
    pub region: String,
    pub backend: Result<Arc<dyn Backend>, String>,
    /// The profile's `read_only`: actions on this member are refused at the action path.
    pub read_only: bool,
}

impl Member {
    /// The account as the ACCOUNT column names it before its id is known: the alias, else the
    /// profile (made fit for a place).
    pub fn label(&self) -> String {
        let raw = self.alias.clone().or_else(|| self.profile.clone()).unwrap_or_else(|| "default".into());
        let fit: String = raw
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' })
            .take(64)
            .collect();
        if fit.is_empty() {
            "default".into()
        } else {
            fit
        }
    }
}

/// Rows of one list kept per member, for a member whose next read fails.
type LastRows<T> = Mutex<Vec<Option<Vec<T>>>>;

pub struct AccountsBackend {
    /// `ACCOUNT@REGION` of each member, in `[fleet]` order.
    places: Vec<String>,
    /// Each member's account id, where its caller identity was read.
    account_ids: Vec<Option<String>>,
    backends: Vec<Result<Arc<dyn Backend>, String>>,
    read_only: Vec<bool>,
    /// The last failure of each (place, list), cleared by its next success.
    errors: Mutex<BTreeMap<(String, &'static str), String>>,
    last_services: LastRows<crate::domain::Service>,
    last_endpoints: LastRows<crate::domain::Endpoint>,
    last_alarms: LastRows<crate::domain::Alarm>,
    last_functions: LastRows<crate::domain::Function>,
}

fn empty<T>(n: usize) -> LastRows<T> {
    Mutex::new((0..n).map(|_| None).collect())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding it leaves plain data behind: still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AccountsBackend {
    /// Every member's place, from its alias or (read now) its account id, else its profile.
    pub async fn connect(members: Vec<Member>) -> AccountsBackend {
        let identities = futures::future::join_all(members.iter().map(|m| async move {
            match &m.backend {
                Ok(b) => b.caller_identity().await.ok(),
                Err(_) => None,
            }
        }))
        .await;
        let account_ids: Vec<Option<String>> = identities
            .into_iter()
            .map(|arn| arn.and_then(|a| a.split(':').nth(4).filter(|id| !id.is_empty()).map(str::to_string)))
            .collect();
        let places = members
            .iter()
            .zip(&account_ids)
            .map(|(m, id)| {
                let account = m.alias.clone().or_else(|| id.clone()).unwrap_or_else(|| m.label());
                place::place_of(&account, &m.region)
            })
            .collect();
        let n = members.len();
        AccountsBackend {
            places,
            account_ids,
            read_only: members.iter().map(|m| m.read_only).collect(),
            backends: members.into_iter().map(|m| m.backend).collect(),
            errors: Mutex::new(BTreeMap::new()),
            last_services: empty(n),
            last_endpoints: empty(n),
            last_alarms: empty(n),
            last_functions: empty(n),
        }
    }

    pub fn places(&self) -> &[String] {
        &self.places
    }

    /// The places whose profile is read-only.
    pub fn read_only_places(&self) -> Vec<String> {
        self.places.iter().zip(&self.read_only).filter(|(_, ro)| **ro).map(|(p, _)| p.clone()).collect()
    }

    fn backend(&self, i: usize) -> Result<Arc<dyn Backend>, BackendError> {
        match &self.backends[i] {
            Ok(b) => Ok(Arc::clone(b)),
            Err(e) => Err(BackendError::Other(format!("{}: {e}", self.places[i]))),
        }
    }

    /// The member a call about one resource goes to: the one its names place it in.
    fn route(&self, places: &[String]) -> Result<usize, BackendError> {
        match places {
            [] if self.places.len() == 1 => Ok(0),
            [] => Err(BackendError::Invalid(format!(
                "a fleet session reads {} accounts and regions: name one in front of the name, \
                 ACCOUNT@REGION:NAME (ecs:{}:CLUSTER/SERVICE)",
                self.places.len(),
                self.places.first().map_or("prod@us-east-1", String::as_str)
            ))),
            [one] => self.places.iter().position(|p| p == one).ok_or_else(|| {
                BackendError::NotFound(format!(
                    "{one}: not an account and region of [fleet] ({})",
                    self.places.join(", ")
                ))
            }),
            many => Err(BackendError::Invalid(format!(
                "one call reaches one account and region, and this names {}",
                many.join(" and ")
            ))),
        }
    }

    /// The routed member's backend and its place.
    fn routed(&self, places: &[String]) -> Result<(Arc<dyn Backend>, &str), BackendError> {
        let i = self.route(places)?;
        Ok((self.backend(i)?, self.places[i].as_str()))
    }

    fn note(&self, i: usize, what: &'static str, result: Result<(), String>) {
        let key = (self.places[i].clone(), what);
        match result {
            Ok(()) => lock(&self.errors).remove(&key),
            Err(e) => lock(&self.errors).insert(key, crate::sanitize::inert(&e).into_owned()),
        };
    }

    /// Run `read` on every member, side by side (each account's limiter paces its requests).
    /// Results in member order.
    async fn each<T, F, Fut>(&self, read: F) -> Vec<(usize, Result<T, BackendError>)>
    where
        F: Fn(usize, Arc<dyn Backend>) -> Fut,
        Fut: Future<Output = Result<T, BackendError>>,
    {
        let read = &read;
        let reads = (0..self.backends.len()).map(|i| async move {
            let result = match self.backend(i) {
                Ok(b) => read(i, b).await,
                Err(e) => Err(e),
            };
            (i, result)
        });
        futures::future::join_all(reads).await
    }

    /// A list from every member, placed and merged. A member that fails keeps its last rows and
    /// is named in `place_errors`; only when every member fails with nothing kept is it an error.
    async fn merged<T, F, Fut>(
        &self,
        what: &'static str,
        last: &LastRows<T>,
        place_row: fn(&str, &mut T),
        read: F,
    ) -> Result<Vec<T>, BackendError>
    where
        T: Clone,
        F: Fn(Arc<dyn Backend>) -> Fut,
        Fut: Future<Output = Result<Vec<T>, BackendError>>,
    {
        let results = self.each(|_, b| read(b)).await;
        let mut rows = Vec::new();
        let mut first_error = None;
        let mut any = false;
        for (i, result) in results {
            match result {
                Ok(mut list) => {
                    list.iter_mut().for_each(|r| place_row(&self.places[i], r));
                    lock(last)[i] = Some(list.clone());
                    rows.extend(list);
                    any = true;
                    self.note(i, what, Ok(()));
                }
                Err(e) => {
                    self.note(i, what, Err(e.to_string()));
                    if let Some(kept) = &lock(last)[i] {
                        rows.extend(kept.iter().cloned());
                        any = true;
                    }
                    first_error.get_or_insert(e);
                }
            }
        }
        match (any, first_error) {
            (false, Some(e)) => Err(e),
            _ => Ok(rows),
        }
    }

    /// The members that may hold a target group ARN (`arn:aws:elasticloadbalancing:REGION:ACCOUNT:...`).
    fn members_of_arn(&self, arn: &str) -> Vec<usize> {
        let mut parts = arn.split(':');
        let (region, account) = (parts.nth(3).unwrap_or(""), parts.next().unwrap_or(""));
        (0..self.places.len())
            .filter(|&i| self.places[i].rsplit_once('@').map(|(_, r)| r) == Some(region))
            .filter(|&i| self.account_ids[i].as_deref().is_none_or(|id| id == account))
            .collect()
    }

    fn usage_sum(&self) -> Option<ApiUsage> {
        let mut sum: Option<ApiUsage> = None;
        for b in self.backends.iter().flatten() {
            if let Some(u) = b.usage() {
                let s = sum.get_or_insert_with(ApiUsage::default);
                s.calls += u.calls;
                s.estimated_usd += u.estimated_usd;
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests;
