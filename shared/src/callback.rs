//! The three callbacks a lender sends, and where each arrives.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which OCEN callback a request is. Part of the idempotency key and of every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CallbackType {
    /// `POST /v3/loan/triggerLoanAcceptanceResponse`: the lender sent an OTP.
    LoanAcceptanceResponse,
    /// `POST /v3/disbursement/triggerDisbursementResponse`: money moved, or did not.
    DisbursementResponse,
    /// `POST /v3/consent/consentHandleResponse`: the AA consent handle is ready.
    ConsentHandleResponse,
}

impl CallbackType {
    pub const ALL: [CallbackType; 3] = [
        CallbackType::LoanAcceptanceResponse,
        CallbackType::DisbursementResponse,
        CallbackType::ConsentHandleResponse,
    ];

    /// The name used in keys, events, message attributes and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackType::LoanAcceptanceResponse => "LOAN_ACCEPTANCE_RESPONSE",
            CallbackType::DisbursementResponse => "DISBURSEMENT_RESPONSE",
            CallbackType::ConsentHandleResponse => "CONSENT_HANDLE_RESPONSE",
        }
    }

    pub fn parse(name: &str) -> Option<CallbackType> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The spec's path (v3).
    pub fn path(self) -> &'static str {
        match self {
            CallbackType::LoanAcceptanceResponse => "/v3/loan/triggerLoanAcceptanceResponse",
            CallbackType::DisbursementResponse => "/v3/disbursement/triggerDisbursementResponse",
            CallbackType::ConsentHandleResponse => "/v3/consent/consentHandleResponse",
        }
    }

    /// Every path a lender may use for this callback: the spec's own and the capitalised
    /// spelling some spec pages (and lenders) use for the last segment.
    pub fn paths(self) -> [String; 2] {
        let path = self.path();
        let (dir, last) = path.rsplit_once('/').expect("paths have a slash");
        let mut chars = last.chars();
        let first = chars.next().expect("last segment is not empty");
        [
            path.to_string(),
            format!("{dir}/{}{}", first.to_ascii_uppercase(), chars.as_str()),
        ]
    }

    /// Which callback a request path names. Tolerates a trailing slash, a stage prefix
    /// (`/prod/v3/...`) and the capitalised first letter of the last segment.
    pub fn from_path(path: &str) -> Option<CallbackType> {
        let path = path.trim_end_matches('/');
        Self::ALL.into_iter().find(|t| {
            t.paths().iter().any(|p| {
                path == p
                    || (path.ends_with(p.as_str()) && path[..path.len() - p.len()].starts_with('/'))
            })
        })
    }
}

impl fmt::Display for CallbackType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_spec_path_names_its_callback() {
        for t in CallbackType::ALL {
            assert_eq!(CallbackType::from_path(t.path()), Some(t));
        }
    }

    #[test]
    fn the_capitalised_disbursement_spelling_is_accepted() {
        assert_eq!(
            CallbackType::from_path("/v3/disbursement/TriggerDisbursementResponse"),
            Some(CallbackType::DisbursementResponse)
        );
    }

    #[test]
    fn a_stage_prefix_and_trailing_slash_are_tolerated() {
        assert_eq!(
            CallbackType::from_path("/prod/v3/consent/consentHandleResponse/"),
            Some(CallbackType::ConsentHandleResponse)
        );
    }

    #[test]
    fn unrelated_paths_name_no_callback() {
        for p in [
            "/",
            "/v3/loan",
            "/v3/loan/triggerLoanAcceptanceRequest",
            "/xv3/consent/consentHandleResponse",
        ] {
            assert_eq!(CallbackType::from_path(p), None, "{p}");
        }
    }

    #[test]
    fn names_round_trip() {
        for t in CallbackType::ALL {
            assert_eq!(CallbackType::parse(t.as_str()), Some(t));
        }
    }
}
