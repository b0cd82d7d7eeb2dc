//! Test inference payloads (checked before anything is sent) and how an answer is shown.

use crate::domain::InvokeResponse;
use crate::sanitize::inert;
use std::io::Read;
use std::path::Path;

/// InvokeEndpoint refuses bodies over 6 MB; refusing here says why before anything is sent.
pub const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;
/// Body bytes shown of a non-JSON answer before "… N more bytes".
const SHOWN_BODY_BYTES: usize = 2048;

#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub body: Vec<u8>,
    pub content_type: String,
    /// Where it came from, for the plan and the audit: "file req.json", "stdin", "config".
    pub source: PayloadSource,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PayloadSource {
    File(String),
    Stdin,
    Config,
}

impl Payload {
    /// The `--payload` flag that names this payload again, without a content type (a
    /// function's event is always JSON).
    pub fn as_event_flags(&self) -> String {
        match &self.source {
            PayloadSource::File(path) => format!(" --payload {}", shell_words::quote(&inert(path))),
            PayloadSource::Stdin => " --payload -".to_string(),
            PayloadSource::Config => String::new(),
        }
    }

    /// The flags that name this payload again (for a read-only user's copy of the command).
    pub fn as_flags(&self) -> String {
        let source = match &self.source {
            PayloadSource::File(path) => format!(" --payload {}", shell_words::quote(&inert(path))),
            PayloadSource::Stdin => " --payload -".to_string(),
            PayloadSource::Config => String::new(),
        };
        format!("{source} --content-type {}", shell_words::quote(&self.content_type))
    }

    pub fn describe(&self) -> String {
        let from = match &self.source {
            PayloadSource::File(path) => format!("file {}", inert(path)),
            PayloadSource::Stdin => "stdin".to_string(),
            PayloadSource::Config => "config.toml".to_string(),
        };
        format!("{} bytes of {} from {from}", self.body.len(), self.content_type)
    }
}

/// Content type guessed from the payload when none is given: JSON if it parses, else CSV (the
/// SageMaker built-in containers' other common input), never a silent default.
pub fn guess_content_type(body: &[u8]) -> &'static str {
    if serde_json::from_slice::<serde_json::Value>(body).is_ok() {
        "application/json"
    } else {
        "text/csv"
    }
}

fn check(body: Vec<u8>, content_type: Option<&str>, source: PayloadSource) -> Result<Payload, String> {
    let shown = match &source {
        PayloadSource::File(p) => format!("payload file {}", inert(p)),
        PayloadSource::Stdin => "payload on stdin".to_string(),
        PayloadSource::Config => "configured payload".to_string(),
    };
    if body.is_empty() {
        return Err(format!("{shown} is empty: an endpoint needs something to score"));
    }
    if body.len() > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "{shown} is {} bytes: InvokeEndpoint takes at most 6 MB ({MAX_PAYLOAD_BYTES})",
            body.len()
        ));
    }
    let content_type = match content_type {
        // It is shown in the plan and the audit: nothing inert would change (controls, bidi).
        Some(t) if t.trim().is_empty() || inert(t) != t => {
            return Err(format!("content type '{}' is not valid", inert(t)))
        }
        Some(t) => t.to_string(),
        None => guess_content_type(&body).to_string(),
    };
    Ok(Payload { body, content_type, source })
}

/// A payload from a file, or `-` for stdin. Checked: readable, not empty, at most 6 MB.
pub fn load(path: &str, content_type: Option<&str>) -> Result<Payload, String> {
    if path == "-" {
        let mut body = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_PAYLOAD_BYTES as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("could not read the payload from stdin: {e}"))?;
        return check(body, content_type, PayloadSource::Stdin);
    }
    let file = Path::new(path);
    // A file name may hold any character but '/' and NUL: quoted inert.
    let shown = inert(path);
    let meta = std::fs::metadata(file).map_err(|e| format!("payload file {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("payload file {shown}: not a regular file"));
    }
    if meta.len() > MAX_PAYLOAD_BYTES as u64 {
        return Err(format!("payload file {shown} is {} bytes: InvokeEndpoint takes at most 6 MB", meta.len()));
    }
    let body = std::fs::read(file).map_err(|e| format!("payload file {shown}: {e}"))?;
    check(body, content_type, PayloadSource::File(path.to_string()))
}

/// A payload configured in config.toml for an endpoint.
pub fn from_config(body: &str, content_type: Option<&str>) -> Result<Payload, String> {
    check(body.as_bytes().to_vec(), content_type, PayloadSource::Config)
}

/// The first lines of a payload, inert.
pub fn preview(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(400)]).into_owned();
    let mut lines: Vec<String> = text.lines().take(6).map(|l| inert(l).into_owned()).collect();
    if body.len() > 400 {
        lines.push(format!("… {} more bytes", body.len() - 400));
    }
    lines
}

/// A Lambda test event: JSON (Lambda takes nothing else), at most 6 MB (a synchronous
/// invocation's limit), not empty.
pub fn event(payload: Payload) -> Result<Payload, String> {
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&payload.body) {
        return Err(format!("the test event ({}) is not JSON: {e}", payload.describe()));
    }
    Ok(Payload { content_type: "application/json".into(), ..payload })
}

/// The answer as lines for a terminal: status, latency, variant (or a function's version, its
/// error and the end of its log), then the body (JSON pretty printed; anything else inert and
/// cut with a count). Everything from the endpoint or function is inert.
pub fn describe_response(r: &InvokeResponse) -> Vec<String> {
    let function = r.executed_version.is_some() || r.function_error.is_some() || r.log_tail.is_some();
    let mut lines = vec![format!("HTTP {}  {:.0} ms (measured here, round trip)", r.status, r.latency_ms)];
    if function {
        lines.push(format!("version  {}", r.executed_version.as_deref().map(inert).unwrap_or("(not named)".into())));
        if let Some(error) = &r.function_error {
            lines.push(format!("FUNCTION ERROR ({}): the function ran and failed; its error is below", inert(error)));
        }
    } else {
        lines.push(format!("variant  {}", r.invoked_variant.as_deref().map(inert).unwrap_or("(not named)".into())));
        lines.push(format!("type     {}", r.content_type.as_deref().map(inert).unwrap_or("(none)".into())));
    }
    lines.push(String::new());
    lines.extend(body_lines(&r.body));
    if let Some(tail) = &r.log_tail {
        lines.push(String::new());
        lines.push("log (the last 4 KB):".into());
        lines.extend(tail.lines().map(|l| format!("  {}", inert(l))));
    }
    lines
}

fn body_lines(body: &[u8]) -> Vec<String> {
    let mut lines = Vec::new();
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => {
            let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
            lines.extend(pretty.lines().map(|l| inert(l).into_owned()));
        }
        Err(_) => {
            let shown = &body[..body.len().min(SHOWN_BODY_BYTES)];
            let text = String::from_utf8_lossy(shown);
            lines.extend(text.lines().map(|l| inert(l).into_owned()));
            if body.len() > SHOWN_BODY_BYTES {
                lines.push(format!("… {} more bytes", body.len() - SHOWN_BODY_BYTES));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_payloads_are_refused_with_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.json");
        std::fs::write(&empty, b"").unwrap();
        assert!(load(empty.to_str().unwrap(), None).unwrap_err().contains("is empty"));
        let missing = dir.path().join("missing.json");
        assert!(load(missing.to_str().unwrap(), None).unwrap_err().contains("No such file"));
        let big = dir.path().join("big.bin");
        std::fs::write(&big, vec![b'x'; MAX_PAYLOAD_BYTES + 1]).unwrap();
        assert!(load(big.to_str().unwrap(), None).unwrap_err().contains("at most 6 MB"));
        assert!(load(dir.path().to_str().unwrap(), None).unwrap_err().contains("not a regular file"));
        let ok = dir.path().join("ok.json");
        std::fs::write(&ok, br#"{"instances":[[1,2]]}"#).unwrap();
        let p = load(ok.to_str().unwrap(), None).unwrap();
        assert_eq!(p.content_type, "application/json");
        assert_eq!(from_config("1,2,3", None).unwrap().content_type, "text/csv");
    }

    #[test]
    fn answers_are_pretty_and_inert() {
        let r = InvokeResponse {
            status: 200,
            content_type: Some("application/json".into()),
            invoked_variant: Some("model-v1".into()),
            body: br#"{"p":[0.9],"note":"\u001b[2Jhi"}"#.to_vec(),
            latency_ms: 84.2,
            ..Default::default()
        };
        let text = describe_response(&r).join("\n");
        assert!(text.contains("HTTP 200  84 ms"), "{text}");
        assert!(text.contains("\"p\": ["), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        let raw = InvokeResponse { body: vec![b'a'; 5000], content_type: None, ..r };
        assert!(describe_response(&raw).last().unwrap().contains("2952 more bytes"));
    }
}
