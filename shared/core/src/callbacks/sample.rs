//! Inputs of the callback modules' sample bodies and simulator generators.

use crate::domain::OcenTimestamp;
use serde_json::{json, Value};

/// SplitMix64: small, fast, good enough for test data, and reproducible from a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `len` lowercase hex digits.
    pub fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap_or('0'))
            .collect()
    }

    /// A UUID built from the stream (not a v4: reproducible).
    pub fn uuid(&mut self) -> String {
        uuid::Uuid::from_u64_pair(self.next_u64(), self.next_u64()).to_string()
    }

    /// An amount of rupees between `min` and `max` paise, as the spec spells it.
    pub fn amount(&mut self, min_paise: u64, max_paise: u64) -> String {
        let paise = min_paise + self.below(max_paise.saturating_sub(min_paise).max(1));
        format!("{}.{:02}", paise / 100, paise % 100)
    }
}

/// The ids and time every sample body carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleIds {
    pub request_id: String,
    pub org_id: String,
    pub trace_id: String,
    /// `metadata.timestamp` (and other times of the body).
    pub timestamp: String,
}

impl SampleIds {
    /// The fixed ids of the documented samples: lender `LENDER-ABC`, the current time
    /// (so that the body passes the replay window).
    pub fn fixed(request_id: &str) -> SampleIds {
        SampleIds {
            request_id: request_id.to_string(),
            org_id: "LENDER-ABC".to_string(),
            trace_id: "e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb".to_string(),
            timestamp: OcenTimestamp::ack_format(time::OffsetDateTime::now_utc()),
        }
    }

    /// Fresh ids for the simulator's `index`-th callback from lender `org`.
    pub fn generated(rng: &mut Rng, org: &str, index: u64) -> SampleIds {
        SampleIds {
            request_id: format!("sim-{index:08}-{}", rng.hex(12)),
            org_id: org.to_string(),
            trace_id: rng.uuid(),
            timestamp: OcenTimestamp::ack_format(time::OffsetDateTime::now_utc()),
        }
    }

    /// `metadata` as a lender sends it.
    pub fn metadata(&self) -> Value {
        json!({
            "version": "1.0",
            "orgId": self.org_id,
            "timestamp": self.timestamp,
            "traceId": self.trace_id,
        })
    }

    /// The members every callback starts with: `metadata`, `requestId`, `response` `"0"`.
    pub fn head(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("metadata".into(), self.metadata());
        m.insert("requestId".into(), json!(self.request_id));
        m.insert("response".into(), json!({"error": "0"}));
        m
    }

    /// [`SampleIds::head`] plus `members`.
    pub fn body(&self, members: Value) -> Value {
        let mut m = self.head();
        if let Value::Object(extra) = members {
            m.extend(extra);
        }
        Value::Object(m)
    }
}

/// Secrets and references of the documented samples (tests check they never reach a log).
pub const SAMPLE_OTP_SESSION_KEY: &str = "otp-session-7f3a9c1e";
pub const SAMPLE_APP_TOKEN: &str = "app-token-5b2d8e4f";
pub const SAMPLE_TXN_REF: &str = "004618602124";
