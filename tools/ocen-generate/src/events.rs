//! `events/`: API Gateway HTTP API (payload v2) events for `cargo lambda invoke` and the
//! smoke run, generated from the callback registry (`make generate` writes them; a test
//! fails when the committed files differ). Per registered callback: a valid body on each of
//! its paths, a GET and a malformed body (the HTTP layer's answers), and the module's own
//! events (warnings, refusals). The file name says the expected answer (`-valid`,
//! `-warning-` → 200 `"0"`; `-invalid-…` → see `scripts/lambda-smoke.sh`).

use ocen_shared::callbacks::SampleIds;
use ocen_shared::CallbackType;
use ocen_shared::ErrorCode;
use serde_json::Value;
use std::collections::BTreeMap;

/// The ids of every generated event (the timestamp is refreshed when they are signed).
fn ids(kind: CallbackType) -> SampleIds {
    SampleIds {
        request_id: format!("{}-0001", kind.def().event_stem()),
        org_id: "LENDER-ABC".into(),
        trace_id: "e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb".into(),
        timestamp: "2024-05-01T10:15:30.120Z".into(),
    }
}

/// One generated event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Which callback (and so which function) it is for.
    pub kind: CallbackType,
    /// The API Gateway event.
    pub event: Value,
    /// The answer it must get unsigned: status and ack code.
    pub unsigned: (u16, &'static str),
}

impl Event {
    /// The answer it must get signed by the dev lender (v3: the body is wrapped in a JWS):
    /// the same, except that a body without a readable `metadata.orgId` names no lender to
    /// verify against (401).
    pub fn signed(&self) -> (u16, &'static str) {
        let body: Option<Value> = self.event["body"]
            .as_str()
            .and_then(|b| serde_json::from_str(b).ok());
        let method = &self.event["requestContext"]["http"]["method"];
        match body {
            _ if method != "POST" => self.unsigned,
            Some(b) if b.pointer("/metadata/orgId").is_some_and(Value::is_string) => self.unsigned,
            _ => (401, "AUTH1001"),
        }
    }
}

fn expect(code: &'static str) -> (u16, &'static str) {
    let status = ErrorCode::ALL
        .iter()
        .find(|c| c.as_str() == code)
        .map_or(200, |c| c.default_status());
    (status, code)
}

/// Every event, by file name.
pub fn generate() -> BTreeMap<String, Event> {
    let mut out = BTreeMap::new();
    for &kind in CallbackType::ALL {
        let stem = kind.def().event_stem();
        let ids = ids(kind);
        let body = (kind.tools().sample)(&ids);
        let mut add = |name: String, event: Value, code: &'static str| {
            let unsigned = expect(code);
            out.insert(
                format!("{stem}-{name}.json"),
                Event {
                    kind,
                    event,
                    unsigned,
                },
            );
        };
        for (i, path) in kind.paths().iter().enumerate() {
            let name = match i {
                0 => "valid".to_string(),
                _ if path.eq_ignore_ascii_case(kind.path()) => "capitalised-path-valid".into(),
                _ => format!("path{i}-valid"),
            };
            add(name, api_event(path, "POST", &body.to_string()), "0");
        }
        add(
            "invalid-get".into(),
            api_event(kind.path(), "GET", ""),
            "GEN5003",
        );
        let malformed = r#"{"metadata": {"version": "1.0","#;
        add(
            "invalid-malformed-json".into(),
            api_event(kind.path(), "POST", malformed),
            "LSP4000",
        );
        for v in (kind.tools().events)(&ids) {
            let event = api_event(kind.path(), "POST", &v.body.to_string());
            add(v.name.to_string(), event, v.code);
        }
    }
    out
}

pub use ocen_shared::http::api_event;

/// The text of an event file.
pub fn file_text(event: &Value) -> String {
    let mut s = serde_json::to_string_pretty(event).expect("events serialise");
    s.push('\n');
    s
}

/// Write every event into `dir`, removing `*.json` files that are no longer generated.
/// Returns how many were written.
pub fn write(dir: &std::path::Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let events = generate();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".json") && !events.contains_key(name) {
            std::fs::remove_file(&path)?;
        }
    }
    for (name, e) in &events {
        std::fs::write(dir.join(name), file_text(&e.event))?;
    }
    Ok(events.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_events_are_the_generated_ones() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
        let generated = generate();
        let mut problems = Vec::new();
        for (name, e) in &generated {
            match std::fs::read_to_string(dir.join(name)) {
                Ok(text) if text == file_text(&e.event) => {}
                Ok(_) => problems.push(format!("{name} differs")),
                Err(_) => problems.push(format!("{name} is missing")),
            }
        }
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            if name.ends_with(".json") && !generated.contains_key(&name) {
                problems.push(format!("{name} is not generated by the registry"));
            }
        }
        assert!(
            problems.is_empty(),
            "events/ is stale (run `make generate`): {problems:?}"
        );
    }

    /// Every event through the Lambda HTTP adapter and the pipeline (unsigned; the smoke
    /// run invokes the real binaries with them signed).
    #[tokio::test]
    async fn every_event_gets_its_answer_through_the_lambda_adapter() {
        use ocen_shared::testing::{ack_code, invoke_event, unsigned_service, MemoryStore};
        for (name, e) in generate() {
            let svc = unsigned_service(std::sync::Arc::new(MemoryStore::new()));
            let text = e.event.to_string();
            let (status, ack) = invoke_event(
                |req| async { Ok(ocen_shared::http::answer(&svc, e.kind, req).await) },
                &text,
            )
            .await;
            assert_eq!((status, ack_code(&ack)), e.unsigned, "{name}: {ack}");
        }
    }

    #[test]
    fn every_registered_callback_has_a_valid_event_on_each_of_its_paths() {
        let generated = generate();
        for &t in CallbackType::ALL {
            for p in t.paths() {
                assert!(
                    generated.values().any(|e| e.kind == t
                        && e.event["rawPath"] == *p
                        && e.event["requestContext"]["http"]["method"] == "POST"),
                    "{t}: no event on {p}"
                );
            }
        }
    }
}
