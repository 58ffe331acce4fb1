//! The callbacks this service answers: **one module per callback, one registry.**
//!
//! A callback module declares everything specific to its callback: in one [`CallbackDef`]
//! its name, paths, function crate and template resource, OpenAPI schema name, consumer
//! queues and validation; beside it, its body's types (declared once: their fields are the
//! domain types, and the validation, the event's payload and the OpenAPI schema all come
//! from them), this service's rules (warnings) and the ordering key; in one
//! [`CallbackTools`] what only tools and tests use: its schema, a sample body for tests and
//! `events/`, a generator for the simulator, its own events. Its tests sit beside it.
//!
//! [`REGISTRY`] lists the modules. Everything else derives from it (the service's dispatch,
//! the local server's routes, the simulator, `events/`, the OpenAPI document, the
//! template's per-callback blocks, the scripts' function lists) or is checked against it by
//! a test that names what is missing.
//!
//! Adding a callback: write `callbacks/<name>.rs` (copy the nearest one), add its name to
//! `registry!`, add `functions/<package>` (ten lines of wiring) and run `make generate`
//! (`events/`, `docs/openapi.json`, the README's tables, the template's blocks). The tests
//! say what else is missing (docs/adding-a-callback.md).

mod common;
pub mod objects;
pub mod sample;

/// The registry: each callback module is declared here, once, and its `TYPE` and `TOOLS`
/// come from the same module by construction.
macro_rules! registry {
    ($($module:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Every callback this service answers, with its tools, in the order the README's
        /// tables list them.
        const MODULES: &[(CallbackType, &CallbackTools)] = &[$(($module::TYPE, &$module::TOOLS)),+];

        /// Every callback this service answers, in the order the README's tables list them.
        pub const REGISTRY: &[CallbackType] = &[$($module::TYPE),+];
    };
}

registry![
    loan_acceptance,
    verify_loan_acceptance,
    disbursement,
    disbursement_status,
    consent_handle,
    consent_status,
    grant_loan,
    create_loan_applications,
    generate_offers,
    set_offer,
    set_repayment_plan,
    set_repayment_plan_status,
    trigger_repayment,
    trigger_repayment_status,
    confirm_repayment,
    get_repayment_plans,
    get_disbursement_plans,
    set_disbursement_plan,
    get_disbursement_accounts,
    set_disbursement_account,
    loan_summary,
    get_loan,
    loan_statement,
    list_loans,
    raise_dispute,
    dispute_status,
];

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

/// A registered callback's tools ([`CallbackTools`]). Every module's `TYPE` is registered
/// (`CallbackType::of` is only called by the modules the registry declares); only tools
/// and tests call this.
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
    /// It answers a request the LSP sent (checked against the request's record, docs/idempotency.md
    /// "Correlation"); `false` for a callback the lender starts (v3 `confirmRepayment`),
    /// which is never checked against requests.
    pub answers_request: bool,
    /// The lender may POST its answer again under the same `requestId` as the state it
    /// reports moves on: each distinct body is then recorded as the next revision, with
    /// its own event, in order (docs/idempotency.md "Idempotency"); else a second body is a conflict.
    /// Only where the spec says so (the module cites it).
    pub revisable: bool,
    /// Validate a body, read ([`crate::wire::read`]).
    pub validate: fn(&Json<'_>, &ValidationPolicy) -> Result<Callback, Rejection>,
}

/// What the tools and tests need of a callback beyond serving it ([`CallbackType::tools`]).
/// Apart from [`CallbackDef`]: a function reaches its own callback's `DEF` only, and
/// whole-program LTO drops what nothing reaches, so no function carries these (34 KB of
/// the grant loan function, docs/performance.md "Build profile").
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
