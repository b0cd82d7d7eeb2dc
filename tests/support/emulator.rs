//! An emulated AWS account for tests: moto 5.2.5 in server mode behind `cw_bridge.py`, which translates
//! CloudWatch's rpc-v2-cbor protocol (moto does not speak it), counts calls and injects faults.
//!
//! Include with `#[path = "support/emulator.rs"] mod emulator;`. Needs the venv that `scripts/test` provisions
//! (`OPSDECK_TEST_VENV`, else `target/test-venv`).
//!
//! - `Emulator::start()` gives a private emulator (~1 s): use it when a test resets state, counts calls or
//!   injects faults. Tests in one binary run in parallel threads; each `start()` has its own ports and processes.
//! - `Emulator::shared()` is one seeded emulator per test binary: tests using it must only read, and must not
//!   assume isolation (another test may be calling it at the same time).
//! - Point the SDK at `endpoint` (the bridge), region us-east-1, any static credentials, one retry attempt.
//! - `stop()` kills moto and the bridge (as a crash would); `restart()` starts them again, empty, on the same ports
//!   (re-seed as needed), so a running client finds them again at `endpoint`.
//!
//! The bridge also behaves like AWS where moto does not (see cw_bridge.py): it pages ECS ListServices (maxResults
//! 1-100, 10 when absent, with a nextToken; moto answers every service at once), and it refuses an SSM PutParameter
//! whose value is over 4096 characters on the standard tier with AWS's ValidationException (moto stores any length).
//!
//! Both servers run with `MOTO_ECS_SERVICE_RUNNING=1` (new services report one running task; the seed fleet's
//! `cleanistic-ai-api` wants two, so it shows a rollout in progress) unless `start_with_env` overrides it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);
const SUPPORT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support");

/// A running moto + bridge pair. Dropping it kills both.
pub struct Emulator {
    /// The bridge URL: what the SDK should use as its endpoint.
    pub endpoint: String,
    /// moto itself (no CloudWatch rpc-v2-cbor, no fault injection, not counted).
    pub moto_url: String,
    /// Wall time `start()` took.
    pub startup: Duration,
    python: PathBuf,
    /// Added to moto's environment (kept for `restart`).
    env: Vec<(String, String)>,
    moto: Child,
    bridge: Child,
    // Held open: the servers exit when these pipes close, i.e. when this process dies without dropping us.
    _moto_stdin: Option<ChildStdin>,
    _bridge_stdin: Option<ChildStdin>,
    _bridge_stdout: BufReader<ChildStdout>,
    logs: tempfile::TempDir,
}

/// The venv with moto, boto3 and cbor2 (provisioned by `scripts/test`).
pub fn venv() -> PathBuf {
    let dir = match std::env::var_os("OPSDECK_TEST_VENV") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv"),
    };
    if !dir.join("bin/python").exists() || !dir.join("bin/moto_server").exists() {
        panic!(
            "the AWS emulator venv is missing at {}: run `scripts/test` once (it creates target/test-venv with \
             moto and cbor2), or point OPSDECK_TEST_VENV at such a venv",
            dir.display()
        );
    }
    dir
}

/// Dummy credentials and no real profile files, so nothing a test does can reach a real account.
pub fn isolate_from_real_aws() {
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        // Every test sets the same values, so concurrent tests cannot disagree.
        std::env::set_var(k, v);
    }
    std::env::remove_var("AWS_PROFILE");
    std::env::remove_var("AWS_SESSION_TOKEN");
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0").local_addr().unwrap().port()
}

impl Emulator {
    /// Starts a private emulator with default settings (see the module docs).
    pub fn start() -> Emulator {
        Self::start_with_env(&[])
    }

    /// Starts a private emulator; `env` is added to moto's environment (e.g. `MOTO_ECS_SERVICE_RUNNING`).
    pub fn start_with_env(env: &[(&str, &str)]) -> Emulator {
        let began = Instant::now();
        let python = venv().join("bin/python");
        let logs = tempfile::Builder::new().prefix("opsdeck-emulator").tempdir().expect("tempdir");
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let up = launch(&python, logs.path(), &env, None, 0);
        let mut emu = Emulator {
            endpoint: format!("http://127.0.0.1:{}", up.bridge_port),
            moto_url: format!("http://127.0.0.1:{}", up.moto_port),
            startup: Duration::ZERO,
            python,
            env,
            _moto_stdin: up.moto_stdin,
            _bridge_stdin: up.bridge_stdin,
            moto: up.moto,
            bridge: up.bridge,
            _bridge_stdout: up.bridge_stdout,
            logs,
        };
        emu.keep_tasks_running();
        emu.startup = began.elapsed();
        emu
    }

    /// Kills moto and the bridge (as a crash would: every connection refused, all state lost).
    /// `restart` brings them back on the same ports.
    pub fn stop(&mut self) {
        for child in [&mut self.bridge, &mut self.moto] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts moto and the bridge again on the ports they had, empty (re-seed as needed), so a
    /// client pointed at `endpoint` reaches the new ones. Stops them first if they still run.
    pub fn restart(&mut self) {
        self.stop();
        let moto_port: u16 = self.moto_url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap();
        let bridge_port: u16 = self.endpoint.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap();
        let up = launch(&self.python, self.logs.path(), &self.env, Some(moto_port), bridge_port);
        assert_eq!((up.moto_port, up.bridge_port), (moto_port, bridge_port), "restarted on other ports");
        self.moto = up.moto;
        self.bridge = up.bridge;
        self._moto_stdin = up.moto_stdin;
        self._bridge_stdin = up.bridge_stdin;
        self._bridge_stdout = up.bridge_stdout;
        self.keep_tasks_running();
    }

    /// One seeded emulator for the whole test binary. Read-only use: no reset, no faults, no call counting.
    pub fn shared() -> &'static Emulator {
        static SHARED: OnceLock<Emulator> = OnceLock::new();
        SHARED.get_or_init(|| {
            let emu = Emulator::start();
            emu.seed();
            emu
        })
    }

    /// The venv's python (boto3, botocore and cbor2 are importable).
    pub fn python(&self) -> &Path {
        &self.python
    }

    /// Wipes all of moto's state, faults and call counts (~0.25 s).
    pub fn reset(&self) {
        self.moto_ok("POST", "/moto-api/reset", "");
        self.keep_tasks_running();
        self.clear_faults();
        self.clear_calls();
    }

    /// By default every DescribeTasks moves a moto task one lifecycle step towards STOPPED: keep them RUNNING.
    fn keep_tasks_running(&self) {
        let body = r#"{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000}}"#;
        self.moto_ok("POST", "/moto-api/state-manager/set-transition", body);
    }

    /// Creates the seed fleet (tests/support/fixtures.py seed); returns its JSON summary line.
    pub fn seed(&self) -> String {
        self.fixtures(&["seed"])
    }

    /// Adds the ALB, two target groups with a service each in `web-cluster`, and an ELB alarm
    /// (tests/support/fixtures.py load-balancing); returns its JSON summary line.
    pub fn load_balancing(&self) -> String {
        self.fixtures(&["load-balancing"])
    }

    /// Adds `services` services spread over `clusters` clusters, and `endpoints` SageMaker endpoints.
    pub fn scale(&self, clusters: u32, services: u32, endpoints: u32) -> String {
        let (c, s, e) = (clusters.to_string(), services.to_string(), endpoints.to_string());
        self.fixtures(&["scale", "--clusters", &c, "--services", &s, "--endpoints", &e])
    }

    /// Adds `count` OK alarms without tags (`scale-alarm-000`, ...) on one new cluster.
    pub fn alarms(&self, count: u32) -> String {
        let n = count.to_string();
        self.fixtures(&["scale", "--clusters", "1", "--services", "0", "--endpoints", "0", "--alarms", &n])
    }

    /// Puts an alarm in `state` (`OK`, `ALARM`, `INSUFFICIENT_DATA`) with CloudWatch's SetAlarmState,
    /// the way its evaluation would: moto never evaluates alarms, so tests play them forward.
    pub fn set_alarm_state(&self, name: &str, state: &str, reason: &str) {
        self.fixtures(&["alarm-state", name, state, "--reason", reason]);
    }

    /// An IAM user `name` with an access key: (key id, secret). With these credentials
    /// GetCallerIdentity answers `arn:aws:iam::123456789012:user/NAME`.
    pub fn iam_user(&self, name: &str) -> (String, String) {
        let said: serde_json::Value = serde_json::from_str(&self.fixtures(&["iam-user", name])).expect("JSON");
        let field = |k: &str| said[k].as_str().expect("an access key").to_string();
        (field("key"), field("secret"))
    }

    fn fixtures(&self, args: &[&str]) -> String {
        let mut full = vec!["--endpoint", self.moto_url.as_str()];
        full.extend_from_slice(args);
        self.run_python("fixtures.py", &full)
    }

    /// Runs `tests/support/<script>` with the venv's python; panics with its output unless it succeeds.
    pub fn run_python(&self, script: &str, args: &[&str]) -> String {
        let out = Command::new(&self.python)
            .arg(Path::new(SUPPORT_DIR).join(script))
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .expect("run the venv's python");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{script} {args:?} failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout.trim().to_string()
    }

    /// Registers a fault at the bridge, e.g.
    /// `{"operation":"DescribeServices","status":400,"body":{"__type":"ThrottlingException","message":"Rate exceeded"},"times":2}`;
    /// `{"operation":"GetMetricData","delay_ms":3000}` delays and then forwards. Optional `"service"` (e.g. "ecs").
    /// `"operation":"*"` matches every operation, `"every":2` faults every 2nd matching call (the others pass),
    /// `"for_ms":60000` ends the fault after a minute, `"request_contains":"TEXT"` answers only requests whose body
    /// holds TEXT (see cw_bridge.py).
    pub fn fault(&self, json: &str) {
        self.bridge_ok("POST", "/__faults", json);
    }

    pub fn clear_faults(&self) {
        self.bridge_ok("DELETE", "/__faults", "");
    }

    /// Requests seen by the bridge since the last `clear_calls`, by `service:Operation` (service from the SigV4
    /// credential scope, e.g. `ecs:DescribeServices`, `monitoring:GetMetricData`). Faulted requests count too.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        serde_json::from_str(&self.bridge_ok("GET", "/__calls", "")).expect("/__calls answers a flat JSON object")
    }

    /// Requests the bridge answered with a fault since the last `clear_calls`, by `service:Operation`.
    pub fn faulted(&self) -> BTreeMap<String, u64> {
        serde_json::from_str(&self.bridge_ok("GET", "/__faulted", "")).expect("/__faulted answers a flat JSON object")
    }

    pub fn clear_calls(&self) {
        self.bridge_ok("DELETE", "/__calls", "");
    }

    /// POSTs JSON to moto itself (e.g. `/moto-api/static/sagemaker/endpoint-results`); panics unless 2xx.
    pub fn post_json(&self, path: &str, body: &str) -> String {
        self.moto_ok("POST", path, body)
    }

    /// An unsigned-but-scoped awsJson call through the bridge, the way the SDK's ECS/Logs/SageMaker clients send
    /// them (moto does not check signatures): e.g. `aws_json("ecs", "AmazonEC2ContainerServiceV20141113.ListClusters", "{}")`.
    pub fn aws_json(&self, service: &str, target: &str, body: &str) -> (u16, String) {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=0000"
        );
        let headers = [
            ("Authorization", auth.as_str()),
            ("X-Amz-Date", "20260101T000000Z"),
            ("X-Amz-Target", target),
            ("Content-Type", "application/x-amz-json-1.1"),
        ];
        http(&self.endpoint, "POST", "/", &headers, body).expect("request through the bridge")
    }

    /// The servers' logs so far (for failure messages).
    pub fn logs(&self) -> String {
        format!(
            "--- moto ---\n{}\n--- bridge ---\n{}",
            read_log(self.logs.path(), "moto.log"),
            read_log(self.logs.path(), "bridge.log")
        )
    }

    fn moto_ok(&self, method: &str, path: &str, body: &str) -> String {
        checked(&self.moto_url, method, path, body)
    }

    fn bridge_ok(&self, method: &str, path: &str, body: &str) -> String {
        checked(&self.endpoint, method, path, body)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for child in [&mut self.bridge, &mut self.moto] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A started moto + bridge pair.
struct Launched {
    moto: Child,
    bridge: Child,
    moto_port: u16,
    bridge_port: u16,
    moto_stdin: Option<ChildStdin>,
    bridge_stdin: Option<ChildStdin>,
    bridge_stdout: BufReader<ChildStdout>,
}

/// Starts moto (on `moto_port`, else a free port) and the bridge (on `bridge_port`, 0: any) and waits
/// until both answer. Logs are appended to `logs/moto.log` and `logs/bridge.log`.
fn launch(python: &Path, logs: &Path, env: &[(String, String)], moto_port: Option<u16>, bridge_port: u16) -> Launched {
    let began = Instant::now();
    let append = |name: &str| {
        std::fs::OpenOptions::new().create(true).append(true).open(logs.join(name)).expect("emulator log file")
    };
    // The bridge picks its own port (it prints it), so it can start while moto boots.
    let mut attempt = 0;
    let (mut moto, moto_port) = loop {
        attempt += 1;
        let port = moto_port.unwrap_or_else(free_port);
        let moto_log = append("moto.log");
        let mut cmd = Command::new(python);
        cmd.arg(Path::new(SUPPORT_DIR).join("run_moto.py"))
            .args(["--exit-with-stdin", "-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ECS_SERVICE_RUNNING", "1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .stdin(Stdio::piped())
            .stdout(moto_log.try_clone().unwrap())
            .stderr(moto_log);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn moto (run_moto.py)");
        // A lost race for the port shows as an early exit: try another one (or, for a fixed port, again).
        std::thread::sleep(Duration::from_millis(50));
        match child.try_wait().unwrap() {
            Some(status) if attempt < 3 => {
                eprintln!("moto exited early ({status}); retrying");
                std::thread::sleep(Duration::from_millis(200));
            }
            Some(status) => panic!("moto exited at once ({status}): {}", read_log(logs, "moto.log")),
            None => break (child, port),
        }
    };
    let moto_url = format!("http://127.0.0.1:{moto_port}");

    let mut bridge = Command::new(python)
        .arg(Path::new(SUPPORT_DIR).join("cw_bridge.py"))
        .args(["--listen-port", &bridge_port.to_string(), "--moto-url", &moto_url, "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(append("bridge.log"))
        .spawn()
        .expect("spawn cw_bridge.py");
    let mut bridge_stdout = BufReader::new(bridge.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        let _ = bridge_stdout.read_line(&mut line);
        let _ = tx.send(line);
        bridge_stdout
    });
    let line = rx.recv_timeout(STARTUP_TIMEOUT).unwrap_or_default();
    let bridge_port: u16 = match line.trim().strip_prefix("READY ").and_then(|p| p.parse().ok()) {
        Some(p) => p,
        None => {
            let _ = bridge.kill();
            let _ = moto.kill();
            panic!("cw_bridge.py did not get ready ({line:?}): {}", read_log(logs, "bridge.log"));
        }
    };
    let bridge_stdout = reader.join().unwrap();

    // moto answers its first request after ~0.6 s.
    loop {
        if let Ok((status, _)) = http(&moto_url, "GET", "/moto-api/data.json", &[], "") {
            if status == 200 {
                break;
            }
        }
        if let Some(status) = moto.try_wait().unwrap() {
            let _ = bridge.kill();
            panic!("moto exited ({status}): {}", read_log(logs, "moto.log"));
        }
        if began.elapsed() > STARTUP_TIMEOUT {
            let _ = bridge.kill();
            let _ = moto.kill();
            panic!("moto did not answer within {STARTUP_TIMEOUT:?}: {}", read_log(logs, "moto.log"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Launched {
        moto_stdin: moto.stdin.take(),
        bridge_stdin: bridge.stdin.take(),
        moto,
        bridge,
        moto_port,
        bridge_port,
        bridge_stdout,
    }
}

fn read_log(dir: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let start = text.len().saturating_sub(4000);
    let start = (start..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
    text[start..].to_string()
}

fn checked(base: &str, method: &str, path: &str, body: &str) -> String {
    let (status, text) = http(base, method, path, &[("Content-Type", "application/json")], body)
        .unwrap_or_else(|e| panic!("{method} {base}{path}: {e}"));
    assert!((200..300).contains(&status), "{method} {base}{path} answered {status}: {text}");
    text
}

/// A minimal HTTP/1.1 client over `TcpStream` (one request per connection).
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").map_or(raw.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {head:?}")))?;
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked { dechunk(&raw[split..]) } else { raw[split..].to_vec() };
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..eol]);
        let n = usize::from_str_radix(size.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        let tail = &rest[eol + 2..];
        if n == 0 || tail.len() < n {
            break;
        }
        out.extend_from_slice(&tail[..n]);
        rest = tail[n..].strip_prefix(b"\r\n").unwrap_or(&tail[n..]);
    }
    out
}
