//! Realistic, seedable callback bodies: each run with the same seed sends the same callbacks.

pub use ocen_shared::callbacks::Rng;
use ocen_shared::callbacks::SampleIds;
use ocen_shared::CallbackType;
use serde_json::{json, Value};

/// A valid callback of `kind` from lender `org`, `metadata.timestamp` = now: its module's
/// simulator generator.
pub fn callback(rng: &mut Rng, kind: CallbackType, org: &str, index: u64) -> Value {
    let ids = SampleIds::generated(rng, org, index);
    (kind.tools().simulate)(rng, &ids)
}

/// The type of the `index`-th callback of a run: every registered type, each as often as
/// its weight says, interleaved (deterministic, so a run is reproducible).
pub fn kind_for(index: u64) -> CallbackType {
    let cycle: Vec<CallbackType> = (0..CallbackType::ALL
        .iter()
        .map(|t| t.def().weight)
        .max()
        .unwrap_or(1))
        .flat_map(|round| {
            CallbackType::ALL
                .iter()
                .copied()
                .filter(move |t| t.def().weight > round)
        })
        .collect();
    cycle[(index % cycle.len() as u64) as usize]
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
                callback(&mut a, ocen_shared::callbacks::disbursement::TYPE, "L", i),
                callback(&mut b, ocen_shared::callbacks::disbursement::TYPE, "L", i),
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
            let kind = kind_for(i);
            let body = callback(&mut rng, kind, "LENDER-ABC", i);
            let bytes = serde_json::to_vec(&body).unwrap();
            kind.validate(&bytes, &Default::default()).unwrap();
        }
    }

    #[test]
    fn a_run_sends_every_registered_type_in_proportion_to_its_weight() {
        let total: u64 = CallbackType::ALL
            .iter()
            .map(|t| u64::from(t.def().weight))
            .sum();
        for &t in CallbackType::ALL {
            let sent = (0..total * 10).filter(|&i| kind_for(i) == t).count() as u64;
            assert_eq!(sent, u64::from(t.def().weight) * 10, "{t}");
        }
    }
}
