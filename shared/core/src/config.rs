//! Configuration: one typed struct per function kind, read once per cold start from the
//! environment. A missing or malformed variable fails the cold start with its name.

use crate::callbacks::{ValidationPolicy, DEFAULT_SUPPORTED_VERSIONS};
use crate::publish::QueueTarget;
use crate::request::Correlation;
use crate::CallbackType;
use std::collections::HashMap;
use std::time::Duration;

pub const DEFAULT_RETENTION_DAYS: u64 = 30;
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
pub const DEFAULT_REPLAY_WINDOW_SECONDS: u64 = 300;

/// Where the lender registry comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrySource {
    /// `LENDER_REGISTRY_FILE`: a JSON file (local).
    File(std::path::PathBuf),
    /// `LENDER_REGISTRY_SSM_PARAMETER`: an SSM parameter holding the JSON (AWS).
    Ssm(String),
    /// `LENDER_REGISTRY_JSON`: the JSON itself.
    Inline(String),
}

/// `AUTH_MODE`: `jws` (default) or `none`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthConfig {
    Jws(RegistrySource),
    /// No signature check. Refused when running on Lambda.
    Disabled,
}

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
    /// `REPLAY_WINDOW_SECONDS` (default 300; 0 turns the check off): how far
    /// `metadata.timestamp` may be from the LSP's clock.
    pub replay_window: Option<Duration>,
    /// `AUTH_MODE` and the registry source.
    pub auth: AuthConfig,
    /// `CORRELATION` (`require`, the default; `flag`; `off`): what a callback must answer
    /// (docs/idempotency.md "Correlation").
    pub correlation: Correlation,
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
        let window: u64 = parse_or(&get, "REPLAY_WINDOW_SECONDS", DEFAULT_REPLAY_WINDOW_SECONDS)?;
        let replay_window = (window > 0).then(|| Duration::from_secs(window));
        let auth = match get("AUTH_MODE").as_deref().unwrap_or("jws") {
            "none" => {
                if get("AWS_LAMBDA_FUNCTION_NAME").is_some() {
                    return Err(invalid(
                        "AUTH_MODE",
                        "none is for local development and is refused on Lambda",
                    ));
                }
                AuthConfig::Disabled
            }
            "jws" => {
                let sources = [
                    get("LENDER_REGISTRY_FILE")
                        .filter(|s| !s.is_empty())
                        .map(|p| RegistrySource::File(p.into())),
                    get("LENDER_REGISTRY_SSM_PARAMETER")
                        .filter(|s| !s.is_empty())
                        .map(RegistrySource::Ssm),
                    get("LENDER_REGISTRY_JSON")
                        .filter(|s| !s.is_empty())
                        .map(RegistrySource::Inline),
                ];
                let mut given = sources.into_iter().flatten();
                match (given.next(), given.next()) {
                    (Some(source), None) => AuthConfig::Jws(source),
                    (None, _) => return Err(ConfigError::Missing("LENDER_REGISTRY_FILE, LENDER_REGISTRY_SSM_PARAMETER or LENDER_REGISTRY_JSON")),
                    (Some(_), Some(_)) => {
                        return Err(invalid("LENDER_REGISTRY_*", "set exactly one of FILE, SSM_PARAMETER, JSON"))
                    }
                }
            }
            other => {
                return Err(invalid(
                    "AUTH_MODE",
                    &format!("must be jws or none, not {other:?}"),
                ))
            }
        };
        let correlation = match get("CORRELATION").filter(|s| !s.is_empty()) {
            Some(mode) => Correlation::parse(&mode).map_err(|why| invalid("CORRELATION", &why))?,
            None => Correlation::default(),
        };
        Ok(CallbackConfig {
            correlation,
            table_name,
            retention: Duration::from_secs(days * 86_400),
            max_body_bytes,
            policy: ValidationPolicy { supported_versions },
            replay_window,
            auth,
        })
    }
}

/// Configuration of the stream dispatcher: where each callback type's events go.
#[derive(Debug, Clone, Default)]
pub struct DispatcherConfig {
    pub routes: HashMap<CallbackType, Vec<QueueTarget>>,
    /// `TABLE_NAME`: the callbacks table (delivery markers; by-reference messages name it).
    pub table_name: String,
    /// `PARKED_QUEUE_URL`: where records that can never be delivered are parked.
    pub parked_queue: Option<QueueTarget>,
}

impl DispatcherConfig {
    /// `QUEUES_<TYPE>`: comma-separated queue URLs per callback type, e.g.
    /// `QUEUES_DISBURSEMENT_RESPONSE=https://sqs…/ledger.fifo,https://sqs…/notify`.
    /// Every type must have at least one queue: an event with nowhere to go would be lost.
    /// `TABLE_NAME` and `PARKED_QUEUE_URL` are required too.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut routes = HashMap::new();
        for &t in CallbackType::ALL {
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
        let table_name = get("TABLE_NAME")
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::Missing("TABLE_NAME"))?;
        let parked = get("PARKED_QUEUE_URL")
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::Missing("PARKED_QUEUE_URL"))?;
        Ok(DispatcherConfig {
            routes,
            table_name,
            parked_queue: Some(QueueTarget::new(parked)),
        })
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
    fn auth_none_is_refused_on_lambda() {
        let err = CallbackConfig::from_lookup(env(&[
            ("TABLE_NAME", "t"),
            ("AUTH_MODE", "none"),
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("AUTH_MODE"), "{err}");
        let local = CallbackConfig::from_lookup(env(&[("TABLE_NAME", "t"), ("AUTH_MODE", "none")]))
            .unwrap();
        assert_eq!(local.auth, AuthConfig::Disabled);
    }

    #[test]
    fn jws_mode_needs_exactly_one_registry_source() {
        let err = CallbackConfig::from_lookup(env(&[("TABLE_NAME", "t")])).unwrap_err();
        assert!(err.to_string().contains("LENDER_REGISTRY_FILE"), "{err}");
        let err = CallbackConfig::from_lookup(env(&[
            ("TABLE_NAME", "t"),
            ("LENDER_REGISTRY_FILE", "a"),
            ("LENDER_REGISTRY_SSM_PARAMETER", "b"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("exactly one"), "{err}");
        let c = CallbackConfig::from_lookup(env(&[
            ("TABLE_NAME", "t"),
            ("LENDER_REGISTRY_SSM_PARAMETER", "/p"),
        ]))
        .unwrap();
        assert_eq!(c.auth, AuthConfig::Jws(RegistrySource::Ssm("/p".into())));
    }

    #[test]
    fn a_zero_replay_window_turns_the_check_off() {
        let c = CallbackConfig::from_lookup(env(&[
            ("TABLE_NAME", "t"),
            ("AUTH_MODE", "none"),
            ("REPLAY_WINDOW_SECONDS", "0"),
        ]))
        .unwrap();
        assert_eq!(c.replay_window, None);
    }

    #[test]
    fn defaults_apply_when_only_the_table_is_set() {
        let c = CallbackConfig::from_lookup(env(&[("TABLE_NAME", "t"), ("AUTH_MODE", "none")]))
            .unwrap();
        assert_eq!(c.replay_window, Some(Duration::from_secs(300)));
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
        let base = env(&[
            ("QUEUES_DISBURSEMENT_RESPONSE", "b, c.fifo"),
            ("TABLE_NAME", "t"),
            ("PARKED_QUEUE_URL", "p"),
        ]);
        let c = DispatcherConfig::from_lookup(|k| {
            base(k).or_else(|| crate::testing::registered_queue_var(k).map(str::to_string))
        })
        .unwrap();
        let d = &c.routes[&crate::callbacks::disbursement::TYPE];
        assert_eq!(d.len(), 2);
        assert!(d[1].is_fifo());
    }
}
