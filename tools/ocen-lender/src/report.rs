//! The run report: counts, latency percentiles, throughput, and with `--verify` the events
//! found on the consumer queues (missing and duplicated eventIds must both be 0).

use anyhow::Result;
use ocen_shared::CallbackType;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// What the simulator expects a request to get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new valid callback: 200 `"0"`.
    Accepted,
    /// A re-send of an accepted one: 200 with the first ack.
    Duplicate,
    /// An invalid one: this code.
    Rejected(&'static str),
    /// A valid one answering no recorded request: `LSP4011` (mode `require`) or 200 `"0"`
    /// and an event with the warning `unsolicited` (mode `flag`).
    Unsolicited,
    /// Whatever comes (send, replay).
    Any,
}

#[derive(Debug, Default)]
pub struct Verification {
    pub queues: BTreeMap<String, (usize, usize, usize)>, // queue → (received, missing, duplicated)
    /// Refused unsolicited callbacks whose event reached a queue anyway (must be 0).
    pub refused_delivered: usize,
    /// Flagged callbacks whose event arrived without the warning `unsolicited` (must be 0).
    pub flagged_unmarked: usize,
    /// Why the queues could not be read to the end, if they could not: the figures above are
    /// then partial and the run fails.
    pub error: Option<String>,
}

pub struct Report {
    elapsed: Duration,
    sent: usize,
    acked: usize,
    duplicates: usize,
    by_code: BTreeMap<String, usize>,
    unexpected: Vec<String>,
    latencies: Vec<Duration>,
    /// Accepted callbacks: (type, requestId).
    pub accepted: Vec<(CallbackType, String)>,
    /// The target flags unsolicited callbacks (`--correlation flag`) rather than refusing them.
    flag: bool,
    /// Unsolicited callbacks refused (`LSP4011`) and recorded flagged: (type, requestId).
    pub unsolicited_refused: Vec<(CallbackType, String)>,
    pub unsolicited_flagged: Vec<(CallbackType, String)>,
    pub verification: Option<Verification>,
}

impl Report {
    pub fn new(elapsed: Duration, flag: bool) -> Report {
        Report {
            flag,
            unsolicited_refused: Vec::new(),
            unsolicited_flagged: Vec::new(),
            elapsed,
            sent: 0,
            acked: 0,
            duplicates: 0,
            by_code: BTreeMap::new(),
            unexpected: Vec::new(),
            latencies: Vec::new(),
            accepted: Vec::new(),
            verification: None,
        }
    }

    pub fn record(
        &mut self,
        expect: Outcome,
        id: Option<(CallbackType, String)>,
        latency: Duration,
        result: Result<(u16, String)>,
    ) {
        self.sent += 1;
        self.latencies.push(latency);
        let (status, code) = match result {
            Ok(r) => r,
            Err(e) => {
                self.unexpected.push(format!("transport error: {e:#}"));
                return;
            }
        };
        *self.by_code.entry(code.clone()).or_default() += 1;
        match (expect, status, code.as_str()) {
            (Outcome::Accepted, 200, "0") => {
                self.acked += 1;
                if let Some(id) = id {
                    self.accepted.push(id);
                }
            }
            (Outcome::Duplicate, 200, "0") => self.duplicates += 1,
            (Outcome::Unsolicited, 422, "LSP4011") if !self.flag => {
                self.unsolicited_refused.extend(id)
            }
            (Outcome::Unsolicited, 200, "0") if self.flag => self.unsolicited_flagged.extend(id),
            (Outcome::Rejected(want), s, got) if got == want && (400..500).contains(&s) => {}
            (Outcome::Any, _, _) => {
                if status == 200 {
                    self.acked += 1;
                }
            }
            (e, s, c) => self.unexpected.push(format!("expected {e:?}, got {s} {c}")),
        }
    }

    fn percentile(&self, p: f64) -> f64 {
        let mut v: Vec<f64> = self
            .latencies
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return 0.0;
        }
        v[(((v.len() - 1) as f64) * p).round() as usize]
    }

    pub fn ok(&self) -> bool {
        self.unexpected.is_empty()
            && self.verification.as_ref().is_none_or(|v| {
                v.error.is_none()
                    && v.refused_delivered == 0
                    && v.flagged_unmarked == 0
                    && v.queues.values().all(|(_, m, d)| *m == 0 && *d == 0)
            })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "sent": self.sent,
            "acked": self.acked,
            "duplicatesAnswered": self.duplicates,
            "unsolicitedRefused": self.unsolicited_refused.len(),
            "unsolicitedFlagged": self.unsolicited_flagged.len(),
            "byCode": self.by_code,
            "unexpected": self.unexpected.len(),
            "unexpectedSamples": self.unexpected.iter().take(5).collect::<Vec<_>>(),
            "latencyMs": {"p50": self.percentile(0.50), "p95": self.percentile(0.95), "p99": self.percentile(0.99), "max": self.percentile(1.0)},
            "elapsedSeconds": self.elapsed.as_secs_f64(),
            "throughputPerSecond": self.sent as f64 / self.elapsed.as_secs_f64().max(1e-9),
            "verification": self.verification.as_ref().map(|v| json!({
                "queues": v.queues.iter().map(|(q, (r, m, d))| (q.clone(), json!({"received": r, "missing": m, "duplicated": d}))).collect::<BTreeMap<_, _>>(),
                "refusedDelivered": v.refused_delivered,
                "flaggedUnmarked": v.flagged_unmarked,
                "error": v.error,
            })),
        })
    }

    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let row = |out: &mut String, k: &str, v: String| out.push_str(&format!("  {k:<38} {v}\n"));
        out.push_str("ocen-lender report\n");
        row(&mut out, "sent", self.sent.to_string());
        row(&mut out, "acked \"0\" (new)", self.acked.to_string());
        row(&mut out, "duplicates answered", self.duplicates.to_string());
        row(
            &mut out,
            "unsolicited refused / flagged",
            format!(
                "{} / {}",
                self.unsolicited_refused.len(),
                self.unsolicited_flagged.len()
            ),
        );
        for (code, n) in &self.by_code {
            row(&mut out, &format!("answered {code}"), n.to_string());
        }
        row(
            &mut out,
            "unexpected answers",
            self.unexpected.len().to_string(),
        );
        for u in self.unexpected.iter().take(5) {
            out.push_str(&format!("    {u}\n"));
        }
        row(
            &mut out,
            "latency p50/p95/p99/max",
            format!(
                "{:.1} / {:.1} / {:.1} / {:.1} ms",
                self.percentile(0.5),
                self.percentile(0.95),
                self.percentile(0.99),
                self.percentile(1.0)
            ),
        );
        row(
            &mut out,
            "elapsed",
            format!("{:.2} s", self.elapsed.as_secs_f64()),
        );
        row(
            &mut out,
            "throughput",
            format!(
                "{:.0} callbacks/s",
                self.sent as f64 / self.elapsed.as_secs_f64().max(1e-9)
            ),
        );
        if let Some(v) = &self.verification {
            for (q, (r, m, d)) in &v.queues {
                row(
                    &mut out,
                    &format!("queue {q}"),
                    format!("{r} events, {m} missing, {d} duplicated"),
                );
            }
            row(
                &mut out,
                "refused events delivered",
                v.refused_delivered.to_string(),
            );
            row(
                &mut out,
                "flagged events unmarked",
                v.flagged_unmarked.to_string(),
            );
            if let Some(e) = &v.error {
                row(&mut out, "verify error", e.clone());
            }
        }
        let result = if self.ok() { "OK" } else { "FAILED" };
        row(&mut out, "result", result.to_string());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_with(verification: Option<Verification>) -> Report {
        let mut r = Report::new(Duration::from_secs(1), false);
        let id = Some((
            ocen_shared::callbacks::disbursement::TYPE,
            "r-1".to_string(),
        ));
        r.record(
            Outcome::Accepted,
            id,
            Duration::from_millis(3),
            Ok((200, "0".into())),
        );
        r.record(
            Outcome::Duplicate,
            None,
            Duration::from_millis(5),
            Ok((200, "0".into())),
        );
        r.record(
            Outcome::Rejected("GEN5001"),
            None,
            Duration::from_millis(1),
            Ok((400, "GEN5001".into())),
        );
        r.verification = verification;
        r
    }

    fn verified(received: usize, missing: usize, duplicated: usize) -> Verification {
        Verification {
            queues: BTreeMap::from([("Ledger".to_string(), (received, missing, duplicated))]),
            ..Verification::default()
        }
    }

    #[test]
    fn a_run_with_every_answer_expected_and_every_event_once_is_ok() {
        let r = report_with(Some(verified(1, 0, 0)));
        assert!(r.ok());
        assert_eq!((r.acked, r.duplicates, r.accepted.len()), (1, 1, 1));
        assert!(r
            .to_table()
            .lines()
            .any(|l| l.split_whitespace().eq(["result", "OK"])));
    }

    #[test]
    fn a_missing_or_duplicated_event_or_an_unfinished_verify_fails_the_run() {
        assert!(!report_with(Some(verified(0, 1, 0))).ok());
        assert!(!report_with(Some(verified(1, 0, 1))).ok());
        let unfinished = Verification {
            error: Some("receiving from Ledger: timeout".into()),
            ..verified(1, 0, 0)
        };
        let r = report_with(Some(unfinished));
        assert!(!r.ok());
        assert!(r.to_table().contains("verify error"));
        assert_eq!(
            r.to_json()["verification"]["error"],
            "receiving from Ledger: timeout"
        );
    }

    #[test]
    fn an_answer_other_than_the_expected_one_fails_the_run() {
        let mut r = report_with(None);
        r.record(
            Outcome::Rejected("GEN5002"),
            None,
            Duration::from_millis(1),
            Ok((200, "0".into())),
        );
        r.record(
            Outcome::Accepted,
            None,
            Duration::from_millis(1),
            Err(anyhow::anyhow!("refused")),
        );
        assert!(!r.ok());
        assert_eq!(r.to_json()["unexpected"], 2);
    }

    #[test]
    fn unsolicited_callbacks_must_be_refused_in_require_and_flagged_in_flag() {
        let id = || {
            Some((
                ocen_shared::callbacks::disbursement::TYPE,
                "u-1".to_string(),
            ))
        };
        let refused = || Ok((422, "LSP4011".to_string()));
        let flagged = || Ok((200, "0".to_string()));
        let mut require = Report::new(Duration::from_secs(1), false);
        require.record(Outcome::Unsolicited, id(), Duration::ZERO, refused());
        assert!(require.ok());
        assert_eq!(require.unsolicited_refused.len(), 1);
        require.record(Outcome::Unsolicited, id(), Duration::ZERO, flagged());
        assert!(!require.ok(), "recorded although mode require");
        let mut flag = Report::new(Duration::from_secs(1), true);
        flag.record(Outcome::Unsolicited, id(), Duration::ZERO, flagged());
        assert!(flag.ok());
        assert_eq!(flag.unsolicited_flagged.len(), 1);
        flag.record(Outcome::Unsolicited, id(), Duration::ZERO, refused());
        assert!(!flag.ok(), "refused although mode flag");
    }

    #[test]
    fn a_refused_callbacks_event_or_a_flagged_one_without_its_warning_fails_the_run() {
        let delivered = Verification {
            refused_delivered: 1,
            ..verified(1, 0, 0)
        };
        assert!(!report_with(Some(delivered)).ok());
        let unmarked = Verification {
            flagged_unmarked: 1,
            ..verified(1, 0, 0)
        };
        assert!(!report_with(Some(unmarked)).ok());
    }

    #[test]
    fn percentiles_are_read_off_the_sorted_latencies() {
        let mut r = Report::new(Duration::from_secs(1), false);
        for ms in (1..=100).rev() {
            r.record(
                Outcome::Any,
                None,
                Duration::from_millis(ms),
                Ok((200, "0".into())),
            );
        }
        assert_eq!(r.percentile(0.5), 51.0);
        assert_eq!(r.percentile(0.99), 99.0);
        assert_eq!(r.percentile(1.0), 100.0);
    }
}
