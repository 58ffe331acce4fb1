//! **Grant Loan Response** (`POST /v3/loan/grantLoanResponse`): the lender's decision on a
//! loan, with its terms, the chosen disbursement and repayment plans and `loanStatus`.
//! Schemas: `GrantLoanResponse.json`, `loanterms.json`, `loantenure.json`,
//! `chosenDisbursement.json`, `chosenRepayment.json`, `paymentplan.json`,
//! `rejectiondetail.json`, `actionrequired.json`, `reference.json` (`spec/v3-schemas/`).
//! Routed to the loan events queue (FIFO, one group per loan).
//!
//! What is checked is what the schemas require, with the same newtypes as the other
//! callbacks (money as exact paise, enums, ids, lengths). Objects this service does not read
//! (`terms.legalAgreement`, `terms.documents`, `terms.charges`,
//! `disbursement.accountDetails`, `repayment.method`, every `extensibleData`) are carried
//! to the event untouched. One slip of the spec is not enforced: `paymentplan.json` requires
//! `noOfInstallments` but its property is spelled `noOfInstallment`, so neither is required.

use super::common::{
    optional, present, required, schema_ref, Body, FieldPath, Item, LenderResponse, Member,
    Metadata, ValidationPolicy,
};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::{ErrorCode, Rejection};
use crate::wire::Extra;
use crate::CallbackType;
use serde::Serialize;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "GRANT_LOAN_RESPONSE",
    title: "Grant Loan Response",
    summary: "the lender granted the loan (or rejected it, or needs an action), with its terms",
    paths: &["/v3/loan/grantLoanResponse"],
    package: "grant-loan-response",
    function: "GrantLoanResponseFunction",
    schema: "GrantLoanResponse",
    queues: &["LoanEventsQueue"],
    weight: 2,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<GrantLoanResponse>(TYPE, body, policy)
}

/// Most entries in `rejectionDetails` or `actionRequired`.
pub const MAX_LIST_ENTRIES: usize = 32;

crate::domain::ocen_enum!(
    /// `loanStatus`.
    LoanStatus {
        Granted = "GRANTED",
        Rejected = "REJECTED",
        Defaulted = "DEFAULTED",
        Completed = "COMPLETED",
        ActionRequired = "ACTION_REQUIRED",
    }
);
crate::domain::ocen_enum!(
    /// `terms.interestType`.
    InterestType { Fixed = "FIXED", Floating = "FLOATING" }
);
crate::domain::ocen_enum!(
    /// `tenure.unit`.
    TenureUnit { Month = "MONTH", Day = "DAY", Year = "YEAR" }
);
crate::domain::ocen_enum!(
    /// `plan.scheduleType`.
    ScheduleType { Recurring = "RECURRING", OneTime = "ONE_TIME", AsPresented = "AS_PRESENTED" }
);
crate::domain::ocen_enum!(
    /// `plan.frequency`.
    Frequency {
        Monthly = "MONTHLY",
        Weekly = "WEEKLY",
        Quarterly = "QUARTERLY",
        HalfYearly = "HALF_YEARLY",
        Yearly = "YEARLY",
    }
);
crate::domain::ocen_enum!(
    /// `plan.status`.
    PlanStatus { Active = "ACTIVE", Inactive = "INACTIVE", PendingAuth = "PENDING_AUTH" }
);
crate::domain::ocen_enum!(
    /// `rejectionDetails[i].reason`.
    RejectionReason {
        LowCreditScore = "LOW_CREDIT_SCORE",
        Fraud = "FRAUD",
        DocIrregularities = "DOC_IRREGULARITIES",
        Others = "OTHERS",
    }
);
crate::domain::ocen_enum!(
    /// `actionRequired[i].actionType`.
    ActionType { AddDocument = "ADD_DOCUMENT", ResubmitDocument = "RESUBMIT_DOCUMENT", Other = "OTHER" }
);

/// The wire shape, field for field with the v3 schemas (everything optional, `null` as
/// absent; unknown attributes and the objects this service does not read kept in `extra`).
pub mod wire {
    pub use crate::wire::{Extra, LenderResponse, Metadata};
    use serde::Deserialize;

    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct GrantLoanResponse {
        pub metadata: Option<Metadata>,
        pub request_id: Option<String>,
        pub response: Option<LenderResponse>,
        pub loan_id: Option<String>,
        pub terms: Option<LoanTerms>,
        pub disbursement: Option<ChosenPlan>,
        pub repayment: Option<ChosenPlan>,
        pub loan_status: Option<String>,
        pub rejection_details: Option<Vec<RejectionDetail>>,
        pub action_required: Option<Vec<ActionRequired>>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct LoanTerms {
        pub requested_amount: Option<String>,
        pub currency: Option<String>,
        pub sanctioned_amount: Option<String>,
        pub interest_type: Option<String>,
        pub interest_rate: Option<String>,
        pub total_amount: Option<String>,
        pub interest_amount: Option<String>,
        pub description: Option<String>,
        pub tenure: Option<LoanTenure>,
        pub url: Option<String>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct LoanTenure {
        pub duration: Option<String>,
        pub unit: Option<String>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    /// `chosenDisbursement.json` and `chosenRepayment.json`: a `plan` (required) beside
    /// `accountDetails` or `method` (carried).
    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ChosenPlan {
        pub plan: Option<PaymentPlan>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct PaymentPlan {
        pub id: Option<String>,
        pub automatic: Option<bool>,
        pub schedule_type: Option<String>,
        pub frequency: Option<String>,
        pub total_amount: Option<String>,
        pub principal: Option<String>,
        pub interest_amount: Option<String>,
        pub penalty: Option<String>,
        pub status: Option<String>,
        pub tenure: Option<LoanTenure>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct RejectionDetail {
        pub reason: Option<String>,
        pub description: Option<String>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ActionRequired {
        pub action_type: Option<String>,
        pub description: Option<String>,
        pub reference: Option<Reference>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Reference {
        pub object: Option<String>,
        pub value: Option<String>,
        #[serde(flatten)]
        pub extra: Extra,
    }
}

// ---- validated ------------------------------------------------------------------------

/// Grant Loan Response: the lender's decision and the loan's terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantLoanResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_required: Option<Vec<ActionRequired>>,
    pub disbursement: ChosenPlan,
    pub loan_id: Reference,
    pub loan_status: LoanStatus,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_details: Option<Vec<RejectionDetail>>,
    pub repayment: ChosenPlan,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub terms: LoanTerms,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanTerms {
    pub currency: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest_rate: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest_type: Option<InterestType>,
    pub requested_amount: Amount,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sanctioned_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenure: Option<LoanTenure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanTenure {
    pub duration: Text,
    pub unit: TenureUnit,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChosenPlan {
    pub plan: PaymentPlan,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPlan {
    pub automatic: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    pub id: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Amount>,
    pub schedule_type: ScheduleType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PlanStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenure: Option<LoanTenure>,
    pub total_amount: Amount,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionDetail {
    pub description: Text,
    pub reason: RejectionReason,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionRequired {
    pub action_type: ActionType,
    pub description: Text,
    pub reference: ActionReference,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `reference.json`: what the action is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionReference {
    pub object: Text,
    pub value: Text,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An optional list, each entry parsed at `name[i]`; at most [`MAX_LIST_ENTRIES`].
fn list<W, T>(
    v: Option<Vec<W>>,
    name: &'static str,
    parse: impl Fn(W, &dyn FieldPath) -> Result<T, Rejection>,
) -> Result<Option<Vec<T>>, Rejection> {
    let Some(entries) = v else { return Ok(None) };
    if entries.len() > MAX_LIST_ENTRIES {
        return Err(Rejection::new(
            ErrorCode::InvalidAttributeLength,
            format!("{name} has more than {MAX_LIST_ENTRIES} entries"),
        ));
    }
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| parse(e, &Item(name, i)))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl LoanTerms {
    fn parse(t: wire::LoanTerms) -> Result<LoanTerms, Rejection> {
        Ok(LoanTerms {
            requested_amount: required(t.requested_amount, "terms.requestedAmount")?,
            currency: required(t.currency, "terms.currency")?,
            sanctioned_amount: optional(t.sanctioned_amount, "terms.sanctionedAmount")?,
            interest_type: optional(t.interest_type, "terms.interestType")?,
            interest_rate: optional(t.interest_rate, "terms.interestRate")?,
            total_amount: optional(t.total_amount, "terms.totalAmount")?,
            interest_amount: optional(t.interest_amount, "terms.interestAmount")?,
            description: optional(t.description, "terms.description")?,
            tenure: t
                .tenure
                .map(|x| LoanTenure::parse(x, &"terms.tenure"))
                .transpose()?,
            url: optional(t.url, "terms.url")?,
            extra: t.extra,
        })
    }
}

impl LoanTenure {
    fn parse(t: wire::LoanTenure, at: &dyn FieldPath) -> Result<LoanTenure, Rejection> {
        Ok(LoanTenure {
            duration: required(t.duration, &Member(at, "duration"))?,
            unit: required(t.unit, &Member(at, "unit"))?,
            extra: t.extra,
        })
    }
}

impl ChosenPlan {
    fn parse(c: wire::ChosenPlan, at: &'static str) -> Result<ChosenPlan, Rejection> {
        let p = present(c.plan, &Member(&at, "plan"))?;
        let f = |name| Member(&at, name);
        let plan = PaymentPlan {
            id: required(p.id, &f("plan.id"))?,
            automatic: present(p.automatic, &f("plan.automatic"))?,
            schedule_type: required(p.schedule_type, &f("plan.scheduleType"))?,
            total_amount: required(p.total_amount, &f("plan.totalAmount"))?,
            frequency: optional(p.frequency, &f("plan.frequency"))?,
            principal: optional(p.principal, &f("plan.principal"))?,
            interest_amount: optional(p.interest_amount, &f("plan.interestAmount"))?,
            penalty: optional(p.penalty, &f("plan.penalty"))?,
            status: optional(p.status, &f("plan.status"))?,
            tenure: p
                .tenure
                .map(|t| LoanTenure::parse(t, &f("plan.tenure")))
                .transpose()?,
            extra: p.extra,
        };
        Ok(ChosenPlan {
            plan,
            extra: c.extra,
        })
    }
}

impl Body for GrantLoanResponse {
    type Wire = wire::GrantLoanResponse;

    fn parse(w: Self::Wire, policy: &ValidationPolicy) -> Result<Self, Rejection> {
        let metadata = Metadata::parse(w.metadata, policy)?;
        let request_id = required(w.request_id, "requestId")?;
        let response = LenderResponse::parse(w.response)?;
        let loan_id = required(w.loan_id, "loanId")?;
        let terms = LoanTerms::parse(present(w.terms, "terms")?)?;
        let disbursement =
            ChosenPlan::parse(present(w.disbursement, "disbursement")?, "disbursement")?;
        let repayment = ChosenPlan::parse(present(w.repayment, "repayment")?, "repayment")?;
        let loan_status = required(w.loan_status, "loanStatus")?;
        let rejection_details = list(w.rejection_details, "rejectionDetails", |r, at| {
            Ok(RejectionDetail {
                reason: required(r.reason, &Member(at, "reason"))?,
                description: required(r.description, &Member(at, "description"))?,
                extra: r.extra,
            })
        })?;
        let action_required = list(w.action_required, "actionRequired", |a, at| {
            let reference = present(a.reference, &Member(at, "reference"))?;
            Ok(ActionRequired {
                action_type: required(a.action_type, &Member(at, "actionType"))?,
                description: required(a.description, &Member(at, "description"))?,
                reference: ActionReference {
                    object: required(reference.object, &Member(at, "reference.object"))?,
                    value: required(reference.value, &Member(at, "reference.value"))?,
                    extra: reference.extra,
                },
                extra: a.extra,
            })
        })?;
        Ok(GrantLoanResponse {
            metadata,
            request_id,
            response,
            loan_id,
            terms,
            disbursement,
            repayment,
            loan_status,
            rejection_details,
            action_required,
            extra: w.extra,
        })
    }

    fn into_ids(self) -> (Metadata, RequestId) {
        (self.metadata, self.request_id)
    }

    /// A loan's callbacks are delivered in order (GRANTED before COMPLETED).
    fn ordering_key(&self) -> Option<String> {
        Some(format!("loan:{}", self.loan_id))
    }

    /// This service's rules (the schema makes the details optional whatever the status).
    fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        match self.loan_status {
            LoanStatus::Granted => {
                if !self.response.is_ok() {
                    w.push("loanStatus GRANTED with a non-zero response.error".to_string());
                }
                if self.terms.sanctioned_amount.is_none() {
                    w.push("terms.sanctionedAmount absent while loanStatus is GRANTED".to_string());
                }
            }
            LoanStatus::Rejected if self.rejection_details.as_ref().is_none_or(Vec::is_empty) => {
                w.push("rejectionDetails absent while loanStatus is REJECTED".to_string())
            }
            LoanStatus::ActionRequired
                if self.action_required.as_ref().is_none_or(Vec::is_empty) =>
            {
                w.push("actionRequired absent while loanStatus is ACTION_REQUIRED".to_string())
            }
            _ => {}
        }
        w
    }
}

// ---- OpenAPI --------------------------------------------------------------------------

fn enum_schema(allowed: &[&str]) -> Value {
    json!({ "type": "string", "enum": allowed })
}

/// Its OpenAPI components: the body and the objects only it has. Enums come from the code.
fn openapi() -> Value {
    use super::common::optional_schema as opt;
    let amount = || schema_ref("Amount");
    let text = || schema_ref("Text");
    let tenure = json!({"type": "object", "required": ["duration", "unit"], "properties": {
        "duration": text(), "unit": enum_schema(TenureUnit::ALLOWED)}});
    let plan = json!({"type": "object",
    "required": ["id", "automatic", "scheduleType", "totalAmount"],
    "properties": {
        "id": schema_ref("Reference"),
        "automatic": {"type": "boolean"},
        "scheduleType": enum_schema(ScheduleType::ALLOWED),
        "totalAmount": amount(),
        "frequency": opt(enum_schema(Frequency::ALLOWED)),
        "principal": opt(amount()),
        "interestAmount": opt(amount()),
        "penalty": opt(amount()),
        "status": opt(enum_schema(PlanStatus::ALLOWED)),
        "tenure": {"anyOf": [schema_ref("LoanTenure"), {"type": "null"}]},
    }});
    let chosen = json!({"type": "object", "required": ["plan"],
        "properties": {"plan": schema_ref("PaymentPlan")}});
    let terms = json!({"type": "object", "required": ["requestedAmount", "currency"],
    "properties": {
        "requestedAmount": amount(),
        "currency": text(),
        "sanctionedAmount": opt(amount()),
        "interestType": opt(enum_schema(InterestType::ALLOWED)),
        "interestRate": opt(text()),
        "totalAmount": opt(amount()),
        "interestAmount": opt(amount()),
        "description": opt(text()),
        "tenure": {"anyOf": [schema_ref("LoanTenure"), {"type": "null"}]},
        "url": opt(text()),
    }});
    let rejection = json!({"type": "object", "required": ["reason", "description"],
        "properties": {"reason": enum_schema(RejectionReason::ALLOWED), "description": text()}});
    let action = json!({"type": "object", "required": ["actionType", "description", "reference"],
    "properties": {
        "actionType": enum_schema(ActionType::ALLOWED),
        "description": text(),
        "reference": {"type": "object", "required": ["object", "value"],
                      "properties": {"object": text(), "value": text()}},
    }});
    let list = |item: &str| {
        json!({"anyOf": [
            {"type": "array", "maxItems": MAX_LIST_ENTRIES, "items": schema_ref(item)},
            {"type": "null"}
        ]})
    };
    json!({
        DEF.schema: super::common::body_schema(
            json!({
                "loanId": schema_ref("Reference"),
                "terms": schema_ref("LoanTerms"),
                "disbursement": schema_ref("ChosenDisbursement"),
                "repayment": schema_ref("ChosenRepayment"),
                "loanStatus": enum_schema(LoanStatus::ALLOWED),
                "rejectionDetails": list("RejectionDetail"),
                "actionRequired": list("ActionRequired"),
            }),
            &["loanId", "terms", "disbursement", "repayment", "loanStatus"],
        ),
        "LoanTerms": terms,
        "LoanTenure": tenure,
        "PaymentPlan": plan,
        "ChosenDisbursement": chosen,
        "ChosenRepayment": chosen,
        "RejectionDetail": rejection,
        "ActionRequired": action,
    })
}

// ---- samples ------------------------------------------------------------------------

fn plan(id: &str, total: &str, schedule: &str, installments: u32) -> Value {
    json!({
        "id": id, "automatic": true, "scheduleType": schedule, "noOfInstallment": installments.to_string(),
        "frequency": "MONTHLY", "totalAmount": total,
        "tenure": {"duration": installments.to_string(), "unit": "MONTH"}
    })
}

/// A granted loan of ₹1,00,000 over 12 months.
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanId": "LOAN-2024-000123",
        "terms": {
            "requestedAmount": "100000.00",
            "currency": "INR",
            "sanctionedAmount": "100000.00",
            "interestType": "FIXED",
            "interestRate": "14.5",
            "totalAmount": "108050.00",
            "interestAmount": "8050.00",
            "tenure": {"duration": "12", "unit": "MONTH"},
            "legalAgreement": {"type": "URL", "data": "https://lender.example/agreements/LOAN-2024-000123"}
        },
        "disbursement": {
            "plan": {"id": "disb-plan-1", "automatic": true, "scheduleType": "ONE_TIME",
                     "noOfInstallment": "1", "totalAmount": "100000.00"},
            "accountDetails": {"accountDataType": "ACCOUNT",
                               "data": {"accountType": "CURRENT", "maskedAccountNumber": "XXXXXX4321"}}
        },
        "repayment": {
            "plan": plan("repay-plan-1", "108050.00", "RECURRING", 12),
            "method": {"id": "mandate-1", "type": "ENACH", "status": "ACTIVE"}
        },
        "loanStatus": "GRANTED"
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let status = *rng.pick(&[
        "GRANTED",
        "GRANTED",
        "GRANTED",
        "REJECTED",
        "ACTION_REQUIRED",
    ]);
    let amount = rng.amount(5_000_000, 500_000_000);
    let months = *rng.pick(&[3u32, 6, 12, 24]);
    let mut body = ids.body(json!({
        "loanId": format!("LOAN-{:06}", rng.below(1_000_000)),
        "terms": {"requestedAmount": amount, "currency": "INR", "sanctionedAmount": amount,
                  "interestType": rng.pick(&["FIXED", "FLOATING"]),
                  "tenure": {"duration": months.to_string(), "unit": "MONTH"}},
        "disbursement": {"plan": plan(&format!("disb-{}", rng.hex(8)), &amount, "ONE_TIME", 1)},
        "repayment": {"plan": plan(&format!("repay-{}", rng.hex(8)), &amount, "RECURRING", months)},
        "loanStatus": status
    }));
    match status {
        "REJECTED" => {
            body["rejectionDetails"] = json!([{"reason": rng.pick(&["LOW_CREDIT_SCORE", "OTHERS"]),
                                               "description": "declined by policy"}])
        }
        "ACTION_REQUIRED" => {
            body["actionRequired"] = json!([{"actionType": "ADD_DOCUMENT",
                "description": "bank statement of the last 6 months",
                "reference": {"object": "DOCUMENT", "value": format!("doc-{}", rng.hex(6))}}])
        }
        _ => {}
    }
    body
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let with = |request_id: &str| {
        sample(&SampleIds {
            request_id: request_id.into(),
            ..ids.clone()
        })
    };
    let mut rejected = with("g8cc-rejected");
    rejected["loanStatus"] = json!("REJECTED");
    rejected["rejectionDetails"] =
        json!([{"reason": "LOW_CREDIT_SCORE", "description": "bureau score below policy"}]);
    let mut rejected_bare = with("g8cc-warning-rejected-without-details");
    rejected_bare["loanStatus"] = json!("REJECTED");
    let mut bad_status = sample(ids);
    bad_status["loanStatus"] = json!("APPROVED");
    let mut no_terms = sample(ids);
    if let Some(b) = no_terms.as_object_mut() {
        b.remove("terms");
    }
    let mut bad_amount = sample(ids);
    bad_amount["repayment"]["plan"]["totalAmount"] = json!(108050.5);
    vec![
        Variant::new("rejected-valid", rejected, "0"),
        Variant::new("warning-rejected-without-details", rejected_bare, "0"),
        Variant::new("invalid-loan-status-enum", bad_status, "GEN5002"),
        Variant::new("invalid-missing-terms", no_terms, "GEN5001"),
        Variant::new("invalid-plan-amount-number", bad_amount, "LSP4001"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    fn refusal(body: &Value) -> (String, String) {
        let r = validate(body).unwrap_err();
        (r.code.as_str().to_string(), r.detail)
    }

    #[test]
    fn a_granted_loan_is_recorded_with_its_terms_plans_and_carried_objects_untouched() {
        let body = sample(&SampleIds::fixed("gl-1"));
        let c = validate(&body).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.ordering_key, "loan:LOAN-2024-000123");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.payload.clone()["terms"]["sanctionedAmount"], "100000.00");
        assert_eq!(c.payload.clone()["loanStatus"], "GRANTED");
        for carried in [
            "/terms/legalAgreement",
            "/disbursement/accountDetails",
            "/repayment/method",
            "/repayment/plan/noOfInstallment",
        ] {
            assert_eq!(
                c.payload.clone().pointer(carried),
                body.pointer(carried),
                "{carried}"
            );
        }
    }

    #[test]
    fn every_required_member_is_named_when_missing() {
        for pointer in [
            "/loanId",
            "/terms",
            "/terms/requestedAmount",
            "/terms/currency",
            "/disbursement/plan",
            "/repayment/plan/id",
            "/repayment/plan/automatic",
            "/repayment/plan/scheduleType",
            "/repayment/plan/totalAmount",
            "/repayment/plan/tenure/unit",
            "/loanStatus",
        ] {
            let mut body = sample(&SampleIds::fixed("gl-2"));
            let (parent, last) = pointer.rsplit_once('/').unwrap();
            body.pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .unwrap()
                .remove(last);
            let (code, detail) = refusal(&body);
            let name = pointer[1..].replace('/', ".");
            assert_eq!(code, "GEN5001", "{pointer}: {detail}");
            assert!(detail.contains(&name), "{pointer}: {detail}");
        }
    }

    #[test]
    fn enums_amounts_and_types_are_held_to_the_schema() {
        let cases: &[(&str, Value, &str)] = &[
            ("/loanStatus", json!("APPROVED"), "GEN5002"),
            ("/terms/interestType", json!("VARIABLE"), "GEN5002"),
            ("/terms/tenure/unit", json!("WEEK"), "GEN5002"),
            ("/repayment/plan/scheduleType", json!("DAILY"), "GEN5002"),
            ("/repayment/plan/frequency", json!("DAILY"), "GEN5002"),
            ("/terms/requestedAmount", json!("100000.001"), "LSP4001"),
            ("/terms/sanctionedAmount", json!("-5"), "LSP4001"),
            ("/repayment/plan/totalAmount", json!(108050.5), "LSP4001"),
            ("/repayment/plan/automatic", json!("yes"), "LSP4001"),
            ("/loanId", json!("has space"), "LSP4001"),
        ];
        for (pointer, value, code) in cases {
            let mut body = sample(&SampleIds::fixed("gl-3"));
            *body.pointer_mut(pointer).unwrap() = value.clone();
            let (got, detail) = refusal(&body);
            assert_eq!(&got, code, "{pointer} = {value}: {detail}");
        }
    }

    #[test]
    fn a_rejection_reason_and_an_action_reference_are_checked_at_their_index() {
        let mut body = sample(&SampleIds::fixed("gl-4"));
        body["loanStatus"] = json!("REJECTED");
        body["rejectionDetails"] = json!([
            {"reason": "FRAUD", "description": "x"},
            {"reason": "BAD_LUCK", "description": "y"}
        ]);
        let (code, detail) = refusal(&body);
        assert_eq!(code, "GEN5002");
        assert!(detail.contains("rejectionDetails[1].reason"), "{detail}");
        let mut body = sample(&SampleIds::fixed("gl-5"));
        body["actionRequired"] = json!([{"actionType": "OTHER", "description": "call us",
                                          "reference": {"object": "DOCUMENT"}}]);
        let (code, detail) = refusal(&body);
        assert_eq!(code, "GEN5001");
        assert!(
            detail.contains("actionRequired[0].reference.value"),
            "{detail}"
        );
    }

    #[test]
    fn more_than_the_allowed_rejection_details_are_too_long() {
        let mut body = sample(&SampleIds::fixed("gl-6"));
        body["rejectionDetails"] = json!(vec![
            json!({"reason": "OTHERS", "description": "x"});
            MAX_LIST_ENTRIES + 1
        ]);
        assert_eq!(refusal(&body).0, "GEN5007");
    }

    #[test]
    fn a_decision_without_its_details_is_a_warning() {
        let v = events(&SampleIds::fixed("gl-7")).remove(1);
        assert_eq!(
            validate(&v.body).unwrap().warnings,
            ["rejectionDetails absent while loanStatus is REJECTED"]
        );
        let mut body = sample(&SampleIds::fixed("gl-8"));
        body["terms"]
            .as_object_mut()
            .unwrap()
            .remove("sanctionedAmount");
        body["response"]["error"] = json!("GL1001");
        assert_eq!(
            validate(&body).unwrap().warnings,
            [
                "loanStatus GRANTED with a non-zero response.error",
                "terms.sanctionedAmount absent while loanStatus is GRANTED"
            ]
        );
    }

    #[test]
    fn null_and_empty_optional_members_mean_absent() {
        let mut body = sample(&SampleIds::fixed("gl-9"));
        body["terms"]["interestType"] = json!(null);
        body["terms"]["description"] = json!("");
        body["rejectionDetails"] = json!(null);
        let c = validate(&body).unwrap();
        assert!(c.payload.clone()["terms"].get("interestType").is_none());
        assert!(c.payload.clone().get("rejectionDetails").is_none());
    }
}
