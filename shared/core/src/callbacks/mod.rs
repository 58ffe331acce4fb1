//! The callbacks this service answers: **one module per callback, one registry.**
//!
//! A callback module declares everything specific to its callback in one [`CallbackDef`]:
//! name, paths, function crate and template resource, OpenAPI schema name, wire shape
//! (serde types beside it), validation and this service's rules (its domain type's
//! `parse`), routing (the ordering key; the queues are the template's `QUEUES_<NAME>`);
//! and in one [`CallbackTools`] what only tools and tests use: its OpenAPI components, a
//! sample body for tests and `events/`, a generator for the simulator, its own events. Its
//! tests sit beside it.
//!
//! [`REGISTRY`] lists the modules. Everything else derives from it (the service's dispatch,
//! the local server's routes, the simulator, `events/`, the scripts' function lists) or is
//! checked against it by a test that names what is missing (the template's functions,
//! routes, queue subscriptions and alarms; the OpenAPI document).
//!
//! A validated type declares its fields in key order (`camelCase` names sorted, unknown
//! attributes last): its payload is then written straight from it, without a tree
//! ([`crate::payload`]); a test names the callback whose sample does not take that path.
//!
//! Adding a callback: write `callbacks/<name>.rs` (copy the nearest one), add its `TYPE`
//! and `TOOLS` to the registry (`MODULES`), add `functions/<package>` (ten lines of wiring), its template resources,
//! and run `make generate` (`events/`, `docs/openapi.json`, the README's tables). The
//! tests say what else is missing.

mod common;
pub mod consent_handle;
pub mod consent_status;
pub mod disbursement;
pub mod disbursement_status;
pub mod grant_loan;
pub mod loan_acceptance;
pub mod objects;
pub mod sample;
pub mod verify_loan_acceptance;

#[cfg(test)]
pub(crate) use common::check;
pub use common::{
    Callback, LenderResponse, Metadata, ValidationPolicy, DEFAULT_SUPPORTED_VERSIONS,
};
pub use sample::{Rng, SampleIds};

use crate::error::Rejection;
use crate::wire::Json;
use crate::CallbackType;
use serde_json::Value;

/// Every callback this service answers, with its tools, in the order the README's tables
/// list them.
const MODULES: [(CallbackType, &CallbackTools); 7] = [
    (loan_acceptance::TYPE, &loan_acceptance::TOOLS),
    (verify_loan_acceptance::TYPE, &verify_loan_acceptance::TOOLS),
    (disbursement::TYPE, &disbursement::TOOLS),
    (disbursement_status::TYPE, &disbursement_status::TOOLS),
    (consent_handle::TYPE, &consent_handle::TOOLS),
    (consent_status::TYPE, &consent_status::TOOLS),
    (grant_loan::TYPE, &grant_loan::TOOLS),
];

/// Every callback this service answers, in the order the README's tables list them.
pub const REGISTRY: &[CallbackType] = &types(MODULES);

const fn types<const N: usize>(modules: [(CallbackType, &CallbackTools); N]) -> [CallbackType; N] {
    let mut out = [modules[0].0; N];
    let mut i = 0;
    while i < N {
        out[i] = modules[i].0;
        i += 1;
    }
    out
}

/// A registered callback's tools ([`CallbackTools`]). Every module's `TYPE` is registered
/// (a test holds each to its own module's tools); only tools and tests call this.
pub(crate) fn tools(kind: CallbackType) -> &'static CallbackTools {
    MODULES
        .iter()
        .find(|(t, _)| t.as_str() == kind.as_str())
        .map(|(_, tools)| *tools)
        .expect("every callback type is a registered module's")
}

/// What a callback module declares about its callback.
pub struct CallbackDef {
    /// The name in idempotency keys, events, message attributes and configuration
    /// (`QUEUES_<NAME>`), e.g. `DISBURSEMENT_RESPONSE`.
    pub name: &'static str,
    /// The spec's title, e.g. `Trigger Disbursement Response`.
    pub title: &'static str,
    /// When a lender sends it, e.g. `money moved, or did not` (README, OpenAPI).
    pub summary: &'static str,
    /// Every path a lender may POST it to; the first is the spec's.
    pub paths: &'static [&'static str],
    /// The function crate (and binary) under `functions/` that serves it.
    pub package: &'static str,
    /// Its function's logical id in `infra/template.yaml`.
    pub function: &'static str,
    /// Its body's component in `docs/openapi.json` (the v3 schema's file name).
    pub schema: &'static str,
    /// Its consumer queues: the template's logical ids, which the dispatcher's
    /// `QUEUES_<NAME>` must name (a template test checks it).
    pub queues: &'static [&'static str],
    /// Its share of the simulator's traffic (relative to the others').
    pub weight: u32,
    /// Validate a body, read ([`crate::wire::read`]).
    pub validate: fn(&Json<'_>, &ValidationPolicy) -> Result<Callback, Rejection>,
}

/// What the tools and tests need of a callback beyond serving it ([`CallbackType::tools`]).
/// Apart from [`CallbackDef`]: a function reaches its own callback's `DEF` only, and
/// whole-program LTO drops what nothing reaches, so no function carries these (34 KB of
/// the grant loan function, README "Build profile").
pub struct CallbackTools {
    /// Its body's schema, from its type, the objects it names added to the generator's
    /// definitions (`make generate` writes them into `docs/openapi.json` under
    /// [`CallbackDef::schema`]).
    pub openapi: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
    /// A valid body, the same for the same ids (tests, `events/`, documentation).
    pub sample: fn(&SampleIds) -> Value,
    /// A realistic valid body for the simulator, varied by `rng`.
    pub simulate: fn(&mut Rng, &SampleIds) -> Value,
    /// Its own events for `events/` beyond the generated ones (a valid body on each path,
    /// a GET, a malformed body): warnings and refusals worth invoking a binary with.
    pub events: fn(&SampleIds) -> Vec<Variant>,
}

/// One of a callback module's own events.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The file name's suffix (`warning-no-session-key`, `invalid-status-enum`).
    pub name: &'static str,
    pub body: Value,
    /// The ack code it must get unsigned: `"0"` (recorded) or an error code.
    pub code: &'static str,
}

impl Variant {
    pub fn new(name: &'static str, body: Value, code: &'static str) -> Variant {
        Variant { name, body, code }
    }
}

impl CallbackDef {
    /// The stem of its files in `events/`: the package without `-response`.
    pub fn event_stem(&self) -> &'static str {
        self.package
            .strip_suffix("-response")
            .unwrap_or(self.package)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn each_callback_type_has_its_own_modules_tools() {
        let pairs: [(CallbackType, &CallbackTools); 7] = [
            (loan_acceptance::TYPE, &loan_acceptance::TOOLS),
            (verify_loan_acceptance::TYPE, &verify_loan_acceptance::TOOLS),
            (disbursement::TYPE, &disbursement::TOOLS),
            (disbursement_status::TYPE, &disbursement_status::TOOLS),
            (consent_handle::TYPE, &consent_handle::TOOLS),
            (consent_status::TYPE, &consent_status::TOOLS),
            (grant_loan::TYPE, &grant_loan::TOOLS),
        ];
        assert_eq!(REGISTRY.len(), pairs.len(), "every module is registered");
        for (t, tools) in pairs {
            assert!(REGISTRY.contains(&t), "{t} is registered");
            assert!(
                std::ptr::eq(t.tools(), tools),
                "{t} has its own module's tools"
            );
        }
    }

    #[test]
    fn names_paths_packages_functions_and_schemas_are_unique_across_the_registry() {
        let mut seen = BTreeSet::new();
        for t in REGISTRY {
            let d = t.def();
            for (what, v) in [
                ("name", d.name),
                ("package", d.package),
                ("function", d.function),
                ("schema", d.schema),
                ("event stem", d.event_stem()),
            ] {
                assert!(seen.insert((what, v)), "{what} {v} is registered twice");
            }
            for p in d.paths {
                assert!(seen.insert(("path", p)), "path {p} is registered twice");
                assert!(p.starts_with("/v3/"), "{p}");
            }
            assert!(d.weight > 0, "{} has no simulator weight", d.name);
        }
    }

    #[test]
    fn a_refusal_names_the_nested_attribute_by_its_whole_path() {
        let cases: [(CallbackType, &str, serde_json::Value, &str); 7] = [
            (
                loan_acceptance::TYPE,
                "/credBlock/0/data/maskedPhoneNumber",
                "12".into(),
                "credBlock[0].data.maskedPhoneNumber",
            ),
            (
                loan_acceptance::TYPE,
                "/credBlock/0/type",
                "NOT_A_TYPE".into(),
                "credBlock[0].type",
            ),
            (
                disbursement::TYPE,
                "/payment/totalAmount",
                "ten".into(),
                "payment.totalAmount",
            ),
            (
                grant_loan::TYPE,
                "/disbursement/plan/scheduleType",
                "SOMETIMES".into(),
                "disbursement.plan.scheduleType",
            ),
            (
                grant_loan::TYPE,
                "/repayment/plan/tenure/unit",
                "FORTNIGHT".into(),
                "repayment.plan.tenure.unit",
            ),
            (
                grant_loan::TYPE,
                "/terms/tenure/duration",
                serde_json::Value::Null,
                "terms.tenure.duration",
            ),
            (
                consent_handle::TYPE,
                "/consent/consentStatus",
                "OK".into(),
                "consent.consentStatus",
            ),
        ];
        for (t, pointer, value, path) in cases {
            let mut body = (t.tools().sample)(&SampleIds::fixed("path-1"));
            *body
                .pointer_mut(pointer)
                .unwrap_or_else(|| panic!("{t}: no {pointer}")) = value;
            let refusal = common::check(t.def(), &body).expect_err(pointer);
            assert!(
                refusal.detail.starts_with(&format!("{path} ")),
                "{t}: {pointer}: {}",
                refusal.detail
            );
        }
    }

    #[test]
    fn every_registered_sample_validates_and_is_recorded_under_its_own_type() {
        let policy = ValidationPolicy::default();
        for &t in REGISTRY {
            let ids = SampleIds::fixed("reg-1");
            let body = serde_json::to_vec(&(t.tools().sample)(&ids)).unwrap();
            let read = crate::wire::read(&body).unwrap();
            let callback = (t.def().validate)(&read.tree, &policy)
                .unwrap_or_else(|r| panic!("{t}: the sample is refused: {r:?}"));
            assert_eq!(callback.kind, t);
            assert_eq!(callback.request_id.as_str(), "reg-1");
            assert!(callback.warnings.is_empty(), "{t}: {:?}", callback.warnings);
            let mut rng = Rng::new(5);
            for i in 0..50 {
                let ids = SampleIds::generated(&mut rng, "LENDER-ABC", i);
                let body = serde_json::to_vec(&(t.tools().simulate)(&mut rng, &ids)).unwrap();
                let read = crate::wire::read(&body).unwrap();
                (t.def().validate)(&read.tree, &policy)
                    .unwrap_or_else(|r| panic!("{t}: a simulated body is refused: {r:?}"));
            }
        }
    }
}
