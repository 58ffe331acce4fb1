//! Realistic, seedable callback bodies: each run with the same seed sends the same callbacks.

use ocen_shared::domain::OcenTimestamp;
use ocen_shared::CallbackType;
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

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap())
            .collect()
    }
}

/// A valid callback of `kind` from lender `org`, `metadata.timestamp` = now.
pub fn callback(rng: &mut Rng, kind: CallbackType, org: &str, index: u64) -> Value {
    let request_id = format!("sim-{index:08}-{}", rng.hex(12));
    let metadata = json!({
        "version": "1.0",
        "orgId": org,
        "timestamp": OcenTimestamp::ack_format(time::OffsetDateTime::now_utc()),
        "traceId": uuid::Uuid::from_u64_pair(rng.next_u64(), rng.next_u64()).to_string(),
    });
    match kind {
        CallbackType::LoanAcceptanceResponse => json!({
            "metadata": metadata, "requestId": request_id, "response": {"error": "0"},
            "credBlock": [{"type": "OTP", "data": {
                "otpSessionKey": format!("otps-{}", rng.hex(16)),
                "maskedPhoneNumber": format!("XXXXXXX{:03}", rng.below(1000)),
                "appToken": format!("tok-{}", rng.hex(10)),
                "status": null
            }}]
        }),
        CallbackType::DisbursementResponse => {
            let status = *rng.pick(&["SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "PENDING_AUTH"]);
            let paise = 500_000 + rng.below(50_000_000);
            let amount = format!("{}.{:02}", paise / 100, paise % 100);
            let mut payment = json!({
                "id": format!("pay-{}", rng.hex(16)),
                "date": OcenTimestamp::ack_format(time::OffsetDateTime::now_utc()),
                "totalAmount": amount, "principal": amount, "status": status,
                "paymentMethodType": rng.pick(&["UPI", "NETBANKING", "ENACH", "DEBIT_CARD", "EMANDATE_UPI"]),
                "useSavedPaymentOption": rng.chance(0.5),
            });
            if status == "SUCCESS" {
                payment["txnRefNo"] = json!(format!("{:012}", rng.below(1_000_000_000_000)));
            }
            json!({"metadata": metadata, "requestId": request_id, "response": {"error": "0"},
                   "loanId": format!("LOAN-{:06}", rng.below(1_000_000)), "payment": payment})
        }
        CallbackType::ConsentHandleResponse => {
            let status = *rng.pick(&["READY", "READY", "PENDING", "FAILED"]);
            let mut consent = json!({"consentStatus": status, "consentFetchType": rng.pick(&["ONETIME", "PERIODIC"]),
                                     "vua": format!("user{}@aa.in", rng.below(100_000))});
            if status == "READY" {
                consent["consentHandle"] =
                    json!(uuid::Uuid::from_u64_pair(rng.next_u64(), rng.next_u64()).to_string());
            }
            json!({"metadata": metadata, "requestId": request_id, "response": {"error": "0"}, "consent": consent})
        }
    }
}

/// Make a valid body invalid in one of several ways; returns the ack code it should get.
pub fn spoil(rng: &mut Rng, body: &mut Value) -> &'static str {
    match rng.below(4) {
        0 => {
            body.as_object_mut().unwrap().remove("requestId");
            "GEN5001"
        }
        1 => {
            body["metadata"]["version"] = json!("9.9");
            "GEN5005"
        }
        2 => {
            body["requestId"] = json!("x".repeat(300));
            "GEN5007"
        }
        _ => {
            body["response"] = json!({"error": 0});
            "LSP4001"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_generates_the_same_callbacks() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for i in 0..5 {
            let (mut x, mut y) = (
                callback(&mut a, CallbackType::DisbursementResponse, "L", i),
                callback(&mut b, CallbackType::DisbursementResponse, "L", i),
            );
            // The only values not from the seed: the clock (timestamp, payment date).
            for v in [&mut x, &mut y] {
                v["payment"].as_object_mut().unwrap().remove("date");
            }
            assert_eq!(x["requestId"], y["requestId"]);
            assert_eq!(x["payment"], y["payment"]);
        }
    }

    #[test]
    fn generated_callbacks_pass_validation() {
        let mut rng = Rng::new(1);
        for i in 0..300 {
            let kind = CallbackType::ALL[(i % 3) as usize];
            let body = callback(&mut rng, kind, "LENDER-ABC", i);
            let bytes = serde_json::to_vec(&body).unwrap();
            let wire = ocen_shared::wire::CallbackBody::from_slice(kind, &bytes).unwrap();
            ocen_shared::domain::Callback::parse(wire, &Default::default()).unwrap();
        }
    }
}
