//! AWS SDK configuration, built once per cold start with no network call and no file read:
//! region and credentials come from the environment variables Lambda sets (`AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) instead of the default
//! provider chains (profile files, IMDS, SSO…), which cost cold-start time and are never
//! used on Lambda. Timeouts and retries are bounded so every ack is answered well inside
//! API Gateway's 29 s (worst case: 3 attempts × 2 s + backoff). `AWS_ENDPOINT_URL` (standard
//! SDK variable) points all clients at a local endpoint.
//!
//! TLS trusts the Amazon Trust Services roots compiled into the binary (`certs/`), the CAs
//! every AWS service endpoint chains to, instead of reading and parsing the system's CA
//! bundle (~140 certificates) at cold start: that read cost 4–5 ms of a ~12 ms cold start
//! (docs/performance.md). `TLS_ROOTS=system` switches back to the system bundle, for an
//! endpoint behind another CA (a TLS-inspecting proxy, say), without a code change.

use crate::config::ConfigError;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::time::Duration;

/// The Amazon Trust Services root certificates (PEM).
pub const AMAZON_TRUST_SERVICES_ROOTS: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

/// Which roots TLS connections to AWS trust (`TLS_ROOTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsRoots {
    /// `amazon` (default): the compiled-in Amazon Trust Services roots; nothing read at init.
    #[default]
    Amazon,
    /// `system`: the system's CA bundle, read and parsed at cold start (4–5 ms measured).
    System,
}

impl TlsRoots {
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<TlsRoots, ConfigError> {
        match lookup("TLS_ROOTS").as_deref() {
            None | Some("") | Some("amazon") => Ok(TlsRoots::Amazon),
            Some("system") => Ok(TlsRoots::System),
            Some(other) => Err(ConfigError::Invalid {
                name: "TLS_ROOTS".into(),
                reason: format!("{other:?} is neither \"amazon\" nor \"system\""),
            }),
        }
    }
}

/// The HTTPS client of every SDK client: rustls with aws-lc (as the SDK's default), trusting
/// `roots`.
pub fn http_client(roots: TlsRoots) -> SharedHttpClient {
    let trust_store = match roots {
        TlsRoots::Amazon => TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS),
        TlsRoots::System => TrustStore::default(),
    };
    let context = TlsContext::builder()
        .with_trust_store(trust_store)
        .build()
        .unwrap_or_default();
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https()
}

pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(8);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
pub const MAX_ATTEMPTS: u32 = 3;

pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .operation_timeout(OPERATION_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
}

pub fn retries() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS)
}

/// The shared SDK configuration. `TLS_ROOTS` is read here: an invalid value fails the cold
/// start.
pub async fn sdk_config() -> Result<SdkConfig, ConfigError> {
    let roots = TlsRoots::from_lookup(|k| std::env::var(k).ok())?;
    Ok(aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::environment::EnvironmentVariableRegionProvider::new())
        .credentials_provider(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        )
        .http_client(http_client(roots))
        .timeout_config(timeouts())
        .retry_config(retries())
        .load()
        .await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn the_compiled_in_roots_are_the_five_amazon_trust_services_certificates() {
        let pem = std::str::from_utf8(AMAZON_TRUST_SERVICES_ROOTS).unwrap();
        let ders: Vec<Vec<u8>> = pem
            .split("-----BEGIN CERTIFICATE-----")
            .skip(1)
            .map(|rest| {
                let b64: String = rest
                    .split("-----END CERTIFICATE-----")
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap()
            })
            .collect();
        assert_eq!(ders.len(), 5);
        for (der, name) in ders.iter().zip([
            "Amazon Root CA 1",
            "Amazon Root CA 2",
            "Amazon Root CA 3",
            "Amazon Root CA 4",
            "Starfield Services Root Certificate Authority - G2",
        ]) {
            assert_eq!(der[0], 0x30, "{name} is a DER SEQUENCE");
            let subject = name.as_bytes();
            assert!(der.windows(subject.len()).any(|w| w == subject), "{name}");
        }
    }

    #[test]
    fn tls_roots_default_to_amazon_and_an_unknown_value_fails_the_cold_start() {
        let with = |v: Option<&str>| TlsRoots::from_lookup(|_| v.map(str::to_string));
        assert_eq!(with(None).unwrap(), TlsRoots::Amazon);
        assert_eq!(with(Some("amazon")).unwrap(), TlsRoots::Amazon);
        assert_eq!(with(Some("system")).unwrap(), TlsRoots::System);
        let err = with(Some("none")).unwrap_err().to_string();
        assert!(err.contains("TLS_ROOTS"), "{err}");
    }

    /// The connector (and with it the trust store's PEM parsing) is built on the first
    /// request: a bad certificate would panic there. Against a closed local port the call
    /// must fail with a connection error instead.
    #[tokio::test]
    async fn a_client_with_the_compiled_in_roots_gets_as_far_as_connecting() {
        for roots in [TlsRoots::Amazon, TlsRoots::System] {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port(); // dropped: nothing listens there now
            let config = aws_sdk_dynamodb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(aws_config::Region::new("ap-south-1"))
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::for_tests())
                .endpoint_url(format!("https://127.0.0.1:{port}"))
                .http_client(http_client(roots))
                .retry_config(RetryConfig::disabled())
                .build();
            let err = aws_sdk_dynamodb::Client::from_conf(config)
                .list_tables()
                .send()
                .await
                .unwrap_err();
            assert!(
                matches!(err, aws_sdk_dynamodb::error::SdkError::DispatchFailure(ref e) if e.is_io()),
                "{roots:?}: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(&err)
            );
        }
    }
}
