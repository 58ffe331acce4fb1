//! The LSP's requests, which callbacks answer (docs/idempotency.md "Correlation").
//!
//! Before the LSP sends a request to a lender, it records it in the callbacks table at the
//! key its callback will have (`<TYPE>#<orgId>#<requestId>`, [`SentRequest::key`]): when it
//! was sent, until when an answer is expected (`answerBy`), and the LSP's own ids it
//! concerns ([`LspIds`]). The callback's one conditional write then lands on that item: in
//! mode `require` only when it is there, unanswered and not expired. So a callback is
//! checked against its request in the same single call that records it, another lender's
//! or another callback type's request is simply not at its key, and the request's ids
//! travel with the record to the dispatcher, which puts them in the event
//! ([`crate::event::deliverable`]).

use crate::domain::{OrgId, RequestId};
use crate::store::attr;
use crate::CallbackType;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `CORRELATION`: what a callback must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Correlation {
    /// A recorded, unexpired request of this lender for this callback type; anything else
    /// is refused (`LSP4011`, `LSP4012`, `LSP4013`): nothing stored, no event.
    #[default]
    Require,
    /// Checked, but recorded anyway: the event carries the warning (`unsolicited: ...`).
    Flag,
    /// Not checked (the event still carries a recorded request's ids).
    Off,
}

impl Correlation {
    pub fn parse(s: &str) -> Result<Correlation, String> {
        match s {
            "require" => Ok(Correlation::Require),
            "flag" => Ok(Correlation::Flag),
            "off" => Ok(Correlation::Off),
            other => Err(format!("must be require, flag or off, not {other:?}")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Correlation::Require => "require",
            Correlation::Flag => "flag",
            Correlation::Off => "off",
        }
    }
}

/// Why a callback answers no request it may answer. The same at the key whatever the
/// reason beyond it: no request with this requestId, or one sent to another lender or for
/// another callback type, are all no request at this key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unanswered {
    /// No request of this lender for this callback type has this requestId.
    NoRequest,
    /// The request's `answerBy` (epoch seconds) has passed.
    Expired { answer_by: i64 },
    /// The item at the key is a request that cannot be read (written by hand or by a buggy
    /// sender): the reason, never its values.
    Unreadable(String),
}

impl Unanswered {
    /// The warning a flagged callback's event carries.
    pub fn warning(&self) -> String {
        match self {
            Unanswered::NoRequest => "unsolicited: the LSP recorded no request of this lender for this callback type with this requestId".into(),
            Unanswered::Expired { answer_by } => format!(
                "unsolicited: the request expired at {} (answerBy)",
                rfc3339(*answer_by)
            ),
            Unanswered::Unreadable(why) => {
                format!("unsolicited: the LSP's request record is unreadable ({why})")
            }
        }
    }
}

fn rfc3339(epoch: i64) -> String {
    OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| epoch.to_string())
}

/// Names a request's ids may not take: the event's `request` member has them already.
const RESERVED: &[&str] = &["sentAt"];
/// At most this many ids, each name and value at most [`MAX_ID_CHARS`] characters, each
/// list at most [`MAX_LIST`] values: a request record stays small (one write unit).
pub const MAX_IDS: usize = 16;
pub const MAX_ID_CHARS: usize = 128;
pub const MAX_LIST: usize = 16;

/// The LSP's own ids a request concerns (`loanApplicationIds`, `loanId`, a payment id, a
/// consent handle, ...): a JSON object whose values are strings or arrays of strings. The
/// event carries them as they are; `loanId`, `consentHandle` and a single
/// `loanApplicationIds` also order the request's callbacks ([`LspIds::ordering_key`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LspIds(BTreeMap<String, IdValue>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdValue {
    One(String),
    Many(Vec<String>),
}

impl LspIds {
    pub fn new() -> LspIds {
        LspIds::default()
    }

    /// These ids and `name` = `value`.
    pub fn with(mut self, name: &str, value: IdValue) -> Result<LspIds, String> {
        self.0.insert(name.to_string(), value);
        self.check()?;
        Ok(self)
    }

    /// The ids from their JSON (an object of strings or arrays of strings).
    pub fn parse(json: &str) -> Result<LspIds, String> {
        let ids: LspIds = serde_json::from_str(json).map_err(|_| {
            "lspIds is not a JSON object of strings or arrays of strings".to_string()
        })?;
        ids.check()?;
        Ok(ids)
    }

    fn check(&self) -> Result<(), String> {
        if self.0.len() > MAX_IDS {
            return Err(format!("lspIds has more than {MAX_IDS} ids"));
        }
        for (name, value) in &self.0 {
            if name.is_empty() || name.chars().count() > MAX_ID_CHARS {
                return Err(format!(
                    "an lspIds name is empty or over {MAX_ID_CHARS} characters"
                ));
            }
            if RESERVED.contains(&name.as_str()) {
                return Err(format!("lspIds may not name {name}"));
            }
            let values = match value {
                IdValue::One(v) => std::slice::from_ref(v),
                IdValue::Many(vs) if vs.len() > MAX_LIST => {
                    return Err(format!("lspIds.{name} has more than {MAX_LIST} values"))
                }
                IdValue::Many(vs) => vs.as_slice(),
            };
            if values
                .iter()
                .any(|v| v.is_empty() || v.chars().count() > MAX_ID_CHARS)
            {
                return Err(format!(
                    "lspIds.{name} has an empty value or one over {MAX_ID_CHARS} characters"
                ));
            }
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&IdValue> {
        self.0.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings always serialise")
    }

    /// The FIFO ordering key these ids give a callback whose body names nothing better:
    /// `loan:<loanId>`, else `consent:<consentHandle>`, else `application:<id>` when the
    /// request concerns one loan application.
    pub fn ordering_key(&self) -> Option<String> {
        let one = |name: &str| match self.0.get(name) {
            Some(IdValue::One(v)) => Some(v.clone()),
            Some(IdValue::Many(vs)) if vs.len() == 1 => Some(vs[0].clone()),
            _ => None,
        };
        one("loanId")
            .map(|v| format!("loan:{v}"))
            .or_else(|| one("consentHandle").map(|v| format!("consent:{v}")))
            .or_else(|| one("loanApplicationIds").map(|v| format!("application:{v}")))
    }
}

/// A request the LSP is about to send, as it records it ([`SentRequest::attributes`] is
/// the item; docs/idempotency.md "Correlation" documents it for other SDKs).
#[derive(Debug, Clone, PartialEq)]
pub struct SentRequest {
    /// The callback that answers it.
    pub callback: CallbackType,
    pub org_id: OrgId,
    pub request_id: RequestId,
    pub ids: LspIds,
    pub sent_at: OffsetDateTime,
    /// After this, its callback is refused as expired (`LSP4012`).
    pub answer_by: OffsetDateTime,
    /// TTL of an unanswered request (epoch seconds): its callback's record replaces it.
    pub expires_at: i64,
}

/// How long an unanswered request stays in the table after its `answerBy` (`ocen-ops
/// pending` lists it until then).
pub const KEEP_UNANSWERED: Duration = Duration::from_secs(7 * 86_400);

impl SentRequest {
    /// A request to `org_id` with `request_id`, answered by `callback` within
    /// `answer_within` of `sent_at`.
    pub fn new(
        callback: CallbackType,
        org_id: &str,
        request_id: &str,
        ids: LspIds,
        sent_at: OffsetDateTime,
        answer_within: Duration,
    ) -> Result<SentRequest, String> {
        let org_id = OrgId::parse(org_id).map_err(|e| format!("orgId: {e:?}"))?;
        let request_id = RequestId::parse(request_id).map_err(|e| format!("requestId: {e:?}"))?;
        ids.check()?;
        if !callback.def().answers_request {
            return Err(format!(
                "{callback} is started by the lender: it answers no request"
            ));
        }
        let answer_by = sent_at + answer_within;
        Ok(SentRequest {
            callback,
            org_id,
            request_id,
            ids,
            sent_at,
            answer_by,
            expires_at: (answer_by + KEEP_UNANSWERED).unix_timestamp(),
        })
    }

    /// Its key: the key of the callback that answers it.
    pub fn key(&self) -> String {
        crate::event::idempotency_key(
            self.callback,
            self.org_id.as_str(),
            self.request_id.as_str(),
        )
    }

    /// The item, attribute by attribute: strings, and numbers as their digits
    /// (`true` for a number attribute).
    pub fn attributes(&self) -> Vec<(&'static str, String, bool)> {
        let mut item = vec![
            (attr::KEY, self.key(), false),
            (
                attr::CALLBACK_TYPE,
                self.callback.as_str().to_string(),
                false,
            ),
            (attr::ORG_ID, self.org_id.as_str().to_string(), false),
            (
                attr::REQUEST_ID,
                self.request_id.as_str().to_string(),
                false,
            ),
            (
                attr::SENT_AT,
                self.sent_at.format(&Rfc3339).expect("a valid time formats"),
                false,
            ),
            (
                attr::ANSWER_BY,
                self.answer_by.unix_timestamp().to_string(),
                true,
            ),
            (attr::EXPIRES_AT, self.expires_at.to_string(), true),
        ];
        if !self.ids.is_empty() {
            item.push((attr::LSP_IDS, self.ids.to_json(), false));
        }
        item
    }
}

/// A request as an item holds it (its string and number attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub sent_at: String,
    pub answer_by: i64,
    pub ids: LspIds,
}

impl RequestRecord {
    /// The request an item holds: `None` when it holds none (no `sentAt`), the reason
    /// (never a value) when it holds one that cannot be read.
    pub fn of_item(item: &HashMap<String, String>) -> Result<Option<RequestRecord>, String> {
        let Some(sent_at) = item.get(attr::SENT_AT) else {
            return Ok(None);
        };
        OffsetDateTime::parse(sent_at, &Rfc3339)
            .map_err(|_| "sentAt is not an RFC 3339 time".to_string())?;
        let answer_by = item
            .get(attr::ANSWER_BY)
            .and_then(|t| t.parse::<i64>().ok())
            .ok_or("answerBy is missing or not a number of epoch seconds")?;
        let ids = match item.get(attr::LSP_IDS) {
            Some(json) => LspIds::parse(json)?,
            None => LspIds::default(),
        };
        Ok(Some(RequestRecord {
            sent_at: sent_at.clone(),
            answer_by,
            ids,
        }))
    }

    /// Why the callback written on this item (at `now`, epoch seconds) answers it not.
    pub fn unanswered(item: &HashMap<String, String>, now: i64) -> Unanswered {
        match RequestRecord::of_item(item) {
            Ok(None) => Unanswered::NoRequest,
            Ok(Some(r)) if r.answer_by <= now => Unanswered::Expired {
                answer_by: r.answer_by,
            },
            // The condition refused what reads fine here: only a mistyped answerBy (a
            // string) can do that.
            Ok(Some(_)) => Unanswered::Unreadable("answerBy is not a number".into()),
            Err(why) => Unanswered::Unreadable(why),
        }
    }

    /// The event's `request` member: `sentAt` and the LSP's ids.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Member<'a> {
            #[serde(rename = "sentAt")]
            sent_at: &'a str,
            #[serde(flatten)]
            ids: &'a LspIds,
        }
        serde_json::to_string(&Member {
            sent_at: &self.sent_at,
            ids: &self.ids,
        })
        .expect("strings always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::disbursement_status;

    fn request(ids: LspIds) -> SentRequest {
        SentRequest::new(
            disbursement_status::TYPE,
            "LENDER-1",
            "req-1",
            ids,
            OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
            Duration::from_secs(3600),
        )
        .unwrap()
    }

    fn item(r: &SentRequest) -> HashMap<String, String> {
        r.attributes()
            .into_iter()
            .map(|(k, v, _)| (k.to_string(), v))
            .collect()
    }

    #[test]
    fn a_recorded_request_reads_back_with_its_ids() {
        let ids = LspIds::new()
            .with("loanId", IdValue::One("L-1".into()))
            .unwrap()
            .with("loanApplicationIds", IdValue::Many(vec!["A-1".into()]))
            .unwrap();
        let sent = request(ids.clone());
        assert_eq!(sent.key(), "DISBURSEMENT_STATUS_RESPONSE#LENDER-1#req-1");
        let read = RequestRecord::of_item(&item(&sent)).unwrap().unwrap();
        assert_eq!(read.ids, ids);
        assert_eq!(read.answer_by, 1_700_003_600);
        assert_eq!(
            read.to_json(),
            r#"{"sentAt":"2023-11-14T22:13:20Z","loanApplicationIds":["A-1"],"loanId":"L-1"}"#
        );
    }

    #[test]
    fn the_ids_order_by_loan_then_consent_then_a_single_application() {
        let ids = |pairs: &[(&str, IdValue)]| {
            pairs
                .iter()
                .fold(LspIds::new(), |ids, (k, v)| ids.with(k, v.clone()).unwrap())
        };
        let one = |v: &str| IdValue::One(v.into());
        let many = |v: &[&str]| IdValue::Many(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            ids(&[("loanId", one("L")), ("loanApplicationIds", many(&["A"]))]).ordering_key(),
            Some("loan:L".into())
        );
        assert_eq!(
            ids(&[("consentHandle", one("C"))]).ordering_key(),
            Some("consent:C".into())
        );
        assert_eq!(
            ids(&[("loanApplicationIds", many(&["A"]))]).ordering_key(),
            Some("application:A".into())
        );
        assert_eq!(
            ids(&[("loanApplicationIds", many(&["A", "B"]))]).ordering_key(),
            None
        );
        assert_eq!(ids(&[("paymentId", one("P"))]).ordering_key(), None);
    }

    #[test]
    fn malformed_request_records_say_why_without_their_values() {
        let sent = request(LspIds::new());
        let mut broken = item(&sent);
        broken.insert(attr::LSP_IDS.into(), r#"{"loanId": 42}"#.into());
        let why = RequestRecord::of_item(&broken).unwrap_err();
        assert!(why.contains("lspIds"), "{why}");
        assert!(!why.contains("42"), "{why}");
        let mut broken = item(&sent);
        broken.insert(attr::ANSWER_BY.into(), "tomorrow".into());
        assert!(RequestRecord::of_item(&broken)
            .unwrap_err()
            .contains("answerBy"));
        let mut broken = item(&sent);
        broken.insert(attr::SENT_AT.into(), "yesterday".into());
        assert!(RequestRecord::of_item(&broken)
            .unwrap_err()
            .contains("sentAt"));
    }

    #[test]
    fn an_item_without_sent_at_is_no_request_and_a_past_answer_by_is_expired() {
        assert_eq!(
            RequestRecord::unanswered(&HashMap::new(), 0),
            Unanswered::NoRequest
        );
        let sent = request(LspIds::new());
        assert_eq!(
            RequestRecord::unanswered(&item(&sent), 1_700_003_600),
            Unanswered::Expired {
                answer_by: 1_700_003_600
            }
        );
    }

    #[test]
    fn ids_refuse_reserved_names_empty_values_and_oversized_lists() {
        assert!(LspIds::new()
            .with("sentAt", IdValue::One("x".into()))
            .is_err());
        assert!(LspIds::new()
            .with("loanId", IdValue::One(String::new()))
            .is_err());
        assert!(LspIds::new()
            .with("ids", IdValue::Many(vec!["a".into(); MAX_LIST + 1]))
            .is_err());
        assert!(LspIds::parse("[1]").is_err());
        assert!(LspIds::parse("{}").unwrap().is_empty());
    }

    #[test]
    fn correlation_modes_parse_by_name() {
        for m in [Correlation::Require, Correlation::Flag, Correlation::Off] {
            assert_eq!(Correlation::parse(m.as_str()), Ok(m));
        }
        assert!(Correlation::parse("strict").is_err());
    }
}
