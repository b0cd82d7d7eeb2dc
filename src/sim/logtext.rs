//! What each system's log lines look like. Pure formatting from a random source: the world
//! decides when lines happen, this module decides what they say.

use super::catalog::LogStyle;
use super::rng::{hex, uuid};
use super::tasks::Fate;
use chrono::{DateTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(crate) fn at(ts_ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ts_ms).unwrap_or_default()
}
/// Apache/nginx combined log time: `21/Nov/2026:03:04:05 +0000`.
pub(crate) fn clf(ts_ms: i64) -> String {
    at(ts_ms).format("%d/%b/%Y:%H:%M:%S +0000").to_string()
}
/// gunicorn's own time: `2026-11-21 03:04:05 +0000`.
pub(crate) fn gtime(ts_ms: i64) -> String {
    at(ts_ms).format("%Y-%m-%d %H:%M:%S +0000").to_string()
}
/// Python logging asctime: `2026-11-21 03:04:05,123`.
fn pytime(ts_ms: i64) -> String {
    at(ts_ms).format("%Y-%m-%d %H:%M:%S,%3f").to_string()
}
fn ip(rng: &mut ChaCha8Rng) -> String {
    format!("10.0.{}.{}", rng.random_range(1..=3), rng.random_range(2..=250))
}

const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 \
                       (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

const MODEL_PATH_TRACE: [&str; 8] = [
    "Traceback (most recent call last):",
    "  File \"/app/server.py\", line 88, in predict",
    "    detector = get_detector()",
    "  File \"/app/model.py\", line 23, in get_detector",
    "    model_path = os.environ[\"MODEL_PATH\"]",
    "  File \"/usr/local/lib/python3.11/os.py\", line 679, in __getitem__",
    "    raise KeyError(key) from None",
    "KeyError: 'MODEL_PATH'",
];

const STARTUP_TRACE: [&str; 9] = [
    "Traceback (most recent call last):",
    "  File \"/usr/local/lib/python3.11/site-packages/starlette/routing.py\", line 732, in lifespan",
    "    async with self.lifespan_context(app) as maybe_state:",
    "  File \"/app/server.py\", line 41, in lifespan",
    "    app.state.detector = load_detector(os.environ[\"MODEL_PATH\"])",
    "  File \"/usr/local/lib/python3.11/os.py\", line 679, in __getitem__",
    "    raise KeyError(key) from None",
    "KeyError: 'MODEL_PATH'",
    "ERROR:    Application startup failed. Exiting.",
];

fn uvicorn_start(port: u16, out: &mut Vec<String>) {
    out.push("INFO:     Started server process [1]".into());
    out.push("INFO:     Waiting for application startup.".into());
    out.push("INFO:     Application startup complete.".into());
    out.push(format!("INFO:     Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)"));
}

fn gunicorn_start(ts: i64, port: u16, out: &mut Vec<String>) {
    let g = gtime(ts);
    out.push(format!("[{g}] [1] [INFO] Starting gunicorn 21.2.0"));
    out.push(format!("[{g}] [1] [INFO] Listening at: http://0.0.0.0:{port} (1)"));
    out.push(format!("[{g}] [1] [INFO] Using worker: gthread"));
    out.push(format!("[{g}] [7] [INFO] Booting worker with pid: 7"));
    out.push(format!("[{g}] [8] [INFO] Booting worker with pid: 8"));
}

/// Lines a container writes while it starts.
pub(crate) fn startup(style: LogStyle, ts: i64, port: u16, fate: Fate, out: &mut Vec<String>) {
    match style {
        LogStyle::CleanisticJson => {
            out.push("INFO:     Started server process [1]".into());
            out.push("INFO:     Waiting for application startup.".into());
            match fate {
                Fate::FailExit => out.extend(STARTUP_TRACE.iter().map(|s| s.to_string())),
                Fate::FailElb => {
                    out.push(
                        r#"{"level":"warning","msg":"MODEL_PATH not set; detector will load on first request"}"#.into(),
                    );
                    out.push("INFO:     Application startup complete.".into());
                }
                Fate::Healthy => {
                    out.push(r#"{"level":"info","msg":"detector loaded","model_path":"/opt/models/property-detector.pt","load_ms":2140}"#.into());
                    out.push("INFO:     Application startup complete.".into());
                }
            }
            if fate != Fate::FailExit {
                out.push(format!("INFO:     Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)"));
            }
        }
        LogStyle::SvgFlask | LogStyle::ChildrenFlask => gunicorn_start(ts, port, out),
        LogStyle::GarmaxWorker => {
            let p = pytime(ts);
            out.push(format!(
                "{p} INFO smpl_processor: starting worker (concurrency=2, queue=garmaxai-smpl-jobs-PROD)"
            ));
            out.push(format!("{p} INFO smpl_processor: loaded SMPL model from /models/SMPL_NEUTRAL.pkl"));
        }
        LogStyle::BackendAccess => uvicorn_start(port, out),
        LogStyle::MlUvicorn => {
            out.push("INFO:     Started server process [1]".into());
            out.push("INFO:     Waiting for application startup.".into());
            out.push("INFO:app.main:model loaded from /app/models/model.pkl (sklearn 1.4.2)".into());
            out.push("INFO:     Application startup complete.".into());
            out.push(format!("INFO:     Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)"));
        }
        LogStyle::TorchServe | LogStyle::SklearnServer => {}
    }
}

/// Lines a container writes when ECS stops it.
pub(crate) fn shutdown(style: LogStyle, ts: i64, fate: Fate, out: &mut Vec<String>) {
    if fate == Fate::FailExit {
        return;
    }
    match style {
        LogStyle::CleanisticJson | LogStyle::BackendAccess | LogStyle::MlUvicorn => {
            out.push("INFO:     Shutting down".into());
            out.push("INFO:     Waiting for application shutdown.".into());
            out.push("INFO:     Application shutdown complete.".into());
            out.push("INFO:     Finished server process [1]".into());
        }
        LogStyle::SvgFlask | LogStyle::ChildrenFlask => {
            let g = gtime(ts);
            out.push(format!("[{g}] [1] [INFO] Handling signal: term"));
            out.push(format!("[{g}] [7] [INFO] Worker exiting (pid: 7)"));
            out.push(format!("[{g}] [1] [INFO] Shutting down: Master"));
        }
        LogStyle::GarmaxWorker => {
            out.push(format!("{} INFO smpl_processor: SIGTERM received; finishing current job", pytime(ts)));
        }
        LogStyle::TorchServe | LogStyle::SklearnServer => {}
    }
}

/// One request (or unit of work) handled by an ECS task; `fate` says whether the task is a
/// broken revision that answers 500.
pub(crate) fn request(style: LogStyle, ts: i64, fate: Fate, rng: &mut ChaCha8Rng, out: &mut Vec<String>) {
    let r = rng.random_range(0..100u32);
    match style {
        LogStyle::CleanisticJson => {
            let (method, path) = match r {
                0..=59 => ("POST", "/api/v1/detect".to_string()),
                60..=79 => ("GET", format!("/api/v1/properties/{}", rng.random_range(1000..9999))),
                80..=89 => ("POST", "/api/v1/uploads".to_string()),
                _ => ("GET", format!("/api/v1/reports/{}", rng.random_range(100..999))),
            };
            let id = uuid(rng);
            if fate == Fate::FailElb {
                out.push(format!(r#"{{"level":"error","method":"{method}","path":"{path}","status":500,"latency_ms":{},"request_id":"{id}","error":"KeyError: 'MODEL_PATH'"}}"#, rng.random_range(2..9)));
                out.extend(MODEL_PATH_TRACE.iter().map(|s| s.to_string()));
                return;
            }
            let status = match rng.random_range(0..100u32) {
                0..=1 => 404,
                2 => 400,
                _ if method == "POST" && path.ends_with("uploads") => 201,
                _ => 200,
            };
            let latency = if path.ends_with("detect") { rng.random_range(95..320) } else { rng.random_range(4..45) };
            out.push(format!(r#"{{"level":"info","method":"{method}","path":"{path}","status":{status},"latency_ms":{latency},"request_id":"{id}"}}"#));
        }
        LogStyle::SvgFlask => {
            let size = rng.random_range(2_000..60_000);
            if r < 45 {
                let conv = ["potrace", "vtracer", "ai-vectorizer"][rng.random_range(0..3)];
                out.push(format!(r#"{{"event":"conversion_complete","file_id":"f_{}","converter":"{conv}","duration_ms":{},"quality_score":{:.3},"file_size":{size}}}"#,
                    hex(rng, 12), rng.random_range(300..2400), rng.random_range(0.86..0.99)));
                out.push(format!(
                    r#"{} - - [{}] "POST /api/convert HTTP/1.1" 200 {size} "-" "{BROWSER}""#,
                    ip(rng),
                    clf(ts)
                ));
            } else if r < 90 {
                out.push(format!(
                    r#"{} - - [{}] "GET /api/status/{} HTTP/1.1" 200 87 "-" "{BROWSER}""#,
                    ip(rng),
                    clf(ts),
                    hex(rng, 12)
                ));
            } else {
                out.push(format!(
                    r#"{} - - [{}] "GET /health HTTP/1.1" 200 21 "-" "ELB-HealthChecker/2.0""#,
                    ip(rng),
                    clf(ts)
                ));
            }
        }
        LogStyle::GarmaxWorker => {
            let p = pytime(ts);
            if r < 70 {
                out.push(format!("{p} INFO smpl_processor.worker: queue empty; polling again in 20s"));
            } else {
                let job = hex(rng, 8);
                out.push(format!(
                    "{p} INFO smpl_processor.worker: received job {job} (tryon session ts_{})",
                    rng.random_range(1000..9999)
                ));
                out.push(format!(
                    "{p} INFO smpl_processor.fit: fitted SMPL params in {:.2}s (betas=10, pose=72, vertices=6890)",
                    rng.random_range(2.5..6.5)
                ));
                out.push(format!(
                    "{p} INFO smpl_processor.worker: job {job} done; uploaded s3://garmaxai-prod-assets/smpl/{job}.npz"
                ));
            }
        }
        LogStyle::ChildrenFlask => {
            if r < 55 {
                let score: f64 = rng.random_range(0.02..0.45);
                out.push(format!("INFO:app.analysis:drawing d-{} analysed: anomaly_score={score:.3} threshold=0.500 result=normal ({} ms)", hex(rng, 6), rng.random_range(250..700)));
                out.push(format!(
                    r#"{} - - [{}] "POST /api/analyze HTTP/1.1" 200 311 "-" "{BROWSER}""#,
                    ip(rng),
                    clf(ts)
                ));
            } else if r < 85 {
                out.push(format!(r#"{} - - [{}] "GET /demo HTTP/1.1" 200 5120 "-" "{BROWSER}""#, ip(rng), clf(ts)));
            } else {
                out.push(format!(
                    r#"{} - - [{}] "GET /health HTTP/1.1" 200 15 "-" "ELB-HealthChecker/2.0""#,
                    ip(rng),
                    clf(ts)
                ));
            }
        }
        LogStyle::BackendAccess => {
            let (req, status, bytes, agent) = match r {
                0..=64 => ("POST /api/predict", 200, rng.random_range(380..640), "okhttp/4.12"),
                65..=84 => ("GET /api/history?limit=20", 200, rng.random_range(900..4000), "okhttp/4.12"),
                85..=86 => ("POST /api/predict", 422, 96, "okhttp/4.12"),
                _ => ("GET /health", 200, 42, "ELB-HealthChecker/2.0"),
            };
            out.push(format!(r#"{} - - [{}] "{req} HTTP/1.1" {status} {bytes} "-" "{agent}""#, ip(rng), clf(ts)));
        }
        LogStyle::MlUvicorn => {
            if r < 40 {
                out.push(format!(
                    "INFO:app.ml_pipeline:prediction={} confidence={:.3} model_version=v1.3.0 features=12",
                    rng.random_range(0..2),
                    rng.random_range(0.55..0.99)
                ));
            }
            let (path, status) = if r >= 92 { ("GET /health", "200 OK") } else { ("POST /predict", "200 OK") };
            out.push(format!(
                r#"INFO:     {}:{} - "{path} HTTP/1.1" {status}"#,
                ip(rng),
                rng.random_range(32768..60999)
            ));
        }
        LogStyle::TorchServe | LogStyle::SklearnServer => {}
    }
}

/// The load balancer's health check hitting a broken task (every few seconds per target).
pub(crate) fn failed_health_check(style: LogStyle, rng: &mut ChaCha8Rng, out: &mut Vec<String>) {
    if style == LogStyle::CleanisticJson {
        out.push(format!(r#"{{"level":"error","method":"GET","path":"/health","status":503,"latency_ms":1,"request_id":"{}","error":"detector not loaded"}}"#, uuid(rng)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{rng_for, Stream};

    #[test]
    fn failing_cleanistic_request_logs_500_and_traceback() {
        let mut rng = rng_for(1, Stream::Logs);
        let mut out = Vec::new();
        request(LogStyle::CleanisticJson, 0, Fate::FailElb, &mut rng, &mut out);
        assert!(out[0].contains("\"status\":500"));
        assert_eq!(out[1], "Traceback (most recent call last):");
        assert_eq!(out.last().map(String::as_str), Some("KeyError: 'MODEL_PATH'"));
    }

    #[test]
    fn access_log_shape() {
        let mut rng = rng_for(2, Stream::Logs);
        let mut out = Vec::new();
        for _ in 0..20 {
            request(LogStyle::BackendAccess, 1_795_000_000_000, Fate::Healthy, &mut rng, &mut out);
        }
        assert!(out.iter().any(|l| l.contains("\"POST /api/predict HTTP/1.1\" 200") && l.ends_with("\"okhttp/4.12\"")));
        assert!(out[0].contains(" - - [") && out[0].contains(" +0000] \""));
    }
}
