//! Per-account rate limits for `--fleet`: every HTTP request the SDK sends for one account (all
//! its regions, every service, retries and the role's AssumeRole included) goes through one
//! [`Limiter`]: at most `in_flight` requests waiting for their answer at once, and at most
//! `per_second` started a second (a token bucket holding one second's worth, so a burst of
//! `per_second` goes at once and the rest follow evenly). A request waits, in order of arrival,
//! for a free slot and then for a token; the wait counts towards the call's operation timeout.
//!
//! The limiter sits in the HTTP connector (`limited`), below the SDK's retries, so a throttled
//! account slows down instead of retrying harder, and it is the same for the console's polling
//! and `status --fleet`.

use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpClient, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use std::sync::{Arc, Mutex};
use tokio::time::{Duration, Instant};

/// One account's limits (`[[fleet.accounts]] max_in_flight`, `calls_per_second`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub in_flight: u32,
    pub per_second: u32,
}

impl RateLimit {
    /// The default: 8 requests at once and 20 a second per account, under the lowest per-region
    /// limits of the describe/list calls the console polls with (ECS and SageMaker describes,
    /// CloudWatch GetMetricData), shared by all of the account's regions.
    pub const DEFAULT: RateLimit = RateLimit { in_flight: 8, per_second: 20 };
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::DEFAULT
    }
}

/// What a limiter has let through (for `info`, the logs and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitStats {
    pub calls: u64,
    /// Calls that could not start at once (no free slot, or no token).
    pub waited: u64,
    /// The most requests in flight at one time.
    pub peak_in_flight: u32,
    pub in_flight: u32,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct Limiter {
    limit: RateLimit,
    slots: Arc<tokio::sync::Semaphore>,
    /// An async mutex: callers waiting for a token queue in order.
    bucket: tokio::sync::Mutex<Bucket>,
    stats: Mutex<LimitStats>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter").field("limit", &self.limit).field("stats", &self.stats()).finish()
    }
}

/// A request's place: while it is held the request counts as in flight.
pub struct Slot {
    _permit: Option<tokio::sync::OwnedSemaphorePermit>,
    limiter: Arc<Limiter>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut s) = self.limiter.stats.lock() {
            s.in_flight = s.in_flight.saturating_sub(1);
        }
    }
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Arc<Limiter> {
        let limit = RateLimit { in_flight: limit.in_flight.max(1), per_second: limit.per_second.max(1) };
        Arc::new(Limiter {
            limit,
            slots: Arc::new(tokio::sync::Semaphore::new(limit.in_flight as usize)),
            bucket: tokio::sync::Mutex::new(Bucket { tokens: f64::from(limit.per_second), at: Instant::now() }),
            stats: Mutex::new(LimitStats::default()),
        })
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    pub fn stats(&self) -> LimitStats {
        self.stats.lock().map(|s| *s).unwrap_or_default()
    }

    /// Wait for a slot, then for a token.
    pub async fn acquire(self: &Arc<Self>) -> Slot {
        let mut waited = false;
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => {
                waited = true;
                // The semaphore is never closed; were it, the request would go without a slot.
                self.slots.clone().acquire_owned().await.ok()
            }
        };
        {
            let rate = f64::from(self.limit.per_second);
            let mut bucket = self.bucket.lock().await;
            let now = Instant::now();
            bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(rate);
            bucket.at = now;
            if bucket.tokens < 1.0 {
                waited = true;
                let wait = Duration::from_secs_f64((1.0 - bucket.tokens) / rate);
                tokio::time::sleep(wait).await;
                bucket.tokens = 1.0;
                bucket.at = now + wait;
            }
            bucket.tokens -= 1.0;
        }
        if let Ok(mut s) = self.stats.lock() {
            s.calls += 1;
            s.waited += u64::from(waited);
            s.in_flight += 1;
            s.peak_in_flight = s.peak_in_flight.max(s.in_flight);
        }
        Slot { _permit: permit, limiter: self.clone() }
    }
}

/// A connector whose requests go through `limiter` first.
#[derive(Debug, Clone)]
pub struct Limited {
    pub inner: SharedHttpConnector,
    pub limiter: Arc<Limiter>,
}

impl HttpConnector for Limited {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, limiter) = (self.inner.clone(), self.limiter.clone());
        HttpConnectorFuture::new(async move {
            // Held until the answer's headers arrive (a stream's body is read without it).
            let _slot = limiter.acquire().await;
            inner.call(request).await
        })
    }
}

/// `client` with every request through `limiter`.
pub fn limited(client: SharedHttpClient, limiter: Arc<Limiter>) -> SharedHttpClient {
    http_client_fn(move |settings, components| {
        SharedHttpConnector::new(Limited {
            inner: client.http_connector(settings, components),
            limiter: limiter.clone(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_types::body::SdkBody;

    /// Answers after 100 ms, counting how many requests it has at once and when each arrived.
    #[derive(Debug, Default)]
    struct Slow {
        now: Mutex<u32>,
        peak: Mutex<u32>,
        arrivals: Mutex<Vec<Instant>>,
    }

    #[derive(Debug, Clone)]
    struct SlowConnector(Arc<Slow>);

    impl HttpConnector for SlowConnector {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            let slow = self.0.clone();
            HttpConnectorFuture::new(async move {
                slow.arrivals.lock().unwrap().push(Instant::now());
                {
                    let mut now = slow.now.lock().unwrap();
                    *now += 1;
                    let mut peak = slow.peak.lock().unwrap();
                    *peak = (*peak).max(*now);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                *slow.now.lock().unwrap() -= 1;
                Ok(HttpResponse::new(200u16.try_into().unwrap(), SdkBody::empty()))
            })
        }
    }

    async fn send(connector: &impl HttpConnector, n: usize) -> Duration {
        let began = Instant::now();
        let calls = (0..n).map(|_| connector.call(HttpRequest::empty()));
        for answer in futures::future::join_all(calls).await {
            assert_eq!(answer.unwrap().status().as_u16(), 200);
        }
        began.elapsed()
    }

    // Real time (tokio's paused clock needs its test-util feature): the checks are lower bounds
    // the limiter guarantees, and counts.
    #[tokio::test]
    async fn an_account_has_at_most_its_requests_in_flight_and_per_second() {
        let slow = Arc::new(Slow::default());
        let limiter = Limiter::new(RateLimit { in_flight: 3, per_second: 10 });
        let created = Instant::now();
        let connector =
            Limited { inner: SharedHttpConnector::new(SlowConnector(slow.clone())), limiter: limiter.clone() };
        let took = send(&connector, 30).await;
        assert_eq!(*slow.peak.lock().unwrap(), 3, "never more than 3 at once");
        // 10 go at once (a second's worth), the other 20 at 10 a second.
        assert!(took >= Duration::from_millis(1900), "{took:?}");
        let mut arrivals = slow.arrivals.lock().unwrap().clone();
        arrivals.sort();
        for (i, at) in arrivals.iter().enumerate().skip(10) {
            // The (i+1)th request starts no sooner than its token, (i+1-10)/10 s after the start.
            let due = created + Duration::from_millis(100 * (i as u64 - 9));
            assert!(
                *at + Duration::from_millis(2) >= due,
                "request {i} at {:?}, due {:?}",
                *at - created,
                due - created
            );
        }
        let stats = limiter.stats();
        assert_eq!((stats.calls, stats.peak_in_flight, stats.in_flight), (30, 3, 0));
        assert!(stats.waited >= 27, "{stats:?}");
        // Unlimited, the same 30 requests are all in flight at once.
        let free = Arc::new(Slow::default());
        send(&SlowConnector(free.clone()), 30).await;
        assert_eq!(*free.peak.lock().unwrap(), 30);
    }

    #[tokio::test]
    async fn two_accounts_do_not_wait_for_each_other() {
        let slow = Arc::new(Slow::default());
        let inner = SharedHttpConnector::new(SlowConnector(slow.clone()));
        let one = Limited { inner: inner.clone(), limiter: Limiter::new(RateLimit { in_flight: 1, per_second: 100 }) };
        let two = Limited { inner, limiter: Limiter::new(RateLimit { in_flight: 1, per_second: 100 }) };
        let (a, b) = futures::join!(send(&one, 5), send(&two, 5));
        // Each account's five go one at a time (at least 500 ms); the two accounts side by side.
        assert!(a >= Duration::from_millis(500) && b >= Duration::from_millis(500), "{a:?} {b:?}");
        assert_eq!(*slow.peak.lock().unwrap(), 2, "one of each account's at once");
        assert_eq!(one.limiter.stats().peak_in_flight, 1);
    }
}
