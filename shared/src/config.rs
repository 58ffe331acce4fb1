//! Configuration: one typed struct per function kind, read once per cold start from the
//! environment. A missing or malformed variable fails the cold start with its name.

use crate::domain::ValidationPolicy;
use crate::publish::QueueTarget;
use crate::CallbackType;
use std::collections::HashMap;
use std::time::Duration;

/// `metadata.version` values accepted unless `OCEN_SUPPORTED_VERSIONS` says otherwise.
pub const DEFAULT_SUPPORTED_VERSIONS: &str = "0.0.1,1.0,1.0.0,3.0,3.0.0,3.1,3.2,v3";
pub const DEFAULT_RETENTION_DAYS: u64 = 30;
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: String, reason: String },
}

/// Configuration of a callback function.
#[derive(Debug, Clone)]
pub struct CallbackConfig {
    /// `TABLE_NAME`: the idempotency table.
    pub table_name: String,
    /// `RETENTION_DAYS` (default 30): how long a record (and so duplicate detection) lasts.
    pub retention: Duration,
    /// `MAX_BODY_BYTES` (default 262144): larger bodies get 413 + `GEN5007` unparsed.
    pub max_body_bytes: usize,
    /// `OCEN_SUPPORTED_VERSIONS` (comma-separated).
    pub policy: ValidationPolicy,
}

impl CallbackConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table_name = get("TABLE_NAME")
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::Missing("TABLE_NAME"))?;
        let days: u64 = parse_or(&get, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS)?;
        if days == 0 {
            return Err(invalid("RETENTION_DAYS", "must be at least 1"));
        }
        let max_body_bytes: usize = parse_or(&get, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)?;
        if max_body_bytes < 1024 {
            return Err(invalid("MAX_BODY_BYTES", "must be at least 1024"));
        }
        let versions = get("OCEN_SUPPORTED_VERSIONS")
            .unwrap_or_else(|| DEFAULT_SUPPORTED_VERSIONS.to_string());
        let supported_versions: Vec<String> = versions
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if supported_versions.is_empty() {
            return Err(invalid("OCEN_SUPPORTED_VERSIONS", "names no version"));
        }
        Ok(CallbackConfig {
            table_name,
            retention: Duration::from_secs(days * 86_400),
            max_body_bytes,
            policy: ValidationPolicy { supported_versions },
        })
    }
}

/// Configuration of the stream dispatcher: where each callback type's events go.
#[derive(Debug, Clone, Default)]
pub struct DispatcherConfig {
    pub routes: HashMap<CallbackType, Vec<QueueTarget>>,
}

impl DispatcherConfig {
    /// `QUEUES_<TYPE>`: comma-separated queue URLs per callback type, e.g.
    /// `QUEUES_DISBURSEMENT_RESPONSE=https://sqs…/ledger.fifo,https://sqs…/notify`.
    /// Every type must have at least one queue: an event with nowhere to go would be lost.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut routes = HashMap::new();
        for t in CallbackType::ALL {
            let name = format!("QUEUES_{}", t.as_str());
            let urls: Vec<QueueTarget> = get(&name)
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(QueueTarget::new)
                .collect();
            if urls.is_empty() {
                return Err(ConfigError::Invalid {
                    name,
                    reason: "names no queue URL".into(),
                });
            }
            routes.insert(t, urls);
        }
        Ok(DispatcherConfig { routes })
    }
}

fn invalid(name: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_string(),
        reason: reason.to_string(),
    }
}

fn parse_or<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match get(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|e: T::Err| invalid(name, &e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_missing_table_name_fails_with_its_name() {
        let err = CallbackConfig::from_lookup(env(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable TABLE_NAME is not set"
        );
    }

    #[test]
    fn defaults_apply_when_only_the_table_is_set() {
        let c = CallbackConfig::from_lookup(env(&[("TABLE_NAME", "t")])).unwrap();
        assert_eq!(c.retention, Duration::from_secs(30 * 86_400));
        assert_eq!(c.max_body_bytes, 262_144);
        assert!(c.policy.supported_versions.contains(&"1.0".to_string()));
    }

    #[test]
    fn a_malformed_number_names_the_variable() {
        let err =
            CallbackConfig::from_lookup(env(&[("TABLE_NAME", "t"), ("RETENTION_DAYS", "ten")]))
                .unwrap_err();
        assert!(err.to_string().contains("RETENTION_DAYS"), "{err}");
    }

    #[test]
    fn a_dispatcher_needs_a_queue_for_every_type() {
        let err = DispatcherConfig::from_lookup(env(&[("QUEUES_DISBURSEMENT_RESPONSE", "u")]))
            .unwrap_err();
        assert!(
            err.to_string().contains("QUEUES_LOAN_ACCEPTANCE_RESPONSE"),
            "{err}"
        );
    }

    #[test]
    fn a_type_may_fan_out_to_several_queues() {
        let c = DispatcherConfig::from_lookup(env(&[
            ("QUEUES_LOAN_ACCEPTANCE_RESPONSE", "a"),
            ("QUEUES_DISBURSEMENT_RESPONSE", "b, c.fifo"),
            ("QUEUES_CONSENT_HANDLE_RESPONSE", "d"),
        ]))
        .unwrap();
        let d = &c.routes[&CallbackType::DisbursementResponse];
        assert_eq!(d.len(), 2);
        assert!(d[1].is_fifo());
    }
}
