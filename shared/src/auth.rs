//! The lender registry and JWS verification ([`ocen_shared_core::auth`]), and, here beside
//! the AWS clients, loading the registry from its configured source (an SSM parameter on
//! AWS).

pub use ocen_shared_core::auth::*;

/// The registry ([`ocen_shared_core::auth::registry`]) and its loading.
pub mod registry {
    pub use ocen_shared_core::auth::registry::*;

    /// Load the registry from its configured source, once per cold start.
    pub async fn load(
        source: &crate::config::RegistrySource,
        sdk: &aws_config::SdkConfig,
    ) -> Result<LenderRegistry, RegistryError> {
        use crate::config::RegistrySource;
        let (name, text) = match source {
            RegistrySource::File(path) => {
                let name = format!("file {}", path.display());
                let text = std::fs::read_to_string(path).map_err(|e| RegistryError::Source {
                    source_name: name.clone(),
                    reason: e.to_string(),
                })?;
                (name, text)
            }
            RegistrySource::Inline(json) => ("LENDER_REGISTRY_JSON".to_string(), json.clone()),
            RegistrySource::Ssm(parameter) => {
                let name = format!("SSM parameter {parameter}");
                let out = aws_sdk_ssm::Client::new(sdk)
                    .get_parameter()
                    .name(parameter)
                    .with_decryption(true)
                    .send()
                    .await
                    .map_err(|e| RegistryError::Source {
                        source_name: name.clone(),
                        reason: aws_sdk_ssm::error::DisplayErrorContext(&e).to_string(),
                    })?;
                let text = out
                    .parameter()
                    .and_then(|p| p.value())
                    .unwrap_or_default()
                    .to_string();
                (name, text)
            }
        };
        let registry = LenderRegistry::parse(&text)?;
        if registry.is_empty() {
            return Err(RegistryError::Source {
                source_name: name,
                reason: "registers no lender".into(),
            });
        }
        Ok(registry)
    }
}
