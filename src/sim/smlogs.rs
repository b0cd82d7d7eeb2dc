//! What the SageMaker endpoints' containers log per invocation: TorchServe for the property
//! detector, nginx + gunicorn for the scikit-learn prediction model.

use super::catalog::LogStyle;
use super::logtext::{at, clf, gtime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// One invocation on a SageMaker variant; `factor` slows the model down (latency-spike).
pub(crate) fn invocation(
    style: LogStyle,
    ts: i64,
    model: &str,
    base_ms: f64,
    factor: f64,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<String>,
) {
    let ms = base_ms * factor * rng.random_range(0.7..1.5);
    let port = rng.random_range(32768..60999);
    match style {
        LogStyle::TorchServe => {
            let t = at(ts).format("%Y-%m-%dT%H:%M:%S,%3f");
            let n = rng.random_range(1..6);
            out.push(format!("{t} [INFO ] W-9000-model_1.0-stdout MODEL_LOG - detected {n} objects (kitchen_counter={:.2}, stain={:.2})", rng.random_range(0.7..0.99), rng.random_range(0.5..0.95)));
            out.push(format!(
                "{t} [INFO ] W-9000-model_1.0 org.pytorch.serve.wlm.WorkerThread - Backend response time: {ms:.0}"
            ));
            out.push(format!(r#"{t} [INFO ] W-9000-model_1.0 ACCESS_LOG - /169.254.178.2:{port} "POST /invocations HTTP/1.1" 200 {:.0}"#, ms + 6.0));
        }
        LogStyle::SklearnServer => {
            let g = gtime(ts);
            // Past gunicorn's 60 s timeout the worker is killed and nginx answers 504.
            if factor > 4.0 && rng.random_bool(((factor - 4.0) / 40.0).clamp(0.0, 0.6)) {
                let pid = rng.random_range(40..400);
                out.push(format!("[{g}] [23] [CRITICAL] WORKER TIMEOUT (pid:{pid})"));
                out.push(format!("[{g}] [{pid}] [INFO] Worker exiting (pid: {pid})"));
                out.push(format!("{} [error] 12#12: *{} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 169.254.178.2, server: , request: \"POST /invocations HTTP/1.1\", upstream: \"http://unix:/tmp/gunicorn.sock/invocations\", host: \"model.aws.local:8080\"",
                    at(ts).format("%Y/%m/%d %H:%M:%S"), rng.random_range(1000..99999)));
                out.push(format!(
                    r#"169.254.178.2 - - [{}] "POST /invocations HTTP/1.1" 504 176 "-" "AHC/2.0""#,
                    clf(ts)
                ));
                out.push(format!("[{g}] [23] [INFO] Booting worker with pid: {}", pid + 17));
                return;
            }
            out.push(format!("[{g}] [INFO] prediction served in {ms:.0} ms (model={model})"));
            out.push(format!(
                r#"169.254.178.2 - - [{}] "POST /invocations HTTP/1.1" 200 {} "-" "AHC/2.0""#,
                clf(ts),
                rng.random_range(40..60)
            ));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{rng_for, Stream};

    #[test]
    fn slow_model_times_out_workers() {
        let mut rng = rng_for(1, Stream::Logs);
        let mut calm = Vec::new();
        let mut slow = Vec::new();
        for _ in 0..200 {
            invocation(LogStyle::SklearnServer, 0, "m", 80.0, 1.0, &mut rng, &mut calm);
            invocation(LogStyle::SklearnServer, 0, "m", 80.0, 40.0, &mut rng, &mut slow);
        }
        assert!(!calm.iter().any(|l| l.contains("WORKER TIMEOUT")));
        assert!(slow.iter().any(|l| l.contains("[CRITICAL] WORKER TIMEOUT (pid:")));
        assert!(slow.iter().any(|l| l.contains("\"POST /invocations HTTP/1.1\" 504")));
    }
}
