//! The objects several callbacks carry, declared once, as the v3 schemas share their
//! `Core/` files: a payment (`payment.json`), loan terms and tenure (`loanterms.json`,
//! `loantenure.json`), a payment plan (`paymentplan.json`) and the plan a lender chose
//! (`chosenDisbursement.json`, `chosenRepayment.json`), a repayment's payment in either of
//! its two shapes ([`RepaymentPayment`]), a rejection's details
//! (`rejectiondetail.json`) and an action the borrower must take (`actionrequired.json`).
//!
//! Every field's type is a domain type that refuses what it cannot be; `Option` means
//! optional (absent, `null` and `""` are all absent); `extra` keeps what the schema does
//! not name; objects this service does not read are kept in `extra` too.

use crate::domain::*;
use crate::wire::{Entries, ExtensibleData, Extra};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most entries in `rejectionDetails` or `actionRequired`.
pub const MAX_LIST_ENTRIES: usize = 32;

/// A payment (`payment.json`): only `id` is required. This service's own rules (status
/// present when `response.error` is `"0"`, `txnRefNo` and a non-zero `totalAmount` when
/// SUCCESS) are warnings in the event, not refusals.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: Reference,
    pub description: Option<Text>,
    pub date: Option<OcenTimestamp>,
    pub total_amount: Option<Amount>,
    pub principal: Option<Amount>,
    pub interest_amount: Option<Amount>,
    pub fee: Option<Amount>,
    pub penalty: Option<Amount>,
    pub installment_number: Option<Reference>,
    pub status: Option<PaymentStatus>,
    pub use_saved_payment_option: Option<bool>,
    pub payment_method_type: Option<PaymentMethod>,
    pub txn_ref_no: Option<Reference>,
    pub payment_url: Option<Text>,
    pub url: Option<Text>,
    pub extensible_data: Option<ExtensibleData>,
    #[serde(flatten)]
    pub extra: Extra,
}

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

/// A loan's terms (`loanterms.json`). `legalAgreement`, `documents` and `charges` are
/// carried to the event untouched.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoanTerms {
    pub requested_amount: Amount,
    pub currency: Text,
    pub sanctioned_amount: Option<Amount>,
    pub interest_type: Option<InterestType>,
    pub interest_rate: Option<Text>,
    pub total_amount: Option<Amount>,
    pub interest_amount: Option<Amount>,
    pub description: Option<Text>,
    pub tenure: Option<LoanTenure>,
    pub url: Option<Text>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A duration (`loantenure.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoanTenure {
    pub duration: Text,
    pub unit: TenureUnit,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The plan a lender chose (`chosenDisbursement.json`, `chosenRepayment.json`): a `plan`
/// beside `accountDetails` or `method`, which are carried to the event untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChosenPlan {
    pub plan: PaymentPlan,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A payment plan (`paymentplan.json`). The schema requires `noOfInstallments` but names
/// its property `noOfInstallment`: either spelling is read as a count and passed on as
/// sent, and neither is required (docs/protocol.md "Spec slips"). `startDate` is a [`PlanDate`] (the
/// example is day-month-year).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPlan {
    pub id: Reference,
    pub automatic: bool,
    pub schedule_type: ScheduleType,
    /// The schema's `required` spelling.
    pub no_of_installments: Option<Reference>,
    /// The schema's `properties` spelling.
    pub no_of_installment: Option<Reference>,
    pub frequency: Option<Frequency>,
    pub total_amount: Amount,
    pub principal: Option<Amount>,
    pub interest_amount: Option<Amount>,
    pub penalty: Option<Amount>,
    pub start_date: Option<PlanDate>,
    pub status: Option<PlanStatus>,
    pub tenure: Option<LoanTenure>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `payment` of Trigger Repayment (and its status): the schema types it as a payment plan
/// (`paymentplan.json`) while lenders send a payment (`payment.json`), as Confirm Repayment
/// and the disbursement callbacks do. Either shape is read (docs/protocol.md "Spec slips"): `id` is
/// required by both; every other member of either schema is optional and typed as its
/// schema types it; `status` takes the values of either (a payment's SUCCESS, FAILURE,
/// PENDING_AUTH, a plan's ACTIVE, INACTIVE).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RepaymentPayment {
    pub id: Reference,
    pub description: Option<Text>,
    pub date: Option<OcenTimestamp>,
    pub total_amount: Option<Amount>,
    pub principal: Option<Amount>,
    pub interest_amount: Option<Amount>,
    pub fee: Option<Amount>,
    pub penalty: Option<Amount>,
    pub installment_number: Option<Reference>,
    pub status: Option<RepaymentStatus>,
    pub use_saved_payment_option: Option<bool>,
    pub payment_method_type: Option<PaymentMethod>,
    pub txn_ref_no: Option<Reference>,
    pub payment_url: Option<Text>,
    pub automatic: Option<bool>,
    pub schedule_type: Option<ScheduleType>,
    pub no_of_installments: Option<Reference>,
    pub no_of_installment: Option<Reference>,
    pub frequency: Option<Frequency>,
    pub start_date: Option<PlanDate>,
    pub tenure: Option<LoanTenure>,
    pub url: Option<Text>,
    pub extensible_data: Option<ExtensibleData>,
    #[serde(flatten)]
    pub extra: Extra,
}

crate::domain::ocen_enum!(
    /// `payment.status` of a repayment: a payment's values and a plan's.
    RepaymentStatus {
        Success = "SUCCESS",
        Failure = "FAILURE",
        PendingAuth = "PENDING_AUTH",
        Active = "ACTIVE",
        Inactive = "INACTIVE",
    }
);

/// Why a lender rejected (`rejectiondetail.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RejectionDetail {
    pub reason: RejectionReason,
    pub description: Text,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What the borrower must do (`actionrequired.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionRequired {
    pub action_type: ActionType,
    pub description: Text,
    pub reference: ActionReference,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What an action is about (`reference.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionReference {
    pub object: Text,
    pub value: Text,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `rejectionDetails`, `actionRequired`: at most [`MAX_LIST_ENTRIES`].
pub type Details<T> = Entries<T, MAX_LIST_ENTRIES>;

// ---- loan applications and offers ----------------------------------------------------

/// Most entries in a list of a loan application (parties, collaterals, offers, contacts,
/// documents, plans).
pub const MAX_APPLICATION_ENTRIES: usize = 64;
/// Most loan applications in one body.
pub const MAX_APPLICATIONS: usize = 100;

/// A list of a loan application: at most [`MAX_APPLICATION_ENTRIES`], possibly empty.
pub type Listed<T> = Entries<T, MAX_APPLICATION_ENTRIES>;

crate::domain::ocen_enum!(
    /// `type` of a loan application.
    LoanType { Cashflow = "CASHFLOW", Personal = "PERSONAL", Home = "HOME", Vehicle = "VEHICLE", Business = "BUSINESS" }
);
crate::domain::ocen_enum!(
    /// `primaryIdType` of a borrower, guarantor or applicant.
    PrimaryIdType { Pan = "PAN", Mobile = "MOBILE", Aadhaar = "AADHAAR" }
);
crate::domain::ocen_enum!(
    /// `category` of a borrower, guarantor or applicant.
    PartyCategory { Organization = "ORGANIZATION", Individual = "INDIVIDUAL" }
);
crate::domain::ocen_enum!(
    /// `type` of a collateral.
    CollateralType { GstInvoice = "GST_INVOICE", Vehicle = "VEHICLE", Home = "HOME" }
);

/// The borrower (`borrower.json`). Personal data (its id, name, contacts, documents):
/// carried to the event for the consumer that needs it, never logged (`primaryId` is a
/// [`Secret`]: not even `Debug` shows it). Objects this service does not read (contacts,
/// documents, identifiers) are carried untouched.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Borrower {
    pub primary_id: Secret,
    pub primary_id_type: PrimaryIdType,
    pub category: PartyCategory,
    pub contact_details: Listed<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A guarantor (`guarantor.json`): a borrower's members, and its documents required.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Guarantor {
    pub primary_id: Secret,
    pub primary_id_type: PrimaryIdType,
    pub category: PartyCategory,
    pub contact_details: Listed<Extra>,
    pub documents: Listed<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A co-applicant (`applicant.json`): only its id is required.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Applicant {
    pub primary_id: Secret,
    pub primary_id_type: PrimaryIdType,
    pub category: Option<PartyCategory>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A collateral (`collateral.json`). `collateralPrimaryIdType`'s enum lists a placeholder
/// (`<OTHER VALID REGISTRY>`): read as a reference, any registry's name.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Collateral {
    pub collateral_primary_id: Reference,
    pub collateral_primary_id_type: Reference,
    pub additional_identifiers: Listed<Extra>,
    pub parties: Listed<Extra>,
    #[serde(rename = "type")]
    pub collateral_type: CollateralType,
    pub documents: Listed<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Plans offered for disbursement or repayment (`disbursement.json`, `repayment.json`);
/// the disbursement's `accountDetails` carried untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfferedPlans {
    pub plans: Listed<PaymentPlan>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An offer (`offer.json`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub id: Reference,
    pub valid_till: OcenTimestamp,
    pub terms: LoanTerms,
    pub disbursement: OfferedPlans,
    pub repayment: OfferedPlans,
    #[serde(flatten)]
    pub extra: Extra,
}

// ---- loan set-up and servicing ---------------------------------------------------------

crate::domain::ocen_enum!(
    /// `accountDataType` of an account.
    AccountDataType { Account = "ACCOUNT", Vpa = "VPA" }
);
crate::domain::ocen_enum!(
    /// `data.accountType` of an account.
    AccountType { Current = "CURRENT", Saving = "SAVING", Overdraft = "OVERDRAFT" }
);
crate::domain::ocen_enum!(
    /// `status` of an account.
    AccountStatus { Active = "ACTIVE", Inactive = "INACTIVE" }
);
crate::domain::ocen_enum!(
    /// `status` of a dispute.
    DisputeStatus {
        New = "NEW",
        Processing = "PROCESSING",
        NeedMoreInfo = "NEED_MORE_INFO",
        Resolved = "RESOLVED",
        Closed = "CLOSED",
    }
);

/// A bank account or VPA (`accountdetails.json`, `accountdetailsdata.json`). The account
/// number is personal data: passed on in the event, never logged (a [`Secret`]).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetails {
    pub id: Option<Reference>,
    pub status: Option<AccountStatus>,
    pub account_data_type: AccountDataType,
    pub data: AccountData,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An account's data (`accountdetailsdata.json`: nothing required).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountData {
    pub account_type: Option<AccountType>,
    #[serde(rename = "accountIFSC")]
    pub account_ifsc: Option<Reference>,
    pub account_number: Option<Secret>,
    pub vpa: Option<Secret>,
    pub masked_account_number: Option<Text>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A dispute (`dispute.json`: nothing required).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dispute {
    pub id: Option<Reference>,
    pub status: Option<DisputeStatus>,
    pub description: Option<Text>,
    #[serde(flatten)]
    pub extra: Extra,
}

crate::domain::ocen_enum!(
    /// `loanStatus` of a loan in servicing (Loan Summary, Get Loan).
    ServicedLoanStatus { Granted = "GRANTED", Defaulted = "DEFAULTED", Completed = "COMPLETED", Overdue = "OVERDUE" }
);
crate::domain::ocen_enum!(
    /// `type` of a statement's transaction (the spec spells WITHDRAWL).
    TransactionType { Deposit = "DEPOSIT", Withdrawl = "WITHDRAWL" }
);

/// A statement's transaction (`transaction.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub date: PlanDate,
    pub narration: Text,
    pub txn_ref_no: Reference,
    pub amount: Amount,
    #[serde(rename = "type")]
    pub transaction_type: TransactionType,
    pub closing_balance: Amount,
    #[serde(flatten)]
    pub extra: Extra,
}
